"""The `sangkien` command (SPEC §2). Click commands only: each parses its options, calls one library
function and prints the result. Expected failures print a Vietnamese message and exit with their
code; nothing expected ends in a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from sync import __version__, cli_vi
from sync.config import DEFAULT_CONFIG, Config, load_config
from sync.errors import EXIT_CONFIG, EXIT_FAILED, SangkienError

cli_vi.install()

F = TypeVar("F", bound=Callable[..., Any])


def common_options(func: F) -> F:
    """`--config` and `-v/--verbose` on every command (SPEC §2)."""
    func = click.option("-v", "--verbose", is_flag=True, help="In thêm chi tiết.")(func)
    func = click.option(
        "--config", "config_path", type=click.Path(path_type=Path), default=None,
        help=f"Tệp cấu hình (mặc định {DEFAULT_CONFIG}, tính từ thư mục hiện tại).",
    )(func)
    return func


def handle_errors(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = kwargs.get("verbose", False)
        try:
            return func(*args, **kwargs)
        except SangkienError as exc:
            click.secho(f"Lỗi: {exc}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.secho("Đã dừng theo yêu cầu.", fg="yellow", err=True)
            sys.exit(EXIT_FAILED)
        except click.exceptions.Exit:
            raise
        except BrokenPipeError:
            # The reader of our output went away (`sangkien sync | head`): the work is done, so
            # end with the command's own code, quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(click.get_current_context().meta.get("exit_code", 0))
        except Exception as exc:  # an unexpected bug: say so plainly, details only with -v
            click.secho(f"Lỗi không mong đợi: {type(exc).__name__}: {exc}", fg="red", err=True)
            if verbose:
                traceback.print_exc()
            else:
                click.echo("Chạy lại với -v để xem chi tiết kỹ thuật.", err=True)
            sys.exit(EXIT_FAILED)

    return wrapper  # type: ignore[return-value]


def _config(path: Path | None) -> Config:
    config = load_config(path)
    for warning in config.warnings:
        click.secho(f"Cảnh báo: {warning}", fg="yellow", err=True)
    return config


def _will_exit(code: int) -> None:
    """Remember the exit code before printing (see the closed-pipe case in `handle_errors`)."""
    click.get_current_context().meta["exit_code"] = code


class _Command(click.Command):
    """Usage lines in Vietnamese too (`sangkien sync [TUỲ CHỌN]`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TUỲ CHỌN]")
        super().__init__(*args, **kwargs)


