"""Credentials and tokens never appear in output, logs or state — even in a verbose failing run."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from fixtures_gsheets import GoogleProject
from fixtures_project import UnitSpec, initiative, run_cli


def secrets_of(gp: GoogleProject) -> list[str]:
    key = json.loads(Path(gp.testbench.credentials_path).read_text(encoding="utf-8"))
    pem_lines = [line for line in key["private_key"].splitlines() if "PRIVATE KEY" not in line]
    secrets = [key["private_key_id"], *pem_lines]
    secrets += list(gp.testbench.store.tokens)  # every access token the testbench issued
    assert len(secrets) > 10
    return [s for s in secrets if len(s) >= 16]


def everything_written(gp: GoogleProject, *runs: subprocess.CompletedProcess[str]) -> str:
    out = "".join(r.stdout + r.stderr for r in runs)
    folder = gp.project.state.parent
    for path in folder.rglob("*"):
        if path.is_file():
            out += path.read_bytes().decode("utf-8", errors="replace")
    return out


def test_verbose_failing_runs_leak_no_key_and_no_token(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project([
        UnitSpec("A1", "Công đoàn A", 20, rows=[
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An")]),
        UnitSpec("B1", "Công đoàn B", 30, rows=[
            initiative("Ứng dụng phần mềm quản lý vật tư tại công trường", "Lê Văn Cường")]),
    ])
    first = run_cli("sync", "--config", str(gp.config), "-v")
    assert first.returncode == 0, first.stderr
    # Now everything goes wrong: a source forbidden, the master refusing writes, then the token
    # endpoint refusing the key.
    gp.testbench.call("POST", f"/_testbench/spreadsheets/{gp.sources['B1']}/access",
                      {"forbidden": True})
    gp.testbench.call("POST", "/_testbench/faults", {
        "method": "sheets.spreadsheets.values.batchUpdate", "spreadsheet": gp.master_id,
        "status": 500, "times": 100})
    failing = run_cli("sync", "--config", str(gp.config), "-v", "--full")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    doctor = run_cli("doctor", "--config", str(gp.config), "-v")
    gp.testbench.call("DELETE", "/_testbench/faults")
    gp.testbench.call("POST", "/_testbench/faults", {"method": "oauth2.token", "status": 400,
                                                     "times": 100})
    refused = run_cli("sync", "--config", str(gp.config), "-v", "--json")
    assert refused.returncode == 1
    gp.testbench.call("DELETE", "/_testbench/faults")

    written = everything_written(gp, first, failing, doctor, refused)
    assert "iam.gserviceaccount.com" in written  # the account to share with is fine to show
    leaked = [s[:12] + "…" for s in secrets_of(gp) if s in written]
    assert leaked == []
