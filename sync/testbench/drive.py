"""Drive API v3 route handlers: files create/get/list/update/copy/delete and permissions.

Drive hides files the caller cannot see (404 `File not found: <id>.`), lists only visible files,
and answers with `kind`/`id`/`name`/`mimeType` unless `fields` asks for more.
"""

from __future__ import annotations

import base64
import copy
import json
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

from sync.testbench.context import ApiRequest, Response
from sync.testbench.drivequery import compile_query
from sync.testbench.errors import drive_error, drive_file_not_found, drive_invalid_value
from sync.testbench.fields import select
from sync.testbench.state import (
    SERVICE_ACCOUNT_EMAIL,
    SPREADSHEET_MIME,
    DriveFile,
    Store,
    access_rank,
    permission_id_for,
    rfc3339,
)

DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"
DEFAULT_LIST_FIELDS = "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"


def file_resource(store: Store, f: DriveFile, caller: str) -> dict[str, Any]:
    rank = access_rank(f, caller)
    owner_name = f.owner.split("@", 1)[0]
    out: dict[str, Any] = {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "starred": f.starred,
        "trashed": f.trashed,
        "explicitlyTrashed": f.trashed,
        "parents": list(f.parents),
        "version": str(f.version),
        "webViewLink": (
            f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk"
            if f.mime_type == SPREADSHEET_MIME
            else f"https://drive.google.com/file/d/{f.id}/view?usp=drivesdk"
        ),
        "createdTime": rfc3339(f.created_ms),
        "modifiedTime": rfc3339(f.modified_ms),
        "owners": [
            {
                "kind": "drive#user",
                "displayName": owner_name,
                "me": f.owner == caller,
                "permissionId": permission_id_for(f.owner),
                "emailAddress": f.owner,
            }
        ],
        "lastModifyingUser": {
            "kind": "drive#user",
            "displayName": (f.last_modifying or f.owner).split("@", 1)[0],
            "me": (f.last_modifying or f.owner) == caller,
            "emailAddress": f.last_modifying or f.owner,
        },
        "shared": len(f.permissions) > 1,
        "ownedByMe": f.owner == caller,
        "capabilities": {
            "canEdit": rank >= 3,
            "canShare": rank >= 3,
            "canDelete": rank >= 5,
            "canRename": rank >= 3,
        },
    }
    if f.description is not None:
        out["description"] = f.description
    if f.content is not None:
        out["size"] = str(len(f.content))
    if not out["parents"]:
        del out["parents"]
    if rank >= 3:
        out["permissions"] = [copy.deepcopy(p) for p in f.permissions]
    return out


def visible_file(req: ApiRequest, file_id: str, write: bool = False) -> DriveFile:
    f = req.store.files.get(file_id)
    if f is None or f.forbidden:
        raise drive_file_not_found(file_id)
    rank = access_rank(f, req.principal)
    if rank == 0:
        raise drive_file_not_found(file_id)
    if write and rank < 3:
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    return f


def _metadata_and_media(req: ApiRequest) -> tuple[dict, bytes | None]:
    """Plain JSON metadata, or an upload (`uploadType=media|multipart`)."""
    upload = req.param("uploadType")
    if upload is None:
        return req.json(), None
    if upload == "media":
        return {}, req.body
    ctype = req.headers.get("content-type", "")
    msg = BytesParser(policy=default_policy).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body
    )
    parts = list(msg.iter_parts()) if msg.is_multipart() else []
    if not parts:
        raise drive_error(400, "Bad Request", "badRequest")
    meta = json.loads(parts[0].get_content() or "{}")
    media = parts[1].get_payload(decode=True) if len(parts) > 1 else b""
    return meta, media


def create_file(req: ApiRequest) -> Response:
    store = req.store
    meta, media = _metadata_and_media(req)
    mime = meta.get("mimeType") or "application/octet-stream"
    if req.principal == SERVICE_ACCOUNT_EMAIL and not store.settings["service_account_can_own"]:
        raise drive_error(
            403,
            "The user's Drive storage quota has been exceeded.",
            "storageQuotaExceeded",
            domain="usageLimits",
        )
    for parent in meta.get("parents") or []:
        visible_file(req, parent, write=True)
    f = store.create_file(meta.get("name") or "Untitled", mime, req.principal, meta.get("parents"))
    f.description = meta.get("description")
    if media is not None and mime != SPREADSHEET_MIME:
        f.content = media
    resource = file_resource(store, f, req.principal)
    return Response(200, select(resource, req.param("fields") or DEFAULT_FILE_FIELDS))


def copy_file(req: ApiRequest) -> Response:
    store = req.store
    src = visible_file(req, req.match["id"])
    meta = req.json()
    f = store.create_file(
        meta.get("name") or f"Copy of {src.name}",
        src.mime_type,
        req.principal,
        meta.get("parents") or src.parents,
    )
    f.content = src.content
    if src.id in store.spreadsheets:
        clone = copy.deepcopy(store.spreadsheets[src.id])
        clone.id = f.id
        clone.props["title"] = f.name
        store.spreadsheets[f.id] = clone
    return Response(
        200,
        select(file_resource(store, f, req.principal), req.param("fields") or DEFAULT_FILE_FIELDS),
    )


