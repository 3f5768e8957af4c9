"""Pure pieces of the Google backend: payloads, locators, value conversion, chunking, fitting."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from sync import catalog
from sync.backends.base import Payload, Table
from sync.backends.gsheets import master as gmaster
from sync.backends.gsheets import sources as gsources
from sync.backends.gsheets import workbook
from sync.backends.gsheets.session import parse_locator
from sync.errors import MasterWriteError, SourceError
from sync.sheet import extract
from sync.sources import open_payload
from sync.state import SnapshotInfo


def _cell(value: dict | None = None, kind: str | None = None) -> dict:
    out: dict = {}
    if value is not None:
        out["effectiveValue"] = value
    if kind:
        out["effectiveFormat"] = {"numberFormat": {"type": kind}}
    return out


def grid_body() -> dict:
    header = [_cell({"stringValue": h}) for h in
              ("Tên sáng kiến", "Tác giả", "Loại giải pháp", "Ngày áp dụng", "Giá trị làm lợi")]
    row = [_cell({"stringValue": "Cải tiến bộ gá hàn cốt thép"}),
           _cell({"stringValue": "Nguyễn Văn An"}),
           _cell({"errorValue": {"type": "REF", "message": "x"}}),
           _cell({"numberValue": 44625}, "DATE"),
           _cell({"numberValue": 1500000}, "NUMBER")]
    return {"spreadsheetId": "abc", "properties": {"title": "Đơn vị"}, "sheets": [
        {"properties": {"sheetId": 7, "title": "Ẩn", "index": 0, "hidden": True},
         "data": [{"rowData": [{"values": [_cell({"stringValue": "cũ"})]}]}]},
        {"properties": {"sheetId": 0, "title": "Năm 2022", "index": 1},
         "data": [{"rowData": [{"values": [_cell({"stringValue": "DANH SÁCH"})]}, {},
                               {"values": header}, {"values": row},
                               {"values": [_cell(), _cell({"boolValue": True})]}]}]},
    ]}


def test_grid_payload_picks_first_visible_tab_converts_dates_and_errors() -> None:
    data, tab, how = workbook.from_grid_response(grid_body())
    assert (tab, how) == ("Năm 2022", "first_visible")
    book = workbook.GoogleValuesWorkbook(data, "abc")
    assert [(t.name, t.hidden) for t in book.tabs()] == [("Ẩn", True), ("Năm 2022", False)]
    grid = book.read("Năm 2022")
    assert grid[0] == ["DANH SÁCH"] and grid[1] == []
    assert grid[3] == ["Cải tiến bộ gá hàn cốt thép", "Nguyễn Văn An", "#REF!",
                       dt.date(2022, 3, 5), 1500000]
    assert grid[4] == ["", True]
    assert book.read("Ẩn") == []  # only the unit's tab is kept
    sheet = extract(open_payload(Payload("gsheet-json", data, "fp", "abc")))
    assert sheet.tab == "Năm 2022" and len(sheet.frame) == 2


def test_named_tab_wins_and_unknown_tab_is_a_source_error() -> None:
    body = grid_body()
    body["sheets"][0]["properties"]["title"] = "sang kien"  # any spelling of «Sáng kiến»
    _, tab, how = workbook.from_grid_response(body)
    assert (tab, how) == ("sang kien", "name")
    _, tab, how = workbook.from_grid_response(grid_body(), gid=7)
    assert (tab, how) == ("Ẩn", "named")
    with pytest.raises(SourceError):
        workbook.from_grid_response(grid_body(), tab="Không có")


def test_values_payload_and_bad_payloads() -> None:
    data = workbook.from_values_response("abc", "Sáng kiến", {"values": [["a", 44625], [], ["b"]]})
    book = workbook.GoogleValuesWorkbook(data)
    assert book.read("Sáng kiến") == [["a", 44625], [], ["b"]]  # serials stay numbers
    assert workbook.GoogleValuesWorkbook(
        workbook.from_values_response("abc", "S", {})).read("S") == []
    for bad in (b"not json", json.dumps({"format": "x"}).encode()):
        with pytest.raises(SourceError):
            workbook.GoogleValuesWorkbook(bad, "abc")


def test_fingerprint_memory_round_trip() -> None:
    info = gsources.gh.DriveFileInfo("abc", "2024-01-01T00:00:00.000Z", "12")
    fp = gsources.fingerprint(info, "Sáng kiến|x", "name")
    memory = gsources.memory_of(SnapshotInfo("gsheet:abc", fp, "t"))
    assert memory.drive == gsources.drive_part(info)
    assert (memory.tab, memory.tab_by) == ("Sáng kiến|x", "name")
    assert gsources.memory_of(SnapshotInfo("x.xlsx", "sha", "t")) == gsources.Memory()
    assert gsources.fingerprint(None, "S", "name").startswith("gdrive:?")


def test_locators() -> None:
    assert parse_locator("gsheet:1AbC-_x").spreadsheet_id == "1AbC-_x"
    loc = parse_locator("gsheet:https://docs.google.com/spreadsheets/d/1AbC/edit#gid=42")
    assert (loc.spreadsheet_id, loc.gid, loc.tab) == ("1AbC", 42, None)
    loc = parse_locator("gsheet:1AbC#Đơn%20vị")
    assert (loc.spreadsheet_id, loc.tab) == ("1AbC", "Đơn vị")
    for bad in ("gsheet:", "gsheet:a b", "units/x.xlsx"):
        with pytest.raises(SourceError):
            parse_locator(bad)


def test_column_values_are_raw_and_typed() -> None:
    text = pd.Series(["=IMPORTXML(\"x\")", "+84", None, 12.0, float("nan"), "x" * 60_000])
    assert gmaster.column_values(text, "text")[:5] == ["=IMPORTXML(\"x\")", "+84", "", "12", ""]
    assert len(gmaster.column_values(text, "text")[5]) == gmaster.MAX_CELL_CHARS
    money = pd.Series([1_500_000.0, "không tính được", None, pd.NA], dtype=object)
    assert gmaster.column_values(money, "money") == [1500000, "không tính được", "", ""]
    dates = pd.Series([dt.date(2022, 3, 5), pd.Timestamp("2022-03-05 12:00"), None])
    assert gmaster.column_values(dates, "date") == [44625, 44625, ""]
    assert gmaster.column_values(dates, "datetime")[1] == 44625.5
    assert gmaster.column_values(pd.Series([0.125]), "percent") == [0.125]


def _table(name: str, rows: int, note: str = "") -> Table:
    columns = catalog.MASTER_TABS[name]
    frame = pd.DataFrame({c.header: [f"{name} {i}" for i in range(rows)] for c in columns})
    return Table(name, columns, frame, note=note)


def test_value_bodies_stay_under_the_chunk_size_and_cover_every_row_in_order() -> None:
    tables = [_table(catalog.TAB_PROGRESS, 3), _table(catalog.TAB_INITIATIVES, 400),
              _table(catalog.TAB_LOG, 2, note="ghi chú")]
    staged = [gmaster._Staged(t, i, gmaster.STAGING_PREFIX + t.name)
              for i, t in enumerate(tables)]
    bodies = gmaster.value_bodies(gmaster.staged_ranges(staged), 20_000)
    assert len(bodies) > 3
    seen: dict[str, list[list]] = {}
    for body in bodies:
        assert body["valueInputOption"] == "RAW"
        assert len(json.dumps(body, ensure_ascii=False).encode("utf-8")) <= 20_000
        for entry in body["data"]:
            tab, _, start = entry["range"].rpartition("!A")
            rows = seen.setdefault(tab, [])
            assert int(start) == len(rows) + 1  # consecutive blocks
            rows.extend(entry["values"])
    for s in staged:
        assert seen[gmaster.quote_tab(s.title)] == gmaster.table_rows(s.table)
    log_rows = seen[gmaster.quote_tab(staged[2].title)]
    assert log_rows[-1] == ["ghi chú"] and len(log_rows) == 4
    one = gmaster.value_bodies(gmaster.staged_ranges(staged[:1]), gmaster.CHUNK_BYTES)
    assert len(one) == 1


def test_fit_tables_cuts_big_tabs_keeps_progress_and_latest_history() -> None:
    tables = [_table(catalog.TAB_PROGRESS, 50), _table(catalog.TAB_INITIATIVES, 500),
              _table(catalog.TAB_HISTORY, 800), _table(catalog.TAB_NOTABLE, 10)]
    total = sum(gmaster.cells_of(t) for t in tables)
    same, cuts = gmaster.fit_tables(tables, total, 10_000_000, "d.xlsx")
    assert cuts == [] and same == tables
    budget = total // 3
    fitted, cuts = gmaster.fit_tables(tables, budget, 10_000_000, "d.xlsx")
    assert sum(gmaster.cells_of(t) for t in fitted) <= budget
    assert {c.name for c in cuts} == {catalog.TAB_INITIATIVES, catalog.TAB_HISTORY}
    by_name = {t.name: t for t in fitted}
    assert len(by_name[catalog.TAB_PROGRESS].frame) == 50
    history = by_name[catalog.TAB_HISTORY].frame
    assert history.iloc[-1, 0] == f"{catalog.TAB_HISTORY} 799"  # the latest rows
    assert by_name[catalog.TAB_INITIATIVES].frame.iloc[0, 0] == f"{catalog.TAB_INITIATIVES} 0"
    assert "10.000.000" in by_name[catalog.TAB_HISTORY].note
    with pytest.raises(MasterWriteError):
        gmaster.fit_tables(tables, 100, 10_000_000, "d.xlsx")
