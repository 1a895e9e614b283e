from reports import suppression as sup


def _hidden(table):
    return [[c.suppressed for c in row] for row in [*table.rows, table.totals]]


def test_small_count_shown_as_fewer_than():
    assert sup.count(3, 5).display == "fewer than 5"
    assert sup.count(3, 5).value is None
    assert sup.count(0, 5).display == "0"
    assert sup.count(5, 5).display == "5"


def test_percent_needs_ten_and_a_shown_numerator():
    assert sup.percent(sup.count(20, 5), 9) == "—"
    assert sup.percent(sup.count(3, 5), 100) == "—"
    assert sup.percent(sup.count(20, 5), 100) == "20.0%"


def test_a_lone_hidden_cell_gets_a_partner_in_its_row_and_column():
    # Row "A": 3 is small; with a row total of 13 it could be worked out from 10.
    table = sup.suppress_table(["A", "B"], ["K", "E"], [[3, 10], [12, 20]], 5)
    hidden = _hidden(table)
    for line in hidden:  # every row (incl. totals row) hides none or at least two
        assert sum(line) != 1
    for col in zip(*hidden, strict=True):
        assert sum(col) != 1
    assert table.rows[0][0].display == "fewer than 5"
    assert table.any_secondary
    assert any(c.display == sup.WITHHELD for row in table.rows for c in row)


def test_hidden_cells_cannot_be_recovered_from_totals():
    values = [[1, 7, 9], [6, 2, 11], [8, 9, 30]]
    table = sup.suppress_table(["a", "b", "c"], ["x", "y", "z"], values, 5)
    grid = [*table.rows, table.totals]
    for line in grid:
        assert sum(c.suppressed for c in line) != 1
    for col in zip(*grid, strict=True):
        assert sum(c.suppressed for c in col) != 1
    # No hidden number reaches the template as a value.
    assert all(c.value is None for line in grid for c in line if c.suppressed)


def test_no_suppression_needed_when_counts_are_large():
    table = sup.suppress_table(["a"], ["x", "y"], [[10, 0]], 5)
    assert not table.any_suppressed
    assert [c.display for c in table.rows[0]] == ["10", "0", "10"]


def _lines_ok(table):
    grid = [*table.rows, table.totals]
    rows_ok = all(sum(c.suppressed for c in line) != 1 for line in grid)
    cols_ok = all(sum(c.suppressed for c in col) != 1 for col in zip(*grid, strict=True))
    return rows_ok and cols_ok


def test_a_broad_area_does_not_give_away_a_need_hidden_in_the_need_table():
    # Communication and interaction = SLCN 7 (K) + ASD 1 (E). On its own the need table hides
    # ASD and the area table shows 8: 8 - 7 would name the one pupil with an EHC plan for autism.
    needs, areas = sup.suppress_nested(
        ["SLCN", "ASD", "SPLD", "MLD"],
        ["CI", "CI", "CL", "CL"],
        ["CI", "CL"],
        ["K", "E"],
        [[7, 0], [0, 1], [4, 1], [2, 1]],
        5,
    )
    assert needs.rows[1][2].suppressed  # ASD's total
    assert _lines_ok(needs) and _lines_ok(areas)
    # Within each area and column, the area cell and its needs' cells hide none or two or more.
    for c in range(3):
        for area, members in ((0, [0, 1]), (1, [2, 3])):
            cells = [areas.rows[area][c], *(needs.rows[i][c] for i in members)]
            assert sum(x.suppressed for x in cells) != 1, (area, c)
    # Both tables carry the same totals, so neither's totals undo the other's.
    assert [c.display for c in needs.totals] == [c.display for c in areas.totals]
    assert all(c.value is None for row in [*needs.rows, *areas.rows] for c in row if c.suppressed)


def test_two_small_cells_that_could_only_be_fours_get_a_partner():
    # Year 3: 4 on SEN support and 4 with EHC plans, 8 in all. Shown as "fewer than 5" twice
    # beside 8, both could only be 4: a third figure must be withheld.
    table = sup.suppress_table(["Y3", "Y4"], ["K", "E"], [[4, 4], [20, 6]], 5)
    assert [c.display for c in table.rows[0]][:2] == ["fewer than 5", "fewer than 5"]
    assert any(c.secondary for c in [*table.rows[0], *table.column(0), *table.column(1)])
    assert table.rows[0][2].suppressed or table.rows[1][0].secondary or table.rows[1][1].secondary


def test_small_cells_that_could_only_be_ones_get_a_partner():
    # One pupil with an EHC plan in each of five year groups: "fewer than 5" five times with a
    # column total of 5 says each is 1.
    values = [[10, 1], [8, 1], [9, 1], [7, 1], [6, 1], [12, 0]]
    table = sup.suppress_table(list("ABCDEF"), ["K", "E"], values, 5)
    e_column = [*table.column(1), table.totals[1]]
    assert [c.display for c in e_column[:5]] == ["fewer than 5"] * 5
    assert any(c.secondary for c in e_column) or table.totals[1].suppressed


def test_a_threshold_of_two_does_not_hide_everything():
    # "fewer than 2" is 1 by definition: that alone must not set off secondary suppression.
    table = sup.suppress_table(["A", "B"], ["K", "E"], [[1, 1], [20, 30]], 2)
    assert table.rows[1][0].display == "20" and table.rows[1][1].display == "30"


def test_facts_that_add_up_are_suppressed_together():
    # 6 requests, 5 agreed: "refused: fewer than 5" would be 1 by subtraction.
    cells = sup.suppress_sums(
        {"made": 6, "agreed": 5, "refused": 1, "awaiting": 0},
        {"made": ["agreed", "refused", "awaiting"]},
        5,
    )
    assert cells["refused"].display == "fewer than 5"
    assert cells["agreed"].display == sup.WITHHELD
    assert cells["made"].display == "6"
