"""`spreadsheets.batchUpdate`: the structural requests a sync/provision tool sends.

All sub-requests run on one copy-on-write `Txn`; the first invalid one aborts the whole batch with
the API's `Invalid requests[i].<kind>: …` 400 and nothing is applied (the API is atomic).
"""

from __future__ import annotations

import copy
import random
import struct
from collections.abc import Callable
from typing import Any

from sync.testbench import grid
from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import ApiError, google_error, invalid_argument
from sync.testbench.fields import MaskSyntaxError, parse_mask
from sync.testbench.sheets import (
    commit,
    grid_range_json,
    open_spreadsheet,
    sheet_properties_json,
    spreadsheet_json,
)
from sync.testbench.state import Sheet, Spreadsheet, grid_limit_error, new_sheet
from sync.testbench.values import Cell


class _Invalid(Exception):
    """A sub-request problem; becomes `Invalid requests[i].<kind>: <message>`."""


Handler = Callable[["Batch", dict], dict | None]


class Batch:
    def __init__(self, req: ApiRequest, txn: grid.Txn) -> None:
        self.req = req
        self.txn = txn

    @property
    def ss(self) -> Spreadsheet:
        return self.txn.ss

    # helpers
    def sheet(self, sheet_id: Any, write: bool = True) -> Sheet:
        sheet = self.ss.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise _Invalid(f"No grid with id: {int(sheet_id or 0)}")
        return self.txn.writable(sheet) if write else sheet

    def rect(self, g: dict, sheet: Sheet) -> tuple[int, int, int, int]:
        r0 = int(g.get("startRowIndex", 0) or 0)
        c0 = int(g.get("startColumnIndex", 0) or 0)
        r1 = int(g["endRowIndex"]) if g.get("endRowIndex") is not None else sheet.rows
        c1 = int(g["endColumnIndex"]) if g.get("endColumnIndex") is not None else sheet.cols
        if r1 > sheet.rows or c1 > sheet.cols or r0 < 0 or c0 < 0:
            raise _Invalid(grid_limit_error(sheet, r0, c0, r1, c1).body["error"]["message"])
        return r0, c0, r1, c1

    def new_sheet_id(self) -> int:
        while True:
            candidate = random.randint(1, 2**31 - 1)
            if self.ss.sheet_by_id(candidate) is None:
                return candidate

    def check_title(self, title: str, exclude: Sheet | None = None) -> None:
        other = self.ss.sheet_by_title(title)
        if (
            other is not None
            and other is not exclude
            and other.sheet_id != getattr(exclude, "sheet_id", None)
        ):
            raise _Invalid(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _apply_fields(target: dict, source: dict, fields: str) -> None:
    """Copy `fields` (comma list of a/b/c or a.b.c paths, `*` for all) from source to target;
    a listed path absent from source is reset, as the API does."""
    if fields.strip() == "*":
        for key, val in source.items():
            if val is not None:
                target[key] = clean(copy.deepcopy(val))
        return
    for path in _mask_paths(fields):
        parts = path.split(".")
        # A colour and its `…Style` twin are one setting: writing one replaces the other.
        twin = _TWINS.get(parts[-1])
        if twin:
            holder: Any = target
            for part in parts[:-1]:
                holder = holder.get(part, {}) if isinstance(holder, dict) else {}
            if isinstance(holder, dict):
                holder.pop(twin, None)
        src: Any = source
        dst = target
        for part in parts[:-1]:
            src = src.get(part, {}) if isinstance(src, dict) else {}
            dst = dst.setdefault(part, {})
        last = parts[-1]
        if isinstance(src, dict) and src.get(last) is not None:
            dst[last] = clean(copy.deepcopy(src[last]))
        else:
            dst.pop(last, None)


def _mask_paths(fields: str) -> list[str]:
    """`a/b,c(d,e)` → ["a.b", "c.d", "c.e"]."""
    try:
        tree = parse_mask(fields)
    except MaskSyntaxError:
        raise _Invalid(f"Invalid field mask: {fields}") from None
    out: list[str] = []

    def walk(node: dict, prefix: str) -> None:
        for key, sub in node.items():
            path = f"{prefix}.{key}" if prefix else key
            if sub:
                walk(sub, path)
            else:
                out.append(path)

    walk(tree, "")
    return out


_COLOR_KEYS = ("red", "green", "blue", "alpha")


_MIRRORS = (
    ("backgroundColor", "backgroundColorStyle"),
    ("foregroundColor", "foregroundColorStyle"),
    ("tabColor", "tabColorStyle"),
)
_TWINS = {a: b for a, b in _MIRRORS} | {b: a for a, b in _MIRRORS}


def _channel(x: float) -> float | int:
    """Sheets keeps 8-bit colour channels and answers them as 32-bit floats."""
    q = int(max(0.0, min(1.0, float(x))) * 255 + 0.5 - 1e-7) / 255  # .5 rounds down
    single = struct.unpack("f", struct.pack("f", q))[0]
    for digits in range(1, 10):  # shortest text that reads back as the same 32-bit float
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    return int(float(text)) if float(text).is_integer() else float(text)


def clean(value: Any) -> Any:
    """Store values as the API answers them: no nulls, no empty colour styles, colour channels
    quantised (zero channels omitted), and every colour mirrored in its `…Style` twin."""
    if isinstance(value, list):
        return [clean(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: clean(v) for k, v in value.items() if v is not None}
    if out and set(out) <= set(_COLOR_KEYS):
        return {k: _channel(v) for k, v in out.items() if _channel(v) != 0 or k == "alpha"}
    for plain, style in _MIRRORS:
        if plain in out and style not in out:
            out[style] = {"rgbColor": out[plain]}
        elif style in out and "rgbColor" in out[style] and plain not in out:
            out[plain] = out[style]["rgbColor"]
        if out.get(style) in ({}, {"rgbColor": {}}) and not out.get(plain):
            out.pop(style, None)
            out.pop(plain, None)
        elif out.get(style) == {} and plain in out:
            out.pop(style, None)
    return out


# --- request kinds ---------------------------------------------------------------------------


def add_sheet(b: Batch, body: dict) -> dict:
    props = body.get("properties") or {}
    title = props.get("title")
    if not title:
        n = len(b.ss.sheets) + 1
        while b.ss.sheet_by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    b.check_title(title)
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = b.new_sheet_id()
    elif b.ss.sheet_by_id(int(sheet_id)) is not None:
        raise _Invalid(f"Sheet with id {sheet_id} already exists.")
    gp = props.get("gridProperties") or {}
    index = int(props.get("index", len(b.ss.sheets)))
    sheet = new_sheet(
        int(sheet_id), title, index, int(gp.get("rowCount", 1000)), int(gp.get("columnCount", 26))
    )
    for key in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if key in gp:
            sheet.props["gridProperties"][key] = gp[key]
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if props.get(key) is not None:
            sheet.props[key] = clean(copy.deepcopy(props[key]))
    if props.get("sheetType", "GRID") != "GRID":
        raise _Invalid("testbench: only GRID sheets are supported")
    for s in b.ss.sheets:
        if s.props["index"] >= index:
            b.txn.writable(s).props["index"] += 1
    b.txn.add_sheet(sheet)
    b.ss.reindex()
    return {"addSheet": {"properties": sheet_properties_json(sheet)}}


def delete_sheet(b: Batch, body: dict) -> None:
    sheet = b.sheet(body.get("sheetId"), write=False)
    if len(b.ss.sheets) == 1:
        raise _Invalid("You can't remove all the sheets in a document.")
    b.ss.sheets = [s for s in b.ss.sheets if s is not sheet]
    b.ss.reindex()
    if all(s.props.get("hidden") for s in b.ss.sheets):
        raise _Invalid("You can't remove all the visible sheets in a document.")


def duplicate_sheet(b: Batch, body: dict) -> dict:
    src = b.sheet(body.get("sourceSheetId"), write=False)
    clone = src.copy()
    new_id = body.get("newSheetId")
    clone.props["sheetId"] = int(new_id) if new_id is not None else b.new_sheet_id()
    title = body.get("newSheetName") or f"Copy of {src.title}"
    b.check_title(title)
    clone.props["title"] = title
    index = int(body.get("insertSheetIndex", len(b.ss.sheets)))
    for s in b.ss.sheets:
        if s.props["index"] >= index:
            b.txn.writable(s).props["index"] += 1
    clone.props["index"] = index
    b.txn.add_sheet(clone)
    b.ss.reindex()
    return {"duplicateSheet": {"properties": sheet_properties_json(clone)}}


def update_sheet_properties(b: Batch, body: dict) -> None:
    props = body.get("properties") or {}
    fields = body.get("fields")
    if not fields:
        raise _Invalid("At least one field must be updated, but none was specified.")
    sheet = b.sheet(props.get("sheetId"))
    old_rows, old_cols = sheet.rows, sheet.cols
    if "title" in props and ("title" in fields or fields == "*"):
        b.check_title(props["title"], exclude=sheet)
    new_props = copy.deepcopy(sheet.props)
    _apply_fields(new_props, props, fields)
    new_props["sheetId"] = sheet.sheet_id
    gp = new_props.setdefault("gridProperties", {})
    gp.setdefault("rowCount", old_rows)
    gp.setdefault("columnCount", old_cols)
    if gp["rowCount"] < 1 or gp["columnCount"] < 1:
        raise _Invalid("Grid must have at least one row and one column.")
    old_index = sheet.props["index"]
    sheet.props = clean(new_props)
    if "index" in props and new_props["index"] != old_index:
        target = int(new_props["index"])
        others = sorted((s for s in b.ss.sheets if s is not sheet), key=lambda s: s.props["index"])
        others.insert(min(target, len(others)), sheet)
        for i, s in enumerate(others):
            b.txn.writable(s).props["index"] = i
        b.ss.reindex()
    if all(s.props.get("hidden") for s in b.ss.sheets):
        raise _Invalid("You can't hide all the sheets in a document.")
    if gp["rowCount"] < old_rows or gp["columnCount"] < old_cols:
        sheet.cells = {
            k: v for k, v in sheet.cells.items() if k[0] < gp["rowCount"] and k[1] < gp["columnCount"]
        }


def update_spreadsheet_properties(b: Batch, body: dict) -> None:
    fields = body.get("fields")
    if not fields:
        raise _Invalid("At least one field must be updated, but none was specified.")
    _apply_fields(b.ss.props, body.get("properties") or {}, fields)


def _cell_fields(cell: Cell | None, data: dict, fields: str) -> dict:
    """The Cell attributes that `fields` (userEnteredValue, userEnteredFormat(.x), note,
    dataValidation, `*`) set from CellData `data`."""
    current = cell or Cell()
    out: dict[str, Any] = {}
    everything = fields.strip() == "*"
    paths = [p.replace(".", "/") for p in _mask_paths(fields)] if not everything else []

    def wants(name: str) -> bool:
        return everything or any(p == name or p.startswith(name + "/") for p in paths)

    if wants("userEnteredValue"):
        value = data.get("userEnteredValue")
        out["user"] = dict(value) if value else None
    if wants("userEnteredFormat"):
        fmt = copy.deepcopy(current.fmt or {})
        sub = [p[len("userEnteredFormat/") :] for p in paths if p.startswith("userEnteredFormat/")]
        src = data.get("userEnteredFormat") or {}
        if everything or "userEnteredFormat" in paths:
            fmt = clean(copy.deepcopy(src))
        else:
            _apply_fields(fmt, src, ",".join(sub))
        out["fmt"] = clean(fmt) or None
    if wants("note"):
        out["note"] = data.get("note") or None
    if wants("dataValidation"):
        out["validation"] = copy.deepcopy(data.get("dataValidation")) or None
    for extra in ("hyperlink", "textFormatRuns"):
        if wants(extra) and extra in data:
            out.setdefault("extra", dict(current.extra))[extra] = copy.deepcopy(data[extra])
    return out


def update_cells(b: Batch, body: dict) -> None:
    fields = body.get("fields")
    if not fields:
        raise _Invalid("At least one field must be updated, but none was specified.")
    rows = body.get("rows") or []
    if "start" in body:
        start = body["start"]
        sheet = b.sheet(start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        height = len(rows)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        r1, c1 = r0 + height, c0 + width
        if r1 > sheet.rows or c1 > sheet.cols:
            raise _Invalid(grid_limit_error(sheet, r0, c0, r1, c1).body["error"]["message"])
        cover = False
    else:
        g = body.get("range") or {}
        sheet = b.sheet(g.get("sheetId"))
        r0, c0, r1, c1 = b.rect(g, sheet)
        cover = True  # cells of the range not in `rows` are cleared for `fields`
    for i in range(r1 - r0):
        values = (rows[i].get("values") or []) if i < len(rows) else []
        for j in range(c1 - c0):
            if j >= len(values) and not cover:
                continue
            data = values[j] if j < len(values) else {}
            r, c = r0 + i, c0 + j
            sheet.set_cell(r, c, **_cell_fields(sheet.cells.get((r, c)), data, fields))


def repeat_cell(b: Batch, body: dict) -> None:
    g = body.get("range") or {}
    fields = body.get("fields")
    if not fields:
        raise _Invalid("At least one field must be updated, but none was specified.")
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    data = body.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            sheet.set_cell(r, c, **_cell_fields(sheet.cells.get((r, c)), data, fields))


def set_data_validation(b: Batch, body: dict) -> None:
    g = body.get("range") or {}
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    rule = copy.deepcopy(body.get("rule")) or None
    for r in range(r0, r1):
        for c in range(c0, c1):
            sheet.set_cell(r, c, validation=rule)


def _dimension_span(b: Batch, rng: dict) -> tuple[Sheet, str, int, int]:
    sheet = b.sheet(rng.get("sheetId"))
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise _Invalid("dimension must be ROWS or COLUMNS")
    size = sheet.rows if dim == "ROWS" else sheet.cols
    start = int(rng.get("startIndex", 0) or 0)
    end = int(rng["endIndex"]) if rng.get("endIndex") is not None else size
    if end > size or start >= end:
        raise _Invalid(
            f"Invalid {'row' if dim == 'ROWS' else 'column'} range [{start}, {end}) "
            f"for a grid with {size} {'rows' if dim == 'ROWS' else 'columns'}."
        )
    return sheet, dim, start, end


def update_dimension_properties(b: Batch, body: dict) -> None:
    fields = body.get("fields")
    if not fields:
        raise _Invalid("At least one field must be updated, but none was specified.")
    sheet, dim, start, end = _dimension_span(b, body.get("range") or {})
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    default = {"pixelSize": 21 if dim == "ROWS" else 100}
    for i in range(start, end):
        entry = copy.deepcopy(meta.get(i, default))
        _apply_fields(entry, body.get("properties") or {}, fields)
        meta[i] = entry


def auto_resize_dimensions(b: Batch, body: dict) -> None:
    sheet, dim, start, end = _dimension_span(b, body.get("dimensions") or {})
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        longest = max(
            (
                len(str(next(iter(cell.user.values()))))
                for (r, c), cell in sheet.cells.items()
                if cell.user is not None and (c if dim == "COLUMNS" else r) == i
            ),
            default=0,
        )
        size = max(21 if dim == "ROWS" else 25, min(longest * 7 + 10, 1000)) if dim == "COLUMNS" else 21
        meta[i] = {**meta.get(i, {}), "pixelSize": size}


def append_dimension(b: Batch, body: dict) -> None:
    sheet = b.sheet(body.get("sheetId"))
    length = int(body.get("length", 0))
    if length < 1:
        raise _Invalid("length must be positive")
    key = "rowCount" if body.get("dimension") == "ROWS" else "columnCount"
    sheet.props["gridProperties"][key] += length


def insert_dimension(b: Batch, body: dict) -> None:
    rng = body.get("range") or {}
    sheet = b.sheet(rng.get("sheetId"))
    dim = rng.get("dimension")
    start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", 0))
    size = sheet.rows if dim == "ROWS" else sheet.cols
    if end <= start or start > size:
        raise _Invalid(f"Invalid dimension range [{start}, {end}).")
    count = end - start
    axis = 0 if dim == "ROWS" else 1
    moved = {}
    for key, cell in sheet.cells.items():
        new = list(key)
        if key[axis] >= start:
            new[axis] += count
        moved[(new[0], new[1])] = cell
    sheet.cells = moved
    sheet.props["gridProperties"]["rowCount" if axis == 0 else "columnCount"] = size + count


def delete_dimension(b: Batch, body: dict) -> None:
    sheet, dim, start, end = _dimension_span(b, body.get("range") or {})
    axis = 0 if dim == "ROWS" else 1
    size = sheet.rows if axis == 0 else sheet.cols
    if end - start >= size:
        raise _Invalid(f"You can't delete all the {'rows' if axis == 0 else 'columns'} on the sheet.")
    count = end - start
    moved = {}
    for key, cell in sheet.cells.items():
        if start <= key[axis] < end:
            continue
        new = list(key)
        if key[axis] >= end:
            new[axis] -= count
        moved[(new[0], new[1])] = cell
    sheet.cells = moved
    sheet.props["gridProperties"]["rowCount" if axis == 0 else "columnCount"] = size - count


def merge_cells(b: Batch, body: dict) -> None:
    g = dict(body.get("range") or {})
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    kind = body.get("mergeType", "MERGE_ALL")
    pieces = []
    if kind == "MERGE_ROWS":
        pieces = [(r, c0, r + 1, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, c, r1, c + 1) for c in range(c0, c1)]
    else:
        pieces = [(r0, c0, r1, c1)]
    for pr0, pc0, pr1, pc1 in pieces:
        kept = []
        for m in sheet.merges:
            overlaps = (
                m["startRowIndex"] < pr1
                and pr0 < m["endRowIndex"]
                and m["startColumnIndex"] < pc1
                and pc0 < m["endColumnIndex"]
            )
            inside = (
                pr0 <= m["startRowIndex"]
                and m["endRowIndex"] <= pr1
                and pc0 <= m["startColumnIndex"]
                and m["endColumnIndex"] <= pc1
            )
            if overlaps and not inside:
                raise _Invalid("You must select all cells in a merged range to merge or unmerge them.")
            if not overlaps:
                kept.append(m)
        sheet.merges = kept
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": pr0,
                "endRowIndex": pr1,
                "startColumnIndex": pc0,
                "endColumnIndex": pc1,
            }
        )
        for r, c in list(sheet.cells):
            if pr0 <= r < pr1 and pc0 <= c < pc1 and (r, c) != (pr0, pc0):
                sheet.set_cell(r, c, user=None)


def unmerge_cells(b: Batch, body: dict) -> None:
    g = body.get("range") or {}
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    sheet.merges = [
        m
        for m in sheet.merges
        if not (
            r0 <= m["startRowIndex"]
            and m["endRowIndex"] <= r1
            and c0 <= m["startColumnIndex"]
            and m["endColumnIndex"] <= c1
        )
    ]


def add_protected_range(b: Batch, body: dict) -> dict:
    pr = copy.deepcopy(body.get("protectedRange") or {})
    pr = {k: v for k, v in pr.items() if v not in (None, False)}
    g = pr.get("range") or {}
    sheet = b.sheet(g.get("sheetId"))
    if g:
        b.rect(g, sheet)
    pr.setdefault("protectedRangeId", random.randint(1, 2**31 - 1))
    pr["requestingUserCanEdit"] = True
    editors = pr.get("editors") or {}
    editors = {k: v for k, v in editors.items() if v}
    reply = {**copy.deepcopy(pr), "editors": copy.deepcopy(editors)}
    if "range" in reply:
        reply["range"] = grid_range_json(reply["range"])
    users = list(editors.get("users", []))
    if b.req.principal not in users:
        users.append(b.req.principal)
    editors["users"] = users
    pr["editors"] = editors
    sheet.protected.append(pr)
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(b: Batch, body: dict) -> None:
    pid = int(body.get("protectedRangeId", -1))
    for sheet in b.ss.sheets:
        if any(int(p.get("protectedRangeId", -2)) == pid for p in sheet.protected):
            w = b.txn.writable(sheet)
            w.protected = [p for p in w.protected if int(p.get("protectedRangeId", -2)) != pid]
            return
    raise _Invalid(f"No protected range with id: {pid}")


def add_conditional_format_rule(b: Batch, body: dict) -> None:
    rule = copy.deepcopy(body.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise _Invalid("Conditional format rule must have at least one range.")
    sheet = b.sheet(ranges[0].get("sheetId"))
    for g in ranges:
        b.rect(g, sheet)
    index = int(body.get("index", len(sheet.cond_formats)))
    sheet.cond_formats.insert(index, rule)


def delete_conditional_format_rule(b: Batch, body: dict) -> dict:
    sheet = b.sheet(body.get("sheetId"))
    index = int(body.get("index", 0))
    if not 0 <= index < len(sheet.cond_formats):
        raise _Invalid(f"No conditional format on sheet: {sheet.sheet_id} at index: {index}")
    rule = sheet.cond_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def set_basic_filter(b: Batch, body: dict) -> None:
    flt = copy.deepcopy(body.get("filter") or {})
    g = flt.get("range") or {}
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    flt["range"] = {
        "sheetId": sheet.sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }
    sheet.basic_filter = flt


def clear_basic_filter(b: Batch, body: dict) -> None:
    b.sheet(body.get("sheetId")).basic_filter = None


def add_named_range(b: Batch, body: dict) -> dict:
    named = copy.deepcopy(body.get("namedRange") or {})
    name = named.get("name", "")
    if not name or any(n["name"] == name for n in b.ss.named_ranges):
        raise _Invalid(f"Named range with name '{name}' already exists or is invalid.")
    g = named.get("range") or {}
    b.rect(g, b.sheet(g.get("sheetId"), write=False))
    named.setdefault("namedRangeId", "".join(random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=12)))
    b.ss.named_ranges.append(named)
    reply = {**copy.deepcopy(named), "range": grid_range_json(named["range"])}
    return {"addNamedRange": {"namedRange": reply}}


def delete_named_range(b: Batch, body: dict) -> None:
    nid = body.get("namedRangeId")
    before = len(b.ss.named_ranges)
    b.ss.named_ranges = [n for n in b.ss.named_ranges if n.get("namedRangeId") != nid]
    if len(b.ss.named_ranges) == before:
        raise _Invalid(f"No named range with id: {nid}")


def update_named_range(b: Batch, body: dict) -> None:
    named = body.get("namedRange") or {}
    target = next((n for n in b.ss.named_ranges if n.get("namedRangeId") == named.get("namedRangeId")), None)
    if target is None:
        raise _Invalid(f"No named range with id: {named.get('namedRangeId')}")
    _apply_fields(target, named, body.get("fields") or "*")


def sort_range(b: Batch, body: dict) -> None:
    g = body.get("range") or {}
    sheet = b.sheet(g.get("sheetId"))
    r0, c0, r1, c1 = b.rect(g, sheet)
    rows = [[sheet.cells.get((r, c)) for c in range(c0, c1)] for r in range(r0, r1)]

    def key_for(spec: dict) -> Callable[[list], Any]:
        col = int(spec.get("dimensionIndex", 0)) - c0

        def key(row: list) -> Any:
            cell = row[col] if 0 <= col < len(row) else None
            val = grid.effective(b.ss, sheet, cell)
            if val is None:
                return (2, 0)
            inner = next(iter(val.values()))
            return (0, inner) if isinstance(inner, (int, float)) else (1, str(inner))

        return key

    for spec in reversed(body.get("sortSpecs") or []):
        rows.sort(key=key_for(spec), reverse=spec.get("sortOrder") == "DESCENDING")
        # Empty cells stay last whatever the order.
        rows.sort(key=lambda row, s=spec: key_for(s)(row)[0] == 2)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is None:
                sheet.cells.pop((r0 + i, c0 + j), None)
            else:
                sheet.cells[(r0 + i, c0 + j)] = cell


def _not_implemented(kind: str) -> Handler:
    def handler(b: Batch, body: dict) -> None:
        raise google_error(
            501, f"testbench: batchUpdate request '{kind}' is not implemented", "NOT_IMPLEMENTED"
        )

    return handler


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "duplicateSheet": duplicate_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "setDataValidation": set_data_validation,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
    "updateNamedRange": update_named_range,
    "sortRange": sort_range,
}
KNOWN_UNIMPLEMENTED = (
    "updateBorders",
    "addBanding",
    "updateBanding",
    "deleteBanding",
    "addChart",
    "updateChartSpec",
    "deleteEmbeddedObject",
    "findReplace",
    "copyPaste",
    "cutPaste",
    "pasteData",
    "textToColumns",
    "addDimensionGroup",
    "deleteDimensionGroup",
    "updateDimensionGroup",
    "addFilterView",
    "deleteFilterView",
    "updateFilterView",
    "updateProtectedRange",
    "updateConditionalFormatRule",
    "moveDimension",
    "insertRange",
    "deleteRange",
    "trimWhitespace",
    "deleteDuplicates",
    "createDeveloperMetadata",
    "updateDeveloperMetadata",
    "deleteDeveloperMetadata",
    "randomizeRange",
    "addSlicer",
    "updateSlicerSpec",
    "updateEmbeddedObjectPosition",
    "autoFill",
    "appendCells",
    "updateEmbeddedObjectBorder",
    "addTable",
    "deleteTable",
    "updateTable",
    "cancelDataSourceRefresh",
    "refreshDataSource",
    "addDataSource",
)
for _kind in KNOWN_UNIMPLEMENTED:
    HANDLERS.setdefault(_kind, _not_implemented(_kind))


def batch_update(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    body = req.json()
    requests = body.get("requests")
    if not isinstance(requests, list):
        raise invalid_argument("Invalid JSON payload received. 'requests' must be a list.")
    txn = grid.Txn(ss)
    batch = Batch(req, txn)
    replies: list[dict] = []
    for i, item in enumerate(requests):
        if not isinstance(item, dict) or len(item) != 1:
            raise invalid_argument(f"Invalid requests[{i}]: a request must set exactly one kind of request.")
        kind, payload = next(iter(item.items()))
        handler = HANDLERS.get(kind)
        if handler is None:
            raise invalid_argument(
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': "
                "Cannot find field."
            )
        try:
            reply = handler(batch, payload or {})
        except _Invalid as exc:
            raise invalid_argument(f"Invalid requests[{i}].{kind}: {exc}") from None
        except ApiError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise invalid_argument(f"Invalid requests[{i}].{kind}: {exc}") from None
        replies.append(reply or {})
    commit(req.store, file, txn, req.principal)
    out: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = spreadsheet_json(
            txn.ss, bool(body.get("responseIncludeGridData")), body.get("responseRanges")
        )
    return Response(200, out)
