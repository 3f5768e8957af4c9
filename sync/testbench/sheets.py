"""Sheets API v4 route handlers: spreadsheets.create/get and every `values.*` method.

`spreadsheets.batchUpdate` lives in `batch.py`. Each write runs on a `Txn` and is committed only
when every part succeeded; a commit moves the Drive file's `modifiedTime` and `version`.
"""

from __future__ import annotations

import copy
from typing import Any

from sync.testbench import a1, grid
from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import (
    google_error,
    invalid_argument,
    not_a_spreadsheet,
    sheets_forbidden,
    sheets_not_found,
)
from sync.testbench.fields import select
from sync.testbench.state import (
    SPREADSHEET_MIME,
    DriveFile,
    Sheet,
    Spreadsheet,
    Store,
    access_rank,
    default_spreadsheet_properties,
    new_sheet,
)

VALUE_RENDER = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_RENDER = ("SERIAL_NUMBER", "FORMATTED_STRING")


def open_spreadsheet(req: ApiRequest, write: bool) -> tuple[DriveFile, Spreadsheet]:
    """Access rules: unknown id → 404; not shared with the caller → 403; read-only share and a
    write → 403; a Drive file that is not a Google Sheet (an uploaded .xlsx) → 400."""
    store = req.store
    sid = req.match["id"]
    file = store.files.get(sid)
    if file is None:
        raise sheets_not_found()
    rank = access_rank(file, req.principal)
    if file.forbidden or rank == 0 or (write and rank < 3):
        raise sheets_forbidden()
    if file.mime_type != SPREADSHEET_MIME or sid not in store.spreadsheets:
        raise not_a_spreadsheet()
    return file, store.spreadsheets[sid]


def commit(store: Store, file: DriveFile, txn: grid.Txn, actor: str) -> None:
    store.spreadsheets[file.id] = txn.ss
    file.name = txn.ss.props.get("title", file.name)
    store.touch(file, actor)


# --- spreadsheets.get / create ---------------------------------------------------------------


def grid_range_json(g: dict) -> dict:
    out = {k: v for k, v in g.items() if v is not None}
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def sheet_properties_json(sheet: Sheet) -> dict:
    props = copy.deepcopy(sheet.props)
    for key in ("hidden", "rightToLeft"):
        if not props.get(key):
            props.pop(key, None)
    gp = props.get("gridProperties", {})
    for key in (
        "frozenRowCount",
        "frozenColumnCount",
        "hideGridlines",
        "rowGroupControlAfter",
        "columnGroupControlAfter",
    ):
        if not gp.get(key):
            gp.pop(key, None)
    return props


def sheet_json(
    ss: Spreadsheet, sheet: Sheet, with_data: bool, rects: list[tuple[int, int, int, int]] | None
) -> dict:
    out: dict[str, Any] = {"properties": sheet_properties_json(sheet)}
    if with_data:
        rects = rects or [(0, 0, sheet.rows, sheet.cols)]
        out["data"] = [grid.grid_data(ss, sheet, *rect) for rect in rects]
    if sheet.merges:
        out["merges"] = [grid_range_json(m) for m in sheet.merges]
    if sheet.cond_formats:
        out["conditionalFormats"] = copy.deepcopy(sheet.cond_formats)
    if sheet.protected:
        out["protectedRanges"] = [
            {**copy.deepcopy(p), "range": grid_range_json(p["range"])} if "range" in p else p
            for p in sheet.protected
        ]
    if sheet.basic_filter:
        bf = copy.deepcopy(sheet.basic_filter)
        bf["range"] = grid_range_json(bf.get("range", {}))
        out["basicFilter"] = bf
    return out


def spreadsheet_json(ss: Spreadsheet, with_data: bool = False, ranges: list[str] | None = None) -> dict:
    out: dict[str, Any] = {"spreadsheetId": ss.id, "properties": copy.deepcopy(ss.props)}
    if ranges:
        wanted: dict[int, list[tuple[int, int, int, int]]] = {}
        for text in ranges:
            sheet, r0, c0, r1, c1 = grid.resolve_read(ss, text)
            wanted.setdefault(sheet.sheet_id, []).append((r0, c0, r1, c1))
        out["sheets"] = [
            sheet_json(ss, s, with_data, wanted[s.sheet_id])
            for s in sorted(ss.sheets, key=lambda s: s.props["index"])
            if s.sheet_id in wanted
        ]
    else:
        out["sheets"] = [
            sheet_json(ss, s, with_data, None) for s in sorted(ss.sheets, key=lambda s: s.props["index"])
        ]
    if ss.named_ranges:
        out["namedRanges"] = [
            {**copy.deepcopy(n), "range": grid_range_json(n["range"])} for n in ss.named_ranges
        ]
    out["spreadsheetUrl"] = ss.url()
    return out


