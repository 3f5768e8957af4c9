"""Reporting periods (`week`, `month`, `quarter`, `year`): keys, bounds, labels, and which are due.

Due logic — decided here, documented in `docs/digests.md`:
- A period is **due once it has ended**: on any day, `sangkien run` sends the digests of the *last
  completed* period of each configured kind (on 1 December: November, the third quarter ends on
  30 September …). The period in progress is never sent by `run`; `report --preview` shows it on
  demand only through `--today`.
- If runs were missed for several periods, only the last completed one is sent (a scheduler that
  was down for three months does not flood leaders with three old digests); failed sends of older
  periods are still retried (see `sending`).
- The ledger key (`month:2026-11`) names a period uniquely, so a period is sent once.

"Today" is injectable (`--today` or `SANGKIEN_TODAY=YYYY-MM-DD`) so tests and the demo can stand on
any date.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from sync.config import Config
from sync.errors import ConfigError

TODAY_ENV = "SANGKIEN_TODAY"

_LABELS = {"week": "Tuần", "month": "Tháng", "quarter": "Quý", "year": "Năm"}


@dataclass(frozen=True, slots=True)
class Period:
    """One reporting period; `end` is the last day (inclusive)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        """`2026-W47`, `2026-11`, `2026-Q4`, `2026`."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def ledger_key(self) -> str:
        """The digests ledger's `period_key`: `month:2026-11`."""
        return f"{self.kind}:{self.key}"

    @property
    def slug(self) -> str:
        """A folder name safe on every file system: `month-2026-11`."""
        return f"{self.kind}-{self.key}"

    @property
    def label(self) -> str:
        """`Tuần 47/2026`, `Tháng 11/2026`, `Quý 4/2026`, `Năm 2026` (subjects and titles)."""
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Tuần {week}/{year}"
        if self.kind == "month":
            return f"Tháng {self.start.month}/{self.start.year}"
        if self.kind == "quarter":
            return f"Quý {(self.start.month - 1) // 3 + 1}/{self.start.year}"
        return f"Năm {self.start.year}"

    @property
    def noun(self) -> str:
        """`tuần`, `tháng` … for sentences ("so với cuối tháng trước")."""
        return _LABELS[self.kind].lower()

    def previous(self) -> Period:
        return period_containing(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return period_containing(self.kind, self.end + dt.timedelta(days=1))

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == "week":
        start = day - dt.timedelta(days=day.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    if kind == "month":
        start = day.replace(day=1)
        following = (start + dt.timedelta(days=32)).replace(day=1)
        return Period(kind, start, following - dt.timedelta(days=1))
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first_month, 1)
        following = (start + dt.timedelta(days=95)).replace(day=1)
        return Period(kind, start, following - dt.timedelta(days=1))
    if kind == "year":
        return Period(kind, dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
    raise ValueError(f"unknown period kind {kind!r}")


def last_completed(kind: str, today: dt.date) -> Period:
    """The latest period of `kind` that ended before `today`."""
    return period_containing(kind, today).previous()


def parse_ledger_key(value: str) -> Period:
    """`month:2026-11` → its Period (the inverse of `Period.ledger_key`)."""
    kind, _, key = value.partition(":")
    if kind == "week":
        year, week = key.split("-W")
        return period_containing(kind, dt.date.fromisocalendar(int(year), int(week), 1))
    if kind == "month":
        year, month = key.split("-")
        return period_containing(kind, dt.date(int(year), int(month), 1))
    if kind == "quarter":
        year, quarter = key.split("-Q")
        return period_containing(kind, dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1))
    if kind == "year":
        return period_containing(kind, dt.date(int(key), 1, 1))
    raise ValueError(f"unknown period key {value!r}")


def today(override: dt.date | None = None) -> dt.date:
    """`override`, else `SANGKIEN_TODAY`, else the local date."""
    if override is not None:
        return override
    value = os.environ.get(TODAY_ENV, "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(
                f"Biến môi trường {TODAY_ENV} = {value!r} phải là ngày dạng 2026-12-01."
            ) from None
    return dt.date.today()


def configured_periods(config: Config) -> tuple[str, ...]:
    """`[digests] periods` (e.g. `["month", "quarter", "year"]`: the programme reviews monthly,
    quarterly and yearly), else the single `[digests] period`; most frequent kind first."""
    return config.digests.periods


def due_periods(config: Config, on: dt.date) -> list[Period]:
    """The periods whose digests `run` sends on day `on`: the last completed one of each kind."""
    return [last_completed(kind, on) for kind in configured_periods(config)]
