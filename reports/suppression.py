"""Small-number suppression for every anonymised output (DOMAIN.md 8.4). One module, used by the
governors' report, the anonymised dashboard and the SEN information report, so the rule cannot
drift between them.

- a count of 1..threshold-1 is shown as "fewer than N" (primary suppression);
- in a table with totals, any row or column that would have exactly one hidden cell gets a
  second cell hidden (secondary suppression), so a hidden cell can't be worked back from the
  totals; this repeats until every line has none or at least two hidden cells;
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

    @property
    def lines(self) -> list[dict]:
        percents = self.percents or [None] * len(self.rows)
        return [
            {"label": label, "cells": row, "percent": pct}
            for label, row, pct in zip(self.row_labels, self.rows, percents, strict=True)
        ]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for row in [*self.rows, self.totals] for c in row)

    @property
    def any_secondary(self) -> bool:
        return any(c.secondary for row in [*self.rows, self.totals] for c in row)

    def column(self, index: int) -> list[Cell]:
        return [row[index] for row in self.rows]


def suppress_table(
    row_labels: list[str], col_labels: list[str], values: list[list[int]], threshold: int
) -> Table:
    """Suppress a grid of counts with row totals, column totals and a grand total."""
    n_rows, n_cols = len(values), len(col_labels)
    # The full grid: body, a total column at index n_cols, a total row at index n_rows.
    grid = [list(row) + [sum(row)] for row in values]
    grid.append([sum(grid[r][c] for r in range(n_rows)) for c in range(n_cols + 1)])
    hidden = [[is_small(v, threshold) for v in row] for row in grid]
    secondary = [[False] * (n_cols + 1) for _ in grid]

    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[r][c] for r, c in line) != 1:
                continue
            # Hide the smallest other cell, preferring body cells with a count over zeros and
            # totals: a known zero adds no doubt, and hiding a total loses most information.
            candidates = [(r, c) for r, c in line if not hidden[r][c]]
            if not candidates:
                continue

            def cost(rc):
                r, c = rc
                is_total = r == n_rows or c == n_cols
                return (is_total, grid[r][c] == 0, grid[r][c])

            r, c = min(candidates, key=cost)
            hidden[r][c] = True
            secondary[r][c] = True
            changed = True

    def cell(r, c):
        v = grid[r][c]
        if not hidden[r][c]:
            return Cell(v, f"{v:,}")
        if secondary[r][c]:
            return Cell(None, WITHHELD, suppressed=True, secondary=True)
        return Cell(None, fewer_than(threshold), suppressed=True)

    table = Table(row_labels, col_labels, threshold=threshold)
    table.rows = [[cell(r, c) for c in range(n_cols + 1)] for r in range(n_rows)]
    table.totals = [cell(n_rows, c) for c in range(n_cols + 1)]
    return table


def threshold_for(school) -> int:
    return max(int(getattr(school, "suppression_threshold", 5) or 5), 1)
