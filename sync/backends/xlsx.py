"""`.xlsx` files: unit workbooks read with python-calamine, the master written by `xlsxwrite`.

python-calamine (Rust) reads several times faster than openpyxl and returns typed cells (dates as
`datetime.date`, numbers as floats). The master is written column-wise by `backends.xlsxwrite`
(text is always a string cell, so unit text starting with `=` stays text).
The master is written to a temporary file in the same folder and renamed over the old one, so a
reader opens either the previous master or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import html
import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from sync.backends.base import Grid, Payload, TabInfo, Table
from sync.errors import MasterWriteError, SourceError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE files
_ZIP_MAGIC = b"PK\x03\x04"


class XlsxWorkbook:
    """A unit's `.xlsx` file opened from its bytes (the payload kept as its snapshot).

    python-calamine reads the cells. Three things it does not give are read from the sheet's XML,
    only when the XML shows they are there: error cells (calamine returns `''` for `#REF!`, which
    would hide a formula error as an empty cell), hidden rows, and vertically merged cells (a value
    merged down over several rows is what a person sees in each of them)."""

    def __init__(self, data: bytes, name: str = "") -> None:
        self.name = name
        self._data = data
        self._xml: dict[str, bytes | None] = {}
        if data.startswith(_OLE_MAGIC):
            raise SourceError(
                "source_unreachable",
                f"tệp {name} có mật khẩu hoặc là định dạng .xls cũ — hãy bỏ mật khẩu và lưu lại "
                "dưới dạng .xlsx",
            )
        if not data.startswith(_ZIP_MAGIC):
            raise SourceError("source_unreachable", f"tệp {name} không phải tệp .xlsx hợp lệ")
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (CalamineError, zipfile.BadZipFile, ValueError, OSError) as exc:
            raise SourceError(
                "source_unreachable", f"tệp {name} bị hỏng, không mở được ({_short(exc)})"
            ) from None

    def tabs(self) -> list[TabInfo]:
        return [
            TabInfo(meta.name, hidden=meta.visible != SheetVisibleEnum.Visible)
            for meta in self._book.sheets_metadata
        ]

    def read(self, tab: str) -> Grid:
        try:
            sheet = self._book.get_sheet_by_name(tab)
            grid = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except (CalamineError, ValueError, OSError) as exc:
            raise SourceError(
                "source_unreachable", f"không đọc được tab «{tab}» của tệp {self.name} ({_short(exc)})"
            ) from None
        xml = self._sheet_xml(tab)
        if xml is not None and b't="e"' in xml:
            _put_error_cells(grid, xml)
        _fill_vertical_merges(grid, merged)
        return grid

    def hidden_rows(self, tab: str) -> set[int]:
        """Sheet row numbers (1-based) hidden in the unit's file."""
        xml = self._sheet_xml(tab)
        if xml is None or (b'hidden="1"' not in xml and b"hidden=\"true\"" not in xml):
            return set()
        return {int(m.group(1) or m.group(2)) for m in _HIDDEN_ROW.finditer(xml)}

    def _sheet_xml(self, tab: str) -> bytes | None:
        """The worksheet part of `tab` (read once), found through workbook.xml and its
        relationships."""
        if tab not in self._xml:
            self._xml[tab] = self._read_sheet_xml(tab)
        return self._xml[tab]

    def _read_sheet_xml(self, tab: str) -> bytes | None:
        try:
            with zipfile.ZipFile(io.BytesIO(self._data)) as archive:
                workbook = archive.read("xl/workbook.xml")
                rels = archive.read("xl/_rels/workbook.xml.rels")
                rel_id = None
                for m in _SHEET_TAG.finditer(workbook):
                    attrs = dict(_ATTR.findall(m.group(1)))
                    if html.unescape(attrs.get(b"name", b"").decode("utf-8")) == tab:
                        rel_id = attrs.get(b"r:id")
                        break
                if rel_id is None:
                    return None
                for m in _REL_TAG.finditer(rels):
                    attrs = dict(_ATTR.findall(m.group(1)))
                    if attrs.get(b"Id") == rel_id:
                        target = attrs.get(b"Target", b"").decode("utf-8")
                        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                        return archive.read(path)
        except (KeyError, zipfile.BadZipFile, OSError, UnicodeDecodeError):
            return None
        return None


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"'
                         rb'|<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*?\br="(\d+)"')
