"""Small-number suppression for every anonymised output (DOMAIN.md 8.4). One module, used by the
governors' report, the anonymised dashboard and the SEN information report, so the rule cannot
drift between them.

- a count of 1..threshold-1 is shown as "fewer than N" (primary suppression);
- in a table with totals, any row or column that would have exactly one hidden cell gets a
  second cell hidden (secondary suppression), so a hidden cell can't be worked back from the
  totals; this repeats until every line has none or at least two hidden cells;
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


def _hide_partners(grid, lines, cost, threshold) -> tuple[list[list[bool]], list[list[bool]]]:
    """Primary suppression of every small cell, then secondary: while any line (a set of cells
    that add up to one of them) has exactly one hidden cell, hide its cheapest other cell."""
    hidden = [[is_small(v, threshold) for v in row] for row in grid]
    secondary = [[False] * len(row) for row in grid]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            candidates = [(r, c) for r, c in line if not hidden[r][c]]
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

    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]

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
    lines = [[(r, c) for c in cols] for r in range(total + 1)]
    lines += [[*((r, c) for r in children), (total, c)] for c in cols]
    lines += [[*((r, c) for r in parents), (total, c)] for c in cols]
    for p_index, p in enumerate(parent_labels):
        members = [i for i in children if parent_of[i] == p]
        lines += [[(n_child + p_index, c), *((i, c) for i in members)] for c in cols]

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


def threshold_for(school) -> int:
    return max(int(getattr(school, "suppression_threshold", 5) or 5), 1)
