"""`sangkien provision`: units' Google Sheets prepared from the template in the testbench, and the
matching `.xlsx` template (issue 7)."""

from __future__ import annotations

import json
from typing import Any

import openpyxl
from click.testing import CliRunner
from fixtures_gsheets import GoogleProject
from fixtures_project import UnitSpec, initiative

from sync import catalog
from sync.cli import main
from sync.provision import INSTRUCTIONS_TAB, PROTECT_DESCRIPTION, TEMPLATE_COLUMNS

HEADERS = [c.header for c in TEMPLATE_COLUMNS]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _project(gsheet_project: Any) -> tuple[GoogleProject, dict[str, str]]:
    gp: GoogleProject = gsheet_project([
        UnitSpec("P1", "Công đoàn Tổng công ty", 10),
        UnitSpec("B1", "Công đoàn Công ty Cơ khí", 30, parent="P1", rows=[
            initiative("Giải pháp tiết kiệm điện năng cho trạm trộn bê tông", "Hoàng Thị Lan"),
        ]),
    ])
    tb = gp.testbench
    empty = tb.call("POST", "/_testbench/spreadsheets", {"title": "A1 – sáng kiến"})["spreadsheetId"]
    messy = tb.call("POST", "/_testbench/spreadsheets", {"title": "D1", "sheets": [
        {"title": "Sáng kiến", "values": [["ghi chép linh tinh", 1, 2]]}]})["spreadsheetId"]
    other = tb.call("POST", "/_testbench/spreadsheets", {"title": "E1", "sheets": [
        {"title": "Danh sách cán bộ", "values": [["Họ tên"], ["Ai Đó"]]}]})["spreadsheetId"]
    unit_file = gp.project.root / "config" / "units" / "C1.xlsx"
    registry = gp.project.registry
    registry.write_text(registry.read_text(encoding="utf-8-sig")
                        + f"A1,Công đoàn Xây lắp 1,P1,20,gsheet:{empty},"
                          "a1@congdoan.example;to.truong@congdoan.example,Doanh nghiệp\n"
                        + f"D1,Công đoàn D,P1,5,gsheet:{messy},,Doanh nghiệp\n"
                        + f"E1,Công đoàn E,P1,5,gsheet:{other},,Doanh nghiệp\n"
                        + "C1,Công đoàn C,P1,5,units/C1.xlsx,,Doanh nghiệp\n",
                        encoding="utf-8-sig")
    unit_file.parent.mkdir(parents=True, exist_ok=True)
    return gp, {"A1": empty, "D1": messy, "E1": other, "B1": gp.sources["B1"], "C1": str(unit_file)}


