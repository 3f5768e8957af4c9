"""`sangkien validate` on the rows of `bench/bench_validate.py`, as unit CSV files (a script).

The library benchmark (`bench/bench_validate.py`) times `sync.validate.validate` on one frame of
raw cells in one process. This one times what a coordinator runs: the command, reading the same
rows from files, parsing and validating them batch by batch on every core, and reporting
findings. The rows are written as one CSV file per unit (the template's headers, the cell text of
`bench/frictionless_baseline.py`'s CSV: dates as dd/mm/yyyy, numbers as digits), with a registry
and a config; `sangkien validate --json` runs in a fresh process, measured as `bench_sync.py`
measures `sync` (wall time; peak of the RSS of it and its workers, every 20 ms).

    .venv/bin/python bench/bench_validate_command.py --rows 1000000 [--units 1000] [--repeat 3]

It checks that the command rejects the same number of rows as the library run on typed cells
(`bench/data/validate/results.json`), so both read the rows alike.
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_sync import measure  # noqa: E402
from bench_validate import CACHE, prepare  # noqa: E402
from frictionless_baseline import cell_text  # noqa: E402

from sync import catalog  # noqa: E402

# The programme window of the library benchmark (bench_validate.child), as config.
CONFIG = """[program]
name = "bench"
start = 2021-09-01
deadline = 2023-09-01
[registry]
path = "unions.csv"
[master]
target = "out/master.xlsx"
[state]
path = "out/state.sqlite"
[email]
outbox = "out/outbox"
"""


def write_project(folder: Path, units: int) -> Path:
    """Unit CSV files (rows dealt to `units` files in order), registry and config; cached."""
    project = folder / f"command-{units}"
    config = project / "bench.toml"
    if config.exists():
        return config
    with (folder / "raw.pkl").open("rb") as handle:
        raw = pickle.load(handle)
    (project / "units").mkdir(parents=True, exist_ok=True)
    headers = [f.header for f in catalog.FIELDS]
    keys = [f.key for f in catalog.FIELDS]
    size = -(-len(raw) // units)
    registry = [["Mã", "Tên công đoàn", "Cấp trên", "Số đoàn viên", "Nguồn"]]
    for number, start in enumerate(range(0, len(raw), size), 1):
        code = f"U{number:04d}"
        with (project / "units" / f"{code}.csv").open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(headers)
            for row in raw[keys].iloc[start:start + size].itertuples(index=False):
                writer.writerow([cell_text(v) for v in row])
        registry.append([code, f"Công đoàn đơn vị {number}", "", str(size * 5),
                         f"units/{code}.csv"])
    with (project / "unions.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(registry)
    config.write_text(CONFIG, encoding="utf-8")
    return config


def run(config: Path) -> dict[str, Any]:
    """One `validate --json` in a fresh process, timed and its memory sampled by
    `bench_sync.measure` (RSS of it and its workers every 20 ms, shared pages counted in each:
    an upper bound; sampling their private memory every 5 ms took a core from the run)."""
    command = [sys.executable, "-m", "sync", "validate", "--config", str(config), "--json"]
    wall, peak, out = measure(command, ROOT)
    summary = json.loads(out)
    return {"wall_s": round(wall, 2), "peak_mib": round(peak / 2**20),
            "rows": summary["totals"]["rows"], "rejected": summary["totals"]["rejected"],
            "timings": {k: round(v, 2) for k, v in summary.get("timings", {}).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    folder = prepare(args.rows)
    library = {r["rows"]: r for r in json.loads((CACHE / "results.json").read_text())} \
        if (CACHE / "results.json").exists() else {}
    for units in args.units:
        config = write_project(folder, units)
        best = min((run(config) for _ in range(args.repeat)), key=lambda r: r["wall_s"])
        best["units"] = units
        if args.rows in library:
            q = library[args.rows]["quality"]
            best["library_rejected"] = q["planted_errors_rejected"] + q["other_rows_rejected"]
        print(json.dumps(best, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