def get_file(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"])
    if req.param("alt") == "media":
        if f.content is None:
            raise drive_error(
                403,
                "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
                "fileNotDownloadable",
                location="alt",
            )
        return Response(200, f.content, {"Content-Type": f.mime_type})
    resource = file_resource(req.store, f, req.principal)
    return Response(200, select(resource, req.param("fields") or DEFAULT_FILE_FIELDS))


def update_file(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"], write=True)
    meta = req.json()
    for key, attr in (
        ("name", "name"),
        ("description", "description"),
        ("starred", "starred"),
        ("trashed", "trashed"),
    ):
        if key in meta:
            setattr(f, attr, meta[key])
    for parent in (req.param("addParents") or "").split(","):
        if parent and parent not in f.parents:
            f.parents.append(parent)
    for parent in (req.param("removeParents") or "").split(","):
        if parent in f.parents:
            f.parents.remove(parent)
    if "name" in meta and f.id in req.store.spreadsheets:
        req.store.spreadsheets[f.id].props["title"] = meta["name"]
    req.store.touch(f, req.principal)
    return Response(
        200,
        select(file_resource(req.store, f, req.principal), req.param("fields") or DEFAULT_FILE_FIELDS),
    )


def delete_file(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"])
    if access_rank(f, req.principal) < 4:
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    req.store.files.pop(f.id, None)
    req.store.spreadsheets.pop(f.id, None)
    return Response(204, None)


def _page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"tb:{offset}".encode()).decode().rstrip("=")


def _page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if not raw.startswith("tb:"):
            raise ValueError(token)
        return int(raw[3:])
    except ValueError:
        raise drive_invalid_value("pageToken") from None


def list_files(req: ApiRequest) -> Response:
    store = req.store
    predicate = compile_query(req.param("q"))
    page_size_text = req.param("pageSize", "100") or "100"
    try:
        page_size = int(page_size_text)
    except ValueError:
        raise drive_invalid_value("pageSize") from None
    if not 1 <= page_size <= 1000:
        raise drive_invalid_value("pageSize")
    who = req.principal
    matches = [
        f for f in store.files.values() if not f.forbidden and access_rank(f, who) > 0 and predicate(f, who)
    ]
    order = (req.param("orderBy") or "").strip()
    if order:
        for spec in reversed([s.strip() for s in order.split(",") if s.strip()]):
            key, _, direction = spec.partition(" ")
            attr = {
                "modifiedTime": "modified_ms",
                "createdTime": "created_ms",
                "name": "name",
                "name_natural": "name",
            }.get(key)
            if attr is None:
                raise drive_invalid_value("orderBy")
            matches.sort(key=lambda f, a=attr: getattr(f, a), reverse=direction.lower() == "desc")
    else:
        matches.sort(key=lambda f: (f.created_ms, f.id))
    offset = _page_offset(req.param("pageToken"))
    page = matches[offset : offset + page_size]
    body: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False}
    if offset + page_size < len(matches):
        body["nextPageToken"] = _page_token(offset + page_size)
    body["files"] = [file_resource(store, f, who) for f in page]
    return Response(200, select(body, req.param("fields") or DEFAULT_LIST_FIELDS))


# --- permissions -----------------------------------------------------------------------------

DEFAULT_PERMISSION_FIELDS = "kind,id,type,role"


def create_permission(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"], write=True)
    body = req.json()
    kind = body.get("type")
    role = body.get("role")
    if kind not in ("user", "group", "domain", "anyone") or role not in (
        "reader",
        "commenter",
        "writer",
        "fileOrganizer",
        "organizer",
        "owner",
    ):
        raise drive_error(400, "Bad Request", "badRequest")
    perm: dict[str, Any] = {
        "kind": "drive#permission",
        "type": kind,
        "role": role,
        "deleted": False,
        "pendingOwner": False,
    }
    if kind in ("user", "group"):
        email = body.get("emailAddress")
        if not email:
            raise drive_error(
                400,
                "The permission type field is required.",
                "required",
                location="permission.emailAddress",
            )
        perm["emailAddress"] = email
        perm["displayName"] = email.split("@", 1)[0]
        perm["id"] = permission_id_for(email)
    elif kind == "domain":
        perm["domain"] = body.get("domain", "")
        perm["id"] = permission_id_for("domain:" + perm["domain"])
    else:
        perm["id"] = "anyoneWithLink"
        perm["allowFileDiscovery"] = bool(body.get("allowFileDiscovery", False))
    f.permissions = [p for p in f.permissions if p["id"] != perm["id"] or p.get("role") == "owner"]
    f.permissions.append(perm)
    req.store.touch(f, content=False)
    return Response(200, select(perm, req.param("fields") or DEFAULT_PERMISSION_FIELDS))


def list_permissions(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"])
    body = {"kind": "drive#permissionList", "permissions": copy.deepcopy(f.permissions)}
    fields = req.param("fields") or "kind,permissions(kind,id,type,role)"
    return Response(200, select(body, fields))


def get_permission(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"])
    perm = next((p for p in f.permissions if p["id"] == req.match["permission"]), None)
    if perm is None:
        raise drive_error(
            404,
            f"Permission not found: {req.match['permission']}.",
            "notFound",
            location="permissionId",
        )
    return Response(200, select(copy.deepcopy(perm), req.param("fields") or DEFAULT_PERMISSION_FIELDS))


def delete_permission(req: ApiRequest) -> Response:
    f = visible_file(req, req.match["id"], write=True)
    pid = req.match["permission"]
    perm = next((p for p in f.permissions if p["id"] == pid), None)
    if perm is None:
        raise drive_error(404, f"Permission not found: {pid}.", "notFound", location="permissionId")
    if perm.get("role") == "owner":
        raise drive_error(403, "The owner of a file cannot be removed.", "cannotRemoveOwner")
    f.permissions.remove(perm)
    req.store.touch(f, content=False)
    return Response(204, None)
