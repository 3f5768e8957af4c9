"""A unit's Google Sheet as fetched: the JSON kept as its snapshot, and the workbook over it.

The payload (`Payload.kind == "gsheet-json"`) is our own compact JSON, not a raw API response:
only the tab the unit works in is kept (a snapshot is stored for every unit, every change), and
both ways of reading end in the same shape:

```
{"format": "sangkien-gsheet/1", "spreadsheet_id": "…", "title": "…",
 "read": "values" | "grid",               # values:batchGet, or spreadsheets.get with grid data
 "tabs": [{"title": "Sáng kiến", "hidden": false}, …],   # every tab (grid) or the one read
 "tab": "Sáng kiến", "tab_by": "name" | "first_visible" | "named",   # named: `gsheet:<id>#<tab>`
 "values": [[…], …],                       # UNFORMATTED_VALUE semantics: numbers, text, bools
 "dates": [[row, col, "DATE" | "DATE_TIME"], …]}          # grid reads: cells formatted as dates
```

Cells are what `UNFORMATTED_VALUE` + `SERIAL_NUMBER` give: a date is a serial number (days since
1899-12-30), which `sync.parse` reads in the date column. Where typed grid data says a cell *is* a
date (its number format is DATE/DATE_TIME), `read()` returns a `datetime.date`/`datetime` like the
`.xlsx` reader does. Spreadsheet errors are their text (`#REF!`): `UNFORMATTED_VALUE` already
answers so, and grid `errorValue`s are converted to the same text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from typing import Any

from sync.backends.base import Grid, TabInfo
from sync.errors import SourceError
from sync.sheet import choose_tab

FORMAT = "sangkien-gsheet/1"
SERIAL_EPOCH = dt.datetime(1899, 12, 30)

# errorValue.type → the text a spreadsheet shows (and UNFORMATTED_VALUE answers).
ERROR_TEXT = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "#GETTING_DATA",
}
DATE_TYPES = ("DATE", "DATE_TIME")


def cell_from_extended(value: dict[str, Any] | None) -> Any:
    """An `ExtendedValue` (grid data's effectiveValue) as UNFORMATTED_VALUE would give it."""
    if not value:
        return ""
    if "stringValue" in value:
        return value["stringValue"]
    if "numberValue" in value:
        return value["numberValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "errorValue" in value:
        return ERROR_TEXT.get(str(value["errorValue"].get("type", "ERROR")), "#ERROR!")
    return ""


def _trim(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and row[end - 1] in ("", None):
        end -= 1
    return row[:end]


def grid_to_values(data_blocks: Iterable[dict[str, Any]]) -> tuple[Grid, list[list[Any]]]:
    """`sheets[].data[]` of one tab → (rows of cells from A1, date cells)."""
    rows: dict[int, list[Any]] = {}
    dates: list[list[Any]] = []
    for block in data_blocks:
        r0 = int(block.get("startRow", 0))
        c0 = int(block.get("startColumn", 0))
        for i, row in enumerate(block.get("rowData") or []):
            cells = row.get("values") or []
            if not cells:
                continue
            r = r0 + i
            line = rows.setdefault(r, [])
            for j, cell in enumerate(cells):
                c = c0 + j
                value = cell_from_extended(cell.get("effectiveValue"))
                if value == "" and not cell.get("effectiveValue"):
                    continue
                while len(line) <= c:
                    line.append("")
                line[c] = value
                kind = (((cell.get("effectiveFormat") or {}).get("numberFormat") or {})
                        .get("type"))
                if kind in DATE_TYPES and isinstance(value, int | float) and not isinstance(
                        value, bool):
                    dates.append([r, c, kind])
    if not rows:
        return [], dates
    last = max(rows)
    return [_trim(rows.get(r, [])) for r in range(last + 1)], dates


def encode(spreadsheet_id: str, title: str, read: str, tabs: list[dict[str, Any]], tab: str,
           tab_by: str, values: Grid, dates: list[list[Any]] | None = None) -> bytes:
    doc = {"format": FORMAT, "spreadsheet_id": spreadsheet_id, "title": title, "read": read,
           "tabs": tabs, "tab": tab, "tab_by": tab_by, "values": values, "dates": dates or []}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def from_values_response(spreadsheet_id: str, tab: str, value_range: dict[str, Any]) -> bytes:
    """A `values:batchGet` of the unit's tab (known by name) → payload bytes."""
    values = [list(r) for r in value_range.get("values", [])]
    return encode(spreadsheet_id, "", "values", [{"title": tab, "hidden": False}], tab, "name",
                  values)


def from_grid_response(body: dict[str, Any], gid: int | None = None,
                       tab: str | None = None) -> tuple[bytes, str, str]:
    """A `spreadsheets.get` with grid data of every tab → (payload, chosen tab, how chosen).

    The unit's tab is chosen exactly as for every source (`sync.sheet.choose_tab`), unless the
    locator named a tab (`#<tab>`, or `#gid=N` for the registry); then only that tab is listed."""
    sheets = body.get("sheets") or []
    tabs = [{"title": str(s["properties"]["title"]),
             "hidden": bool(s["properties"].get("hidden", False))} for s in sheets]
    if tab is not None or gid is not None:
        chosen = next((s for s in sheets if (tab is not None and s["properties"]["title"] == tab)
                       or (gid is not None and s["properties"].get("sheetId") == gid)), None)
        if chosen is None:
            raise SourceError("source_unreachable",
                              f"bảng tính không có tab «{tab if tab is not None else gid}»")
        how = "named"
        tabs = [{"title": str(chosen["properties"]["title"]), "hidden": False}]
    else:
        title = choose_tab(_TabList(tabs))
        chosen = next(s for s in sheets if s["properties"]["title"] == title)
        how = "name" if title == _unit_tab_match(tabs) else "first_visible"
    name = str(chosen["properties"]["title"])
    values, dates = grid_to_values(chosen.get("data") or [])
    title_text = str((body.get("properties") or {}).get("title", ""))
    payload = encode(str(body.get("spreadsheetId", "")), title_text, "grid", tabs, name, how,
                     values, dates)
    return payload, name, how


class _TabList:
    def __init__(self, tabs: list[dict[str, Any]]) -> None:
        self._tabs = [TabInfo(t["title"], t["hidden"]) for t in tabs]

    def tabs(self) -> list[TabInfo]:
        return self._tabs

    def read(self, tab: str) -> Grid:  # pragma: no cover - never called
        return []


def _unit_tab_match(tabs: list[dict[str, Any]]) -> str | None:
    """The tab `choose_tab` picks *by name* (`Sáng kiến` in any spelling), if any."""
    from sync import catalog
    from sync.headers import header_key

    want = header_key(catalog.UNIT_TAB)
    return next((t["title"] for t in tabs if header_key(t["title"]) == want), None)


def serial_to_datetime(number: float, kind: str) -> dt.date | dt.datetime | float:
    if not math.isfinite(number) or not -700_000 < number < 3_000_000:
        return number
    moment = SERIAL_EPOCH + dt.timedelta(days=number)
    if kind == "DATE" or moment.time() == dt.time(0):
        return moment.date()
    return moment.replace(microsecond=0)


class GoogleValuesWorkbook:
    """`SourceWorkbook` over a stored `gsheet-json` payload."""

    def __init__(self, data: bytes, name: str = "") -> None:
        self.name = name
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SourceError("source_unreachable",
                              f"dữ liệu đã lưu của bảng tính {name} bị hỏng") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise SourceError("source_unreachable",
                              f"dữ liệu đã lưu của bảng tính {name} có định dạng lạ")
        self.doc = doc
        self.tab: str = str(doc.get("tab", ""))

    def tabs(self) -> list[TabInfo]:
        return [TabInfo(str(t["title"]), bool(t.get("hidden", False)))
                for t in self.doc.get("tabs", [])]

    def read(self, tab: str) -> Grid:
        if tab != self.tab:
            return []  # only the unit's tab is kept; other tabs were never needed
        values: Grid = [list(r) for r in self.doc.get("values", [])]
        for r, c, kind in self.doc.get("dates", []):
            if r < len(values) and c < len(values[r]):
                cell = values[r][c]
                if isinstance(cell, int | float) and not isinstance(cell, bool):
                    values[r][c] = serial_to_datetime(float(cell), kind)
        return values
