"""Run state in one SQLite file (SPEC §3 `[state]`): runs, each source's last good snapshot, the
id registry, progress history and digests sent.

SQLite in WAL mode; each stage records its results in one transaction, so a run killed at any point
leaves the file consistent (the next run sees either all of a stage's record or none of it).
Snapshots are the source's bytes as fetched (an `.xlsx` file, a CSV, the Sheets API's JSON), so a
unit that cannot be read is rebuilt exactly from its last good read. The id registry is stored as one
Parquet blob: at a million initiatives that is a second's work, where row-by-row SQL is many.
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sync.backends.base import Payload
from sync.errors import SangkienError
from sync.ids import empty_registry
from sync.memory import release_freed_memory

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, command TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT, status TEXT, summary TEXT
);
CREATE TABLE IF NOT EXISTS sources (
    unit_code TEXT PRIMARY KEY, locator TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
    fingerprint TEXT NOT NULL, fetched_at TEXT NOT NULL, payload BLOB NOT NULL,
    compressed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS source_attempts (
    unit_code TEXT PRIMARY KEY, run_id TEXT NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL, updated_at TEXT);
CREATE TABLE IF NOT EXISTS history (
    run_id TEXT NOT NULL, at TEXT NOT NULL, unit_code TEXT NOT NULL, name TEXT NOT NULL,
    members INTEGER NOT NULL, target INTEGER NOT NULL, participants INTEGER NOT NULL,
    rate REAL NOT NULL, initiatives INTEGER NOT NULL, benefit_vnd INTEGER NOT NULL,
    PRIMARY KEY (run_id, unit_code)
);
CREATE TABLE IF NOT EXISTS digests (
    period_key TEXT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    message_id TEXT, sent_at TEXT, updated_at TEXT NOT NULL, payload BLOB,
    PRIMARY KEY (period_key, kind, recipient)
);
"""


@dataclass(slots=True)
class Snapshot:
    unit_code: str
    locator: str
    fingerprint: str
    fetched_at: str
    payload: Payload


@dataclass(slots=True)
class SnapshotInfo:
    """A snapshot without its bytes: enough for change detection."""

    locator: str
    fingerprint: str
    fetched_at: str


class StateError(SangkienError):
    pass


