"""A1 notation as the Sheets API reads and echoes it.

Ranges arrive as `Sheet1!A1:C3`, `'Sáng kiến'!A:Z`, `A1` (first visible sheet), `Sheet1` (whole
sheet), open ranges (`A2:Z`, `A:A`, `1:3`) and quoted titles with `''` escapes. The API echoes
ranges back with the title quoted only when needed and clamped to the grid, so the testbench must
do the same for clients that compare `range`/`updatedRange` strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ENDPOINT = re.compile(r"^\$?([A-Za-z]{0,3})\$?(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^(?:[A-Za-z]{1,3}\d+|R\d*C\d*)$", re.IGNORECASE)


class RangeSyntaxError(ValueError):
    """The text is not A1 notation; the API answers `Unable to parse range: …`."""


@dataclass(frozen=True)
class CellRange:
    """Zero-based, end-exclusive bounds; `None` means open (to the grid edge)."""

    start_row: int | None
    end_row: int | None
    start_col: int | None
    end_col: int | None
    single: bool = False  # written as one cell (`A1`), echoed as one cell


def col_to_index(letters: str) -> int:
    """`A` → 0, `Z` → 25, `AA` → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def index_to_col(index: int) -> str:
    """0 → `A`, 26 → `AA`."""
    out = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def quote_title(title: str) -> str:
    """Quote a sheet title the way the API does in echoed ranges: only when it is not a plain
    ASCII identifier or when it could be read as a cell reference (`D3`, `R1C1`)."""
    if _PLAIN_TITLE.match(title) and not _CELL_LIKE.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str | None, str | None]:
    """Split `title!cells` → (title, cells). A bare string without `!` comes back as
    (None, text): the caller decides whether it names a sheet or is a cell range."""
    text = text.strip()
    if text.startswith("'"):
        i = 1
        title_chars: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    title_chars.append("'")
                    i += 2
                    continue
                break
            title_chars.append(ch)
            i += 1
        else:
            raise RangeSyntaxError(text)
        rest = text[i + 1 :]
        title = "".join(title_chars)
        if not rest:
            return title, None
        if not rest.startswith("!"):
            raise RangeSyntaxError(text)
        return title, rest[1:] or None
    if "!" in text:
        title, cells = text.rsplit("!", 1)
        return title, cells or None
    return None, text


def parse_cells(cells: str) -> CellRange:
    """Parse the cell part (`A1`, `A1:C3`, `A:C`, `A2:Z`, `1:3`)."""
    parts = cells.split(":")
    if len(parts) > 2 or not all(parts):
        raise RangeSyntaxError(cells)
    ends = []
    for part in parts:
        m = _ENDPOINT.match(part.strip())
        if not m or not (m.group(1) or m.group(2)):
            raise RangeSyntaxError(cells)
        col = col_to_index(m.group(1)) if m.group(1) else None
        row = int(m.group(2)) - 1 if m.group(2) else None
        if row is not None and row < 0:
            raise RangeSyntaxError(cells)
        ends.append((row, col))
    if len(ends) == 1:
        row, col = ends[0]
        if row is None or col is None:
            raise RangeSyntaxError(cells)
        return CellRange(row, row + 1, col, col + 1, single=True)
    (r1, c1), (r2, c2) = ends
    # Reversed corners are normalised (`B2:A1` is `A1:B2`).
    if r1 is not None and r2 is not None and r1 > r2:
        r1, r2 = r2, r1
    if c1 is not None and c2 is not None and c1 > c2:
        c1, c2 = c2, c1
    return CellRange(
        start_row=r1,
        end_row=None if r2 is None else r2 + 1,
        start_col=c1,
        end_col=None if c2 is None else c2 + 1,
    )


def looks_like_cells(text: str) -> bool:
    try:
        parse_cells(text)
    except RangeSyntaxError:
        return False
    return True


def format_range(title: str, r0: int, c0: int, r1: int, c1: int) -> str:
    """Echo a concrete, end-exclusive grid rectangle as `Title!A1:C3` (or `Title!A1`)."""
    start = f"{index_to_col(c0)}{r0 + 1}"
    if r1 - r0 <= 1 and c1 - c0 <= 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{index_to_col(c1 - 1)}{r1}"
