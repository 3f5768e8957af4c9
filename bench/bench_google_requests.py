"""Requests per sync against the Google API testbench: ours vs the usual gspread pattern.

    .venv/bin/python bench/bench_google_requests.py            # 100 sources
    .venv/bin/python bench/bench_google_requests.py 100 1000   # also 1,000 sources
    .venv/bin/python bench/bench_google_requests.py --write    # update docs/benchmarks.md

For N unit spreadsheets seeded in the testbench (each: two title rows, the template header, five
initiatives), it counts — from `/_testbench/stats`, i.e. what reached the server — the requests of
- **ours**: `sangkien sync` (in-process, the real pipeline) with the master in the testbench:
  first sync, an unchanged sync, and a sync after one source was edited;
- **gspread**: the usual pattern run for real with unmodified gspread over the same session —
  `open_by_key` + `worksheet("Sáng kiến")` + `get_all_records(head=3)` per source; it has no
  change detection, so an unchanged sync costs the same as the first.
It also measures the bytes of the two single-request reads we choose between (values:batchGet of
one tab vs spreadsheets.get with our grid field mask) on a 500-row unit sheet.

The rate limiter is set high here (the testbench answers in microseconds); at the real quota of
60 requests a minute, wall time is requests ÷ 60 minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from fixtures_gsheets import seed_master, seed_unit  # noqa: E402
from fixtures_project import UnitSpec, initiative, make_project  # noqa: E402

from sync.backends import google_http as gh  # noqa: E402
from sync.testbench import Testbench, start  # noqa: E402

SHEETS_READS = ("sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet",
                "sheets.spreadsheets.values.get")
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- google-requests:begin -->", "<!-- google-requests:end -->"


def unit_rows(i: int) -> list[list[Any]]:
    return [initiative(f"Cải tiến quy trình thi công số {i}-{k} tại công trường",
                       f"Nguyễn Văn An {i}, Trần Thị Bình {k}",
                       applied=dt.date(2022, 1 + (i + k) % 12, 1 + k),
                       benefit=1_000_000 * (k + 1)) for k in range(5)]


def seed(tb: Testbench, n: int) -> dict[str, str]:
    return {f"U{i:04d}": seed_unit(tb, unit_rows(i), title=f"Đơn vị {i}") for i in range(n)}


def counts(before: dict[str, Any], after: dict[str, Any], sources: set[str],
           master: str | None) -> dict[str, int]:
    out = {"sheets_reads": 0, "drive": 0, "master": 0, "other": 0}
    for sid, methods in after["by_spreadsheet"].items():
        old = before["by_spreadsheet"].get(sid, {})
        for method, n in methods.items():
            d = n - old.get(method, 0)
            if not d:
                continue
            if sid == master:
                out["master"] += d
            elif sid in sources and method in SHEETS_READS:
                out["sheets_reads"] += d
            elif not method.startswith("drive."):
                out["other"] += d
    for method, n in after["by_method"].items():
        if method.startswith("drive."):
            out["drive"] += n - before["by_method"].get(method, 0)
    out["total"] = after["total"] - before["total"]
    out["429"] = after.get("by_status", {}).get("429", 0) - before.get("by_status", {}).get(
        "429", 0)
    return out


def run_ours(tb: Testbench, ids: dict[str, str], root: Path) -> list[tuple[str, dict, float]]:
    from click.testing import CliRunner

    from sync.cli import main

    master = seed_master(tb)
    units = [UnitSpec(code, f"Công đoàn {code}", 50, source=f"gsheet:{sid}")
             for code, sid in ids.items()]
    project = make_project(root, units, "\n[google]\nrequests_per_minute = 1000000\n")
    text = project.config.read_text(encoding="utf-8")
    project.config.write_text(text.replace('target = "../out/master.xlsx"',
                                           f'target = "gsheet:{master}"'), encoding="utf-8")
    rows = []
    sources = set(ids.values())
    for label in ("first sync", "unchanged sync", "one source edited"):
        if label == "one source edited":
            first = next(iter(ids.values()))
            tb.call("POST", f"/_testbench/spreadsheets/{first}/edit",
                    {"range": "'Sáng kiến'!L4", "values": [["đã sửa"]]})
        before = tb.call("GET", "/_testbench/stats")
        started = time.perf_counter()
        result = CliRunner().invoke(main, ["sync", "--config", str(project.config), "--json"],
                                    catch_exceptions=False)
        elapsed = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        rows.append((label, counts(before, tb.call("GET", "/_testbench/stats"), sources, master),
                     elapsed))
    return rows


def run_gspread(tb: Testbench, ids: dict[str, str]) -> list[tuple[str, dict, float]]:
    creds = gh.load_credentials(tb.credentials_path, scopes=gh.READONLY_SCOPES)
    session = gh.build_session(creds, emulator=tb.url, rate_limiter=gh.RateLimiter(10**9))
    client = gh.gspread_client(session)
    rows = []
    try:
        for label in ("first sync", "unchanged sync"):
            before = tb.call("GET", "/_testbench/stats")
            started = time.perf_counter()
            for sid in ids.values():
                worksheet = client.open_by_key(sid).worksheet("Sáng kiến")
                records = worksheet.get_all_records(head=3)
                assert len(records) == 5
            elapsed = time.perf_counter() - started
            rows.append((label, counts(before, tb.call("GET", "/_testbench/stats"),
                                       set(ids.values()), None), elapsed))
    finally:
        session.close()
    return rows


def payload_sizes(tb: Testbench) -> dict[str, int]:
    from sync.backends.gsheets.sources import GRID_FIELDS

    rows = [initiative(f"Cải tiến quy trình thi công số {i} tại công trường", "Nguyễn Văn An",
                       benefit=1_000_000 + i, summary="Tóm tắt nội dung sáng kiến " * 3)
            for i in range(500)]
    sid = seed_unit(tb, rows, extra_tabs=[{"title": "Ghi chú", "values": [["ghi chú"]] * 10}])
    creds = gh.load_credentials(tb.credentials_path, scopes=gh.READONLY_SCOPES)
    session = gh.build_session(creds, emulator=tb.url)
    try:
        values = session.get(f"{gh.SHEETS_URL}/{sid}/values:batchGet", params={
            "ranges": "'Sáng kiến'", "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "SERIAL_NUMBER"})
        grid = session.get(f"{gh.SHEETS_URL}/{sid}", params={"fields": GRID_FIELDS})
        return {"values": len(values.content), "grid": len(grid.content)}
    finally:
        session.close()


def table(n: int, ours: list, theirs: list) -> list[str]:
    lines = [f"**{n:,} sources**", "",
             "| sync | pattern | Sheets reads of sources | Drive requests | master requests "
             "| total requests | at 60/min | wall time (testbench) |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for who, rows in (("ours", ours), ("gspread `open_by_key`+`worksheet`+`get_all_records`",
                                       theirs)):
        for label, c, elapsed in rows:
            minutes = c["total"] / 60
            lines.append(f"| {label} | {who} | {c['sheets_reads']:,} | {c['drive']:,} | "
                         f"{c['master']:,} | {c['total']:,} | {minutes:.1f} min | "
                         f"{elapsed:.1f} s |")
    return lines


def main(argv: list[str]) -> None:
    write = "--write" in argv
    sizes = [int(a) for a in argv if a.isdigit()] or [100]
    root = Path(tempfile.mkdtemp(prefix="bench-google-"))
    out: list[str] = []
    try:
        with start(credentials_out=root / "sa.json") as tb:
            os.environ[gh.EMULATOR_ENV] = tb.url
            os.environ[gh.CREDENTIALS_ENV] = str(tb.credentials_path)
            for n in sizes:
                tb.call("POST", "/_testbench/reset")
                ids = seed(tb, n)
                ours = run_ours(tb, ids, root / f"p{n}")
                theirs = run_gspread(tb, ids)
                out += [*table(n, ours, theirs), ""]
                print("\n".join(table(n, ours, theirs)), flush=True)
            tb.call("POST", "/_testbench/reset")
            sizes_b = payload_sizes(tb)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ratio = sizes_b["grid"] / sizes_b["values"]
    out += [f"One 500-row unit sheet read in one request: `values:batchGet` "
            f"{sizes_b['values']:,} bytes; `spreadsheets.get` with our grid mask "
            f"{sizes_b['grid']:,} bytes ({ratio:.1f}×, every tab's properties + typed cells)."]
    print(out[-1])
    if write:
        write_doc(out)


def write_doc(lines: list[str]) -> None:
    machine = (f"{platform.system()} {platform.release()}, {platform.machine()}, "
               f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    section = "\n".join([
        BEGIN, "## Google requests", "",
        f"`bench/bench_google_requests.py` — {dt.date.today():%Y-%m-%d}, {machine}; requests "
        "counted by the testbench (`/_testbench/stats`). \"at 60/min\" is how long the requests "
        "take at Google's default per-user quota (one service account is one user). Wall time on "
        "the testbench: ours is the whole `sangkien sync` (validation, dedupe, master), the "
        "gspread column only its reads.", "",
        *lines, "",
        "Ours: one Drive `files.list` per 1,000 visible spreadsheets detects changes; a changed "
        "source costs one Sheets read (tab discovery included); the master costs one read, two "
        "`batchUpdate`s (stage, swap) and one `values:batchUpdate` per ~1.8 MB. The gspread "
        "pattern costs three reads per source on every sync. Most of our wall time at 1,000 "
        "sources is spent outside Google calls: re-extracting the stored snapshots "
        "(`sync.sheet.drop_blank_rows`, ~20 ms a unit, profiled) and the testbench applying the "
        "master's writes.", END])
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main(sys.argv[1:])
