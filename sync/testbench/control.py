"""`/_testbench/*` control endpoints: inspect and steer the fake Google from tests.

Nothing here is part of Google's APIs; none of it is counted in `/_testbench/stats`.
"""

from __future__ import annotations

import base64
from typing import Any

from sync.testbench import a1, grid
from sync.testbench.auth import new_authorized_user
from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import ApiError
from sync.testbench.state import (
    SERVICE_ACCOUNT_EMAIL,
    SPREADSHEET_MIME,
    XLSX_MIME,
    DriveFile,
    Fault,
    new_sheet,
    permission_id_for,
    rfc3339,
)

DEFAULT_OWNER = "dieu.phoi@congdoan.example"


def _bad(message: str, status: int = 400) -> ApiError:
    return ApiError(status, {"error": {"code": status, "message": message, "status": "INVALID_ARGUMENT"}})


def _file(req: ApiRequest) -> DriveFile:
    f = req.store.files.get(req.match["id"])
    if f is None:
        raise ApiError(404, {"error": {"code": 404, "message": "no such file", "status": "NOT_FOUND"}})
    return f


def _share(f: DriveFile, email: str, role: str) -> None:
    f.permissions = [p for p in f.permissions if p.get("emailAddress") != email or p["role"] == "owner"]
    f.permissions.append(
        {
            "kind": "drive#permission",
            "id": permission_id_for(email),
            "type": "user",
            "emailAddress": email,
            "role": role,
            "displayName": email.split("@", 1)[0],
            "deleted": False,
            "pendingOwner": False,
        }
    )


def _apply_sharing(f: DriveFile, spec: dict) -> None:
    if spec.get("private"):
        return
    shared = spec.get("shared_with")
    if shared is None:
        shared = [SERVICE_ACCOUNT_EMAIL]
    for entry in shared:
        if isinstance(entry, dict):
            _share(f, entry["email"], entry.get("role", spec.get("role", "writer")))
        else:
            _share(f, entry, spec.get("role", "writer"))


def health(req: ApiRequest) -> Response:
    return Response(200, {"ok": True, "service_account": SERVICE_ACCOUNT_EMAIL})


def stats(req: ApiRequest) -> Response:
    return Response(200, req.store.stats())


def reset(req: ApiRequest) -> Response:
    req.store.reset()
    return Response(200, {"ok": True})


def add_fault(req: ApiRequest) -> Response:
    body = req.json()
    status = body.get("status")
    if status is None and not body.get("delay_s") and body.get("action") != "disconnect":
        raise _bad("a fault needs 'status', 'delay_s' or 'action': 'disconnect'")
    fault = Fault(
        method=body.get("method"),
        spreadsheet=body.get("spreadsheet"),
        status=int(status) if status is not None else None,
        times=int(body.get("times", 1)),
        delay_s=float(body.get("delay_s", 0) or 0),
        body=body.get("body"),
        action=body.get("action"),
        headers={str(k): str(v) for k, v in (body.get("headers") or {}).items()},
    )
    req.store.faults.append(fault)
    return Response(200, {"ok": True, "pending": len(req.store.faults)})


def list_faults(req: ApiRequest) -> Response:
    return Response(200, {"faults": [vars(f) for f in req.store.faults if f.times > 0]})


def clear_faults(req: ApiRequest) -> Response:
    req.store.faults.clear()
    return Response(200, {"ok": True})


def set_quota(req: ApiRequest) -> Response:
    body = req.json()
    req.store.quota = {
        "reads_per_minute": body.get("reads_per_minute"),
        "writes_per_minute": body.get("writes_per_minute"),
        "window_s": float(body.get("window_s", 60.0)),
    }
    req.store.quota_windows.clear()
    return Response(200, {"ok": True, **req.store.quota})


def mail(req: ApiRequest) -> Response:
    return Response(200, {"messages": list(req.store.mail)})


def tokens(req: ApiRequest) -> Response:
    return Response(200, {"tokens": list(req.store.token_log)})


def clock(req: ApiRequest) -> Response:
    if req.method == "POST":
        body = req.json()
        if "offset_s" in body:
            req.store.clock.offset = float(body["offset_s"])
        req.store.clock.offset += float(body.get("advance_s", 0))
    return Response(200, {"now": rfc3339(req.store.clock.now_ms()), "offset_s": req.store.clock.offset})


def settings(req: ApiRequest) -> Response:
    if req.method == "POST":
        for key, value in req.json().items():
            if key not in req.store.settings:
                raise _bad(f"unknown setting {key!r}")
            req.store.settings[key] = bool(value)
    return Response(200, dict(req.store.settings))


def authorized_user(req: ApiRequest) -> Response:
    body = req.json()
    info = new_authorized_user(req.store, body.get("email", DEFAULT_OWNER), body.get("scopes"))
    return Response(200, info)


