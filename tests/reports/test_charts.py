import re

from reports import charts


def _ticks(svg):
    return re.findall(r">([\d.]+)%</text>", svg)


def test_line_chart_gridlines_fall_on_round_numbers():
    svg = charts.line_chart(["Jan 2025", "Jan 2026"], [("All", [9.2, 19.5])], title="t")
    assert _ticks(svg) == ["0", "5", "10", "15", "20", "25"]


def test_a_series_hidden_everywhere_is_keyed_as_not_shown():
    svg = charts.line_chart(
        ["Jan 2025", "Jan 2026"],
        [("All with SEN", [9.2, 9.7]), ("SEN support", [None, None])],
        title="t",
    )
    assert ">All with SEN<" in svg
    assert ">SEN support: not shown<" in svg
