"""The trend chart of the leaders' digest: the sector's participation rate over time (from the
`Lịch sử` history) against the target, as a small PNG embedded in the mail by Content-ID.

matplotlib's object API with the Agg canvas — no pyplot, so no global state and no display — and
no timestamp in the PNG metadata, so the same data gives the same bytes (tests compare them).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from sync import fmt

WIDTH_PX = 560  # as shown in the mail (the <img> width)
HEIGHT_PX = 220
DPI = 100
SCALE = 1.5  # pixels per CSS pixel in the PNG: sharp on high-density screens, still < 40 KB
LINE = "#1565c0"
TARGET = "#c62828"
GRID = "#e0e0e0"
TEXT = "#424242"
MIN_POINTS = 2
MAX_POINTS = 120


def thin(points: Sequence[tuple[dt.date, float]], most: int = MAX_POINTS
         ) -> list[tuple[dt.date, float]]:
    """At most `most` points: the last of each week, else of each month (years of daily runs
    would only add noise and bytes)."""
    result = list(points)
    for bucket in (lambda d: d.isocalendar()[:2], lambda d: (d.year, d.month)):
        if len(result) <= most:
            break
        last: dict[object, tuple[dt.date, float]] = {}
        for day, rate in result:
            last[bucket(day)] = (day, rate)
        result = list(last.values())
    return result


def trend_png(points: Sequence[tuple[dt.date, float]], target_rate: float,
              deadline: dt.date | None = None) -> bytes | None:
    """PNG bytes of the rate (0–1) per day, or None with fewer than two days of data (a single
    point tells a leader nothing about a trend)."""
    if len(points) < MIN_POINTS:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    points = thin(points)
    days = date2num([p[0] for p in points])
    rates = [p[1] * 100 for p in points]
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    axes.plot(days, rates, color=LINE, linewidth=2, marker="o" if len(days) <= 40 else None,
              markersize=3.5)
    axes.axhline(target_rate * 100, color=TARGET, linewidth=1.2, linestyle="--")
    top = max(max(rates), target_rate * 100) * 1.25
    axes.set_ylim(0, top if top > 0 else 1)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.number(round(v, 1)) + " %"))
    locator = AutoDateLocator(minticks=3, maxticks=6)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(DateFormatter("%d/%m/%Y"))
    gap = rates[-1] - target_rate * 100
    below = -0.12 * top < gap < 0  # just under the target line: write the value under the point
    axes.annotate(fmt.percent(points[-1][1]), (days[-1], rates[-1]), textcoords="offset points",
                  xytext=(0, -12 if below else 7), ha="center", fontsize=8, color=LINE)
    axes.grid(True, color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(GRID)
    axes.tick_params(labelsize=7.5, colors=TEXT)
    axes.set_title("Tỷ lệ đoàn viên tham gia toàn ngành", fontsize=9, color=TEXT, loc="left")
    axes.annotate(f"Chỉ tiêu {fmt.percent(target_rate, 0)}", (0.0, target_rate * 100),
                  xycoords=("axes fraction", "data"), textcoords="offset points", xytext=(4, 3),
                  ha="left", va="bottom", fontsize=7.5, color=TARGET)
    figure.tight_layout(pad=0.6)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI * SCALE, metadata={"Software": None})
    return buffer.getvalue()
