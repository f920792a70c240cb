"""Privacy in public views: small counts of people are hidden, and so is what would give them away.

Plain functions, no Streamlit. A query that counts people declares a `[suppress]` section in
its TOML; every query a page runs goes through `protect` (frame.py), so every table, chart,
sentence and download of a page comes from the suppressed frame.

Which counts are suppressed: those computed from an extract about people in the programme,
that is every query over the contact extract (interventions) and the models built on it. A
figure the city or the police published (outreach_figures) is shown as published, small or
not: it is public already. The dead and injured of incidents are not people in the programme:
victims are counted in the published yearly figures and the police's public reports, so the
incident views show them by month unsuppressed.

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
     it unknown) plus an unshown rest (those without it), which is itself a count of people;
   - `at_most` within a row: a count is at most another (people at most their contacts).
   A reader would guess that a union or cover total is the rows' sum (that no one is counted
   twice): where that guess is right, and the total is shown, it is audited as a sum too.
   The reader also knows what the markers say: "fewer than 3" is 1 to t-1, and a cell hidden
   to protect another ("complementary") is at least t, since it was not below the threshold.
3. Audit. From the shown figures, the relations and the markers, the bounds a reader can put
   on every hidden cell are narrowed until nothing changes (interval propagation over all the
   relations together). A count from 1 to t-1, hidden or the unshown rest, is exposed when
   the reader can narrow it to less than "1 to t-1" (its lowest possible value above 1 or its
   highest below t-1) and to less than the floor: what the reader could tell with every shown
   count above 0 hidden, from the markers and zeros alone. No hiding tells less than the floor
   (a rest whose whole and parts all read "fewer than 3" is at most 1, whatever else is
   hidden). So with one hidden cell among shown parts and a shown total, subtraction gives it
   exactly; two hidden 1s whose sum is known to be 2 are each 1: both are exposed.
4. Complementary suppression. While a count is exposed, one more cell of its group is hidden
   and marked "complementary" (shown as "hidden"). The candidates are the group's shown cells
   above 0 that its relations reach, in every row and count column: first those sharing a
   relation with the exposed count, then those sharing one with these, and so on, the smallest
   first at each distance. The first candidate that protects the count by itself is hidden;
   when none does, the first candidate is hidden, and the audit runs again. So one hidden month
   of a round with a shown total takes the next-smallest month with it, unless that one is too
   small to hide it; a rest that the round's totals and another month give away takes cells
   of both months with it. It always ends with nothing exposed: hiding only widens what a
   reader can tell, and with every candidate hidden they tell no more than the floor, so at
   worst a whole row, column or total is hidden, and an exposed count is never shown. A 0 is
   never hidden: it must stay visibly different, and hiding it would protect nothing.
Only the rows that count people are audited (`rows`, for example `unit = "people"`); other
rows keep their figures. The audit runs per `within` group (or per row without one), since no
relation crosses groups. What a group hides depends on its own figures alone, never on the
frame's other rows: a round is wholly in a year range or not (it counts in the year of its last
contact), so it hides the same cells in every range, and comparing two ranges tells nothing
more than either. Each group is worked out once and cached.

Limits: the audit models what a reader can derive from one frame, its declared relations and
the markers. It does not model the choice of which cell was hidden (that a complementary cell
was the smallest that would do), figures from other frames (a total shown elsewhere counts as
known, so the view showing it must protect it; a published figure shown beside a round of the
extract), nor relations a `[suppress]` section does not declare.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
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
    where: list[tuple[int, str] | None] = field(default_factory=list)  # (row of the group, column); None: no cell
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


def _bounds(
    cells: _Cells, state: list[str], threshold: int, watch: int | None = None, floor=None
) -> tuple[list[float], list[float]]:
    """What a reader can tell about every cell: the lowest and highest value it can have.

    Each relation narrows its cells' bounds from the others' until nothing changes. It runs once
    for every trial hiding, so it works on plain lists. With `watch` (and the floor), it starts
    from that cell's relations and stops as soon as the cell is exposed: bounds only narrow, so
    it stays exposed, and the bounds returned are enough to tell so.
    """
    state = list(state)
    for exact_sum, total in cells.known_with.items():  # a reader who knows the total guesses the sum
        state[exact_sum] = _SHOWN if state[total] == _SHOWN else _REST
    initial = [_initial(s, v, threshold) for s, v in zip(state, cells.value, strict=True)]
    lo, hi = [low for low, _ in initial], [high for _, high in initial]
    first = cells.of_cell[watch] if watch is not None else []
    queue = [index for index in range(len(cells.relations)) if index not in first] + first  # popped from the end
    queued = [True] * len(queue)
    while queue:
        index = queue.pop()
        queued[index] = False
        relation = cells.relations[index]
        kind, total, parts = relation.kind, relation.total, relation.parts
        part_lo = [lo[p] for p in parts]
        part_hi = [hi[p] for p in parts]
        lo_sum = sum(part_lo)
        infinite = part_hi.count(math.inf)
        hi_finite = sum(h for h in part_hi if h != math.inf)
        hi_sum = math.inf if infinite else hi_finite
        narrowed = []
        for part, low_part, high_part in zip(parts, part_lo, part_hi, strict=True):
            # the total's least value, less the most the other parts can hold, is this part's least
            if infinite > (high_part == math.inf):
                others = math.inf
            else:
                others = hi_finite - (0 if high_part == math.inf else high_part)
            if kind == "sum":
                high = hi[total] - (lo_sum - low_part)
            else:
                high = hi[total] if kind == "union" else high_part
            narrowed.append((part, lo[total] - others, high))
        if kind == "sum":
            narrowed.append((total, lo_sum, hi_sum))
        elif kind == "union":
            narrowed.append((total, max(part_lo, default=0), hi_sum))
        else:
            narrowed.append((total, lo[total], hi_sum))
        for cell, low, high in narrowed:
            changed = low > lo[cell] or high < hi[cell]
            lo[cell], hi[cell] = max(lo[cell], low), min(hi[cell], high)
            if lo[cell] > hi[cell]:
                raise RuntimeError("suppression audit: the relations contradict the figures")
            if changed:
                if cell == watch and _exposed(cell, (lo, hi), floor, threshold):
                    return lo, hi
                for other in cells.of_cell[cell]:
                    if not queued[other]:
                        queued[other] = True
                        queue.append(other)
    return lo, hi


def _protected(cell: int, lo, hi, threshold: int) -> bool:
    return lo[cell] <= 1 and hi[cell] >= threshold - 1


def _hideable(cells: _Cells, state: list[str], cell: int) -> bool:
    """A frame cell shown with a count above 0: one that may be hidden (a 0 stays visibly 0)."""
    return cells.where[cell] is not None and state[cell] == _SHOWN and not cells.missing[cell] and cells.value[cell] > 0


def _floor(cells: _Cells, state: list[str], threshold: int) -> tuple[list[float], list[float]]:
    """What a reader could tell with every cell that may be hidden hidden: the markers and zeros alone.

    No suppression tells less (a rest whose whole and parts all read "fewer than 3" is at most 1),
    and hiding more only ever widens what a reader can tell, so this is where hiding ends.
    """
    floor = [
        (_BELOW if cells.value[cell] < threshold else _HIDDEN) if _hideable(cells, state, cell) else cell_state
        for cell, cell_state in enumerate(state)
    ]
    return _bounds(cells, floor, threshold)


def _exposed(cell: int, bounds, floor, threshold: int) -> bool:
    """True when a reader narrows a count to less than 1 to t-1, and more than the markers alone tell."""
    (lo, hi), (floor_lo, floor_hi) = bounds, floor
    narrower = lo[cell] > floor_lo[cell] or hi[cell] < floor_hi[cell]
    return narrower and not _protected(cell, lo, hi, threshold)


def _candidates(cells: _Cells, state: list[str], cell: int) -> list[int]:
    """The cells that may be hidden to protect `cell`, in the order they are tried.

    Every shown non-zero cell its relations reach: first those sharing a relation with it, then
    those sharing one with these, and so on; the smallest first at each distance, then the first
    in the group. The order depends only on the group's figures, so a group hides the same cells
    in every frame it is in.
    """
    distance, frontier = {cell: 0}, [cell]
    while frontier:
        reached = []
        for current in frontier:
            for index in cells.of_cell[current]:
                relation = cells.relations[index]
                for other in (relation.total, *relation.parts):
                    if other not in distance:
                        distance[other] = distance[current] + 1
                        reached.append(other)
        frontier = reached
    hideable = [other for other in distance if _hideable(cells, state, other)]
    return sorted(hideable, key=lambda other: (distance[other], cells.value[other], other))


def _complementary(cells: _Cells, sensitive: list[int], threshold: int) -> list[str]:
    """Hide more cells until no sensitive count is exposed; returns the final states.

    For the first exposed count, the first candidate that protects it by itself is hidden, else
    the first candidate, and the audit runs again. It ends: at worst every candidate is hidden,
    and then a reader tells no more than the floor.
    """
    state = list(cells.state)
    if not sensitive:
        return state
    floor = _floor(cells, state, threshold)
    bounds = _bounds(cells, state, threshold)
    while exposed := [cell for cell in sensitive if _exposed(cell, bounds, floor, threshold)]:
        cell = exposed[0]
        candidates = _candidates(cells, state, cell)  # never empty: with all hidden, its bounds are the floor's
        for candidate in candidates:
            trial = _hiding(state, candidate)
            trial_bounds = _bounds(cells, trial, threshold, watch=cell, floor=floor)
            if not _exposed(cell, trial_bounds, floor, threshold):
                state, bounds = trial, trial_bounds
                break
        else:
            state = _hiding(state, candidates[0])
            bounds = _bounds(cells, state, threshold)
    return state


def _hiding(state: list[str], cell: int) -> list[str]:
    """The states with one more cell hidden."""
    return [_HIDDEN if other == cell else cell_state for other, cell_state in enumerate(state)]


@dataclass(frozen=True)
class _Rule:
    """A `[suppress]` section's counts and relations: hashable, as part of a group's cache key."""

    columns: tuple[str, ...]
    totals: tuple[tuple[str, str], ...]  # (column, sum, union or cover); sum where not given
    parts: tuple[tuple[str, ...], ...]  # (whole, part, ...)
    at_most: tuple[tuple[str, str], ...]  # (count, bound)

    @classmethod
    def of(
        cls,
        columns: Sequence[str],
        totals: Mapping[str, str] | None,
        parts: Sequence[Sequence[str]],
        at_most: Sequence[Sequence[str]],
    ) -> _Rule:
        for kind in (totals or {}).values():
            if kind not in RELATIONS:
                raise ValueError(f"suppress: a total is one of {RELATIONS}, not {kind!r}")
        return cls(
            tuple(columns),
            tuple(sorted((totals or {}).items())),
            tuple(tuple(p) for p in parts),
            tuple((count, bound) for count, bound in at_most),
        )


# One group's figures: per row of the group, its counts in the rule's columns (None where missing).
_Group = tuple[tuple[int | None, ...], ...]


def _row_counts(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple[int | None, ...]]:
    """Every row's counts in `columns` as whole numbers, None where missing."""
    by_column = []
    for column in columns:
        values = pd.to_numeric(frame[column]).astype("Float64").to_numpy(dtype=float, na_value=math.nan)
        present = values[~np.isnan(values)]
        wrong = present[(present < 0) | (present != present.round())]
        if len(wrong):
            raise ValueError(f"suppress: {column} holds {wrong[0]}, not a count")
        by_column.append([None if math.isnan(value) else int(value) for value in values.tolist()])
    return list(zip(*by_column, strict=True)) if by_column else [() for _ in range(len(frame))]


