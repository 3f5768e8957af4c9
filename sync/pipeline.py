"""One run, end to end: pull → validate → deduplicate → ids → progress → master → record.

The order of the records makes a run safe to kill at any point:
1. good snapshots are stored right after the pull (new data is never lost);
2. ids are stored before the master shows them (an id that a reader saw is never given to another
   initiative);
3. the master is written as one snapshot;
4. history and the run's end are recorded together.
A run that dies between steps leaves an unfinished run in the log; the next run simply redoes it.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sync import catalog
from sync.backends.base import MasterWorkbook, Payload, Table
from sync.config import GSHEET_PREFIX, Config, ProgramConfig
from sync.dedupe import Dedupe, deduplicate
from sync.errors import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    ConfigError,
    MasterWriteError,
    SourceError,
)
from sync.frames import TEXT, emptied
from sync.ids import assign_ids, empty_registry
from sync.lock import RunLock
from sync.master import MasterInput, build_duplicates, build_master, kept_initiatives
from sync.memory import map_large_blocks, release_freed_memory, stop_fork_server
from sync.model import RunSummary, SourceFinding, SourceReport, Totals, Unit
from sync.progress import compute_progress, distinct_people, notable
from sync.registry import load_registry
from sync.runlog import RunLog
from sync.sheet import UnitSheet, extract
from sync.sources import FetchResult, LocalFiles, SourceBackend, is_google, open_payload
from sync.state import SnapshotInfo, State
from sync.validate import (
    FINDING_COLUMNS,
    ValidatedRows,
    hidden_row_findings,
    validate,
)


@dataclass(slots=True)
class SyncOptions:
    only: tuple[str, ...] = ()
    full: bool = False
    dry_run: bool = False
    validate_only: bool = False
    command: str = "sync"


class Reporter:
    """Progress hooks for a terminal; the default does nothing (quiet when not a terminal)."""

    def sources_started(self, total: int) -> None: ...

    def source_done(self, code: str) -> None: ...

    def sources_finished(self) -> None: ...

    def stage(self, name: str) -> None: ...


@dataclass(slots=True)
class SyncResult:
    summary: RunSummary
    exit_code: int
    units: list[Unit] = field(default_factory=list)
    validated: ValidatedRows | None = None  # `validate` only: a sync lets the rows go early
    findings: pd.DataFrame | None = None
    progress: pd.DataFrame | None = None
    tables: list[Table] = field(default_factory=list)


def now_local() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


def people_time(iso: str) -> str:
    """An ISO time as people write it: `24/11/2026 07:27` (in the time the run recorded)."""
    try:
        return dt.datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def new_run_id(at: dt.datetime) -> str:
    return at.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class _Timer:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - start


def make_master(locator: str, config: Config) -> MasterWorkbook:
    if locator.startswith(GSHEET_PREFIX):
        from sync.backends.gsheets import GoogleMaster

        return GoogleMaster.from_config(locator, config)
    from sync.backends.xlsx import XlsxMaster

    return XlsxMaster(Path(locator))


def make_backends(config: Config, units: Sequence[Unit]) -> dict[str, SourceBackend]:
    backends: dict[str, SourceBackend] = {"file": LocalFiles()}
    if any(u.source and is_google(u.source) for u in units):
        from sync.backends.gsheets import GoogleSources

        backends["google"] = GoogleSources.from_config(config)
    return backends


def load_units(config: Config) -> list[Unit]:
    loader = None
    if config.registry.startswith(GSHEET_PREFIX):
        from sync.backends.gsheets import registry_loader

        loader = registry_loader(config)
    return load_registry(config.registry, loader, config.source_roots)


# --------------------------------------------------------------------------------------------------
# Pull
# --------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class PulledSource:
    unit: Unit
    report: SourceReport
    sheet: UnitSheet | None = None
    fresh_payload: Payload | None = None  # to store as the new last good snapshot
    findings: list[SourceFinding] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field key → header as the unit wrote it


def _extract(payload: Payload) -> UnitSheet:
    return extract(open_payload(payload))


def _extract_or_error(payload: Payload) -> UnitSheet | tuple[str, str, dict[str, str]]:
    """`_extract` for a worker: a source problem comes back as data, not as an exception."""
    try:
        return _extract(payload)
    except SourceError as exc:
        return (exc.code, exc.detail, dict(exc.extra))
    except (Exception, MemoryError) as exc:  # a file no reader expected: that unit only fails
        return ("source_unreachable",
                f"tệp {payload.name} không đọc được ({type(exc).__name__})", {})




@dataclass(slots=True)
class _Plan:
    """What to parse for one unit, and what to say about it once parsed."""

    unit: Unit
    payload: Payload | None
    status: str
    message: str = ""
    error: SourceError | None = None
    fetched_at: str | None = None
    fresh: bool = False  # a new read (parse failures fall back to the snapshot)
    skipped: bool = False  # not asked for in this run (--only): its last attempt stands
    store: Payload | None = None  # the payload to keep as the new last good snapshot


def pull(units: list[Unit], state: State | None, backends: dict[str, SourceBackend],
         options: SyncOptions, reporter: Reporter) -> list[_Plan]:
    """Fetch every unit's source (or decide to use its last good snapshot): what to parse for each
    unit, in registry order. A source whose last attempt failed is read again even if it looks
    unchanged. Parsing happens in `read_and_validate`, batch by batch."""
    previous: dict[str, SnapshotInfo] = state.snapshot_infos() if state else {}
    if state is not None:
        failed = {code for code, (status, _) in state.last_attempts().items()
                  if status in ("stale", "error")}
        previous = {code: info for code, info in previous.items() if code not in failed}
    with_source = [u for u in units if u.source]
    wanted = [u for u in with_source if not options.only or u.code in options.only]
    reporter.sources_started(len(wanted))
    fetched: dict[str, FetchResult] = {}
    for kind in ("file", "google"):
        group = [u for u in wanted if (is_google(u.source or "") == (kind == "google"))]
        if group:
            fetched.update(backends[kind].fetch_many(group, previous, options.full,
                                                     reporter.source_done))
    reporter.sources_finished()

    plans: list[_Plan] = []
    for unit in with_source:
        result = fetched.get(unit.code)
        if result is None:  # not asked for this run (--only): keep the last data as it is
            plan = _snapshot_plan(unit, state, "unchanged", "không đọc lần này (--only)")
            if plan.payload is None:  # never read well: nothing to keep, say so
                plan.status, plan.message = "error", "chưa đọc được lần nào (không đọc lần này)"
            plan.skipped = True
            plans.append(plan)
        elif isinstance(result, SourceError):
            plans.append(_snapshot_plan(unit, state, "stale", result.detail, result))
        elif result.payload is None:  # unchanged and not downloaded: the snapshot is the data
            plans.append(_snapshot_plan(unit, state, "unchanged", ""))
        else:
            before = previous.get(unit.code)
            plans.append(_Plan(
                unit, result.payload, "unchanged" if result.unchanged else "ok", fresh=True,
                fetched_at=(before.fetched_at if (result.unchanged and before)
                            else now_local().isoformat()),
                store=None if result.unchanged else result.payload))
    return plans


# Units are parsed and validated in batches of about this many rows. Past one batch, batches go to
# worker processes (one per core): parsing and validation run on every core, and each worker hands
# back compact Arrow tables, so the raw cells of a batch never reach this process's memory. At a
# million rows, batches of 50,000 instead of 100,000 take the same time and lower the peak of
# this stage from 2.5 to 2.0 GiB (the workers' share; bench/profile_memory.py).
BATCH_ROWS = 50_000
# Bytes of payload counted as one row when batches are sized before parsing, by kind: zipped
# XML; plain text (a CSV row of the validate benchmark is ≈400 bytes: at 250, batches of ≈25,000
# CSV rows measured best, 15.4 s and 1.19 GiB for a million rows); the Sheets API's JSON
# (130,334 bytes for 500 rows, docs/benchmarks.md).
BYTES_PER_ROW = {"xlsx": 120, "csv": 250, "gsheet-json": 260}


@dataclass(frozen=True, slots=True)
class _Job:
    """What every batch of a run is validated against. `summary_only` (for `validate`, which
    reports findings and counts) hands back only the columns the run summary reads, so the rows
    and authors of a large sector never gather in this process."""

    program: ProgramConfig
    today: dt.date
    summary_only: bool = False


# The columns of the validated rows that `validate` needs (per-unit counts in the summary).
SUMMARY_COLUMNS = ["unit_code", "row", "valid", "n_errors", "n_warnings"]


@dataclass(slots=True)
class _BatchResult:
    """What a worker returns for a batch: per unit (in order) its sheet's description or its
    source error, and the validated rows, authors and findings as Arrow tables."""

    units: list[tuple[Any, ...]]
    rows: pa.Table | None
    authors: pa.Table | None
    findings: pa.Table | None


def _validate_batch(payloads: list[tuple[str, Payload | None]], job: _Job) -> _BatchResult:
    """Parse and validate the units of one batch (in a worker or in this process)."""
    units: list[tuple[Any, ...]] = []
    parts, headers = [], {}
    hidden: list[tuple[str, str, int]] = []
    for code, payload in payloads:
        if payload is None:
            units.append(("none",))
            continue
        outcome = _extract_or_error(payload)
        if isinstance(outcome, tuple):
            units.append(("error", *outcome))
            continue
        frame = outcome.frame
        frame["unit_code"] = code
        frame["tab"] = outcome.tab
        parts.append(frame)
        hidden.extend((code, outcome.tab, row) for row in outcome.hidden_rows)
        headers[code] = dict(outcome.headers)
        units.append(("ok", outcome.tab, dict(outcome.headers), list(outcome.ignored_columns)))
        outcome.frame = None  # type: ignore[assignment]
    if not parts:
        return _BatchResult(units, None, None, None)
    raw = pd.concat(parts, ignore_index=True)
    del parts
    validated = validate(raw, headers, job.program, job.today, keys=not job.summary_only)
    del raw
    findings = validated.findings
    if hidden:
        findings = pd.concat([findings, hidden_row_findings(hidden)], ignore_index=True)
        rows = validated.rows
        keys = pd.MultiIndex.from_arrays([rows["unit_code"], rows["row"]])
        marked = keys.isin(pd.MultiIndex.from_tuples([(h[0], h[2]) for h in hidden]))
        rows.loc[marked, "n_warnings"] += 1
    if job.summary_only:
        return _BatchResult(units, _to_arrow(validated.rows[SUMMARY_COLUMNS]),
                            _to_arrow(validated.authors.iloc[:0]), _to_arrow(findings))
    return _BatchResult(units, _to_arrow(validated.rows), _to_arrow(validated.authors),
                        _to_arrow(findings))


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    # One thread: the batch workers already keep every core busy (pyarrow's converter pool
    # only waited on locks here).
    return pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)


def _from_arrow(table: pa.Table) -> pd.DataFrame:
    """Arrow back to pandas without copying text: strings stay Arrow-backed (`str`)."""
    mapping = {pa.string(): TEXT, pa.large_string(): TEXT}
    return table.to_pandas(types_mapper=mapping.get, self_destruct=True, split_blocks=True)


def usable_cpus() -> int:
    """CPUs this process may run on (a container's limit, not the host's core count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _worker_init() -> None:
    """A batch worker validates in-line: no second text process of its own."""
    os.environ["SANGKIEN_VALIDATE_WORKER"] = "0"
    map_large_blocks()


def read_and_validate(plans: list[_Plan], state: State | None, program: ProgramConfig,
                      today: dt.date, timer: _Timer, summary_only: bool = False,
                      ) -> tuple[list[PulledSource], ValidatedRows]:
    """Parse every planned payload and validate the rows, batch by batch (see `BATCH_ROWS`);
    with `summary_only` the rows keep only `SUMMARY_COLUMNS` and no authors (see `_Job`)."""
    job = _Job(program, today, summary_only)
    batches = _batches(plans)
    workers = min(usable_cpus(), len(batches), 4)
    pulled: list[PulledSource] = []
    rows, authors, findings = [], [], []
    offset = 0
    with timer("parse_validate"), _batch_runner(workers) as run:
        work = [[(p.unit.code, p.payload) for p in batch] for batch in batches]
        for batch, result in zip(batches, run(work, job), strict=True):
            retries: list[tuple[int, _Plan]] = []
            for plan, unit in zip(batch, result.units, strict=True):
                if unit[0] == "error" and plan.fresh:
                    # A fresh read that does not parse: its last good snapshot is used instead.
                    error = SourceError(unit[1], unit[2], **unit[3])
                    retries.append((len(pulled), _snapshot_plan(plan.unit, state, "stale",
                                                                error.detail, error)))
                pulled.append(_pulled_from(plan, unit))
            if result.rows is not None:
                offset = _collect(result, offset, rows, authors, findings)
            for position, plan in retries:  # rare: parsed and validated here, one at a time
                again = _validate_batch([(plan.unit.code, plan.payload)], job)
                pulled[position] = _pulled_from(plan, again.units[0])
                if again.rows is not None:
                    offset = _collect(again, offset, rows, authors, findings)
    with timer("parse_validate"):
        if rows:
            validated = ValidatedRows(pd.concat(rows, ignore_index=False),
                                      pd.concat(authors, ignore_index=True),
                                      pd.concat(findings, ignore_index=True))
        else:
            validated = validate(_empty_raw(), {}, program, today)
    return pulled, validated


def _collect(result: _BatchResult, offset: int, rows: list[pd.DataFrame],
             authors: list[pd.DataFrame], findings: list[pd.DataFrame]) -> int:
    """Append a batch's tables, its rows numbered after the previous batches'."""
    assert result.rows is not None and result.authors is not None and result.findings is not None
    batch_rows = _from_arrow(result.rows)
    batch_rows.index = pd.RangeIndex(offset, offset + len(batch_rows))
    batch_authors = _from_arrow(result.authors)
    batch_authors["row"] = batch_authors["row"] + offset
    rows.append(batch_rows)
    authors.append(batch_authors)
    findings.append(_from_arrow(result.findings))
    return offset + len(batch_rows)


@contextmanager
def _batch_runner(workers: int) -> Iterator[Any]:
    """`run(batches, job)` yielding results in order: in worker processes when there
    is more than one batch and more than one core, else here. A worker that dies (killed for
    memory, say) costs only its batch's units: the pool is started again, that batch is redone
    one unit at a time, and a unit that kills a worker again is reported unreadable. Where
    worker processes cannot run at all, every batch is validated here (see `_working_pool`)."""
    def here(batches: list[Any], job: _Job) -> Iterator[_BatchResult]:
        return (_validate_batch(b, job) for b in batches)

    if workers <= 1:
        yield here
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        # Nothing preloaded: the server lives as long as its workers, and modules imported into
        # it are ≈100 MiB resident beside theirs. Each worker imports what it needs instead (the
        # same time at a million rows: 20.7–21.1 s for parsing either way).
        context.set_forkserver_preload([])

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init)

    first = _working_pool(new_pool)
    if first is None:
        yield here
        return
    pools = [first]

    def run(batches: list[Any], job: _Job) -> Iterator[Any]:
        # At most two batches per worker in flight: memory stays bounded.
        waiting = list(batches)
        futures: list[tuple[Any, Future[_BatchResult]]] = []

        def fill() -> None:
            while waiting and len(futures) < 2 * workers:
                batch = waiting.pop(0)
                futures.append((batch, pools[-1].submit(_validate_batch, batch, job)))

        fill()
        while futures:
            batch, future = futures.pop(0)
            try:
                done = future.result()
            except BrokenProcessPool:
                waiting[:0] = [b for b, _ in futures]  # redo the ones in flight on a new pool
                futures.clear()
                pools[-1].shutdown(wait=False, cancel_futures=True)
                pools.append(new_pool())
                done = _unit_by_unit(batch, job, pools, new_pool)
            fill()
            yield done

    try:
        yield run
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
        if "forkserver" in methods:
            stop_fork_server()


