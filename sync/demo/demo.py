"""The embedded default's demo: a registry of twelve construction-sector unions and their `.xlsx`
sheets, with the mistakes real units make planted deterministically.

`write_demo(outdir)` writes `<outdir>/unions.csv` and `<outdir>/demo/XD??.xlsx` and returns a
`DemoManifest`: every planted row with its expected finding, which rows are duplicates of which,
and the expected numbers per unit (rows, valid, rejected, duplicates, initiatives, participants,
benefit), so end-to-end tests can assert exact values.

Why it is built the way it is:
- Everything comes from one `random.Random(SEED)` (stable across Python versions) and xlsxwriter
  with a fixed creation date, so regenerating gives byte-identical files; `tests/test_demo.py`
  checks the committed files against a fresh run.
- Expected numbers must not depend on choices SPEC leaves open. So: a person written with a title
  (`KS.`, `ông` …) appears only once in their unit; a duplicate in another unit or a retyped
  duplicate has the same or a later date and fewer filled cells than the row it copies (SPEC §5
  keeps "the earliest applied, then the most complete"); people who appear only on rejected or
  `Không công nhận` rows are never counted, whichever way a product rounds that.
- Units are sized so the progress table is interesting: some units pass the 10 % target, one lands
  exactly on it (48 of 480), one misses it by a single person (38 of 39), the big cement plants and
  the sector as a whole are behind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from sync import catalog
from sync.demo import vocab
from sync.demo.synth import FIXED_CREATED, strip_diacritics, swap_tone_style, write_registry_csv

SEED: Final = 20230901
REGISTRY_NAME: Final = "unions.csv"
DEMO_DIR: Final = "demo"
TARGET_RATE: Final = 0.10
# Deleting this unit's file exercises the stale path (SPEC §4): see the package docstring.
STALE_CANDIDATE: Final = "XD07"

# Planted mistakes and look-alikes, with the finding SPEC §4 asks for (None: no finding; the
# effect is on deduplication or counting).
MISTAKE_KINDS: Final[dict[str, str | None]] = {
    "invalid_date": "invalid_date",  # 31/02/2022, 29/02/2023
    "month_only_date": "invalid_date",  # tháng 3/2022
    "before_start": "outside_program_window",  # 2019, 2020
    "future_date": "future_date",  # a mistyped year (2032, 2027)
    "missing_authors": "missing_required",
    "short_title": "title_too_short",
    "unknown_type": "unknown_solution_type",
    "formula_error": "formula_error",  # #REF! as an error cell, #N/A as text
    "exact_copy": None,  # merged into the row it copies
    "parent_child_copy": None,  # a child's initiative registered again by its parent: merged
    "retyped_no_diacritics": None,  # merged
    "tcvn3_row": "legacy_encoding",  # a row pasted from an old TCVN3 document (a new initiative)
    "vni_row": "legacy_encoding",
    "formula_like_text": None,  # "=Tăng năng suất …": text, never a formula
    "invalid_money": "invalid_money",
    "not_recognized": "not_recognized",
    "possible_duplicate": None,  # same title, other people, other unit: listed, never merged
    "numbered_sibling": None,  # "… số 1" / "… số 2": two initiatives
    "one_word_object": None,  # "máy nghiền xi măng" / "máy nghiền than": two initiatives
    "tone_variant_author": None,  # "Hòa" / "Hoà" in one unit: one person
}


@dataclass(frozen=True, slots=True)
class UnitPlan:
    """One union of the demo registry and the shape of its sheet."""

    code: str
    name: str
    parent: str
    members: int
    sector: str
    kind: str
    emails: str
    people: int  # distinct authors of its counted initiatives (planned participants)
    initiatives: int  # clean, counted initiatives before the planted rows
    has_sheet: bool = True
    title_rows: tuple[str, ...] = ()
    stt: bool = False
    phone: bool = False
    headers: dict[str, str] = field(default_factory=dict)  # key -> header used instead
    order: tuple[str, ...] = ()  # column order (keys); default: catalog order
    omit: tuple[str, ...] = ()  # optional columns the unit's sheet does not have
    nfd: bool = False  # typed on a Mac: every text cell decomposed
    guide_tab: str = ""  # "before" / "after": an instructions tab besides the data tab
    blank_row_after: int = 0  # leave an empty sheet row after this many data rows
    text_dates: float = 0.15  # share of dates typed as text
    serial_dates: float = 0.0  # share of dates as bare serial numbers (column left "General")
    type_alias: float = 0.2
    separators: tuple[str, ...] = (", ",)


@dataclass(slots=True)
class PlantedRow:
    """One data row of a unit sheet as planned: what is in it and what a product must make of it."""

    unit: str
    kind: str  # "clean" or a MISTAKE_KINDS key
    title: str  # canonical title (before encoding / retyping)
    persons: tuple[str, ...]  # canonical author names (NFC, no honorifics)
    applied_on: dt.date | None
    benefit_vnd: int | None  # what the benefit cell means (None: empty, not computable, invalid)
    status: str  # canonical status
    cells: dict[str, Any] = field(default_factory=dict)  # key -> raw cell value
    error: str | None = None  # the finding code that rejects the row
    alt_errors: tuple[str, ...] = ()  # codes an implementation may report instead
    warnings: tuple[str, ...] = ()
    duplicate_of: PlantedRow | None = None  # merged into this kept row
    possible_duplicate_of: PlantedRow | None = None
    tab: str = catalog.UNIT_TAB
    row: int = 0  # sheet row number as a person sees it (1-based)
    family: str = ""  # vocab family and object the title is about
    obj: str = ""

    @property
    def valid(self) -> bool:
        return self.error is None

    @property
    def merged(self) -> bool:
        return self.duplicate_of is not None

    @property
    def counted(self) -> bool:
        return (self.valid and not self.merged
                and self.status in catalog.DEFAULT_COUNTED_STATUSES)

    @property
    def place(self) -> str:
        """`<tab>!<row>` as the master's `Nguồn` column writes it."""
        return f"{self.tab}!{self.row}"


