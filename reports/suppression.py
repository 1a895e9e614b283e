"""Small-number suppression for every anonymised output (DOMAIN.md 8.4). One module, used by the
governors' report, the anonymised dashboard and the SEN information report, so the rule cannot
drift between them.

- a count of 1..threshold-1 is shown as "fewer than N" (primary suppression);
- in a table with totals, any row or column from which a hidden cell could be worked out gets
  another cell hidden (secondary suppression), and this repeats until none can. "Worked out"
  counts what a reader knows: the shown cells, that "fewer than N" is 1 to N-1 and "withheld"
  is 0 or more. So a line with one hidden cell gets a partner, and so does a line whose hidden
  cells could only be all 1s or all N-1s (two "fewer than 5" in a row totalling 8 are both 4);
- two tables of the same counts where one sums the other (needs within broad areas) are
  suppressed together (suppress_nested), so neither gives away a cell the other hides;
- a percentage needs a denominator of at least 10 and a shown numerator.
"""

from dataclasses import dataclass, field

MIN_DENOMINATOR = 10
WITHHELD = "withheld"


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when hidden: templates and charts never see a hidden number
    display: str
    suppressed: bool = False
    secondary: bool = False

    def __str__(self):
        return self.display


def fewer_than(threshold: int) -> str:
    return f"fewer than {threshold}"


def is_small(n: int, threshold: int) -> bool:
    return 0 < n < threshold


def count(n: int, threshold: int) -> Cell:
    """A single count standing on its own (no totals to work it back from)."""
    if is_small(n, threshold):
        return Cell(None, fewer_than(threshold), suppressed=True)
    return Cell(n, f"{n:,}")


def percent(numerator: Cell | int, denominator: int, *, places: int = 1) -> str:
    """A percentage, or an em dash when it would identify someone or mean nothing."""
    value = numerator.value if isinstance(numerator, Cell) else numerator
    if value is None or denominator < MIN_DENOMINATOR:
        return "—"
    return f"{100 * value / denominator:.{places}f}%"


@dataclass
class Table:
    """A suppressed table: `rows` of Cells, each row ending with its total, then a totals row."""

    row_labels: list[str]
    col_labels: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] = field(default_factory=list)
    threshold: int = 5
    percents: list[str] | None = None  # optional "% of group" column, one per row
    row_keys: list[str] | None = None  # optional codes of the rows (for drill-down links)
    links: list[list[str | None]] | None = None  # optional URL per body cell (named dashboards)

    @property
    def lines(self) -> list[dict]:
        percents = self.percents or [None] * len(self.rows)
        keys = self.row_keys or [None] * len(self.rows)
        links = self.links or [[None] * len(row) for row in self.rows]
        return [
            {"label": label, "key": key, "percent": pct,
             "cells": [{"cell": c, "link": link} for c, link in zip(row, row_links, strict=True)]}
            for label, row, pct, key, row_links in zip(
                self.row_labels, self.rows, percents, keys, links, strict=True
            )
        ]  # fmt: skip

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for row in [*self.rows, self.totals] for c in row)

    @property
    def any_secondary(self) -> bool:
        return any(c.secondary for row in [*self.rows, self.totals] for c in row)

    def column(self, index: int) -> list[Cell]:
        return [row[index] for row in self.rows]


# A line: (total, parts), grid positions where the parts add up to the total.
Line = tuple[tuple[int, int], list[tuple[int, int]]]
_UNBOUNDED = 10**12  # what a reader knows of a "withheld" cell's size: nothing


def _pinned(line: Line, grid, hidden, secondary, threshold: int) -> bool:
    """Whether a reader could work out a hidden cell of this line exactly from the shown cells,
    knowing that a "fewer than N" cell is 1..N-1 and a "withheld" one 0 or more."""
    total, parts = line
    if not any(hidden[r][c] for r, c in (total, *parts)):
        return False

    def bounds(rc):
        r, c = rc
        if not hidden[r][c]:
            return grid[r][c], grid[r][c]
        return (0, _UNBOUNDED) if secondary[r][c] else (1, threshold - 1)

    t_lo, t_hi = bounds(total)
    ranges = [bounds(p) for p in parts]
    lo_sum, hi_sum = sum(lo for lo, _ in ranges), sum(hi for _, hi in ranges)
    worked_out = []
    if hidden[total[0]][total[1]]:
        worked_out.append(((t_lo, t_hi), (max(t_lo, lo_sum), min(t_hi, hi_sum))))
    for (r, c), (lo, hi) in zip(parts, ranges, strict=True):
        if hidden[r][c]:
            known = (max(lo, t_lo - (hi_sum - hi)), min(hi, t_hi - (lo_sum - lo)))
            worked_out.append(((lo, hi), known))
    # Pinned: the line narrows a cell to one value that its label alone did not give away
    # (with a threshold of 2, "fewer than 2" is 1 whatever the line says).
    return any(k[0] == k[1] and own[0] != own[1] for own, k in worked_out)


def _hide_partners(grid, lines: list[Line], cost, threshold) -> tuple[list[list[bool]], ...]:
    """Primary suppression of every small cell, then secondary: while a hidden cell of any line
    could be worked out from the line's shown cells, hide the line's cheapest other cell."""
    hidden = [[is_small(v, threshold) for v in row] for row in grid]
    secondary = [[False] * len(row) for row in grid]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _pinned(line, grid, hidden, secondary, threshold):
                continue
            total, parts = line
            candidates = [(r, c) for r, c in (*parts, total) if not hidden[r][c]]
            if not candidates:
                continue
            r, c = min(candidates, key=cost)
            hidden[r][c] = True
            secondary[r][c] = True
            changed = True
    return hidden, secondary