_REF = re.compile(r"([A-Z]+)(\d+)")


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _put_error_cells(grid: Grid, xml: bytes) -> None:
    """Write the text of every error cell (`t="e"`) into the grid calamine returned."""
    for m in _CELL.finditer(xml):
        attrs = dict(_ATTR.findall(m.group(1)))
        if attrs.get(b"t") != b"e" or b"r" not in attrs:
            continue
        value = _VALUE.search(m.group(2) or b"")
        ref = _REF.fullmatch(attrs[b"r"].decode("ascii", "replace"))
        if not value or not ref:
            continue
        row, col = int(ref.group(2)) - 1, _column_index(ref.group(1))
        while len(grid) <= row:
            grid.append([])
        cells = grid[row]
        while len(cells) <= col:
            cells.append("")
        cells[col] = html.unescape(value.group(1).decode("utf-8", "replace"))


def _fill_vertical_merges(grid: Grid, merged: list[Any]) -> None:
    """A value merged down a column shows in every row of the merge; horizontal merges are left
    alone (a title spread over columns must not become the authors)."""
    for (top, left), (bottom, right) in merged:
        if left != right or bottom <= top or top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        if value in ("", None):
            continue
        for row in range(top + 1, min(bottom, len(grid) - 1) + 1):
            cells = grid[row]
            if left < len(cells) and cells[left] in ("", None):
                cells[left] = value


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def read_file_payload(path: Path) -> Payload:
    """Read a local unit file; the fingerprint is a hash of its bytes (mtime alone lies after
    copies and restores)."""
    import hashlib

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError("source_unreachable", f"không tìm thấy tệp {path}") from None
    except PermissionError:
        raise SourceError("permission_denied", f"không có quyền đọc tệp {path}") from None
    except IsADirectoryError:
        raise SourceError("source_unreachable", f"{path} là thư mục, không phải tệp") from None
    except OSError as exc:
        raise SourceError("source_unreachable", f"không đọc được tệp {path} ({exc.strerror})") from None
    kind = "csv" if path.suffix.lower() == ".csv" else "xlsx"
    return Payload(kind, data, hashlib.sha256(data).hexdigest(), path.name)


# --------------------------------------------------------------------------------------------------
# Master
# --------------------------------------------------------------------------------------------------

class XlsxMaster:
    """The master as a local `.xlsx` file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def describe(self) -> str:
        return str(self.path)

    def write(self, tables: Sequence[Table]) -> None:
        from sync.backends.xlsxwrite import write_workbook

        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}.tmp.xlsx")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._remove_leftovers()
            write_workbook(tmp, tables)
            os.replace(tmp, self.path)
        except PermissionError:
            _remove(tmp)
            raise MasterWriteError(
                f"Không ghi được {self.path}: tệp đang mở trong chương trình khác hoặc không có "
                "quyền ghi. Đóng tệp rồi chạy lại; master cũ vẫn nguyên vẹn."
            ) from None
        except OSError as exc:
            _remove(tmp)
            raise MasterWriteError(
                f"Không ghi được {self.path} ({exc.strerror or exc}); master cũ vẫn nguyên vẹn."
            ) from None
        except BaseException:
            _remove(tmp)
            raise

    def _remove_leftovers(self) -> None:
        """Temp files of writers that were killed half-way. Runs hold the run lock, so no other
        writer can be at work: every temp file but ours is a leftover (no pid probe, which
        Windows does not have)."""
        ours = f".{self.path.stem}.{os.getpid()}.tmp.xlsx"
        for leftover in self.path.parent.glob(f".{self.path.stem}.*.tmp.xlsx"):
            if leftover.name != ours:
                _remove(leftover)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
