"""Server-rendered SVG charts: pure functions from numbers to an SVG string, used by the
dashboard and by the PDFs alike (WeasyPrint draws inline SVG). No script, no inline style
attribute (the Content Security Policy forbids them); colours are presentation attributes.

A bar whose value is None (suppressed) is drawn as no bar with its label text instead, so a
chart never shows a number the table hides."""

import math

from django.utils.html import escape

PALETTE = ["#1d4f73", "#d4793a", "#4f8a3c", "#8a3c7d", "#b59a1f", "#3c7d8a"]
NATIONAL = "#9a9a9a"
FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    t = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{t}" class="chart">'
        f"<title>{t}</title>{''.join(body)}</svg>"
    )


def _text(x, y, s, *, size=11, anchor="start", fill="#1b1b1b", weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" {FONT}>{escape(s)}</text>'
    )


def hbar(
    items: list[tuple[str, float | None, str]],
    *,
    title: str,
    width: int = 520,
    max_value: float | None = None,
    unit: str = "",
    colour: str = PALETTE[0],
) -> str:
    """Horizontal bars. items: (label, value or None when hidden, text shown after the bar)."""
    if not items:
        return _svg(width, 30, title, [_text(8, 20, "No data to show", fill="#666")])
    row_h, label_w, pad = 22, 250, 8
    height = pad * 2 + row_h * len(items)
    values = [v for _, v, _ in items if v is not None]
    top = max_value or max(values + [1])
    bar_w = width - label_w - 90
    body = []
    for i, (label, value, shown) in enumerate(items):
        y = pad + i * row_h
        short = label if len(label) <= 40 else label[:38] + "…"
        body.append(_text(label_w - 6, y + 15, short, size=10, anchor="end"))
        if value is not None and value > 0:
            w = max(bar_w * value / top, 1.5)
            body.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{colour}" rx="2"/>'
            )
        else:
            w = 0
        body.append(_text(label_w + w + 5, y + 15, shown + unit, size=10, fill="#333"))
    body.append(
        f'<line x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}" stroke="#888"/>'
    )
    return _svg(width, height, title, body)


def compare_bars(
    groups: list[tuple[str, float | None, float]],
    *,
    title: str,
    series: tuple[str, str] = ("This school", "National"),
    width: int = 520,
    unit: str = "%",
) -> str:
    """Pairs of bars: the school's value (None when hidden) beside a benchmark."""
    row_h, label_w, pad, legend_h = 40, 150, 8, 22
    height = legend_h + pad * 2 + row_h * len(groups)
    top = max([b for _, _, b in groups] + [v for _, v, _ in groups if v is not None] + [1])
    bar_w = width - label_w - 70
    body = [
        f'<rect x="{label_w}" y="4" width="12" height="12" fill="{PALETTE[0]}"/>',
        _text(label_w + 16, 14, series[0], size=10),
        f'<rect x="{label_w + 120}" y="4" width="12" height="12" fill="{NATIONAL}"/>',
        _text(label_w + 136, 14, series[1], size=10),
    ]
    for i, (label, value, bench) in enumerate(groups):
        y = legend_h + pad + i * row_h
        body.append(_text(label_w - 6, y + 22, label, anchor="end"))
        for j, (v, fill) in enumerate(((value, PALETTE[0]), (bench, NATIONAL))):
            yy = y + 2 + j * 17
            if v is None:
                body.append(_text(label_w + 4, yy + 12, "not shown (small numbers)", size=9))
                continue
            w = max(bar_w * v / top, 1.5) if v > 0 else 0
            body.append(
                f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="15" fill="{fill}" rx="2"/>'
            )
            body.append(_text(label_w + w + 4, yy + 12, f"{v:.1f}{unit}", size=10))
    return _svg(width, height, title, body)


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    title: str,
    width: int = 520,
    height: int = 200,
    unit: str = "%",
) -> str:
    """A line per series over the labels (e.g. census years). None breaks the line."""
    left, right, top_pad, bottom = 44, 44, 26, 28
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    step, steps = _axis(max(values + [1]))
    top = step * steps
    n = max(len(labels) - 1, 1)

    def xy(i, v):
        return left + plot_w * i / n, top_pad + plot_h * (1 - v / top)

    body = []
    for k in range(steps + 1):
        v = step * k
        _, y = xy(0, v)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        body.append(_text(left - 4, y + 4, f"{v:g}{unit}", size=9, anchor="end", fill="#555"))
    for i, label in enumerate(labels):
        x, _ = xy(i, 0)
        body.append(_text(x, height - 10, label, size=10, anchor="middle"))
    lx = left
    for s, (name, vs) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = [xy(i, v) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
        for x, y in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        # A series whose every point is hidden (small numbers) says so instead of a key to
        # a line that is not there. Keys sit side by side, each as wide as its words.
        key = name if points else f"{name}: not shown"
        body.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{colour}"/>')
        body.append(_text(lx + 16, 16, key, size=10))
        lx += 16 + len(key) * 6 + 18
    return _svg(width, height, title, body)


def _axis(highest: float) -> tuple[float, int]:
    """A round step (1, 2, 2.5 or 5 times a power of ten) and how many of them reach a little
    above `highest`: gridlines at 0, 5, 10, 15, 20, 25%, not 0, 6, 11, 17, 22%."""
    raw = highest / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return step, math.ceil(highest * 1.05 / step)
