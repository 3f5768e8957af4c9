"""Sheets API formatting requests shared by the master writer and `provision`.

The look follows the `.xlsx` master (`sync.backends.xlsx`): dark-blue bold header with white
text, wrapped and vertically centred, frozen; number formats per column kind; column widths from
`catalog.Column.width` (characters → pixels); green/red/yellow/grey fills for highlighted values.
"""

from __future__ import annotations

from typing import Any

# Column kind → Sheets NumberFormat (same patterns as the .xlsx master).
NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "int": {"type": "NUMBER", "pattern": "#,##0"},
    "money": {"type": "NUMBER", "pattern": "#,##0"},
    "percent": {"type": "PERCENT", "pattern": "0.0%"},
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "datetime": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"},
}
FILLS = {"green": "#C6EFCE", "red": "#FFC7CE", "yellow": "#FFEB9C", "grey": "#EDEDED"}
FONTS = {"green": "#006100", "red": "#9C0006", "yellow": "#9C5700", "grey": "#3A3A3A"}
HEADER_FILL = "#1F4E78"
HEADER_BORDER = "#BFBFBF"
HEADER_HEIGHT_PX = 42  # the .xlsx header row is 32 pt
NOTE_FONT = "#9C0006"


def rgb(hex_colour: str) -> dict[str, float]:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(r, 7), "green": round(g, 7), "blue": round(b, 7)}


def width_px(chars: int) -> int:
    """Excel column width in characters → pixels (Calibri 11: 7 px a character + padding)."""
    return int(chars * 7 + 12)


def grid_range(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1,
            "startColumnIndex": c0, "endColumnIndex": c1}


def header_format() -> dict[str, Any]:
    border = {"style": "SOLID", "color": rgb(HEADER_BORDER)}
    return {
        "backgroundColor": rgb(HEADER_FILL),
        "textFormat": {"bold": True, "foregroundColor": rgb("#FFFFFF")},
        "wrapStrategy": "WRAP",
        "verticalAlignment": "MIDDLE",
        "borders": {"top": border, "bottom": border, "left": border, "right": border},
    }


def header_request(sheet_id: int, row: int, columns: int) -> dict[str, Any]:
    return {"repeatCell": {
        "range": grid_range(sheet_id, row, row + 1, 0, columns),
        "cell": {"userEnteredFormat": header_format()},
        "fields": "userEnteredFormat(backgroundColor,textFormat,wrapStrategy,verticalAlignment,"
                  "borders)",
    }}


def column_format_request(sheet_id: int, r0: int, r1: int, col: int, kind: str,
                          wrap: bool = False) -> dict[str, Any]:
    fmt: dict[str, Any] = {"verticalAlignment": "TOP"}
    fields = ["verticalAlignment"]
    if kind in NUMBER_FORMATS:
        fmt["numberFormat"] = dict(NUMBER_FORMATS[kind])
        fields.append("numberFormat")
    if wrap:
        fmt["wrapStrategy"] = "WRAP"
        fields.append("wrapStrategy")
    return {"repeatCell": {
        "range": grid_range(sheet_id, r0, r1, col, col + 1),
        "cell": {"userEnteredFormat": fmt},
        "fields": f"userEnteredFormat({','.join(fields)})",
    }}


def width_request(sheet_id: int, col: int, pixels: int) -> dict[str, Any]:
    return {"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col,
                  "endIndex": col + 1},
        "properties": {"pixelSize": pixels}, "fields": "pixelSize"}}


def row_height_request(sheet_id: int, row: int, pixels: int) -> dict[str, Any]:
    return {"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": row,
                  "endIndex": row + 1},
        "properties": {"pixelSize": pixels}, "fields": "pixelSize"}}


def highlight_request(sheet_id: int, r0: int, r1: int, col: int, value: str,
                      colour: str) -> dict[str, Any]:
    """Cells equal to `value` get the colour's fill and font (like the .xlsx conditional format)."""
    return {"addConditionalFormatRule": {"index": 0, "rule": {
        "ranges": [grid_range(sheet_id, r0, r1, col, col + 1)],
        "booleanRule": {
            "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": value}]},
            "format": {"backgroundColor": rgb(FILLS[colour]),
                       "textFormat": {"foregroundColor": rgb(FONTS[colour])}},
        },
    }}}


def note_format_request(sheet_id: int, row: int, columns: int) -> dict[str, Any]:
    return {"repeatCell": {
        "range": grid_range(sheet_id, row, row + 1, 0, columns),
        "cell": {"userEnteredFormat": {"textFormat": {"italic": True,
                                                      "foregroundColor": rgb(NOTE_FONT)}}},
        "fields": "userEnteredFormat.textFormat",
    }}


def text_cell(value: object) -> dict[str, Any]:
    """A CellData that is always text (a leading `=` stays text)."""
    return {"userEnteredValue": {"stringValue": "" if value is None else str(value)}}
