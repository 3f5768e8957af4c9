"""The master as a Google Sheet (`[master] target = "gsheet:<id>"`), written as one snapshot.

A write is four steps, and a reader sees either the old master or the new one, never a mix:

1. **Look** — one `spreadsheets.get` (tab properties and grid sizes).
2. **Stage** — one `batchUpdate`: delete staging tabs a crashed run left behind (titles start with
   `STAGING_PREFIX`), add one hidden staging tab per master tab with its exact grid size, frozen
   header, column widths, number formats, header style, filter and colour rules.
3. **Fill** — `values:batchUpdate` with `valueInputOption: RAW` (a unit's `=IMPORTXML(…)`,
   `+84…`, `-`, `@x` stay text; numbers and dates as numbers with the column's format), split so
   that no request body exceeds `CHUNK_BYTES` (Google recommends ≤ 2 MB). Bodies are sent as UTF-8
   JSON (requests' own `json=` would escape every Vietnamese letter to six bytes).
4. **Swap** — one `batchUpdate`, atomic: unhide the staging tabs, delete the old master tabs,
   rename the staging tabs and put them first in SPEC order. Tabs that are not the product's are
   left alone, after ours.

If step 2 or 3 fails the staging tabs are removed (best effort; otherwise the next run does it)
and the old master is untouched.

**Cell limit.** A spreadsheet holds at most 10,000,000 cells (`CELL_LIMIT`, injectable), and
while staging, old and new tabs coexist. The new master may therefore use at most half of what
the other tabs leave free (so the next run's staging copy fits beside it too), and never more
than what is free right now. When the tables do not fit, the largest tabs are cut to a common
cell budget (history and the run log keep their latest rows, the others their first rows), each
cut tab says so in a note row and in a note on its first header cell, and the full master is
written to a local `.xlsx` file (`detail_path`) with the same writer as the local master.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sync import catalog
from sync.backends import google_http as gh
from sync.backends.base import Table
from sync.backends.gsheets import formats
from sync.backends.gsheets.session import make_api, parse_locator, quote_tab
from sync.config import Config
from sync.errors import ConfigError, MasterWriteError, SangkienError, SourceError

CELL_LIMIT = 10_000_000
CHUNK_BYTES = 1_800_000
STAGING_PREFIX = "~đang ghi~ "
MAX_CELL_CHARS = 50_000  # Sheets' limit for the text of one cell
DETAIL_FILE = "tong-hop-day-du.xlsx"
# Tabs that keep their latest rows when cut (they grow by one block per run).
KEEP_TAIL = (catalog.TAB_HISTORY, catalog.TAB_LOG)
# Never cut: one row per unit (progress) or a short list by design (notable initiatives).
NEVER_CUT = (catalog.TAB_PROGRESS, catalog.TAB_NOTABLE)
SERIAL_EPOCH = dt.datetime(1899, 12, 30)
META_FIELDS = "sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,columnCount)))"


@dataclasses.dataclass(slots=True)
class Cut:
    name: str
    shown: int
    total: int


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def grid_shape(table: Table, rows: int | None = None) -> tuple[int, int]:
    """(rows, columns) of the tab written for `table`: header, data (at least one row, like the
    .xlsx master's filter range), the note row if any."""
    n = len(table.frame) if rows is None else rows
    return max(n, 1) + 1 + (1 if table.note else 0), len(table.columns)


def cells_of(table: Table, rows: int | None = None) -> int:
    r, c = grid_shape(table, rows)
    return r * c


def fit_tables(tables: Sequence[Table], budget: int, limit: int,
               detail: str) -> tuple[list[Table], list[Cut]]:
    """Cut the largest tables to a common per-table cell cap so that all fit in `budget`.
    `NEVER_CUT` tabs are kept whole; cut tabs gain a note row."""
    if sum(cells_of(t) for t in tables) <= budget:
        return list(tables), []
    cuttable = [t for t in tables if t.name not in NEVER_CUT]
    room = budget - sum(cells_of(t) for t in tables if t.name in NEVER_CUT)

    def rows_for(t: Table, cap: int) -> int:
        return min(len(t.frame), max(cap // len(t.columns) - 2, 0))

    def total_for(cap: int) -> int:
        out = 0
        for t in cuttable:
            rows = rows_for(t, cap)
            out += cells_of(dataclasses.replace(t, note=t.note or (
                "x" if rows < len(t.frame) else "")), rows)
        return out

    lo, hi = 0, max((cells_of(t) for t in cuttable), default=0)
    if not cuttable or total_for(lo) > room:
        raise MasterWriteError(
            f"Bảng tính tổng hợp không còn chỗ (giới hạn {_vn_int(limit)} ô của Google Sheets, "
            "kể cả các tab khác trong bảng tính). Xoá bớt tab không cần thiết rồi chạy lại.")
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if total_for(mid) <= room:
            lo = mid
        else:
            hi = mid - 1
    out: list[Table] = []
    cuts: list[Cut] = []
    for t in tables:
        rows = rows_for(t, lo) if t.name not in NEVER_CUT else len(t.frame)
        if rows >= len(t.frame):
            out.append(t)
            continue
        frame = t.frame.tail(rows) if t.name in KEEP_TAIL else t.frame.head(rows)
        which = "mới nhất" if t.name in KEEP_TAIL else "đầu tiên"
        note = (f"Chỉ hiện {_vn_int(rows)} dòng {which} trên tổng số {_vn_int(len(t.frame))} "
                f"dòng vì bảng tính Google tối đa {_vn_int(limit)} ô. Bản đầy đủ: tệp {detail} "
                "trên máy chạy đồng bộ.")
        out.append(dataclasses.replace(t, frame=frame.reset_index(drop=True), note=note))
        cuts.append(Cut(t.name, rows, len(t.frame)))
    return out, cuts


# --- cell values -----------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _serial(value: Any) -> float | None:
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone().replace(tzinfo=None)
        delta = value - SERIAL_EPOCH
        return round(delta.days + delta.seconds / 86400, 8)
    if isinstance(value, dt.date):
        return float((value - SERIAL_EPOCH.date()).days)
    return None


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    number = float(value)
    if not math.isfinite(number):
        return ""
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def column_values(values: pd.Series, kind: str) -> list[Any]:
    """A column as RAW values: numbers and dates (serials) for their kinds, text otherwise;
    "" for empty. A string in a numeric column (e.g. `không tính được` as benefit) stays text."""
    out: list[Any] = []
    if kind in ("date", "datetime"):
        for v in values.tolist():
            if _missing(v):
                out.append("")
                continue
            serial = _serial(v)
            if serial is None and isinstance(v, str):
                parsed = pd.to_datetime(v, errors="coerce")
                serial = None if parsed is pd.NaT else _serial(parsed)
                if serial is None:
                    out.append(v[:MAX_CELL_CHARS])
                    continue
            out.append("" if serial is None else (int(serial) if kind == "date" else serial))
        return out
    numeric = kind in ("int", "money", "percent")
    for v in values.tolist():
        if _missing(v):
            out.append("")
        elif numeric and isinstance(v, int | float) and not isinstance(v, bool):
            out.append(_number(v))
        elif hasattr(v, "item") and numeric:  # numpy scalars
            out.append(_number(v.item()))
        else:
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            out.append(str(v)[:MAX_CELL_CHARS])
    return out


def table_rows(table: Table) -> list[list[Any]]:
    """Header, data rows and the note row, as RAW values."""
    frame = table.frame
    columns = []
    for column in table.columns:
        series = frame[column.header] if column.header in frame.columns else pd.Series(
            [None] * len(frame), dtype=object)
        columns.append(column_values(series, column.kind))
    rows: list[list[Any]] = [[c.header for c in table.columns]]
    rows.extend(list(r) for r in zip(*columns, strict=True))
    if table.note:
        while len(rows) < max(len(frame), 1) + 1:
            rows.append([])
        rows.append([table.note])
    return rows


# --- the writer ------------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class _Staged:
    table: Table
    sheet_id: int
    title: str


class GoogleMaster:
    """`MasterWorkbook` over a Google Sheet the service account may edit."""

    def __init__(self, spreadsheet_id: str, config: Config | None = None,
                 api: gh.GoogleApi | None = None, detail_path: Path | None = None,
                 cell_limit: int | None = None, chunk_bytes: int | None = None) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.config = config
        self._api = api
        self.detail_path = detail_path or (
            config.state_path.parent / DETAIL_FILE if config else Path(DETAIL_FILE))
        self.cell_limit = cell_limit
        self.chunk_bytes = chunk_bytes
        self.cuts: list[Cut] = []
        self.requests_sent: dict[str, int] = {}

    @classmethod
    def from_config(cls, locator: str, config: Config) -> GoogleMaster:
        try:
            loc = parse_locator(locator)
        except SourceError as exc:
            raise ConfigError(f"{config.path}: khoá [master] target: {exc.detail}.") from None
        return cls(loc.spreadsheet_id, config)

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    def describe(self) -> str:
        return self.url

    @property
    def api(self) -> gh.GoogleApi:
        if self._api is None:
            assert self.config is not None
            self._api = make_api(self.config, gh.READWRITE_SCOPES)
        return self._api

    @property
    def api_counts(self) -> dict[str, int]:
        if self._api is None:
            return {"reads": 0, "writes": 0}
        return self._api.session.api_counts

    # -- write ---------------------------------------------------------------------------------

    def write(self, tables: Sequence[Table]) -> None:
        try:
            self._write(list(tables))
        except gh.GoogleApiError as exc:
            raise MasterWriteError(self._failure(exc)) from None
        except SangkienError:
            raise
        except Exception as exc:
            err = gh.error_from_exception(exc, self.spreadsheet_id, self.api.service_account)
            raise MasterWriteError(self._failure(err)) from None

    def _failure(self, exc: gh.GoogleApiError) -> str:
        detail = exc.detail
        if exc.reason == "permission_denied":
            who = self.api.service_account or "tài khoản Google đang dùng"
            detail = f"chưa chia sẻ bảng tổng hợp cho {who} với quyền Người chỉnh sửa"
        return (f"Không ghi được bảng tổng hợp {self.url}: {detail}. Bảng tổng hợp cũ vẫn "
                "nguyên vẹn; chạy lại sau.")

    def _write(self, tables: list[Table]) -> None:
        sheets = self._sheets()
        names = {t.name for t in tables}
        leftovers = [p for p in sheets if p["title"].startswith(STAGING_PREFIX)]
        ours = [p for p in sheets if p["title"] in names]
        others = [p for p in sheets if p not in leftovers and p not in ours]
        limit = self.cell_limit or CELL_LIMIT
        other_cells = sum(_cells(p) for p in others)
        old_cells = sum(_cells(p) for p in ours)
        budget = min((limit - other_cells) // 2, limit - other_cells - old_cells)
        fitted, self.cuts = fit_tables(tables, budget, limit, str(self.detail_path))
        if self.cuts:
            self._write_detail(tables)

        taken = {int(p["sheetId"]) for p in sheets}
        staged = [_Staged(t, new_sheet_id(taken), STAGING_PREFIX + t.name) for t in fitted]
        requests: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": p["sheetId"]}}
                                          for p in leftovers]
        for s in staged:
            requests.extend(_stage_requests(s))
        self._batch_update(requests)
        try:
            self._fill(staged)
        except BaseException:
            self._drop(staged)
            raise
        swap: list[dict[str, Any]] = [
            {"updateSheetProperties": {"properties": {"sheetId": s.sheet_id, "hidden": False},
                                       "fields": "hidden"}} for s in staged]
        swap += [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in ours]
        swap += [{"updateSheetProperties": {
            "properties": {"sheetId": s.sheet_id, "title": s.table.name, "index": i},
            "fields": "title,index"}} for i, s in enumerate(staged)]
        self._batch_update(swap)

    def _sheets(self) -> list[dict[str, Any]]:
        resp = self.api.session.get(f"{gh.SHEETS_URL}/{self.spreadsheet_id}",
                                    params={"fields": META_FIELDS})
        body = self.api._check(resp, self.spreadsheet_id) or {}
        return [dict(s["properties"]) for s in body.get("sheets", [])]

    def _post(self, url: str, body: dict[str, Any]) -> Any:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        resp = self.api.session.post(url, data=data,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        return self.api._check(resp, self.spreadsheet_id)

    def _batch_update(self, requests: list[dict[str, Any]]) -> Any:
        if not requests:
            return None
        return self._post(f"{gh.SHEETS_URL}/{self.spreadsheet_id}:batchUpdate",
                          {"requests": requests})

    def _fill(self, staged: list[_Staged]) -> None:
        for body in value_bodies(staged_ranges(staged), self.chunk_bytes or CHUNK_BYTES):
            self._post(f"{gh.SHEETS_URL}/{self.spreadsheet_id}/values:batchUpdate", body)

    def _drop(self, staged: list[_Staged]) -> None:
        with contextlib.suppress(Exception):  # best effort: the next run removes leftovers
            self._batch_update([{"deleteSheet": {"sheetId": s.sheet_id}} for s in staged])

    def _write_detail(self, tables: list[Table]) -> None:
        from sync.backends.xlsx import XlsxMaster

        XlsxMaster(self.detail_path).write(tables)


def _cells(props: dict[str, Any]) -> int:
    grid = props.get("gridProperties") or {}
    return int(grid.get("rowCount", 0)) * int(grid.get("columnCount", 0))


def new_sheet_id(taken: set[int]) -> int:
    """A sheet id not in `taken` (and now taken): ids we choose make one request enough."""
    while True:
        candidate = random.randint(1_000_000, 2**31 - 1)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _stage_requests(s: _Staged) -> list[dict[str, Any]]:
    """addSheet (hidden) and the formatting of one staging tab, like the .xlsx master."""
    table = s.table
    rows, cols = grid_shape(table)
    sid = s.sheet_id
    data_rows = max(len(table.frame), 1)
    out: list[dict[str, Any]] = [{"addSheet": {"properties": {
        "sheetId": sid, "title": s.title, "hidden": True,
        "gridProperties": {"rowCount": rows, "columnCount": cols, "frozenRowCount": 1}}}}]
    out.append(formats.row_height_request(sid, 0, formats.HEADER_HEIGHT_PX))
    for col, column in enumerate(table.columns):
        out.append(formats.width_request(sid, col, formats.width_px(column.width)))
        out.append(formats.column_format_request(sid, 1, data_rows + 1, col, column.kind))
    out.append(formats.header_request(sid, 0, cols))
    out.append({"setBasicFilter": {"filter": {
        "range": formats.grid_range(sid, 0, data_rows + 1, 0, cols)}}})
    headers = [c.header for c in table.columns]
    for header, colours in table.highlight.items():
        if header not in headers:
            continue
        col = headers.index(header)
        for value, colour in colours.items():
            out.append(formats.highlight_request(sid, 1, data_rows + 1, col, value, colour))
    if table.note:
        out.append(formats.note_format_request(sid, data_rows + 1, cols))
        out.append({"updateCells": {
            "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
            "rows": [{"values": [{"note": table.note}]}], "fields": "note"}})
    return out


def staged_ranges(staged: list[_Staged]) -> list[tuple[str, list[list[Any]]]]:
    return [(quote_tab(s.title), table_rows(s.table)) for s in staged]


def value_bodies(tabs: list[tuple[str, list[list[Any]]]],
                 chunk_bytes: int) -> list[dict[str, Any]]:
    """`values:batchUpdate` bodies (RAW), each under `chunk_bytes` of UTF-8 JSON: a tab's rows
    are split into consecutive blocks; several small tabs share one body."""
    bodies: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    size = _BODY_OVERHEAD
    for tab, rows in tabs:
        block: list[list[Any]] = []
        start = 0
        for i, row in enumerate(rows):
            row_size = len(json.dumps(row, ensure_ascii=False).encode("utf-8")) + 1
            entry_size = 0 if block else _ENTRY_OVERHEAD + len(tab.encode("utf-8"))
            if (block or data) and size + entry_size + row_size > chunk_bytes:
                if block:
                    data.append(_entry(tab, start, block))
                bodies.append({"valueInputOption": "RAW", "data": data})
                data, block, size = [], [], _BODY_OVERHEAD
                entry_size = _ENTRY_OVERHEAD + len(tab.encode("utf-8"))
            if not block:
                start = i
            block.append(row)
            size += entry_size + row_size
        if block:
            data.append(_entry(tab, start, block))
    if data:
        bodies.append({"valueInputOption": "RAW", "data": data})
    return bodies


_BODY_OVERHEAD = 48  # {"valueInputOption":"RAW","data":[]}
_ENTRY_OVERHEAD = 64  # {"range":"…!A123456","majorDimension":"ROWS","values":[]},


def _entry(tab: str, start: int, block: list[list[Any]]) -> dict[str, Any]:
    return {"range": f"{tab}!A{start + 1}", "majorDimension": "ROWS", "values": block}
