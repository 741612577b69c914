"""Geometry of the page's two SVG charts, drawn by templates/reports/_daily_chart.html
and _heatmap.html (no script: the CSP allows none inline). Sizes are viewBox units; the
SVG scales to its box, so the charts work at 390 px too. Every coordinate is a string
with a dot: the template would print a float in the page's locale ("12,5" in Russian)."""

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe

DAILY_WIDTH, DAILY_HEIGHT, DAILY_TOP, DAILY_BOTTOM = 900, 260, 24, 222
CELL, LEFT, TOP = 26, 50, 24


def n(value) -> str:
    return f"{value:.1f}".removesuffix(".0")


def daily_chart(days) -> dict:
    """Bars of dialogs started per day and a line of their median first response."""
    count = max(len(days), 1)
    step = DAILY_WIDTH / count
    top_count = max([d["started"] for d in days] + [1])
    times = [d["first_response_median"] for d in days if d["first_response_median"] is not None]
    top_time = max(times + [1])
    plot = DAILY_BOTTOM - DAILY_TOP
    bars, points = [], []
    label_every = max(1, round(count / 8))
    # The locale's short date without its year: "d.m" in Russian, "m/d" in English.
    day_format = formats.get_format("SHORT_DATE_FORMAT").replace("Y", "").strip("./- ")
    for index, day in enumerate(days):
        height = plot * day["started"] / top_count
        x = index * step
        bars.append(
            {
                "x": n(x + step * 0.15),
                "y": n(DAILY_BOTTOM - height),
                "width": n(step * 0.7),
                "height": n(height),
                "day": day,
                "label_x": n(x + step / 2),
                "label": formats.date_format(day["day"], day_format)
                if index % label_every == 0
                else "",
            }
        )
        if day["first_response_median"] is not None:
            y = DAILY_BOTTOM - plot * day["first_response_median"] / top_time
            points.append(f"{n(x + step / 2)},{n(y)}")
    return {
        "bars": bars,
        "points": " ".join(points),
        "width": DAILY_WIDTH,
        "height": DAILY_HEIGHT,
        "bottom": DAILY_BOTTOM,
        "label_y": DAILY_HEIGHT - 12,
        "top_count": top_count,
        "top_time": top_time if times else None,
    }


def heatmap_chart(grid, names, short_names) -> dict:
    """A 7 x 24 grid; each cell's opacity is its share of the busiest cell."""
    top = max([max(row) for row in grid] + [1])
    rows = []
    for weekday, row in enumerate(grid):
        y = TOP + weekday * CELL
        cells = [
            {
                "x": LEFT + hour * CELL,
                "hour": hour,
                "count": value,
                "opacity": n(0.12 + 0.88 * value / top) if value else "",
            }
            for hour, value in enumerate(row)
        ]
        name = str(names[weekday])
        rows.append(
            {
                "y": y,
                "label_y": y + 17,
                "name": name,
                "short": short_names[weekday],
                "cells": cells,
                "svg": svg_cells(cells, y, name),
                "table": table_cells(cells),
            }
        )
    return {
        "rows": rows,
        "cell": CELL - 3,
        "width": LEFT + 24 * CELL,
        "height": TOP + 7 * CELL,
        "hours": [{"x": n(LEFT + h * CELL + (CELL - 3) / 2), "hour": h} for h in range(0, 24, 3)],
    }


def svg_cells(cells, y, name) -> str:
    """A heatmap row's 24 squares, each titled with its weekday, hour and count. Built
    here rather than in the template, the name escaped once and the rest numbers made
    here: 168 cells of template tags cost more than every figure of the page
    (docs/performance.md, "Reports page")."""
    name = escape(name)
    side = CELL - 3
    return mark_safe(  # noqa: S308 (numbers, and the name escaped above)
        "".join(
            f'<rect x="{cell["x"]}" y="{y}" width="{side}" height="{side}" rx="3" '
            + (
                f'class="r-cell" fill-opacity="{cell["opacity"]}">'
                if cell["count"]
                else 'class="r-cell r-cell-empty">'
            )
            + f"<title>{name} {cell['hour']:02d}:00 — {cell['count']}</title></rect>"
            for cell in cells
        )
    )


def table_cells(cells) -> str:
    """The same row's counts as table cells (numbers only)."""
    return mark_safe("".join(f'<td class="num">{cell["count"]}</td>' for cell in cells))  # noqa: S308
