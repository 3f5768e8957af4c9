"""Units' Google Sheets: change detection in bulk, then one read request per changed sheet.

Per sync:
1. **Change detection** — one Drive `files.list` per 1,000 spreadsheets the account can see
   (Drive's `q` has no id term, see `GoogleApi.list_files`) gives every source's `version` and
   `modifiedTime`. A source whose snapshot carries the same pair is *unchanged*: zero Sheets
   requests, the stored snapshot is the data. A source absent from the listing (not shared any
   more, deleted, an uploaded `.xlsx`) is read anyway, so the read gives the precise error.
2. **One read per changed source**, tab discovery included:
   - a source whose unit tab was found *by name* last time (`Sáng kiến`, or `#<tab>` in the
     locator) is read with `values:batchGet` of that tab (`UNFORMATTED_VALUE`, `SERIAL_NUMBER`):
     the smallest answer; if the tab was renamed or deleted (400 "Unable to parse range") the
     read falls back to (b), the only case that costs two requests;
   - (b) every other read — a new source, one whose tab is "the first visible tab" — is one
     `spreadsheets.get` with a field mask that returns every tab's properties (title, hidden) and
     grid data reduced to `effectiveValue` + the number-format type: tabs and cells in one
     request, dates recognised by their format. It is ~2.7× the bytes of (a) for the same
     cells (measured on the testbench), which is why (a) is used when the tab is known.
     "First visible tab" sources stay on (b): a tab added or unhidden before it changes which
     tab is the unit's, and only (b) sees that.

The fingerprint of a Google payload is `gdrive:<version>:<modifiedTime>` followed by what the
next read needs (`|tab=<name>|by=<name|first_visible|named>`); change detection compares only the
Drive part. A read that fails leaves the previous snapshot (and its older fingerprint) in place,
so the source is read again next time; the pipeline also drops the snapshot info of sources
whose last attempt failed.

Reads run in a small thread pool; the shared rate limiter keeps the pace (a service account is
one user: 60 requests a minute by default).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sync.backends import google_http as gh
from sync.backends.base import Payload
from sync.backends.gsheets import workbook
from sync.backends.gsheets.session import (
    SheetLocator,
    make_api,
    parse_locator,
    quote_tab,
    source_error,
)
from sync.config import Config
from sync.errors import SangkienError, SourceError
from sync.model import Unit
from sync.sources import Fetched, FetchResult, ProgressCallback
from sync.state import SnapshotInfo

PAYLOAD_KIND = "gsheet-json"
READ_WORKERS = 4
# spreadsheets.get: every tab's properties and its cells' effective values and number-format type.
GRID_FIELDS = (
    "spreadsheetId,properties.title,"
    "sheets(properties(sheetId,title,index,hidden),"
    "data(startRow,startColumn,rowData(values(effectiveValue,effectiveFormat/numberFormat/type))))"
)
_AUTH_REASONS = ("auth_failed", "unauthenticated", "no_credentials", "insufficient_scope")


@dataclass(frozen=True, slots=True)
class Memory:
    """What a previous fingerprint tells the next read."""

    drive: str = ""
    tab: str = ""
    tab_by: str = ""


def fingerprint(info: gh.DriveFileInfo | None, tab: str, tab_by: str) -> str:
    drive = f"gdrive:{info.version}:{info.modified_time}" if info else "gdrive:?"
    return f"{drive}|tab={tab}|by={tab_by}"


def drive_part(info: gh.DriveFileInfo) -> str:
    return f"gdrive:{info.version}:{info.modified_time}"


def memory_of(snapshot: SnapshotInfo | None) -> Memory:
    if snapshot is None or not snapshot.fingerprint.startswith("gdrive:"):
        return Memory()
    drive, _, rest = snapshot.fingerprint.partition("|tab=")
    tab, _, by = rest.rpartition("|by=")
    return Memory(drive, tab, by)


class GoogleSources:
    """`SourceBackend` for `gsheet:` sources."""

    def __init__(self, api: gh.GoogleApi) -> None:
        self.api = api
        self.service_account_email: str = api.service_account or ""

    @classmethod
    def from_config(cls, config: Config) -> GoogleSources:
        return cls(make_api(config, gh.READONLY_SCOPES))

    @property
    def api_counts(self) -> dict[str, int]:
        return self.api.session.api_counts

    # -- the SourceBackend protocol --------------------------------------------------------------

    def fetch_many(self, units: Sequence[Unit], previous: dict[str, SnapshotInfo], full: bool,
                   on_done: ProgressCallback) -> dict[str, FetchResult]:
        results: dict[str, FetchResult] = {}
        located: list[tuple[Unit, SheetLocator]] = []
        for unit in units:
            try:
                located.append((unit, parse_locator(unit.source or "")))
            except SourceError as exc:
                results[unit.code] = exc
                on_done(unit.code)
        listing = self._listing([loc.spreadsheet_id for _, loc in located])

        to_read: list[tuple[Unit, SheetLocator, gh.DriveFileInfo | None, Memory]] = []
        for unit, loc in located:
            before = previous.get(unit.code)
            memory = memory_of(before) if before and before.locator == unit.source else Memory()
            info = listing.get(loc.spreadsheet_id) if listing is not None else None
            if (not full and info is not None and memory.drive
                    and memory.drive == drive_part(info)):
                results[unit.code] = Fetched(None, unchanged=True)
                on_done(unit.code)
                continue
            to_read.append((unit, loc, info, memory))

        if to_read:
            workers = min(READ_WORKERS, len(to_read))
            with concurrent.futures.ThreadPoolExecutor(workers, "sangkien-read") as pool:
                futures = {pool.submit(self.read_one, loc, info, memory): unit
                           for unit, loc, info, memory in to_read}
                for future in concurrent.futures.as_completed(futures):
                    unit = futures[future]
                    results[unit.code] = future.result()
                    on_done(unit.code)
        return results

    # -- steps -----------------------------------------------------------------------------------

    def _listing(self, ids: list[str]) -> dict[str, gh.DriveFileInfo] | None:
        """Drive metadata of the sources; None when Drive could not be asked (then every source
        is read: slower, never wrong). Authentication failures end the run: nothing can work."""
        if not ids:
            return {}
        try:
            return self.api.list_files(ids)
        except gh.GoogleApiError as exc:
            if exc.reason in _AUTH_REASONS:
                raise SangkienError(f"Không truy cập được Google: {exc.detail}.") from None
            return None
        except Exception as exc:
            err = gh.error_from_exception(exc, None, self.api.service_account)
            if err.reason in _AUTH_REASONS:
                raise SangkienError(f"Không truy cập được Google: {err.detail}.") from None
            return None

    def read_one(self, loc: SheetLocator, info: gh.DriveFileInfo | None,
                 memory: Memory) -> FetchResult:
        """One source → `Fetched(payload)` or the `SourceError` of SPEC §4."""
        sid = loc.spreadsheet_id
        try:
            tab = loc.tab or (memory.tab if memory.tab_by in ("name", "named") else "")
            if tab:
                data = self._read_values(sid, tab)
                if data is not None:
                    how = "named" if loc.tab else "name"
                    return Fetched(Payload(PAYLOAD_KIND, data, fingerprint(info, tab, how),
                                           info.name if info else sid))
            data, tab, how = self._read_grid(sid, loc.tab)
            return Fetched(Payload(PAYLOAD_KIND, data, fingerprint(info, tab, how),
                                   info.name if info else sid))
        except gh.GoogleApiError as exc:
            return source_error(exc)
        except SourceError as exc:
            return exc
        except Exception as exc:  # google-auth / requests failures outside the session's loop
            return source_error(gh.error_from_exception(exc, sid, self.api.service_account))

    def _read_values(self, sid: str, tab: str) -> bytes | None:
        """`values:batchGet` of a tab known by name; None when the tab is gone."""
        try:
            ranges = self.api.values_batch_get(sid, [quote_tab(tab)])
        except gh.GoogleApiError as exc:
            if exc.status == 400 and "Unable to parse range" in exc.message:
                return None
            raise
        return workbook.from_values_response(sid, tab, ranges[0] if ranges else {})

    def _read_grid(self, sid: str, tab: str | None) -> tuple[bytes, str, str]:
        body = get_grid(self.api, sid)
        return workbook.from_grid_response(body, tab=tab)


def get_grid(api: gh.GoogleApi, sid: str, fields: str = GRID_FIELDS) -> dict[str, Any]:
    """One `spreadsheets.get` with a field mask (tabs and typed cells of every tab)."""
    resp = api.session.get(f"{gh.SHEETS_URL}/{sid}", params={"fields": fields})
    return dict(api._check(resp, sid))
