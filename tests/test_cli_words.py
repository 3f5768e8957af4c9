"""The CLI speaks Vietnamese, warns about unknown config keys, and survives a closed pipe."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner
from fixtures_project import REPO, Project, UnitSpec, initiative

from sync.cli import main


def test_help_and_usage_errors_are_in_vietnamese() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert "Cách dùng: sangkien [TUỲ CHỌN] LỆNH" in result.output
    assert "In hướng dẫn này rồi thoát." in result.output and "Usage" not in result.output
    bad = CliRunner().invoke(main, ["sync", "--bogus"])
    assert bad.exit_code == 2
    assert "Không có tuỳ chọn '--bogus'" in bad.output
    period = CliRunner().invoke(main, ["report", "--period", "tuan"])
    assert period.exit_code == 2 and "không thuộc 'week'" in period.output


def test_an_unknown_config_key_is_warned_about(project_factory) -> None:
    project: Project = project_factory(
        [UnitSpec("A1", "Công đoàn A", 20, rows=[initiative("Cải tiến bộ gá hàn cốt thép",
                                                            "Nguyễn Văn An")])])
    text = project.config.read_text(encoding="utf-8").replace("target_rate", "targt_rate")
    project.config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(project.config)])
    assert result.exit_code == 0
    assert "khoá lạ [program] targt_rate" in result.stderr and "«target_rate»" in result.stderr


def test_leaders_must_be_addresses(project_factory) -> None:
    project: Project = project_factory([UnitSpec("A1", "Công đoàn A", 20)],
                                       '\n[digests]\nleaders = "lanhdao@example"\n')
    result = CliRunner().invoke(main, ["validate", "--config", str(project.config)])
    assert result.exit_code == 2 and "[digests] leaders" in result.stderr


def test_a_closed_pipe_keeps_the_exit_code(project_factory) -> None:
    project: Project = project_factory(
        [UnitSpec("A1", "Công đoàn A", 20, rows=[initiative("Cải tiến bộ gá hàn cốt thép",
                                                            "Nguyễn Văn An")])])
    command = (f"{sys.executable} -m sync sync --config {project.config} -v | head -c 1; "
               "exit ${PIPESTATUS[0]}")
    result = subprocess.run(["bash", "-c", command], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr
    assert project.master.is_file()


def test_smtp_login_without_encryption_is_refused(project_factory) -> None:
    project: Project = project_factory([UnitSpec("A1", "Công đoàn A", 20)],
                                       '\n[email.smtp]\nhost = "mail.congdoan.example"\n'
                                       'security = "none"\nusername = "sangkien"\n')
    result = CliRunner().invoke(main, ["validate", "--config", str(project.config)])
    assert result.exit_code == 2 and "không mã hoá" in result.stderr


def test_unit_text_cannot_drive_the_terminal(project_factory) -> None:
    project: Project = project_factory([UnitSpec("A1", "Công đoàn A", 20, rows=[
        initiative("Ngắn\x1b[2J", "Nguyễn Văn An\x1b[31m")])])
    result = CliRunner().invoke(main, ["validate", "--config", str(project.config)])
    assert "\x1b" not in result.stdout and "Ngắn" in result.stdout