def _worker_ready() -> bool:
    """The trivial task that shows a new pool's workers start and answer."""
    return True


# How long a new worker may take to start and answer (it imports pandas and pyarrow).
WORKER_START_SECONDS = 120


def _working_pool(new_pool: Callable[[], ProcessPoolExecutor]) -> ProcessPoolExecutor | None:
    """A pool whose workers start and answer a trivial task, or None where they cannot (no
    shared memory for semaphores in a container, a sandbox that forbids processes, a worker that
    dies as it starts): the same work is then done in this process, more slowly. Without this
    check such a machine would retry every unit in a new pool and report each unreadable."""
    try:
        pool = new_pool()
    except (OSError, NotImplementedError, ImportError, ValueError, RuntimeError):
        return None
    try:
        pool.submit(_worker_ready).result(timeout=WORKER_START_SECONDS)
    except (BrokenProcessPool, OSError, EOFError, RuntimeError, TimeoutError):
        # EOFError: the forkserver could not fork (a process limit reached).
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    return pool


def _unit_by_unit(batch: list[Any], job: _Job, pools: list[ProcessPoolExecutor],
                  new_pool: Any) -> _BatchResult:
    """A batch whose worker died, redone one unit per task; a unit that kills its worker again
    is unreadable (its last good snapshot is used)."""
    parts: list[_BatchResult] = []
    for code, payload in batch:
        try:
            parts.append(pools[-1].submit(_validate_batch, [(code, payload)], job).result())
        except BrokenProcessPool:
            pools[-1].shutdown(wait=False, cancel_futures=True)
            pools.append(new_pool())
            name = payload.name if payload is not None else code
            parts.append(_BatchResult([("error", "source_unreachable",
                                        f"tệp {name} làm tiến trình đọc dừng đột ngột "
                                        "(quá lớn hoặc hỏng)", {})], None, None, None))
    tables = [p for p in parts if p.rows is not None]
    return _BatchResult(
        [u for p in parts for u in p.units],
        pa.concat_tables([p.rows for p in tables]) if tables else None,  # type: ignore[misc]
        _concat_authors(tables),
        pa.concat_tables([p.findings for p in tables]) if tables else None,  # type: ignore[misc]
    )


