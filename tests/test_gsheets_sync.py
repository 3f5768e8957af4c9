"""The Google path end to end through the real CLI: sources, registry and master in the testbench,
read back with unmodified gspread and `includeGridData` (issue 5)."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_gsheets import GoogleProject, Stats, seed_unit, sheets_reads, unit_values
from fixtures_project import UnitSpec, initiative, run_cli
from fixtures_testbench import SHEETS

from sync.backends import google_http as gh
from sync.cli import main
from sync.testbench import Testbench


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def sync_json(gp: GoogleProject, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = invoke("sync", "--config", str(gp.config), "--json", *extra)
    assert out.strip(), err
    return code, json.loads(out)


def three_units() -> list[UnitSpec]:
    return [
        UnitSpec("P1", "Công đoàn Tổng công ty Sông Hồng", 10),
        UnitSpec("A1", "Công đoàn Công ty Xây lắp số 1", 20, parent="P1", rows=[
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An, Trần Thị Bình",
                       benefit=120_000_000, social="x"),
            initiative("Ứng dụng phần mềm quản lý vật tư tại công trường", "Lê Văn Cường",
                       applied=dt.date(2022, 4, 5), benefit="150 triệu"),
        ]),
        UnitSpec("B1", "Công đoàn Công ty Cơ khí Xây dựng", 30, parent="P1", rows=[
            initiative("Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 2",
                       "Hoàng Thị Lan và Vũ Minh Tuấn", benefit=1_500_000),
        ]),
        UnitSpec("C1", "Công đoàn Công ty Tư vấn Thiết kế", 15, parent="P1", rows=[
            initiative("Số hoá hồ sơ thiết kế bằng mô hình BIM", "Phạm Thị Hoa",
                       applied=dt.date(2023, 1, 10)),
        ]),
    ]


def gspread_client(tb: Testbench) -> tuple[Any, gh.GoogleSession]:
    creds = gh.load_credentials(tb.credentials_path, scopes=gh.READONLY_SCOPES)
    session = gh.build_session(creds, emulator=tb.url, rate_limiter=gh.RateLimiter(100_000))
    return gh.gspread_client(session), session


def test_request_counts_first_unchanged_and_one_edited(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(three_units())
    ids = gp.sources

    stats = Stats(gp.testbench)
    code, summary = sync_json(gp)
    assert code == 0, summary
    assert {s["code"]: s["status"] for s in summary["sources"]} == {
        "A1": "ok", "B1": "ok", "C1": "ok"}
    first = stats.diff()
    for sid in ids.values():  # one read per source, tab discovery included
        assert sheets_reads(first["by_spreadsheet"][sid]) == 1, first
    assert first["by_method"]["drive.files.list"] == 1
    assert summary["api"]["reads"] >= 3 and summary["api"]["writes"] >= 3

    stats = Stats(gp.testbench)
    code, summary = sync_json(gp)
    assert code == 0
    assert {s["status"] for s in summary["sources"]} == {"unchanged"}
    second = stats.diff()
    assert not any(sid in second["by_spreadsheet"] for sid in ids.values()), second
    assert second["by_method"]["drive.files.list"] == 1

    gp.edit("B1", "'Sáng kiến'!A4", [["Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 3"]])
    stats = Stats(gp.testbench)
    code, summary = sync_json(gp)
    assert code == 0
    assert {s["code"]: s["status"] for s in summary["sources"]} == {
        "A1": "unchanged", "B1": "ok", "C1": "unchanged"}
    third = stats.diff()
    assert third["by_spreadsheet"][ids["B1"]] == {"sheets.spreadsheets.values.batchGet": 1}
    assert not ({ids["A1"], ids["C1"]} & set(third["by_spreadsheet"]))

    # The master, read back with unmodified gspread.
    client, session = gspread_client(gp.testbench)
    try:
        book = client.open_by_key(gp.master_id)
        titles = [w.title for w in book.worksheets()]
        assert titles[:7] == ["Tiến độ", "Sáng kiến", "Lỗi", "Trùng lặp", "Tiêu biểu",
                              "Lịch sử", "Nhật ký"]
        assert not any(t.startswith("~") for t in titles)
        rows = book.worksheet("Sáng kiến").get_all_values()
        titles_in_master = {r[3] for r in rows[1:]}
        assert "Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 3" in titles_in_master
        assert "Cải tiến bộ gá hàn cốt thép dầm cầu" in titles_in_master
        progress = book.worksheet("Tiến độ").get_all_records(numericise_ignore=["all"])
        by_code = {r["Mã"]: r for r in progress}
        assert set(by_code) == {"P1", "A1", "B1", "C1", "TOÀN NGÀNH"}
        assert by_code["A1"]["Người tham gia"] == "3"
        history = book.worksheet("Lịch sử").get_all_values()
        assert len(history) == 1 + 3 * 5  # three runs × (four units + the sector)
    finally:
        session.close()


def test_master_values_are_text_never_formulas_and_formatted_like_xlsx(
        gsheet_project: Any) -> None:
    hostile = '=IMPORTXML("http://x","//a")'
    units = [UnitSpec("X1", "Công đoàn Xây dựng số 9", 12, rows=[
        [hostile, "Nguyễn Văn An", "+84 912 345 678", "Giải pháp kỹ thuật", "@lĩnh vực",
         dt.date(2022, 3, 5), None, "-", "=1+1", 1_500_000, "x", "@ghi chú"],
        initiative("+ Tăng năng suất máy xúc bằng cải tiến gầu", "Trần Thị Bình",
                   benefit="không tính được"),
    ])]
    gp: GoogleProject = gsheet_project(units, raw=True)
    code, summary = sync_json(gp)
    assert code == 0, summary

    creds = gh.load_credentials(gp.testbench.credentials_path, scopes=gh.READONLY_SCOPES)
    session = gh.build_session(creds, emulator=gp.testbench.url)
    try:
        body = session.get(f"{SHEETS}/{gp.master_id}", params={
            "includeGridData": "true", "ranges": "'Sáng kiến'"}).json()
        sheet = body["sheets"][0]
        rows = sheet["data"][0]["rowData"]
        cells = [[c.get("userEnteredValue", {}) for c in r.get("values", [])] for r in rows]
        header = [c["stringValue"] for c in cells[0]]
        col = {h: i for i, h in enumerate(header)}
        hostile_row = next(r for r in cells[1:] if r[col["Tên sáng kiến"]].get("stringValue")
                           == hostile)
        for name, expected in (("Đơn vị công tác", "+84 912 345 678"), ("Lĩnh vực", "@lĩnh vực"),
                               ("Ghi chú", "@ghi chú"), ("Tóm tắt nội dung", "-"),
                               ("Hiệu quả", "=1+1")):
            assert hostile_row[col[name]] == {"stringValue": expected}, name
        assert not any("formulaValue" in c for r in cells for c in r)
        plus_row = next(r for r in cells[1:]
                        if r[col["Tên sáng kiến"]].get("stringValue", "").startswith("+ Tăng"))
        assert plus_row[col["Giá trị làm lợi (đồng/năm)"]] == {"stringValue": "không tính được"}
        assert hostile_row[col["Giá trị làm lợi (đồng/năm)"]] == {"numberValue": 1500000}
        assert hostile_row[col["Ngày áp dụng"]] == {
            "numberValue": (dt.date(2022, 3, 5) - dt.date(1899, 12, 30)).days}
        data_cell = rows[1]["values"]
        assert data_cell[col["Ngày áp dụng"]]["userEnteredFormat"]["numberFormat"] == {
            "type": "DATE", "pattern": "dd/mm/yyyy"}
        assert data_cell[col["Giá trị làm lợi (đồng/năm)"]]["userEnteredFormat"][
            "numberFormat"] == {"type": "NUMBER", "pattern": "#,##0"}
        assert data_cell[col["Ngày áp dụng"]]["formattedValue"] == "05/03/2022"
        header_fmt = rows[0]["values"][0]["userEnteredFormat"]
        assert header_fmt["textFormat"]["bold"] is True
        assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
        widths = [m["pixelSize"] for m in sheet["data"][0]["columnMetadata"]]
        assert widths[col["Tên sáng kiến"]] > widths[col["Mã CĐ"]]
        assert "basicFilter" in sheet

        progress = session.get(f"{SHEETS}/{gp.master_id}", params={
            "fields": "sheets(properties.title,conditionalFormats)", "ranges": "'Tiến độ'"}).json()
        rules = progress["sheets"][0]["conditionalFormats"]
        values = {r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules}
        assert {"Đạt", "Chưa đạt"} <= values
    finally:
        session.close()


def test_registry_in_a_google_sheet_and_real_subprocess(gsheet_project: Any,
                                                        tmp_path: Any) -> None:
    gp: GoogleProject = gsheet_project(three_units()[:2])
    tb = gp.testbench
    registry_rows = [["DANH SÁCH CÔNG ĐOÀN TRỰC THUỘC"],
                     ["Mã", "Tên công đoàn", "Cấp trên", "Số đoàn viên", "Nguồn", "Email liên hệ",
                      "Khu vực"],
                     ["P1", "Công đoàn Tổng công ty Sông Hồng", "", 10, "", "", "Doanh nghiệp"],
                     ["A1", "Công đoàn Công ty Xây lắp số 1", "P1", 20,
                      f"gsheet:https://docs.google.com/spreadsheets/d/{gp.sources['A1']}/edit#gid=0",
                      "a@congdoan.example", "Doanh nghiệp"]]
    reg = tb.call("POST", "/_testbench/spreadsheets", {
        "title": "Danh sách", "sheets": [{"title": "Hướng dẫn", "values": [["x"]]},
                                         {"title": "Đơn vị", "values": registry_rows,
                                          "input": "RAW"}]})["spreadsheetId"]
    text = gp.config.read_text(encoding="utf-8").replace(
        'path = "unions.csv"', f'path = "gsheet:{reg}#Đơn vị"')
    gp.config.write_text(text, encoding="utf-8")

    stats = Stats(tb)
    env = {gh.EMULATOR_ENV: tb.url, gh.CREDENTIALS_ENV: str(tb.credentials_path)}
    proc = run_cli("sync", "--config", str(gp.config), "--json", env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert [s["code"] for s in summary["sources"]] == ["A1"]
    diff = stats.diff()
    assert diff["by_spreadsheet"][reg] == {"sheets.spreadsheets.values.batchGet": 1}
    assert sheets_reads(diff["by_spreadsheet"][gp.sources["A1"]]) == 1
    tabs = gp.master_tabs()
    assert [r[0] for r in tabs["Tiến độ"][1:]] == ["P1", "A1", "TOÀN NGÀNH"]
    assert "secret" not in proc.stderr.lower() and "ya29" not in proc.stderr + proc.stdout


def test_unit_tab_is_the_first_visible_one_when_none_is_named_sang_kien(
        gsheet_project: Any) -> None:
    """`Sáng kiến` else the first visible tab; such a source is read with grid data every time
    (1 request), so a tab added or unhidden before it is noticed."""
    gp: GoogleProject = gsheet_project(three_units()[:2])
    tb = gp.testbench
    rows = [initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An"),
            initiative("Ứng dụng phần mềm quản lý vật tư tại công trường", "Lê Văn Cường",
                       applied=dt.date(2022, 4, 5))]
    old = unit_values([initiative("Một sáng kiến cũ đã chuyển đi nơi khác", "Ai Đó")])
    sid = seed_unit(tb, rows, tab="Danh sách 2022",
                    extra_tabs=[{"title": "Bản cũ", "hidden": True, "values": old}])
    text = gp.project.registry.read_text(encoding="utf-8-sig").replace(
        f"gsheet:{gp.sources['A1']}", f"gsheet:{sid}")
    gp.project.registry.write_text(text, encoding="utf-8-sig")

    code, summary = sync_json(gp)
    assert code == 0
    a1 = next(s for s in summary["sources"] if s["code"] == "A1")
    assert (a1["rows"], a1["valid"]) == (2, 2)  # date cells (DATE format) read as dates

    tb.call("POST", f"/_testbench/spreadsheets/{sid}/edit",
            {"range": "'Danh sách 2022'!A4", "values": [["Cải tiến bộ gá hàn cốt thép dầm mới"]]})
    stats = Stats(tb)
    code, summary = sync_json(gp)
    assert code == 0
    assert stats.diff()["by_spreadsheet"][sid] == {"sheets.spreadsheets.get": 1}
    titles = {r[3] for r in gp.master_tabs()["Sáng kiến"][1:]}
    assert "Cải tiến bộ gá hàn cốt thép dầm mới" in titles
    assert "Một sáng kiến cũ đã chuyển đi nơi khác" not in titles


def test_doctor_explains_access_problems(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(three_units())
    tb = gp.testbench
    tb.call("POST", f"/_testbench/spreadsheets/{gp.sources['B1']}/access", {"private": True})
    tb.call("DELETE", f"/_testbench/spreadsheets/{gp.sources['C1']}")
    xlsx = tb.call("POST", "/_testbench/files", {"name": "sang-kien.xlsx"})["id"]
    text = gp.project.registry.read_text(encoding="utf-8-sig").replace(
        f"gsheet:{gp.sources['A1']}", f"gsheet:{xlsx}")
    gp.project.registry.write_text(text + "D1,Công đoàn D,P1,5," + f"gsheet:{gp.sources['A1']}"
                                   + ",,Doanh nghiệp\n", encoding="utf-8-sig")
    code, out, _ = invoke("doctor", "--config", str(gp.config))
    assert code == 1, out
    email = tb.call("GET", "/_testbench/health")["service_account"]
    lines = {line.split(":", 1)[0]: line for line in out.splitlines() if ":" in line}
    assert email in lines["✓ Khoá Google"]
    assert lines["✓ Nguồn D1"]
    assert "chưa được chia sẻ" in lines["✗ Nguồn B1"] and email in lines["✗ Nguồn B1"]
    assert "không tìm thấy" in lines["✗ Nguồn C1"]
    assert ".xlsx" in lines["✗ Nguồn A1"] and "Google Trang tính" in lines["✗ Nguồn A1"]
    assert lines["✓ Bảng tổng hợp"]

    tb.call("POST", f"/_testbench/spreadsheets/{gp.master_id}/access",
            {"share": [{"email": email, "role": "reader"}]})
    code, out, _ = invoke("doctor", "--config", str(gp.config))
    assert "✗ Bảng tổng hợp" in out and "Người chỉnh sửa" in out


def test_missing_credentials_is_a_configuration_error(gsheet_project: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    gp: GoogleProject = gsheet_project(three_units()[:2])
    monkeypatch.delenv(gh.CREDENTIALS_ENV)
    code, out, err = invoke("sync", "--config", str(gp.config))
    assert code == 2, out + err
    assert "credentials" in err
    assert os.environ.get(gh.CREDENTIALS_ENV) is None

