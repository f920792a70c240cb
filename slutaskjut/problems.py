"""What is wrong with a data file, where: shared by the published-data build and partners' imports.

A problem the published-data build finds (load.py) is a text of the catalogue (texts.toml, section
data_problem) with its values, so a page lists it in the reader's language (`Problem.text`) and the
command line prints the same text in English. The import's own checks (readers.py, queries/imports/)
still write their messages in English: `text` shows those as they are, placed in the reader's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slutaskjut import markdown
from slutaskjut.i18n import t

# A file with a million bad rows lists this many problems and counts the rest.
MAX_LISTED_PROBLEMS = 1000


def printable(text: str) -> str:
    """`text` safe to print on a terminal: what a file name or a cell may hold shown as escapes.

    A byte of a file name that is not text (Python keeps it as a surrogate, U+DC80-U+DCFF)
    becomes \\xff; control characters such as a newline or ESC (which starts a terminal's colour
    codes) and other characters that print as nothing become \\n, \\x1b, \\u202e and so on.
    """
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else _escaped(character) for character in text)


def _escaped(character: str) -> str:
    if "\udc80" <= character <= "\udcff":  # a byte that os.fsdecode could not decode
        return f"\\x{ord(character) - 0xDC00:02x}"
    return character.encode("unicode_escape").decode("ascii")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str  # in English, as the command line prints it
    key: str | None = None  # the message's text in texts.toml (data_problem.<key>), when it has one
    values: tuple[tuple[str, object], ...] = field(default=())  # filled into that text

    @classmethod
    def of(cls, file: str, row: int, column: str, key: str, /, **values) -> Problem:
        """A problem worded by the catalogue's text data_problem.<key>."""
        english = markdown.plain(t(f"data_problem.{key}", "en", **values))
        return cls(file, row, column, english, key, tuple(values.items()))

    def __str__(self) -> str:
        return printable(f"{self.file}, row {self.row}, column {self.column}: {self.message}")

    def text(self, lang: str) -> markdown.Markdown:
        """The problem in `lang`, as a page lists it (Markdown: the file's own words are escaped)."""
        if self.key:
            message = t(f"data_problem.{self.key}", lang, **dict(self.values))
        else:
            message = markdown.escape(printable(self.message))
        return t(
            "data_problem.where", lang, file=printable(self.file), row=self.row, column=self.column, message=message
        )


class DataError(Exception):
    """The data files do not validate; `problems` lists the first ones found, `found` counts them all."""

    def __init__(self, problems: list[Problem], found: int | None = None):
        self.problems = problems
        self.found = len(problems) if found is None else found
        super().__init__("\n".join(str(problem) for problem in problems))