def _concat_authors(parts: list[_BatchResult]) -> pa.Table | None:
    """Authors of per-unit results: each part's `row` numbers follow the previous parts'."""
    if not parts:
        return None
    tables, offset = [], 0
    for part in parts:
        assert part.authors is not None and part.rows is not None
        rows = pc.add(part.authors.column("row"), offset)
        tables.append(part.authors.set_column(part.authors.schema.get_field_index("row"),
                                              "row", rows))
        offset += part.rows.num_rows
    return pa.concat_tables(tables)


def _batches(plans: list[_Plan]) -> list[list[_Plan]]:
    """Consecutive plans grouped so that each group holds about `BATCH_ROWS` rows (judged by the
    size of the payloads, `BYTES_PER_ROW`)."""
    batches: list[list[_Plan]] = []
    current: list[_Plan] = []
    weight = 0.0
    for plan in plans:
        current.append(plan)
        if plan.payload is not None:
            weight += len(plan.payload.data) / BYTES_PER_ROW.get(plan.payload.kind,
                                                                 BYTES_PER_ROW["xlsx"])
        if weight >= BATCH_ROWS:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def _empty_raw() -> pd.DataFrame:
    return pd.DataFrame({"unit_code": pd.Series(dtype=object), "tab": pd.Series(dtype=object),
                         "row": pd.Series(dtype="int64")})