@dataclass(frozen=True, slots=True)
class UnitExpectation:
    """What a correct run reports for one unit (own rows only; see `aggregate` for parents)."""

    code: str
    members: int
    target: int
    rows: int
    valid: int
    rejected: int
    duplicates: int  # rows merged into another row (this unit's rows that disappear)
    possible_duplicates: int  # this unit's rows listed "Cần xem xét"
    initiatives: int  # valid, not merged (includes `Không công nhận`)
    counted: int  # initiatives that count (status in the default counted statuses)
    participants: int
    benefit_vnd: int  # sum over counted initiatives
    meets_target: bool
    unknown_columns: tuple[str, ...] = ()  # headers outside the template (an info finding)


@dataclass(slots=True)
class DemoManifest:
    """What `write_demo` planted, for tests. `rows` holds every data row of every sheet."""

    outdir: Path
    registry: Path
    units: list[UnitPlan]
    rows: list[PlantedRow]
    expected: dict[str, UnitExpectation]
    stale_candidate: str = STALE_CANDIDATE

    def unit_rows(self, code: str) -> list[PlantedRow]:
        return [r for r in self.rows if r.unit == code]

    def of_kind(self, kind: str) -> list[PlantedRow]:
        return [r for r in self.rows if r.kind == kind]

    def mistakes(self) -> dict[str, dict[str, int]]:
        """Planted kind -> unit code -> number of rows."""
        out: dict[str, dict[str, int]] = {}
        for r in self.rows:
            if r.kind != "clean":
                out.setdefault(r.kind, Counter())[r.unit] += 1  # type: ignore[index]
        return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}

    def findings(self) -> Counter[str]:
        """Expected row-level finding codes (errors and the warnings planted on purpose)."""
        c: Counter[str] = Counter()
        for r in self.rows:
            if r.error:
                c[r.error] += 1
            c.update(r.warnings)
        return c

    def aggregate(self, code: str) -> dict[str, int | bool]:
        """A parent with its children (SPEC §5: parents sum their children and their own rows;
        members and participants add up, a person in two units counts twice)."""
        codes = [code] + [u.code for u in self.units if u.parent == code]
        members = sum(self.expected[c].members for c in codes)
        participants = sum(self.expected[c].participants for c in codes)
        target = math.ceil(TARGET_RATE * members - 1e-9)
        return {"members": members, "participants": participants, "target": target,
                "counted": sum(self.expected[c].counted for c in codes),
                "benefit_vnd": sum(self.expected[c].benefit_vnd for c in codes),
                "meets_target": participants >= target}

    def totals(self) -> dict[str, int | float]:
        """The sector (TOÀN NGÀNH) row and the `--json` totals."""
        e = self.expected.values()
        members = sum(x.members for x in e)
        participants = sum(x.participants for x in e)
        return {
            "rows": sum(x.rows for x in e), "valid": sum(x.valid for x in e),
            "rejected": sum(x.rejected for x in e), "duplicates": sum(x.duplicates for x in e),
            "initiatives": sum(x.initiatives for x in e), "counted": sum(x.counted for x in e),
            "participants": participants, "members": members,
            "target": math.ceil(TARGET_RATE * members - 1e-9),
            "rate": participants / members, "benefit_vnd": sum(x.benefit_vnd for x in e),
        }

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly digest (printed by `python -m sync.demo --manifest`)."""
        return {
            "registry": str(self.registry),
            "stale_candidate": self.stale_candidate,
            "units": {c: dataclasses.asdict(x) for c, x in self.expected.items()},
            "parents": {u.code: self.aggregate(u.code) for u in self.units
                        if any(v.parent == u.code for v in self.units)},
            "totals": self.totals(),
            "mistakes": self.mistakes(),
            "findings": dict(sorted(self.findings().items())),
            "rows": [
                {"unit": r.unit, "tab": r.tab, "row": r.row, "kind": r.kind, "error": r.error,
                 "warnings": list(r.warnings),
                 "duplicate_of": r.duplicate_of.place if r.duplicate_of else None,
                 "duplicate_of_unit": r.duplicate_of.unit if r.duplicate_of else None,
                 "possible_duplicate_of": (f"{r.possible_duplicate_of.unit} "
                                           f"{r.possible_duplicate_of.place}"
                                           if r.possible_duplicate_of else None)}
                for r in self.rows if r.kind != "clean"
            ],
        }


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------

_DN = "Doanh nghiệp"
_HC = "Hành chính sự nghiệp"


def _email(code: str, second: bool = False) -> str:
    first = f"tohotro.{code.lower()}@example.org"
    return f"{first}; congdoan.{code.lower()}@example.com" if second else first


UNITS: Final[tuple[UnitPlan, ...]] = (
    UnitPlan("XD01", "Công đoàn Tổng công ty Sông Đà", "", 310, _DN, "construction",
             _email("XD01", True), people=24, initiatives=14,
             title_rows=("DANH SÁCH SÁNG KIẾN ĐĂNG KÝ – CÔNG ĐOÀN TỔNG CÔNG TY SÔNG ĐÀ",),
             text_dates=0.1),
    UnitPlan("XD02", "Công đoàn Tổng công ty Viglacera", "", 185, _DN, "materials",
             _email("XD02"), people=0, initiatives=0, has_sheet=False),
    UnitPlan("XD03", "Công đoàn Tổng công ty Xi măng Việt Nam", "", 240, _DN, "cement",
             _email("XD03", True), people=27, initiatives=15,
             title_rows=("CÔNG ĐOÀN XÂY DỰNG VIỆT NAM",
                         "DANH SÁCH SÁNG KIẾN – CÔNG ĐOÀN TỔNG CÔNG TY XI MĂNG VIỆT NAM"),
             stt=True, type_alias=0.3),
    UnitPlan("XD04", "Công đoàn Công ty CP Sông Đà 10", "XD01", 960, _DN, "construction",
             _email("XD04"), people=104, initiatives=58,
             title_rows=("DANH SÁCH SÁNG KIẾN ĐĂNG KÝ NĂM 2022 – CÔNG ĐOÀN CÔNG TY CP SÔNG ĐÀ 10",),
             stt=True, phone=True,
             headers={"title": "Tên sáng kiến, giải pháp", "authors": "Tác giả, đồng tác giả",
                      "applied_on": "Ngày áp dụng lần đầu", "benefit": "Giá trị làm lợi (VNĐ)"},
             text_dates=0.25, separators=(", ", "; ", " và ")),
    UnitPlan("XD05", "Công đoàn Công ty CP Sông Đà 11", "XD01", 630, _DN, "construction",
             _email("XD05"), people=41, initiatives=23,
             title_rows=("SÁNG KIẾN ĐĂNG KÝ THAM GIA CHƯƠNG TRÌNH 01 TRIỆU SÁNG KIẾN",),
             order=("authors", "title", "workplace", "field", "solution_type", "applied_on",
                    "summary", "effect", "benefit", "social", "status", "note"),
             type_alias=0.5, text_dates=0.3, separators=("\n", ", ")),
    UnitPlan("XD06", "Công đoàn Công ty CP Kính nổi Viglacera", "XD02", 480, _DN, "materials",
             _email("XD06"), people=48, initiatives=27,
             title_rows=("DANH SÁCH SÁNG KIẾN – CÔNG ĐOÀN CÔNG TY CP KÍNH NỔI VIGLACERA",),
             stt=True, type_alias=0.6, separators=(", ", "; ")),
    UnitPlan("XD07", "Công đoàn Công ty CP Sứ Viglacera Thanh Trì", "XD02", 390, _DN, "materials",
             _email("XD07", True), people=38, initiatives=22,
             title_rows=("DANH SÁCH SÁNG KIẾN", ""),
             headers={"title": "Tên SK", "solution_type": "Loại", "status": "Tình trạng",
                      "benefit": "Tiền làm lợi"},
             nfd=True, guide_tab="before", text_dates=0.2),
    UnitPlan("XD08", "Công đoàn Công ty CP Xi măng Bỉm Sơn", "XD03", 1240, _DN, "cement",
             _email("XD08"), people=96, initiatives=53,
             title_rows=("CÔNG ĐOÀN CÔNG TY CP XI MĂNG BỈM SƠN",
                         "DANH SÁCH SÁNG KIẾN ĐĂNG KÝ THAM GIA CHƯƠNG TRÌNH"),
             stt=True, phone=True, text_dates=0.2, separators=(", ", "\n")),
    UnitPlan("XD09", "Công đoàn Công ty TNHH MTV Xi măng Vicem Hoàng Thạch", "XD03", 2950, _DN,
             "cement", _email("XD09"), people=118, initiatives=66,
             title_rows=("DANH SÁCH SÁNG KIẾN – CÔNG ĐOÀN XI MĂNG VICEM HOÀNG THẠCH",),
             headers={"authors": "Họ và tên tác giả", "workplace": "Đơn vị",
                      "applied_on": "Thời gian áp dụng", "benefit": "Giá trị làm lợi ước tính",
                      "social": "Ý nghĩa XH"},
             order=("title", "authors", "workplace", "applied_on", "solution_type", "field",
                    "status", "benefit", "social", "summary", "effect", "note"),
             blank_row_after=30, text_dates=0.35, separators=(", ", "; ", " và ")),
    UnitPlan("XD10", "Công đoàn Trường Cao đẳng Xây dựng số 1", "", 260, _HC, "school",
             _email("XD10", True), people=35, initiatives=20,
             title_rows=("TRƯỜNG CAO ĐẲNG XÂY DỰNG SỐ 1 – DANH SÁCH SÁNG KIẾN",),
             guide_tab="after", text_dates=0.4),
    UnitPlan("XD11", "Công đoàn Viện Kiến trúc Quốc gia", "", 150, _HC, "institute",
             _email("XD11"), people=22, initiatives=12,
             title_rows=("VIỆN KIẾN TRÚC QUỐC GIA – SÁNG KIẾN ĐĂNG KÝ",),
             omit=("social", "note"), text_dates=0.1),
    UnitPlan("XD12", "Công đoàn cơ quan Bộ Xây dựng", "", 540, _HC, "office",
             _email("XD12", True), people=30, initiatives=17,
             title_rows=("CÔNG ĐOÀN CƠ QUAN BỘ XÂY DỰNG", "DANH SÁCH SÁNG KIẾN NĂM 2022"),
             stt=True, serial_dates=0.25, text_dates=0.1, separators=("; ", ", ")),
)
UNIT_BY_CODE: Final = {u.code: u for u in UNITS}

# Workplace flavour of the units (from vocab.WORKPLACES by kind, plus each unit's own).
_UNIT_WORKPLACES: Final = {
    "XD01": ("Văn phòng Tổng công ty", "Ban Kinh tế – Kế hoạch", "Ban Kỹ thuật – Công nghệ",
             "Ban Tài chính – Kế toán", "Ban điều hành dự án Thủy điện Lai Châu"),
    "XD03": ("Văn phòng Tổng công ty", "Ban Kỹ thuật", "Ban Tài chính – Kế toán",
             "Ban Đầu tư", "Trung tâm Nghiên cứu – Phát triển"),
}

# Fixed titles of the planted look-alikes (readable in the demo's duplicate tab).
_F = vocab.FAMILY_BY_NAME
_NUMBERED_TITLES: Final = (
    ("Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 1", "energy_build",
     "trạm trộn bê tông số 1"),
    ("Giải pháp tiết kiệm điện năng cho trạm trộn bê tông số 2", "energy_build",
     "trạm trộn bê tông số 2"),
)
_ONE_WORD_TITLES: Final = (
    ("Cải tiến hệ thống bôi trơn máy nghiền xi măng", "equip_cement", "máy nghiền xi măng"),
    ("Cải tiến hệ thống bôi trơn máy nghiền than", "equip_cement", "máy nghiền than"),
)
_POSSIBLE_DUP_TITLES: Final = (
    ("XD10", "XD12", "Ứng dụng phần mềm quản lý văn bản đi và đến trên nền điện toán đám mây",
     "it", "quản lý văn bản đi và đến"),
    ("XD06", "XD07", "Lắp biến tần cho quạt hút khí thải lò nung", "energy_materials",
     "quạt hút khí thải lò nung"),
)


# --------------------------------------------------------------------------------------------------
# Drawing people, titles and cells
# --------------------------------------------------------------------------------------------------


class _Drawer:
    """Deterministic draws for the demo (stdlib `random`, stable across Python versions)."""

    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.used_titles: set[str] = set()  # folded: no two initiatives look the same by accident
        sw = [w for _, w in vocab.SURNAMES]
        self._sur = ([s for s, _ in vocab.SURNAMES], sw)
        self._mid = {True: _split(vocab.MIDDLE_MALE), False: _split(vocab.MIDDLE_FEMALE)}
        self._giv = {True: _split(vocab.GIVEN_MALE), False: _split(vocab.GIVEN_FEMALE)}

    def choice(self, seq: Any) -> Any:
        return seq[self.r.randrange(len(seq))]

    def person(self) -> str:
        male = self.r.random() < vocab.MALE_SHARE
        sur = self.r.choices(*self._sur)[0]
        mid = self.r.choices(*self._mid[male])[0]
        giv = self.r.choices(*self._giv[male])[0]
        name = f"{sur} {mid} {giv}"
        return swap_tone_style(name, "new") if self.r.random() < 0.25 else name

    def people(self, n: int, avoid: set[str]) -> list[str]:
        """`n` people whose names differ from each other (and from `avoid`) even without
        diacritics: in one unit a name is a person (SPEC §5)."""
        out: list[str] = []
        seen = {_fold(a) for a in avoid}
        while len(out) < n:
            p = self.person()
            if _fold(p) not in seen:
                seen.add(_fold(p))
                out.append(p)
        return out

    def title(self, kind: str, unit_name: str) -> Titled:
        """A new title for a unit of `kind`, with the family and object it was built from."""
        fams = [f for f in vocab.FAMILIES if kind in f.kinds]
        weights = [f.kinds[kind] for f in fams]
        for _ in range(1000):
            f = self.r.choices(fams, weights)[0]
            obj = self.choice(f.objects)
            parts = [self.choice(f.actions), obj.text]
            if obj.numbered and self.r.random() < 0.3:
                parts.append(f"số {self.r.randint(1, 4)}")
            u = self.r.random()
            places = [p for p in f.places if kind in vocab.PLACE_KINDS.get(p, {kind})]
            if u < 0.35 and places:
                parts.append(self.choice(places))
            elif u < 0.45:
                parts.append("tại " + unit_name.removeprefix("Công đoàn "))
            if self.r.random() < 0.25:
                parts.append(self.choice(f.purposes))
            t = " ".join(parts)
            if self.r.random() < 0.3:  # both tone placements occur in real files
                t = swap_tone_style(t, "new")
            if _fold(t) not in self.used_titles:
                self.used_titles.add(_fold(t))
                return Titled(t, f, obj.text)
        raise RuntimeError("demo ran out of titles")


@dataclass(frozen=True, slots=True)
class Titled:
    """A title with the family and object it is about (summaries and effects follow them)."""

    title: str
    family: vocab.Family
    obj: str


def _split(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _fold(s: str) -> str:
    return " ".join(strip_diacritics(s).casefold().split())


def _money_cell(d: _Drawer, v: int, style: int) -> int | str:
    """A benefit as typed, in one of the shapes SPEC §4 lists, always meaning exactly `v`."""
    dotted = f"{v:,}".replace(",", ".")
    if style == 0:
        return v
    if style == 1:
        return f"{dotted} đ"
    if style == 2 and v % 1_000_000 == 0:
        return f"{v // 1_000_000} triệu"
    if style == 3 and v % 1_000_000 == 0:
        return f"{v // 1_000_000}tr"
    if style == 4 and v >= 1_000_000_000 and v % 100_000_000 == 0:
        return f"{v / 1e9:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " tỷ"
    if style == 5 and v < 1_000_000 and v % 1000 == 0:
        return d.choice([f"{v // 1000}k", f"{v // 1000} nghìn"])
    if style == 6:
        return f"{dotted} VNĐ/năm"
    if style == 7 and v % 100_000 == 0 and v % 1_000_000 and v > 1_000_000:
        return f"{v / 1e6:.1f}".replace(".", ",") + "tr"
    return dotted


def _benefit(d: _Drawer, family: vocab.Family) -> tuple[int | None, int | str | None]:
    """(value in VND or None, raw cell)."""
    nc = {"safety": 0.6, "teaching": 0.6, "process_office": 0.45, "it": 0.4,
          "research": 0.4}.get(family.name, 0.15)
    u = d.r.random()
    if u < nc:
        return None, d.choice(["không tính được"] * 5 + ["Không tính được", "không xác định"])
    if u < nc + 0.08:
        return None, None
    x = math.exp(d.r.gauss(math.log(40e6), 1.3))
    x = min(max(x, 2e5), 4.5e9)
    step = 100_000_000 if x >= 1e9 else 1_000_000 if x >= 1e7 else 100_000 if x >= 1e6 else 1000
    v = int(round(x / step) * step)
    style = d.r.choices(range(8), [30, 12, 18, 8, 10, 6, 6, 10])[0]
    return v, _money_cell(d, v, style)


def _date_cell(d: _Drawer, day: dt.date, plan: UnitPlan) -> Any:
    u = d.r.random()
    if u < plan.serial_dates:
        return (day - dt.date(1899, 12, 30)).days  # a bare serial: the column was "General"
    if u < plan.serial_dates + plan.text_dates:
        return d.choice([
            f"{day.day:02d}/{day.month:02d}/{day.year}", f"{day.day}/{day.month}/{day.year % 100}",
            day.isoformat(), f"{day.day}/{day.month}/{day.year}",
            (f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day.month <= 2
             else f"ngày {day.day:02d} tháng {day.month} năm {day.year}"),
        ])
    return day


def _type_cell(d: _Drawer, canon: str, share: float) -> str:
    if d.r.random() < share:
        return d.choice(vocab.SOLUTION_TYPE_SPELLINGS[canon])
    return canon


def _status(d: _Drawer) -> tuple[str, str | None]:
    canon = d.r.choices(["Đã đăng ký", "Đã công nhận", "Được khen thưởng"], [55, 35, 10])[0]
    if canon == "Đã đăng ký" and d.r.random() < 0.5:
        return canon, None
    if d.r.random() < 0.15:
        return canon, d.choice(vocab.STATUS_SPELLINGS[canon])
    return canon, canon


def _join(d: _Drawer, names: list[str], plan: UnitPlan) -> str:
    sep = d.choice(plan.separators)
    if sep == " và " and len(names) >= 2:
        return ", ".join(names[:-1]) + " và " + names[-1]
    return sep.join(names) if sep != " và " else ", ".join(names)


def _about(d: _Drawer, plan: UnitPlan, t: Titled, full: bool) -> dict[str, Any]:
    """The cells that follow from what an initiative is about: type, field, summary, effect."""
    fam = t.family
    summary = d.choice(fam.summaries).format(obj=t.obj)
    effect = d.choice(fam.effects).format(p=d.r.randint(1, 8) * 5, d=d.r.randint(2, 20))
    return {
        "title": t.title,
        "solution_type": _type_cell(d, fam.solution_type, plan.type_alias),
        "field": d.choice(fam.fields) if full or d.r.random() < 0.85 else None,
        "summary": summary if full or d.r.random() < 0.7 else None,
        "effect": effect if full or d.r.random() < 0.75 else None,
    }


def _fill(d: _Drawer, plan: UnitPlan, t: Titled, display: list[str], persons: list[str],
          day: dt.date, kind: str = "clean", *, full: bool = False,
          status: tuple[str, str | None] | None = None) -> PlantedRow:
    """A complete row: cells as the unit types them plus the plan behind them."""
    wp = _UNIT_WORKPLACES.get(plan.code, vocab.WORKPLACES[plan.kind])
    value, money = _benefit(d, t.family)
    canon_status, status_cell = status or _status(d)
    about = _about(d, plan, t, full)
    cells: dict[str, Any] = {
        "title": t.title,
        "authors": _join(d, display, plan),
        "workplace": d.choice(wp) if full or d.r.random() < 0.85 else None,
        "solution_type": about["solution_type"],
        "field": about["field"],
        "applied_on": _date_cell(d, day, plan),
        "status": status_cell,
        "summary": about["summary"],
        "effect": about["effect"],
        "benefit": money,
        "social": (d.choice(["x", "x", "có", "Có", "X"]) if d.r.random() < 0.25 else None),
        "note": d.choice(vocab.NOTES) if d.r.random() < 0.12 else None,
    }
    row = PlantedRow(plan.code, kind, t.title, tuple(persons), day, value, canon_status, cells)
    row.family = t.family.name
    row.obj = t.obj
    return row


def _day(d: _Drawer, lo: dt.date = dt.date(2021, 10, 1), hi: dt.date = dt.date(2023, 8, 20)
         ) -> dt.date:
    return lo + dt.timedelta(days=d.r.randrange((hi - lo).days))


def _author_lists(d: _Drawer, people: list[str], n: int) -> list[list[str]]:
    """`n` author lists that together use every person at least once (1–4 authors each)."""
    sizes = [d.r.choices([1, 2, 3, 4], [40, 32, 18, 10])[0] for _ in range(n)]
    while sum(sizes) < len(people):
        i = d.r.randrange(n)
        sizes[i] = min(5, sizes[i] + 1)
    order = people[:]
    d.r.shuffle(order)
    lists: list[list[str]] = [[] for _ in range(n)]
    k = 0
    for i in range(n):  # first pass: everyone once
        while len(lists[i]) < sizes[i] and k < len(order):
            lists[i].append(order[k])
            k += 1
    for i in range(n):  # then fill with people who already have another initiative
        while len(lists[i]) < sizes[i]:
            p = d.choice(people)
            if p not in lists[i]:
                lists[i].append(p)
    d.r.shuffle(lists)
    return lists


# --------------------------------------------------------------------------------------------------
# Planning every row
# --------------------------------------------------------------------------------------------------


def _plan_rows(d: _Drawer) -> dict[str, list[PlantedRow]]:
    rows: dict[str, list[PlantedRow]] = {u.code: [] for u in UNITS}
    pools: dict[str, list[str]] = {}
    everyone: set[str] = set()
    for u in UNITS:
        if not u.has_sheet:
            continue
        pools[u.code] = d.people(u.people, set())
        everyone.update(pools[u.code])
    # The same full name in two units is two people (SPEC §5): plant one on purpose.
    def put(code: str, name: str, default: int) -> None:
        twins = [i for i, p in enumerate(pools[code]) if _fold(p) == _fold(name)]
        pools[code][twins[0] if twins else default] = name

    for code in ("XD04", "XD08"):
        put(code, "Nguyễn Văn Hùng", -1)
    # A person whose name one row writes in the new tone style (one person, SPEC §5).
    put("XD09", "Nguyễn Thị Thu Hòa", 0)
    honorific_people: dict[tuple[str, str], str] = {}  # (unit, person) -> "KS. person"

    for u in UNITS:
        if not u.has_sheet:
            continue
        lists = _author_lists(d, pools[u.code], u.initiatives)
        counts = Counter(p for lst in lists for p in lst)
        # (the tone-variant person gets a second row below: never give her a title)
        once = [p for p in pools[u.code] if counts[p] == 1 and p != "Nguyễn Thị Thu Hòa"]
        for p in once[: 2 if u.initiatives > 15 else 1]:
            honorific_people[u.code, p] = f"{d.choice(vocab.HONORIFICS)} {p}"
        for lst in lists:
            display = [honorific_people.get((u.code, p), p) for p in lst]
            title = d.title(u.kind, u.name)
            rows[u.code].append(_fill(d, u, title, display, lst, _day(d)))
        if u.code == "XD09":  # the tone-variant person: two rows, two spellings
            mine = [r for r in rows[u.code] if "Nguyễn Thị Thu Hòa" in r.persons]
            if len(mine) < 2:
                other = next(r for r in rows[u.code] if "Nguyễn Thị Thu Hòa" not in r.persons)
                other.persons = (*other.persons, "Nguyễn Thị Thu Hòa")
                other.cells["authors"] += ", Nguyễn Thị Thu Hòa"
                mine.append(other)
            mine[1].cells["authors"] = mine[1].cells["authors"].replace(
                "Nguyễn Thị Thu Hòa", swap_tone_style("Nguyễn Thị Thu Hòa", "new"))
            mine[1].kind = "tone_variant_author"

    def retitle(row: PlantedRow, spec: tuple[str, str, str], kind: str) -> None:
        t = Titled(spec[0], _F[spec[1]], spec[2])
        about = _about(d, UNIT_BY_CODE[row.unit], t, full=False)
        row.cells.update(about)
        row.title, row.family, row.obj, row.kind = t.title, t.family.name, t.obj, kind
        row.benefit_vnd, row.cells["benefit"] = _benefit(d, t.family)
        d.used_titles.add(_fold(t.title))

    def share_authors(a: PlantedRow, b: PlantedRow) -> None:
        """b gets a's authors too (its own stay: nobody planned loses an initiative)."""
        b.persons = tuple(dict.fromkeys((*a.persons, *b.persons)))
        b.cells["authors"] = _join(d, [honorific_people.get((b.unit, p), p) for p in b.persons],
                                   UNIT_BY_CODE[b.unit])

    # Look-alikes that are different initiatives (counted, never merged).
    a, b = rows["XD04"][3], rows["XD04"][4]
    retitle(a, _NUMBERED_TITLES[0], "numbered_sibling")
    retitle(b, _NUMBERED_TITLES[1], "numbered_sibling")
    share_authors(a, b)
    b.cells["solution_type"] = a.cells["solution_type"]
    a, b = rows["XD08"][5], rows["XD08"][6]
    retitle(a, _ONE_WORD_TITLES[0], "one_word_object")
    retitle(b, _ONE_WORD_TITLES[1], "one_word_object")
    share_authors(a, b)
    for u1, u2, *spec in _POSSIBLE_DUP_TITLES:
        a, b = rows[u1][7], rows[u2][7]
        retitle(a, tuple(spec), "possible_duplicate")  # type: ignore[arg-type]
        retitle(b, tuple(spec), "possible_duplicate")  # type: ignore[arg-type]
        b.possible_duplicate_of = a
        assert not {_fold(p) for p in a.persons} & {_fold(p) for p in b.persons}

    taken: set[int] = set()

    def clean_row(code: str, lo: int, hi: int, plain_authors: bool = False) -> PlantedRow:
        """A clean row of `code` (index drawn in [lo, hi)), optionally one without titled
        authors (a retyped copy would drop the title and stop sharing the author's spelling)."""
        for _ in range(200):
            r = rows[code][d.r.randrange(lo, hi)]
            if r.kind == "clean" and id(r) not in taken and not (plain_authors and any(
                    (code, p) in honorific_people for p in r.persons)):
                taken.add(id(r))
                return r
            lo = max(0, lo - 1)
        raise RuntimeError(f"no clean row in {code}")

    # ---- planted mistakes (extra rows) ----------------------------------------------------------
    def new_people(code: str, n: int) -> list[str]:
        ps = d.people(n, everyone | set(pools[code]))
        everyone.update(ps)
        return ps

    def extra(code: str, kind: str, *, persons: list[str] | None = None,
              status: tuple[str, str | None] | None = None, day: dt.date | None = None,
              full: bool = False) -> PlantedRow:
        u = UNIT_BY_CODE[code]
        ps = persons if persons is not None else new_people(code, d.r.randint(1, 2))
        r = _fill(d, u, d.title(u.kind, u.name), list(ps), list(ps), day or _day(d), kind,
                  status=status, full=full)
        rows[code].append(r)
        return r

    def reject(r: PlantedRow, key: str, value: Any, code: str, alt: tuple[str, ...] = ()) -> None:
        r.cells[key] = value
        r.error = code
        r.alt_errors = alt
        if key == "applied_on" and isinstance(value, dt.date):
            r.applied_on = value

    # Rejected rows: their people appear nowhere else, so they never count.
    reject(extra("XD04", "invalid_date"), "applied_on", "31/02/2022", "invalid_date")
    reject(extra("XD09", "invalid_date"), "applied_on", "29/02/2023", "invalid_date")
    reject(extra("XD08", "month_only_date"), "applied_on", "tháng 3/2022", "invalid_date")
    reject(extra("XD12", "month_only_date"), "applied_on", "tháng 10/2022", "invalid_date")
    reject(extra("XD05", "before_start"), "applied_on", dt.date(2019, 11, 15),
           "outside_program_window")
    reject(extra("XD10", "before_start"), "applied_on", "12/10/2020", "outside_program_window")
    reject(extra("XD09", "future_date"), "applied_on", dt.date(2032, 3, 15), "future_date",
           ("outside_program_window",))
    reject(extra("XD06", "future_date"), "applied_on", "15/08/2027", "future_date",
           ("outside_program_window",))
    for code in ("XD06", "XD12", "XD01"):
        r = extra(code, "missing_authors", persons=[])
        r.cells["authors"] = None
        r.error = "missing_required"
    r = extra("XD10", "short_title")
    reject(r, "title", "Máy hàn", "title_too_short")
    r = extra("XD07", "short_title")
    reject(r, "title", "Cải tiến", "title_too_short")
    reject(extra("XD07", "unknown_type"), "solution_type", "Khác", "unknown_solution_type")
    reject(extra("XD04", "unknown_type"), "solution_type", "Sáng chế", "unknown_solution_type")
    # A date computed by a formula whose reference broke: an error *cell* (t="e"). Readers that
    # drop error cells see an empty required cell instead, hence the alternative code.
    reject(extra("XD03", "formula_error"), "applied_on", _ErrorCell("#REF!"), "formula_error",
           ("missing_required",))
    reject(extra("XD09", "formula_error"), "authors", "#N/A", "formula_error")

    # Warnings only: kept rows.
    for code in ("XD08", "XD05"):
        extra(code, "not_recognized", status=(catalog.STATUS_NOT_RECOGNIZED,
                                              catalog.STATUS_NOT_RECOGNIZED))
        rows[code][-1].warnings = ("not_recognized",)
    for code, text in (("XD09", "theo quyết toán"), ("XD06", "xem phụ lục kèm theo")):
        r = clean_row(code, 10, 20)
        r.cells["benefit"] = text
        r.benefit_vnd = None
        r.kind = "invalid_money"
        r.warnings = ("invalid_money",)
    for code, key, text in (("XD04", "effect", "=Tăng năng suất lao động 20%"),
                            ("XD10", "summary", "=Giảm 30% thời gian chấm bài thực hành"),
                            ("XD05", "note", "- Đã áp dụng tại 3 công trình"),
                            ("XD08", "effect", "+15% năng suất nghiền")):
        r = clean_row(code, 8, 12)
        r.cells[key] = text
        r.kind = "formula_like_text"
    # Rows pasted from old documents: new, valid initiatives by the unit's own people.
    from sync.legacy import encode  # the product's charts; never a private copy

    for code, enc, kind in (("XD11", "tcvn3", "tcvn3_row"), ("XD08", "tcvn3", "tcvn3_row"),
                            ("XD12", "vni", "vni_row")):
        ps = [d.choice([p for p in pools[code] if (code, p) not in honorific_people])]
        r = extra(code, kind, persons=ps, status=("Đã công nhận", "Đã công nhận"), full=True)
        for key in ("title", "authors", "workplace", "solution_type", "field", "status",
                    "summary", "effect"):
            if isinstance(r.cells[key], str):
                r.cells[key] = encode(r.cells[key], enc)
        r.warnings = ("legacy_encoding",)

    # Duplicates (merged into the row they copy).
    for code in ("XD04", "XD09", "XD08"):
        src = clean_row(code, 15, 25)
        dup = PlantedRow(code, "exact_copy", src.title, src.persons, src.applied_on,
                         src.benefit_vnd, src.status, dict(src.cells), duplicate_of=src)
        rows[code].append(dup)
    for child, parent in (("XD04", "XD01"), ("XD08", "XD03")):
        src = clean_row(child, 25, 35)
        _complete(d, src)
        later = min(src.applied_on + dt.timedelta(days=d.r.randint(20, 60)),  # type: ignore[operator]
                    dt.date(2023, 8, 31))
        cells = dict(src.cells)
        cells.update(applied_on=_date_cell(d, later, UNIT_BY_CODE[parent]), summary=None,
                     effect=None, note="Đơn vị thành viên đăng ký", workplace=None)
        rows[parent].append(PlantedRow(parent, "parent_child_copy", src.title, src.persons,
                                       later, src.benefit_vnd, src.status, cells,
                                       duplicate_of=src))
    for code in ("XD05", "XD09"):
        src = clean_row(code, 12, 20, plain_authors=True)
        _complete(d, src)
        cells = {k: None for k in src.cells}
        cells.update(
            title=strip_diacritics(src.title),
            authors=strip_diacritics(", ".join(src.persons)),
            solution_type=strip_diacritics(src.cells["solution_type"]),
            applied_on=f"{src.applied_on:%d/%m/%Y}",
        )
        rows[code].append(PlantedRow(code, "retyped_no_diacritics", src.title, src.persons,
                                     src.applied_on, None, src.status, cells, duplicate_of=src))
    return rows


