"""Digests through Gmail and findings written back into units' Google Sheets — both against the
testbench over real HTTP (`GET /_testbench/mail`, `/_testbench/spreadsheets/<id>`)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from fixtures_project import Project
from fixtures_report import LEADERS, SCRIPT_NAME, set_email

from sync.cli import main
from sync.config import parse_config
from sync.model import Unit
from sync.report.context import Results
from sync.report.writeback import CHECK_TAB, NOTE_MARKER, write_back
from sync.state import State
from sync.testbench import Testbench

GMAIL_USER = "sangkien@congdoan.example"
EXPECTED = len(LEADERS) + 4


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def gmail_config(bench: Testbench) -> str:
    return (f'\n[email]\ntransport = "gmail"\nfrom = "Ban Tuyên giáo <{GMAIL_USER}>"\n'
            f'gmail_user = "{GMAIL_USER}"\n\n[google]\ncredentials = "{bench.credentials_path}"\n'
            "max_attempts = 1\n")


def sent_mail(bench: Testbench) -> list[dict]:
    return bench.call("GET", "/_testbench/mail")["messages"]


def test_run_sends_through_gmail_as_the_delegated_user(digest_project: Project,
                                                       emulator_env: Testbench) -> None:
    set_email(digest_project, gmail_config(emulator_env))
    code, out, err = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0, (out, err)
    assert json.loads(out)["digests"]["sent"] == EXPECTED
    mail = sent_mail(emulator_env)
    assert len(mail) == EXPECTED
    assert {m["userId"] for m in mail} == {GMAIL_USER}  # sent as the Workspace user (sub)
    assert all(len(m["to"]) == 1 for m in mail)
    leader = next(m for m in mail if m["to"] == [LEADERS[0]])
    assert leader["subject"].startswith("[Sáng kiến] Tháng ")
    assert leader["subject"].endswith("đơn vị đạt chỉ tiêu")
    msg = message_from_bytes(base64.urlsafe_b64decode(leader["raw"]), policy=default_policy)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.get_payload()] == ["text/plain", "text/html"]
    b1 = next(m for m in mail if m["to"] == ["b1@donvi.example"])
    assert SCRIPT_NAME in b1["subject"]  # decoded as people see it; never a header of its own
    html = message_from_bytes(base64.urlsafe_b64decode(b1["raw"]),
                              policy=default_policy).get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script" not in html

    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0 and json.loads(out)["digests"]["sent"] == 0
    assert len(sent_mail(emulator_env)) == EXPECTED


def test_gmail_outage_is_retried_by_the_next_run(digest_project: Project,
                                                 emulator_env: Testbench) -> None:
    set_email(digest_project, gmail_config(emulator_env))
    emulator_env.call("POST", "/_testbench/faults",
                      {"method": "gmail.users.messages.send", "status": 503, "times": 100})
    code, out, _ = invoke("run", "--config", str(digest_project.config))
    assert code == 1
    assert "Gmail" in out and "sẽ thử lại" in out
    assert sent_mail(emulator_env) == []
    emulator_env.call("DELETE", "/_testbench/faults")
    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0, out
    assert len(sent_mail(emulator_env)) == EXPECTED


def test_gmail_without_delegation_user_is_a_config_error(digest_project: Project,
                                                         emulator_env: Testbench) -> None:
    set_email(digest_project, gmail_config(emulator_env).replace(f'gmail_user = "{GMAIL_USER}"\n',
                                                                  ""))
    code, _, err = invoke("run", "--config", str(digest_project.config))
    assert code == 2 and "gmail_user" in err


# -- write-back -----------------------------------------------------------------------------------

HEADER = ["Tên sáng kiến", "Tác giả", "Loại giải pháp", "Ngày áp dụng", "Ghi chú"]


def seed_unit_sheet(bench: Testbench) -> str:
    body = {"title": "Sáng kiến — Công ty A", "sheets": [
        {"title": "Hướng dẫn", "values": [["Điền sáng kiến vào tab Sáng kiến"]]},
        {"title": "Sáng kiến", "values": [
            ["DANH SÁCH SÁNG KIẾN"], [], HEADER,
            ["Cải tiến bộ gá hàn cốt thép", "Nguyễn Văn An", "KT", "31/02/2022", ""],
            ["Ngắn", "Trần Thị Bình", "Giải pháp kỹ thuật", "05/03/2022", ""],
            ["=1+1 công thức của đơn vị", "Lê Văn Cường", "Giải pháp quản lý", "05/03/2022", ""],
        ], "input": "RAW"},
    ]}
    return bench.call("POST", "/_testbench/spreadsheets", body)["spreadsheetId"]


def finding(row: int | None, field: str, column: str, value: str, code: str,
            severity: str = "error") -> dict:
    return {"unit_code": "G1", "tab": "Sáng kiến", "row": row, "field": field, "column": column,
            "value": value, "code": code, "severity": severity,
            "message": f"Giá trị «{value}» không hợp lệ.", "hint": "Sửa theo mẫu."}


def results_with(findings: list[dict]) -> Results:
    frame = pd.DataFrame(findings, columns=["unit_code", "tab", "row", "field", "column",
                                            "value", "code", "severity", "message", "hint"])
    empty = pd.DataFrame({"code": pd.Series(dtype=object), "name": pd.Series(dtype=object)})
    return Results(None, empty, pd.DataFrame(), frame, pd.DataFrame(), pd.DataFrame())


def dump(bench: Testbench, sid: str) -> dict[str, dict]:
    data = bench.call("GET", f"/_testbench/spreadsheets/{sid}")
    return {s["title"]: s for s in data["sheets"]}


def test_write_back_fills_the_check_tab_and_notes_and_touches_nothing_else(
        emulator_env: Testbench, google_session_factory, tmp_path: Path) -> None:
    bench = emulator_env
    sid = seed_unit_sheet(bench)
    # The unit's own note on a cell that also has a finding: it must stay as the unit wrote it.
    own = google_session_factory()
    resp = own.post(f"https://sheets.googleapis.com/v4/spreadsheets/{sid}:batchUpdate", json={
        "requests": [{"updateCells": {
            "start": {"sheetId": dump(bench, sid)["Sáng kiến"]["sheetId"], "rowIndex": 4,
                      "columnIndex": 0},
            "rows": [{"values": [{"note": "Ghi chú riêng của đơn vị"}]}], "fields": "note"}}]})
    assert resp.status_code == 200
    before = dump(bench, sid)

    xlsx = tmp_path / "X1.xlsx"
    xlsx.write_bytes(b"not touched")
    units = [Unit("G1", "Công đoàn G", None, 40, f"gsheet:{sid}"),
             Unit("X1", "Công đoàn X", None, 40, str(xlsx))]
    config = parse_config({"registry": {"path": "u.csv"},
                           "google": {"credentials": str(bench.credentials_path)}},
                          tmp_path / "sync.toml")
    state = State(tmp_path / "state.sqlite")
    findings = [finding(4, "applied_on", "Ngày áp dụng", "31/02/2022", "invalid_date"),
                finding(4, "solution_type", "Loại giải pháp", "KT", "ambiguous", "warning"),
                finding(5, "title", "Tên sáng kiến", "Ngắn", "title_too_short"),
                finding(None, "", "", "", "unknown_column", "info")]
    when = dt.datetime(2026, 12, 1, 7, 30)
    report = write_back(config, units, results_with(findings), state, when)
    assert report.errors == {} and report.written == ["G1"] and report.units == 1

    after = dump(bench, sid)
    assert list(after) == ["Hướng dẫn", "Sáng kiến", CHECK_TAB]
    assert after["Sáng kiến"]["values"] == before["Sáng kiến"]["values"]  # data untouched
    assert after["Hướng dẫn"]["values"] == before["Hướng dẫn"]["values"]
    check = after[CHECK_TAB]["values"]
    assert "01/12/2026 07:30" in check[0][0] and check[2][:3] == ["Dòng", "Cột", "Giá trị"]
    rows = {(r[0], r[1]) for r in check[3:]}
    assert {(4, "Ngày áp dụng"), (5, "Tên sáng kiến"), ("Cả bảng", "")} <= rows
    notes = after["Sáng kiến"]["notes"]
    assert notes["'Sáng kiến'!D4"].startswith(NOTE_MARKER)
    assert "31/02/2022" in notes["'Sáng kiến'!D4"]
    assert notes["'Sáng kiến'!C4"].startswith(NOTE_MARKER)
    assert notes["'Sáng kiến'!A5"] == "Ghi chú riêng của đơn vị"  # never overwritten
    assert xlsx.read_bytes() == b"not touched"

    # Same findings again: nothing is sent to Google.
    calls = bench.call("GET", "/_testbench/stats")["total"]
    again = write_back(config, units, results_with(findings), state, when)
    assert again.unchanged == ["G1"] and bench.call("GET", "/_testbench/stats")["total"] == calls

    # The unit fixed the date: its note goes, the tab is replaced, the others stay.
    fixed = write_back(config, units, results_with(findings[1:]), state, when)
    assert fixed.written == ["G1"]
    later = dump(bench, sid)
    notes = later["Sáng kiến"]["notes"]
    assert "'Sáng kiến'!D4" not in notes
    assert notes["'Sáng kiến'!C4"].startswith(NOTE_MARKER)
    assert notes["'Sáng kiến'!A5"] == "Ghi chú riêng của đơn vị"
    assert [r[1] for r in later[CHECK_TAB]["values"][3:]].count("Ngày áp dụng") == 0
    assert list(later) == ["Hướng dẫn", "Sáng kiến", CHECK_TAB]
    state.close()