def _snapshot_plan(unit: Unit, state: State | None, status: str, message: str,
                   error: SourceError | None = None) -> _Plan:
    snapshot = state.snapshot(unit.code) if state else None
    if snapshot is None:
        return _Plan(unit, None, "error" if error is not None else status, message, error)
    if error is not None:
        message = f"{message}; dùng dữ liệu đọc lúc {people_time(snapshot.fetched_at)}"
    return _Plan(unit, snapshot.payload, status, message, error, snapshot.fetched_at)


def _pulled_from(plan: _Plan, unit: tuple[Any, ...]) -> PulledSource:
    """A plan and what its batch said about it: ("ok", tab, headers, ignored columns),
    ("error", code, detail, extra) or ("none",)."""
    kind = unit[0]
    if kind == "error":
        return _pulled(plan, SourceError(unit[1], unit[2], **unit[3]))
    if kind == "none":
        return _pulled(plan, None)
    sheet = UnitSheet(tab=unit[1], frame=pd.DataFrame(), headers=unit[2],
                      ignored_columns=unit[3])
    pulled = _pulled(plan, sheet)
    pulled.headers = dict(unit[2])
    pulled.sheet = None
    return pulled


def _listed(names: list[str], most: int = 15) -> str:
    """Names for a message: the first few, then how many more."""
    shown = ", ".join(names[:most])
    return shown + (f" và {len(names) - most} cột khác" if len(names) > most else "")