class _ErrorCell(str):
    """A spreadsheet error value stored as an error cell (a broken formula's cached result)."""

    __slots__ = ()


def _complete(d: _Drawer, r: PlantedRow) -> None:
    """Fill every optional cell of a row that another, less complete row duplicates."""
    fam = _F[r.family]
    if not r.cells.get("workplace"):
        r.cells["workplace"] = d.choice(
            _UNIT_WORKPLACES.get(r.unit, vocab.WORKPLACES[UNIT_BY_CODE[r.unit].kind]))
    if not r.cells.get("field"):
        r.cells["field"] = d.choice(fam.fields)
    if not r.cells.get("summary"):
        r.cells["summary"] = d.choice(fam.summaries).format(obj=r.obj)
    if not r.cells.get("effect"):
        r.cells["effect"] = d.choice(fam.effects).format(p=20, d=5)


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

_GUIDE: Final = (
    "HƯỚNG DẪN NHẬP SÁNG KIẾN",
    "1. Mỗi sáng kiến một dòng trong tab «Sáng kiến»; không xoá dòng tiêu đề.",
    "2. Tác giả: ghi đủ họ tên, ngăn cách bằng dấu phẩy.",
    "3. Ngày áp dụng: dd/mm/yyyy, trong thời gian 01/9/2021 – 01/9/2023.",
    "4. Giá trị làm lợi: số tiền đồng/năm, hoặc «không tính được».",
)


