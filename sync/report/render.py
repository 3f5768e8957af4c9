"""Digest contexts → subject, HTML (CSS inlined) and plain text, within a size budget.

- jinja2 with autoescape on for `.html` templates (unit text is always escaped; no template marks
  unit text safe) and `StrictUndefined` (a misspelt name fails loudly instead of printing nothing).
- `digest.css` is inlined into `style=""` attributes by css-inline: Gmail and Outlook drop or
  mangle `<style>` blocks.
- Gmail clips an HTML body over ~102 KB, hiding the end of the digest. When a rendering is over
  `budget` bytes, every long list is halved and the message rendered again (down to a floor of 3
  items each); the lists then end with "và N mục khác" and a link. The text part uses the same
  limits, so both parts say the same thing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import css_inline
import jinja2

from sync import catalog, fmt
from sync.report.context import LeadersDigest, Section, UnitFeedback

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
HTML_BUDGET = 100_000  # bytes of HTML; Gmail clips at about 102 KB
MIN_ITEMS = 3
MAX_SHRINKS = 8
BAR_COLORS = {"met": "#2e7d32", "near": "#f9a825", "far": "#c62828", "rest": "#e3e6ea"}

Digest = LeadersDigest | UnitFeedback
# ` class="…"` inside a start tag; `[^<>]` keeps the match within one tag, so text is never touched
_CLASS = re.compile(r'(<[a-zA-Z][^<>]*?)\s+class="[^"<>]*"')


@dataclass(frozen=True, slots=True)
class InlineImage:
    """An image referenced from the HTML as `cid:<cid>` (sent in `multipart/related`)."""

    cid: str
    data: bytes
    subtype: str = "png"


@dataclass(slots=True)
class Rendered:
    kind: str  # "leaders" | "unit"
    subject: str
    html: str
    text: str
    images: list[InlineImage] = field(default_factory=list)
    truncated: bool = False

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


def _datetime(value: dt.datetime | None) -> str:
    return fmt.datetime(value)


def make_environment(templates: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False,
                                            default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({
        "number": fmt.number, "money": fmt.money, "percent": fmt.percent, "date": fmt.date,
        "datetime": _datetime, "signed": fmt.signed, "pp": fmt.percent_points,
    })
    env.globals.update({"colors": BAR_COLORS, "notable_min": catalog.NOTABLE_MIN_BENEFIT_VND})
    return env


class Renderer:
    """Renders digests; build once and reuse (templates and CSS are parsed once)."""

    def __init__(self, templates: Path = TEMPLATES_DIR, budget: int = HTML_BUDGET) -> None:
        self.env = make_environment(templates)
        self.budget = budget
        css = (templates / "digest.css").read_text(encoding="utf-8")
        self.inliner = css_inline.CSSInliner(
            keep_style_tags=False, keep_link_tags=False, load_remote_stylesheets=False,
            extra_css=css, minify_css=True)
        self._templates = {kind: (self.env.get_template(f"{kind}.html"),
                                  self.env.get_template(f"{kind}.txt"))
                           for kind in ("leaders", "unit")}

    def render(self, digest: Digest, chart_png: bytes | None = None) -> Rendered:
        images: list[InlineImage] = []
        if isinstance(digest, LeadersDigest) and chart_png:
            digest.chart_cid = f"trend.{digest.period.slug}@sangkien-sync"
            images.append(InlineImage(digest.chart_cid, chart_png))
        html_template, text_template = self._templates[digest.kind]
        truncated = False
        for _ in range(MAX_SHRINKS):
            html = self.inline(html_template.render(d=digest))
            if len(html.encode("utf-8")) <= self.budget or not shrink(digest.sections):
                break
            truncated = True
        text = tidy_text(text_template.render(d=digest))
        truncated = truncated or any(s.more for s in digest.sections)
        return Rendered(digest.kind, digest.subject, html, text, images, truncated)

    def inline(self, html: str) -> str:
        """CSS into `style=""`, then the `class` attributes dropped (they did their job; every
        byte counts under Gmail's clipping limit)."""
        return _CLASS.sub(r"\1", self.inliner.inline(html))


def shrink(sections: list[Section[Any]]) -> bool:
    """Halve every list still longer than the floor; False when nothing can shrink any more."""
    changed = False
    for section in sections:
        shown = min(section.limit, section.total)
        if shown > MIN_ITEMS:
            section.limit = max(MIN_ITEMS, shown // 2)
            changed = True
    return changed


def tidy_text(text: str) -> str:
    """At most one blank line in a row, no trailing spaces: templates stay readable, mail too."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"
