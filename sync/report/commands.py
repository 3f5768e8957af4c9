"""What `sangkien report` and `sangkien run` do, as functions (the CLI only parses and prints).

- `report(config, period, preview_dir, send, force)`: the digests of the last completed period of
  one kind (`--period`, default `[digests] period`). `--preview DIR` writes `.html`, `.txt` and
  `.eml` per message and sends nothing; `--send` sends through the configured transport, once
  (the ledger skips what was sent; `--force` sends again); neither: lists what would be sent.
- `run(config)`: `sync`, then the unit sheets' write-back (with `[digests] write_back`), then
  every due digest not yet sent (see `period` for "due") and every earlier failed send.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sync.addresses import recipients_once
from sync.config import GSHEET_PREFIX, Config
from sync.errors import EXIT_FAILED, ConfigError, SangkienError
from sync.lock import RunLock
from sync.model import Unit
from sync.report.chart import trend_png
from sync.report.context import Results, leaders_digest, unit_feedbacks
from sync.report.message import is_address, outgoing, sender_address
from sync.report.period import Period, configured_periods, last_completed, parse_ledger_key, today
from sync.report.render import Rendered, Renderer
from sync.report.sending import DeliveryReport, Ledger, Outcome, Planned
from sync.report.transports import make_transport, write_files
from sync.state import State

PREVIEW_NO_ADDRESS = "chua-co-email@example.invalid"


class NoResults(SangkienError):
    """No sync has finished yet: there is nothing to report."""


@dataclass(slots=True)
class DigestSources:
    """Everything digests are built from, loaded once."""

    config: Config
    results: Results
    history: pd.DataFrame
    units: list[Unit]
    today: dt.date


@dataclass(slots=True)
class RunOutcome:
    sync: Any  # pipeline.SyncResult
    digests: DeliveryReport | None
    write_back: dict[str, Any] | None = None
    exit_code: int = 0
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = self.sync.summary.as_json()
        data["digests"] = self.digests.as_json() if self.digests is not None else None
        if self.write_back is not None:
            data["write_back"] = self.write_back
        data["exit_code"] = self.exit_code
        return data


def now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def load_sources(config: Config, day: dt.date, units: list[Unit] | None = None) -> DigestSources:
    if not config.state_path.exists():
        raise NoResults("Chưa có lần đồng bộ nào (chưa có tệp trạng thái "
                        f"{config.state_path}); chạy «sangkien sync» trước.")
    with State(config.state_path) as state:
        run_id, frames = state.results()
        history = state.history()
    if not frames or "progress" not in frames:
        raise NoResults("Chưa có kết quả đồng bộ nào để báo cáo; chạy «sangkien sync» trước.")
    if units is None:
        from sync.pipeline import load_units

        units = load_units(config)
    return DigestSources(config, Results.from_frames(run_id, frames, history), history, units, day)


def master_label(config: Config) -> str:
    if config.master.startswith(GSHEET_PREFIX):
        return "Google Sheet tổng hợp"
    return Path(config.master).name


def leaders(config: Config) -> list[str]:
    bad = [a for a in config.digests.leaders if not is_address(a)]
    if bad:
        raise ConfigError(f"{config.path}: khoá [digests] leaders có địa chỉ không hợp lệ: "
                          f"{', '.join(repr(b) for b in bad)}.")
    return list(config.digests.leaders)


def plan(sources: DigestSources, period: Period, renderer: Renderer, *, with_leaders: bool = True,
         with_units: bool = True, keep_unaddressed: bool = False) -> list[Planned]:
    """The digests of one period: the leaders' one and each unit's feedback."""
    config = sources.config
    planned: list[Planned] = []
    if with_leaders:
        recipients = leaders(config) or ([PREVIEW_NO_ADDRESS] if keep_unaddressed else [])
        if recipients:
            def render_leaders() -> Rendered:
                digest = leaders_digest(
                    sources.results, sources.history, config.program, period=period,
                    today=sources.today, master_url=config.digests.master_url,
                    master_label=master_label(config), units=sources.units)
                chart = trend_png(digest.trend, float(config.program.target_rate),
                                  config.program.deadline)
                return renderer.render(digest, chart)

            planned.append(Planned(period.ledger_key, "leaders", recipients, render_leaders,
                                   "lãnh đạo"))
    if with_units and config.digests.unit_feedback:
        for feedback in unit_feedbacks(sources.results, sources.units, config.program,
                                       period=period, today=sources.today,
                                       write_back=config.digests.write_back):
            recipients = list(feedback.emails) or (
                [PREVIEW_NO_ADDRESS] if keep_unaddressed else [])
            if not recipients:
                continue
            planned.append(Planned(period.ledger_key, f"unit:{feedback.code}", recipients,
                                   functools.partial(renderer.render, feedback),
                                   feedback.unit.name))
    return planned


def report(config: Config, period: str | None = None, preview_dir: Path | None = None,
           send: bool = False, force: bool = False, on: dt.date | None = None) -> DeliveryReport:
    """`sangkien report`."""
    if preview_dir is not None and send:
        raise ConfigError("Chọn một trong --preview THƯ_MỤC hoặc --send, không dùng cả hai.")
    if force and not send:
        raise ConfigError("--force chỉ dùng cùng --send.")
    day = today(on)
    chosen = last_completed(period or config.digests.period, day)
    sources = load_sources(config, day)
    renderer = Renderer()
    sender = sender_address(config.email.sender)
    if preview_dir is not None:
        return preview(plan(sources, chosen, renderer, keep_unaddressed=True), preview_dir,
                       sender)
    if not send:
        return listing(plan(sources, chosen, renderer), config)
    with RunLock(config.state_path, f"report-{now():%Y%m%d-%H%M%S}", now().isoformat()), \
            State(config.state_path) as state:
        ledger = Ledger(state, make_transport(config), sender, now)
        delivered = ledger.deliver(plan(sources, chosen, renderer), force=force)
    _note_unaddressed(sources, delivered)
    return delivered


def preview(planned: list[Planned], folder: Path, sender: Any) -> DeliveryReport:
    """`.eml`, `.html` (chart embedded) and `.txt` per message in `folder/<period>/`."""
    delivered = DeliveryReport("preview", sorted({p.period_key for p in planned}))
    for item in planned:
        rendered = item.render()
        for message in outgoing(rendered, sender=sender, recipients=item.recipients,
                                period_key=item.period_key, kind=item.kind, now=now()):
            path = write_files(folder / item.period_key.replace(":", "-"), message, text=True)
            delivered.outcomes.append(Outcome(item.period_key, item.kind, message.recipient,
                                              "previewed", detail=str(path),
                                              subject=message.subject))
    return delivered


def listing(planned: list[Planned], config: Config) -> DeliveryReport:
    """Neither --preview nor --send: who would get what (and who already got it), without
    rendering anything."""
    delivered = DeliveryReport(config.email.transport, sorted({p.period_key for p in planned}))
    sent: set[tuple[str, str, str]] = set()
    if config.state_path.exists():
        with State(config.state_path) as state:
            sent = {(e["period_key"], e["kind"], e["recipient"])
                    for e in state.digest_entries(statuses=("sent",))}
    for item in planned:
        for recipient in recipients_once(item.recipients):
            done = (item.period_key, item.kind, recipient) in sent
            delivered.outcomes.append(Outcome(item.period_key, item.kind, recipient,
                                              "skipped" if done else "planned",
                                              detail=item.label))
    return delivered


def kind_label(kind: str) -> str:
    """`leaders` → `thư lãnh đạo`, `unit:XD01` → `đơn vị XD01` (for the coordinator)."""
    return "thư lãnh đạo" if kind == "leaders" else f"đơn vị {kind.split(':', 1)[-1]}"


def period_label(key: str) -> str:
    try:
        return parse_ledger_key(key).label
    except (ValueError, KeyError):
        return key


def _note_unaddressed(sources: DigestSources, delivered: DeliveryReport) -> None:
    if not sources.config.digests.unit_feedback:
        return
    codes = {str(c) for c in sources.results.progress["code"]}
    missing = [u.code for u in sources.units if u.source and not u.emails and u.code in codes]
    if missing:
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        delivered.messages.append(f"{len(missing)} đơn vị chưa có email liên hệ trong danh sách "
                                  f"đơn vị nên không nhận được thư phản hồi: {shown}.")


def due_plan(sources: DigestSources, renderer: Renderer) -> list[Planned]:
    """`run`: leaders' digests of the last completed period of every configured kind; unit
    feedback only for the most frequent kind (a unit is not told the same thing three times when
    a month, a quarter and a year end together)."""
    kinds = configured_periods(sources.config)
    planned: list[Planned] = []
    for index, kind in enumerate(kinds):
        planned += plan(sources, last_completed(kind, sources.today), renderer,
                        with_units=index == 0)
    return planned


def run(config: Config, reporter: Any = None, on: dt.date | None = None) -> RunOutcome:
    """`sangkien run`: sync, write-back, then due digests. Exit code: the sync's (0 ok, 3
    partial), 1 when a digest could not be sent (recorded; the next run retries it)."""
    from sync.pipeline import SyncOptions, run_sync

    day = today(on)
    configured_periods(config)  # a bad [digests] periods fails before any work
    leaders(config)
    sender = sender_address(config.email.sender)
    synced = run_sync(config, SyncOptions(command="run"), reporter)
    outcome = RunOutcome(synced, None, exit_code=synced.exit_code)
    if synced.summary.status == "failed":
        outcome.messages.append("Không gửi thư vì lần đồng bộ thất bại; lần chạy sau sẽ gửi.")
        return outcome
    sources = load_sources(config, day, synced.units)
    with RunLock(config.state_path, synced.summary.run_id + "-digests", now().isoformat()), \
            State(config.state_path) as state:
        if config.digests.write_back:
            from sync.report.writeback import write_back

            outcome.write_back = write_back(config, sources.units, sources.results, state,
                                            now()).as_json()
        ledger = Ledger(state, make_transport(config), sender, now)
        outcome.digests = ledger.deliver(due_plan(sources, Renderer()), retry_earlier=True)
    _note_unaddressed(sources, outcome.digests)
    if outcome.digests.failed:
        outcome.exit_code = EXIT_FAILED
    return outcome


def describe(delivered: DeliveryReport) -> Iterable[str]:
    """Lines for the coordinator (Vietnamese), one per problem and one summary line."""
    labels = {"sent": "đã gửi", "failed": "gửi lỗi (sẽ thử lại)", "rejected": "bị từ chối",
              "skipped": "đã gửi trước đó", "previewed": "đã ghi bản xem trước",
              "planned": "sẽ gửi"}
    for o in delivered.outcomes:
        if o.status in ("failed", "rejected"):
            yield f"  Lỗi gửi {kind_label(o.kind)} → {o.recipient}: {o.detail}"
        elif o.status == "planned":
            yield f"  {period_label(o.period_key)}, {kind_label(o.kind)} → {o.recipient}"
    counts = [f"{delivered.count(s)} {label}" for s, label in labels.items() if delivered.count(s)]
    where = {"outbox": "thư mục outbox", "smtp": "SMTP", "gmail": "Gmail",
             "preview": "xem trước"}.get(delivered.transport, delivered.transport)
    periods = ", ".join(period_label(p) for p in delivered.periods) or "không có kỳ nào"
    yield f"Thư ({where}, {periods}): " + (", ".join(counts) if counts else "không có thư nào")
    yield from delivered.messages


