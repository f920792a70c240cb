"""Command line: `python -m slutaskjut import incidents FILE...`, `... import interventions FILE...`,
`python -m slutaskjut demo` (rewrite the synthetic demonstration extracts in data/extracts/).

Exit 0 with a one-line summary; exit 2 with every problem listed as file, row, column and
reason, and the database exactly as it was.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slutaskjut import demo, paths
from slutaskjut.extract_schema import DATASETS
from slutaskjut.imports import configured_key, import_files
from slutaskjut.load import ensure_database
from slutaskjut.problems import DataError, Problem

EXIT_INVALID = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m slutaskjut", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="validate extract files and load them into the database")
    importing.add_argument("dataset", choices=sorted(DATASETS))
    importing.add_argument("files", nargs="+", type=Path, metavar="FILE")
    importing.add_argument("--mapping", type=Path, help="TOML file mapping the export's columns and values to ours")
    importing.add_argument("--by", help="who imports (for the import history); default: the user name")
    commands.add_parser("demo", help="rewrite the synthetic demonstration extracts in data/extracts/")
    return parser


def _import(args: argparse.Namespace) -> int:
    missing = [
        Problem(str(path), 0, "-", "file not found")
        for path in [*args.files, args.mapping]
        if path and not path.is_file()
    ]
    if missing:
        raise DataError(missing)
    db_path = paths.database_path()
    ensure_database(paths.data_dir(), db_path)
    summary = import_files(
        args.dataset,
        args.files,
        db_path,
        mapping_path=args.mapping,
        key=configured_key(paths.ROOT / ".streamlit" / "secrets.toml"),
        imported_by=args.by,
    )
    print(summary)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            for path in demo.write_demo_extracts(paths.data_dir()):
                print(f"wrote {path}")
            return 0
        return _import(args)
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s): nothing was imported; the database is unchanged.", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
