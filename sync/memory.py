"""Giving freed memory back to the system between the stages of a large run.

At a million rows each stage frees hundreds of MiB of temporaries, but glibc's malloc and Arrow's
memory pool keep freed pages for later, so the process grows stage after stage although the data
it holds does not (`bench/profile_memory.py --trim` shows the difference). Returning them costs a
few milliseconds a stage.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from typing import Any


@functools.cache
def _libc() -> Any:
    """glibc, when this process runs on it (`malloc_trim` is a glibc function)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


# glibc's `mallopt` parameter for the size from which a block gets its own mapping.
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 1 << 20


def map_large_blocks() -> None:
    """Give every block of `LARGE_BLOCK` or more its own mapping, returned to the system the moment
    it is freed.

    glibc starts with such a limit (128 KiB) but raises it to the size of each mapped block freed,
    up to 32 MiB: after the first few large numpy arrays, the million-row arrays of the later
    stages come from the heap, where freed memory stays until `release_freed_memory`. At a million
    rows that is about 1 GiB held at the end of dedupe and of ids (`bench/profile_memory.py`).
    Setting the limit once turns that raising off."""
    libc = _libc()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def release_freed_memory() -> None:
    """Hand the pages that Arrow's pool and malloc hold unused back to the system. (A process that
    never imported Arrow, the text worker, has no pool: Arrow is not imported for it.)"""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def stop_fork_server() -> None:
    """Stop multiprocessing's fork server once the batch workers are done with it.

    Nothing forks from it again in this run, and a later pool starts a new one. `_stop` is the
    standard library's own (its tests use it), so this is checked for, not assumed."""
    try:
        from multiprocessing import forkserver
    except ImportError:  # a platform without it never started one
        return
    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if callable(stop):
        stop()
