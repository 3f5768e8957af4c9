"""Reading and writing cell rectangles: what `values.*` and grid data are built on."""

from __future__ import annotations

import copy
import json
from typing import Any

from sync.testbench import a1
from sync.testbench.errors import invalid_argument
from sync.testbench.formula import evaluate
from sync.testbench.state import Sheet, Spreadsheet, bounds, grid_limit_error
from sync.testbench.values import (
    Cell,
    formatted,
    number_format,
    parse_raw,
    parse_user_entered,
    render,
)

MAX_DEPTH = 40


class Txn:
    """Copy-on-write view of a spreadsheet: sheets are copied the first time they are changed,
    so a failed batch is dropped by simply not committing."""

    def __init__(self, ss: Spreadsheet) -> None:
        self.original = ss
        self.ss = Spreadsheet(
            id=ss.id,
            props=copy.deepcopy(ss.props),
            sheets=list(ss.sheets),
            named_ranges=copy.deepcopy(ss.named_ranges),
        )
        self._copied: set[int] = set()

    def writable(self, sheet: Sheet) -> Sheet:
        key = id(sheet)
        if key in self._copied:
            return sheet
        for i, s in enumerate(self.ss.sheets):
            if s is sheet:
                clone = sheet.copy()
                self.ss.sheets[i] = clone
                self._copied.add(id(clone))
                return clone
        return sheet

    def add_sheet(self, sheet: Sheet) -> None:
        self.ss.sheets.append(sheet)
        self._copied.add(id(sheet))


# --- effective values ------------------------------------------------------------------------


def effective(ss: Spreadsheet, sheet: Sheet, cell: Cell | None, depth: int = 0) -> dict | None:
    if cell is None or cell.user is None:
        return None
    if "formulaValue" not in cell.user:
        return cell.user
    if depth > MAX_DEPTH:
        return {"errorValue": {"type": "REF", "message": "Circular dependency detected."}}

    def resolve(title: str | None, rng: a1.CellRange) -> list[list[dict | None]]:
        target = sheet if title is None else ss.sheet_by_title(title)
        if target is None:
            raise ValueError(title)
        r0, c0, r1, c1 = bounds(target, rng)
        r1, c1 = min(r1, target.rows), min(c1, target.cols)
        return [
            [effective(ss, target, target.cells.get((r, c)), depth + 1) for c in range(c0, c1)]
            for r in range(r0, r1)
        ]

    return evaluate(cell.user["formulaValue"], resolve)