def _build(
    rule: _Rule, group: _Group, total_row: int | None, grouped: bool, threshold: int
) -> tuple[_Cells, dict[int, tuple[int, str]]]:
    """The cells and relations of one group of rows (or one row), and what each unshown rest is.

    Cells are placed by (row of the group, column), and each rest is described as (row, text).
    """
    cells = _Cells()
    rests: dict[int, tuple[int, str]] = {}
    ids: dict[tuple[int, str], int] = {}
    for index, column in enumerate(rule.columns):
        for row, counts in enumerate(group):
            count = counts[index]
            state = _BELOW if count is not None and 0 < count < threshold else _SHOWN
            ids[row, column] = cells.add(count or 0, state, (row, column), count is None)

    totals = dict(rule.totals)
    part_rows = [row for row in range(len(group)) if row != total_row]
    if grouped and part_rows:
        for column in rule.columns:
            kind = totals.get(column, "sum")
            members = [ids[row, column] for row in part_rows]
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
            values = [cells.value[m] for m in members]
            holds = {
                "sum": cells.value[whole] == exact,
                "union": max(values) <= cells.value[whole] <= exact,
                "cover": cells.value[whole] <= exact,
            }[kind]
            if not holds:
                raise ValueError(f"suppress: the rows do not make up the total ({kind}) of {column}: {values}")

    for whole_column, *part_columns in rule.parts:
        for row in range(len(group)):
            whole = ids[row, whole_column]
            members = [ids[row, column] for column in part_columns]
            rest = cells.value[whole] - sum(cells.value[m] for m in members)
            if rest < 0:
                raise ValueError(
                    f"suppress: {part_columns} add up to more than {whole_column} in the row "
                    f"{dict(zip(rule.columns, group[row], strict=True))}"
                )
            rest_cell = cells.add(rest, _REST)
            rests[rest_cell] = (row, f"{whole_column} without {', '.join(part_columns)}")
            cells.relate("sum", whole, [*members, rest_cell])

    for count_column, bound_column in rule.at_most:
        for row in range(len(group)):
            count, bound = ids[row, count_column], ids[row, bound_column]
            if cells.value[count] > cells.value[bound]:
                raise ValueError(
                    f"suppress: {count_column} is more than {bound_column} in the row "
                    f"{dict(zip(rule.columns, group[row], strict=True))}"
                )
            cells.relate("cover", count, [bound])  # the count is at most its one part, the bound
    return cells, rests


