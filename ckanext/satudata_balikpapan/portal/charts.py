"""Server-side charts as inline SVG: no JavaScript library, nothing from a CDN.

Two functions draw every chart of the portal:

* :func:`bar_chart` -- one value per label, as horizontal bars (long labels such as OPD names)
  or vertical columns (a time axis such as months);
* :func:`line_chart` -- one or more series over a shared axis (years, months).

Each returns a ``<figure>`` (``markupsafe.Markup``, ready for a Jinja template) holding:

* a visible caption, the ``title``;
* the ``<svg>``, with ``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>`` that
  lists the figures, so that a screen reader hears the numbers;
* a collapsed table of the same figures ("Tampilkan angka"), for everyone.

Labels and titles are escaped. Empty data, all-zero data, negative values, NaN and infinity
are handled: NaN and infinity are dropped as missing, an empty chart says that there is no
data. Colours come from the configurable branding palette (:func:`branding.chart_colors`)
unless ``colors`` is given. Numbers are written the way the reader's language writes them
(``1.234,5`` in Indonesian, ``1,234.5`` in English).

Example (the quality dashboard)::

    bar_chart([(org["title"], org["score"]) for org in orgs], title=language.gettext("Quality score by OPD"),
              unit="%", max_items=40)
    bar_chart([("2026-01", 4), ("2026-02", 7)], title=language.gettext("Datasets published per month"),
              horizontal=False)
    line_chart({"Laki-laki": [(2021, 370000), (2022, 374000)]}, title="Penduduk", unit="jiwa")
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

from markupsafe import Markup, escape

from ckanext.satudata_balikpapan.lib import language
from ckanext.satudata_balikpapan.portal import branding

WIDTH = 640
GRID = "#d0d7de"
LABEL_CHARS = 32


def format_number(value: float, lang: str | None = None, decimals: int | None = None) -> str:
    """``value`` with the thousands and decimal separators of ``lang`` (default: the user's
    language): ``1.234.567,5`` in Indonesian, ``1,234,567.5`` in English. Whole numbers get no
    decimals; others at most two (or exactly ``decimals``)."""
    lang = lang or language.current()
    if not math.isfinite(value):
        return "\u2013"
    value = float(value) + 0.0  # no "-0"
    if decimals is not None:
        text = f"{value:,.{decimals}f}"
    elif value.is_integer():
        text = f"{value:,.0f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if lang.startswith("id"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


PREFIX_UNITS = ("Rp", "US$", "$")


def _with_unit(value: float, unit: str) -> str:
    number = format_number(value)
    if unit in PREFIX_UNITS:  # Rp12.400, as Indonesian writes money
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number} {unit}".strip() if unit and unit != "%" else f"{number}{unit}"


def _clean(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _chart_id(*parts: object) -> str:
    digest = hashlib.sha1(repr(parts).encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"satudata-chart-{digest[:10]}"


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round axis ticks (steps of 1, 2, 2.5 or 5 times a power of ten) covering ``lo..hi``;
    the range always includes zero."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    steps = round((end - start) / step)
    return [round(start + i * step, 10) for i in range(steps + 1)]


def _palette(colors: Sequence[str] | None) -> list[str]:
    chosen = [c for c in colors or [] if branding.HEX_COLOR.match(c or "")]
    return chosen or branding.chart_colors()


def _figure(chart_id: str, title: str, svg: str, table: str, css: str) -> Markup:
    # gettext calls stay outside f-strings: Babel's extractor does not look inside them.
    show = language.gettext("Show the figures")
    return Markup(
        f'<figure class="satudata-chart {css}" id="{chart_id}">'
        f'<figcaption class="satudata-chart-title">{escape(title)}</figcaption>'
        f"{svg}"
        f'<details class="satudata-chart-data"><summary>{escape(show)}</summary>'
        f"{table}</details></figure>"
    )


def _empty(title: str) -> Markup:
    nothing = language.gettext("There are no figures to chart.")
    return Markup(
        f'<figure class="satudata-chart satudata-chart-empty">'
        f'<figcaption class="satudata-chart-title">{escape(title)}</figcaption>'
        f'<p class="text-muted">{escape(nothing)}</p></figure>'
    )


def _svg_open(chart_id: str, title: str, desc: str, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" class="satudata-chart-svg" '
        f'aria-label="{escape(title)}" aria-describedby="{chart_id}-desc" '
        f'font-family="inherit" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _table(head: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    thead = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = ""
    for row in rows:
        cells = list(row)
        body += f'<tr><th scope="row">{escape(cells[0])}</th>'
        body += "".join(f'<td class="text-end">{escape(c)}</td>' for c in cells[1:]) + "</tr>"
    return (
        f'<table class="table table-sm table-striped satudata-chart-table">'
        f"<thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table>"
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    horizontal: bool = True,
    max_items: int = 30,
    colors: Sequence[str] | None = None,
    chart_id: str | None = None,
) -> Markup:
    """A bar chart of ``items`` (label, value), in the given order, as an accessible
    ``<figure>`` with an inline ``<svg>``.

    :param items: ``(label, value)`` pairs; values that are not finite numbers are dropped.
    :param title: the caption, also the SVG's ``<title>`` and ``aria-label``.
    :param unit: appended to every value shown (``"%"`` is attached: ``12,5%``).
    :param horizontal: bars from the left (good for long labels) or columns from the bottom
        (good for a time axis: months, years).
    :param max_items: the first ``max_items`` items are drawn; sort them before calling.
    :param colors: bar colour(s); default: the branding palette. Negative bars take the
        second colour.
    :param chart_id: the ``id`` of the figure (default: derived from the content).
    """
    clean = [(str(label), v) for label, value in items if (v := _clean(value)) is not None]
    clean = clean[: max(max_items, 0)]
    if not clean:
        return _empty(title)
    palette = _palette(colors)
    positive, negative = palette[0], palette[1] if len(palette) > 1 else palette[0]
    chart_id = chart_id or _chart_id("bar", title, unit, horizontal, clean)
    values = [v for _, v in clean]
    desc = "; ".join(f"{label}: {_with_unit(v, unit)}" for label, v in clean)
    table = _table(
        [language.gettext("Label"), language.gettext("Value")],
        [(label, _with_unit(v, unit)) for label, v in clean],
    )
    if horizontal:
        svg = _horizontal_bars(chart_id, title, desc, clean, unit, positive, negative, values)
    else:
        svg = _vertical_bars(chart_id, title, desc, clean, unit, positive, negative, values)
    return _figure(chart_id, title, svg, table, "satudata-bar-chart")


def _horizontal_bars(chart_id, title, desc, clean, unit, positive, negative, values) -> str:
    row, bar, top = 26, 16, 6
    label_w, value_w = 210, 96
    x0, x1 = label_w + 8, WIDTH - value_w
    lo, hi = min(min(values), 0.0), max(max(values), 0.0)
    span = (hi - lo) or 1.0

    def x(v: float) -> float:
        return x0 + (v - lo) / span * (x1 - x0)

    height = top * 2 + row * len(clean)
    parts = [_svg_open(chart_id, title, desc, height)]
    zero = x(0.0)
    for i, (label, v) in enumerate(clean):
        y = top + i * row
        left, right = sorted((zero, x(v)))
        colour = negative if v < 0 else positive
        text = _with_unit(v, unit)
        parts.append(
            f'<g class="satudata-bar"><title>{escape(label)}: {escape(text)}</title>'
            f'<text x="{label_w}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{left:.1f}" y="{y + (row - bar) / 2:.1f}" width="{max(right - left, 0):.1f}" '
            f'height="{bar}" fill="{colour}" rx="2"></rect>'
            f'<text x="{WIDTH - 4}" y="{y + row / 2 + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{escape(text)}</text></g>"
        )
    parts.append(
        f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{height - top}" stroke="{GRID}"></line>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _y_axis(ticks: list[float], y, left: float, right: float, unit: str) -> str:
    out = []
    for tick in ticks:
        ty = y(tick)
        dash = "" if tick == 0 else ' stroke-dasharray="3 3"'
        out.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{right}" y2="{ty:.1f}" stroke="{GRID}"{dash}></line>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="currentColor" '
            f'font-size="11">{escape(_with_unit(tick, unit if unit == "%" else ""))}</text>'
        )
    return "".join(out)


def _x_labels(labels: list[str], xs: list[float], y: float, slot: float) -> str:
    chars = max(int(slot / 6.5), 3)
    every = max(1, math.ceil(len(labels) / max(int(WIDTH / 48), 1)))
    out = []
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if i % every and i != len(labels) - 1:
            continue
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="currentColor" font-size="11">'
            f"{escape(_short(label, chars * every))}</text>"
        )
    return "".join(out)


def _vertical_bars(chart_id, title, desc, clean, unit, positive, negative, values) -> str:
    height, left, right, top, bottom = 260, 64, 12, 12, 40
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    plot_h = height - top - bottom

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    slot = (WIDTH - left - right) / len(clean)
    parts = [_svg_open(chart_id, title, desc, height), _y_axis(ticks, y, left, WIDTH - right, unit)]
    centres = []
    for i, (label, v) in enumerate(clean):
        cx = left + slot * (i + 0.5)
        centres.append(cx)
        top_y, bottom_y = sorted((y(0.0), y(v)))
        colour = negative if v < 0 else positive
        w = max(slot * 0.7, 1.0)
        parts.append(
            f'<g class="satudata-bar"><title>{escape(label)}: {escape(_with_unit(v, unit))}</title>'
            f'<rect x="{cx - w / 2:.1f}" y="{top_y:.1f}" width="{w:.1f}" '
            f'height="{max(bottom_y - top_y, 0):.1f}" fill="{colour}" rx="2"></rect></g>'
        )
    parts.append(_x_labels([label for label, _ in clean], centres, height - bottom + 16, slot))
    parts.append("</svg>")
    return "".join(parts)


def _sort_key(x: str | int | float) -> tuple[int, float, str]:
    number = _clean(x)
    return (0, number, "") if number is not None else (1, 0.0, str(x))


def line_chart(
    series: dict[str, Sequence[tuple[str | int, float]]],
    *,
    title: str,
    unit: str = "",
    max_series: int = 8,
    colors: Sequence[str] | None = None,
    chart_id: str | None = None,
) -> Markup:
    """A line chart: one line per entry of ``series`` (name -> ``(x, value)`` points) over the
    shared, sorted x axis (numbers such as years sort numerically, other labels as text). A
    missing point breaks the line; a lone point is drawn as a dot.

    :param series: name -> points; values that are not finite numbers count as missing.
    :param title: the caption, also the SVG's ``<title>`` and ``aria-label``.
    :param unit: appended to every value shown.
    :param max_series: the first ``max_series`` series are drawn.
    :param colors: line colours; default: the branding palette.
    :param chart_id: the ``id`` of the figure (default: derived from the content).
    """
    lines: dict[str, dict[str, float]] = {}
    xs: dict[str, str | int | float] = {}
    for name, points in list(series.items())[: max(max_series, 0)]:
        clean = {}
        for x, value in points:
            v = _clean(value)
            if v is not None:
                clean[str(x)] = v
                xs.setdefault(str(x), x)
        if clean:
            lines[str(name)] = clean
    if not lines:
        return _empty(title)
    axis = sorted(xs, key=lambda k: _sort_key(xs[k]))
    palette = _palette(colors)
    chart_id = chart_id or _chart_id("line", title, unit, lines)
    values = [v for line in lines.values() for v in line.values()]
    desc = "; ".join(
        f"{name}: " + ", ".join(f"{x} {_with_unit(line[x], unit)}" for x in axis if x in line)
        for name, line in lines.items()
    )
    table = _table(
        [language.gettext("Period"), *lines],
        [
            [x, *(_with_unit(line[x], unit) if x in line else "\u2013" for line in lines.values())]
            for x in axis
        ],
    )

    legend_rows = math.ceil(len(lines) / 3)
    plot_bottom = 36
    height = 12 + 220 + plot_bottom + legend_rows * 20
    left, right, top = 72, 16, 12
    plot_h = 220
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    slot = (WIDTH - left - right) / max(len(axis), 1)
    xpos = {x: left + slot * (i + 0.5) for i, x in enumerate(axis)}
    parts = [_svg_open(chart_id, title, desc, height), _y_axis(ticks, y, left, WIDTH - right, unit)]
    parts.append(_x_labels(axis, [xpos[x] for x in axis], top + plot_h + 18, slot))
    for i, (name, line) in enumerate(lines.items()):
        colour = palette[i % len(palette)]
        segments: list[list[str]] = [[]]
        for x in axis:
            if x in line:
                segments[-1].append(f"{xpos[x]:.1f},{y(line[x]):.1f}")
            elif segments[-1]:
                segments.append([])
        parts.append(f'<g class="satudata-line" data-series="{escape(name)}">')
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5" stroke-linejoin="round"></polyline>'
                )
        for x in axis:
            if x in line:
                parts.append(
                    f'<circle cx="{xpos[x]:.1f}" cy="{y(line[x]):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(name)}, {escape(x)}: {escape(_with_unit(line[x], unit))}</title>"
                    f"</circle>"
                )
        parts.append("</g>")
        lx = left + (i % 3) * ((WIDTH - left) / 3)
        ly = top + plot_h + plot_bottom + (i // 3) * 20
        parts.append(
            f'<g class="satudata-legend"><rect x="{lx:.1f}" y="{ly:.1f}" width="12" height="12" '
            f'fill="{colour}" rx="2"></rect><text x="{lx + 18:.1f}" y="{ly + 10:.1f}" '
            f'fill="currentColor">{escape(_short(name, 26))}</text></g>'
        )
    parts.append("</svg>")
    return _figure(chart_id, title, "".join(parts), table, "satudata-line-chart")
