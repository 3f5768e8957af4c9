"""`python -m sync.demo [OUTDIR]`: write the embedded default's demo (registry + unit files).

OUTDIR defaults to `config`: the registry goes to `OUTDIR/unions.csv`, the unit files to
`OUTDIR/demo/`. `--manifest` prints what was planted and the expected numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sync.demo.demo import write_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sync.demo", description=__doc__)
    parser.add_argument("outdir", nargs="?", default="config", type=Path)
    parser.add_argument("--manifest", action="store_true",
                        help="print the planted rows and expected numbers as JSON")
    args = parser.parse_args(argv)
    manifest = write_demo(args.outdir)
    if args.manifest:
        json.dump(manifest.summary(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        t = manifest.totals()
        print(f"Đã ghi {manifest.registry} và {len(manifest.units)} đơn vị "
              f"({t['rows']} dòng, {t['counted']} sáng kiến được tính, "
              f"{t['participants']}/{t['members']} người tham gia).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