def _sensitive(cells: _Cells, rests: Mapping[int, object], threshold: int) -> list[int]:
    """The counts from 1 to t-1 that must not be narrowed: below the threshold, or an unshown rest.

    Not a reader's guess of a sum: it is a total's figure again, and the total is protected itself.
    """
    return [
        cell
        for cell, (state, value) in enumerate(zip(cells.state, cells.value, strict=True))
        if (state == _BELOW or cell in rests) and 0 < value < threshold
    ]


@functools.lru_cache(maxsize=4096)
def _hidden(
    rule: _Rule, group: _Group, total_row: int | None, grouped: bool, threshold: int
) -> tuple[tuple[int, str, str], ...]:
    """The hidden cells of one group of rows (or one row): (row of the group, column, flag).

    A function of the group's figures alone: the same group hides the same cells in every frame it
    is in, whatever years the frame covers. Cached, so a change of years works out only new groups.
    """
    cells, rests = _build(rule, group, total_row, grouped, threshold)
    state = _complementary(cells, _sensitive(cells, rests, threshold), threshold)
    return tuple(
        (*where, BELOW_THRESHOLD if state[cell] == _BELOW else COMPLEMENTARY)
        for cell, where in enumerate(cells.where)
        if where is not None and state[cell] in (_BELOW, _HIDDEN)
    )


