"""Pulling units' sources: which backend reads a locator, change detection, opening a payload.

A backend fetches many sources at once (`fetch_many`) so that it can detect changes in bulk (Google:
one Drive `files.list` per 1,000 sheets) and pace its requests; local files are simply read and
hashed. What comes back per unit is new bytes (`Fetched.payload`), "unchanged" (the stored snapshot
is current), or a `SourceError` naming a source-level finding code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sync.backends.base import Payload, SourceWorkbook
from sync.config import GSHEET_PREFIX
from sync.errors import SourceError
from sync.model import Unit
from sync.state import SnapshotInfo

ProgressCallback = Callable[[str], None]


@dataclass(slots=True)
class Fetched:
    payload: Payload | None  # None: unchanged, use the stored snapshot
    unchanged: bool = False


FetchResult = Fetched | SourceError


class SourceBackend(Protocol):
    def fetch_many(self, units: Sequence[Unit], previous: dict[str, SnapshotInfo], full: bool,
                   on_done: ProgressCallback) -> dict[str, FetchResult]: ...

    @property
    def api_counts(self) -> dict[str, int]: ...


class LocalFiles:
    """`.xlsx` and `.csv` files on disk. Change detection by content hash."""

    def __init__(self) -> None:
        self.api_counts: dict[str, int] = {"reads": 0, "writes": 0}  # local files cost no API calls

    def fetch_many(self, units: Sequence[Unit], previous: dict[str, SnapshotInfo], full: bool,
                   on_done: ProgressCallback) -> dict[str, FetchResult]:
        from sync.backends.xlsx import read_file_payload

        results: dict[str, FetchResult] = {}
        for unit in units:
            assert unit.source is not None
            try:
                payload = read_file_payload(Path(unit.source))
                before = previous.get(unit.code)
                same = (before is not None and before.fingerprint == payload.fingerprint
                        and before.locator == unit.source)
                results[unit.code] = Fetched(payload, unchanged=same and not full)
            except SourceError as exc:
                results[unit.code] = exc
            on_done(unit.code)
        return results


def is_google(locator: str) -> bool:
    return locator.startswith(GSHEET_PREFIX)


def open_payload(payload: Payload) -> SourceWorkbook:
    """A workbook over the bytes of a fetch or of a stored snapshot."""
    if payload.kind == "xlsx":
        from sync.backends.xlsx import XlsxWorkbook

        return XlsxWorkbook(payload.data, payload.name)
    if payload.kind == "csv":
        from sync.backends.csvfile import CsvWorkbook

        return CsvWorkbook(payload.data, payload.name)
    if payload.kind == "gsheet-json":
        from sync.backends.gsheets import GoogleValuesWorkbook

        return GoogleValuesWorkbook(payload.data, payload.name)
    raise SourceError("source_unreachable", f"không biết cách mở dữ liệu loại {payload.kind}")
