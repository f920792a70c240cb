"""What is wrong with a data file, where: shared by the published-data build and partners' imports."""

from __future__ import annotations

from dataclasses import dataclass

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
    message: str

    def __str__(self) -> str:
        return printable(f"{self.file}, row {self.row}, column {self.column}: {self.message}")


class DataError(Exception):
    """The data files do not validate; `problems` lists the first ones found, `found` counts them all."""

    def __init__(self, problems: list[Problem], found: int | None = None):
        self.problems = problems
        self.found = len(problems) if found is None else found
        super().__init__("\n".join(str(problem) for problem in problems))
