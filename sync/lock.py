"""The run lock: one run at a time per state file (exit 4 while another run holds it).

An OS file lock (`flock` on POSIX, `msvcrt.locking` on Windows) on `<state>.lock`: the kernel
releases it when the holder dies, even by `kill -9`, so a crashed run never leaves a stale lock. The
file names the holder (pid, run id, start time) for the message the second run prints.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path
from types import TracebackType

from sync.errors import LockBusy


class RunLock:
    def __init__(self, state_path: Path, run_id: str, started_at: str) -> None:
        self.path = state_path.with_name(state_path.name + ".lock")
        self.run_id = run_id
        self.started_at = started_at
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError:
            holder = _read(fd)
            os.close(fd)
            raise LockBusy(
                "Một lần chạy khác đang giữ khoá"
                + (f" ({holder})" if holder else "")
                + f". Chờ lần chạy đó xong rồi chạy lại (khoá: {self.path})."
            ) from None
        os.ftruncate(fd, 0)
        started = self.started_at
        with contextlib.suppress(ValueError):
            started = dt.datetime.fromisoformat(started).strftime("%d/%m/%Y %H:%M:%S")
        os.write(fd, f"pid {os.getpid()}, lần chạy {self.run_id}, bắt đầu {started}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
                _unlock(self._fd)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _read(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return os.read(fd, 200).decode(errors="replace").strip()
    except OSError:
        return ""


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
