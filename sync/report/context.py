"""What a digest says, as plain data: built from the last sync's results, the progress history,
the programme settings and "today". Pure — no files, no network, no clock of its own — so the
content of every digest can be tested without rendering or sending anything.

- `leaders_digest()` → `LeadersDigest`: the sector's headline and its change since the end of the
  previous period, days to the deadline, every unit's progress (behind target first), new and
  notable initiatives, data quality per unit, the sector's rate over time.
- `unit_feedbacks()` → one `UnitFeedback` per unit with a source: its progress and its findings
  row by row, errors first.

Long lists are `Section`s: the full list plus a `limit` the renderer lowers when a message would
be too large, so truncation ("và N mục khác") is decided in one place (`render`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import quote

import pandas as pd

from sync import catalog
from sync.config import GSHEET_PREFIX, ProgramConfig
from sync.model import Unit
from sync.progress import notable
from sync.report.period import Period

T = TypeVar("T")

# How many of each list a message shows at most before "và N mục khác" (render may lower them).
DEFAULT_LIMITS: dict[str, int] = {
    "units": 200, "new": 20, "notable": 10, "quality": 25, "findings": 60,
}
# Tones of a progress bar: reached the target, at least half-way, less than half-way.
MET, NEAR, FAR = "met", "near", "far"
WHAT_MAX_CHARS = 280
VALUE_MAX_CHARS = 120


@dataclass(slots=True)
class Section(Generic[T]):
    """A list shown up to `limit` items, with the count of the rest."""

    name: str
    items: list[T]
    limit: int

    @property
    def shown(self) -> list[T]:
        return self.items[: self.limit]

    @property
    def more(self) -> int:
        return max(0, len(self.items) - self.limit)

    @property
    def total(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class UnitProgress:
    code: str
    name: str
    parent: str | None
    depth: int
    members: int
    target: int
    participants: int
    rate: float
    met: bool
    missing: int
    initiatives: int
    benefit_vnd: int
    errors: int

    @property
    def fill(self) -> float:
        """How far along the bar is: participants ÷ target, capped at 1."""
        if self.target <= 0:
            return 1.0
        return min(1.0, self.participants / self.target)

    @property
    def fill_pct(self) -> int:
        """Whole percent of the bar filled; 1–99 when partly done, so a started unit shows a sliver
        and an unfinished one never looks full."""
        if self.met:
            return 100
        pct = round(self.fill * 100)
        if self.participants > 0:
            pct = max(pct, 1)
        return min(pct, 99)

    @property
    def tone(self) -> str:
        if self.met:
            return MET
        return NEAR if self.fill >= 0.5 else FAR


@dataclass(frozen=True, slots=True)
class Headline:
    """The sector's figures now and their change since the end of the previous period."""

    initiatives: int
    participants: int
    members: int
    target: int
    rate: float
    target_rate: float
    missing: int
    benefit_vnd: int
    progress: UnitProgress
    baseline_at: dt.date | None = None
    delta_rate: float | None = None
    delta_participants: int | None = None
    delta_initiatives: int | None = None
    deadline: dt.date = dt.date(2023, 9, 1)
    days_left: int = 0


@dataclass(frozen=True, slots=True)
class InitiativeItem:
    id: str
    unit_code: str
    unit_name: str
    title: str
    authors: str
    applied_on: dt.date | None
    first_seen: dt.date | None
    solution_type: str
    status: str
    benefit_vnd: int | None
    benefit_not_computable: bool
    social: bool
    what: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class QualityRow:
    code: str
    name: str
    errors: int
    warnings: int
    merged: int
    review: int
    source_status: str
    source_label: str
    source_message: str

    @property
    def stale(self) -> bool:
        return self.source_status in ("stale", "error")


@dataclass(frozen=True, slots=True)
class FindingItem:
    row: int | None
    field: str  # the field's key (`applied_on` …), "" for a finding about the whole source
    column: str
    value: str
    code: str
    severity: str
    severity_label: str
    message: str
    hint: str


