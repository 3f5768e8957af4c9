"""`provision` on units' Google Sheets: the template applied around the unit's data.

Per spreadsheet: two reads (tab properties with our protected ranges; the first rows of the tabs)
and one atomic `batchUpdate`:
- the unit tab `Sáng kiến` is found by name; a spreadsheet with a single empty tab has it renamed;
  otherwise a new `Sáng kiến` tab is added first;
- the template header is written (as text) only into an empty tab; an existing header row is
  kept where it is; a tab with data but no header row is left alone (reported);
- header: bold on dark blue, wrapped, frozen, a note per header cell saying what to type, and a
  warning-only protected range (our previous one, found by its description, is replaced);
- below it: drop-downs (`ONE_OF_LIST`, not strict: an alias still passes, with a warning mark) for
  `Loại giải pháp`, `Trạng thái`, `Ý nghĩa xã hội`; `dd/mm/yyyy` on the date column, `#,##0` on the
  benefit column, wrapping on long text columns; column widths;
- the `Hướng dẫn` tab is replaced with the instructions and a filled example row.
With `--share`, each contact in the registry's `Email liên hệ` gets writer access (Drive
`permissions.create`, only for addresses not already shared with).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sync import catalog
from sync.backends import google_http as gh
from sync.backends.gsheets import formats
from sync.backends.gsheets.master import new_sheet_id
from sync.backends.gsheets.session import make_api, parse_locator, quote_tab
from sync.config import Config
from sync.errors import SourceError
from sync.headers import header_key
from sync.model import Unit
from sync.provision import (
    DATA_ROWS,
    INSTRUCTIONS_TAB,
    PROTECT_DESCRIPTION,
    TEMPLATE_COLUMNS,
    ProvisionResult,
    TemplateColumn,
    example_row,
    instructions,
)
from sync.sheet import HEADER_SEARCH_ROWS, find_header

META_FIELDS = ("sheets(properties(sheetId,title,index,hidden,gridProperties(rowCount,"
               "columnCount,frozenRowCount)),protectedRanges(protectedRangeId,description))")
SERIAL_EPOCH = dt.date(1899, 12, 30)
SHARE_MESSAGE = ("Bảng tính nhập sáng kiến của đơn vị (chương trình «01 triệu sáng kiến»). "
                 "Xem tab «Hướng dẫn» trước khi điền.")


def provision_units(config: Config, units: Sequence[Unit], share: bool) -> list[ProvisionResult]:
    scopes = gh.SHARE_SCOPES if share else (gh.SCOPE_SHEETS,)
    api = make_api(config, scopes)
    results = []
    try:
        for unit in units:
            try:
                results.append(provision_one(api, config, unit, share))
            except gh.GoogleApiError as exc:
                results.append(ProvisionResult(unit.code, "failed", _why(exc, api)))
            except SourceError as exc:
                results.append(ProvisionResult(unit.code, "failed", exc.detail))
            except Exception as exc:
                err = gh.error_from_exception(exc, unit.source, api.service_account)
                results.append(ProvisionResult(unit.code, "failed", _why(err, api)))
    finally:
        api.session.close()
    return results


def _why(exc: gh.GoogleApiError, api: gh.GoogleApi) -> str:
    if exc.reason == "permission_denied":
        who = api.service_account or "tài khoản Google đang dùng"
        return f"chưa chia sẻ bảng tính cho {who} với quyền Người chỉnh sửa"
    return exc.detail


def provision_one(api: gh.GoogleApi, config: Config, unit: Unit, share: bool) -> ProvisionResult:
    sid = parse_locator(unit.source or "").spreadsheet_id
    resp = api.session.get(f"{gh.SHEETS_URL}/{sid}", params={"fields": META_FIELDS})
    sheets = (api._check(resp, sid) or {}).get("sheets", [])
    props = [s["properties"] for s in sheets]
    titles = [p["title"] for p in props]
    ranges = [f"{quote_tab(t)}!A1:Z{HEADER_SEARCH_ROWS}" for t in titles]
    tops = {t: vr.get("values", []) for t, vr in zip(
        titles, api.values_batch_get(sid, ranges, value_render="FORMATTED_VALUE"), strict=True)}

    requests: list[dict[str, Any]] = []
    done: list[str] = []
    taken = {int(p["sheetId"]) for p in props}
    unit_tab = next((p for p in props if header_key(p["title"]) == header_key(catalog.UNIT_TAB)),
                    None)
    if unit_tab is None and len(props) == 1 and not tops[props[0]["title"]]:
        unit_tab = dict(props[0])
        requests.append({"updateSheetProperties": {
            "properties": {"sheetId": unit_tab["sheetId"], "title": catalog.UNIT_TAB},
            "fields": "title"}})
        done.append(f"đổi tên tab thành «{catalog.UNIT_TAB}»")
        tops[catalog.UNIT_TAB] = []
        unit_tab["title"] = catalog.UNIT_TAB
    elif unit_tab is None:
        new_id = new_sheet_id(taken)
        unit_tab = {"sheetId": new_id, "title": catalog.UNIT_TAB,
                    "gridProperties": {"rowCount": DATA_ROWS, "columnCount": 26}}
        requests.append({"addSheet": {"properties": {
            "sheetId": new_id, "title": catalog.UNIT_TAB, "index": 0,
            "gridProperties": {"rowCount": DATA_ROWS, "columnCount": 26}}}})
        done.append(f"thêm tab «{catalog.UNIT_TAB}»")
        tops[catalog.UNIT_TAB] = []

    top = tops.get(unit_tab["title"], [])
    header_row, mapping, _ = find_header(top)
    if header_row < 0:
        if any(any(str(c).strip() for c in row) for row in top):
            return ProvisionResult(unit.code, "failed", (
                f"tab «{unit_tab['title']}» đã có dữ liệu nhưng không có dòng tiêu đề của mẫu; "
                "không sửa để khỏi làm hỏng dữ liệu — thêm dòng tiêu đề rồi chạy lại"))
        header_row = 0
        mapping = {c.key: i for i, c in enumerate(TEMPLATE_COLUMNS)}
        requests.append(_header_values(unit_tab["sheetId"]))
        done.append("ghi dòng tiêu đề")
    missing = [c.header for c in TEMPLATE_COLUMNS if c.required and c.key not in mapping]

    requests.extend(_protect(sheets, unit_tab["sheetId"]))
    requests.extend(template_requests(unit_tab, header_row, mapping))
    done.append("định dạng, khoá dòng tiêu đề, danh sách chọn")
    requests.extend(_instructions(config, props, taken, unit_tab))
    done.append(f"tab «{INSTRUCTIONS_TAB}»")
    resp = api.session.post(f"{gh.SHEETS_URL}/{sid}:batchUpdate", json={"requests": requests})
    api._check(resp, sid)

    if share and unit.emails:
        added = _share(api, sid, unit.emails)
        done.append(f"chia sẻ cho {', '.join(added)}" if added else "đã chia sẻ từ trước")
    elif share:
        done.append("không có email liên hệ để chia sẻ")
    message = "; ".join(done)
    if missing:
        message += f" — lưu ý: dòng tiêu đề thiếu cột {', '.join(missing)}"
    return ProvisionResult(unit.code, "ok", message)


def _header_values(sheet_id: int) -> dict[str, Any]:
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
        "rows": [{"values": [formats.text_cell(c.header) for c in TEMPLATE_COLUMNS]}],
        "fields": "userEnteredValue"}}


def _protect(sheets: list[dict[str, Any]], sheet_id: int) -> list[dict[str, Any]]:
    return [{"deleteProtectedRange": {"protectedRangeId": pr["protectedRangeId"]}}
            for s in sheets for pr in s.get("protectedRanges", [])
            if pr.get("description") == PROTECT_DESCRIPTION]


def template_requests(tab: dict[str, Any], header_row: int,
                      mapping: dict[str, int]) -> list[dict[str, Any]]:
    """Formats, validations, notes and protection of the unit tab around `header_row`."""
    sid = int(tab["sheetId"])
    grid = tab.get("gridProperties") or {}
    rows = max(int(grid.get("rowCount", DATA_ROWS)), header_row + 2)
    width = max(mapping.values()) + 1
    body = (header_row + 1, rows)
    out: list[dict[str, Any]] = [
        {"updateSheetProperties": {
            "properties": {"sheetId": sid, "gridProperties": {"frozenRowCount": header_row + 1}},
            "fields": "gridProperties.frozenRowCount"}},
        formats.header_request(sid, header_row, width),
        formats.row_height_request(sid, header_row, formats.HEADER_HEIGHT_PX),
        {"addProtectedRange": {"protectedRange": {
            "range": formats.grid_range(sid, header_row, header_row + 1, 0, width),
            "description": PROTECT_DESCRIPTION, "warningOnly": True}}},
    ]
    by_key = {c.key: c for c in TEMPLATE_COLUMNS}
    for key, col in sorted(mapping.items(), key=lambda kv: kv[1]):
        column: TemplateColumn = by_key[key]
        out.append(formats.width_request(sid, col, formats.width_px(column.width)))
        out.append(formats.column_format_request(sid, body[0], body[1], col, column.kind,
                                                 wrap=column.wrap))
        if column.choices:
            out.append({"setDataValidation": {
                "range": formats.grid_range(sid, body[0], body[1], col, col + 1),
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                    {"userEnteredValue": v} for v in column.choices]},
                    "inputMessage": f"Chọn một trong: {', '.join(column.choices)}",
                    "strict": False, "showCustomUi": True}}})
        if column.note:
            out.append({"updateCells": {
                "start": {"sheetId": sid, "rowIndex": header_row, "columnIndex": col},
                "rows": [{"values": [{"note": column.note}]}], "fields": "note"}})
    return out


def _cell(value: Any, column: TemplateColumn | None = None) -> dict[str, Any]:
    if isinstance(value, dt.date):
        return {"userEnteredValue": {"numberValue": (value - SERIAL_EPOCH).days},
                "userEnteredFormat": {"numberFormat": dict(formats.NUMBER_FORMATS["date"])}}
    if isinstance(value, int | float) and not isinstance(value, bool):
        kind = column.kind if column else "int"
        return {"userEnteredValue": {"numberValue": value},
                "userEnteredFormat": {"numberFormat": dict(formats.NUMBER_FORMATS.get(
                    kind, formats.NUMBER_FORMATS["int"]))}}
    return formats.text_cell(value)


def _instructions(config: Config, props: list[dict[str, Any]], taken: set[int],
                  unit_tab: dict[str, Any]) -> list[dict[str, Any]]:
    old = [p for p in props if p["title"] == INSTRUCTIONS_TAB]
    out: list[dict[str, Any]] = [{"deleteSheet": {"sheetId": p["sheetId"]}} for p in old]
    unit_index = int(unit_tab.get("index", 0))
    unit_index -= sum(1 for p in old if int(p.get("index", 0)) < unit_index)
    sid = new_sheet_id(taken)
    lines = instructions(config.program)
    example = example_row(config.program)
    rows: list[dict[str, Any]] = [{"values": [formats.text_cell(line)]} for line in lines]
    header_at = len(rows)
    rows.append({"values": [formats.text_cell(c.header) for c in TEMPLATE_COLUMNS]})
    rows.append({"values": [_cell(example[c.key], c) for c in TEMPLATE_COLUMNS]})
    out.append({"addSheet": {"properties": {
        "sheetId": sid, "title": INSTRUCTIONS_TAB,
        "gridProperties": {"rowCount": len(rows) + 5, "columnCount": len(TEMPLATE_COLUMNS)}}}})
    out.append({"updateCells": {"start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
                                "rows": rows, "fields": "userEnteredValue,userEnteredFormat"}})
    out.append({"repeatCell": {
        "range": formats.grid_range(sid, 0, 1, 0, 1),
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True, "fontSize": 14}}},
        "fields": "userEnteredFormat.textFormat"}})
    out.append(formats.header_request(sid, header_at, len(TEMPLATE_COLUMNS)))
    for col, column in enumerate(TEMPLATE_COLUMNS):
        out.append(formats.width_request(sid, col, formats.width_px(column.width)))
    # after the unit tab
    out.append({"updateSheetProperties": {
        "properties": {"sheetId": sid, "index": unit_index + 1},
        "fields": "index"}})
    return out


def _share(api: gh.GoogleApi, sid: str, emails: Sequence[str]) -> list[str]:
    resp = api.session.get(f"{gh.DRIVE_FILES_URL}/{sid}/permissions", params={
        "fields": "permissions(id,type,emailAddress,role)", "supportsAllDrives": "true"})
    current = {str(p.get("emailAddress", "")).lower()
               for p in (api._check(resp, sid) or {}).get("permissions", [])}
    added = []
    for email in emails:
        if email.lower() in current:
            continue
        resp = api.session.post(
            f"{gh.DRIVE_FILES_URL}/{sid}/permissions",
            params={"sendNotificationEmail": "true", "emailMessage": SHARE_MESSAGE,
                    "supportsAllDrives": "true", "fields": "id"},
            json={"type": "user", "role": "writer", "emailAddress": email})
        api._check(resp, sid)
        added.append(email)
    return added
