"""Projects whose sources, registry and master live in the testbench (issue 5 tests).

- `seed_unit(tb, rows, …)` — a unit's spreadsheet as a person makes it (title rows, template
  header, rows built with `fixtures_project.initiative()`), shared with the service account.
- `gsheet_project` — factory: seeds units and a master, writes a registry CSV of `gsheet:` sources
  and a config whose master is `gsheet:<id>`; returns a `GoogleProject`.
- `fast_google` — compressed backoff for the product's sessions (tests stay fast).
- `Stats` — `/_testbench/stats` differences between two moments.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import TEMPLATE_HEADERS, Project, UnitSpec, make_project

from sync.testbench import Testbench

FAST_CONFIG = "\n[google]\nrequests_per_minute = 100000\ntimeout_s = 5\nmax_attempts = 4\n"


def sheet_cell(value: Any, raw: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        # USER_ENTERED in a vi_VN sheet turns 05/03/2022 into a date cell (serial + DATE format).
        return value.strftime("%d/%m/%Y") if not raw else (value - dt.date(1899, 12, 30)).days
    return value


def unit_values(rows: Sequence[Sequence[Any]], raw: bool = False,
                title_rows: Sequence[str] = ("DANH SÁCH SÁNG KIẾN", "")) -> list[list[Any]]:
    values: list[list[Any]] = [[t] if t else [] for t in title_rows]
    values.append(list(TEMPLATE_HEADERS))
    values.extend([sheet_cell(v, raw) for v in row] for row in rows)
    return values


def seed_unit(tb: Testbench, rows: Sequence[Sequence[Any]], *, title: str = "Sáng kiến đơn vị",
              tab: str = "Sáng kiến", raw: bool = False, extra_tabs: Sequence[dict] = (),
              **spec: Any) -> str:
    sheets = [*extra_tabs, {"title": tab, "values": unit_values(rows, raw),
                            "input": "RAW" if raw else "USER_ENTERED"}]
    body = {"title": title, "locale": "vi_VN", "sheets": sheets, **spec}
    return str(tb.call("POST", "/_testbench/spreadsheets", body)["spreadsheetId"])


def seed_master(tb: Testbench, **spec: Any) -> str:
    body = {"title": "Tổng hợp sáng kiến", "locale": "vi_VN", **spec}
    return str(tb.call("POST", "/_testbench/spreadsheets", body)["spreadsheetId"])


@dataclass
class GoogleProject:
    project: Project
    testbench: Testbench
    master_id: str
    sources: dict[str, str] = field(default_factory=dict)  # unit code -> spreadsheet id

    @property
    def config(self) -> Path:
        return self.project.config

    def dump(self, sid: str | None = None, render: str = "UNFORMATTED_VALUE") -> dict[str, Any]:
        return dict(self.testbench.call(
            "GET", f"/_testbench/spreadsheets/{sid or self.master_id}?valueRenderOption={render}"))

    def master_tabs(self) -> dict[str, list[list[Any]]]:
        return {s["title"]: s["values"] for s in self.dump()["sheets"]}

    def edit(self, code: str, range_: str, values: list[list[Any]]) -> None:
        self.testbench.call("POST", f"/_testbench/spreadsheets/{self.sources[code]}/edit",
                            {"range": range_, "values": values})


class Stats:
    """Request counts between two moments (the testbench's counters only grow)."""

    def __init__(self, tb: Testbench) -> None:
        self.tb = tb
        self.before = tb.call("GET", "/_testbench/stats")

    def diff(self) -> dict[str, Any]:
        after = self.tb.call("GET", "/_testbench/stats")
        by_sheet: dict[str, dict[str, int]] = {}
        for sid, methods in after["by_spreadsheet"].items():
            old = self.before["by_spreadsheet"].get(sid, {})
            changed = {m: n - old.get(m, 0) for m, n in methods.items() if n - old.get(m, 0)}
            if changed:
                by_sheet[sid] = changed
        by_method = {m: n - self.before["by_method"].get(m, 0)
                     for m, n in after["by_method"].items()
                     if n - self.before["by_method"].get(m, 0)}
        by_status = {s: n - self.before.get("by_status", {}).get(s, 0)
                     for s, n in after.get("by_status", {}).items()
                     if n - self.before.get("by_status", {}).get(s, 0)}
        return {"by_spreadsheet": by_sheet, "by_method": by_method, "by_status": by_status}


SHEETS_READS = ("sheets.spreadsheets.get", "sheets.spreadsheets.values.batchGet",
                "sheets.spreadsheets.values.get")


def sheets_reads(methods: dict[str, int]) -> int:
    return sum(n for m, n in methods.items() if m in SHEETS_READS)


@pytest.fixture
def fast_google(monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.backends.gsheets import session

    monkeypatch.setattr(session, "RETRY_BASE_S", 0.01)
    monkeypatch.setattr(session, "RETRY_CAP_S", 0.05)


@pytest.fixture
def gsheet_project(emulator_env: Testbench, fast_google: None,
                   tmp_path: Path) -> Iterator[Any]:
    counter = iter(range(1000))

    def factory(units: Sequence[UnitSpec], extra_config: str = FAST_CONFIG,
                unit_tabs: dict[str, str] | None = None, raw: bool = False,
                master_id: str | None = None) -> GoogleProject:
        sources: dict[str, str] = {}
        specs = []
        for unit in units:
            if unit.rows and unit.source is None:
                sid = seed_unit(emulator_env, unit.rows, title=f"Sáng kiến – {unit.name}",
                                tab=(unit_tabs or {}).get(unit.code, "Sáng kiến"), raw=raw)
                sources[unit.code] = sid
                unit = UnitSpec(unit.code, unit.name, unit.members, unit.parent, [],
                                f"gsheet:{sid}", unit.emails)
            specs.append(unit)
        master = master_id or seed_master(emulator_env)
        root = tmp_path / f"gproject{next(counter)}"
        project = make_project(root, specs, extra_config)
        text = project.config.read_text(encoding="utf-8")
        project.config.write_text(
            text.replace('target = "../out/master.xlsx"', f'target = "gsheet:{master}"'),
            encoding="utf-8")
        return GoogleProject(project, emulator_env, master, sources)

    yield factory


def summary_of(stdout: str) -> dict[str, Any]:
    return dict(json.loads(stdout))
