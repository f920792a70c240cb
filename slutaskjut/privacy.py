"""Privacy in public views: small counts of people are hidden, and so is what would give them away.

Plain functions, no Streamlit. A query that counts people declares a `[suppress]` section in
its TOML; every query a page runs goes through `protect` (frame.py), so every table, chart,
sentence and download of a page comes from the suppressed frame.

Which counts are about people: those about people in the programme, that is every query over
the contact extract (interventions) and the published outreach figures (outreach_figures).
The dead and injured of incidents are not: victims are counted in the published yearly figures
and the police's public reports, so the incident views show them by month unsuppressed.

The threshold `t` is `min_count()`: 3 unless SLUTASKJUT_MIN_COUNT says otherwise. Markers and
notes read it when they are written, as the cached queries are keyed by it.

1. Below the threshold. A count of people from 1 to t-1 is hidden (missing in the frame,
   `<column>_suppressed` = "below_threshold", shown as "fewer than 3"). A 0 stays 0 and a
   missing (unknown) count stays missing: both look different from "fewer than 3".
2. What a reader can combine. A hidden count could be worked out from other figures:
   - rows that make up a total (`within` groups; the group's `total` row, or a total shown
     elsewhere when the group has none): per column, `sum` (the total is the rows' sum,
     as for contacts), `union` (people counted once in the total: at least the largest row and
     at most the sum) or `cover` (at most the sum);
   - `parts` within a row: a whole (people) is its parts (those with a follow-up, those with
     it unknown) plus an unshown rest (those without it), which is itself a count of people.
   A reader would guess that a union or cover total is the rows' sum (that no one is counted
   twice): where that guess is right, and the total is shown, it is audited as a sum too.
   The reader also knows what the markers say: "fewer than 3" is 1 to t-1, and a cell hidden
   to protect another ("complementary") is at least t, since it was not below the threshold.
3. Audit. From the shown figures, the relations and the markers, the bounds a reader can put
   on every hidden cell are narrowed until nothing changes (interval propagation over all the
   relations together). A count from 1 to t-1, hidden or the unshown rest, is exposed when
   the reader can narrow it to less than "1 to t-1": when its lowest possible value is above
   1 or its highest below t-1. (So with one hidden cell among shown parts and a shown total,
   subtraction gives it exactly; two hidden 1s whose sum is known to be 2 are each 1.)
4. Complementary suppression. While a count is exposed, one more cell of a relation it is in
   is hidden and marked "complementary" (shown as "hidden"): the smallest shown, non-zero
   sibling (another part of the same total) that protects it by itself, else the total if
   that does; failing both, the largest sibling (or, with none, the total), and the audit
   runs again. So one hidden month of a round with a shown total takes the next-smallest
   month with it, unless that one is too small to hide it. A 0 is never hidden: it must stay
   visibly different, and hiding it would protect nothing.
5. Shares. A share or percentage would give its count back (2 of 23 is 9 %), so every
   `shares` column is hidden in each row where any count is hidden. A share's base is assumed
   to be a count of its row or a larger count (a funnel's first stage), which is hidden only
   when the counts it is a base for are hidden or 0.

Only the rows that count people are audited (`rows`, for example `unit = "people"`); other
rows keep their figures. The audit runs per `within` group (or per row without one), since no
relation crosses groups. Limits: it models what a reader can derive from one frame and the
markers, not the choice of which cell was hidden (that a complementary cell was the smallest
that would do), nor figures from other frames; a total shown elsewhere whose non-zero parts
are all hidden cannot be protected within the frame, so the view showing it must suppress it;
and what the markers tell by themselves cannot be hidden (a rest whose whole and parts all read
"fewer than 3" is at most 1), so `audit` reports only what the shown figures narrow.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from slutaskjut import fmt
from slutaskjut.i18n import t

ENVIRONMENT_VARIABLE = "SLUTASKJUT_MIN_COUNT"
DEFAULT_MIN_COUNT = 3
BELOW_THRESHOLD = "below_threshold"
COMPLEMENTARY = "complementary"
SUFFIX = "_suppressed"
RELATIONS = ("sum", "union", "cover")

_SHOWN, _BELOW, _HIDDEN, _REST = "shown", "below", "hidden", "rest"


def min_count() -> int:
    """The smallest count of people a public view shows: SLUTASKJUT_MIN_COUNT, default 3."""
    raw = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MIN_COUNT
    if not re.fullmatch(r"[0-9]+", raw) or int(raw) < 1:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE} must be a whole number of at least 1 (the smallest count of people "
            f"a public view shows), not {raw!r}"
        )
    return int(raw)


def flag_column(column: str) -> str:
    return column + SUFFIX


def flag_of(row, column: str) -> str | None:
    """The suppression flag of `column` in a row (a Series, a record dict or an itertuples row), or None."""
    is_mapping = isinstance(row, pd.Series | dict)
    value = row.get(flag_column(column)) if is_mapping else getattr(row, flag_column(column), None)
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value


def marker(flag: str, lang: str) -> str:
    """What a reader sees in place of a hidden figure: 'fewer than 3' or 'hidden'."""
    return t(f"privacy.{flag}", lang, threshold=min_count())


def note(lang: str) -> str:
    """The footnote explaining both markers."""
    threshold = min_count()
    return t("privacy.note", lang, threshold=threshold, largest=threshold - 1)


def _value(row, column: str):
    return row[column] if isinstance(row, pd.Series | dict) else getattr(row, column)


def count_text(row, column: str, lang: str, lower_bound: bool = False, unknown: str | None = None) -> str | None:
    """A count of a row as a reader sees it: its marker when hidden, else the formatted count.

    A missing count that is not hidden reads `unknown` (None when not given: the caller says
    what missing means, "not published" or "unknown"). `row` is a Series, a record dict or an itertuples row.
    """
    flag = flag_of(row, column)
    if flag:  # hidden for privacy: "fewer than 3", never the number
        return marker(flag, lang)
    text = fmt.count(_value(row, column), lang, lower_bound=lower_bound)
    return unknown if text is None else text


def is_given(row, column: str) -> bool:
    """True when a row has a figure in `column`, shown or hidden (hidden is missing in the frame)."""
    return flag_of(row, column) is not None or not fmt.is_missing(_value(row, column))


def is_suppressed(frame: pd.DataFrame) -> bool:
    """True when any cell of the frame is hidden."""
    return any(frame[c].notna().any() for c in frame.columns if isinstance(c, str) and c.endswith(SUFFIX))


# The audit ------------------------------------------------------------------------------------


@dataclass
class _Relation:
    kind: str  # sum, union or cover
    total: int
    parts: list[int]


@dataclass
class _Cells:
    """Every audited cell: frame cells, the unshown rests and totals shown elsewhere."""

    value: list[int] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    where: list[tuple[int, str] | None] = field(default_factory=list)  # (row position, column); None if not a cell
    missing: list[bool] = field(default_factory=list)
    relations: list[_Relation] = field(default_factory=list)
    of_cell: list[list[int]] = field(default_factory=list)  # relation indices each cell is in
    known_with: dict[int, int] = field(default_factory=dict)  # an exact sum -> the total it is known with

    def add(self, value: int, state: str, where=None, missing: bool = False) -> int:
        self.value.append(value)
        self.state.append(state)
        self.where.append(where)
        self.missing.append(missing)
        self.of_cell.append([])
        return len(self.value) - 1

    def relate(self, kind: str, total: int, parts: list[int]) -> None:
        self.relations.append(_Relation(kind, total, parts))
        for cell in {total, *parts}:
            self.of_cell[cell].append(len(self.relations) - 1)


def _initial(state: str, value: int, threshold: int) -> tuple[float, float]:
    if state == _SHOWN:
        return value, value
    if state == _BELOW:
        return 1, threshold - 1
    if state == _HIDDEN:
        return threshold, math.inf
    return 0, math.inf  # the unshown rest


def _others(total: float, infinite: int, own: float) -> float:
    """Sum of a relation's other parts' bounds, given the sum of the finite ones and the count of infinite."""
    if infinite - (own == math.inf) > 0:
        return math.inf
    return total - (0 if own == math.inf else own)


def _tighten(lo: list[float], hi: list[float], changed: list[int], cell: int, low: float, high: float) -> None:
    if low > lo[cell]:
        lo[cell] = low
        changed.append(cell)
    if high < hi[cell]:
        hi[cell] = high
        changed.append(cell)
    if lo[cell] > hi[cell]:
        raise RuntimeError("suppression audit: the relations contradict the figures")


def _bounds(cells: _Cells, state: list[str], threshold: int) -> tuple[list[float], list[float]]:
    """What a reader can tell about every cell: the lowest and highest value it can have."""
    state = list(state)
    for exact_sum, total in cells.known_with.items():  # a reader who knows the total guesses the sum
        state[exact_sum] = _SHOWN if state[total] == _SHOWN else _REST
    initial = [_initial(s, v, threshold) for s, v in zip(state, cells.value, strict=True)]
    lo, hi = [low for low, _ in initial], [high for _, high in initial]
    queue = list(range(len(cells.relations)))
    queued = set(queue)
    while queue:
        index = queue.pop()
        queued.discard(index)
        relation = cells.relations[index]
        parts, total = relation.parts, relation.total
        lo_sum = sum(lo[p] for p in parts)
        hi_finite = sum(hi[p] for p in parts if hi[p] != math.inf)
        hi_infinite = sum(1 for p in parts if hi[p] == math.inf)
        hi_sum = math.inf if hi_infinite else hi_finite
        changed = []

        tighten = functools.partial(_tighten, lo, hi, changed)

        for part in parts:
            low = lo[total] - _others(hi_finite, hi_infinite, hi[part])
            high = hi[part]
            if relation.kind == "sum":
                high = hi[total] - (lo_sum - lo[part])
            elif relation.kind == "union":
                high = hi[total]
            tighten(part, low, high)
        if relation.kind == "sum":
            tighten(total, lo_sum, hi_sum)
        elif relation.kind == "union":
            tighten(total, max((lo[p] for p in parts), default=0), hi_sum)
        else:
            tighten(total, lo[total], hi_sum)
        for cell in changed:
            for other in cells.of_cell[cell]:
                if other not in queued:
                    queued.add(other)
                    queue.append(other)
    return lo, hi


def _protected(cell: int, lo, hi, threshold: int) -> bool:
    return lo[cell] <= 1 and hi[cell] >= threshold - 1


def _candidates(cells: _Cells, state: list[str], cell: int) -> tuple[list[int], list[int]]:
    """Shown non-zero frame cells that could be hidden to protect `cell`: its siblings, then totals."""

    def hideable(other: int) -> bool:
        return (
            other != cell
            and cells.where[other] is not None
            and state[other] == _SHOWN
            and not cells.missing[other]
            and cells.value[other] > 0
        )

    siblings, totals = [], []
    for index in cells.of_cell[cell]:
        relation = cells.relations[index]
        siblings += relation.parts
        if relation.total != cell:
            totals.append(relation.total)
    order = lambda other: (cells.value[other], other)  # noqa: E731
    return (
        sorted({s for s in siblings if hideable(s)}, key=order),
        sorted({s for s in totals if hideable(s)}, key=order),
    )


def _complementary(cells: _Cells, sensitive: list[int], threshold: int) -> list[str]:
    """Hide more cells until no sensitive count can be narrowed; returns the final states."""
    state = list(cells.state)
    unprotectable: set[int] = set()
    while True:
        lo, hi = _bounds(cells, state, threshold)
        exposed = [c for c in sensitive if c not in unprotectable and not _protected(c, lo, hi, threshold)]
        if not exposed:
            return state
        cell = exposed[0]
        siblings, totals = _candidates(cells, state, cell)
        chosen = None
        for candidate in siblings + totals:
            trial = list(state)
            trial[candidate] = _HIDDEN
            if _protected(cell, *_bounds(cells, trial, threshold), threshold):
                chosen = candidate
                break
        if chosen is None:
            chosen = siblings[-1] if siblings else (totals[0] if totals else None)
        if chosen is None:
            unprotectable.add(cell)
        else:
            state[chosen] = _HIDDEN


def _whole_number(value: float, column: str) -> int:
    if value < 0 or value != int(value):
        raise ValueError(f"suppress: {column} holds {value}, not a count")
    return int(value)


def _build(
    counts: Mapping[str, pd.Series],
    rows: list[int],
    total_row: int | None,
    grouped: bool,
    totals: Mapping[str, str],
    parts: Sequence[Sequence[str]],
    threshold: int,
) -> tuple[_Cells, dict[int, str]]:
    """The cells and relations of one group of rows (or one row), and what each unshown rest is."""
    cells = _Cells()
    rests: dict[int, str] = {}
    ids: dict[tuple[int, str], int] = {}
    for column, values in counts.items():
        for position in rows:
            value = values.iloc[position]
            missing = bool(pd.isna(value))
            count = 0 if missing else _whole_number(float(value), column)
            state = _BELOW if 0 < count < threshold else _SHOWN
            ids[position, column] = cells.add(count, state, (position, column), missing)

    part_rows = [position for position in rows if position != total_row]
    if grouped and part_rows:
        for column in counts:
            kind = totals.get(column, "sum")
            members = [ids[position, column] for position in part_rows]
            exact = sum(cells.value[m] for m in members)
            if total_row is None:  # a total shown elsewhere: known to the reader, the parts' sum
                whole, kind = cells.add(exact, _SHOWN), "sum"
            else:
                whole = ids[total_row, column]
            cells.relate(kind, whole, members)
            if kind != "sum" and exact == cells.value[whole]:  # a reader's guess, and right here
                exact_sum = cells.add(exact, _REST)
                cells.known_with[exact_sum] = whole
                cells.relate("sum", exact_sum, members)

    for whole_column, *part_columns in parts:
        for position in rows:
            whole = ids[position, whole_column]
            members = [ids[position, column] for column in part_columns]
            rest = cells.value[whole] - sum(cells.value[m] for m in members)
            if rest < 0:
                raise ValueError(f"suppress: {part_columns} add up to more than {whole_column} in row {position}")
            rest_cell = cells.add(rest, _REST)
            rests[rest_cell] = f"row {position}: {whole_column} without {', '.join(part_columns)}"
            cells.relate("sum", whole, [*members, rest_cell])

    for relation in cells.relations:
        values = [cells.value[p] for p in relation.parts]
        whole = cells.value[relation.total]
        holds = {
            "sum": whole == sum(values),
            "union": max(values, default=0) <= whole <= sum(values),
            "cover": whole <= sum(values),
        }[relation.kind]
        if not holds:
            where = cells.where[relation.total]
            raise ValueError(f"suppress: the rows do not make up the total ({relation.kind}) at {where}")
    return cells, rests


def _sensitive(cells: _Cells, threshold: int) -> list[int]:
    """The counts from 1 to t-1 that must not be narrowed: below the threshold, or an unshown rest."""
    return [
        c
        for c, (s, v) in enumerate(zip(cells.state, cells.value, strict=True))
        if s in (_BELOW, _REST) and 0 < v < threshold
    ]


def _audit(
    counts: Mapping[str, pd.Series],
    rows: list[int],
    total_row: int | None,
    grouped: bool,
    totals: Mapping[str, str],
    parts: Sequence[Sequence[str]],
    threshold: int,
) -> dict[tuple[int, str], str]:
    """The hidden cells of one group of rows (or one row): (position, column) -> flag."""
    cells, _ = _build(counts, rows, total_row, grouped, totals, parts, threshold)
    state = _complementary(cells, _sensitive(cells, threshold), threshold)
    return {
        where: BELOW_THRESHOLD if state[cell] == _BELOW else COMPLEMENTARY
        for cell, where in enumerate(cells.where)
        if where is not None and state[cell] in (_BELOW, _HIDDEN)
    }


def _counts(frame: pd.DataFrame, count_columns: Sequence[str]) -> dict[str, pd.Series]:
    return {column: pd.to_numeric(frame[column]).astype("Float64") for column in count_columns}


def _components(
    frame: pd.DataFrame, within: Sequence[str] | None, total: str | None, rows: Mapping[str, object] | None
) -> list[tuple[list[int], int | None, bool]]:
    """The groups the audit runs on, (rows, total row, grouped): no relation crosses them.

    Per group of rows that make up a total (`within`), else per row; only the rows that count people.
    """
    people = pd.Series(True, index=frame.index)
    for column, value in (rows or {}).items():
        people &= frame[column] == value
    people = people.to_numpy()
    people_rows = [position for position in range(len(frame)) if people[position]]
    if within is None:
        return [([position], None, False) for position in people_rows]
    components = []
    keys = frame.iloc[people_rows][list(within)].astype(object).where(lambda f: f.notna(), None)
    groups: dict[tuple, list[int]] = {}
    for position, key in zip(people_rows, keys.itertuples(index=False, name=None), strict=True):
        groups.setdefault(key, []).append(position)
    for key, members in groups.items():
        total_rows = [p for p in members if total is not None and bool(frame[total].iloc[p])]
        if len(total_rows) > 1:
            raise ValueError(f"suppress: more than one total row for {dict(zip(within, key, strict=True))}")
        components.append((members, total_rows[0] if total_rows else None, True))
    return components


def suppress(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    within: Sequence[str] | None,
    threshold: int,
    share_columns: Sequence[str] = (),
    *,
    total: str | None = None,
    totals: Mapping[str, str] | None = None,
    parts: Sequence[Sequence[str]] = (),
    rows: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The frame with small counts of people hidden, and what would give them away (see the module).

    count_columns: counts of people. within: columns whose values group rows that make up a
    total (None: no row makes up a total). total: a boolean column marking each group's total
    row (a group without one makes up a total shown elsewhere). totals: per count column, how
    the rows make up the total: sum (default), union or cover. parts: [whole, part, ...] lists:
    in every row, the whole is its parts plus an unshown rest. share_columns: shares or
    percentages of those counts. rows: {column: value} picks the rows that count people.

    Returns a copy: hidden counts and shares are missing (pd.NA), and `<column>_suppressed` says
    why ("below_threshold", "complementary"; None where shown) for every count and share column.
    """
    totals = dict(totals or {})
    for kind in totals.values():
        if kind not in RELATIONS:
            raise ValueError(f"suppress: a total is one of {RELATIONS}, not {kind!r}")
    result = frame.copy()
    counts = _counts(frame, count_columns)
    hidden: dict[tuple[int, str], str] = {}
    for members, total_row, grouped in _components(frame, within, total, rows):
        hidden |= _audit(counts, members, total_row, grouped, totals, parts, threshold)

    flags = {column: [None] * len(frame) for column in [*count_columns, *share_columns]}
    for (position, column), flag in hidden.items():
        flags[column][position] = flag
    hidden_rows = [any(flags[c][p] for c in count_columns) for p in range(len(frame))]
    for column in share_columns:
        flags[column] = [COMPLEMENTARY if hidden else None for hidden in hidden_rows]
    for column in count_columns:
        values = pd.to_numeric(frame[column]).astype("Float64").round().astype("Int64")
        result[column] = values.mask(pd.Series([f is not None for f in flags[column]], index=frame.index))
    for column in share_columns:
        hide = pd.Series([f is not None for f in flags[column]], index=frame.index)
        result[column] = pd.to_numeric(frame[column]).astype("Float64").mask(hide)
    for column, values in flags.items():
        result[flag_column(column)] = pd.Series(values, index=frame.index, dtype=object)
    return result


