"""Command line: `python -m slutaskjut import incidents FILE...`, `... import interventions FILE...`,
`python -m slutaskjut refresh` (import the police's latest published events from their API),
`python -m slutaskjut demo` (rewrite the synthetic demonstration extracts in data/extracts/),
`python -m slutaskjut count-shootings boston FILE` (or `philadelphia FILE`: print a US city's shooting
victims per year, counted from its open-data export, as rows of data/us_city_yearly.csv; see us_cities.py),
`python -m slutaskjut cut-border FILE` (print Malmö's border, cut from a GeoJSON file of Sweden's municipalities,
as data/geo/malmo_border.geojson; see border.py),
`python -m slutaskjut serve` (several workers behind HAProxy under supervisord; see serving.py).

Exit 0 with a one-line summary; exit 2 with the problems listed as file, row, column and reason
(the first 1,000 when there are more), or why the events could not be fetched or the database
could not be written, and the database exactly as it was.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from slutaskjut import border, demo, paths, refresh, serving, store, us_cities
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
    refreshing = commands.add_parser(
        "refresh", help="import the events the police published lately (SLUTASKJUT_POLICE_EVENTS_URL)"
    )
    refreshing.add_argument("--by", help="who imports (for the import history); default: the user name")
    commands.add_parser("demo", help="rewrite the synthetic demonstration extracts in data/extracts/")
    counting = commands.add_parser(
        "count-shootings", help="print a US city's shooting victims per year as rows of data/us_city_yearly.csv"
    )
    counting.add_argument("city", choices=sorted(us_cities.EXPORTS))
    counting.add_argument("file", type=Path, metavar="FILE", help="the city's export, one row per victim")
    serve = commands.add_parser("serve", help="start N workers behind HAProxy under supervisord")
    serve.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="default: the number of cores")
    serve.add_argument("--port", type=int, default=8501, help="the balancer's port (default 8501)")
    serve.add_argument("--worker-port", type=int, default=8601, help="the first worker's port (default 8601)")
    serve.add_argument("--bind", default="", help="the balancer's address (default: all)")
    serve.add_argument("--folder", type=Path, default=serving.DEFAULT_FOLDER, help="configs and logs")
    cutting = commands.add_parser("cut-border", help="print Malmö's border as data/geo/malmo_border.geojson")
    cutting.add_argument("file", type=Path, metavar="FILE", help="a GeoJSON file of Sweden's municipalities")
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


def _refresh(args: argparse.Namespace) -> int:
    url = paths.police_events_url()
    try:
        body = refresh.fetch(url)  # before the database is touched: a failed fetch leaves it as it was
    except refresh.FetchError as error:
        print(f"{error}. Nothing was imported; the database is unchanged.", file=sys.stderr)
        return EXIT_INVALID
    db_path = paths.database_path()
    ensure_database(paths.data_dir(), db_path)
    print(refresh.import_events(body, db_path, imported_by=args.by))
    return 0


def _count(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise DataError([Problem(str(args.file), 0, "-", "file not found")])
    rows, left_out = us_cities.count_shootings(args.city, args.file)
    print(rows, end="")
    print(left_out, file=sys.stderr)
    return 0


def _cut_border(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise DataError([Problem(str(args.file), 0, "-", "file not found")])
    municipalities = json.loads(args.file.read_text(encoding="utf-8"))
    print(json.dumps(border.cut(municipalities), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            for path in demo.write_demo_extracts(paths.data_dir()):
                print(f"wrote {path}")
            return 0
        if args.command == "refresh":
            return _refresh(args)
        if args.command == "count-shootings":
            return _count(args)
        if args.command == "cut-border":
            return _cut_border(args)
        if args.command == "serve":
            serving.serve(args.workers, args.port, args.worker_port, args.folder, args.bind)
        return _import(args)
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        outcome = "nothing was imported; the database is unchanged"
        if args.command == "count-shootings":
            outcome = "nothing was counted"
        if args.command == "cut-border":
            outcome = "nothing was cut"
        listed = f" (the first {len(error.problems):,} are listed)" if error.found > len(error.problems) else ""
        print(f"{error.found:,} problem(s){listed}: {outcome}.", file=sys.stderr)
        return EXIT_INVALID
    except store.WriteError as error:  # its message says the database is unchanged
        print(f"Nothing was imported: {error}.", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
