"""The `.xlsx` template for units without Google: the same template as `provision` applies to
Google Sheets (`sync.provision`), written with xlsxwriter.

`Sáng kiến`: the template header (dark blue, bold, wrapped, frozen, a comment per header saying
what to type), drop-downs for `Loại giải pháp`, `Trạng thái`, `Ý nghĩa xã hội` (a warning, not a
refusal, for other values — aliases are accepted by the sync), `dd/mm/yyyy` and `#,##0` on the date
and benefit columns, column widths. `Hướng dẫn`: the instructions and a filled example row.
Excel has no warning-only protection for a range, so the header is not locked here (the note on
each header and the instructions say not to change it).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from sync import catalog
from sync.config import ProgramConfig
from sync.provision import DATA_ROWS, INSTRUCTIONS_TAB, TEMPLATE_COLUMNS, example_row, instructions

_HEADER = {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "text_wrap": True,
           "valign": "vcenter", "border": 1, "border_color": "#BFBFBF"}
_NUMBER_FORMATS = {"date": "dd/mm/yyyy", "money": "#,##0"}


def write_template(path: Path, program: ProgramConfig, today: dt.date | None = None) -> Path:
    """Write the template to `path` (through a temporary file, so a reader never sees half)."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.xlsx")
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})
    try:
        book.set_properties({"title": "Mẫu danh sách sáng kiến", "author": "sangkien-sync",
                             "created": dt.datetime(2000, 1, 1)})
        header = book.add_format(_HEADER)
        by_kind = {k: book.add_format({"num_format": f, "valign": "top"})
                   for k, f in _NUMBER_FORMATS.items()}
        text = book.add_format({"valign": "top"})
        wrap = book.add_format({"valign": "top", "text_wrap": True})
        _unit_sheet(book, header, by_kind, text, wrap)
        _instructions_sheet(book, header, by_kind, program, today)
        book.close()
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _unit_sheet(book: Any, header: Any, by_kind: dict[str, Any], text: Any, wrap: Any) -> None:
    sheet = book.add_worksheet(catalog.UNIT_TAB)
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 0)
    for col, column in enumerate(TEMPLATE_COLUMNS):
        fmt = by_kind.get(column.kind) or (wrap if column.wrap else text)
        sheet.set_column(col, col, column.width, fmt)
        sheet.write_string(0, col, column.header, header)
        if column.note:
            sheet.write_comment(0, col, column.note, {"x_scale": 2, "y_scale": 1.2})
        if column.choices:
            sheet.data_validation(1, col, DATA_ROWS, col, {
                "validate": "list", "source": list(column.choices),
                "error_type": "warning", "error_title": column.header,
                "error_message": f"Nên chọn một trong: {', '.join(column.choices)}",
                "input_title": column.header[:32],
                "input_message": "Chọn trong danh sách"})


def _instructions_sheet(book: Any, header: Any, by_kind: dict[str, Any],
                        program: ProgramConfig, today: dt.date | None) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_TAB)
    title = book.add_format({"bold": True, "font_size": 14})
    lines = instructions(program)
    for row, line in enumerate(lines):
        if line:
            sheet.write_string(row, 0, line, title if row == 0 else None)
    at = len(lines)
    example = example_row(program, today)
    for col, column in enumerate(TEMPLATE_COLUMNS):
        sheet.set_column(col, col, column.width)
        sheet.write_string(at, col, column.header, header)
        value = example[column.key]
        if isinstance(value, dt.date):
            sheet.write_datetime(at + 1, col, dt.datetime.combine(value, dt.time()),
                                 by_kind["date"])
        elif isinstance(value, int | float):
            sheet.write_number(at + 1, col, value, by_kind.get(column.kind))
        elif value:
            sheet.write_string(at + 1, col, str(value))
