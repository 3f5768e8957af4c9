"""From a unit's workbook to a raw table: the tab, the header row, the known columns (SPEC §4).

The tab is `Sáng kiến` (compared like headers), else the first visible tab. The header row is the
first row with at least two known headers; title rows above it are fine. Headers are matched through
the one alias table of `catalog.FIELDS`, ignoring case, spacing, diacritics, `y`/`i` spellings
(`kỹ`/`kĩ`), numbering (`1. Tên sáng kiến`), text in parentheses (`(*)`, `(đồng/năm)`) and legacy
encodings — a header row typed in TCVN3 or VNI is decided as one row (`headers.header_row_keys`), so
short headers such as `Lo¹i` follow their neighbours. Columns outside the template are ignored and
listed once per source (`unknown_column`); row counters (`STT`) are ignored silently. Blank rows
are dropped wherever they are, and so is a row of column numbers right under the header (`(1)`,
`(2)` …, common in official forms); every kept row carries its number as a person sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sync import catalog, legacy
from sync.backends.base import Grid, SourceWorkbook
from sync.errors import SourceError
from sync.headers import header_key, header_row_keys
from sync.text import clean_text

# How far down a header row may be (title rows, logos, notes above the table).
HEADER_SEARCH_ROWS = 30
# Marks a second column for a field already found, in the list of ignored columns.
DUPLICATE_MARK = " (trùng cột)"

# `kỹ`/`kĩ`, `lý`/`lí`: both spellings are correct; keys use `i`.
_I_Y = re.compile(r"\b(k|l|m|s|t|h|v|d|n|b|ph|th|ch|tr|qu)y\b")
_NUMBERING = re.compile(r"^(?:\d{1,2}|[ivx]{1,4}|[a-e])\s+(?=\w\w)")


def _match_key(key: str) -> str:
    """A `header_key` made comparable across spellings and numbering."""
    return _I_Y.sub(r"\1i", _NUMBERING.sub("", key))


_ALIASES: dict[str, str] = {}
for _field in catalog.FIELDS:
    for _name in (_field.header, *_field.aliases):
        _ALIASES.setdefault(_match_key(header_key(_name)), _field.key)
_TEMPLATE_KEYS = {_match_key(header_key(f.header)): f.key for f in catalog.FIELDS}
_KNOWN_HEADER_KEYS = frozenset(header_key(n) for f in catalog.FIELDS for n in (f.header, *f.aliases))
_IGNORED = {_match_key(header_key(h)) for h in catalog.IGNORED_HEADERS}
_UNIT_TAB_KEY = header_key(catalog.UNIT_TAB)
_COLUMN_NUMBER = re.compile(r"^[(\[]?\s*(?:\d{1,2}|[A-Z])\s*[)\]]?\.?$")


@dataclass(slots=True)
class UnitSheet:
    """The unit's rows before validation.

    `frame` has a `row` column (sheet row number) and one object column per known field found, with
    the cells as read. `headers` maps a field key to the header text as the unit wrote it (decoded
    to Unicode when it was typed in a legacy encoding), so that findings name the column the unit
    sees. `ignored_columns` lists the headers outside the template, once each."""

    tab: str
    frame: pd.DataFrame
    headers: dict[str, str]
    ignored_columns: list[str] = field(default_factory=list)
    header_row: int = 0  # as a person sees it (1-based)
    header_encoding: str | None = None  # "tcvn3" / "vni" when the header row was legacy text
    hidden_rows: list[int] = field(default_factory=list)  # data rows hidden in the unit's file


def choose_tab(workbook: SourceWorkbook) -> str:
    tabs = workbook.tabs()
    if not tabs:
        raise SourceError("empty_source", "bảng tính không có tab nào")
    for tab in tabs:
        if header_key(tab.name) == _UNIT_TAB_KEY:
            return tab.name
    visible = [t for t in tabs if not t.hidden]
    return (visible or tabs)[0].name


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    return value if isinstance(value, str) else str(value)


def _row_keys(texts: list[str]) -> list[str]:
    """Header keys of one row; a row with legacy text is decided as a whole."""
    if any(not t.isascii() and legacy.detect(t) is not None for t in texts):
        return header_row_keys(texts, _KNOWN_HEADER_KEYS)
    return [header_key(t) if t else "" for t in texts]


def find_header(grid: Grid) -> tuple[int, dict[str, int], list[str]]:
    """(row index, field key → column index, ignored header texts); row index -1 if none.

    A field named twice keeps the column whose header is the template's (else the first); the
    other is listed with the ignored ones."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        texts = [_cell_text(c).strip() for c in cells]
        if sum(1 for t in texts if t) < catalog.MIN_HEADERS_FOR_ROW:
            continue
        keys = [_match_key(k) for k in _row_keys(texts)]
        mapping: dict[str, int] = {}
        unknown: list[str] = []
        for col, (text, key) in enumerate(zip(texts, keys, strict=True)):
            if not text:
                continue
            fld = _ALIASES.get(key)
            if fld is None:
                if key and key not in _IGNORED:
                    unknown.append(_display_header(text))
                continue
            if fld in mapping:
                previous = mapping[fld]
                if _TEMPLATE_KEYS.get(key) == fld and _TEMPLATE_KEYS.get(keys[previous]) != fld:
                    unknown.append(_display_header(texts[previous]) + DUPLICATE_MARK)
                    mapping[fld] = col
                else:
                    unknown.append(_display_header(text) + DUPLICATE_MARK)
                continue
            mapping[fld] = col
        if len(mapping) >= catalog.MIN_HEADERS_FOR_ROW:
            return index, mapping, list(dict.fromkeys(unknown))
    return -1, {}, []