def _order_rows(d: _Drawer, plan: UnitPlan, rows: list[PlantedRow]) -> list[PlantedRow]:
    """Sheet order: mostly by date (units append as they go), copies right below what they copy,
    other planted rows where a person would have put them."""
    base = [r for r in rows if r.kind not in ("exact_copy",)]
    base.sort(key=lambda r: (r.applied_on or dt.date(2022, 6, 1), r.title))
    for i in range(len(base) - 1):  # a little disorder, as in real sheets
        if d.r.random() < 0.15:
            base[i], base[i + 1] = base[i + 1], base[i]
    out: list[PlantedRow] = []
    for r in base:
        out.append(r)
        out.extend(x for x in rows if x.kind == "exact_copy" and x.duplicate_of is r)
    return out


def _columns(plan: UnitPlan) -> list[str]:
    keys = list(plan.order) if plan.order else [f.key for f in catalog.FIELDS]
    return [k for k in keys if k not in plan.omit]


def sheet_layout(plan: UnitPlan) -> tuple[int, list[str]]:
    """(header row number, 1-based; column keys in sheet order, with "stt" and "phone" for the
    extra columns) — where a test finds each planted cell."""
    keys = _columns(plan)
    return (len(plan.title_rows) + 2,
            (["stt"] if plan.stt else []) + keys + (["phone"] if plan.phone else []))