def get_spreadsheet(req: ApiRequest) -> Response:
    _, ss = open_spreadsheet(req, write=False)
    fields = req.param("fields")
    # A field mask that reaches into grid data returns it even without includeGridData.
    with_data = req.flag("includeGridData") or bool(fields and "data" in fields.replace("dataValidation", ""))
    body = spreadsheet_json(ss, with_data, req.param_list("ranges"))
    return Response(200, select(body, fields))


def create_spreadsheet(req: ApiRequest) -> Response:
    store = req.store
    body = req.json()
    props = body.get("properties") or {}
    title = props.get("title") or "Untitled spreadsheet"
    file = store.create_file(title, SPREADSHEET_MIME, req.principal)
    ss = store.spreadsheets[file.id]
    ss.props = default_spreadsheet_properties(
        title, props.get("locale", "en_US"), props.get("timeZone", "Etc/GMT")
    )
    sheets_in = body.get("sheets") or []
    if sheets_in:
        ss.sheets = []
        for i, spec in enumerate(sheets_in):
            sp = spec.get("properties") or {}
            gp = sp.get("gridProperties") or {}
            sheet = new_sheet(
                int(sp.get("sheetId", 0 if i == 0 else _new_sheet_id(ss))),
                sp.get("title") or f"Sheet{i + 1}",
                i,
                int(gp.get("rowCount", 1000)),
                int(gp.get("columnCount", 26)),
            )
            for key in ("frozenRowCount", "frozenColumnCount"):
                if key in gp:
                    sheet.props["gridProperties"][key] = gp[key]
            ss.sheets.append(sheet)
    return Response(200, select(spreadsheet_json(ss), req.param("fields")))


def _new_sheet_id(ss: Spreadsheet) -> int:
    import random

    while True:
        candidate = random.randint(1, 2**31 - 1)
        if ss.sheet_by_id(candidate) is None:
            return candidate


# --- values ----------------------------------------------------------------------------------


def _render_options(req: ApiRequest, body: dict | None = None) -> tuple[str, str, str]:
    src = body or {}
    value_render = src.get("valueRenderOption") or req.param("valueRenderOption") or "FORMATTED_VALUE"
    date_render = src.get("dateTimeRenderOption") or req.param("dateTimeRenderOption") or "SERIAL_NUMBER"
    major = src.get("majorDimension") or req.param("majorDimension") or "ROWS"
    if value_render not in VALUE_RENDER:
        raise invalid_argument(
            f"Invalid value at 'value_render_option' (type.googleapis.com/"
            f'google.apps.sheets.v4.ValueRenderOption), "{value_render}"'
        )
    if date_render not in DATE_RENDER:
        raise invalid_argument(
            f"Invalid value at 'date_time_render_option' (type.googleapis.com/"
            f'google.apps.sheets.v4.DateTimeRenderOption), "{date_render}"'
        )
    if major not in ("ROWS", "COLUMNS"):
        raise invalid_argument(
            f"Invalid value at 'major_dimension' (type.googleapis.com/"
            f'google.apps.sheets.v4.Dimension), "{major}"'
        )
    return value_render, date_render, major


def values_get(req: ApiRequest) -> Response:
    _, ss = open_spreadsheet(req, write=False)
    value_render, date_render, major = _render_options(req)
    body = grid.read_values(ss, req.match["range"], value_render, date_render, major)
    return Response(200, select(body, req.param("fields")))


def values_batch_get(req: ApiRequest) -> Response:
    _, ss = open_spreadsheet(req, write=False)
    value_render, date_render, major = _render_options(req)
    ranges = req.param_list("ranges")
    body: dict[str, Any] = {"spreadsheetId": ss.id}
    if ranges:
        body["valueRanges"] = [
            grid.read_values(ss, text, value_render, date_render, major) for text in ranges
        ]
    return Response(200, select(body, req.param("fields")))


def values_batch_get_by_data_filter(req: ApiRequest) -> Response:
    _, ss = open_spreadsheet(req, write=False)
    body_in = req.json()
    value_render, date_render, major = _render_options(req, body_in)
    out = []
    for flt in body_in.get("dataFilters") or []:
        text = flt.get("a1Range")
        if text is None and "gridRange" in flt:
            text = _grid_range_a1(ss, flt["gridRange"])
        if text is None:
            raise google_error(501, "testbench: only a1Range and gridRange data filters")
        out.append(
            {
                "valueRange": grid.read_values(ss, text, value_render, date_render, major),
                "dataFilters": [flt],
            }
        )
    body: dict[str, Any] = {"spreadsheetId": ss.id}
    if out:
        body["valueRanges"] = out
    return Response(200, body)


def _grid_range_a1(ss: Spreadsheet, g: dict) -> str:
    sheet = ss.sheet_by_id(int(g.get("sheetId", 0)))
    if sheet is None:
        raise invalid_argument(f"No grid with id: {g.get('sheetId', 0)}")
    return a1.format_range(
        sheet.title,
        g.get("startRowIndex", 0),
        g.get("startColumnIndex", 0),
        g.get("endRowIndex", sheet.rows),
        g.get("endColumnIndex", sheet.cols),
    )


