"""The digests in a real browser: headless Chromium (Debian package `chromium`) renders the leaders'
digest and a unit's feedback at 600 px; the page must load without console errors and its bars
must be visible (pixel colours). The screenshots go to `docs/` for people to look at.

The data is the fixed `showcase()` sector (no clock, no randomness), so the screenshots only change
when the templates do.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from fixtures_report import showcase

from sync.report.chart import trend_png
from sync.report.context import leaders_digest, unit_feedbacks
from sync.report.message import outgoing, sender_address
from sync.report.period import period_containing
from sync.report.render import BAR_COLORS, Renderer
from sync.report.transports import html_preview

DOCS = Path(__file__).resolve().parents[1] / "docs"
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p),
                None)
PAGE_BACKGROUND = (0xF2, 0xF4, 0xF7)
WIDTH = 600

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed "
                       "(apt-get install chromium); the rendering check needs a real browser"),
]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def screenshot(html_file: Path, png: Path, profile: Path, height: int) -> str:
    """Chromium's screenshot of a page; returns its log (console messages included)."""
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--hide-scrollbars",
         "--force-color-profile=srgb", "--force-device-scale-factor=1",
         "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}",
         f"--window-size={WIDTH},{height}", f"--screenshot={png}", html_file.as_uri()],
        capture_output=True, text=True, timeout=90, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert png.is_file()
    return result.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines()
            if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line]


def count_colour(image, colour: tuple[int, int, int], tolerance: int = 6) -> int:  # type: ignore[no-untyped-def]
    counts = image.getcolors(maxcolors=image.width * image.height)
    return sum(n for n, c in counts
               if all(abs(a - b) <= tolerance for a, b in zip(c[:3], colour, strict=True)))


def crop_to_content(image):  # type: ignore[no-untyped-def]
    """Drop the empty page below the digest (the window is taller than the mail)."""
    pixels = image.load()
    bottom = image.height - 1
    while bottom > 0 and all(pixels[x, bottom][:3] == PAGE_BACKGROUND
                             for x in range(0, image.width, 7)):
        bottom -= 1
    return image.crop((0, 0, image.width, min(image.height, bottom + 24)))


def as_preview_file(rendered, folder: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """The message exactly as sent (MIME), then its HTML with the chart inlined, on disk."""
    [item] = outgoing(rendered, sender=sender_address("Ban Tuyên giáo <sk@congdoan.example>"),
                      recipients=["lanhdao@congdoan.example"], period_key="month:2026-11",
                      kind=name, now=dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC))
    html, _ = html_preview(item.raw)
    path = folder / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_digests_render_in_chromium_with_visible_bars(tmp_path: Path) -> None:
    from PIL import Image

    results, units, history, program = showcase()
    november = period_containing("month", dt.date(2026, 11, 1))
    today = dt.date(2026, 12, 1)
    renderer = Renderer()
    digest = leaders_digest(results, history, program, period=november, today=today,
                            units=units,
                            master_url="https://docs.google.com/spreadsheets/d/master/edit")
    leaders = renderer.render(digest, trend_png(digest.trend, 0.1, program.deadline))
    feedback = next(f for f in unit_feedbacks(results, units, program, period=november,
                                              today=today, write_back=True) if f.code == "XM2")
    unit = renderer.render(feedback)

    DOCS.mkdir(exist_ok=True)
    pages = {"leaders": (leaders, 4600, ("met", "far", "near")), "unit": (unit, 1400, ("near",))}
    for name, (rendered, height, tones) in pages.items():
        page = as_preview_file(rendered, tmp_path, name)
        png = tmp_path / f"{name}.png"
        log = screenshot(page, png, tmp_path / f"profile-{name}", height)
        assert console_errors(log) == [], console_errors(log)
        image = Image.open(png).convert("RGB")
        assert image.width == WIDTH
        for tone in tones:  # each kind of bar is drawn (solid fill of its colour)
            assert count_colour(image, rgb(BAR_COLORS[tone])) > 300, (name, tone)
        assert count_colour(image, rgb(BAR_COLORS["rest"])) > 300, name
        if name == "leaders":
            assert count_colour(image, (0x15, 0x65, 0xC0), tolerance=40) > 200  # the chart
        assert count_colour(image, (0x0D, 0x47, 0xA1)) > 5_000  # the header band
        crop_to_content(image).quantize(colors=128).save(DOCS / f"digest-{name}.png",
                                                         optimize=True)