def _components(
    frame: pd.DataFrame, within: Sequence[str] | None, total: str | None, rows: Mapping[str, object] | None
) -> list[tuple[list[int], int | None, bool]]:
    """The groups the audit runs on, (rows, total row, grouped): no relation crosses them.

    Per group of rows that make up a total (`within`), else per row; only the rows that count people.
    The total row is given as its place among the group's rows.
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
    is_total = frame[total].to_numpy(dtype=bool) if total is not None else [False] * len(frame)
    for key, members in groups.items():
        total_rows = [row for row, position in enumerate(members) if is_total[position]]
        if len(total_rows) > 1:
            raise ValueError(f"suppress: more than one total row for {dict(zip(within, key, strict=True))}")
        components.append((members, total_rows[0] if total_rows else None, True))
    return components


def suppress(
    frame: pd.DataFrame,
    count_columns: Sequence[str],
    within: Sequence[str] | None,
    threshold: int,
    *,
    total: str | None = None,
    totals: Mapping[str, str] | None = None,
    parts: Sequence[Sequence[str]] = (),
    at_most: Sequence[Sequence[str]] = (),
    rows: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    """The frame with small counts of people hidden, and what would give them away (see the module).

    count_columns: counts of people. within: columns whose values group rows that make up a
    total (None: no row makes up a total). total: a boolean column marking each group's total
    row (a group without one makes up a total shown elsewhere). totals: per count column, how
    the rows make up the total: sum (default), union or cover. parts: [whole, part, ...] lists:
    in every row, the whole is its parts plus an unshown rest. at_most: [count, bound] pairs: in
    every row, the count is at most the bound (people at most their contacts). rows: {column:
    value} picks the rows that count people. A query that counts people shows no share or
    percentage of them: it would give a hidden count back (2 of 23 is 9 %).

    Returns a copy: hidden counts are missing (pd.NA), and `<column>_suppressed` says why
    ("below_threshold", "complementary"; None where shown) for every count column.
    """
    rule = _Rule.of(count_columns, totals, parts, at_most)
    counts = _row_counts(frame, count_columns)
    flags = {column: [None] * len(frame) for column in count_columns}
    for members, total_row, grouped in _components(frame, within, total, rows):
        group = tuple(counts[position] for position in members)
        for row, column, flag in _hidden(rule, group, total_row, grouped, threshold):
            flags[column][members[row]] = flag
    result = frame.copy()
    for column in count_columns:
        values = pd.to_numeric(frame[column]).astype("Float64").round().astype("Int64")
        result[column] = values.mask(pd.Series([f is not None for f in flags[column]], index=frame.index))
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
        "total": spec.get("total"),
        "totals": spec.get("totals"),
        "parts": spec.get("parts", ()),
        "at_most": spec.get("at_most", ()),
        "rows": spec.get("rows"),
    }


def protect(name: str, frame: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """A named query's result with its `[suppress]` section applied; unchanged without one."""
    arguments = _arguments(name)
    if arguments is None:
        return frame
    return suppress(frame, threshold=threshold or min_count(), **arguments)