def cell_json(ss: Spreadsheet, sheet: Sheet, cell: Cell) -> dict[str, Any]:
    """CellData as `includeGridData` returns it."""
    out: dict[str, Any] = {}
    locale = ss.props.get("locale", "en_US")
    if cell.user is not None:
        eff = effective(ss, sheet, cell)
        out["userEnteredValue"] = _json_value(cell.user)
        if eff is not None:
            out["effectiveValue"] = _json_value(eff)
        text = formatted(eff, number_format(cell), locale)
        if text is not None:
            out["formattedValue"] = text
    if cell.fmt:
        out["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.user is not None or cell.fmt:
        eff_fmt = copy.deepcopy(ss.props.get("defaultFormat", {}))
        for key, val in (cell.fmt or {}).items():
            if isinstance(val, dict) and isinstance(eff_fmt.get(key), dict):
                eff_fmt[key].update(val)
            else:
                eff_fmt[key] = copy.deepcopy(val)
        out["effectiveFormat"] = eff_fmt
    if cell.note:
        out["note"] = cell.note
    if cell.validation:
        out["dataValidation"] = copy.deepcopy(cell.validation)
    for key, val in cell.extra.items():
        out[key] = copy.deepcopy(val)
    return out


def _json_value(v: dict) -> dict:
    from sync.testbench.values import number_json

    if "numberValue" in v:
        return {"numberValue": number_json(v["numberValue"])}
    return dict(v)


def grid_data(ss: Spreadsheet, sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> dict:
    rows: dict[int, dict[int, dict]] = {}
    for (r, c), cell in sheet.cells.items():
        if r0 <= r < r1 and c0 <= c < c1:
            data = cell_json(ss, sheet, cell)
            if data:
                rows.setdefault(r, {})[c] = data
    out: dict[str, Any] = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    if rows:
        last = max(rows)
        row_data = []
        for r in range(r0, last + 1):
            cells = rows.get(r)
            if not cells:
                row_data.append({})
                continue
            width = max(cells) + 1
            row_data.append({"values": [cells.get(c, {}) for c in range(c0, width)]})
        out["rowData"] = row_data
    out["rowMetadata"] = [sheet.row_meta.get(r, {"pixelSize": 21}) for r in range(r0, min(r1, sheet.rows))]
    out["columnMetadata"] = [
        sheet.col_meta.get(c, {"pixelSize": 100}) for c in range(c0, min(c1, sheet.cols))
    ]
    return out


# --- values ----------------------------------------------------------------------------------


def resolve_read(ss: Spreadsheet, text: str) -> tuple[Sheet, int, int, int, int]:
    """Range of a read, clamped to the grid; a start outside the grid is the API's 400."""
    sheet, rng = ss.resolve(text)
    r0, c0, r1, c1 = bounds(sheet, rng)
    if r0 >= sheet.rows or c0 >= sheet.cols:
        raise grid_limit_error(sheet, r0, c0, r1, c1)
    return sheet, r0, c0, min(r1, sheet.rows), min(c1, sheet.cols)


def read_values(
    ss: Spreadsheet,
    text: str,
    value_render: str = "FORMATTED_VALUE",
    date_render: str = "SERIAL_NUMBER",
    major: str = "ROWS",
) -> dict[str, Any]:
    """A ValueRange: trailing empty rows/cells dropped, no `values` key when empty."""
    sheet, r0, c0, r1, c1 = resolve_read(ss, text)
    locale = ss.props.get("locale", "en_US")
    found: dict[tuple[int, int], Any] = {}
    for (r, c), cell in sheet.cells.items():
        if r0 <= r < r1 and c0 <= c < c1 and cell.user is not None:
            value = render(
                cell.user,
                effective(ss, sheet, cell),
                number_format(cell),
                value_render,
                date_render,
                locale,
            )
            if value is not None and value != "":
                found[(r - r0, c - c0)] = value
    out: dict[str, Any] = {
        "range": a1.format_range(sheet.title, r0, c0, r1, c1),
        "majorDimension": major,
    }
    if found:
        if major == "COLUMNS":
            found = {(c, r): v for (r, c), v in found.items()}
        lines: dict[int, dict[int, Any]] = {}
        for (i, j), v in found.items():
            lines.setdefault(i, {})[j] = v
        out["values"] = [
            [lines[i].get(j, "") for j in range(max(lines[i]) + 1)] if i in lines else []
            for i in range(max(lines) + 1)
        ]
    return out


def _matrix(values: Any, major: str, field_name: str) -> list[list[Any]]:
    if not isinstance(values, list):
        raise _list_value_error(field_name, values)
    for i, line in enumerate(values):
        if not isinstance(line, list):
            raise _list_value_error(f"{field_name}[{i}]", line)
    if major != "COLUMNS":
        return values
    height = max((len(col) for col in values), default=0)
    missing = object()
    rows = [[col[r] if r < len(col) else missing for col in values] for r in range(height)]
    return [[None if v is missing else v for v in row] for row in rows]


def _list_value_error(field_name: str, value: Any) -> Exception:
    shown = json.dumps(value, ensure_ascii=False)
    message = f"Invalid value at '{field_name}' (type.googleapis.com/google.protobuf.ListValue), {shown}"
    from sync.testbench.errors import google_error

    return google_error(
        400,
        message,
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": field_name, "description": message}],
            }
        ],
    )


def check_input_option(option: str | None) -> str:
    if option in ("RAW", "USER_ENTERED"):
        return option
    if option is None:
        raise invalid_argument("'valueInputOption' is required but not specified")
    raise invalid_argument(
        f"Invalid value at 'value_input_option' (type.googleapis.com/"
        f'google.apps.sheets.v4.ValueInputOption), "{option}"'
    )


