"""`sangkien doctor` for Google: which sources and master open, and why not (the account to share
with is printed by `sync.doctor.credential_checks`).

Cheap on quota: one Drive `files.list` per 1,000 visible spreadsheets tells which sources the
account can open; only the others get a `spreadsheets.get` (properties only), whose answer says
why: not shared (403), not found (404), an uploaded `.xlsx` never converted (400). The master gets
a Drive `files.get` (`capabilities.canEdit`: can we write?) and a `spreadsheets.get` of its tabs
(leftover staging tabs, cells used against the 10,000,000 limit).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sync.backends import google_http as gh
from sync.backends.gsheets.master import CELL_LIMIT, STAGING_PREFIX, _vn_int
from sync.backends.gsheets.session import make_api, parse_locator
from sync.config import Config
from sync.doctor import FAIL, OK, WARN, Check
from sync.errors import SourceError
from sync.model import Unit

WHY = {
    "permission_denied": "chưa được chia sẻ cho {who} — mở bảng tính, bấm Chia sẻ, thêm {who} "
                         "(quyền Người xem)",
    "not_found": "không tìm thấy bảng tính (sai mã trong cột «Nguồn», hoặc bảng tính đã bị xoá)",
    "not_a_google_sheet": "là tệp .xlsx tải lên Drive, chưa chuyển sang Google Sheets — mở tệp, "
                          "chọn Tệp → Lưu dưới dạng Google Trang tính, rồi ghi mã bảng tính mới "
                          "vào cột «Nguồn»",
}


def _why(exc: gh.GoogleApiError, who: str) -> str:
    template = WHY.get(exc.reason)
    return template.format(who=who) if template else exc.detail


def _error(exc: BaseException, api: gh.GoogleApi, resource: str) -> gh.GoogleApiError:
    return gh.error_from_exception(exc, resource, api.service_account)


def doctor_sources(config: Config, units: Sequence[Unit]) -> Iterator[Check]:
    api = make_api(config, gh.READONLY_SCOPES)
    who = api.service_account or "tài khoản Google đang dùng"
    try:
        located = []
        for unit in units:
            try:
                located.append((unit, parse_locator(unit.source or "")))
            except SourceError as exc:
                yield Check(FAIL, f"Nguồn {unit.code}", exc.detail)
        try:
            listing = api.list_files([loc.spreadsheet_id for _, loc in located])
        except Exception as exc:
            err = _error(exc, api, "Drive")
            yield Check(FAIL, "Google Drive", f"không liệt kê được bảng tính: {err.detail}")
            if err.reason in ("auth_failed", "unauthenticated", "insufficient_scope"):
                return
            listing = {}
        for unit, loc in located:
            info = listing.get(loc.spreadsheet_id)
            if info is not None:
                when = info.modified_time[:16].replace("T", " ")
                yield Check(OK, f"Nguồn {unit.code}",
                            f"mở được «{info.name}» (sửa lần cuối {when} UTC)")
                continue
            try:
                resp = api.session.get(f"{gh.SHEETS_URL}/{loc.spreadsheet_id}",
                                       params={"fields": "properties.title"})
                body = api._check(resp, loc.spreadsheet_id) or {}
                title = (body.get("properties") or {}).get("title", loc.spreadsheet_id)
                yield Check(OK, f"Nguồn {unit.code}", f"mở được «{title}»")
            except Exception as exc:
                err = _error(exc, api, loc.spreadsheet_id)
                yield Check(FAIL, f"Nguồn {unit.code}", _why(err, who))
    finally:
        api.session.close()


def doctor_master(config: Config) -> Iterator[Check]:
    try:
        loc = parse_locator(config.master)
    except SourceError as exc:
        yield Check(FAIL, "Bảng tổng hợp", exc.detail)
        return
    api = make_api(config, gh.READONLY_SCOPES)
    who = api.service_account or "tài khoản Google đang dùng"
    sid = loc.spreadsheet_id
    try:
        try:
            resp = api.session.get(f"{gh.DRIVE_FILES_URL}/{sid}", params={
                "fields": "id,name,mimeType,capabilities/canEdit", "supportsAllDrives": "true"})
            meta = api._check(resp, sid) or {}
        except Exception as exc:
            err = _error(exc, api, sid)
            if err.reason != "not_found":
                yield Check(FAIL, "Bảng tổng hợp", err.detail)
                return
            meta = None  # Drive hides what we cannot see: ask Sheets why
        if meta is not None and meta.get("mimeType") != gh.SPREADSHEET_MIME:
            yield Check(FAIL, "Bảng tổng hợp", _why(
                gh.GoogleApiError(400, "not_a_google_sheet", ""), who))
            return
        try:
            resp = api.session.get(f"{gh.SHEETS_URL}/{sid}", params={
                "fields": "properties.title,sheets(properties(title,gridProperties(rowCount,"
                          "columnCount)))"})
            body = api._check(resp, sid) or {}
        except Exception as exc:
            err = _error(exc, api, sid)
            reason = _why(err, who).replace("Người xem", "Người chỉnh sửa")
            yield Check(FAIL, "Bảng tổng hợp", reason)
            return
        title = (body.get("properties") or {}).get("title", sid)
        if meta is None or not (meta.get("capabilities") or {}).get("canEdit"):
            yield Check(FAIL, "Bảng tổng hợp",
                        f"«{title}» chỉ xem được; chia sẻ cho {who} với quyền Người chỉnh sửa")
            return
        props = [s["properties"] for s in body.get("sheets", [])]
        cells = sum(int(p.get("gridProperties", {}).get("rowCount", 0))
                    * int(p.get("gridProperties", {}).get("columnCount", 0)) for p in props)
        yield Check(OK, "Bảng tổng hợp",
                    f"ghi được vào «{title}» ({_vn_int(cells)} / {_vn_int(CELL_LIMIT)} ô đã dùng)")
        leftovers = [p["title"] for p in props if p["title"].startswith(STAGING_PREFIX)]
        if leftovers:
            yield Check(WARN, "Bảng tổng hợp",
                        f"còn {len(leftovers)} tab tạm của một lần chạy bị dừng; lần đồng bộ sau "
                        "sẽ tự xoá")
    finally:
        api.session.close()
