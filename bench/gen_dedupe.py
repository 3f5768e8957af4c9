"""Write a labelled synthetic collection for the deduplication and end-to-end benchmarks.

    python bench/gen_dedupe.py --rows 1000000 --units 1000 --seed 0 --out bench/data/n1m [--xlsx]

Writes `registry.parquet`, `rows.parquet`, `entities.parquet` and `meta.json` (see
`sync.demo.synth.SynthData` for the columns and labels; `synth.load(DIR)` reads them back with the
original cell types), and with `--xlsx` one `.xlsx` per unit under `DIR/xlsx/units/` plus the
registry `DIR/xlsx/unions.csv` for an end-to-end run. Only the tab `Sáng kiến` is read by the
product: score an end-to-end run against `rows[rows.tab == "Sáng kiến"]`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync.demo import synth


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, required=True, help="sheet rows to generate")
    p.add_argument("--units", type=int, required=True, help="number of units")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--xlsx", action="store_true", help="also write one .xlsx per unit")
    p.add_argument("--workers", type=int, default=None, help="processes for --xlsx")
    p.add_argument("--clean", action="store_true", help="no noise (every row an original)")
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    data = synth.generate(args.rows, args.units, seed=args.seed,
                          noise=synth.NoiseMix.clean() if args.clean else None)
    t_gen = time.perf_counter() - t0
    synth.save(data, args.out)
    t_save = time.perf_counter() - t0 - t_gen
    timings = {"generate_s": round(t_gen, 2), "parquet_s": round(t_save, 2)}
    if args.xlsx:
        t1 = time.perf_counter()
        registry = synth.write_xlsx_units(data, args.out / "xlsx", workers=args.workers)
        timings["xlsx_s"] = round(time.perf_counter() - t1, 2)
        timings["registry"] = str(registry)
    meta_path = args.out / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["timings"] = timings
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps({"out": str(args.out), "rows": data.meta["n_rows"],
                      "entities": data.meta["n_entities"], "units": args.units, **timings},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