def _text(plan: UnitPlan, s: str) -> str:
    return unicodedata.normalize("NFD", s) if plan.nfd else s


def _write_unit(path: Path, plan: UnitPlan, rows: list[PlantedRow]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": plan.name,
                       "title": "Danh sách sáng kiến"})
    bold = wb.add_format({"bold": True, "font_size": 13})
    head = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "vcenter",
                          "bg_color": "#DDEBF7"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    money_fmt = wb.add_format({"num_format": "#,##0"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def guide() -> None:
        ws = wb.add_worksheet("Hướng dẫn")
        for i, line in enumerate(_GUIDE):
            ws.write_string(i, 0, _text(plan, line), bold if i == 0 else None)
        ws.set_column(0, 0, 90)

    if plan.guide_tab == "before":
        guide()
    ws = wb.add_worksheet(catalog.UNIT_TAB)
    r0 = 0
    for line in plan.title_rows:
        if line:
            ws.write_string(r0, 0, _text(plan, line), bold)
        r0 += 1
    r0 += 1  # a blank row between the title and the header
    header_row = r0
    keys = _columns(plan)
    c0 = 1 if plan.stt else 0
    if plan.stt:
        ws.write_string(header_row, 0, "STT", head)
    widths = {"title": 55, "authors": 34, "summary": 45, "effect": 30, "workplace": 24}
    for j, key in enumerate(keys):
        header = plan.headers.get(key, catalog.FIELD_BY_KEY[key].header)
        ws.write_string(header_row, c0 + j, _text(plan, header), head)
        ws.set_column(c0 + j, c0 + j, widths.get(key, 14))
    if plan.phone:
        ws.write_string(header_row, c0 + len(keys), _text(plan, "Số điện thoại"), head)
        ws.set_column(c0 + len(keys), c0 + len(keys), 13)
    ws.freeze_panes(header_row + 1, 0)
    r = header_row + 1
    for n, row in enumerate(rows, start=1):
        if plan.blank_row_after and n == plan.blank_row_after + 1:
            r += 1  # an empty row left in the middle of the data
        row.row = r + 1
        if plan.stt:
            ws.write_number(r, 0, n)
        for j, key in enumerate(keys):
            v = row.cells.get(key)
            if v is None:
                continue
            if isinstance(v, _ErrorCell):
                ws.write_formula(r, c0 + j, "=#REF!", None, str(v))
            elif isinstance(v, str):
                legacy = bool(row.warnings) and "legacy_encoding" in row.warnings
                text = v if legacy else _text(plan, v)
                ws.write_string(r, c0 + j, text, wrap if "\n" in text else None)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c0 + j, v, date_fmt)
            else:
                ws.write_number(r, c0 + j, v, money_fmt if key == "benefit" else None)
        if plan.phone:
            ws.write_string(r, c0 + len(keys), f"09{(n * 7919 + 1234567) % 10**8:08d}")
        r += 1
    if plan.guide_tab == "after":
        guide()
    wb.close()


def _expect(plan: UnitPlan, rows: list[PlantedRow]) -> UnitExpectation:
    counted = [r for r in rows if r.counted]
    participants = {_person_key(p) for r in counted for p in r.persons}
    target = math.ceil(TARGET_RATE * plan.members - 1e-9)
    return UnitExpectation(
        code=plan.code, members=plan.members, target=target, rows=len(rows),
        valid=sum(r.valid for r in rows), rejected=sum(not r.valid for r in rows),
        duplicates=sum(r.merged for r in rows),
        possible_duplicates=sum(r.possible_duplicate_of is not None for r in rows),
        initiatives=sum(r.valid and not r.merged for r in rows), counted=len(counted),
        participants=len(participants),
        benefit_vnd=sum(r.benefit_vnd or 0 for r in counted),
        meets_target=len(participants) >= target,
        unknown_columns=("Số điện thoại",) if plan.phone else (),
    )


def _person_key(name: str) -> str:
    """One person per name within a unit: NFC, one tone style, no case or spacing differences."""
    return " ".join(swap_tone_style(unicodedata.normalize("NFC", name), "old").casefold().split())


def write_demo(outdir: Path | str) -> DemoManifest:
    """Write the demo registry (`<outdir>/unions.csv`) and unit files (`<outdir>/demo/*.xlsx`)
    and return what was planted. Deterministic: two runs give byte-identical files."""
    outdir = Path(outdir)
    (outdir / DEMO_DIR).mkdir(parents=True, exist_ok=True)
    d = _Drawer(SEED)
    planned = _plan_rows(d)
    all_rows: list[PlantedRow] = []
    expected: dict[str, UnitExpectation] = {}
    for plan in UNITS:
        rows = _order_rows(d, plan, planned[plan.code]) if plan.has_sheet else []
        if plan.has_sheet:
            _write_unit(outdir / DEMO_DIR / f"{plan.code}.xlsx", plan, rows)
        expected[plan.code] = _expect(plan, rows)
        all_rows.extend(rows)
    registry = outdir / REGISTRY_NAME
    write_registry_csv(registry, [
        {"code": u.code, "name": u.name, "parent": u.parent, "members": u.members,
         "source": f"{DEMO_DIR}/{u.code}.xlsx" if u.has_sheet else "", "emails": u.emails,
         "sector": u.sector}
        for u in UNITS
    ])
    return DemoManifest(outdir, registry, list(UNITS), all_rows, expected)
