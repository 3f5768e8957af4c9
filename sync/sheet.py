"""From a unit's workbook to a raw table: the tab, the header row, the known columns (SPEC §4).

The tab is `Sáng kiến` (compared like headers), else the first visible tab. The header row is the
first row with at least two known headers; title rows above it are fine. Headers are matched through
the alias table of `catalog.FIELDS`, ignoring case, spacing, diacritics, legacy encodings and text in
parentheses. Blank rows are dropped; every kept row carries its number as a person sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from sync import catalog
from sync.backends.base import Grid, SourceWorkbook
from sync.errors import SourceError
from sync.text import header_key

# How far down a header row may be (title rows, logos, notes above the table).
HEADER_SEARCH_ROWS = 30

_ALIASES: dict[str, str] = {}
for _field in catalog.FIELDS:
    for _name in (_field.header, *_field.aliases):
        _ALIASES.setdefault(header_key(_name), _field.key)
_IGNORED = {header_key(h) for h in catalog.IGNORED_HEADERS}
_UNIT_TAB_KEY = header_key(catalog.UNIT_TAB)


@dataclass(slots=True)
class UnitSheet:
    """The unit's rows before validation.

    `frame` has a `row` column (sheet row number) and one object column per known field found, with
    the cells as read. `headers` maps a field key to the header text as the unit wrote it, so that
    findings name the column the unit sees."""

    tab: str
    frame: pd.DataFrame
    headers: dict[str, str]
    ignored_columns: list[str] = field(default_factory=list)


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
    return value if isinstance(value, str) else str(value)


def find_header(grid: Grid) -> tuple[int, dict[str, int], list[str]]:
    """(row index, field key → column index, ignored header texts); row index -1 if none."""
    for index, cells in enumerate(grid[:HEADER_SEARCH_ROWS]):
        mapping: dict[str, int] = {}
        unknown: list[str] = []
        for col, cell in enumerate(cells):
            text = _cell_text(cell).strip()
            if not text:
                continue
            key = header_key(text)
            fld = _ALIASES.get(key)
            if fld is None:
                if key not in _IGNORED:
                    unknown.append(text)
                continue
            if fld in mapping:
                # A second column for the same field: keep the one matching the template header.
                if key == header_key(catalog.FIELD_BY_KEY[fld].header) and header_key(
                    _cell_text(cells[mapping[fld]])
                ) != key:
                    unknown.append(_cell_text(cells[mapping[fld]]).strip())
                    mapping[fld] = col
                else:
                    unknown.append(text)
                continue
            mapping[fld] = col
        if len(mapping) >= catalog.MIN_HEADERS_FOR_ROW:
            return index, mapping, unknown
    return -1, {}, []


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
    headers = {key: _cell_text(header_cells[col]).strip() for key, col in mapping.items()}
    missing = [catalog.FIELD_BY_KEY[k].header for k in catalog.REQUIRED_KEYS if k not in mapping]
    if missing:
        raise SourceError(
            "missing_column", f"tab «{tab}» thiếu cột bắt buộc {', '.join(missing)}",
            tab=tab, column=", ".join(missing),
        )

    body = grid[header_row + 1:]
    keys = list(mapping)
    columns = {key: [r[mapping[key]] if mapping[key] < len(r) else None for r in body]
               for key in keys}
    frame = pd.DataFrame(columns, dtype=object)
    frame.insert(0, "row", range(header_row + 2, header_row + 2 + len(body)))
    frame = drop_blank_rows(frame, keys)
    if frame.empty:
        raise SourceError("empty_source", "chưa có dòng sáng kiến nào dưới dòng tiêu đề", tab=tab)
    return UnitSheet(tab=tab, frame=frame.reset_index(drop=True), headers=headers,
                     ignored_columns=unknown)


def drop_blank_rows(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Empty strings and whitespace become None; rows with nothing in any known column go."""
    for key in keys:
        column = frame[key]
        is_str = column.map(type).eq(str)
        if is_str.any():
            stripped = column[is_str].str.strip()
            column = column.where(~is_str, stripped)
            column = column.mask(is_str & stripped.reindex(column.index).eq(""), None)
        frame[key] = column.astype(object).where(column.notna(), None)
    blank = frame[keys].isna().all(axis=1)
    return frame.loc[~blank]