def _updated_data(ss: Spreadsheet, result: dict, req: ApiRequest, body: dict) -> dict:
    value_render = (
        body.get("responseValueRenderOption") or req.param("responseValueRenderOption") or "FORMATTED_VALUE"
    )
    date_render = (
        body.get("responseDateTimeRenderOption")
        or req.param("responseDateTimeRenderOption")
        or "SERIAL_NUMBER"
    )
    return grid.read_values(ss, result["updatedRange"], value_render, date_render)


def values_update(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    body = req.json()
    option = grid.check_input_option(req.param("valueInputOption"))
    txn = grid.Txn(ss)
    result = grid.write_values(
        txn,
        req.match["range"],
        body.get("values", []),
        body.get("majorDimension") or "ROWS",
        option,
    )
    result.pop("_touched")
    commit(req.store, file, txn, req.principal)
    out = {"spreadsheetId": ss.id, **result}
    if req.flag("includeValuesInResponse"):
        out["updatedData"] = _updated_data(txn.ss, result, req, {})
    return Response(200, out)


def values_batch_update(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    body = req.json()
    option = grid.check_input_option(body.get("valueInputOption"))
    txn = grid.Txn(ss)
    responses = []
    rows: set[tuple[int, int]] = set()
    cols: set[tuple[int, int]] = set()
    sheets: set[int] = set()
    cells = 0
    for i, item in enumerate(body.get("data") or []):
        result = grid.write_values(
            txn,
            item.get("range", ""),
            item.get("values", []),
            item.get("majorDimension") or "ROWS",
            option,
            field_name=f"data[{i}].values",
        )
        sheet_id, r_set, c_set = result.pop("_touched")
        rows |= {(sheet_id, r) for r in r_set}
        cols |= {(sheet_id, c) for c in c_set}
        if r_set:
            sheets.add(sheet_id)
        cells += result.get("updatedCells", 0)
        entry = {"spreadsheetId": ss.id, **result}
        responses.append(entry)
    commit(req.store, file, txn, req.principal)
    if body.get("includeValuesInResponse"):
        for entry in responses:
            entry["updatedData"] = _updated_data(txn.ss, entry, req, body)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if cells:
        out.update(
            totalUpdatedRows=len(rows),
            totalUpdatedColumns=len(cols),
            totalUpdatedCells=cells,
            totalUpdatedSheets=len(sheets),
        )
    if responses:
        out["responses"] = responses
    return Response(200, out)


def values_append(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    body = req.json()
    option = grid.check_input_option(req.param("valueInputOption"))
    insert = req.param("insertDataOption", "OVERWRITE")
    txn = grid.Txn(ss)
    sheet, r0, c0, r1, c1 = grid.resolve_read(txn.ss, req.match["range"])
    whole = txn.ss.resolve(req.match["range"])[1] is None
    table = grid.find_table(sheet, r0, c0, r1, c1, whole_sheet=whole)
    if table is None:
        start_r, start_c = r0, c0
    else:
        start_r, start_c = table[2], table[1]
    values = body.get("values", [])
    matrix = grid._matrix(values, body.get("majorDimension") or "ROWS", "data.values")
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    if width and start_c + width > sheet.cols:
        raise grid.grid_limit_error(sheet, start_r, start_c, start_r + height, start_c + width)
    sheet = txn.writable(sheet)
    if insert == "INSERT_ROWS":
        grid.shift_rows(sheet, start_r, height)
    elif start_r + height > sheet.rows:
        sheet.props["gridProperties"]["rowCount"] = start_r + height
    result = grid.write_values(
        txn,
        "",
        values,
        body.get("majorDimension") or "ROWS",
        option,
        origin=(sheet, start_r, start_c),
    )
    result.pop("_touched")
    commit(req.store, file, txn, req.principal)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if table is not None:
        out["tableRange"] = a1.format_range(sheet.title, *table[:2], *table[2:])
    updates = {"spreadsheetId": ss.id, **result}
    if req.flag("includeValuesInResponse"):
        updates["updatedData"] = _updated_data(txn.ss, result, req, {})
    out["updates"] = updates
    return Response(200, out)


def values_clear(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    txn = grid.Txn(ss)
    cleared = grid.clear_values(txn, req.match["range"])
    commit(req.store, file, txn, req.principal)
    return Response(200, {"spreadsheetId": ss.id, "clearedRange": cleared})


def values_batch_clear(req: ApiRequest) -> Response:
    file, ss = open_spreadsheet(req, write=True)
    body = req.json()
    txn = grid.Txn(ss)
    cleared = [grid.clear_values(txn, text) for text in body.get("ranges") or []]
    commit(req.store, file, txn, req.principal)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if cleared:
        out["clearedRanges"] = cleared
    return Response(200, out)
