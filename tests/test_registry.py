"""The registry of units (SPEC §3): formats, checks that name the row, and the path guard."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from sync.config import load_config
from sync.errors import ConfigError
from sync.registry import load_registry

HEADER = "Mã,Tên công đoàn,Cấp trên,Số đoàn viên,Nguồn,Email liên hệ,Khu vực\n"


def write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def test_csv_registry_resolves_sources_against_its_folder(tmp_path: Path) -> None:
    registry = write(tmp_path / "cfg" / "unions.csv", HEADER +
                     "P,Công đoàn Tổng công ty,,10,,,Doanh nghiệp\n"
                     "A,Công đoàn A,P,\"1.200\",units/a.xlsx,a@example.org; b@example.org,"
                     "hanh chinh su nghiep\n"
                     "B,Công đoàn B,P,30,gsheet:1AbC,,\n")
    units = load_registry(str(registry))
    assert [u.code for u in units] == ["P", "A", "B"]
    a = units[1]
    assert a.members == 1200 and a.parent == "P"
    assert a.source == str((tmp_path / "cfg" / "units" / "a.xlsx").resolve())
    assert a.emails == ("a@example.org", "b@example.org")
    assert a.sector == "Hành chính sự nghiệp"
    assert units[2].source == "gsheet:1AbC"
    assert units[0].source is None


def test_semicolon_csv_and_header_spelling_variants(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv",
                     "MÃ;ten cong doan;Cấp  trên;SỐ ĐOÀN VIÊN;nguon\nX1;Công đoàn X;;55;\n")
    units = load_registry(str(registry))
    assert units[0].code == "X1" and units[0].members == 55


def test_xlsx_registry_with_a_title_row(tmp_path: Path) -> None:
    path = tmp_path / "unions.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Đơn vị")
    sheet.write_row(0, 0, ["DANH SÁCH CÔNG ĐOÀN TRỰC THUỘC"])
    sheet.write_row(2, 0, ["Mã", "Tên công đoàn", "Cấp trên", "Số đoàn viên", "Nguồn"])
    sheet.write_row(3, 0, ["X1", "Công đoàn X", "", 120, ""])
    book.close()
    units = load_registry(str(path))
    assert units[0].members == 120 and units[0].registry_row == 4


def test_every_problem_is_reported_with_its_row(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv", HEADER +
                     "A,Công đoàn A,,0,,,\n"          # row 2: members 0
                     "A,Trùng,,5,,,\n"                # row 3: duplicate code
                     "B,,Z,5,x.doc,a@,Khác\n"        # row 4: no name, unknown parent, bad source…
                     "C,Công đoàn C,D,5,,,\n"
                     "D,Công đoàn D,C,5,,,\n")        # rows 5–6: a parent loop
    with pytest.raises(ConfigError) as info:
        load_registry(str(registry))
    text = str(info.value)
    for expected in ("dòng 2", "Số đoàn viên", "dòng 3", "trùng với dòng 2", "dòng 4",
                     "Tên công đoàn", "«Z»", "x.doc", "a@", "Khu vực", "vòng lặp"):
        assert expected in text, expected


def test_missing_required_column(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv", "Mã,Tên công đoàn\nA,Công đoàn A\n")
    with pytest.raises(ConfigError, match="thiếu cột Số đoàn viên"):
        load_registry(str(registry))


def test_a_source_outside_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / "config").mkdir(parents=True)
    (project / "config" / "units").mkdir()
    (project / "config" / "units" / "link.xlsx").symlink_to(outside / "secret.xlsx")
    write(project / "config" / "unions.csv", HEADER +
          "A,Công đoàn A,,10,../../outside/a.xlsx,,\n"
          f"B,Công đoàn B,,10,{outside / 'b.xlsx'},,\n"
          "C,Công đoàn C,,10,units/link.xlsx,,\n"
          "D,Công đoàn D,,10,units/ok.xlsx,,\n")
    config_file = write(project / "config" / "sync.toml", '[registry]\npath = "unions.csv"\n',
                        encoding="utf-8")
    config = load_config(config_file)
    with pytest.raises(ConfigError) as info:
        load_registry(config.registry, None, config.source_roots)
    text = str(info.value)
    assert "dòng 2" in text and "dòng 3" in text and "dòng 4" in text
    assert "dòng 5" not in text
    assert "ngoài thư mục dự án" in text

    # A shared folder the coordinator lists explicitly is allowed.
    config_file.write_text(f'[registry]\npath = "unions.csv"\nallowed_roots = ["{outside}"]\n',
                           encoding="utf-8")
    config = load_config(config_file)
    units = load_registry(config.registry, None, config.source_roots)
    assert [u.code for u in units] == ["A", "B", "C", "D"]


def test_members_must_be_a_whole_number(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv",
                     HEADER + "A,Công đoàn A,,1240.5,,,\nB,Công đoàn B,,\"1.240\",,,\n")
    with pytest.raises(ConfigError) as info:
        load_registry(str(registry))
    assert "dòng 2" in str(info.value) and "1240.5" in str(info.value)
    assert "dòng 3" not in str(info.value)


def test_an_unquoted_comma_in_a_csv_row_is_named(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv", HEADER + "A,Công đoàn A,,1,240,,,\n")
    with pytest.raises(ConfigError) as info:
        load_registry(str(registry))
    assert "dòng 2 có 8 ô, nhiều hơn dòng tiêu đề (7 cột)" in str(info.value)
    assert "ngoặc kép" in str(info.value)


def test_contact_addresses_must_be_sendable(tmp_path: Path) -> None:
    registry = write(tmp_path / "u.csv", HEADER +
                     "A,Công đoàn A,,10,,lienhe@cong_doan.vn,\n"
                     "B,Công đoàn B,,10,,nguyễn@cd.vn; ok@cd.vn,\n"
                     "C,Công đoàn C,,10,,tohotro.c@donvi.example,\n")
    with pytest.raises(ConfigError) as info:
        load_registry(str(registry))
    text = str(info.value)
    assert "lienhe@cong_doan.vn" in text and "nguyễn@cd.vn" in text and "dòng 4" not in text
