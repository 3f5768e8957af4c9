"""A fast, streaming `.xlsx` writer for the master: SpreadsheetML written column-wise.

Why not xlsxwriter or openpyxl: both write cell by cell through Python objects, which costs about a
minute for a master of a million initiatives (17 columns). Here every column is turned into cell
XML once per *distinct* value (`pandas.factorize`), rows are joined from those pieces, and chunks
of rows are compressed on a second thread (zlib releases the GIL), so building and compressing
overlap on two cores (deflate by ISA-L through `backends.zipwrite`, ~4× zlib's speed).

What the master needs and this writer does: typed cells (inline strings, numbers, dates as serial
numbers with a date style), a bold coloured header, column widths, a frozen header row, an
autofilter, number formats per column kind, colour rules for some values (conditional formats) and
a note row. Text is always a string cell, never a formula; characters XML cannot carry are dropped.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sync.backends.base import Table
from sync.backends.zipwrite import ZipWriter

MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767
CHUNK_ROWS = 20_000
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Style ids in styles.xml (cellXfs order below).
STYLE_TEXT, STYLE_HEADER, STYLE_INT, STYLE_PERCENT, STYLE_DATE, STYLE_DATETIME, STYLE_NOTE = range(7)
_KIND_STYLE = {"int": STYLE_INT, "money": STYLE_INT, "percent": STYLE_PERCENT,
               "date": STYLE_DATE, "datetime": STYLE_DATETIME}
_FILLS = {"green": ("C6EFCE", "006100"), "red": ("FFC7CE", "9C0006"),
          "yellow": ("FFEB9C", "9C5700"), "grey": ("EDEDED", "3A3A3A")}
_DXF_ORDER = tuple(_FILLS)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def clean_text(text: str) -> str:
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    return text[:MAX_CELL_CHARS]


_EMPTY = "<c/>"
_RE2_ILLEGAL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{FFFE}\\x{FFFF}]"


def _text_cells(texts: Any) -> pa.Array:
    """Inline-string cells for distinct texts, built by Arrow kernels (no per-cell Python)."""
    try:
        array = pa.array(texts, type=pa.string(), from_pandas=True)
    except (UnicodeEncodeError, pa.ArrowInvalid):  # lone surrogates from a broken file
        array = pa.array([clean_text(t) for t in texts], type=pa.string())
    array = pc.replace_substring_regex(array, _RE2_ILLEGAL, "")
    array = pc.utf8_slice_codeunits(array, 0, MAX_CELL_CHARS)
    array = pc.replace_substring(array, "&", "&amp;")
    array = pc.replace_substring(array, "<", "&lt;")
    array = pc.replace_substring(array, ">", "&gt;")
    spaced = pc.or_(pc.not_equal(array, pc.utf8_trim_whitespace(array)),
                    pc.match_substring(array, "\n"))
    opening = pc.if_else(spaced, '<c t="inlineStr"><is><t xml:space="preserve">',
                         '<c t="inlineStr"><is><t>')
    cells = pc.binary_join_element_wise(opening, array, "</t></is></c>", "")
    return pc.if_else(pc.equal(array, ""), _EMPTY, cells)


def _number_cells(numbers: np.ndarray, style: int) -> pa.Array:
    """Number cells: integers printed by Arrow, other values by `repr` (rare in the master)."""
    finite = np.isfinite(numbers)
    whole = finite & (np.mod(numbers, 1) == 0) & (np.abs(numbers) < 1e15)
    text = pa.array(np.where(whole, numbers, 0).astype(np.int64)).cast(pa.string())
    if not whole.all():
        others = [repr(float(v)) if f else "" for v, f in zip(numbers, finite, strict=True)]
        text = pc.if_else(pa.array(whole), text, pa.array(others, type=pa.string()))
    cells = pc.binary_join_element_wise(f'<c s="{style}"><v>', text, "</v></c>", "")
    return pc.if_else(pa.array(finite), cells, _EMPTY)


def _serials(values: list[Any], date_only: bool) -> np.ndarray:
    stamps = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce", utc=False)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    days = (stamps - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
    serial = days.to_numpy(dtype="float64", na_value=np.nan)
    return np.floor(serial) if date_only else serial


def _unique_cells(uniques: Any, kind: str) -> pa.Array:
    """The cell XML of each distinct value of a column, in the order of `uniques`. Columns of one
    type take a vectorised path; mixed columns (a word in a money column) are split by type."""
    style = _KIND_STYLE.get(kind, STYLE_TEXT)
    dtype = getattr(uniques, "dtype", None)
    if dtype is not None and len(uniques):
        if isinstance(dtype, pd.StringDtype):
            return pc.fill_null(_text_cells(uniques), _EMPTY)
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return _number_cells(_serials(list(uniques), date_only=kind == "date"), style)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
            numbers = pd.array(uniques).astype("Float64").to_numpy(dtype="float64",
                                                                  na_value=np.nan)
            return _number_cells(numbers, style)
    if len(uniques):
        inferred = pd.api.types.infer_dtype(uniques, skipna=True)
        if inferred == "string":
            return pc.fill_null(_text_cells(uniques), _EMPTY)
        if inferred in ("integer", "floating", "mixed-integer-float") and kind != "text":
            numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce")
            return _number_cells(numbers.to_numpy(dtype="float64", na_value=np.nan), style)
    values = list(uniques)
    n = len(values)
    out: list[Any] = [_EMPTY] * n
    texts: list[int] = []
    numbers: list[int] = []
    dates: list[int] = []
    for i, value in enumerate(values):
        if value is None or value is pd.NA or value is pd.NaT:
            continue
        if isinstance(value, str):
            texts.append(i)
        elif isinstance(value, bool | np.bool_):
            values[i] = "Có" if value else "Không"
            texts.append(i)
        elif kind in ("date", "datetime") and isinstance(
                value, dt.date | pd.Timestamp | np.datetime64):
            dates.append(i)
        elif isinstance(value, int | float | np.integer | np.floating):
            numbers.append(i)
        else:
            values[i] = str(value)
            texts.append(i)
    result = pa.array(out, type=pa.string())
    pieces: list[tuple[list[int], pa.Array]] = []
    if texts:
        pieces.append((texts, _text_cells([values[i] for i in texts])))
    if numbers:
        pieces.append((numbers, _number_cells(
            np.array([float(values[i]) for i in numbers], dtype="float64"), style)))
    if dates:
        serial = _serials([values[i] for i in dates], date_only=kind == "date")
        pieces.append((dates, _number_cells(serial, style)))
    if not pieces:
        return result
    merged = np.array(out, dtype=object)
    for positions, cells in pieces:
        merged[positions] = cells.to_numpy(zero_copy_only=False)
    return pa.array(merged, type=pa.string())


def _column_cells(values: pd.Series, kind: str) -> tuple[pa.Array, np.ndarray]:
    """(cell XML per distinct value + an empty cell last, index of each row's value)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cells = _unique_cells(uniques, kind)
    cells = pa.concat_arrays([cells, pa.array([_EMPTY], type=pa.string())])
    codes = np.where(codes < 0, len(cells) - 1, codes)
    return cells, codes


class _PreparedTable:
    """A table whose rows are rendered chunk by chunk: each column's distinct values of the chunk
    become cell XML once, and the rows take from them. Rendering the whole table's dictionaries
    up front held the cell XML of every distinct value of every column at once (≈0.9 GiB for a
    million initiatives); by chunk it is the chunk's."""

    def __init__(self, table: Table, n_rows: int) -> None:
        self.n_rows = n_rows
        frame = table.frame.iloc[:n_rows]
        self.columns: list[tuple[pd.Series | None, str]] = [
            (frame[c.header] if c.header in frame.columns else None, c.kind)
            for c in table.columns]

    def rows(self, start: int, stop: int, first_row: int) -> bytes | memoryview:
        """The `<row>` elements of rows [start, stop) as UTF-8 bytes, numbered from
        `first_row`."""
        numbers = pa.array(np.arange(first_row + start, first_row + stop)).cast(pa.string())
        opens = pc.binary_join_element_wise('<row r="', numbers, '">', "")
        cells = []
        for values, kind in self.columns:
            if values is None:
                cells.append(pa.array([_EMPTY] * (stop - start), type=pa.string()))
                continue
            table, codes = _column_cells(values.iloc[start:stop], kind)
            cells.append(pc.take(table, pa.array(codes)))
        joined = pc.binary_join_element_wise(opens, *cells, "</row>", "")
        if joined.null_count:
            raise ValueError("a cell of the master could not be rendered")
        offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32,
                                count=len(joined) + 1, offset=joined.offset * 4)
        data = joined.buffers()[2]
        # The values buffer *is* the rows, one after another: hand it over without a copy.
        return memoryview(data)[offsets[0]:offsets[-1]] if data is not None else b""