def test_provision_prepares_sheets_shares_and_is_idempotent(gsheet_project: Any) -> None:
    gp, ids = _project(gsheet_project)
    tb = gp.testbench
    b1_before = gp.dump(ids["B1"])["sheets"][0]["values"]
    code, out, err = invoke("provision", "--config", str(gp.config), "--share")
    assert code == 1, out + err  # D1 cannot be prepared safely
    lines = {line.split(":", 1)[0]: line for line in out.splitlines() if ":" in line}
    assert lines["✓ A1"] and "chia sẻ cho a1@congdoan.example" in lines["✓ A1"]
    assert lines["✓ B1"]
    assert "không có dòng tiêu đề" in lines["✗ D1"]
    assert lines["– C1"]
    template = gp.project.root / "out" / "mau-sang-kien.xlsx"
    assert template.is_file() and str(template) in out

    a1 = gp.dump(ids["A1"], render="FORMULA")
    tabs = {s["title"]: s for s in a1["sheets"]}
    assert list(tabs) == [catalog.UNIT_TAB, INSTRUCTIONS_TAB]  # the empty Sheet1 was renamed
    unit = tabs[catalog.UNIT_TAB]
    assert unit["values"] == [HEADERS]
    assert unit["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert [(p["description"], p["warningOnly"]) for p in unit["protectedRanges"]] == [
        (PROTECT_DESCRIPTION, True)]
    col = {h: i for i, h in enumerate(HEADERS)}
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rule = unit["validations"][f"'{catalog.UNIT_TAB}'!{letters[col['Loại giải pháp']]}2"]
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == list(
        catalog.SOLUTION_TYPES)
    assert f"'{catalog.UNIT_TAB}'!{letters[col['Trạng thái']]}2" in unit["validations"]
    assert f"'{catalog.UNIT_TAB}'!{letters[col['Ý nghĩa xã hội']]}2" in unit["validations"]
    assert f"'{catalog.UNIT_TAB}'!A1" in unit["notes"]
    assert unit["columnMetadata"][str(col["Tên sáng kiến"])]["pixelSize"] > 200
    instructions = tabs[INSTRUCTIONS_TAB]["values"]
    assert instructions[0] == ["HƯỚNG DẪN ĐIỀN DANH SÁCH SÁNG KIẾN"]
    assert instructions[-2] == HEADERS
    assert instructions[-1][0] == "Cải tiến bộ gá hàn cốt thép dầm cầu"
    perms = {p.get("emailAddress"): p["role"] for p in a1["permissions"]}
    assert perms["a1@congdoan.example"] == "writer"
    assert perms["to.truong@congdoan.example"] == "writer"

    b1 = gp.dump(ids["B1"])
    b1_unit = next(s for s in b1["sheets"] if s["title"] == catalog.UNIT_TAB)
    assert b1_unit["values"] == b1_before  # the unit's data is untouched
    assert b1_unit["properties"]["gridProperties"]["frozenRowCount"] == 3  # header on row 3
    assert gp.dump(ids["D1"])["sheets"][0]["values"] == [["ghi chép linh tinh", 1, 2]]
    e1 = [(s["title"], s["values"][:1]) for s in gp.dump(ids["E1"])["sheets"]]
    assert e1 == [(catalog.UNIT_TAB, [HEADERS]), (INSTRUCTIONS_TAB, e1[1][1]),
                  ("Danh sách cán bộ", [["Họ tên"]])]  # a new unit tab first, the rest kept

    # Again: nothing piles up (one protected range, one instructions tab), shares not repeated.
    code, out, _ = invoke("provision", "--config", str(gp.config), "--share", "--only", "A1")
    assert code == 0, out
    assert "đã chia sẻ từ trước" in out
    again = {s["title"]: s for s in gp.dump(ids["A1"])["sheets"]}
    assert list(again) == [catalog.UNIT_TAB, INSTRUCTIONS_TAB]
    assert len(again[catalog.UNIT_TAB]["protectedRanges"]) == 1

    # The prepared sheet works with the sync: a row typed by the unit is read and valid.
    example = instructions[-1]
    tb.call("POST", f"/_testbench/spreadsheets/{ids['A1']}/edit", {
        "range": f"'{catalog.UNIT_TAB}'!A2", "values": [example], "input": "RAW"})
    code, out, err = invoke("validate", "--config", str(gp.config), "--only", "A1", "--json")
    summary = json.loads(out)
    a1_report = next(s for s in summary["sources"] if s["code"] == "A1")
    assert (a1_report["rows"], a1_report["valid"], a1_report["errors"]) == (1, 1, 0), summary


def test_xlsx_template_matches_and_its_example_row_validates(gsheet_project: Any,
                                                              tmp_path: Any) -> None:
    gp, ids = _project(gsheet_project)
    out_path = tmp_path / "mau.xlsx"
    code, out, _ = invoke("provision", "--config", str(gp.config), "--only", "C1",
                          "--template-out", str(out_path))
    assert code == 0, out
    book = openpyxl.load_workbook(out_path)
    assert book.sheetnames == [catalog.UNIT_TAB, INSTRUCTIONS_TAB]
    sheet = book[catalog.UNIT_TAB]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.freeze_panes == "A2"
    lists = sorted(dv.formula1 for dv in sheet.data_validations.dataValidation)
    assert len(lists) == 3 and any("Giải pháp kỹ thuật" in f for f in lists)
    assert sheet.column_dimensions["A"].width > 40
    assert sheet["A1"].comment is not None
    guide = book[INSTRUCTIONS_TAB]
    rows = [[c.value for c in r] for r in guide.iter_rows()]
    example = rows[-1]
    date_col = HEADERS.index("Ngày áp dụng")
    assert guide.cell(len(rows), date_col + 1).number_format == "dd/mm/yyyy"

    # A unit fills the template with the example row: the sync reads it as one valid row.
    sheet.append(example)
    book.save(ids["C1"])
    code, out, _ = invoke("validate", "--config", str(gp.config), "--only", "C1", "--json")
    c1 = next(s for s in json.loads(out)["sources"] if s["code"] == "C1")
    assert (c1["rows"], c1["valid"], c1["errors"]) == (1, 1, 0), out


def test_provision_without_google_units_needs_no_credentials(project_factory: Any,
                                                              monkeypatch: Any) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    project = project_factory([UnitSpec("A1", "Công đoàn A", 10, rows=[
        initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An")])])
    code, out, _ = invoke("provision", "--config", str(project.config))
    assert code == 0, out
    assert "– A1" in out and (project.root / "out" / "mau-sang-kien.xlsx").is_file()