def _display_header(text: str) -> str:
    """A header as a person reads it: legacy text decoded, spaces and line breaks tidied."""
    encoding = legacy.detect(text)
    if encoding is not None:
        text = legacy.decode(text, encoding)
    return " ".join(clean_text(text).split())


def extract(workbook: SourceWorkbook) -> UnitSheet:
    """Locate the unit's table; a source-level problem raises `SourceError` with its SPEC code."""
    tab = choose_tab(workbook)
    grid = workbook.read(tab)
    header_row, mapping, unknown = find_header(grid)
    if header_row < 0:
        if not any(any(_cell_text(c).strip() for c in row) for row in grid):
            raise SourceError("empty_source", "tab trống", tab=tab)
        raise SourceError("header_not_found", f"không tìm thấy dòng tiêu đề trong tab «{tab}»",
                          tab=tab)
    header_cells = grid[header_row]
    header_texts = [_cell_text(c).strip() for c in header_cells]
    encoding = _row_encoding([header_texts[col] for col in mapping.values()])
    headers = {key: _header_as_read(header_texts[col], encoding) for key, col in mapping.items()}
    missing = [catalog.FIELD_BY_KEY[k].header for k in catalog.REQUIRED_KEYS if k not in mapping]
    if missing:
        raise SourceError(
            "missing_column", f"tab «{tab}» thiếu cột bắt buộc {', '.join(missing)}",
            tab=tab, column=", ".join(missing),
        )

    body = grid[header_row + 1:]
    keys = list(mapping)
    frame = _body_frame(body, mapping, header_row + 2)
    frame = _drop_header_continuation(frame, {k: header_texts[c] for k, c in mapping.items()})
    frame = _drop_column_numbers(frame, keys)
    if frame.empty:
        raise SourceError("empty_source", "chưa có dòng sáng kiến nào dưới dòng tiêu đề", tab=tab)
    hidden_in_file = getattr(workbook, "hidden_rows", None)
    hidden = sorted(set(hidden_in_file(tab)) & set(frame["row"].tolist())) if hidden_in_file \
        else []
    return UnitSheet(tab=tab, frame=frame.reset_index(drop=True), headers=headers,
                     ignored_columns=unknown, header_row=header_row + 1,
                     header_encoding=encoding, hidden_rows=hidden)


def _drop_header_continuation(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """A two-level header (cells merged down over two rows, sub-headings below a merged group):
    the row right under the header repeats a heading in a column, so it is header, not data."""
    if frame.empty:
        return frame
    first = frame.iloc[0]
    repeats = sum(1 for key, text in headers.items()
                  if isinstance(first[key], str) and text and first[key].strip() == text)
    return frame.iloc[1:] if repeats >= catalog.MIN_HEADERS_FOR_ROW else frame


def _row_encoding(texts: list[str]) -> str | None:
    """The legacy encoding a header row was typed in, if any (the majority of its cells)."""
    votes: dict[str, int] = {}
    for text in texts:
        encoding = legacy.detect(text)
        if encoding is not None:
            votes[encoding] = votes.get(encoding, 0) + 1
    return max(votes, key=lambda e: votes[e]) if votes else None


def _header_as_read(text: str, encoding: str | None) -> str:
    if encoding is not None and legacy.detect(text) in (encoding, None) and not text.isascii():
        decoded = legacy.decode(text, encoding)
        if legacy.detect(decoded) is None:
            text = decoded
    return " ".join(clean_text(text).split())


def _body_frame(body: Grid, mapping: dict[str, int], first_row: int) -> pd.DataFrame:
    """The known columns of the rows under the header, cells cleaned, rows with
    nothing in any known column dropped; `row` is each row's number as a person sees it."""
    width = min((len(r) for r in body), default=0)
    columns: dict[str, list[object]] = {}
    for key, col in mapping.items():
        # A rectangular grid (calamine's) needs no bounds check per cell.
        raw = [r[col] for r in body] if col < width else \
            [r[col] if col < len(r) else None for r in body]
        # Text stripped, empty text and NaN as None (this runs for every cell of every unit).
        columns[key] = [(v.strip() or None) if v.__class__ is str
                        else (None if v is None or v != v else v) for v in raw]
    filled = np.zeros(len(body), dtype=bool)
    arrays = {}
    for key, values in columns.items():
        array = np.empty(len(values), dtype=object)
        array[:] = values
        arrays[key] = array
        filled |= array != None  # noqa: E711 - elementwise comparison with None
    keep = np.flatnonzero(filled)
    frame = pd.DataFrame({k: pd.Series(a[keep], dtype=object) for k, a in arrays.items()},
                         columns=list(mapping))
    frame.insert(0, "row", (keep + first_row).astype(np.int64))
    return frame


def _drop_column_numbers(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The first data row when it only numbers the columns: `(1) (2) (3) …` or `1 2 3 …`."""
    if frame.empty:
        return frame
    first = frame.iloc[0]
    cells = [first[k] for k in keys if first[k] is not None]
    if len(cells) < 3:
        return frame
    numbers = []
    for cell in cells:
        text = _cell_text(cell).strip()
        if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
            numbers.append(int(cell))
        elif _COLUMN_NUMBER.match(text):
            digits = re.sub(r"\D", "", text)
            numbers.append(int(digits) if digits else -1)
        else:
            return frame
    ordered = [n for n in numbers if n >= 0]
    if ordered and ordered != sorted(ordered):
        return frame
    return frame.iloc[1:]