def _pulled(plan: _Plan, outcome: UnitSheet | SourceError | None) -> PulledSource:
    unit = plan.unit
    findings = []
    if plan.error is not None:
        findings.append(SourceFinding(unit.code, plan.error.code, detail=plan.error.detail,
                                      tab=plan.error.extra.get("tab", ""),
                                      column=plan.error.extra.get("column", "")))
    if isinstance(outcome, SourceError):  # a snapshot that no longer parses (should not happen)
        findings.append(SourceFinding(unit.code, outcome.code, detail=outcome.detail))
        return PulledSource(unit, SourceReport(unit.code, "error", message=outcome.detail), None,
                            None, findings)
    if outcome is None:
        return PulledSource(unit, SourceReport(unit.code, plan.status, message=plan.message),
                            None, None, findings)
    if plan.fresh and outcome.ignored_columns:
        findings.append(SourceFinding(unit.code, "unknown_column", tab=outcome.tab,
                                      value=_listed(outcome.ignored_columns)))
    report = SourceReport(unit.code, plan.status, message=plan.message, fetched_at=plan.fetched_at)
    return PulledSource(unit, report, outcome, plan.store, findings)


# --------------------------------------------------------------------------------------------------
# Findings about whole sources
# --------------------------------------------------------------------------------------------------

def source_findings_frame(items: list[SourceFinding], units: dict[str, Unit],
                          service_account: str = "") -> pd.DataFrame:
    records = []
    for item in items:
        kind = catalog.FINDING_BY_CODE[item.code]
        unit = units[item.unit_code]
        args = {"detail": item.detail, "tab": item.tab or catalog.UNIT_TAB,
                "column": item.column, "value": item.value,
                "account": service_account or "tài khoản dịch vụ (xem «sangkien doctor»)"}
        records.append({
            "unit_code": item.unit_code, "tab": item.tab, "row": None, "field": "",
            "column": item.column, "value": item.value or (unit.source or ""),
            "code": item.code, "severity": kind.severity,
            "message": kind.message.format(**args), "hint": kind.hint.format(**args),
        })
    return pd.DataFrame.from_records(records, columns=list(FINDING_COLUMNS))


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------

