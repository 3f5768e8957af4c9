"""Terminal output: the progress bar over sources and the human summaries of a run.

Progress goes to stderr and only on a terminal, so `--json` output and scheduled runs stay clean.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

import pandas as pd

from sync import catalog, fmt
from sync.model import RunSummary
from sync.pipeline import Reporter


class RichReporter(Reporter):
    """One bar over sources (rich), then the stage names."""

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr)
        self.progress: Any = None
        self.task: Any = None

    def sources_started(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        if total <= 0:
            return
        self.progress = Progress(TextColumn("Đọc nguồn"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.description}"), console=self.console,
                                 transient=True)
        self.progress.start()
        self.task = self.progress.add_task("", total=total)

    def source_done(self, code: str) -> None:
        if self.progress is not None:
            self.progress.update(self.task, advance=1, description=code)

    def sources_finished(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None

    def stage(self, name: str) -> None:
        self.console.print(f"[dim]… {name}[/dim]", highlight=False)


def reporter_for(stream: TextIO, quiet: bool) -> Reporter:
    if quiet or not stream.isatty():
        return Reporter()
    return RichReporter(stream)


def print_summary(summary: RunSummary, out: TextIO, verbose: bool = False) -> None:
    status = catalog.RUN_STATUS_LABELS.get(summary.status, summary.status)
    title = ("Kiểm tra dữ liệu" if summary.command == "validate" else
             "Chạy thử (không ghi gì)" if summary.dry_run else "Lần chạy")
    print(f"{title} {summary.run_id}: {status}", file=out)
    counts: dict[str, int] = {}
    for source in summary.sources:
        counts[source.status] = counts.get(source.status, 0) + 1
    parts = [f"{n} {catalog.SOURCE_STATUS_LABELS.get(s, s).lower()}" for s, n in counts.items()]
    print(f"Nguồn: {len(summary.sources)} đơn vị — " + ", ".join(parts), file=out)
    for source in summary.sources:
        if source.status in ("stale", "error") or verbose:
            label = catalog.SOURCE_STATUS_LABELS.get(source.status, source.status)
            line = f"  {source.code:<10} {label}"
            if source.message:
                line += f": {source.message}"
            if verbose:
                line += (f" ({fmt.number(source.rows)} dòng, {fmt.number(source.errors)} lỗi, "
                         f"{fmt.number(source.warnings)} cảnh báo)")
            print(line, file=out)
    t = summary.totals
    if summary.command == "validate":  # no deduplication or progress in a validation
        print(f"Dòng: {fmt.number(t.rows)} · hợp lệ {fmt.number(t.valid)} · bị loại "
              f"{fmt.number(t.rejected)}", file=out)
        return
    print(f"Dòng: {fmt.number(t.rows)} · hợp lệ {fmt.number(t.valid)} · bị loại "
          f"{fmt.number(t.rejected)} · trùng lặp đã gộp {fmt.number(t.duplicates)}", file=out)
    if t.initiatives or t.participants:
        print(f"Toàn ngành: {fmt.number(t.initiatives)} sáng kiến được tính · "
              f"{fmt.number(t.participants)}/{fmt.number(t.members)} người tham gia "
              f"({fmt.percent(t.rate)}) · làm lợi {fmt.money(t.benefit_vnd)}/năm", file=out)
    for message in summary.messages:
        print(message, file=out)
    if summary.master and not summary.dry_run and summary.status != "failed":
        print(f"Bảng tổng hợp: {summary.master}", file=out)
    if verbose and summary.timings:
        timings = ", ".join(f"{k} {v:.2f}s" for k, v in summary.timings.items())
        print(f"Thời gian: {timings}", file=out)


def print_findings(findings: pd.DataFrame, names: dict[str, str], out: TextIO,
                   limit_per_unit: int = 200) -> None:
    """Each unit's findings row by row, as the unit would read them."""
    if findings.empty:
        print("Không có lỗi nào. Cảm ơn các đơn vị!", file=out)
        return
    order = {code: i for i, code in enumerate(names)}
    table = findings.assign(_order=findings["unit_code"].map(order).fillna(len(order)),
                            _row=findings["row"].fillna(0))
    table = table.sort_values(["_order", "_row"], kind="stable")
    for number, (code, group) in enumerate(table.groupby("unit_code", sort=False)):
        errors = int((group["severity"] == catalog.ERROR).sum())
        warnings = int((group["severity"] == catalog.WARNING).sum())
        gap = "\n" if number else ""
        print(_safe(f"{gap}{code} — {names.get(str(code), '')}: {errors} lỗi, "
                    f"{warnings} cảnh báo"), file=out)
        for item in group.head(limit_per_unit).itertuples(index=False):
            where = f"dòng {int(item.row)}" if pd.notna(item.row) else "toàn bảng tính"
            column = f", cột «{item.column}»" if item.column else ""
            label = catalog.SEVERITY_LABELS.get(item.severity, item.severity)
            print(_safe(f"  [{label}] {where}{column}: {item.message}"), file=out)
            print(_safe(f"      → {item.hint}"), file=out)
        if len(group) > limit_per_unit:
            print(f"  … và {len(group) - limit_per_unit} mục khác (xem tab «Lỗi»).", file=out)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _safe(text: str) -> str:
    """Unit text on a terminal: no escape sequences (a cell could rewrite the screen)."""
    return _CONTROL.sub("", text)


def print_dry_run(tables: list[Any], out: TextIO) -> None:
    print("Sẽ ghi các tab:", file=out)
    for table in tables:
        print(f"  {table.name}: {fmt.number(len(table.frame))} dòng", file=out)
