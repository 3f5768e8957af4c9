"""Findings written back where a unit works (`[digests] write_back = true`), Google Sheets only.

For each unit whose source is a Google Sheet, in **one** atomic `batchUpdate`:
- the `Kiểm tra` tab is replaced (deleted and added again, at the end) with the unit's findings
  row by row — row, column, value, severity, message, what to type instead — written as plain
  values (`stringValue`: a value that starts with `=` stays text);
- each offending cell gets a note that starts with `NOTE_MARKER`; notes with that marker whose
  finding is gone are cleared. A note the unit wrote itself (no marker) is never overwritten or
  cleared — that cell's finding stays in the `Kiểm tra` tab only.

Nothing else in the unit's spreadsheet is touched (only that tab and notes; `fields: "note"`), and
`.xlsx`/`.csv` units are never modified. Cost per changed unit: 3 requests (tab list, the tab's
grid with notes, the batchUpdate); a unit whose findings did not change since the last write-back
(fingerprint kept in the state file) costs none — "replaced each run" in effect, within quota.

The Google source backend (`sync/backends/gsheets.py`) is written separately; this module talks
to the Sheets API through the shared session layer (`sync.backends.google_http`) and reuses the
header detection of `sync.sheet`, so it does not depend on that backend.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sync import catalog, fmt
from sync.config import Config
from sync.headers import header_key
from sync.model import Unit
from sync.report.context import FindingItem, Results, finding_items, spreadsheet_id
from sync.sheet import find_header
from sync.state import State

CHECK_TAB = "Kiểm tra"
NOTE_MARKER = "⚠ Kiểm tra sáng kiến:"
FORMAT_VERSION = "1"  # bump when the tab's layout changes, so every unit is rewritten once
CHECK_HEADERS = ("Dòng", "Cột", "Giá trị", "Mức độ", "Thông báo", "Cách sửa")
SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"


@dataclass(slots=True)
class WritebackReport:
    units: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"units": self.units, "written": list(self.written),
                "unchanged": list(self.unchanged), "errors": dict(self.errors)}


def fingerprint(items: Sequence[FindingItem]) -> str:
    payload = json.dumps([FORMAT_VERSION] + [
        [f.row, f.column, f.value, f.code, f.severity, f.message, f.hint] for f in items],
        ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _quote(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def _sheet_id(title: str, taken: set[int]) -> int:
    """A stable new sheet id that no existing tab uses."""
    candidate = zlib.crc32(title.encode("utf-8")) & 0x3FFFFFFF or 1
    while candidate in taken:
        candidate = (candidate * 31 + 7) & 0x3FFFFFFF or 1
    return candidate


def _text_cell(value: object) -> dict[str, Any]:
    if isinstance(value, int):
        return {"userEnteredValue": {"numberValue": value}}
    return {"userEnteredValue": {"stringValue": "" if value is None else str(value)}}


def check_tab_rows(items: Sequence[FindingItem], when: dt.datetime) -> list[list[object]]:
    errors = sum(1 for f in items if f.severity == catalog.ERROR)
    warnings = sum(1 for f in items if f.severity == catalog.WARNING)
    rows: list[list[object]] = [
        [f"Kết quả kiểm tra dữ liệu sáng kiến — cập nhật {fmt.datetime(when)}"],
        [f"{errors} lỗi, {warnings} cảnh báo. Tab này do hệ thống tự ghi lại sau mỗi lần tổng "
         f"hợp; hãy sửa dữ liệu ở tab «{catalog.UNIT_TAB}», không sửa ở đây."],
        list(CHECK_HEADERS),
    ]
    for f in items:
        rows.append([f.row if f.row is not None else "Cả bảng", f.column, f.value,
                     f.severity_label, f.message, f.hint])
    if not items:
        rows.append(["", "", "", "", "Không có lỗi cần sửa. Cảm ơn đơn vị!", ""])
    return rows


def note_text(items: Sequence[FindingItem]) -> str:
    lines = [NOTE_MARKER]
    for f in items:
        lines.append(f"{f.severity_label}: {f.message}")
        lines.append(f"→ {f.hint}")
    return "\n".join(lines)


def plan_requests(properties: list[dict[str, Any]], tab: str, grid_rows: list[dict[str, Any]],
                  items: Sequence[FindingItem], when: dt.datetime) -> list[dict[str, Any]]:
    """The batchUpdate requests for one unit (pure: tested without any server).

    `properties`: the spreadsheet's tabs; `tab`: the unit's data tab; `grid_rows`: that tab's
    `rowData[].values[]` with `formattedValue` and `note`."""
    requests: list[dict[str, Any]] = []
    by_title = {p["title"]: p for p in properties}
    taken = {int(p["sheetId"]) for p in properties}
    data = by_title.get(tab)
    old = by_title.get(CHECK_TAB)
    if old is not None:
        requests.append({"deleteSheet": {"sheetId": old["sheetId"]}})
    rows = check_tab_rows(items, when)
    new_id = _sheet_id(CHECK_TAB, taken)
    requests.append({"addSheet": {"properties": {
        "sheetId": new_id, "title": CHECK_TAB, "index": len(properties) - (old is not None),
        "gridProperties": {"rowCount": max(len(rows) + 10, 50), "columnCount": 8,
                           "frozenRowCount": 3}}}})
    requests.append({"updateCells": {
        "start": {"sheetId": new_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [_text_cell(v) for v in row]} for row in rows],
        "fields": "userEnteredValue"}})
    if data is None:
        return requests

    # Notes on offending cells of the data tab: the column from the header row as it is now.
    texts = [[str(c.get("formattedValue", "")) for c in r.get("values", [])] for r in grid_rows]
    _, columns, _ = find_header(texts)
    wanted: dict[tuple[int, int], list[FindingItem]] = {}
    for f in items:
        if f.row is not None and f.field in columns:
            wanted.setdefault((f.row - 1, columns[f.field]), []).append(f)
    existing: dict[tuple[int, int], str] = {}
    for r, row in enumerate(grid_rows):
        for c, cell in enumerate(row.get("values", [])):
            if cell.get("note"):
                existing[(r, c)] = str(cell["note"])
    sheet_id = data["sheetId"]
    for (r, c), found in sorted(wanted.items()):
        current = existing.get((r, c))
        if current is not None and not current.startswith(NOTE_MARKER):
            continue  # the unit's own note: never overwritten
        text = note_text(found)
        if current != text:
            requests.append(_note(sheet_id, r, c, text))
    for (r, c), current in sorted(existing.items()):
        if current.startswith(NOTE_MARKER) and (r, c) not in wanted:
            requests.append(_note(sheet_id, r, c, ""))  # fixed: clear our note
    return requests


def _note(sheet_id: int, row: int, col: int, text: str) -> dict[str, Any]:
    return {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                            "rows": [{"values": [{"note": text}]}], "fields": "note"}}


class SheetsWriter:
    """The three Sheets calls of a unit's write-back, over the shared Google session."""

    def __init__(self, api: Any) -> None:
        self.api = api  # sync.backends.google_http.GoogleApi

    def write(self, sid: str, tab_hint: str, items: Sequence[FindingItem],
              when: dt.datetime) -> None:
        properties = self.api.sheet_titles(sid)
        titles = [p["title"] for p in properties]
        tab = tab_hint if tab_hint in titles else _unit_tab(properties)
        grid_rows: list[dict[str, Any]] = []
        if tab:
            resp = self.api.session.get(f"{SHEETS_URL}/{sid}", params={
                "ranges": _quote(tab),
                "fields": "sheets(data(startRow,startColumn,rowData(values(formattedValue,note))))"})
            body = self.api._check(resp, sid)
            for sheet in body.get("sheets", []):
                for block in sheet.get("data", []):
                    grid_rows = block.get("rowData", [])
        requests = plan_requests(properties, tab, grid_rows, items, when)
        resp = self.api.session.post(f"{SHEETS_URL}/{sid}:batchUpdate",
                                     json={"requests": requests})
        self.api._check(resp, sid)


