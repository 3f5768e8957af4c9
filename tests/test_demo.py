"""The embedded default's demo: committed files match the generator, the registry is sound, and
every planted mistake sits where the manifest says it does."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync import catalog
from sync.demo import demo
from sync.demo.demo import DemoManifest, PlantedRow, sheet_layout, write_demo
from sync.demo.synth import strip_diacritics

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "config"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    return write_demo(tmp_path_factory.mktemp("demo"))


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def _cell(m: DemoManifest, r: PlantedRow, key: str) -> Any:
    plan = demo.UNIT_BY_CODE[r.unit]
    _, cols = sheet_layout(plan)
    grid = _sheets(m.outdir / demo.DEMO_DIR / f"{r.unit}.xlsx")[r.tab]
    return grid[r.row - 1][cols.index(key)]


# --------------------------------------------------------------------------------------------------
# Committed files
# --------------------------------------------------------------------------------------------------


def test_committed_files_match_a_fresh_run(fresh: DemoManifest) -> None:
    assert (CONFIG / "unions.csv").read_bytes() == fresh.registry.read_bytes()
    committed = sorted(p.name for p in (CONFIG / demo.DEMO_DIR).glob("*.xlsx"))
    generated = sorted(p.name for p in (fresh.outdir / demo.DEMO_DIR).glob("*.xlsx"))
    assert committed == generated == [f"{u.code}.xlsx" for u in demo.UNITS if u.has_sheet]
    for name in committed:
        assert _sheets(CONFIG / demo.DEMO_DIR / name) == _sheets(
            fresh.outdir / demo.DEMO_DIR / name), name


def test_two_runs_give_identical_bytes(fresh: DemoManifest, tmp_path: Path) -> None:
    again = write_demo(tmp_path)
    for p in (fresh.outdir / demo.DEMO_DIR).glob("*.xlsx"):
        assert p.read_bytes() == (again.outdir / demo.DEMO_DIR / p.name).read_bytes(), p.name
    assert again.summary() | {"registry": ""} == fresh.summary() | {"registry": ""}


def test_files_stay_small() -> None:
    assert all(p.stat().st_size < 40_000 for p in (CONFIG / demo.DEMO_DIR).glob("*.xlsx"))


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------


def test_registry_is_sound(fresh: DemoManifest) -> None:
    raw = fresh.registry.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    with open(fresh.registry, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(catalog.REGISTRY_COLUMNS.values())
    codes = [r["Mã"] for r in rows]
    assert len(codes) == len(set(codes)) == 12
    for r in rows:
        assert r["Cấp trên"] in ("", *codes) and r["Cấp trên"] != r["Mã"]
        assert int(r["Số đoàn viên"]) > 0
        assert 150 <= int(r["Số đoàn viên"]) <= 3000
        assert r["Khu vực"] in catalog.REGISTRY_SECTORS
        emails = [e.strip() for e in r["Email liên hệ"].split(";")]
        assert emails and all(e.endswith(("@example.org", "@example.com")) for e in emails)
        if r["Nguồn"]:
            assert not Path(r["Nguồn"]).is_absolute()
            assert (fresh.registry.parent / r["Nguồn"]).is_file()
    parents = {r["Cấp trên"] for r in rows} - {""}
    assert parents == {"XD01", "XD02", "XD03"}
    assert [r["Mã"] for r in rows if not r["Nguồn"]] == ["XD02"]  # a parent that only aggregates
    assert any(";" in r["Email liên hệ"] for r in rows)


# --------------------------------------------------------------------------------------------------
# Sheets and planted rows
# --------------------------------------------------------------------------------------------------


def test_each_sheet_has_its_header_and_rows_where_the_manifest_says(fresh: DemoManifest) -> None:
    for plan in demo.UNITS:
        if not plan.has_sheet:
            continue
        sheets = _sheets(fresh.outdir / demo.DEMO_DIR / f"{plan.code}.xlsx")
        assert catalog.UNIT_TAB in sheets
        grid = sheets[catalog.UNIT_TAB]
        header_row, cols = sheet_layout(plan)
        header = grid[header_row - 1]
        for key, text in zip(cols, header, strict=False):
            if key in catalog.FIELD_BY_KEY:
                expected = plan.headers.get(key, catalog.FIELD_BY_KEY[key].header)
                assert unicodedata.normalize("NFC", text) == expected
        assert all(not any(c != "" for c in row) for row in grid[header_row - 2:header_row - 1])
        rows = fresh.unit_rows(plan.code)
        assert len(rows) == fresh.expected[plan.code].rows
        data_rows = [i + 1 for i, row in enumerate(grid[header_row:], start=header_row)
                     if any(c != "" for c in row)]
        assert data_rows == [r.row for r in rows]
        for r in rows:
            title = grid[r.row - 1][cols.index("title")]
            if r.kind in ("tcvn3_row", "vni_row") or r.error == "title_too_short":
                continue
            if r.kind == "retyped_no_diacritics":
                assert title == strip_diacritics(r.title)
            else:
                assert unicodedata.normalize("NFC", title) == r.title


def test_planted_mistakes_are_all_there(fresh: DemoManifest) -> None:
    m = fresh.mistakes()
    assert {k: sum(v.values()) for k, v in m.items()} == {
        "before_start": 2, "exact_copy": 3, "formula_error": 2, "formula_like_text": 4,
        "future_date": 2, "invalid_date": 2, "invalid_money": 2, "missing_authors": 3,
        "month_only_date": 2, "not_recognized": 2, "numbered_sibling": 2, "one_word_object": 2,
        "parent_child_copy": 2, "possible_duplicate": 4, "retyped_no_diacritics": 2,
        "short_title": 2, "tcvn3_row": 2, "tone_variant_author": 1, "unknown_type": 2,
        "vni_row": 1,
    }
    assert set(m) <= set(demo.MISTAKE_KINDS)
    assert fresh.findings() == {
        "invalid_date": 4, "outside_program_window": 2, "future_date": 2, "missing_required": 3,
        "title_too_short": 2, "unknown_solution_type": 2, "formula_error": 2,
        "not_recognized": 2, "invalid_money": 2, "legacy_encoding": 3,
    }


def test_planted_cells_read_as_planted(fresh: DemoManifest) -> None:
    by_kind = {k: fresh.of_kind(k) for k in demo.MISTAKE_KINDS}
    assert sorted(_cell(fresh, r, "applied_on") for r in by_kind["invalid_date"]) == [
        "29/02/2023", "31/02/2022"]
    assert sorted(_cell(fresh, r, "applied_on") for r in by_kind["month_only_date"]) == [
        "tháng 10/2022", "tháng 3/2022"]
    before = [_cell(fresh, r, "applied_on") for r in by_kind["before_start"]]
    assert dt.date(2019, 11, 15) in before and "12/10/2020" in before
    future = [_cell(fresh, r, "applied_on") for r in by_kind["future_date"]]
    assert dt.date(2032, 3, 15) in future and "15/08/2027" in future
    assert all(_cell(fresh, r, "authors") == "" for r in by_kind["missing_authors"])
    assert sorted(unicodedata.normalize("NFC", _cell(fresh, r, "title"))
                  for r in by_kind["short_title"]) == ["Cải tiến", "Máy hàn"]
    assert sorted(unicodedata.normalize("NFC", _cell(fresh, r, "solution_type"))
                  for r in by_kind["unknown_type"]) == ["Khác", "Sáng chế"]
    assert sorted(_cell(fresh, r, "benefit") for r in by_kind["invalid_money"]) == [
        "theo quyết toán", "xem phụ lục kèm theo"]
    for r in by_kind["not_recognized"]:
        assert _cell(fresh, r, "status") == catalog.STATUS_NOT_RECOGNIZED
        assert not r.counted and r.valid


def test_formula_error_and_formula_like_text(fresh: DemoManifest) -> None:
    ref = next(r for r in fresh.of_kind("formula_error") if r.unit == "XD03")
    na = next(r for r in fresh.of_kind("formula_error") if r.unit == "XD09")
    assert _cell(fresh, na, "authors") == "#N/A"
    # A real error cell: openpyxl sees the broken formula, a values-only reader the error value.
    _, cols = sheet_layout(demo.UNIT_BY_CODE["XD03"])
    ws = openpyxl.load_workbook(fresh.outdir / demo.DEMO_DIR / "XD03.xlsx")[catalog.UNIT_TAB]
    cell = ws.cell(ref.row, cols.index("applied_on") + 1)
    assert cell.data_type == "f" and "#REF!" in str(cell.value)
    assert ref.error == "formula_error" and "missing_required" in ref.alt_errors
    # Text that starts like a formula is stored as text.
    texts = {r.unit: r for r in fresh.of_kind("formula_like_text")}
    for code, key, start in (("XD04", "effect", "="), ("XD10", "summary", "="),
                             ("XD05", "note", "-"), ("XD08", "effect", "+")):
        r = texts[code]
        _, cols = sheet_layout(demo.UNIT_BY_CODE[code])
        ws = openpyxl.load_workbook(fresh.outdir / demo.DEMO_DIR / f"{code}.xlsx")[
            catalog.UNIT_TAB]
        c = ws.cell(r.row, cols.index(key) + 1)
        assert c.data_type == "s" and str(c.value).startswith(start), (code, c.value)


def test_legacy_rows_decode_to_their_titles(fresh: DemoManifest) -> None:
    legacy = pytest.importorskip("sync.legacy")
    rows = fresh.of_kind("tcvn3_row") + fresh.of_kind("vni_row")
    assert len(rows) == 3
    for r in rows:
        enc = "tcvn3" if r.kind == "tcvn3_row" else "vni"
        raw = _cell(fresh, r, "title")
        assert raw != r.title
        assert legacy.decode(raw, enc).casefold() == r.title.casefold()
        assert legacy.decode(_cell(fresh, r, "authors"), enc).casefold() == r.persons[0].casefold()
        assert r.counted


def test_duplicates_point_at_their_kept_rows(fresh: DemoManifest) -> None:
    for r in fresh.of_kind("exact_copy"):
        kept = r.duplicate_of
        assert kept is not None and kept.unit == r.unit and kept.row == r.row - 1
        assert r.cells == kept.cells and not r.counted and kept.counted
    for r in fresh.of_kind("parent_child_copy"):
        kept = r.duplicate_of
        assert kept is not None and demo.UNIT_BY_CODE[kept.unit].parent == r.unit
        assert _cell(fresh, r, "title") == kept.title
        assert r.applied_on > kept.applied_on  # type: ignore[operator]
        assert sum(v is not None for v in r.cells.values()) < sum(
            v is not None for v in kept.cells.values())
    for r in fresh.of_kind("retyped_no_diacritics"):
        kept = r.duplicate_of
        assert kept is not None and kept.unit == r.unit and r.applied_on == kept.applied_on
        assert _cell(fresh, r, "title").isascii()
    for r in fresh.of_kind("possible_duplicate"):
        if r.possible_duplicate_of is not None:
            other = r.possible_duplicate_of
            assert other.title == r.title and other.unit != r.unit
            assert not {strip_diacritics(p) for p in r.persons} & {
                strip_diacritics(p) for p in other.persons}
            assert r.counted and other.counted
    a, b = fresh.of_kind("numbered_sibling")
    assert {a.title.rsplit(" ", 2)[-2:][1], b.title.rsplit(" ", 2)[-2:][1]} == {"1", "2"}
    assert set(a.persons) & set(b.persons) and a.counted and b.counted
    a, b = fresh.of_kind("one_word_object")
    assert set(a.persons) & set(b.persons) and a.title != b.title


def test_people_and_tone_variant(fresh: DemoManifest) -> None:
    (variant,) = fresh.of_kind("tone_variant_author")
    assert "Nguyễn Thị Thu Hoà" in _cell(fresh, variant, "authors")
    assert any("Nguyễn Thị Thu Hòa" in (_cell(fresh, r, "authors") or "")
               for r in fresh.unit_rows("XD09") if r is not variant)
    # Honorifics only on people who appear once in their unit.
    for plan in demo.UNITS:
        names = [re.split(r"\s*[,;\n]\s*|\s+và\s+", str(r.cells.get("authors") or ""))
                 for r in fresh.unit_rows(plan.code)]
        for person in {p for r in fresh.unit_rows(plan.code) for p in r.persons}:
            titled = [n for ns in names for n in ns for h in demo.vocab.HONORIFICS
                      if n == f"{h} {person}"]
            if titled:
                key = demo._person_key(person)
                assert sum(demo._person_key(n.removeprefix(h + " ")) == key
                           for ns in names for n in ns
                           for h in ("", *demo.vocab.HONORIFICS)
                           if n.startswith(h)) == 1, person
    # The same name in two units is two people; a unit typed on a Mac is decomposed.
    assert all(any("Nguyễn Văn Hùng" in r.persons for r in fresh.unit_rows(c))
               for c in ("XD04", "XD08"))
    grid = _sheets(fresh.outdir / demo.DEMO_DIR / "XD07.xlsx")
    assert list(grid) == ["Hướng dẫn", catalog.UNIT_TAB]  # the data tab is not the first
    header_row, cols = sheet_layout(demo.UNIT_BY_CODE["XD07"])
    title = grid[catalog.UNIT_TAB][header_row][cols.index("title")]
    assert unicodedata.is_normalized("NFD", title) and not unicodedata.is_normalized("NFC", title)


def test_expected_numbers_make_an_interesting_progress_table(fresh: DemoManifest) -> None:
    e = fresh.expected
    met = sorted(c for c, x in e.items() if x.meets_target)
    assert met == ["XD03", "XD04", "XD06", "XD10", "XD11"]
    assert (e["XD06"].participants, e["XD06"].target) == (48, 48)  # exactly on target
    assert (e["XD07"].participants, e["XD07"].target) == (38, 39)  # one person short
    t = fresh.totals()
    assert 300 <= t["counted"] <= 450
    assert t["rows"] == t["valid"] + t["rejected"]
    assert t["initiatives"] == t["valid"] - t["duplicates"]
    assert t["participants"] < t["target"]  # the sector is behind
    assert all(not fresh.aggregate(p)["meets_target"] for p in ("XD01", "XD02", "XD03"))
    assert fresh.aggregate("XD02")["members"] == 185 + 480 + 390
    for code, x in e.items():
        rows = fresh.unit_rows(code)
        assert x.rejected == sum(r.error is not None for r in rows)
        assert x.counted == sum(r.counted for r in rows)
        assert x.benefit_vnd == sum(r.benefit_vnd or 0 for r in rows if r.counted)
    # People who appear only on rejected or uncounted rows are never participants.
    for code in e:
        counted = {p for r in fresh.unit_rows(code) if r.counted for p in r.persons}
        for r in fresh.unit_rows(code):
            if not r.counted and r.duplicate_of is None:
                assert not set(r.persons) & counted or r.kind in ("tcvn3_row", "vni_row")