def run_sync(config: Config, options: SyncOptions | None = None,
             reporter: Reporter | None = None, now: dt.datetime | None = None) -> SyncResult:
    """`sangkien sync` / `sangkien validate` as a function. Expected failures raise
    `SangkienError` subclasses (config → exit 2, lock → exit 4)."""
    options = options or SyncOptions()
    reporter = reporter or Reporter()
    map_large_blocks()
    started = now or now_local()
    run_id = new_run_id(started)
    summary = RunSummary(run_id=run_id, status="ok", started_at=started.isoformat(),
                         dry_run=options.dry_run or options.validate_only,
                         command=options.command)
    timer = _Timer(summary.timings)

    with timer("registry"):
        units = load_units(config)
    unit_by_code = {u.code: u for u in units}
    by_folded = {code.casefold(): code for code in unit_by_code}
    unknown = [c for c in options.only if c.casefold() not in by_folded]
    if unknown:
        raise ConfigError(f"--only: không có đơn vị mã {', '.join(unknown)} trong danh sách.")
    options.only = tuple(by_folded[c.casefold()] for c in options.only)  # XD04 for xd04

    writes = not (options.dry_run or options.validate_only)
    if writes:
        lock = RunLock(config.state_path, run_id, summary.started_at)
        lock.acquire()
        state: State | None = State(config.state_path)
    else:
        lock = None
        state = State(config.state_path) if config.state_path.exists() else None
    try:
        if state is not None and writes:
            state.start_run(run_id, options.command, summary.started_at)
        return _run(config, options, reporter, started, summary, timer, units, state)
    finally:
        if state is not None:
            state.close()
        if lock is not None:
            lock.release()