def seed_spreadsheet(req: ApiRequest) -> Response:
    """Create a spreadsheet as a person would (owned by `owner`, shared with the service account
    unless `private`), with tabs filled from JSON values."""
    store = req.store
    body = req.json()
    file_id = body.get("id")
    if file_id and file_id in store.files:
        raise _bad(f"file {file_id} exists", 409)
    f = store.create_file(
        body.get("title", "Untitled spreadsheet"),
        SPREADSHEET_MIME,
        body.get("owner", DEFAULT_OWNER),
        body.get("parents"),
        file_id,
    )
    ss = store.spreadsheets[f.id]
    if body.get("locale"):
        ss.props["locale"] = body["locale"]
    specs = body.get("sheets") or [{"title": "Sheet1"}]
    ss.sheets = []
    for i, spec in enumerate(specs):
        values = spec.get("values") or []
        rows = int(spec.get("rows", max(1000, len(values))))
        cols = int(spec.get("cols", max(26, max((len(r) for r in values), default=0))))
        ss.sheets.append(
            new_sheet(
                int(spec.get("sheetId", 0 if i == 0 else 1000 + i)),
                spec.get("title", f"Sheet{i + 1}"),
                i,
                rows,
                cols,
            )
        )
        if spec.get("hidden"):
            ss.sheets[-1].props["hidden"] = True
    txn = grid.Txn(ss)
    for spec, sheet in zip(specs, list(ss.sheets), strict=True):
        if spec.get("values"):
            grid.write_values(
                txn,
                "",
                spec["values"],
                "ROWS",
                spec.get("input", "USER_ENTERED"),
                origin=(sheet, 0, 0),
            )
    store.spreadsheets[f.id] = txn.ss
    _apply_sharing(f, body)
    return Response(
        200,
        {
            "spreadsheetId": f.id,
            "sheets": [{"title": s.title, "sheetId": s.sheet_id} for s in txn.ss.sheets],
            "modifiedTime": rfc3339(f.modified_ms),
            "version": str(f.version),
        },
    )


def seed_file(req: ApiRequest) -> Response:
    """A non-Sheets Drive file, e.g. an uploaded `.xlsx` that was never converted."""
    body = req.json()
    f = req.store.create_file(
        body.get("name", "upload.xlsx"),
        body.get("mimeType", XLSX_MIME),
        body.get("owner", DEFAULT_OWNER),
        body.get("parents"),
        body.get("id"),
    )
    f.content = base64.b64decode(body.get("content_b64", "")) if body.get("content_b64") else b""
    _apply_sharing(f, body)
    return Response(200, {"id": f.id, "mimeType": f.mime_type})


def dump_spreadsheet(req: ApiRequest) -> Response:
    f = _file(req)
    out: dict[str, Any] = {
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "modifiedTime": rfc3339(f.modified_ms),
        "version": str(f.version),
        "permissions": f.permissions,
        "forbidden": f.forbidden,
    }
    ss = req.store.spreadsheets.get(f.id)
    if ss is not None:
        render = req.param("valueRenderOption", "FORMULA") or "FORMULA"
        out["sheets"] = []
        for s in sorted(ss.sheets, key=lambda s: s.props["index"]):
            vr = grid.read_values(ss, a1.quote_title(s.title), render, "SERIAL_NUMBER")
            out["sheets"].append(
                {
                    "title": s.title,
                    "sheetId": s.sheet_id,
                    "properties": s.props,
                    "values": vr.get("values", []),
                    "protectedRanges": s.protected,
                    "conditionalFormats": s.cond_formats,
                    "merges": s.merges,
                    "columnMetadata": {str(k): v for k, v in s.col_meta.items()},
                    "notes": {
                        a1.format_range(s.title, r, c, r + 1, c + 1): cell.note
                        for (r, c), cell in s.cells.items()
                        if cell.note
                    },
                    "validations": {
                        a1.format_range(s.title, r, c, r + 1, c + 1): cell.validation
                        for (r, c), cell in s.cells.items()
                        if cell.validation
                    },
                }
            )
    return Response(200, out)


def edit_as_person(req: ApiRequest) -> Response:
    """A person types into the sheet: values change and `modifiedTime`/`version` move."""
    f = _file(req)
    ss = req.store.spreadsheets.get(f.id)
    if ss is None:
        raise _bad("not a spreadsheet")
    body = req.json()
    txn = grid.Txn(ss)
    grid.write_values(
        txn,
        body["range"],
        body.get("values", []),
        body.get("majorDimension", "ROWS"),
        body.get("input", "USER_ENTERED"),
    )
    req.store.spreadsheets[f.id] = txn.ss
    req.store.touch(f, body.get("by", f.owner))
    return Response(200, {"modifiedTime": rfc3339(f.modified_ms), "version": str(f.version)})


def set_access(req: ApiRequest) -> Response:
    f = _file(req)
    body = req.json()
    if "forbidden" in body:
        f.forbidden = bool(body["forbidden"])
    if body.get("private"):
        f.permissions = [p for p in f.permissions if p.get("role") == "owner"]
    for entry in body.get("share") or []:
        _share(f, entry["email"], entry.get("role", "writer"))
    for email in body.get("unshare") or []:
        f.permissions = [
            p for p in f.permissions if p.get("emailAddress") != email or p.get("role") == "owner"
        ]
    return Response(200, {"id": f.id, "permissions": f.permissions, "forbidden": f.forbidden})


def delete_file(req: ApiRequest) -> Response:
    f = _file(req)
    req.store.files.pop(f.id, None)
    req.store.spreadsheets.pop(f.id, None)
    return Response(200, {"ok": True})