class _Group(click.Group):
    command_class = _Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[TUỲ CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [ĐỐI SỐ]...")
        super().__init__(*args, **kwargs)


@click.group(name="sangkien", cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sangkien")
def main() -> None:
    """Đồng bộ, kiểm tra và tổng hợp sáng kiến của các công đoàn trực thuộc."""


@main.command()
@common_options
@click.option("--dry-run", is_flag=True, help="Không ghi gì; chỉ in những gì sẽ ghi.")
@click.option("--only", multiple=True, metavar="MÃ",
              help="Chỉ đọc các đơn vị này (lặp lại được); đơn vị khác giữ dữ liệu cũ.")
@click.option("--full", is_flag=True, help="Đọc lại mọi nguồn, bỏ qua phát hiện thay đổi.")
@click.option("--json", "as_json", is_flag=True, help="In tóm tắt lần chạy dạng JSON.")
@handle_errors
def sync(config_path: Path | None, verbose: bool, dry_run: bool, only: tuple[str, ...],
         full: bool, as_json: bool) -> None:
    """Đọc, kiểm tra, gộp trùng, tính tiến độ và ghi bảng tổng hợp."""
    from sync.console import print_dry_run, print_summary, reporter_for
    from sync.pipeline import SyncOptions, run_sync

    config = _config(config_path)
    result = run_sync(config, SyncOptions(only=only, full=full, dry_run=dry_run),
                      reporter_for(sys.stderr, quiet=as_json))
    _will_exit(result.exit_code)
    if as_json:
        click.echo(json.dumps(result.summary.as_json(), ensure_ascii=False))
    else:
        print_summary(result.summary, sys.stdout, verbose)
        if dry_run:
            print_dry_run(result.tables, sys.stdout)
    sys.exit(result.exit_code)


@main.command()
@common_options
@click.option("--only", multiple=True, metavar="MÃ", help="Chỉ kiểm tra các đơn vị này.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@handle_errors
def validate(config_path: Path | None, verbose: bool, only: tuple[str, ...],
             as_json: bool) -> None:
    """Đọc và kiểm tra dữ liệu, in lỗi của từng đơn vị; không ghi gì."""
    from sync.console import print_findings, print_summary, reporter_for
    from sync.pipeline import SyncOptions, run_sync

    config = _config(config_path)
    result = run_sync(config, SyncOptions(only=only, validate_only=True, command="validate"),
                      reporter_for(sys.stderr, quiet=as_json))
    _will_exit(result.exit_code)
    findings = result.findings
    assert findings is not None
    if only:
        findings = findings[findings["unit_code"].isin(only)]
    if as_json:
        payload = result.summary.as_json()
        payload["findings"] = json.loads(findings.to_json(orient="records", force_ascii=False))
        click.echo(json.dumps(payload, ensure_ascii=False))
    else:
        names = {u.code: u.name for u in result.units}
        print_findings(findings, names, sys.stdout)
        print("", file=sys.stdout)
        print_summary(result.summary, sys.stdout, verbose)
    sys.exit(result.exit_code)


@main.command()
@common_options
@handle_errors
def doctor(config_path: Path | None, verbose: bool) -> None:
    """Kiểm tra cấu hình, khoá, từng nguồn, bảng tổng hợp và thư điện tử."""
    from sync.doctor import FAIL, run_doctor

    checks = run_doctor(config_path)
    for check in checks:
        click.echo(check.line())
    failed = sum(1 for c in checks if c.status == FAIL)
    click.echo(f"\n{len(checks)} mục kiểm tra, {failed} lỗi." if failed
               else f"\n{len(checks)} mục kiểm tra, tất cả đều ổn.")
    config_failed = bool(checks) and checks[0].status == FAIL and checks[0].name == "Cấu hình"
    sys.exit(EXIT_CONFIG if config_failed else (EXIT_FAILED if failed else 0))


@main.command()
@common_options
@click.option("--only", multiple=True, metavar="MÃ", help="Chỉ chuẩn bị bảng tính của các đơn vị này.")
@click.option("--share", is_flag=True,
              help="Chia sẻ bảng tính (quyền chỉnh sửa) cho email liên hệ của đơn vị.")
@click.option("--template-out", type=click.Path(path_type=Path), default=None, metavar="TỆP",
              help="Nơi ghi mẫu .xlsx cho đơn vị không dùng Google (mặc định: mau-sang-kien.xlsx "
                   "cạnh tệp trạng thái).")
@handle_errors
def provision(config_path: Path | None, verbose: bool, only: tuple[str, ...], share: bool,
              template_out: Path | None) -> None:
    """Chuẩn bị bảng tính của đơn vị theo mẫu: tiêu đề, danh sách chọn, định dạng, hướng dẫn."""
    from sync.provision import run_provision

    report = run_provision(_config(config_path), only, share, template_out)
    for line in report.lines():
        click.echo(line)
    sys.exit(EXIT_FAILED if report.failed else 0)


@main.command()
@click.option("--port", type=int, metavar="CỔNG", default=8089, show_default=True,
              help="Cổng (chỉ 127.0.0.1).")
@click.option("--credentials-out", type=click.Path(path_type=Path), default=None,
              help="Ghi khoá tài khoản dịch vụ mà testbench chấp nhận vào tệp này.")
@click.option("-v", "--verbose", is_flag=True, help="In từng yêu cầu.")
@handle_errors
def testbench(port: int, credentials_out: Path | None, verbose: bool) -> None:
    """Chạy testbench giả lập Google Sheets/Drive/OAuth/Gmail trên máy (cho kiểm thử)."""
    from sync.testbench.server import serve

    serve("127.0.0.1", port, credentials_out)


# -- digests (issue 6): `report` and `run`; the work is in sync.report.commands --------------------

def _today_option(func: F) -> F:
    """Hidden `--today YYYY-MM-DD` (also `SANGKIEN_TODAY`): which day the digests think it is."""
    return click.option("--today", "today", type=click.DateTime(formats=["%Y-%m-%d"]),
                        default=None, hidden=True)(func)


@main.command()
@common_options
@click.option("--period", type=click.Choice(["week", "month", "quarter", "year"]), default=None,
              help="Kỳ báo cáo (mặc định theo [digests] period); lấy kỳ gần nhất đã kết thúc.")
@click.option("--preview", "preview_dir", type=click.Path(path_type=Path), default=None,
              metavar="THƯ_MỤC", help="Ghi thư ra .html, .txt, .eml để xem trước; không gửi.")
@click.option("--send", is_flag=True, help="Gửi thư (mỗi kỳ chỉ gửi một lần).")
@click.option("--force", is_flag=True, help="Cùng --send: gửi lại cả thư đã gửi của kỳ này.")
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON.")
@_today_option
@handle_errors
def report(config_path: Path | None, verbose: bool, period: str | None, preview_dir: Path | None,
           send: bool, force: bool, as_json: bool, today: Any) -> None:
    """Soạn thư tổng hợp cho lãnh đạo và thư phản hồi cho từng đơn vị của một kỳ."""
    from sync.report import commands

    config = _config(config_path)
    delivered = commands.report(config, period, preview_dir, send, force,
                                today.date() if today else None)
    _will_exit(EXIT_FAILED if delivered.failed else 0)
    if as_json:
        click.echo(json.dumps(delivered.as_json(), ensure_ascii=False))
    else:
        for line in commands.describe(delivered):
            click.echo(line)
        if preview_dir is not None:
            click.echo(f"Bản xem trước: {preview_dir}")
    sys.exit(EXIT_FAILED if delivered.failed else 0)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="In tóm tắt lần chạy dạng JSON.")
@_today_option
@handle_errors
def run(config_path: Path | None, verbose: bool, as_json: bool, today: Any) -> None:
    """Việc của lịch chạy tự động: đồng bộ, rồi gửi các thư tổng hợp đến hạn (mỗi kỳ một lần)."""
    from sync.console import print_summary, reporter_for
    from sync.report import commands

    config = _config(config_path)
    outcome = commands.run(config, reporter_for(sys.stderr, quiet=as_json),
                           today.date() if today else None)
    _will_exit(outcome.exit_code)
    if as_json:
        click.echo(json.dumps(outcome.as_json(), ensure_ascii=False))
    else:
        print_summary(outcome.sync.summary, sys.stdout, verbose)
        for line in outcome.messages:
            click.echo(line)
        if outcome.write_back is not None:
            wb = outcome.write_back
            click.echo(f"Ghi lỗi vào bảng tính đơn vị: {len(wb['written'])} đã ghi, "
                       f"{len(wb['unchanged'])} không đổi, {len(wb['errors'])} lỗi")
            for code, detail in wb["errors"].items():
                click.echo(f"  {code}: {detail}")
        if outcome.digests is not None:
            for line in commands.describe(outcome.digests):
                click.echo(line)
    sys.exit(outcome.exit_code)

if __name__ == "__main__":  # pragma: no cover
    main()
