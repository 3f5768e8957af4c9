"""Baseline for `bench/bench_validate.py`: frictionless-py validating the same rows as CSV.

The rows cached by `bench_validate.prepare` are written as a CSV file as a spreadsheet export would
show them (date cells as dd/mm/yyyy, numbers as digits, empty cells empty), next to a Table Schema
that states what our validator checks, as far as a Table Schema can:

- required: title, authors, solution type, date applied; title 10–2,000 characters, other texts
  at most 2,000;
- enum constraints: solution types, statuses and yes/no words (canonical values and aliases, as
  the catalogue spells them — a schema cannot ignore case or diacritics);
- the date applied a `date` in the template's format `%d/%m/%Y`, within the programme window;
- the benefit a `number` written the Vietnamese way (`groupChar` `.`, `decimalChar` `,`, text
  around the number allowed), at least 0.

A Table Schema has one date format and one number style per field, so frictionless rejects the
other shapes units type (ISO dates, serials, `ngày … tháng … năm …`, `1,5 tỷ`); the comparison is
of the time to check every cell, not of what is understood.

It then times `frictionless.validate` (every error collected: `limit_errors` is lifted) in a fresh
process, with peak RSS sampled as for our validator.

    .venv/bin/python bench/frictionless_baseline.py --rows 100000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_validate import CACHE, PeakSampler, prepare  # noqa: E402

from sync import catalog  # noqa: E402


def schema() -> dict[str, Any]:
    def enum(catalogue: dict[str, tuple[str, ...]]) -> list[str]:
        return sorted({v for canonical, aliases in catalogue.items() for v in (canonical, *aliases)})

    text = {"type": "string", "constraints": {"maxLength": catalog.MAX_TEXT_CHARS}}
    return {"fields": [
        {"name": "unit_code", "type": "string", "constraints": {"required": True}},
        {"name": "tab", "type": "string"},
        {"name": "row", "type": "integer", "constraints": {"required": True, "minimum": 1}},
        {"name": "title", "type": "string", "constraints": {
            "required": True, "minLength": catalog.MIN_TITLE_CHARS,
            "maxLength": catalog.MAX_TEXT_CHARS}},
        {"name": "authors", "type": "string", "constraints": {"required": True}},
        {"name": "workplace", **text},
        {"name": "solution_type", "type": "string", "constraints": {
            "required": True, "enum": enum(catalog.SOLUTION_TYPES)}},
        {"name": "field", **text},
        {"name": "applied_on", "type": "date", "format": "%d/%m/%Y",
         "constraints": {"required": True, "minimum": "01/09/2021", "maximum": "01/09/2023"}},
        {"name": "status", "type": "string", "constraints": {"enum": enum(catalog.STATUSES)}},
        {"name": "summary", **text},
        {"name": "effect", **text},
        {"name": "benefit", "type": "number", "groupChar": ".", "decimalChar": ",",
         "bareNumber": False, "constraints": {"minimum": 0}},
        {"name": "social", "type": "string", "constraints": {
            "enum": sorted(set(catalog.YES_WORDS) | set(catalog.NO_WORDS))}},
        {"name": "note", **text},
    ]}


def cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_inputs(folder: Path) -> tuple[Path, Path]:
    path, schema_path = folder / "rows.csv", folder / "schema.json"
    if not path.exists():
        with (folder / "raw.pkl").open("rb") as handle:
            raw = pickle.load(handle)
        columns = [f["name"] for f in schema()["fields"]]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in raw[columns].itertuples(index=False):
                writer.writerow([cell_text(v) for v in row])
    schema_path.write_text(json.dumps(schema(), ensure_ascii=False, indent=1), encoding="utf-8")
    return path, schema_path


def child(folder: Path) -> dict[str, Any]:
    import frictionless

    os.chdir(folder)  # frictionless only reads relative paths unless told to trust the source
    with PeakSampler() as sampler:
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = frictionless.validate("rows.csv", schema="schema.json", limit_errors=10**9)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    task = report.tasks[0]
    if "rows" not in task.stats:
        raise SystemExit(f"frictionless could not read the rows: {report.flatten(['type', 'note'])}")
    return {"rows": int(task.stats["rows"]), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "peak_rss_mib": round(sampler.peak / 2**20), "errors": int(task.stats["errors"]),
            "version": frictionless.__version__ if hasattr(frictionless, "__version__")
            else _version()}


def _version() -> str:
    from importlib.metadata import version

    return version("frictionless")


def measure_baseline(folder: Path) -> dict[str, Any]:
    write_inputs(folder)
    out = subprocess.run([sys.executable, __file__, "--child", str(folder)],
                         capture_output=True, text=True, env={**os.environ})
    if out.returncode:
        raise SystemExit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    saved = CACHE / "frictionless.json"
    known = json.loads(saved.read_text()) if saved.exists() else []
    known = [r for r in known if r["rows"] != result["rows"]] + [result]
    saved.write_text(json.dumps(sorted(known, key=lambda r: r["rows"]), indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    for rows in args.rows:
        print(json.dumps(measure_baseline(prepare(rows, args.seed)), indent=1))


if __name__ == "__main__":
    main()
