"""Validation end to end: real `.xlsx` unit files through the real CLI (`validate --json`, `sync`)
and the master's `Lỗi` tab (issue 3)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from fixtures_project import (
    TEMPLATE_HEADERS,
    Project,
    UnitSpec,
    initiative,
    read_master,
    run_cli,
    tab_records,
    write_unit_xlsx,
)

from sync import legacy
from sync.cli import main

EXTRA = ("Số điện thoại", "Email")


def with_extra(row: list[object], phone: str = "0912345678") -> list[object]:
    return [*row, phone, "tacgia@congty.vn"]


@pytest.fixture
def project(project_factory) -> Project:
    units = [
        UnitSpec("T3", "Công đoàn Công ty Cơ khí (tệp TCVN3)", 40),
        UnitSpec("VN", "Công đoàn Xí nghiệp Bê tông (tệp VNI)", 30),
        UnitSpec("UC", "Công đoàn Công ty Xây lắp số 1", 50, rows=[
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An, Trần Thị Bình",
                       benefit="150 triệu", social="x"),
            # pasted from an old Word file typed in TCVN3 (.VnTime)
            initiative("C¶i tiÕn hÖ thèng thu håi n­íc röa xe bån", "§ç ThÞ H¹nh",
                       solution_type="Gi¶i ph¸p kü thuËt", workplace="Phßng Kü thuËt",
                       applied=dt.date(2022, 6, 1)),
            initiative("Lắp đặt bộ điều khiển cho gầu khoan cọc nhồi", "KS. Lê Văn Cường",
                       applied="tháng 3/2023", benefit="1.500 triệu"),
            initiative("Chế tạo giá lao dầm tại công trình cầu", "Phòng Kỹ thuật",
                       applied="05/13/2022", benefit="100-150 triệu"),
        ]),
    ]
    project = project_factory(units)
    units_dir = project.root / "config" / "units"
    # A unit whose whole sheet (headers too) is TCVN3, with two columns outside the template.
    t3_rows = [
        with_extra(initiative("C¶i tiÕn bé g¸ hµn cèt thÐp dÇm cÇu", "NguyÔn V¨n Hïng",
                              solution_type="Gi¶i ph¸p kü thuËt", status="§· c«ng nhËn",
                              benefit="150 triÖu")),
        with_extra(initiative("Hîp lý ho¸ quy tr×nh nghiÖm thu cäc khoan nhåi",
                              "TrÇn ThÞ B×nh", solution_type="Gi¶i ph¸p qu¶n lý",
                              applied="05/03/2022")),
    ]
    write_unit_xlsx(units_dir / "T3.xlsx", t3_rows,
                    headers=[legacy.encode(h, "tcvn3") for h in (*TEMPLATE_HEADERS, *EXTRA)],
                    title_rows=(legacy.encode("DANH SÁCH SÁNG KIẾN", "tcvn3"), ""))
    vni_rows = [
        with_extra(initiative("Hôïp lyù hoaù quy trình nghieäm thu coïc khoan nhoài",
                              "Leâ Vaên Cöôøng", solution_type="Giaûi phaùp kyõ thuaät")),
    ]
    write_unit_xlsx(units_dir / "VN.xlsx", vni_rows,
                    headers=[legacy.encode(h, "vni") for h in (*TEMPLATE_HEADERS, *EXTRA)])
    text = project.registry.read_text(encoding="utf-8-sig")
    text = text.replace("T3,Công đoàn Công ty Cơ khí (tệp TCVN3),,40,,",
                        "T3,Công đoàn Công ty Cơ khí (tệp TCVN3),,40,units/T3.xlsx,")
    text = text.replace("VN,Công đoàn Xí nghiệp Bê tông (tệp VNI),,30,,",
                        "VN,Công đoàn Xí nghiệp Bê tông (tệp VNI),,30,units/VN.xlsx,")
    project.registry.write_text(text, encoding="utf-8-sig")
    return project


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_validate_json_reads_legacy_headers_and_reports_each_source_once(project: Project
                                                                         ) -> None:
    code, out = invoke("validate", "--config", str(project.config), "--json")
    assert code == 0, out
    payload = json.loads(out)
    sources = {s["code"]: s for s in payload["sources"]}
    assert {c: (s["status"], s["rows"], s["valid"]) for c, s in sources.items()} == {
        "T3": ("ok", 2, 2), "VN": ("ok", 1, 1), "UC": ("ok", 4, 2)}
    findings = payload["findings"]
    unknown = [f for f in findings if f["code"] == "unknown_column"]
    assert sorted(f["unit_code"] for f in unknown) == ["T3", "VN"]  # once per source
    assert all(f["value"] == "Số điện thoại, Email" and f["severity"] == "info" for f in unknown)
    assert "Số điện thoại, Email" in unknown[0]["message"]
    # every TCVN3/VNI row converted and reported, naming the columns as the unit reads them
    converted = [f for f in findings if f["code"] == "legacy_encoding"]
    assert sorted((f["unit_code"], f["row"]) for f in converted) == [
        ("T3", 4), ("T3", 5), ("UC", 5), ("VN", 4)]
    uc = next(f for f in converted if f["unit_code"] == "UC")
    assert uc["column"] == "Tên sáng kiến, Tác giả, Đơn vị công tác, Loại giải pháp"
    assert uc["value"] == "C¶i tiÕn hÖ thèng thu håi n\u00adíc röa xe bån"
    assert "Cải tiến hệ thống thu hồi nước rửa xe bồn" in uc["message"]
    assert uc["severity"] == "warning"
    t3 = next(f for f in converted if f["unit_code"] == "T3" and f["row"] == 4)
    assert t3["column"].startswith("Tên sáng kiến, ")  # the TCVN3 header, read as Unicode
    # the other rules on the same file
    codes = {(f["unit_code"], f["row"], f["code"]) for f in findings}
    assert {("UC", 6, "invalid_date"), ("UC", 6, "ambiguous_money"),
            ("UC", 7, "invalid_date"), ("UC", 7, "invalid_money"),
            ("UC", 7, "suspicious_author")} <= codes
    bad_date = next(f for f in findings if (f["unit_code"], f["row"], f["code"]) ==
                    ("UC", 7, "invalid_date"))
    assert bad_date["value"] == "05/13/2022" and "13/05/2022" in bad_date["hint"]


def test_sync_writes_findings_to_the_master_errors_tab(project: Project) -> None:
    code, out = invoke("sync", "--config", str(project.config), "--json")
    assert code == 0, out
    master = read_master(project.master)
    errors = tab_records(master, "Lỗi")
    assert list(errors[0])[:10] == ["Mã CĐ", "Công đoàn", "Tab", "Dòng", "Cột", "Giá trị",
                                    "Mã lỗi", "Mức độ", "Thông báo", "Cách sửa"]
    month_only = next(r for r in errors if r["Mã lỗi"] == "invalid_date" and r["Dòng"] == 6)
    assert month_only["Mã CĐ"] == "UC" and month_only["Tab"] == "Sáng kiến"
    assert month_only["Cột"] == "Ngày áp dụng" and month_only["Giá trị"] == "tháng 3/2023"
    assert month_only["Mức độ"] == "Lỗi"
    assert "thiếu ngày" in month_only["Thông báo"] and "15/03/2023" in month_only["Cách sửa"]
    legacy_row = next(r for r in errors if r["Mã lỗi"] == "legacy_encoding" and r["Mã CĐ"] == "UC")
    assert legacy_row["Dòng"] == 5 and legacy_row["Mức độ"] == "Cảnh báo"
    unknown = [r for r in errors if r["Mã lỗi"] == "unknown_column"]
    assert len(unknown) == 2 and all(r["Mức độ"] == "Thông tin" for r in unknown)
    initiatives = {r["Tên sáng kiến"]: r for r in tab_records(master, "Sáng kiến")}
    assert initiatives["Cải tiến hệ thống thu hồi nước rửa xe bồn"]["Tác giả"] == "Đỗ Thị Hạnh"
    assert initiatives["Cải tiến bộ gá hàn cốt thép dầm cầu"]["Giá trị làm lợi (đồng/năm)"] in (
        150_000_000,)
    t3 = {r["Mã CĐ"]: r for r in tab_records(master, "Sáng kiến")
          if r["Tên sáng kiến"] == "Hợp lý hoá quy trình nghiệm thu cọc khoan nhồi"}
    assert t3["T3"]["Loại giải pháp"] == "Giải pháp quản lý"
    assert t3["T3"]["Tác giả"] == "Trần Thị Bình"


def test_validate_through_the_console_script(project: Project, tmp_path) -> None:
    result = run_cli("validate", "--config", str(project.config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "T3 — Công đoàn Công ty Cơ khí (tệp TCVN3)" in out
    assert out.count("toàn bảng tính: Bỏ qua các cột không có trong mẫu: Số điện thoại, Email.") == 2
    assert "dòng 5, cột «Tên sáng kiến, Tác giả, Đơn vị công tác, Loại giải pháp»" in out
    assert "Traceback" not in result.stderr