class _Compressor:
    """Writes byte chunks to a zip member on a second thread: zlib releases the GIL, so the next
    chunk's XML is built while this one is compressed."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.queue: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.stream.write(chunk)
                except BaseException as exc:  # reported to the caller in close()
                    self.error = exc

    def write(self, data: str | bytes | memoryview) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(data.encode("utf-8") if isinstance(data, str) else data)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _sheet_head(table: Table, n_rows: int) -> str:
    last_col = column_letter(max(len(table.columns) - 1, 0))
    last_row = max(n_rows + 1 + (2 if table.note else 0), 1)
    cols = "".join(
        f'<col min="{i + 1}" max="{i + 1}" width="{c.width + 0.7:.1f}" customWidth="1" '
        f'style="{_KIND_STYLE.get(c.kind, STYLE_TEXT)}"/>' for i, c in enumerate(table.columns))
    header = "".join(f'<c s="{STYLE_HEADER}" t="inlineStr"><is><t>{escape(clean_text(c.header))}'
                     "</t></is></c>" for c in table.columns)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
        f'<row r="1" ht="32" customHeight="1">{header}</row>'
    )


def _sheet_tail(table: Table, n_rows: int) -> str:
    last_col = column_letter(max(len(table.columns) - 1, 0))
    last_data = max(n_rows + 1, 2)
    note = ""
    if table.note:
        note = (f'<row r="{n_rows + 3}"><c s="{STYLE_NOTE}" t="inlineStr"><is><t>'
                f"{escape(clean_text(table.note))}</t></is></c></row>")
    rules = []
    priority = 1
    headers = [c.header for c in table.columns]
    for header, colours in table.highlight.items():
        if header not in headers:
            continue
        letter = column_letter(headers.index(header))
        for value, colour in colours.items():
            literal = '"' + value.replace('"', '""') + '"'
            rules.append(
                f'<conditionalFormatting sqref="{letter}2:{letter}{last_data}">'
                f'<cfRule type="cellIs" dxfId="{_DXF_ORDER.index(colour)}" priority="{priority}" '
                f'operator="equal"><formula>{escape(literal)}</formula></cfRule>'
                "</conditionalFormatting>")
            priority += 1
    return (f"{note}</sheetData><autoFilter ref=\"A1:{last_col}{last_data}\"/>"
            + "".join(rules) + "</worksheet>")


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="4"><numFmt numFmtId="164" formatCode="#,##0"/>'
    '<numFmt numFmtId="165" formatCode="dd/mm/yyyy"/>'
    '<numFmt numFmtId="166" formatCode="dd/mm/yyyy hh:mm"/>'
    '<numFmt numFmtId="167" formatCode="0.0%"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/><family val="2"/></font>'
    '<font><i/><sz val="11"/><color rgb="FF9C0006"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FF1F4E78"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color rgb="FFBFBFBF"/></left><right style="thin">'
    '<color rgb="FFBFBFBF"/></right><top style="thin"><color rgb="FFBFBFBF"/></top>'
    '<bottom style="thin"><color rgb="FFBFBFBF"/></bottom><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    # cellXfs in the order of the STYLE_* ids: text, header, int, percent, date, datetime, note
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top"/></xf>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="167" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    f'<dxfs count="{len(_DXF_ORDER)}">'
    + "".join(f'<dxf><font><color rgb="FF{_FILLS[n][1]}"/></font><fill><patternFill>'
              f'<bgColor rgb="FF{_FILLS[n][0]}"/></patternFill></fill></dxf>' for n in _DXF_ORDER)
    + "</dxfs></styleSheet>"
)


def _workbook_parts(names: Sequence[str], title: str) -> Iterator[tuple[str, str]]:
    sheets = "".join(f"<sheet name={quoteattr(name)} sheetId=\"{i + 1}\" r:id=\"rId{i + 1}\"/>"
                     for i, name in enumerate(names))
    defined = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quote_sheet(name))}!$A$1:$A$1</definedName>" for i, name in enumerate(names))
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        f'2006/relationships/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
        for i in range(len(names)))
    n = len(names)
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/'
             'officeDocument/2006/relationships/styles" Target="styles.xml"/>')
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(n))
    yield "[Content_Types].xml", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>' + overrides +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/></Types>')
    yield "_rels/.rels", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    yield "docProps/core.xml", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>sangkien-sync</dc:creator>"
        "</cp:coreProperties>")
    yield "xl/workbook.xml", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{sheets}</sheets><definedNames>{defined}</definedNames></workbook>")
    yield "xl/_rels/workbook.xml.rels", (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{rels}</Relationships>")
    yield "xl/styles.xml", _STYLES


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def check_tab_name(name: str) -> None:
    """Excel's rules for a tab name (a programming error here, not a user's)."""
    if not name or len(name) > 31 or any(c in name for c in "[]:*?/\\"):
        raise ValueError(f"tab name {name!r} must have 1 to 31 characters and none of []:*?/\\")


def write_workbook(path: Path, tables: Sequence[Table], title: str = "Tổng hợp sáng kiến") -> None:
    """Write `tables` as one `.xlsx` at `path` (the caller handles the atomic rename)."""
    for table in tables:
        check_tab_name(table.name)
    if len({t.name.casefold() for t in tables}) != len(tables):
        raise ValueError("tab names must be unique")
    with path.open("wb") as handle, ZipWriter(handle) as archive:
        for name, content in _workbook_parts([t.name for t in tables], title):
            archive.writestr(name, content)
        for index, table in enumerate(tables):
            n_rows = min(len(table.frame), MAX_ROWS - 3)
            if n_rows < len(table.frame):  # Excel's row limit: say so in the tab itself
                left = f"{len(table.frame) - n_rows:,}".replace(",", ".")
                cut = (f"Chỉ ghi {n_rows:,} dòng đầu; còn {left} dòng không vừa một tab Excel "
                       "(tối đa 1.048.576 dòng).").replace(",", ".", 1)
                table = Table(table.name, table.columns, table.frame,
                              f"{table.note} {cut}".strip(), table.highlight)
            prepared = _PreparedTable(table, n_rows)
            with archive.open(f"xl/worksheets/sheet{index + 1}.xml", zip64=True) as stream:
                writer = _Compressor(stream)
                try:
                    writer.write(_sheet_head(table, n_rows))
                    for start in range(0, n_rows, CHUNK_ROWS):
                        writer.write(prepared.rows(start, min(start + CHUNK_ROWS, n_rows), 2))
                    writer.write(_sheet_tail(table, n_rows))
                finally:
                    writer.close()
