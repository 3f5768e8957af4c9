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

import pyarrow as pa


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


def release_freed_memory() -> None:
    """Hand the pages that Arrow's pool and malloc hold unused back to the system."""
    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
