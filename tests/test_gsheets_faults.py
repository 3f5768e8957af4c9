"""Faults, quotas and the master's safety nets, injected through `/_testbench/*` (issue 5)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures_gsheets import GoogleProject, Stats, sheets_reads
from fixtures_project import UnitSpec, initiative, read_master, tab_records

from sync.backends.gsheets import master as gmaster
from sync.backends.gsheets import session as gsession
from sync.cli import main


def sync_json(gp: GoogleProject) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["sync", "--config", str(gp.config), "--json"],
                                catch_exceptions=False)
    assert result.stdout.strip(), result.stderr
    return result.exit_code, json.loads(result.stdout)


def units(n: int = 2) -> list[UnitSpec]:
    out = [UnitSpec("P1", "Công đoàn Tổng công ty", 10)]
    for i in range(n):
        out.append(UnitSpec(f"U{i:03d}", f"Công đoàn Công ty số {i}", 20, parent="P1", rows=[
            initiative(f"Cải tiến quy trình lắp dựng cốp pha số {i}", f"Nguyễn Văn An {i}",
                       applied=dt.date(2022, 1 + i % 12, 1 + i % 28), benefit=1_000_000 * i),
        ]))
    return out


def fault(gp: GoogleProject, **body: Any) -> None:
    gp.testbench.call("POST", "/_testbench/faults", body)


def test_429_and_503_are_retried(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    fault(gp, method="sheets.spreadsheets.get", spreadsheet=gp.sources["U000"], status=429,
          times=2)
    fault(gp, method="sheets.spreadsheets.get", spreadsheet=gp.sources["U001"], status=503,
          times=1)
    fault(gp, method="drive.files.list", status=500, times=1)
    stats = Stats(gp.testbench)
    code, summary = sync_json(gp)
    assert code == 0, summary
    assert {s["status"] for s in summary["sources"]} == {"ok"}
    diff = stats.diff()
    assert diff["by_status"]["429"] == 2 and diff["by_status"]["503"] == 1
    assert diff["by_spreadsheet"][gp.sources["U000"]] == {"sheets.spreadsheets.get": 3}
    assert diff["by_method"]["drive.files.list"] == 2


def test_a_stall_hits_the_timeout_and_is_retried(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(
        units(1), extra_config="\n[google]\nrequests_per_minute = 100000\ntimeout_s = 0.5\n")
    fault(gp, method="sheets.spreadsheets.get", spreadsheet=gp.sources["U000"], delay_s=1.5,
          times=1)
    stats = Stats(gp.testbench)
    started = time.monotonic()
    code, summary = sync_json(gp)
    assert code == 0, summary
    assert summary["sources"][0]["status"] == "ok"
    # the stalled request was abandoned after the 0.5 s read timeout and sent again
    assert stats.diff()["by_spreadsheet"][gp.sources["U000"]] == {"sheets.spreadsheets.get": 2}
    assert time.monotonic() - started < 1.5 + 5


def test_a_source_that_always_fails_or_is_forbidden_keeps_its_last_data(
        gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    code, _ = sync_json(gp)
    assert code == 0
    before = {r[3] for r in gp.master_tabs()["Sáng kiến"][1:]}

    gp.testbench.call("POST", f"/_testbench/spreadsheets/{gp.sources['U000']}/access",
                      {"forbidden": True})
    gp.edit("U001", "'Sáng kiến'!L4", [["đã sửa ghi chú"]])  # changed, so it is read
    fault(gp, method="sheets.*", spreadsheet=gp.sources["U001"], status=503, times=100)
    stats = Stats(gp.testbench)
    code, summary = sync_json(gp)
    assert code == 3, summary
    assert summary["status"] == "partial"
    by_code = {s["code"]: s for s in summary["sources"]}
    assert by_code["U000"]["status"] == "stale"
    assert "chưa được chia sẻ" in by_code["U000"]["message"]
    assert by_code["U001"]["status"] == "stale"
    # bounded: max_attempts = 4 requests for the 503 source, never gspread's endless loop
    assert sheets_reads(stats.diff()["by_spreadsheet"][gp.sources["U001"]]) == 4
    tabs = gp.master_tabs()
    assert {r[3] for r in tabs["Sáng kiến"][1:]} == before  # last good data kept
    findings = {(r[0], r[6]) for r in tabs["Lỗi"][1:]}
    assert ("U000", "permission_denied") in findings
    assert ("U001", "source_unreachable") in findings
    hint = next(r for r in tabs["Lỗi"][1:] if r[6] == "permission_denied")[9]
    assert "iam.gserviceaccount.com" in hint

    # A source whose last read failed is read again next time, even if Drive shows no change.
    gp.testbench.call("DELETE", "/_testbench/faults")
    gp.testbench.call("POST", f"/_testbench/spreadsheets/{gp.sources['U000']}/access",
                      {"forbidden": False})
    code, summary = sync_json(gp)
    assert code == 0
    assert {s["status"] for s in summary["sources"]} == {"ok"}


def test_quota_of_60_reads_a_minute_is_respected_over_100_sources(
        gsheet_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The testbench enforces 60 reads per (compressed) minute; our limiter, configured with the
    same 60 per minute over the same compressed window, must never trip it."""
    window = 1.0
    monkeypatch.setattr(gsession, "RATE_WINDOW_S", window)
    gp: GoogleProject = gsheet_project(
        units(100), extra_config="\n[google]\nrequests_per_minute = 60\ntimeout_s = 5\n")
    gp.testbench.call("POST", "/_testbench/quota",
                      {"reads_per_minute": 60, "writes_per_minute": 60, "window_s": window})
    stats = Stats(gp.testbench)
    started = time.monotonic()
    code, summary = sync_json(gp)
    elapsed = time.monotonic() - started
    gp.testbench.call("POST", "/_testbench/quota", {})
    assert code == 0, summary
    diff = stats.diff()
    assert "429" not in diff["by_status"], diff["by_status"]
    reads = sum(sheets_reads(m) for m in diff["by_spreadsheet"].values())
    assert reads >= 101  # 100 sources + the master's look
    assert elapsed >= (reads // 60) * window  # the pace was really held back


def test_leftover_staging_tabs_are_cleaned_and_a_failed_write_keeps_the_old_master(
        gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    code, _ = sync_json(gp)
    assert code == 0
    good = gp.master_tabs()

    # A write that fails half-way (filling the staging tabs): exit 1, old master untouched.
    gp.edit("U000", "'Sáng kiến'!A4", [["Cải tiến quy trình lắp dựng cốp pha kiểu mới"]])
    fault(gp, method="sheets.spreadsheets.values.batchUpdate", status=400, times=1)
    code, summary = sync_json(gp)
    assert code == 1 and summary["status"] == "failed"
    assert gp.master_tabs() == good

    # A run that died after staging: its hidden staging tabs are still there.
    tb = gp.testbench
    tb.call("POST", "/_testbench/spreadsheets", {"title": "x"})  # unrelated file, ignored
    crash = gmaster.STAGING_PREFIX + "Sáng kiến"
    session = gsession.make_api(_config(gp), ("https://www.googleapis.com/auth/spreadsheets",))
    try:
        session.session.post(
            f"https://sheets.googleapis.com/v4/spreadsheets/{gp.master_id}:batchUpdate",
            json={"requests": [{"addSheet": {"properties": {"title": crash, "hidden": True}}}]},
        ).raise_for_status()
    finally:
        session.session.close()
    assert crash in gp.master_tabs()

    code, _ = sync_json(gp)
    assert code == 0
    tabs = gp.master_tabs()
    assert not [t for t in tabs if t.startswith(gmaster.STAGING_PREFIX)]
    assert "Cải tiến quy trình lắp dựng cốp pha kiểu mới" in {r[3] for r in tabs["Sáng kiến"][1:]}


def _config(gp: GoogleProject) -> Any:
    from sync.config import load_config

    return load_config(gp.config)


def test_cell_limit_cuts_the_master_and_writes_the_full_detail_locally(
        gsheet_project: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    gp: GoogleProject = gsheet_project(units(30))
    # The master's spreadsheet also holds the default 1000×26 "Sheet1": 26,000 cells. What is
    # left, halved (room for the next run's staging copy), holds the small tabs and a part of the
    # 30 initiatives.
    monkeypatch.setattr(gmaster, "CELL_LIMIT", 26_000 + 2 * 1_300)
    code, summary = sync_json(gp)
    assert code == 0, summary
    dump = gp.dump()
    cells = sum(s["properties"]["gridProperties"]["rowCount"]
                * s["properties"]["gridProperties"]["columnCount"]
                for s in dump["sheets"] if s["title"] != "Sheet1")
    assert cells <= 1_300
    tabs = {s["title"]: s["values"] for s in dump["sheets"]}
    initiatives = tabs["Sáng kiến"]
    note = initiatives[-1][0]
    assert note.startswith("Chỉ hiện") and "tong-hop-day-du.xlsx" in note
    assert len(initiatives) - 2 < 30
    notes = next(s for s in dump["sheets"] if s["title"] == "Sáng kiến")["notes"]
    assert any("Chỉ hiện" in n for n in notes.values())
    detail = gp.project.root / "out" / gmaster.DETAIL_FILE
    full = tab_records(read_master(detail), "Sáng kiến")
    assert len(full) == 30
    assert tabs["Tiến độ"][-1][0] == "TOÀN NGÀNH"  # small tabs are whole