def _arguments(name: str) -> dict | None:
    """A named query's `[suppress]` section as the keyword arguments of `suppress`; None without one."""
    from slutaskjut.queries import queries

    spec = queries()[name].description.get("suppress")
    if spec is None:
        return None
    return {
        "count_columns": spec["columns"],
        "within": spec.get("within"),
        "share_columns": spec.get("shares", ()),
        "total": spec.get("total"),
        "totals": spec.get("totals"),
        "parts": spec.get("parts", ()),
        "rows": spec.get("rows"),
    }


def protect(name: str, frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """A named query's result with its `[suppress]` section applied; unchanged without one."""
    arguments = _arguments(name)
    if arguments is None:
        return frame
    return suppress(frame, threshold=threshold or min_count(), **arguments)


def audit(name: str, frame: pd.DataFrame, shown: pd.DataFrame, threshold: int | None = None) -> list[str]:
    """What a reader of `shown` can tell that they should not: [] when nothing (and without `[suppress]`).

    For checks and tests: `frame` holds the named query's true figures and `shown` the same rows
    as published (hidden cells missing and flagged). The audit of step 3 runs on the figures and
    markers as shown, whoever hid them: a count from 1 to t-1 (or an unshown rest) that is shown
    or that the shown figures narrow, a shown figure that is not the true one, and a share shown
    beside a hidden count are all reported.
    """
    arguments = _arguments(name)
    if arguments is None:
        return []
    threshold = threshold or min_count()
    count_columns, share_columns = arguments["count_columns"], arguments["share_columns"]
    within, total, rows = arguments["within"], arguments["total"], arguments["rows"]
    totals, parts = dict(arguments["totals"] or {}), arguments["parts"]
    problems = []
    counts = _counts(frame, count_columns)
    flags = {column: shown[flag_column(column)] for column in [*count_columns, *share_columns]}
    for members, total_row, grouped in _components(frame, within, total, rows):
        cells, rests = _build(counts, members, total_row, grouped, totals, parts, threshold)
        state = list(cells.state)
        for cell, where in enumerate(cells.where):
            if where is None:
                continue
            position, column = where
            flag = flags[column].iloc[position]
            state[cell] = {BELOW_THRESHOLD: _BELOW, COMPLEMENTARY: _HIDDEN}.get(flag, _SHOWN)
            value, true = shown[column].iloc[position], counts[column].iloc[position]
            value = None if fmt.is_missing(value) else float(value)
            true = None if fmt.is_missing(true) else float(true)
            if state[cell] == _SHOWN and value != true:
                problems.append(f"row {position}: {column} shows {value}, not {true}")
            if state[cell] != _SHOWN and value is not None:
                problems.append(f"row {position}: {column} is flagged {flag} but shows {value}")
        lo, hi = _bounds(cells, state, threshold)
        # What the markers and zeros alone tell, every other figure unknown: no hiding changes it
        # (a rest whose whole and parts all read "fewer than 3" is at most 1), so only narrower
        # bounds than these come from the shown figures.
        unshown = [_REST if s == _SHOWN and v > 0 else s for s, v in zip(state, cells.value, strict=True)]
        marked_lo, marked_hi = _bounds(cells, unshown, threshold)
        for cell in _sensitive(cells, threshold):
            narrower = lo[cell] > marked_lo[cell] or hi[cell] < marked_hi[cell]
            if narrower and not _protected(cell, lo, hi, threshold):
                where = rests.get(cell) or "row {}: {}".format(*cells.where[cell])
                problems.append(f"{where} is {cells.value[cell]}, and a reader can tell {lo[cell]} to {hi[cell]}")
        for position in members:
            if any(not fmt.is_missing(flags[c].iloc[position]) for c in count_columns):
                problems += [
                    f"row {position}: {column} is shown beside a hidden count"
                    for column in share_columns
                    if not fmt.is_missing(shown[column].iloc[position])
                ]
    return problems