def _cell(value: int, hidden: bool, secondary: bool, threshold: int) -> Cell:
    if not hidden:
        return Cell(value, f"{value:,}")
    if secondary:
        return Cell(None, WITHHELD, suppressed=True, secondary=True)
    return Cell(None, fewer_than(threshold), suppressed=True)


def suppress_table(
    row_labels: list[str], col_labels: list[str], values: list[list[int]], threshold: int
) -> Table:
    """Suppress a grid of counts with row totals, column totals and a grand total."""
    n_rows, n_cols = len(values), len(col_labels)
    # The full grid: body, a total column at index n_cols, a total row at index n_rows.
    grid = [list(row) + [sum(row)] for row in values]
    grid.append([sum(grid[r][c] for r in range(n_rows)) for c in range(n_cols + 1)])

    lines = [((r, n_cols), [(r, c) for c in range(n_cols)]) for r in range(n_rows + 1)]
    lines += [((n_rows, c), [(r, c) for r in range(n_rows)]) for c in range(n_cols + 1)]

    def cost(rc):
        # Hide the smallest other cell, preferring body cells with a count over zeros and
        # totals: a known zero adds no doubt, and hiding a total loses most information.
        r, c = rc
        is_total = r == n_rows or c == n_cols
        return (is_total, grid[r][c] == 0, grid[r][c])

    hidden, secondary = _hide_partners(grid, lines, cost, threshold)

    def cell(r, c):
        return _cell(grid[r][c], hidden[r][c], secondary[r][c], threshold)

    table = Table(row_labels, col_labels, threshold=threshold)
    table.rows = [[cell(r, c) for c in range(n_cols + 1)] for r in range(n_rows)]
    table.totals = [cell(n_rows, c) for c in range(n_cols + 1)]
    return table


def suppress_nested(
    child_labels: list[str],
    parent_of: list[str],
    parent_labels: list[str],
    col_labels: list[str],
    values: list[list[int]],
    threshold: int,
) -> tuple[Table, Table]:
    """The same counts twice: by child (primary need) and summed by parent (broad area), where
    `parent_of[i]` is child row i's parent. Suppressed as one, so that no hidden cell of one
    table can be worked out from the other: a broad area shown as 8 beside a need shown as 7
    would otherwise give away the single pupil with the area's other need. Returns (children,
    parents); both tables share their totals row."""
    n_child, n_cols = len(values), len(col_labels)
    n_parent = len(parent_labels)
    grid = [list(row) + [sum(row)] for row in values]
    for p in parent_labels:
        members = [grid[i] for i in range(n_child) if parent_of[i] == p]
        grid.append([sum(row[c] for row in members) for c in range(n_cols + 1)])
    grid.append([sum(grid[r][c] for r in range(n_child)) for c in range(n_cols + 1)])
    total = n_child + n_parent  # index of the shared totals row
    children, parents = range(n_child), range(n_child, total)

    cols = range(n_cols + 1)
    lines = [((r, n_cols), [(r, c) for c in range(n_cols)]) for r in range(total + 1)]
    lines += [((total, c), [(r, c) for r in children]) for c in cols]
    lines += [((total, c), [(r, c) for r in parents]) for c in cols]
    for p_index, p in enumerate(parent_labels):
        members = [i for i in children if parent_of[i] == p]
        lines += [((n_child + p_index, c), [(i, c) for i in members]) for c in cols]

    def cost(rc):
        # As suppress_table, and a need before a broad area: the areas are the coarser view.
        r, c = rc
        return (r == total or c == n_cols, r >= n_child, grid[r][c] == 0, grid[r][c])

    hidden, secondary = _hide_partners(grid, lines, cost, threshold)

    def row(r):
        return [_cell(grid[r][c], hidden[r][c], secondary[r][c], threshold) for c in cols]

    totals = row(total)
    child_table = Table(child_labels, col_labels, threshold=threshold)
    child_table.rows = [row(r) for r in children]
    child_table.totals = totals
    parent_table = Table(parent_labels, col_labels, threshold=threshold)
    parent_table.rows = [row(r) for r in parents]
    parent_table.totals = list(totals)
    return child_table, parent_table


def suppress_sums(values: dict[str, int], sums: dict[str, list[str]], threshold: int) -> dict:
    """Counts shown as a list of facts, some of which add up to others: `sums[total]` names the
    parts that make up that total exactly. Suppressed as one, so no hidden count is a subtraction
    away ("6 requests, 5 agreed" would give away one refusal). Returns {key: Cell}."""
    keys = list(values)
    row = {k: i for i, k in enumerate(keys)}
    grid = [[values[k]] for k in keys]
    lines = [((row[t], 0), [(row[p], 0) for p in parts]) for t, parts in sums.items()]

    def cost(rc):
        # The smallest count first, a zero last (hiding a known 0 seldom adds doubt), and of
        # equals a part before a total (a total says most).
        n = grid[rc[0]][0]
        return (n == 0, n, keys[rc[0]] in sums)

    hidden, secondary = _hide_partners(grid, lines, cost, threshold)
    return {k: _cell(values[k], hidden[i][0], secondary[i][0], threshold) for k, i in row.items()}


def threshold_for(school) -> int:
    return max(int(getattr(school, "suppression_threshold", 5) or 5), 1)
