"""Small value types shared by the stages of a run.

Row data travels as pandas DataFrames (see `validate.ValidatedRows`); these dataclasses describe
the things there are few of: units, sources, source-level findings and the run summary of SPEC §2.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Unit:
    """One row of the registry (SPEC §3). `source` is a locator (`path.xlsx`, `path.csv`,
    `gsheet:<id>`), already resolved against the registry's folder; None for a parent that only
    aggregates its children. `registry_row` is the row a person sees in the registry file."""

    code: str
    name: str
    parent: str | None
    members: int
    source: str | None
    emails: tuple[str, ...] = ()
    sector: str | None = None
    registry_row: int = 0


@dataclass(frozen=True, slots=True)
class SourceFinding:
    """A finding about a whole source (SPEC §4 source-level codes), or an informational note."""

    unit_code: str
    code: str
    detail: str = ""
    tab: str = ""
    column: str = ""
    value: str = ""


@dataclass(slots=True)
class SourceReport:
    """What happened to one unit's source in this run (SPEC §2 `sources[]`)."""

    code: str
    status: str  # ok | unchanged | stale | error (and "none" for a unit with no source)
    rows: int = 0
    valid: int = 0
    errors: int = 0
    warnings: int = 0
    message: str = ""
    fetched_at: str | None = None  # when the data in use was read (ISO-8601)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code, "status": self.status, "rows": self.rows, "valid": self.valid,
            "errors": self.errors, "warnings": self.warnings, "message": self.message,
        }


@dataclass(slots=True)
class Totals:
    rows: int = 0
    valid: int = 0
    rejected: int = 0
    duplicates: int = 0
    initiatives: int = 0
    participants: int = 0
    members: int = 0
    rate: float = 0.0
    benefit_vnd: int = 0


@dataclass(slots=True)
class RunSummary:
    """The `--json` summary of SPEC §2 (extra keys allowed, never fewer)."""

    run_id: str
    status: str  # ok | partial | failed
    started_at: str
    finished_at: str = ""
    sources: list[SourceReport] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    api: dict[str, int] = field(default_factory=lambda: {"reads": 0, "writes": 0})
    master: str = ""
    dry_run: bool = False
    command: str = "sync"
    timings: dict[str, float] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "sources": [s.as_json() for s in self.sources],
            "totals": asdict(self.totals),
            "api": dict(self.api),
            "master": self.master,
            "dry_run": self.dry_run,
            "command": self.command,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "messages": list(self.messages),
        }
