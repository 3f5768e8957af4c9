"""The `.xlsx` backend: what calamine reads, plus error cells, merges and hidden rows from the XML;
and the master writer's snapshot semantics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sync.backends.base import Table
from sync.backends.xlsx import XlsxMaster, XlsxWorkbook
from sync.catalog import Column
from sync.errors import MasterWriteError, SourceError


def workbook_with_quirks(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sáng kiến"
    sheet.append(["Tên sáng kiến", "Tác giả", "Loại giải pháp", "Ngày áp dụng"])
    sheet.append(["Cải tiến máy trộn số 1", "Nguyễn Văn A", "KT", dt.date(2022, 3, 5)])
    sheet.append(["Cải tiến máy trộn số 2", "Nguyễn Văn B", None, None])
    sheet.append(["Cải tiến máy trộn số 3", "Nguyễn Văn C", None, None])
    sheet.merge_cells("C2:C4")  # a type merged down three rows
    sheet.merge_cells("A6:D6")  # a note spread over columns
    sheet["A6"] = "Ghi chú chung của đơn vị"
    sheet.row_dimensions[3].hidden = True
    error = sheet["D3"]
    error.value = "#REF!"
    error.data_type = "e"
    book.save(path)
    return path


def test_error_cells_merges_and_hidden_rows(tmp_path: Path) -> None:
    workbook = XlsxWorkbook(workbook_with_quirks(tmp_path / "u.xlsx").read_bytes(), "u.xlsx")
    assert [t.name for t in workbook.tabs()] == ["Sáng kiến"]
    grid = workbook.read("Sáng kiến")
    assert grid[1][3] == dt.date(2022, 3, 5)
    assert grid[2][3] == "#REF!"  # calamine alone returns "" for an error cell
    assert [grid[r][2] for r in (1, 2, 3)] == ["KT", "KT", "KT"]
    assert grid[5][0] == "Ghi chú chung của đơn vị"
    assert grid[5][1] in ("", None)  # horizontal merges are not spread
    assert workbook.hidden_rows("Sáng kiến") == {3}


@pytest.mark.parametrize(("data", "expected"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "mật khẩu"),
    (b"PK\x03\x04 this is not really a zip", "bị hỏng"),
    (b"\x00\x01\x02 binary junk", "không phải tệp .xlsx"),
    (b"", "không phải tệp .xlsx"),
])
def test_unreadable_files_are_source_errors(data: bytes, expected: str) -> None:
    with pytest.raises(SourceError) as info:
        XlsxWorkbook(data, "x.xlsx")
    assert info.value.code == "source_unreachable"
    assert expected in info.value.detail


def test_master_write_is_atomic_and_keeps_text_as_text(tmp_path: Path) -> None:
    target = tmp_path / "master.xlsx"
    columns = (Column("Tên", "text"), Column("Tiền", "money"), Column("Ngày", "date"),
               Column("Tỷ lệ", "percent"))
    frame = pd.DataFrame({"Tên": ["=1+1", "+84 912", "@SUM(A1)", "-5", "bình thường"],
                          "Tiền": [1_500_000, None, 0, 3, "không tính được"],
                          "Ngày": [dt.date(2022, 1, 2), None, None, None, None],
                          "Tỷ lệ": [0.105, 0.2, None, 1.0, 0.0]})
    XlsxMaster(target).write([Table("Tab", columns, frame)])
    sheet = openpyxl.load_workbook(target)["Tab"]
    assert [sheet.cell(r, 1).value for r in range(2, 7)] == list(frame["Tên"])
    assert all(sheet.cell(r, 1).data_type == "s" for r in range(2, 7))
    assert sheet.cell(2, 2).value == 1_500_000 and sheet.cell(2, 2).number_format == "#,##0"
    assert sheet.cell(2, 3).is_date and sheet.cell(2, 4).number_format == "0.0%"
    assert sheet.cell(6, 2).value == "không tính được" and sheet.cell(3, 2).value is None
    assert not [p for p in tmp_path.iterdir() if p.name != "master.xlsx"]  # no temp file left

    # A write that fails half-way leaves the previous master untouched and no temp file.
    before = target.read_bytes()
    bad = Table("A tab name far longer than the 31 characters Excel allows", columns, frame)
    with pytest.raises(Exception, match="31"):
        XlsxMaster(target).write([Table("Tab", columns, frame), bad])
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["master.xlsx"]


def test_master_in_an_impossible_place_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(MasterWriteError, match="master cũ vẫn nguyên vẹn"):
        XlsxMaster(blocker / "master.xlsx").write([])


def test_a_tab_past_excels_row_limit_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    import sync.backends.xlsxwrite as writer

    monkeypatch.setattr(writer, "MAX_ROWS", 10)
    frame = pd.DataFrame({"Tên": [f"dòng {i}" for i in range(20)]})
    XlsxMaster(tmp_path / "m.xlsx").write([Table("Tab", (Column("Tên", "text"),), frame)])
    sheet = openpyxl.load_workbook(tmp_path / "m.xlsx")["Tab"]
    values = [c.value for c in sheet["A"] if c.value]
    assert values[1:8] == [f"dòng {i}" for i in range(7)]
    assert values[-1].startswith("Chỉ ghi 7 dòng đầu; còn 13 dòng")