@dataclass(slots=True)
class LeadersDigest:
    period: Period
    program_name: str
    today: dt.date
    data_at: dt.datetime | None
    subject: str
    headline: Headline
    units_met: int
    units_total: int
    units: Section[UnitProgress]
    new_since: dt.date
    new: Section[InitiativeItem]
    notable: Section[InitiativeItem]
    quality: Section[QualityRow]
    quality_totals: dict[str, int]
    stale: list[QualityRow]
    trend: list[tuple[dt.date, float]]
    master_url: str
    master_label: str
    chart_cid: str | None = None
    kind: str = "leaders"
    first_collection: bool = False  # no sync before this period: "new" would be everything

    @property
    def sections(self) -> list[Section]:  # type: ignore[type-arg]
        return [self.units, self.new, self.notable, self.quality]


@dataclass(slots=True)
class UnitFeedback:
    period: Period
    program_name: str
    today: dt.date
    data_at: dt.datetime | None
    subject: str
    unit: UnitProgress
    emails: tuple[str, ...]
    errors: int
    warnings: int
    infos: int
    findings: Section[FindingItem]
    sheet_url: str
    sheet_label: str
    source_status: str
    source_message: str
    write_back: bool
    deadline: dt.date
    days_left: int
    kind: str = "unit"
    chart_cid: str | None = None
    children: tuple[str, ...] = ()  # codes of the unions below it, whose figures it includes

    @property
    def code(self) -> str:
        return self.unit.code

    @property
    def sections(self) -> list[Section]:  # type: ignore[type-arg]
        return [self.findings]

    @property
    def stale(self) -> bool:
        return self.source_status in ("stale", "error")


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------

_CONTROL = {c: " " for c in (*range(32), *range(0x7F, 0xA0), 0x2028, 0x2029)}


