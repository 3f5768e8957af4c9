"""`sangkien run` with `[digests] write_back = true` on Google Sheet units (issue 6): the findings
land in each unit's own `Kiểm tra` tab, through the real pipeline and the testbench."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from fixtures_gsheets import FAST_CONFIG, GoogleProject
from fixtures_project import UnitSpec, initiative

from sync.cli import main


def test_run_writes_findings_back_to_the_units_sheet(gsheet_project: Any) -> None:
    gp: GoogleProject = gsheet_project([
        UnitSpec("A1", "Công đoàn A", 20, emails="a1@donvi.example", rows=[
            initiative("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An"),
            initiative("Ngắn", "Trần Thị Bình"),
            initiative("Ứng dụng phần mềm quản lý vật tư", "Lê Văn Cường", applied="31/02/2022"),
        ]),
    ], extra_config=FAST_CONFIG + '\n[digests]\nwrite_back = true\nleaders = ["ld@cd.example"]\n')
    result = CliRunner().invoke(main, ["run", "--config", str(gp.config), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["status"] == "ok"
    sheets = {s["title"]: s for s in gp.dump(gp.sources["A1"])["sheets"]}
    assert "Kiểm tra" in sheets
    check = sheets["Kiểm tra"]["values"]
    text = json.dumps(check, ensure_ascii=False)
    assert "title_too_short" in text or "quá ngắn" in text
    assert "31/02/2022" in text
    unit_tab = sheets["Sáng kiến"]
    assert unit_tab["values"][3][0] == "Cải tiến bộ gá hàn cốt thép dầm cầu"  # data untouched
    assert any("Kiểm tra sáng kiến" in note for note in unit_tab["notes"].values())
