"""The fault matrix of docs/reliability.md that the Google and mail tests do not already cover:
a 429 storm, token endpoint errors, a deleted source, two runs at once, and runs killed with
SIGKILL during the pull, during the master write and during sending. Every case ends in its
documented exit code with nothing lost, and the next run completes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from fixtures_gsheets import GoogleProject, Stats, sheets_reads
from fixtures_project import REPO, Project, UnitSpec, initiative, make_project, read_master, tab_records
from fixtures_report import set_email

from sync.backends.gsheets.master import STAGING_PREFIX
from sync.cli import main
from sync.state import State


def units(n: int = 2) -> list[UnitSpec]:
    out = [UnitSpec("P1", "Công đoàn Tổng công ty", 10)]
    for i in range(n):
        out.append(UnitSpec(f"U{i:03d}", f"Công đoàn Công ty số {i}", 20, parent="P1", rows=[
            initiative(f"Cải tiến quy trình lắp dựng cốp pha số {i}", f"Nguyễn Văn An {i}",
                       benefit=1_000_000 * (i + 1)),
        ]))
    return out


def sync_json(config: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--json", *extra],
                                catch_exceptions=False)
    payload = json.loads(result.stdout) if result.stdout.strip() else {}
    return result.exit_code, payload, result.stderr


def fault(gp: GoogleProject, **body: Any) -> None:
    gp.testbench.call("POST", "/_testbench/faults", body)


def clear_faults(gp: GoogleProject) -> None:
    gp.testbench.call("DELETE", "/_testbench/faults")


def visible_master(gp: GoogleProject) -> dict[str, list[list[Any]]]:
    return {s["title"]: s["values"] for s in gp.dump()["sheets"]
            if not s["properties"].get("hidden") and not s["title"].startswith(STAGING_PREFIX)}


def titles_in(tab: list[list[Any]]) -> set[str]:
    return {row[3] for row in tab[1:] if len(row) > 3}


def start_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.Popen([sys.executable, "-m", "sync", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("the condition never came true")


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def seen(gp: GoogleProject, sid: str, method: str) -> Callable[[], bool]:
    """True once one more `method` call on `sid` has arrived than when this was made."""
    def count() -> int:
        stats = gp.testbench.call("GET", "/_testbench/stats")
        return int(stats["by_spreadsheet"].get(sid, {}).get(method, 0))

    before = count()
    return lambda: count() > before


def unfinished_runs(state_path: Path) -> int:
    with State(state_path) as state:
        runs = state.runs()
    return int(runs["finished_at"].isna().sum())


# -- Google faults -----------------------------------------------------------------------------

def test_a_429_storm_longer_than_the_retries_keeps_last_data(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    assert sync_json(gp.config)[0] == 0
    before = titles_in(visible_master(gp)["Sáng kiến"])
    for code in gp.sources:
        gp.edit(code, "'Sáng kiến'!L4", [["sửa"]])
    fault(gp, method="sheets.*", status=429, times=50)  # every read for a long while
    stats = Stats(gp.testbench)
    started = time.monotonic()
    code, summary, _ = sync_json(gp.config)
    # Sources keep their last data and the master cannot be written either: "failed", exit 1.
    assert code == 1, summary
    assert summary["status"] == "failed"
    assert {s["status"] for s in summary["sources"]} == {"stale"}
    assert time.monotonic() - started < 30  # bounded retries, never an endless loop
    diff = stats.diff()
    for sid in gp.sources.values():
        assert sheets_reads(diff["by_spreadsheet"][sid]) == 4  # max_attempts
    assert titles_in(visible_master(gp)["Sáng kiến"]) == before
    clear_faults(gp)
    code, summary, _ = sync_json(gp.config)
    assert code == 0 and {s["status"] for s in summary["sources"]} == {"ok"}


def test_token_endpoint_errors(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(1))
    # A passing failure of the token endpoint is retried.
    fault(gp, method="oauth2.token", status=503, times=1)
    code, summary, err = sync_json(gp.config)
    assert code == 0, (summary, err)
    before = titles_in(visible_master(gp)["Sáng kiến"])
    assert gp.testbench.call("GET", "/_testbench/stats")["auth"]

    # A refusal for good (a revoked key): the run fails with a clear message and writes nothing.
    gp.edit("U000", "'Sáng kiến'!A4", [["Cải tiến quy trình lắp dựng cốp pha (sửa)"]])
    fault(gp, method="oauth2.token", status=400, times=100)
    code, summary, err = sync_json(gp.config)
    assert code == 1, (summary, err)
    assert "Traceback" not in err and err.strip()
    assert titles_in(visible_master(gp)["Sáng kiến"]) == before
    clear_faults(gp)
    code, summary, _ = sync_json(gp.config)
    assert code == 0
    assert "Cải tiến quy trình lắp dựng cốp pha (sửa)" in titles_in(visible_master(gp)["Sáng kiến"])


def test_a_deleted_source_keeps_its_last_data(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    assert sync_json(gp.config)[0] == 0
    gp.testbench.call("DELETE", f"/_testbench/spreadsheets/{gp.sources['U001']}")
    code, summary, _ = sync_json(gp.config)
    assert code == 3
    u001 = next(s for s in summary["sources"] if s["code"] == "U001")
    assert u001["status"] == "stale" and u001["rows"] == 1
    assert "không tìm thấy" in u001["message"]
    assert "Cải tiến quy trình lắp dựng cốp pha số 1" in titles_in(visible_master(gp)["Sáng kiến"])


# -- Killed runs ---------------------------------------------------------------------------------

def test_killed_during_the_pull(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    fault(gp, method="sheets.spreadsheets.get", spreadsheet=gp.sources["U001"], delay_s=60,
          times=1)
    arrived = seen(gp, gp.sources["U001"], "sheets.spreadsheets.get")
    process = start_cli("sync", "--config", str(gp.config))
    wait_until(arrived)
    kill(process)
    clear_faults(gp)
    assert unfinished_runs(gp.project.state) == 1

    code, summary, _ = sync_json(gp.config)  # the lock died with the process
    assert code == 0, summary
    master = visible_master(gp)
    assert titles_in(master["Sáng kiến"]) == {"Cải tiến quy trình lắp dựng cốp pha số 0",
                                              "Cải tiến quy trình lắp dựng cốp pha số 1"}
    log = master["Nhật ký"]
    assert len(log) == 3 and "dừng giữa chừng" in log[1][-1]


def test_killed_during_the_master_write(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(2))
    assert sync_json(gp.config)[0] == 0
    before = titles_in(visible_master(gp)["Sáng kiến"])
    gp.edit("U000", "'Sáng kiến'!A4", [["Cải tiến quy trình lắp dựng cốp pha số 0 (bản mới)"]])
    fault(gp, method="sheets.spreadsheets.values.batchUpdate", spreadsheet=gp.master_id,
          delay_s=60, times=1)
    arrived = seen(gp, gp.master_id, "sheets.spreadsheets.values.batchUpdate")
    process = start_cli("sync", "--config", str(gp.config))
    wait_until(arrived)
    kill(process)
    clear_faults(gp)
    # Readers still see the previous master, whole.
    assert titles_in(visible_master(gp)["Sáng kiến"]) == before
    assert unfinished_runs(gp.project.state) == 1

    code, summary, _ = sync_json(gp.config)
    assert code == 0, summary
    titles = [s["title"] for s in gp.dump()["sheets"]]
    assert not [t for t in titles if t.startswith(STAGING_PREFIX)]  # leftovers cleaned up
    assert "Cải tiến quy trình lắp dựng cốp pha số 0 (bản mới)" in titles_in(
        visible_master(gp)["Sáng kiến"])


class StallingHandler:
    """An SMTP server whose first DATA never answers (the run is killed meanwhile)."""

    def __init__(self) -> None:
        self.stall = True
        self.stalled = threading.Event()
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall:
            self.stalled.set()
            await asyncio.sleep(120)
            return "451 trop tard"
        self.received.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


def test_killed_during_sending_then_each_digest_is_sent_exactly_once(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller
    from fixtures_report import LEADERS, digest_units
    from fixtures_smtp import free_port

    leaders = ", ".join(f'"{a}"' for a in LEADERS)
    project: Project = make_project(tmp_path / "project", digest_units(),
                                    f'\n[digests]\nperiod = "month"\nleaders = [{leaders}]\n')
    handler = StallingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        set_email(project, '\n[email]\ntransport = "smtp"\nfrom = "sangkien@congdoan.example"\n'
                  f'[email.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
                  "timeout_s = 120\n")
        process = start_cli("run", "--config", str(project.config))
        assert handler.stalled.wait(60)
        kill(process)
        handler.stall = False
        with State(project.state) as state:
            pending = [e for e in state.digest_entries() if e["status"] == "pending"]
        assert len(pending) == 1  # recorded before the hand-over: the next run knows

        result = CliRunner().invoke(main, ["run", "--config", str(project.config), "--json"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.stdout + result.stderr
        recipients = [r for rcpts, _ in handler.received for r in rcpts]
        assert len(recipients) == len(set(recipients))  # nobody got a message twice
        with State(project.state) as state:
            entries = state.digest_entries()
        assert {e["status"] for e in entries} == {"sent"}
        assert sorted(recipients) == sorted(e["recipient"] for e in entries)
        # and the run after that sends nothing
        again = CliRunner().invoke(main, ["run", "--config", str(project.config), "--json"],
                                   catch_exceptions=False)
        assert json.loads(again.stdout)["digests"]["sent"] == 0
        assert len(handler.received) == len(entries)
    finally:
        controller.stop()


def test_two_runs_at_once(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project(units(1))
    fault(gp, method="sheets.spreadsheets.get", spreadsheet=gp.sources["U000"], delay_s=60,
          times=1)
    arrived = seen(gp, gp.sources["U000"], "sheets.spreadsheets.get")
    first = start_cli("sync", "--config", str(gp.config))
    try:
        wait_until(arrived)
        code, _, err = sync_json(gp.config)
        assert code == 4
        assert "đang giữ khoá" in err
    finally:
        kill(first)
    clear_faults(gp)
    assert sync_json(gp.config)[0] == 0


def test_a_killed_xlsx_writer_leaves_the_master_whole_and_its_temp_file_is_cleaned(
        project_factory: Any) -> None:
    """The .xlsx master is replaced by rename, so a writer killed half-way leaves only its temp
    file (named after its pid) beside a whole master; the next write removes such leftovers."""
    project: Project = project_factory([
        UnitSpec("A1", "Công đoàn A", 20, rows=[initiative(
            "Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An")]),
    ])
    assert sync_json(project.config)[0] == 0
    before = tab_records(read_master(project.master), "Sáng kiến")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    leftover = project.master.with_name(f".master.{dead}.tmp.xlsx")
    leftover.write_bytes(b"PK\x03\x04 half a workbook")
    assert tab_records(read_master(project.master), "Sáng kiến") == before
    assert sync_json(project.config, "--full")[0] == 0
    assert not leftover.exists()