def _unit_tab(properties: list[dict[str, Any]]) -> str:
    for p in properties:
        if header_key(p["title"]) == header_key(catalog.UNIT_TAB):
            return str(p["title"])
    visible = [p for p in properties if not p.get("hidden") and p["title"] != CHECK_TAB]
    return str(visible[0]["title"]) if visible else ""


def _api(config: Config) -> Any:
    from sync.backends.google_http import (
        SCOPE_SHEETS,
        GoogleApi,
        build_session,
        load_credentials,
        service_account_email,
    )

    google = config.google
    credentials = load_credentials(google.credentials, scopes=(SCOPE_SHEETS,))
    session = build_session(credentials, requests_per_minute=google.requests_per_minute,
                            timeout=(10.0, google.timeout_s), max_attempts=google.max_attempts)
    return GoogleApi(session, service_account_email(google.credentials))


def write_back(config: Config, units: Sequence[Unit], results: Results, state: State,
               when: dt.datetime, api: Any = None) -> WritebackReport:
    """Every Google Sheet unit's findings into its own sheet; `.xlsx` units are left alone."""
    from sync.backends.google_http import GoogleApiError

    report = WritebackReport()
    google_units = [(u, spreadsheet_id(u.source or "")) for u in units]
    google_units = [(u, sid) for u, sid in google_units if sid]
    report.units = len(google_units)
    if not google_units:
        return report
    findings = results.findings
    by_unit = {str(c): g for c, g in findings.groupby("unit_code", sort=False)}
    writer: SheetsWriter | None = None
    for unit, sid in google_units:
        assert sid is not None
        group = by_unit.get(unit.code, findings.iloc[0:0])
        items = finding_items(group)
        digest = fingerprint(items)
        key = f"writeback:{unit.code}:{sid}"
        if state.meta(key) == digest:
            report.unchanged.append(unit.code)
            continue
        tabs = [str(t) for t in group["tab"] if isinstance(t, str) and t]
        try:
            if writer is None:
                writer = SheetsWriter(api if api is not None else _api(config))
            writer.write(sid, tabs[0] if tabs else "", items, when)
        except GoogleApiError as exc:
            report.errors[unit.code] = exc.detail
            continue
        state.set_meta(key, digest)
        report.written.append(unit.code)
    return report
