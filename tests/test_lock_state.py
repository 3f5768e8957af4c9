"""The run lock and the state file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from sync.backends.base import Payload
from sync.errors import LockBusy
from sync.lock import RunLock
from sync.state import State


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with RunLock(state, "run-1", "t0"):
        with pytest.raises(LockBusy) as info:
            RunLock(state, "run-2", "t1").acquire()
        assert "run-1" in str(info.value)
    with RunLock(state, "run-3", "t2"):
        pass


def test_lock_of_a_killed_process_is_free(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    code = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from sync.lock import RunLock
        RunLock(Path({str(state)!r}), "doomed", "t").acquire()
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    subprocess.run([sys.executable, "-c", code], check=False)
    with RunLock(state, "after", "t"):
        pass


def test_snapshots_ids_history_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with State(path) as state:
        state.save_snapshots([("A", "/x/a.csv", Payload("csv", b"a,b\n1,2\n", "fp1", "a.csv"),
                               "2026-01-01T00:00:00+07:00")])
        registry = pd.DataFrame({"id": ["SK0000001"], "seq": [1], "first_seen": ["t"],
                                 "last_seen": ["t"], "unit_code": ["A"], "title_fold": ["x"],
                                 "fold": ["y"]})
        state.save_id_registry(registry, 2, "t")
    with State(path) as state:
        snap = state.snapshot("A")
        assert snap is not None and snap.payload.data == b"a,b\n1,2\n"
        assert snap.payload.kind == "csv" and snap.fingerprint == "fp1"
        loaded, next_seq = state.id_registry()
        assert next_seq == 2 and loaded["id"].tolist() == ["SK0000001"]
        with pytest.raises(Exception, match="lùi"):
            state.save_id_registry(registry, 1, "t")
        assert state.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with State(tmp_path / "s.sqlite") as state:
        with pytest.raises(RuntimeError), state.transaction():
            state.db.execute("INSERT INTO meta (key, value) VALUES ('x', '1')")
            raise RuntimeError("boom")
        assert state.meta("x") is None


def test_corrupt_state_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(Exception, match="bị hỏng"):
        State(path)