def _run(config: Config, options: SyncOptions, reporter: Reporter, started: dt.datetime,
         summary: RunSummary, timer: _Timer, units: list[Unit], state: State | None) -> SyncResult:
    writes = not (options.dry_run or options.validate_only)
    unit_by_code = {u.code: u for u in units}
    backends = make_backends(config, units)

    reporter.stage("Đọc dữ liệu các đơn vị")
    with timer("pull"):
        plans = pull(units, state, backends, options, reporter)
    reporter.stage("Kiểm tra dữ liệu")
    pulled, validated = read_and_validate(plans, state, config.program, started.date(), timer,
                                          summary_only=options.validate_only)
    skipped = {p.unit.code for p in plans if p.skipped}
    fresh_codes = {p.unit.code for p in pulled if p.fresh_payload is not None}
    del plans
    if state is not None and writes:
        with timer("record_snapshots"):
            fresh = [(p.unit.code, p.unit.source or "", p.fresh_payload, p.report.fetched_at or "")
                     for p in pulled if p.fresh_payload is not None]
            state.save_snapshots(fresh)
            del fresh
            state.record_attempts(summary.run_id, summary.started_at,
                                  [(p.unit.code, p.report.status, p.report.message)
                                   for p in pulled if p.unit.code not in skipped])
    for p in pulled:
        p.fresh_payload = None  # stored: the files' bytes (≈0.1 GiB for 1,000 units) can go
    release_freed_memory()

    log = RunLog(config.log_path if writes else None, summary.run_id)
    log.event("start", command=options.command, units=len(units), only=list(options.only),
              full=options.full)
    for p in pulled:
        log.event("pull", source=p.unit.code, status=p.report.status,
                  message=p.report.message, fresh=p.unit.code in fresh_codes)
    log.event("pull_done", seconds=round(summary.timings.get("pull", 0.0), 3))

    source_items = [f for p in pulled for f in p.findings]
    account = getattr(backends.get("google"), "service_account_email", "") or ""
    findings = pd.concat([validated.findings,
                          source_findings_frame(source_items, unit_by_code, account)],
                         ignore_index=True)

    _fill_source_reports(pulled, validated)
    summary.sources = [p.report for p in pulled]
    for report in summary.sources:
        if report.status in ("stale", "error"):
            summary.status = "partial"

    if options.validate_only:
        summary.totals = _totals(validated, None, None, units)
        summary.finished_at = now_local().isoformat()
        return SyncResult(summary, EXIT_PARTIAL if summary.status == "partial" else EXIT_OK,
                          units, validated, findings)

    reporter.stage("Tìm trùng lặp")
    with timer("dedupe"):
        duplicates = deduplicate(validated.rows, validated.authors,
                                 valid=validated.rows["valid"].to_numpy(dtype=bool))
        # The exact title keys served the comparison only.
        validated.rows = validated.rows.drop(columns="title_key")
        release_freed_memory()

    with timer("ids"):
        registry, next_seq = state.id_registry() if state else (empty_registry(), 1)
        assignment = assign_ids(validated.rows, validated.authors, duplicates.cluster,
                                duplicates.kept, registry, next_seq, summary.started_at)
        del registry  # the stored one (hundreds of MiB at a million rows): replaced
        if state is not None and writes:
            state.save_id_registry(assignment.registry, assignment.next_seq, summary.started_at)
        # Stored (≈400 MiB at a million rows). The per-row authors and the folded titles were
        # read by dedupe and ids only.
        assignment.registry = emptied(assignment.registry)
        validated.authors = emptied(validated.authors)
        validated.rows = validated.rows.drop(columns="title_fold")
        release_freed_memory()

    reporter.stage("Tính tiến độ")
    with timer("progress"):
        progress, kept_counted = _progress(config, units, validated, duplicates, findings)
        chosen = notable(kept_counted)
        del kept_counted  # ≈300 MiB at a million rows; the master reads `chosen`
        release_freed_memory()
    summary.totals = _totals(validated, duplicates, progress, units)

    reporter.stage("Ghi bảng tổng hợp")
    master = make_master(config.master, config)
    summary.master = master.describe()
    history = state.history() if state else pd.DataFrame()
    history = pd.concat([history, _history_rows(summary, progress)], ignore_index=True)
    runs = state.runs() if state else pd.DataFrame(
        columns=["run_id", "command", "started_at", "finished_at", "status", "summary"])
    runs = runs[runs["run_id"] != summary.run_id]
    summary.finished_at = now_local().isoformat()
    this_run = pd.DataFrame([{
        "run_id": summary.run_id, "command": options.command, "started_at": summary.started_at,
        "finished_at": summary.finished_at, "status": summary.status,
        "summary": json.dumps(summary.as_json(), ensure_ascii=False)}])
    runs = pd.concat([runs, this_run], ignore_index=True) if len(runs) else this_run
    with timer("build_master"):
        master_input = MasterInput(
            units=units, rows=validated.rows, findings=findings, dedupe=duplicates,
            ids=assignment, progress=progress, notable=chosen,
            sources={p.unit.code: p.report for p in pulled}, history=history, runs=runs,
            run_time=pd.Timestamp(started))
        # The duplicates tab first: it is the last reader of the rows that `kept` does not take.
        duplicates_tab = build_duplicates(master_input)
        kept = kept_initiatives(master_input, consume_rows=True)
        tables = build_master(master_input, kept, duplicates_tab)
        # Everything the master needs is in `kept` and the tables now: the validated rows, their
        # authors and the dedupe and id working data go before writing (at a million rows they
        # are about half of what this process holds).
        del master_input, duplicates, assignment
        validated = None
        release_freed_memory()

    exit_code = EXIT_PARTIAL if summary.status == "partial" else EXIT_OK
    if writes:
        with timer("write_master"):
            try:
                master.write(tables)
            except MasterWriteError as exc:
                summary.status = "failed"
                summary.messages.append(str(exc))
                exit_code = EXIT_FAILED
        summary.api = _api_counts(backends, master)
        summary.finished_at = now_local().isoformat()
        assert state is not None
        with state.transaction():
            if summary.status != "failed":
                state.add_history(summary.run_id, summary.started_at, progress)
                state.save_results(summary.run_id, summary.started_at, result_frames(
                    kept, tables, progress, findings, pulled))
            state.finish_run(summary.run_id, summary.finished_at, summary.status,
                             summary.as_json())
        for report in summary.sources:
            log.event("source", source=report.code, status=report.status, rows=report.rows,
                      valid=report.valid, errors=report.errors, warnings=report.warnings)
        log.event("finish", status=summary.status, exit_code=exit_code,
                  timings={k: round(v, 3) for k, v in summary.timings.items()},
                  totals=summary.as_json()["totals"], api=summary.api,
                  messages=summary.messages)
    else:
        summary.api = _api_counts(backends, None)
    return SyncResult(summary, exit_code, units, validated, findings, progress, tables)


def result_frames(kept: pd.DataFrame, tables: list[Table], progress: pd.DataFrame,
                  findings: pd.DataFrame, pulled: list[PulledSource]) -> dict[str, pd.DataFrame]:
    """What digests read later (`State.results`): every kept initiative with its id (`RESULT_
    INITIATIVE_COLUMNS`), the progress figures, the findings, the duplicates tab as written and
    each source's report."""
    by_name = {t.name: t.frame for t in tables}
    sources = pd.DataFrame([{**p.report.as_json(), "fetched_at": p.report.fetched_at}
                            for p in pulled],
                           columns=["code", "status", "rows", "valid", "errors", "warnings",
                                    "message", "fetched_at"])
    text = ("tab", "field", "column", "value", "message", "hint")
    clean_findings = findings.assign(row=pd.to_numeric(findings["row"], errors="coerce"))
    initiatives = kept[list(RESULT_INITIATIVE_COLUMNS)].astype({"benefit_vnd": "Int64"})
    return {
        "progress": progress,
        "initiatives": initiatives,
        "duplicates": by_name[catalog.TAB_DUPLICATES].astype({"Độ giống": "float64"}),
        "findings": clean_findings.astype({c: object for c in text}),
        "sources": sources,
    }