def _exposures(
    cells: _Cells, rests: Mapping[int, tuple[int, str]], state: list[str], members: list[int], threshold: int
) -> list[str]:
    """Every sensitive count of a group that a reader of `state` can narrow, as a problem."""
    sensitive = _sensitive(cells, rests, threshold)
    if not sensitive:
        return []
    bounds, floor = _bounds(cells, state, threshold), _floor(cells, state, threshold)
    lo, hi = bounds
    problems = []
    for cell in sensitive:
        if _exposed(cell, bounds, floor, threshold):
            row, what = rests.get(cell) or cells.where[cell]
            problems.append(
                f"row {members[row]}: {what} is {cells.value[cell]}, and a reader can tell {lo[cell]} to {hi[cell]}"
            )
    return problems


def audit(name: str, frame: pd.DataFrame, shown: pd.DataFrame, threshold: int | None = None) -> list[str]:
    """What a reader of `shown` can tell that they should not: [] when nothing (and without `[suppress]`).

    For checks and tests: `frame` holds the named query's true figures and `shown` the same rows
    as published (hidden cells missing and flagged). The audit of step 3 runs on the figures and
    markers as shown, whoever hid them: a count from 1 to t-1 (or an unshown rest) that is shown
    or that the shown figures narrow beyond the floor, and a shown figure that is not the true
    one, are reported.
    """
    arguments = _arguments(name)
    if arguments is None:
        return []
    threshold = threshold or min_count()
    count_columns = arguments["count_columns"]
    rule = _Rule.of(count_columns, arguments["totals"], arguments["parts"], arguments["at_most"])
    counts = _row_counts(frame, count_columns)
    flags = {column: shown[flag_column(column)].tolist() for column in count_columns}
    values = {column: shown[column].tolist() for column in count_columns}
    problems = []
    for members, total_row, grouped in _components(frame, arguments["within"], arguments["total"], arguments["rows"]):
        cells, rests = _build(rule, tuple(counts[position] for position in members), total_row, grouped, threshold)
        state = list(cells.state)
        for cell, where in enumerate(cells.where):
            if where is None:
                continue
            row, column = where
            position = members[row]
            flag = flags[column][position]
            state[cell] = {BELOW_THRESHOLD: _BELOW, COMPLEMENTARY: _HIDDEN}.get(flag, _SHOWN)
            value, true = values[column][position], counts[position][rule.columns.index(column)]
            value = None if fmt.is_missing(value) else float(value)
            true = None if true is None else float(true)
            if state[cell] == _SHOWN and value != true:
                problems.append(f"row {position}: {column} shows {value}, not {true}")
            if state[cell] != _SHOWN and value is not None:
                problems.append(f"row {position}: {column} is flagged {flag} but shows {value}")
        problems += _exposures(cells, rests, state, members, threshold)
    return problems
