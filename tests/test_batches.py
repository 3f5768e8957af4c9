"""Parsing and validation in batches on worker processes gives the same result as in one go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_project import Project, UnitSpec, initiative, read_master

import sync.pipeline as pipeline
from sync.cli import main


def units() -> list[UnitSpec]:
    out = [UnitSpec("P1", "Công đoàn Tổng công ty", 10)]
    for i in range(6):
        rows = [initiative(f"Cải tiến quy trình lắp dựng cốp pha tầng {i}-{j}",
                           f"Nguyễn Văn An {i}, Trần Thị Bình {j}", benefit=f"{j + 1} triệu")
                for j in range(5)]
        rows.append(initiative("Ngắn", "Lê Văn Cường"))  # a finding per unit
        rows.append(rows[0])  # a copied row: merged
        out.append(UnitSpec(f"U{i}", f"Công đoàn Công ty số {i}", 40, parent="P1", rows=rows))
    return out


def run(project: Project) -> tuple[dict, dict]:
    result = CliRunner().invoke(main, ["sync", "--config", str(project.config), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    master = read_master(project.master)
    for tab in ("Nhật ký", "Lịch sử"):  # run ids and times differ between the two projects
        master.pop(tab)
    for row in master["Tiến độ"][1:]:
        row[12] = None  # Cập nhật lúc
    for row in master["Sáng kiến"][1:]:
        row[13] = None  # Ghi nhận lần đầu
    return summary, master


def test_batches_on_workers_equal_one_batch(project_factory, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    one = project_factory(units())
    summary_one, master_one = run(one)

    from fixtures_project import make_project
    many = make_project(tmp_path / "many", units())
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1)  # every unit a batch of its own
    calls: list[int] = []
    real_runner = pipeline._batch_runner

    def counting(workers: int):
        calls.append(workers)
        return real_runner(workers)

    monkeypatch.setattr(pipeline, "_batch_runner", counting)
    summary_many, master_many = run(many)
    assert calls == [min(pipeline.usable_cpus(), 4)]  # worker processes whenever there are cores
    assert summary_many["totals"] == summary_one["totals"]
    assert [(s["code"], s["rows"], s["valid"], s["errors"]) for s in summary_many["sources"]] == \
        [(s["code"], s["rows"], s["valid"], s["errors"]) for s in summary_one["sources"]]
    assert master_many == master_one


def test_a_fresh_file_that_breaks_falls_back_to_its_snapshot_in_batch_mode(
        project_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    project: Project = project_factory(units())
    run(project)
    project.unit_file("U3").write_bytes(b"PK\x03\x04 not a workbook any more")
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1)
    result = CliRunner().invoke(main, ["sync", "--config", str(project.config), "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 3
    summary = json.loads(result.stdout)
    u3 = next(s for s in summary["sources"] if s["code"] == "U3")
    assert u3["status"] == "stale" and u3["rows"] == 7 and "hỏng" in u3["message"]
    assert summary["totals"]["rows"] == 6 * 7


def test_a_worker_that_dies_costs_only_its_unit(project_factory) -> None:
    """A unit whose parsing kills its worker process (as the kernel's out-of-memory killer
    would): the pool is started again, the other units are read, that one is unreadable."""
    if pipeline.usable_cpus() < 2:
        pytest.skip("worker processes need two CPUs")
    import datetime as dt

    from fixtures_project import KillingPayload

    from sync.config import load_config

    project: Project = project_factory(units())
    config = load_config(project.config)
    registry = pipeline.load_units(config)
    plans = pipeline.pull(registry, None, pipeline.make_backends(config, registry),
                          pipeline.SyncOptions(), pipeline.Reporter())
    poisoned = next(p for p in plans if p.unit.code == "U2")
    poisoned.payload = KillingPayload(poisoned.payload)
    old = pipeline.BATCH_ROWS
    pipeline.BATCH_ROWS = 1
    try:
        pulled, validated = pipeline.read_and_validate(plans, None, config.program,
                                                       dt.date(2026, 11, 24), pipeline._Timer({}))
    finally:
        pipeline.BATCH_ROWS = old
    by_code = {p.unit.code: p for p in pulled}
    assert by_code["U2"].report.status == "error"
    assert "dừng đột ngột" in by_code["U2"].findings[0].detail
    assert sorted(set(validated.rows["unit_code"])) == ["U0", "U1", "U3", "U4", "U5"]
    assert len(validated.rows) == 5 * 7


def test_validate_on_workers_reports_what_sync_reports_from_summary_columns_only(
        project_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """`validate` keeps only the summary's columns of each batch (its memory at a million rows);
    its counts and findings are those of a sync of the same files."""
    project: Project = project_factory(units())
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1)
    kept: list[list[str]] = []
    real_collect = pipeline._collect

    def spying(result, offset, rows, authors, findings):  # type: ignore[no-untyped-def]
        kept.append(result.rows.column_names)
        assert result.authors.num_rows == 0
        return real_collect(result, offset, rows, authors, findings)

    monkeypatch.setattr(pipeline, "_collect", spying)
    checked = CliRunner().invoke(main, ["validate", "--config", str(project.config), "--json"],
                                 catch_exceptions=False)
    monkeypatch.setattr(pipeline, "_collect", real_collect)
    synced, _ = run(project)
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    summary = json.loads(checked.stdout)
    assert kept and all(names == pipeline.SUMMARY_COLUMNS for names in kept)
    assert summary["totals"]["rows"] == synced["totals"]["rows"] == 6 * 7
    assert summary["totals"]["rejected"] == synced["totals"]["rejected"] == 6
    assert [(s["code"], s["rows"], s["valid"], s["errors"]) for s in summary["sources"]] == \
        [(s["code"], s["rows"], s["valid"], s["errors"]) for s in synced["sources"]]


def _validate_units(project: Project) -> tuple[list, object]:
    import datetime as dt

    from sync.config import load_config

    config = load_config(project.config)
    registry = pipeline.load_units(config)
    plans = pipeline.pull(registry, None, pipeline.make_backends(config, registry),
                          pipeline.SyncOptions(), pipeline.Reporter())
    return pipeline.read_and_validate(plans, None, config.program, dt.date(2026, 11, 24),
                                      pipeline._Timer({}))


@pytest.mark.parametrize("failure", ["no_pool", "workers_die"])
def test_where_worker_processes_cannot_run_batches_are_validated_here(
        project_factory, monkeypatch: pytest.MonkeyPatch, failure: str) -> None:
    """No shared memory for the pool's semaphores (a container), or workers that die as they
    start: every unit is still read and validated, in this process, instead of each being
    retried in a new pool and reported unreadable."""
    import os

    project: Project = project_factory(units())
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1)
    monkeypatch.setattr(pipeline, "usable_cpus", lambda: 2)
    if failure == "no_pool":
        def no_pool(*args: object, **kwargs: object) -> None:
            raise OSError(38, "Function not implemented")

        monkeypatch.setattr(pipeline, "ProcessPoolExecutor", no_pool)
    else:
        monkeypatch.setattr(pipeline, "_worker_init", os.abort)  # each worker dies at start
    pulled, validated = _validate_units(project)
    assert [p.report.status for p in pulled if p.unit.code.startswith("U")] == ["ok"] * 6
    assert sorted(set(validated.rows["unit_code"])) == [f"U{i}" for i in range(6)]
    assert len(validated.rows) == 6 * 7


def test_the_fork_server_stops_after_the_batches_and_starts_again_for_the_next_run(
        project_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No fork server is left running (and counted in the run's memory) while dedupe and the
    master run; the next run's pool starts one again."""
    import multiprocessing

    import psutil

    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this platform")
    monkeypatch.setattr(pipeline, "BATCH_ROWS", 1)
    project = project_factory(units())

    def fork_servers() -> list[psutil.Process]:
        return [c for c in psutil.Process().children(recursive=True)
                if "multiprocessing.forkserver" in " ".join(c.cmdline())]

    seen: list[int] = []
    real_dedupe = pipeline.deduplicate

    def dedupe_watching(*args, **kwargs):
        seen.append(len(fork_servers()))
        return real_dedupe(*args, **kwargs)

    monkeypatch.setattr(pipeline, "deduplicate", dedupe_watching)
    first, _ = run(project)
    second, _ = run(project)  # a new server for the second run's pool
    assert seen == [0, 0]
    assert second["totals"] == first["totals"]
    assert first["totals"]["valid"] > 0
