"""End-to-end `sangkien sync` at scale, against the floor of only reading the same files.

    python bench/gen_dedupe.py --rows 1000000 --units 1000 --seed 1 --out bench/data/e2e-1000 --xlsx
    python bench/bench_sync.py --data bench/data --sizes 10 100 1000 [--write-doc]

For each size N (N units × 1,000 rows, written by the generator above):
- **floor**: read every unit file's `Sáng kiến` tab with python-calamine, one process, nothing else;
- **first sync**: `sangkien sync --json` with an empty state (reads, validates, deduplicates, gives
  ids, writes the master and the state) — wall time, peak memory of the whole process tree, and
  each stage's share from the run summary's `timings`;
- **unchanged sync**: the same command again.
Each measurement runs in its own process; peak memory is sampled from /proc every 20 ms over the
process and its children. `--write-doc` replaces the table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
START, END = "<!-- bench_sync:start -->", "<!-- bench_sync:end -->"

FLOOR = r"""
import sys, time
from pathlib import Path
from python_calamine import CalamineWorkbook
files = sorted(Path(sys.argv[1]).glob("*.xlsx"))
t = time.perf_counter()
cells = 0
for f in files:
    rows = CalamineWorkbook.from_path(str(f)).get_sheet_by_name("Sáng kiến").to_python()
    cells += sum(len(r) for r in rows)
print(time.perf_counter() - t, cells)
"""


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes of the process tree, stdout)."""
    start = time.perf_counter()
    process = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            try:
                total = root.memory_info().rss + sum(
                    c.memory_info().rss for c in root.children(recursive=True))
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(cmd)} failed ({process.returncode}):\n{err[-3000:]}")
    return wall, peak, out


def project(data: Path, size: int) -> Path:
    folder = data / f"e2e-{size}" / "xlsx"
    if not (folder / "unions.csv").is_file():
        raise SystemExit(f"missing {folder}; generate it with bench/gen_dedupe.py (see docstring)")
    config = folder / "bench.toml"
    config.write_text('[registry]\npath = "unions.csv"\n[master]\ntarget = "out/master.xlsx"\n'
                      '[state]\npath = "out/state.sqlite"\n[email]\noutbox = "out/outbox"\n',
                      encoding="utf-8")
    shutil.rmtree(folder / "out", ignore_errors=True)
    return config


def run_size(data: Path, size: int) -> dict[str, object]:
    config = project(data, size)
    units = config.parent / "units"
    floor_wall, floor_peak, floor_out = measure([sys.executable, "-c", FLOOR, str(units)], REPO)
    floor_read = float(floor_out.split()[0])
    sync = [sys.executable, "-m", "sync", "sync", "--config", str(config), "--json"]
    first_wall, first_peak, first_out = measure(sync, REPO)
    summary = json.loads(first_out)
    again_wall, again_peak, again_out = measure(sync, REPO)
    again = json.loads(again_out)
    timings = summary.get("timings", {})
    total = sum(timings.values()) or 1.0
    return {
        "size": size, "rows": summary["totals"]["rows"], "floor_s": floor_wall,
        "floor_read_s": floor_read, "floor_peak": floor_peak, "first_s": first_wall,
        "first_peak": first_peak, "again_s": again_wall, "again_peak": again_peak,
        "ratio": first_wall / floor_wall,
        "shares": {k: v / total for k, v in timings.items()},
        "timings": timings, "again_timings": again.get("timings", {}),
        "statuses": sorted({s["status"] for s in again["sources"]}),
        "initiatives": summary["totals"]["initiatives"],
    }


def gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def table(results: list[dict[str, object]]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        START,
        f"Machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"{cpu}, Python {platform.python_version()}; date {dt.date.today().isoformat()}. "
        "Command: `python bench/bench_sync.py --data bench/data --sizes "
        + " ".join(str(r["size"]) for r in results) + "`.",
        "",
        "| units × rows | rows read | floor: calamine read only | first `sync` | peak memory | "
        "ratio to floor | unchanged `sync` | its peak memory | initiatives counted |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']:,} × 1,000 | {r['rows']:,} | {r['floor_s']:.1f} s | {r['first_s']:.1f} s "
            f"| {gib(int(r['first_peak']))} | {r['ratio']:.2f}× | {r['again_s']:.1f} s | "
            f"{gib(int(r['again_peak']))} | {r['initiatives']:,} |")
    lines += ["", "Share of each stage in the first sync (from the run summary's `timings`):", "",
              "| stage | " + " | ".join(f"{r['size']:,} units" for r in results) + " |",
              "|---|" + "---:|" * len(results)]
    stages = list(dict.fromkeys(k for r in results for k in r["timings"]))  # type: ignore[attr-defined]
    for stage in stages:
        cells = [f"{r['timings'].get(stage, 0):.2f} s ({r['shares'].get(stage, 0):.0%})"  # type: ignore[attr-defined]
                 for r in results]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append(END)
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if START in doc:
        before, rest = doc.split(START, 1)
        doc = before + text + rest.split(END, 1)[1]
    else:
        doc = doc.rstrip("\n") + "\n\n## End to end: `sangkien sync` at scale\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--write-doc", action="store_true")
    args = parser.parse_args()
    results = []
    for size in args.sizes:
        result = run_size(args.data, size)
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    text = table(results)
    print(text)
    if args.write_doc:
        write_doc(text)


if __name__ == "__main__":
    main()