RESULT_INITIATIVE_COLUMNS = (
    "id", "first_seen", "unit_code", "tab", "row", "title", "authors", "workplace",
    "solution_type", "field", "applied_on", "status", "summary", "effect", "benefit_vnd",
    "benefit_not_computable", "social", "note", "counted",
)


def _api_counts(backends: dict[str, SourceBackend], master: MasterWorkbook | None
                ) -> dict[str, int]:
    reads = writes = 0
    for backend in backends.values():
        counts = backend.api_counts
        reads += counts.get("reads", 0)
        writes += counts.get("writes", 0)
    counts = getattr(master, "api_counts", None)
    if counts:
        reads += counts.get("reads", 0)
        writes += counts.get("writes", 0)
    return {"reads": reads, "writes": writes}


def _fill_source_reports(pulled: list[PulledSource], validated: ValidatedRows) -> None:
    rows = validated.rows
    by_unit = rows.groupby("unit_code").agg(rows=("row", "size"), valid=("valid", "sum"),
                                            errors=("n_errors", "sum"),
                                            warnings=("n_warnings", "sum"))
    for p in pulled:
        if p.unit.code in by_unit.index:
            line = by_unit.loc[p.unit.code]
            p.report.rows, p.report.valid = int(line["rows"]), int(line["valid"])
            p.report.errors, p.report.warnings = int(line["errors"]), int(line["warnings"])
        p.report.errors += sum(1 for f in p.findings
                               if catalog.FINDING_BY_CODE[f.code].severity == catalog.ERROR)


# What progress and the notable initiatives read of a counted initiative.
PROGRESS_COLUMNS = ("unit_code", "title", "solution_type", "applied_on", "status",
                    "benefit_vnd", "social")


def _progress(config: Config, units: list[Unit], validated: ValidatedRows, duplicates: Dedupe,
              findings: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = validated.rows
    kept_index = duplicates.kept.index[duplicates.kept.to_numpy()]
    counted = kept_index[rows["counted"].to_numpy()[rows.index.get_indexer(kept_index)]]
    kept_counted = rows.loc[counted, list(PROGRESS_COLUMNS)]
    united = duplicates.authors
    counted_author = (united["row"].isin(kept_counted.index) & ~united["suspicious"]).to_numpy()
    # Only the columns `distinct_people` reads, the unit codes taken as they are stored (an
    # object array would make a Python string per author: ≈100 MiB at a million rows).
    authors = united.loc[counted_author, ["key", "fold"]]
    at = rows.index.get_indexer(united["row"].to_numpy()[counted_author])
    authors["unit_code"] = rows["unit_code"].array.take(at)
    people = distinct_people(authors)
    errors = findings[findings["severity"] == catalog.ERROR].groupby("unit_code").size()
    progress = compute_progress(units, kept_counted, people, errors, config.program.target_rate)
    return progress, kept_counted


def _totals(validated: ValidatedRows, duplicates: Dedupe | None, progress: pd.DataFrame | None,
            units: list[Unit]) -> Totals:
    rows = validated.rows
    totals = Totals(rows=len(rows), valid=int(rows["valid"].sum()),
                    rejected=int((~rows["valid"]).sum()))
    if duplicates is not None:
        totals.duplicates = int((~duplicates.kept).sum())
    if progress is not None:
        sector = progress[progress["code"] == catalog.SECTOR_CODE].iloc[0]
        totals.initiatives = int(sector["initiatives"])
        totals.participants = int(sector["participants"])
        totals.members = int(sector["members"])
        totals.rate = round(float(sector["rate"]), 6)
        totals.benefit_vnd = int(sector["benefit_vnd"])
    else:
        totals.members = sum(u.members for u in units)
    return totals


def _history_rows(summary: RunSummary, progress: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "run_id": summary.run_id, "at": summary.started_at, "unit_code": progress["code"],
        "name": progress["name"], "members": progress["members"], "target": progress["target"],
        "participants": progress["participants"], "rate": progress["rate"],
        "initiatives": progress["initiatives"], "benefit_vnd": progress["benefit_vnd"],
    })

