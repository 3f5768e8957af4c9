"""The main job end to end through the real CLI on real `.xlsx` files (issue 2)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fixtures_project import (
    Project,
    UnitSpec,
    initiative,
    read_master,
    run_cli,
    tab_records,
    write_unit_xlsx,
)

from sync.cli import main

SPEC_TABS = {
    "Tiến độ": ["Mã", "Công đoàn", "Cấp trên", "Số đoàn viên", "Chỉ tiêu (người)",
                "Người tham gia", "Tỷ lệ tham gia", "Đạt chỉ tiêu", "Còn thiếu (người)",
                "Số sáng kiến", "Giá trị làm lợi (đồng/năm)", "Số lỗi", "Cập nhật lúc",
                "Tình trạng nguồn"],
    "Sáng kiến": ["Mã sáng kiến", "Mã CĐ", "Công đoàn", "Tên sáng kiến", "Tác giả",
                  "Đơn vị công tác", "Loại giải pháp", "Lĩnh vực", "Ngày áp dụng", "Trạng thái",
                  "Giá trị làm lợi (đồng/năm)", "Ý nghĩa xã hội", "Nguồn", "Ghi nhận lần đầu"],
    "Lỗi": ["Mã CĐ", "Công đoàn", "Tab", "Dòng", "Cột", "Giá trị", "Mã lỗi", "Mức độ",
            "Thông báo", "Cách sửa"],
    "Trùng lặp": ["Nhóm", "Mã sáng kiến giữ lại", "Mã CĐ", "Tab", "Dòng", "Tên sáng kiến",
                  "Tác giả", "Độ giống", "Kết luận", "Lý do"],
    "Tiêu biểu": [],
    "Lịch sử": [],
    "Nhật ký": [],
}


def sector_units() -> list[UnitSpec]:
    return [
        UnitSpec("P1", "Công đoàn Tổng công ty Sông Hồng", 10),
        UnitSpec("A1", "Công đoàn Công ty Xây lắp số 1", 25, parent="P1", rows=[
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An, Trần Thị Bình",
                       benefit=120_000_000, social="x"),
            initiative("Ứng dụng phần mềm quản lý vật tư tại công trường", "nguyen van an",
                       applied="05/04/2022", benefit="150 triệu"),
            initiative("Chế tạo thiết bị nâng hạ ván khuôn leo", "KS. Lê Văn Cường",
                       applied=dt.date(2022, 6, 1), status="Đã công nhận"),
            # the same initiative typed again (shared author): merged, counted once
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Trần Thị Bình",
                       applied=dt.date(2022, 4, 1)),
            # rejected rows
            initiative("Hợp lý hoá quy trình nghiệm thu cọc khoan nhồi", "Phạm Văn Dũng",
                       applied="31/02/2022"),
            initiative("Ngắn", "Phạm Văn Dũng"),
        ]),
        UnitSpec("B1", "Công đoàn Công ty Cơ khí Xây dựng", 100, parent="P1", rows=[
            initiative("Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 2",
                       "Hoàng Thị Lan và Vũ Minh Tuấn", benefit="1.500.000 đ"),
            initiative("=HYPERLINK(\"http://evil.example\",\"Bấm vào đây\") cải tiến", "Vũ Minh Tuấn",
                       status="Không công nhận"),
        ]),
    ]


@pytest.fixture
def sector(project_factory) -> Project:
    return project_factory(sector_units())


def invoke(*args: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sync_json_from_another_directory(sector: Project, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json")
    assert code == 0, out
    summary = json.loads(out)
    assert set(summary) >= {"run_id", "status", "started_at", "finished_at", "sources", "totals",
                            "api"}
    assert summary["status"] == "ok"
    assert {s["code"]: s["status"] for s in summary["sources"]} == {"A1": "ok", "B1": "ok"}
    a1 = next(s for s in summary["sources"] if s["code"] == "A1")
    assert (a1["rows"], a1["valid"]) == (6, 4)
    assert a1["errors"] >= 2
    totals = summary["totals"]
    assert totals["rows"] == 8
    assert totals["valid"] == 6
    assert totals["rejected"] == 2
    assert totals["duplicates"] == 1
    # counted: A1 three initiatives, B1 one (the other is "Không công nhận")
    assert totals["initiatives"] == 4
    # A1: An (typed twice, once without diacritics), Bình, Cường; B1: Lan, Tuấn
    assert totals["participants"] == 5
    assert totals["members"] == 135
    assert totals["rate"] == pytest.approx(5 / 135, abs=1e-6)
    assert totals["benefit_vnd"] == 120_000_000 + 150_000_000 + 1_500_000
    assert summary["api"] == {"reads": 0, "writes": 0}
    assert sector.master.is_file()
    assert not (elsewhere / "out").exists()


def test_master_tabs_columns_and_progress(sector: Project) -> None:
    code, out, _ = invoke("sync", "--config", str(sector.config))
    assert code == 0, out
    assert str(sector.master) in out
    master = read_master(sector.master)
    assert list(master) == list(SPEC_TABS)
    for tab, first_columns in SPEC_TABS.items():
        assert master[tab][0][: len(first_columns)] == first_columns, tab

    progress = {r["Mã"]: r for r in tab_records(master, "Tiến độ")}
    assert list(progress) == ["P1", "A1", "B1", "TOÀN NGÀNH"]
    a1, b1, p1, sector_row = progress["A1"], progress["B1"], progress["P1"], progress["TOÀN NGÀNH"]
    assert (a1["Số đoàn viên"], a1["Chỉ tiêu (người)"], a1["Người tham gia"]) == (25, 3, 3)
    assert a1["Đạt chỉ tiêu"] == "Đạt" and a1["Còn thiếu (người)"] == 0
    assert (b1["Chỉ tiêu (người)"], b1["Người tham gia"], b1["Còn thiếu (người)"]) == (10, 2, 8)
    assert b1["Đạt chỉ tiêu"] == "Chưa đạt"
    # the parent sums its children and its own (none): 135 members → ⌈13.5⌉ = 14
    assert (p1["Số đoàn viên"], p1["Chỉ tiêu (người)"], p1["Người tham gia"]) == (135, 14, 5)
    assert p1["Số sáng kiến"] == 4
    assert p1["Tỷ lệ tham gia"] == pytest.approx(5 / 135)
    assert sector_row["Người tham gia"] == 5 and sector_row["Số đoàn viên"] == 135
    assert a1["Tình trạng nguồn"] == "Đã cập nhật"

    initiatives = tab_records(master, "Sáng kiến")
    assert len(initiatives) == 5  # 6 valid rows − 1 merged
    ids = [r["Mã sáng kiến"] for r in initiatives]
    assert len(set(ids)) == 5 and all(i.startswith("SK") for i in ids)
    first = next(r for r in initiatives if r["Tên sáng kiến"].startswith("Cải tiến bộ gá"))
    assert first["Nguồn"] == "Sáng kiến!4"  # the earlier-applied copy, row 4 of the sheet
    assert first["Ngày áp dụng"] == dt.date(2022, 3, 5)
    assert first["Giá trị làm lợi (đồng/năm)"] == 120_000_000
    assert first["Ý nghĩa xã hội"] == "Có"
    assert first["Tác giả"] == "Nguyễn Văn An, Trần Thị Bình"
    second = next(r for r in initiatives if r["Tên sáng kiến"].startswith("Ứng dụng phần mềm"))
    assert second["Ngày áp dụng"] == dt.date(2022, 4, 5)
    assert second["Giá trị làm lợi (đồng/năm)"] == 150_000_000
    cuong = next(r for r in initiatives if r["Tên sáng kiến"].startswith("Chế tạo"))
    assert cuong["Tác giả"] == "Lê Văn Cường"

    duplicates = tab_records(master, "Trùng lặp")
    assert len(duplicates) == 1
    assert duplicates[0]["Kết luận"] == "Đã gộp"
    assert duplicates[0]["Mã sáng kiến giữ lại"] == first["Mã sáng kiến"]
    assert duplicates[0]["Dòng"] == 7

    findings = tab_records(master, "Lỗi")
    codes = {(r["Mã CĐ"], r["Dòng"], r["Mã lỗi"]) for r in findings}
    assert ("A1", 8, "invalid_date") in codes
    assert ("A1", 9, "title_too_short") in codes
    assert ("B1", 5, "not_recognized") in codes
    bad_date = next(r for r in findings if r["Mã lỗi"] == "invalid_date")
    assert bad_date["Cột"] == "Ngày áp dụng" and bad_date["Giá trị"] == "31/02/2022"
    assert "31/02/2022" in bad_date["Thông báo"] and bad_date["Cách sửa"]
    assert bad_date["Mức độ"] == "Lỗi"


def test_master_cells_are_typed_and_never_formulas(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    book = openpyxl.load_workbook(sector.master)
    sheet = book["Sáng kiến"]
    headers = [c.value for c in sheet[1]]
    date_col = headers.index("Ngày áp dụng") + 1
    money_col = headers.index("Giá trị làm lợi (đồng/năm)") + 1
    title_col = headers.index("Tên sáng kiến") + 1
    assert sheet.freeze_panes == "A2"
    for row in range(2, sheet.max_row + 1):
        assert sheet.cell(row, date_col).is_date
        assert sheet.cell(row, title_col).data_type == "s"
        value = sheet.cell(row, money_col).value
        assert value is None or isinstance(value, int | float)
    # the "=HYPERLINK(...)" title is valid but not counted: it is in the list, as text
    texts = [sheet.cell(r, title_col).value for r in range(2, sheet.max_row + 1)]
    assert any(t.startswith("=HYPERLINK") for t in texts)
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate, cell.value)
    progress = book["Tiến độ"]
    rate_col = [c.value for c in progress[1]].index("Tỷ lệ tham gia") + 1
    assert "%" in progress.cell(2, rate_col).number_format


def test_ids_stable_across_runs_and_resorting(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    first = {r["Tên sáng kiến"]: r["Mã sáng kiến"]
             for r in tab_records(read_master(sector.master), "Sáng kiến")}
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    second = {r["Tên sáng kiến"]: r["Mã sáng kiến"]
              for r in tab_records(read_master(sector.master), "Sáng kiến")}
    assert second == first

    # The unit re-sorts its rows (reverse order): every id stays.
    rows = list(reversed(sector_units()[1].rows))
    write_unit_xlsx(sector.unit_file("A1"), rows)
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json")
    assert code == 0
    assert {s["code"]: s["status"] for s in json.loads(out)["sources"]}["A1"] == "ok"
    third = {r["Tên sáng kiến"]: r["Mã sáng kiến"]
             for r in tab_records(read_master(sector.master), "Sáng kiến")}
    assert third == first

    # A new initiative gets a new id, never one of the old ones.
    write_unit_xlsx(sector.unit_file("A1"), [*rows, initiative(
        "Cải tiến hệ thống thu hồi nước rửa xe bồn", "Đỗ Thị Hạnh")])
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    fourth = {r["Tên sáng kiến"]: r["Mã sáng kiến"]
              for r in tab_records(read_master(sector.master), "Sáng kiến")}
    new_id = fourth.pop("Cải tiến hệ thống thu hồi nước rửa xe bồn")
    assert fourth == first
    assert new_id not in first.values()


def test_unchanged_source_is_reported_unchanged(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json")
    assert code == 0
    assert {s["status"] for s in json.loads(out)["sources"]} == {"unchanged"}
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json", "--full")
    assert {s["status"] for s in json.loads(out)["sources"]} == {"ok"}


def test_missing_unit_file_keeps_last_data_and_exits_3(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    before = tab_records(read_master(sector.master), "Sáng kiến")
    sector.unit_file("B1").unlink()
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json")
    assert code == 3
    summary = json.loads(out)
    assert summary["status"] == "partial"
    b1 = next(s for s in summary["sources"] if s["code"] == "B1")
    assert b1["status"] == "stale"
    assert "không tìm thấy tệp" in b1["message"]
    assert b1["rows"] == 2
    master = read_master(sector.master)
    after = tab_records(master, "Sáng kiến")
    assert sorted(r["Mã sáng kiến"] for r in after) == sorted(r["Mã sáng kiến"] for r in before)
    progress = {r["Mã"]: r for r in tab_records(master, "Tiến độ")}
    assert progress["B1"]["Tình trạng nguồn"].startswith("Dùng dữ liệu cũ")
    assert progress["B1"]["Người tham gia"] == 2
    findings = tab_records(master, "Lỗi")
    assert any(r["Mã CĐ"] == "B1" and r["Mã lỗi"] == "source_unreachable" for r in findings)


def test_missing_unit_file_on_first_run_is_an_error_source(project_factory) -> None:
    project = project_factory([
        UnitSpec("A1", "Công đoàn A", 20, rows=[initiative("Cải tiến bộ gá hàn cốt thép dầm",
                                                           "Nguyễn Văn An")]),
        UnitSpec("B1", "Công đoàn B", 30, source="units/khong-co.xlsx"),
    ])
    code, out, _ = invoke("sync", "--config", str(project.config), "--json")
    assert code == 3
    statuses = {s["code"]: s["status"] for s in json.loads(out)["sources"]}
    assert statuses == {"A1": "ok", "B1": "error"}
    assert project.master.is_file()


def test_missing_registry_exits_2_naming_it(project_factory) -> None:
    project = project_factory(sector_units())
    project.registry.unlink()
    code, _, err = invoke("sync", "--config", str(project.config))
    assert code == 2
    assert "unions.csv" in err and "registry" in err


def test_broken_toml_exits_2_naming_the_file(tmp_path: Path) -> None:
    config = tmp_path / "sync.toml"
    config.write_text('[program]\ntarget_rate = 0.1\n[registry\npath = "x.csv"\n', encoding="utf-8")
    code, _, err = invoke("sync", "--config", str(config))
    assert code == 2
    assert str(config) in err and "TOML" in err and "line 3" in err


def test_bad_config_value_exits_2_naming_the_key(project_factory) -> None:
    project = project_factory(sector_units(), extra_config="")
    text = project.config.read_text(encoding="utf-8").replace("target_rate = 0.10",
                                                              'target_rate = "mười phần trăm"')
    project.config.write_text(text, encoding="utf-8")
    code, _, err = invoke("validate", "--config", str(project.config))
    assert code == 2
    assert "[program] target_rate" in err


def test_missing_config_file_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("sync", "--config", str(tmp_path / "khong-co.toml"))
    assert code == 2 and "khong-co.toml" in err


def test_bad_registry_rows_are_named(project_factory) -> None:
    project = project_factory(sector_units())
    text = project.registry.read_text(encoding="utf-8-sig")
    text += "A1,Trùng mã,,50,,,\nC9,Đơn vị lạ,ZZ,-3,,sai-email,\n"
    project.registry.write_text(text, encoding="utf-8-sig")
    code, _, err = invoke("sync", "--config", str(project.config))
    assert code == 2
    assert "dòng 5" in err and "trùng" in err
    assert "dòng 6" in err and "ZZ" in err and "Số đoàn viên" in err and "sai-email" in err


def test_dry_run_writes_nothing(sector: Project) -> None:
    code, out, _ = invoke("sync", "--config", str(sector.config), "--dry-run")
    assert code == 0
    assert "Tiến độ" in out and "Sáng kiến" in out
    assert not sector.master.exists()
    assert not sector.state.exists()


def test_only_limits_the_pull(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    sector.unit_file("B1").unlink()  # not read with --only A1, so no failure
    code, out, _ = invoke("sync", "--config", str(sector.config), "--only", "A1", "--json")
    assert code == 0
    statuses = {s["code"]: s["status"] for s in json.loads(out)["sources"]}
    assert statuses == {"A1": "unchanged", "B1": "unchanged"}
    code, _, err = invoke("sync", "--config", str(sector.config), "--only", "ZZ")
    assert code == 2 and "ZZ" in err


def test_second_run_waits_for_the_lock(sector: Project) -> None:
    from sync.lock import RunLock

    sector.state.parent.mkdir(parents=True, exist_ok=True)
    with RunLock(sector.state, "other-run", "2026-01-01T00:00:00"):
        code, _, err = invoke("sync", "--config", str(sector.config))
    assert code == 4
    assert "other-run" in err
    assert invoke("sync", "--config", str(sector.config))[0] == 0


def test_validate_prints_each_units_errors(sector: Project) -> None:
    code, out, _ = invoke("validate", "--config", str(sector.config))
    assert code == 0
    assert "A1 — Công đoàn Công ty Xây lắp số 1" in out
    assert "dòng 8, cột «Ngày áp dụng»" in out and "31/02/2022" in out
    assert not sector.master.exists() and not sector.state.exists()
    code, out, _ = invoke("validate", "--config", str(sector.config), "--json", "--only", "A1")
    payload = json.loads(out)
    assert {f["unit_code"] for f in payload["findings"]} == {"A1"}
    assert {f["code"] for f in payload["findings"]} >= {"invalid_date", "title_too_short"}


def test_subprocess_console_script(sector: Project, tmp_path: Path) -> None:
    result = run_cli("sync", "--config", str(sector.config), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["totals"]["initiatives"] == 4
    assert "Traceback" not in result.stderr
    bad = run_cli("sync", "--config", str(tmp_path / "nope.toml"), cwd=tmp_path)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "nope.toml" in bad.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX paths")
def test_history_and_log_grow_per_run(sector: Project) -> None:
    for _ in range(2):
        assert invoke("sync", "--config", str(sector.config))[0] == 0
    master = read_master(sector.master)
    log = tab_records(master, "Nhật ký")
    assert len(log) == 2 and all(r["Kết quả"] == "Thành công" for r in log)
    history = tab_records(master, "Lịch sử")
    assert len(history) == 2 * 4  # P1, A1, B1, TOÀN NGÀNH per run


def test_only_leaves_the_last_attempt_of_the_units_it_skips(sector: Project) -> None:
    assert invoke("sync", "--config", str(sector.config))[0] == 0
    saved = sector.unit_file("B1").read_bytes()
    sector.unit_file("B1").unlink()
    assert invoke("sync", "--config", str(sector.config))[0] == 3  # B1 stale
    sector.unit_file("B1").write_bytes(saved)  # back, byte for byte
    code, out, _ = invoke("sync", "--config", str(sector.config), "--only", "a1", "--json")
    assert code == 0
    assert {s["code"]: s["status"] for s in json.loads(out)["sources"]}["B1"] == "unchanged"
    # B1's last real attempt failed, so the next full sync reads it again
    code, out, _ = invoke("sync", "--config", str(sector.config), "--json")
    assert code == 0
    assert {s["code"]: s["status"] for s in json.loads(out)["sources"]}["B1"] == "ok"


def test_only_with_a_unit_never_read_reports_it(project_factory) -> None:
    project = project_factory([
        UnitSpec("A1", "Công đoàn A", 20, rows=[initiative("Cải tiến bộ gá hàn cốt thép dầm",
                                                           "Nguyễn Văn An")]),
        UnitSpec("B1", "Công đoàn B", 30, rows=[initiative("Ứng dụng phần mềm quản lý vật tư",
                                                           "Trần Thị Bình")]),
    ])
    code, out, _ = invoke("sync", "--config", str(project.config), "--only", "A1", "--json")
    assert code == 3
    b1 = next(s for s in json.loads(out)["sources"] if s["code"] == "B1")
    assert b1["status"] == "error" and "chưa đọc được lần nào" in b1["message"]


def test_kept_rows_taken_column_by_column_equal_a_copy(sector: Project,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The sync lets each column of the validated rows go as the kept rows take it
    (`consume_rows`, after the `Trùng lặp` tab has read them); what it takes must equal a plain
    copy, and none of the taken columns stays behind."""
    import pandas as pd

    import sync.pipeline as pipeline
    from sync import master

    seen: list[tuple[pd.DataFrame, pd.DataFrame, list[str]]] = []
    real = master.kept_initiatives

    def both(data, consume_rows=False):
        plain = real(data)
        taken = real(data, consume_rows=consume_rows)
        seen.append((plain, taken, list(data.rows.columns)))
        return taken

    monkeypatch.setattr(pipeline, "kept_initiatives", both)
    code, out, _ = invoke("sync", "--config", str(sector.config))
    assert code == 0, out
    [(plain, taken, left)] = seen
    assert len(taken) == 5
    pd.testing.assert_frame_equal(taken, plain)
    assert not set(left) & set(master.KEPT_COLUMNS)
