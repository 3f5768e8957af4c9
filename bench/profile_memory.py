"""Where the memory of one `sangkien sync` goes, stage by stage.

    python bench/profile_memory.py bench/data/e2e-1000/xlsx/bench.toml
    python bench/profile_memory.py bench/data/e2e-1000/xlsx/bench.toml --again

Runs the sync in this process (a fresh state each time) while a thread samples the RSS of this
process and its workers every 10 ms; prints, for each stage of the run summary's `timings`, the
memory when it started, when it ended and its peak. `bench/bench_sync.py` writes the config.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from sync import pipeline
from sync.config import load_config

MIB = 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path)
    parser.add_argument("--trim", action="store_true",
                        help="give freed memory back to the system after each stage (malloc_trim)")
    parser.add_argument("--again", action="store_true",
                        help="profile the unchanged sync: a first sync runs before, in its own "
                             "process")
    args = parser.parse_args()
    shutil.rmtree(args.config.parent / "out", ignore_errors=True)
    if args.again:
        subprocess.run([sys.executable, "-m", "sync", "sync", "--config", str(args.config),
                        "--json"], check=False, stdout=subprocess.DEVNULL)

    me = psutil.Process()
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            try:
                rss = me.memory_info().rss + sum(c.memory_info().rss
                                                 for c in me.children(recursive=True))
                samples.append((time.perf_counter(), rss))
            except psutil.Error:
                pass
            time.sleep(0.01)

    spans: list[tuple[str, float, float]] = []
    original = pipeline._Timer.__call__

    @contextmanager
    def traced(self: pipeline._Timer, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        with original(self, stage):
            yield
        if args.trim:
            import ctypes

            import pyarrow as pa

            pa.default_memory_pool().release_unused()
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        spans.append((stage, start, time.perf_counter()))

    pipeline._Timer.__call__ = traced  # type: ignore[method-assign]
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    began = time.perf_counter()
    result = pipeline.run_sync(load_config(args.config))
    done.set()
    thread.join()

    def rss_at(t: float) -> int:
        before = [r for s, r in samples if s <= t]
        return before[-1] if before else 0

    print(f"exit {result.exit_code}, wall {time.perf_counter() - began:.1f} s, "
          f"peak {max(r for _, r in samples) / MIB:,.0f} MiB")
    print(f"{'stage':<18}{'seconds':>9}{'start MiB':>11}{'end MiB':>9}{'peak MiB':>10}")
    for stage, start, end in spans:
        inside = [r for s, r in samples if start <= s <= end] or [rss_at(end)]
        print(f"{stage:<18}{end - start:>9.2f}{rss_at(start) / MIB:>11,.0f}"
              f"{rss_at(end) / MIB:>9,.0f}{max(inside) / MIB:>10,.0f}")


if __name__ == "__main__":
    main()