def write_values(
    txn: Txn,
    text: str,
    values: Any,
    major: str,
    input_option: str,
    field_name: str = "data.values",
    origin: tuple[Sheet, int, int] | None = None,
) -> dict[str, Any]:
    """Write a block; returns an UpdateValuesResponse (without spreadsheetId)."""
    matrix = _matrix(values, major or "ROWS", field_name)
    if origin is not None:
        sheet, r0, c0 = origin
        rng = None
    else:
        sheet, rng = txn.ss.resolve(text)
        r0 = (rng.start_row or 0) if rng else 0
        c0 = (rng.start_col or 0) if rng else 0
    height = len(matrix)
    width = max((len(row) for row in matrix), default=0)
    if rng is not None and not rng.single:
        limit_r = rng.end_row
        limit_c = rng.end_col
        requested = a1.format_range(sheet.title, r0, c0, limit_r or sheet.rows, limit_c or sheet.cols)
        if limit_r is not None and r0 + height > limit_r:
            raise invalid_argument(
                f"Requested writing within range [{requested}], but tried writing to row [{r0 + height}]"
            )
        if limit_c is not None and c0 + width > limit_c:
            raise invalid_argument(
                f"Requested writing within range [{requested}], but tried writing to column "
                f"[{a1.index_to_col(c0 + width - 1)}]"
            )
    if height and width and (r0 + height > sheet.rows or c0 + width > sheet.cols):
        raise grid_limit_error(sheet, r0, c0, r0 + height, c0 + width)
    sheet = txn.writable(sheet)
    locale = txn.ss.props.get("locale", "en_US")
    rows_touched: set[int] = set()
    cols_touched: set[int] = set()
    cells = 0
    for i, row in enumerate(matrix):
        for j, raw in enumerate(row):
            if raw is None:
                continue
            r, c = r0 + i, c0 + j
            store_value(sheet, r, c, raw, input_option, locale)
            rows_touched.add(r)
            cols_touched.add(c)
            cells += 1
    out: dict[str, Any] = {
        "updatedRange": a1.format_range(sheet.title, r0, c0, r0 + max(height, 1), c0 + max(width, 1)),
    }
    if cells:
        out.update(updatedRows=len(rows_touched), updatedColumns=len(cols_touched), updatedCells=cells)
    out["_touched"] = (sheet.sheet_id, rows_touched, cols_touched)
    return out


def store_value(sheet: Sheet, r: int, c: int, raw: Any, input_option: str, locale: str) -> None:
    old = sheet.cells.get((r, c))
    if input_option == "RAW":
        user, numfmt = parse_raw(raw), None
    else:
        user, numfmt = parse_user_entered(raw, locale)
    fmt = old.fmt if old else None
    if numfmt is not None and not (fmt or {}).get("numberFormat"):
        fmt = dict(fmt or {})
        fmt["numberFormat"] = numfmt
    sheet.set_cell(r, c, user=user, fmt=fmt)


def clear_values(txn: Txn, text: str) -> str:
    sheet, r0, c0, r1, c1 = resolve_read(txn.ss, text)
    sheet = txn.writable(sheet)
    for (r, c), cell in list(sheet.cells.items()):
        if r0 <= r < r1 and c0 <= c < c1 and cell.user is not None:
            sheet.set_cell(r, c, user=None)
    return a1.format_range(sheet.title, r0, c0, r1, c1)


def find_table(
    sheet: Sheet, r0: int, c0: int, r1: int, c1: int, whole_sheet: bool = False
) -> tuple[int, int, int, int] | None:
    """The 'table' `values.append` appends to: the block of filled cells connected to the range's
    first cell when a range was given and that cell is filled, else to the last filled cell
    (row-major) — what the API answers as `tableRange` in gspread's recordings."""
    filled = {
        (r, c)
        for (r, c), cell in sheet.cells.items()
        if cell.user is not None and r0 <= r < r1 and c0 <= c < c1
    }
    if not filled:
        return None
    start = (r0, c0) if (r0, c0) in filled and not whole_sheet else max(filled)
    seen = {start}
    todo = [start]
    while todo:
        r, c = todo.pop()
        for nb in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nb in filled and nb not in seen:
                seen.add(nb)
                todo.append(nb)
    rows = [r for r, _ in seen]
    cols = [c for _, c in seen]
    return min(rows), min(cols), max(rows) + 1, max(cols) + 1


def shift_rows(sheet: Sheet, at: int, count: int) -> None:
    """Insert `count` empty rows before row `at` (cells move down)."""
    moved = {}
    for (r, c), cell in sheet.cells.items():
        moved[(r + count, c) if r >= at else (r, c)] = cell
    sheet.cells = moved
    sheet.props["gridProperties"]["rowCount"] = sheet.rows + count