class State:
    """The state file. Use as a context manager; writes go through `transaction()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            with self.transaction():
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self._set_meta_default("schema_version", str(SCHEMA_VERSION))
                self._set_meta_default("next_id_seq", "1")
        except sqlite3.DatabaseError as exc:
            raise StateError(
                f"Tệp trạng thái {path} bị hỏng hoặc không phải SQLite ({exc}). Đổi tên tệp "
                "để bắt đầu lại (mã sáng kiến sẽ được cấp lại từ đầu)."
            ) from None

    # -- plumbing ------------------------------------------------------------------------------

    def close(self) -> None:
        """Fold the write-ahead log back into the main file, so that a copy of the state file
        alone (a backup, a CI cache) holds everything; then close."""
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it lands, or none of it."""
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _set_meta_default(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- runs ----------------------------------------------------------------------------------

    def start_run(self, run_id: str, command: str, started_at: str) -> None:
        with self.transaction():
            self.db.execute("INSERT INTO runs (run_id, command, started_at) VALUES (?, ?, ?)",
                            (run_id, command, started_at))

    def finish_run(self, run_id: str, finished_at: str, status: str,
                   summary: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
                (finished_at, status, json.dumps(summary, ensure_ascii=False), run_id))

    def runs(self, limit: int = 1000) -> pd.DataFrame:
        """Finished and unfinished runs, newest last (an unfinished one was killed)."""
        rows = self.db.execute(
            "SELECT run_id, command, started_at, finished_at, status, summary FROM runs "
            "ORDER BY started_at DESC LIMIT ?", (limit,)).fetchall()
        frame = pd.DataFrame(rows, columns=["run_id", "command", "started_at", "finished_at",
                                            "status", "summary"])
        return frame.iloc[::-1].reset_index(drop=True)

    # -- sources -------------------------------------------------------------------------------

    def snapshot_infos(self) -> dict[str, SnapshotInfo]:
        rows = self.db.execute("SELECT unit_code, locator, fingerprint, fetched_at FROM sources")
        return {code: SnapshotInfo(loc, fp, at) for code, loc, fp, at in rows}

    def snapshot(self, unit_code: str) -> Snapshot | None:
        row = self.db.execute(
            "SELECT locator, kind, name, fingerprint, fetched_at, payload, compressed FROM sources "
            "WHERE unit_code = ?", (unit_code,)).fetchone()
        if row is None:
            return None
        locator, kind, name, fingerprint, fetched_at, data, compressed = row
        data = zlib.decompress(data) if compressed else bytes(data)
        return Snapshot(unit_code, locator, fingerprint, fetched_at,
                        Payload(kind, data, fingerprint, name))

    def save_snapshots(self, items: list[tuple[str, str, Payload, str]]) -> None:
        """(unit_code, locator, payload, fetched_at) for every source read well this run."""
        with self.transaction():
            for unit_code, locator, payload, fetched_at in items:
                compress = payload.kind != "xlsx"  # an .xlsx is a zip already
                data = zlib.compress(payload.data, 6) if compress else payload.data
                self.db.execute(
                    "INSERT OR REPLACE INTO sources (unit_code, locator, kind, name, fingerprint, "
                    "fetched_at, payload, compressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (unit_code, locator, payload.kind, payload.name, payload.fingerprint,
                     fetched_at, data, int(compress)))

    def record_attempts(self, run_id: str, at: str, items: list[tuple[str, str, str]]) -> None:
        """(unit_code, status, message) of every source this run tried."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO source_attempts (unit_code, run_id, at, status, message) "
                "VALUES (?, ?, ?, ?, ?)", [(c, run_id, at, s, m) for c, s, m in items])

    def last_attempts(self) -> dict[str, tuple[str, str]]:
        rows = self.db.execute("SELECT unit_code, status, message FROM source_attempts")
        return {code: (status, message) for code, status, message in rows}

    # -- ids -----------------------------------------------------------------------------------

    def id_registry(self) -> tuple[pd.DataFrame, int]:
        row = self.db.execute("SELECT data FROM blobs WHERE name = 'id_registry'").fetchone()
        registry = pd.read_parquet(io.BytesIO(row[0])) if row else empty_registry()
        release_freed_memory()  # decoding leaves ≈230 MiB in Arrow's pool at a million rows
        return registry, int(self.meta("next_id_seq", "1") or 1)

    def save_id_registry(self, registry: pd.DataFrame, next_seq: int, at: str) -> None:
        buffer = io.BytesIO()
        registry.reset_index(drop=True).to_parquet(buffer, compression="zstd", index=False)
        with self.transaction():
            current = int(self.meta("next_id_seq", "1") or 1)
            if next_seq < current:
                raise StateError("bộ đếm mã sáng kiến không được lùi")
            self.db.execute("INSERT OR REPLACE INTO blobs (name, data, updated_at) VALUES "
                            "('id_registry', ?, ?)", (buffer.getvalue(), at))
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id_seq', ?)",
                            (str(next_seq),))

    # -- the last run's results, for digests -------------------------------------------------------

    def save_results(self, run_id: str, at: str, frames: dict[str, pd.DataFrame]) -> None:
        """The tables a digest needs (progress, initiatives, findings, duplicates, sources), so
        `sangkien report` works from the last sync without reading any source again."""
        blobs = []
        for name, frame in frames.items():
            buffer = io.BytesIO()
            frame.reset_index(drop=True).to_parquet(buffer, compression="zstd", index=False)
            blobs.append((f"results/{name}", buffer.getvalue(), at))
        with self.transaction():
            self.db.execute("DELETE FROM blobs WHERE name LIKE 'results/%'")
            self.db.executemany("INSERT INTO blobs (name, data, updated_at) VALUES (?, ?, ?)", blobs)
            self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('results_run_id', ?)",
                            (run_id,))

    def results(self) -> tuple[str | None, dict[str, pd.DataFrame]]:
        """(run id, tables) saved by the last successful sync; ({}) before the first one."""
        rows = self.db.execute("SELECT name, data FROM blobs WHERE name LIKE 'results/%'").fetchall()
        frames = {name.split("/", 1)[1]: pd.read_parquet(io.BytesIO(data)) for name, data in rows}
        return self.meta("results_run_id"), frames

    # -- history -------------------------------------------------------------------------------

    def add_history(self, run_id: str, at: str, progress: pd.DataFrame) -> None:
        rows = [(run_id, at, r.code, r.name, int(r.members), int(r.target), int(r.participants),
                 float(r.rate), int(r.initiatives), int(r.benefit_vnd))
                for r in progress.itertuples(index=False)]
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO history (run_id, at, unit_code, name, members, target, "
                "participants, rate, initiatives, benefit_vnd) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)

    def history(self) -> pd.DataFrame:
        rows = self.db.execute(
            "SELECT run_id, at, unit_code, name, members, target, participants, rate, "
            "initiatives, benefit_vnd FROM history ORDER BY at, rowid").fetchall()
        return pd.DataFrame(rows, columns=["run_id", "at", "unit_code", "name", "members",
                                           "target", "participants", "rate", "initiatives",
                                           "benefit_vnd"])

    # -- digests sent: the send-once ledger (used by sync.report.sending) ---------------------------
    # One row per (period, kind, recipient). status: pending (about to be handed to the transport)
    # → sent | failed (retried by the next run) | rejected (the server refused it for good).
    # `payload` keeps the exact message bytes so a retry sends the same message (same Message-ID).

    _DIGEST_COLUMNS = ("period_key", "kind", "recipient", "status", "attempts", "last_error",
                       "message_id", "sent_at", "updated_at")

    def digest_entries(self, period_key: str | None = None,
                       statuses: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """Ledger rows (without payloads), optionally of one period and/or some statuses."""
        sql = f"SELECT {', '.join(self._DIGEST_COLUMNS)} FROM digests WHERE 1=1"
        args: list[Any] = []
        if period_key is not None:
            sql += " AND period_key = ?"
            args.append(period_key)
        if statuses:
            sql += f" AND status IN ({', '.join('?' for _ in statuses)})"
            args.extend(statuses)
        rows = self.db.execute(sql + " ORDER BY period_key, kind, recipient", args).fetchall()
        return [dict(zip(self._DIGEST_COLUMNS, row, strict=True)) for row in rows]

    def digest_payload(self, period_key: str, kind: str, recipient: str) -> bytes | None:
        row = self.db.execute(
            "SELECT payload FROM digests WHERE period_key = ? AND kind = ? AND recipient = ?",
            (period_key, kind, recipient)).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None

    def digest_pending(self, period_key: str, kind: str, recipient: str, message_id: str,
                       payload: bytes, at: str) -> None:
        """Record an attempt before the transport gets the message (a crash right after leaves
        it pending, so the next run sends it again rather than never)."""
        with self.transaction():
            self.db.execute(
                "INSERT INTO digests (period_key, kind, recipient, status, attempts, message_id, "
                "updated_at, payload) VALUES (?, ?, ?, 'pending', 1, ?, ?, ?) "
                "ON CONFLICT (period_key, kind, recipient) DO UPDATE SET status = 'pending', "
                "attempts = attempts + 1, message_id = excluded.message_id, "
                "updated_at = excluded.updated_at, payload = excluded.payload",
                (period_key, kind, recipient, message_id, at, payload))

    def digest_sent(self, period_key: str, kind: str, recipient: str, at: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET status = 'sent', sent_at = ?, updated_at = ?, last_error = NULL "
                "WHERE period_key = ? AND kind = ? AND recipient = ?",
                (at, at, period_key, kind, recipient))

    def digest_failed(self, period_key: str, kind: str, recipient: str, error: str, at: str,
                      permanent: bool = False) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET status = ?, last_error = ?, updated_at = ? "
                "WHERE period_key = ? AND kind = ? AND recipient = ?",
                ("rejected" if permanent else "failed", error, at, period_key, kind, recipient))