def one_line(value: object, limit: int = 0) -> str:
    """Text for one line: no control characters or line breaks, spaces collapsed, optionally cut
    at `limit` characters with "…"."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = " ".join(str(value).translate(_CONTROL).split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def spreadsheet_id(locator: str) -> str | None:
    """`gsheet:<id>` or `gsheet:https://docs.google.com/spreadsheets/d/<id>/edit#gid=0` → id."""
    if not locator.startswith(GSHEET_PREFIX):
        return None
    value = locator[len(GSHEET_PREFIX):].strip()
    if "/d/" in value:
        value = value.split("/d/", 1)[1]
    value = value.split("/", 1)[0].split("#", 1)[0].split("?", 1)[0]
    return value or None


def sheet_link(source: str | None) -> tuple[str, str]:
    """(URL, label) of a unit's own sheet: a Google Sheet link, or just the file's name for a
    local `.xlsx`/`.csv` (a path on the coordinator's machine is no use in an email)."""
    if not source:
        return "", ""
    sid = spreadsheet_id(source)
    if sid:
        return (f"https://docs.google.com/spreadsheets/d/{quote(sid, safe='-_')}/edit",
                "Google Sheet của đơn vị")
    return "", source.replace("\\", "/").rsplit("/", 1)[-1]


def safe_url(value: str) -> str:
    """Only http(s) links go into an href; anything else is shown as text or dropped."""
    value = one_line(value)
    return value if value.lower().startswith(("https://", "http://")) else ""


def _progress_items(progress: pd.DataFrame) -> list[UnitProgress]:
    items = []
    for r in progress.itertuples(index=False):
        parent = r.parent if isinstance(r.parent, str) and r.parent else None
        items.append(UnitProgress(
            code=str(r.code), name=one_line(r.name), parent=parent, depth=int(r.depth),
            members=int(r.members), target=int(r.target), participants=int(r.participants),
            rate=float(r.rate), met=bool(r.met), missing=int(r.missing),
            initiatives=int(r.initiatives), benefit_vnd=int(r.benefit_vnd),
            errors=int(r.findings)))
    return items


def order_units(items: Sequence[UnitProgress]) -> list[UnitProgress]:
    """Behind target first — lowest rate, then most people missing — then the ones that made it,
    best first."""
    behind = sorted((u for u in items if not u.met), key=lambda u: (u.rate, -u.missing, u.name))
    done = sorted((u for u in items if u.met), key=lambda u: (-u.rate, u.name))
    return behind + done


def _initiative_items(frame: pd.DataFrame, names: dict[str, str],
                      with_reason: bool = False) -> list[InitiativeItem]:
    items = []
    for r in frame.itertuples(index=False):
        benefit = r.benefit_vnd
        what = one_line(r.summary, WHAT_MAX_CHARS) or one_line(r.effect, WHAT_MAX_CHARS)
        items.append(InitiativeItem(
            id=str(r.id), unit_code=str(r.unit_code),
            unit_name=names.get(str(r.unit_code), str(r.unit_code)),
            title=one_line(r.title, 300), authors=one_line(r.authors, 300),
            applied_on=_date(r.applied_on), first_seen=_date(r.first_seen),
            solution_type=one_line(r.solution_type), status=one_line(r.status),
            benefit_vnd=None if pd.isna(benefit) else int(benefit),
            benefit_not_computable=bool(r.benefit_not_computable), social=bool(r.social),
            what=what, reason=one_line(getattr(r, "reason", "")) if with_reason else ""))
    return items


def _limits(limits: dict[str, int] | None) -> dict[str, int]:
    return {**DEFAULT_LIMITS, **(limits or {})}


# --------------------------------------------------------------------------------------------------
# Results: the last sync's tables, typed
# --------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Results:
    """`State.results()` plus the time its run started (the "data as of" of every digest)."""

    run_id: str | None
    progress: pd.DataFrame
    initiatives: pd.DataFrame
    findings: pd.DataFrame
    duplicates: pd.DataFrame
    sources: pd.DataFrame
    data_at: dt.datetime | None = None
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_frames(cls, run_id: str | None, frames: dict[str, pd.DataFrame],
                    history: pd.DataFrame | None = None) -> Results:
        data_at = None
        if history is not None and run_id and not history.empty:
            ats = history.loc[history["run_id"] == run_id, "at"]
            data_at = parse_time(ats.iloc[0]) if len(ats) else None
        progress = frames["progress"]
        names = {str(c): one_line(n) for c, n in zip(progress["code"], progress["name"],
                                                     strict=True)}
        return cls(run_id, progress, frames["initiatives"], frames["findings"],
                   frames["duplicates"], frames["sources"], data_at, names)


# --------------------------------------------------------------------------------------------------
# Leaders' digest
# --------------------------------------------------------------------------------------------------

def leaders_digest(results: Results, history: pd.DataFrame, program: ProgramConfig, *,
                   period: Period, today: dt.date, master_url: str = "",
                   master_label: str = "", units: Sequence[Unit] = (),
                   limits: dict[str, int] | None = None) -> LeadersDigest:
    lim = _limits(limits)
    progress = results.progress
    sector_rows = progress[progress["code"] == catalog.SECTOR_CODE]
    unit_rows = progress[progress["code"] != catalog.SECTOR_CODE]
    sector = _progress_items(sector_rows)[0]
    items = order_units(_progress_items(unit_rows))
    headline = _headline(sector, history, program, period, today)
    counted = results.initiatives[results.initiatives["counted"].astype(bool)]

    # New: first seen by the sync since the period began (up to the data cut, see docs/digests.md).
    first_day = counted["first_seen"].astype(str).str[:10]
    new_frame = counted[first_day >= period.start.isoformat()]
    new_frame = new_frame.assign(seen_day=first_day[new_frame.index]).sort_values(
        ["seen_day", "unit_code", "row"], ascending=[False, True, True])
    new_items = _initiative_items(new_frame, results.names)
    before = history[history["at"].astype(str).str[:10] < period.start.isoformat()] \
        if len(history) else history
    first_collection = before.empty
    chosen = notable(counted, limit=max(lim["notable"], catalog.NOTABLE_MAX_ROWS))
    notable_items = _initiative_items(chosen, results.names, with_reason=True)

    quality = quality_rows(results, units)
    totals = {
        "errors": sum(q.errors for q in quality), "warnings": sum(q.warnings for q in quality),
        "merged": sum(q.merged for q in quality), "review": sum(q.review for q in quality),
        "stale": sum(1 for q in quality if q.stale),
    }
    met = sum(1 for u in items if u.met)
    subject = f"[Sáng kiến] {period.label}: {met}/{len(items)} đơn vị đạt chỉ tiêu"
    return LeadersDigest(
        period=period, program_name=one_line(program.name), today=today,
        data_at=results.data_at, subject=subject, headline=headline,
        units_met=met, units_total=len(items),
        units=Section("units", items, lim["units"]),
        new_since=period.start, new=Section("new", new_items, lim["new"]),
        first_collection=first_collection,
        notable=Section("notable", notable_items, lim["notable"]),
        quality=Section("quality", [q for q in quality if q.errors or q.warnings or q.merged
                                    or q.review or q.stale], lim["quality"]),
        quality_totals=totals, stale=[q for q in quality if q.stale],
        trend=sector_trend(history), master_url=safe_url(master_url),
        master_label=one_line(master_label),
    )


def _headline(sector: UnitProgress, history: pd.DataFrame, program: ProgramConfig,
              period: Period, today: dt.date) -> Headline:
    baseline = _baseline(history, period)
    delta_rate = delta_people = delta_initiatives = None
    baseline_at = None
    if baseline is not None:
        baseline_at = _date(baseline["at"])
        delta_rate = sector.rate - float(baseline["rate"])
        delta_people = sector.participants - int(baseline["participants"])
        delta_initiatives = sector.initiatives - int(baseline["initiatives"])
    return Headline(
        initiatives=sector.initiatives, participants=sector.participants,
        members=sector.members, target=sector.target, rate=sector.rate,
        target_rate=float(program.target_rate), missing=sector.missing,
        benefit_vnd=sector.benefit_vnd, progress=sector, baseline_at=baseline_at,
        delta_rate=delta_rate, delta_participants=delta_people,
        delta_initiatives=delta_initiatives, deadline=program.deadline,
        days_left=(program.deadline - today).days)


def _baseline(history: pd.DataFrame, period: Period) -> pd.Series | None:
    """The sector as it stood at the end of the previous period: its last history row recorded
    before this period began."""
    if history.empty:
        return None
    sector = history[history["unit_code"] == catalog.SECTOR_CODE]
    before = sector[sector["at"].astype(str).str[:10] < period.start.isoformat()]
    if before.empty:
        return None
    return before.iloc[-1]


def sector_trend(history: pd.DataFrame) -> list[tuple[dt.date, float]]:
    """The sector's rate per day (the day's last run), oldest first — the `Lịch sử` tab's data."""
    if history.empty:
        return []
    sector = history[history["unit_code"] == catalog.SECTOR_CODE]
    days = sector.assign(day=sector["at"].astype(str).str[:10]).groupby("day", sort=True).last()
    return [(dt.date.fromisoformat(str(day)), float(rate))
            for day, rate in zip(days.index, days["rate"], strict=True)]


def quality_rows(results: Results, units: Sequence[Unit] = ()) -> list[QualityRow]:
    """Per unit with a source: errors, warnings, merged and to-review duplicates, source status.
    Worst first (stale sources, then most errors)."""
    findings = results.findings
    severity = findings.groupby(["unit_code", "severity"]).size()
    duplicates = results.duplicates
    merged = review = pd.Series(dtype="int64")
    if not duplicates.empty and "Mã CĐ" in duplicates:
        merged = duplicates[duplicates["Kết luận"] == catalog.MERGED_LABEL].groupby("Mã CĐ").size()
        review = duplicates[duplicates["Kết luận"] == catalog.REVIEW_LABEL].groupby("Mã CĐ").size()
    sources = {str(r.code): r for r in results.sources.itertuples(index=False)}
    codes = [str(c) for c in results.sources["code"]]
    codes += [u.code for u in units if u.source and u.code not in sources]
    rows = []
    for code in codes:
        source = sources.get(code)
        status = str(source.status) if source is not None else "none"
        rows.append(QualityRow(
            code=code, name=results.names.get(code, code),
            errors=int(severity.get((code, catalog.ERROR), 0)),
            warnings=int(severity.get((code, catalog.WARNING), 0)),
            merged=int(merged.get(code, 0)), review=int(review.get(code, 0)),
            source_status=status,
            source_label=catalog.SOURCE_STATUS_LABELS.get(status, status),
            source_message=one_line(source.message, 200) if source is not None else ""))
    rows.sort(key=lambda q: (not q.stale, -q.errors, -q.warnings, -q.review, q.name))
    return rows


# --------------------------------------------------------------------------------------------------
# Unit feedback
# --------------------------------------------------------------------------------------------------

_SEVERITY_ORDER = {catalog.ERROR: 0, catalog.WARNING: 1, catalog.INFO: 2}


def unit_feedbacks(results: Results, units: Sequence[Unit], program: ProgramConfig, *,
                   period: Period, today: dt.date, write_back: bool = False,
                   only: Sequence[str] = (),
                   limits: dict[str, int] | None = None) -> Iterator[UnitFeedback]:
    """One feedback per registry unit that has its own source and figures in the last sync."""
    lim = _limits(limits)
    progress = {u.code: u for u in _progress_items(results.progress)}
    by_unit = findings_by_unit(results.findings)
    sources = {str(r.code): r for r in results.sources.itertuples(index=False)}
    for unit in units:
        if not unit.source or unit.code not in progress or (only and unit.code not in only):
            continue
        items = by_unit.get(unit.code, [])
        errors = sum(1 for f in items if f.severity == catalog.ERROR)
        warnings = sum(1 for f in items if f.severity == catalog.WARNING)
        infos = len(items) - errors - warnings
        url, label = sheet_link(unit.source)
        source = sources.get(unit.code)
        figures = progress[unit.code]
        yield UnitFeedback(
            period=period, program_name=one_line(program.name), today=today,
            data_at=results.data_at,
            subject=unit_subject(figures.name, errors, warnings, period),
            unit=figures, emails=unit.emails, errors=errors, warnings=warnings, infos=infos,
            findings=Section("findings", items, lim["findings"]), sheet_url=url,
            sheet_label=label, source_status=str(source.status) if source is not None else "none",
            source_message=one_line(source.message, 200) if source is not None else "",
            write_back=write_back and bool(spreadsheet_id(unit.source)),
            deadline=program.deadline, days_left=(program.deadline - today).days,
            children=tuple(u.code for u in units if u.parent == unit.code))


def unit_subject(name: str, errors: int, warnings: int, period: Period) -> str:
    if errors:
        return f"[Sáng kiến] {name}: {errors} lỗi cần sửa"
    if warnings:
        return f"[Sáng kiến] {name}: {warnings} điểm cần xem lại"
    return f"[Sáng kiến] {name}: cảm ơn, dữ liệu {period.label.lower()} không có lỗi"


def finding_items(frame: pd.DataFrame) -> list[FindingItem]:
    """One unit's findings in reading order (see `findings_by_unit`)."""
    return [item for items in findings_by_unit(frame).values() for item in items]


def findings_by_unit(frame: pd.DataFrame) -> dict[str, list[FindingItem]]:
    """Each unit's findings: source-level first (the whole sheet), then errors, warnings and
    notes, by row. One sort and one pass over all findings (a thousand units in milliseconds)."""
    if frame.empty:
        return {}
    rows = pd.to_numeric(frame["row"], errors="coerce")
    order = frame.assign(
        sort_level=rows.notna().astype(int),
        sort_severity=frame["severity"].map(_SEVERITY_ORDER).fillna(3),
        sort_row=rows.fillna(0)).sort_values(
            ["unit_code", "sort_level", "sort_severity", "sort_row"], kind="stable")
    grouped: dict[str, list[FindingItem]] = {}
    labels = catalog.SEVERITY_LABELS
    for r in order.itertuples(index=False):
        severity = str(r.severity)
        grouped.setdefault(str(r.unit_code), []).append(FindingItem(
            row=int(r.sort_row) if r.sort_level else None, field=one_line(r.field),
            column=one_line(r.column), value=one_line(r.value, VALUE_MAX_CHARS),
            code=str(r.code), severity=severity, severity_label=labels.get(severity, severity),
            message=one_line(r.message), hint=one_line(r.hint)))
    return grouped
