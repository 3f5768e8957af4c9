"""Hostile and odd input (issue 7): hidden rows, two-level merged headers, 200 columns, a unit with
100,000 rows, a huge cell — each gets a clear finding or simply works, never a crash."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import xlsxwriter
from click.testing import CliRunner
from fixtures_project import (
    TEMPLATE_HEADERS,
    Project,
    UnitSpec,
    initiative,
    read_master,
    tab_records,
)

from sync.cli import main


def sync(project: Project) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["sync", "--config", str(project.config), "--json"],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def findings(project: Project) -> list[dict]:
    return tab_records(read_master(project.master), "Lỗi")


def one_unit(project_factory, rows=None) -> Project:
    return project_factory([UnitSpec("A1", "Công đoàn A", 50, rows=rows or [
        initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An")])])


def test_hidden_rows_are_counted_and_reported(project_factory) -> None:
    project = one_unit(project_factory)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sáng kiến"
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An"))
    sheet.append(initiative("Ứng dụng phần mềm quản lý vật tư", "Trần Thị Bình"))
    sheet.row_dimensions[3].hidden = True
    book.save(project.unit_file("A1"))
    code, summary = sync(project)
    assert code == 0
    assert summary["totals"]["initiatives"] == 2  # the hidden row still counts
    assert summary["sources"][0]["warnings"] == 1
    hidden = [f for f in findings(project) if f["Mã lỗi"] == "hidden_row"]
    assert [(f["Dòng"], f["Mức độ"]) for f in hidden] == [(3, "Cảnh báo")]
    assert "bị ẩn" in hidden[0]["Thông báo"]


def test_a_two_level_merged_header(project_factory) -> None:
    project = one_unit(project_factory)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sáng kiến"
    sheet.append(["Tên sáng kiến", "Tác giả", None, "Loại giải pháp", "Ngày áp dụng"])
    sheet.append([None, "Họ tên", "Đơn vị công tác", None, None])
    for col in ("A", "D", "E"):
        sheet.merge_cells(f"{col}1:{col}2")
    sheet.merge_cells("B1:C1")
    sheet.append(["Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An", "Đội 3", "KT",
                  dt.date(2022, 3, 5)])
    book.save(project.unit_file("A1"))
    code, summary = sync(project)
    assert code == 0
    assert summary["totals"]["rows"] == 1 and summary["totals"]["valid"] == 1
    assert not [f for f in findings(project) if f["Mức độ"] == "Lỗi"]


def test_two_hundred_columns_are_listed_briefly(project_factory) -> None:
    project = one_unit(project_factory)
    path = project.unit_file("A1")
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sáng kiến")
    headers = list(TEMPLATE_HEADERS) + [f"Cột thêm {i}" for i in range(188)]
    sheet.write_row(0, 0, headers)
    row = initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An",
                     applied="05/03/2022") + [f"x{i}" for i in range(188)]
    sheet.write_row(1, 0, [v if v is not None else "" for v in row])
    book.close()
    code, summary = sync(project)
    assert code == 0 and summary["totals"]["initiatives"] == 1
    note = next(f for f in findings(project) if f["Mã lỗi"] == "unknown_column")
    assert "Cột thêm 0" in note["Thông báo"] and "và 173 cột khác" in note["Thông báo"]
    assert len(note["Thông báo"]) < 600


def test_a_huge_cell_and_a_unit_with_100000_rows(project_factory) -> None:
    project = one_unit(project_factory)
    path = project.unit_file("A1")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Sáng kiến")
    sheet.write_row(0, 0, list(TEMPLATE_HEADERS))
    huge = "Nội dung rất dài. " * 1800  # 32,400 characters, near Excel's cell limit
    for r in range(1, 100_001):
        sheet.write_string(r, 0, f"Cải tiến quy trình lắp dựng cốp pha số {r}")
        sheet.write_string(r, 1, f"Nguyễn Văn An {r % 997}")
        sheet.write_string(r, 3, "Giải pháp kỹ thuật")
        sheet.write_string(r, 5, "05/03/2022")
        if r == 7:
            sheet.write_string(r, 7, huge)
    book.close()
    code, summary = sync(project)
    assert code == 0
    totals = summary["totals"]
    assert totals["rows"] == 100_000 and totals["valid"] == 100_000
    long_text = [f for f in findings(project) if f["Mã lỗi"] == "text_too_long"]
    assert [f["Dòng"] for f in long_text] == [8]
    assert Path(project.master).stat().st_size > 1_000_000
