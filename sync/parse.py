"""Cell parsers: dates, money, enumerations and yes/no, as units really type them (SPEC §4).

Each parser has a scalar form that reads one cell and says what went wrong (`parse_date`,
`parse_money`, `parse_solution_type`, `parse_status`, `parse_yes_no`), and the validator applies it
column-wise through `distinct`: a column is factorised in C, each *distinct* value is parsed once
and the results are spread back with numpy `take` — real columns repeat dates, amounts and types a
lot, so a million rows cost a few thousand scalar calls.

Nothing here guesses. A month without a day, an impossible date (`31/02/2022`) or a US-style date
is an `invalid_date` whose reason and example say what to type instead; an amount readable two ways
is read the Vietnamese way and reported; an amount that is not VND per year is `invalid_money`.

Money rules (the facts file, made precise):

1. Both `.` and `,` in a number: the last one is the decimal separator; the other one must group
   the digits by three (`1.234.567,89`, `1,234,567.89`), else the cell is unreadable.
2. One kind of separator, several times: thousands (`1.500.000`, `1,500,000`); groups must be of
   three (`1.50.000` is unreadable).
3. One separator, once:
   - followed by exactly three digits and **no unit** — thousands (`1.500` → 1 500, `1,500` →
     1 500): VND has no decimals, so the other reading (one and a half đồng) is no amount at all
     and there is nothing to report;
   - followed by exactly three digits **with a unit** — readable two ways (`1.500 triệu` is
     1 500 triệu or 1,5 triệu): the Vietnamese reading is used (`.` groups thousands, `,` is the
     decimal) and `ambiguous_money` says so;
   - followed by one, two or four or more digits — the decimal separator (`1,5 tỷ`, `2.5tr`,
     `70,25 triệu`).
4. Units `nghìn`/`ngàn`/`k` 10³, `triệu`/`tr`/`củ`/`M` 10⁶, `tỷ`/`tỉ` 10⁹ (any case, with or
   without diacritics); compound amounts add up with decreasing units (`1 tỷ 500 triệu`); the
   spoken shorthand `1tr5` / `2k5` (a unit followed, with no space, by one to three digits) is
   `1,5 triệu` / `2,5 nghìn`. `đ ₫ đồng VNĐ VND` before or after, `/năm`, `mỗi năm` after and
   `khoảng`, `ước tính` … before change nothing.
5. A column whose header names a unit (`Giá trị làm lợi (triệu đồng)`) scales bare numbers
   (`150` → 150 triệu); a bare number of seven or more digits there is `ambiguous_money` and read
   in đồng as written.
6. Not VND per year, never converted by guessing: ranges (`100-150 triệu`), other periods
   (`5 triệu/tháng`), other currencies (`5.000 USD`), amounts over 10¹⁵ đồng, and an amount that
   is a fraction of a đồng below 1 000 (`1,5` with no unit: a forgotten unit) — `invalid_money`.
7. `không tính được`, `không xác định` … (a cell starting with one) are "not computable", a real
   answer distinct from 0: no finding. A lone placeholder (`-`, `…`) is an empty cell. A minus
   sign or parentheses (`(1.500.000)`) make `negative_money`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sync import catalog
from sync.text import clean_text, fold

T = TypeVar("T")

# Sheet serial numbers count days since 1899-12-30 (Google; Excel's 1900 system agrees from
# 1900-03-01 on, which covers every date this programme can have).
SERIAL_EPOCH = dt.date(1899, 12, 30)
# Serials a unit can mean: 1950-01-01 … 2099-12-31. Other numbers in a date column are not dates
# (a year, an amount, a row number) and are reported as such rather than read as 1901 or 2250.
MIN_SERIAL = (dt.date(1950, 1, 1) - SERIAL_EPOCH).days
MAX_SERIAL = (dt.date(2099, 12, 31) - SERIAL_EPOCH).days
# Two-digit years: 00–68 are 2000–2068, 69–99 are 1969–1999 (the POSIX/Excel pivot).
TWO_DIGIT_YEAR_PIVOT = 69


def fold_key(value: str) -> str:
    """Lower case, no diacritics, clean spaces: what parsers compare."""
    return " ".join(fold(clean_text(value)).lower().split())


def is_error_value(value: Any) -> bool:
    """A spreadsheet error value (`#REF!`, `#N/A` …): an error, never data."""
    return isinstance(value, str) and value.strip().upper() in catalog.ERROR_VALUES


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DateReading:
    """A date, or why not: `code` is `invalid_date` or `formula_error`; `reason` and `example`
    fill the finding's message and hint (catalog.DATE_PROBLEMS)."""

    value: dt.date | None
    code: str | None = None
    reason: str = ""
    example: str = ""


def _date_problem(problem: str, **fields: Any) -> DateReading:
    reason, example = catalog.DATE_PROBLEMS[problem]
    return DateReading(None, "invalid_date", reason.format(**fields), example.format(**fields))


_EMPTY_DATE = DateReading(None)
_FORMULA_DATE = DateReading(None, "formula_error")

_MONTHS_EN = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_EN = "|".join(_MONTHS_EN)
_SEP = r"\s*[/.\-]\s*"
_TIME = r"(?:\s*(?:lúc|luc|t)?\s*\d{1,2}\s*[:h]\s*\d{2}(?:\s*:\s*\d{2}(?:\.\d+)?)?\s*(?:am|pm)?)?"
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?$")
_YMD = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}}){_TIME}$")
_DMY = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}}){_TIME}$")
_WORDS = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|/|-|\.)\s*(\d{1,2})\s*,?\s*(?:nam|/|-|\.)\s*(\d{4}|\d{2})$")
_EN_DMY = re.compile(rf"^(\d{{1,2}})[\s/\-.]*({_EN})[a-z]*\.?[\s/\-.,]*(\d{{4}}|\d{{2}})$")
_EN_MDY = re.compile(rf"^({_EN})[a-z]*\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*(\d{{4}})$")
_DIGITS8 = re.compile(r"^\d{8}$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:[.,]\d+)?$")
_MONTH_YEAR = re.compile(r"^(?:thang\s*|t\s*)?(\d{1,2})\s*(?:[/.\-]|nam|\s)\s*(?:nam\s*)?(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[/\-.]\s*(\d{1,2})$")
_QUARTER = re.compile(
    r"^(?:quy|q)\s*([1-4]|iv|i{1,3})\s*(?:[/.\-]|nam|\s)\s*(?:nam\s*)?(\d{4})$")
_YEAR = re.compile(r"^(?:nam\s*)?(\d{4})$")
_DAY_MONTH = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|[/.\-])\s*(\d{1,2})$")
_TIME_ONLY = re.compile(r"^\d{1,2}\s*[:h]\s*\d{2}(?:\s*:\s*\d{2})?(?:\s*(?:am|pm))?$")
_DATE_LIKE = re.compile(r"\d{1,4}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{2,4}")
_RANGE_WORDS = re.compile(r"\s(?:den|toi|->|→|~|–|—|-)\s|\sden\s|^tu\s.*\sden\s")
_PREFIX = re.compile(
    r"^(?:ngay\s+ap\s+dung\s*(?:lan\s+dau|thu)?\s*:?\s*|ap\s+dung\s+(?:tu\s+)?(?:ngay\s+)?|"
    r"tu\s+ngay\s+|tu\s+(?=\d)|thu\s+(?:hai|ba|tu|nam|sau|bay|[2-7])\s*,?\s*|chu\s+nhat\s*,?\s*|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)+")


def _year(text: str) -> int:
    year = int(text)
    if len(text) <= 2:
        year += 2000 if year < TWO_DIGIT_YEAR_PIVOT else 1900
    return year


def _make_date(year: int, month: int, day: int) -> DateReading:
    """A date from its parts, or the reason it is not one (never rolled over)."""
    if not 1 <= month <= 12:
        if 1 <= day <= 12 and 13 <= month <= 31 and year >= 1:
            return _date_problem("month_first", day=month, month=day, year=year)
        return _date_problem("bad_month", month=month)
    if year < 1 or year > 9999:
        return _date_problem("unreadable")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return _date_problem("impossible", day=day, month=month, year=year, last=last)
    return DateReading(dt.date(year, month, day))


def parse_date(value: Any) -> DateReading:
    """One cell → a date, or why not. Date cells, sheet serials (numbers or text), `dd/mm/yyyy`,
    `d/m/yy`, `dd-mm-yyyy`, `dd.mm.yyyy`, `yyyy-mm-dd` (with or without a time),
    `ngày 05 tháng 3 năm 2023`, `05-Mar-2023`, `20230305`."""
    if value is None:
        return _EMPTY_DATE
    if isinstance(value, str):
        return _date_from_text(value)
    if isinstance(value, bool | np.bool_):
        return _date_problem("not_a_date")
    if isinstance(value, dt.datetime):  # pd.Timestamp too
        if pd.isna(value):
            return _EMPTY_DATE
        return DateReading(value.date())
    if isinstance(value, dt.date):
        return DateReading(value)
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return _EMPTY_DATE
        return DateReading(pd.Timestamp(value).date())
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return _EMPTY_DATE
        return _date_from_number(number)
    if isinstance(value, dt.time | dt.timedelta):
        return _date_problem("time_only")
    return _date_problem("not_a_date")


def _date_from_number(number: float) -> DateReading:
    if not math.isfinite(number):
        return _date_problem("number")
    if number.is_integer() and 19_000_101 <= number <= 21_001_231:  # 20230305 typed as a number
        digits = str(int(number))
        reading = _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if reading.value is not None:
            return reading
    if number.is_integer() and 1900 <= number <= 2100:
        return _date_problem("year_only", year=int(number))
    if not MIN_SERIAL <= number <= MAX_SERIAL:
        return _date_problem("number")
    return DateReading(SERIAL_EPOCH + dt.timedelta(days=math.floor(number)))


# Text dates and amounts are read once per process, not once per batch: the validator parses each
# distinct value of a batch, and a sync's batches (one process validates many) repeat the same
# `15/03/2023` and `50 triệu` (the validate benchmark's first 400,000 rows as 16 batches: 9,533
# text amounts parsed instead of 77,320, and 7 % less CPU). Readings are frozen: sharing is safe.
_TEXT_MEMO = 1 << 16


@lru_cache(maxsize=_TEXT_MEMO)
def _date_from_text(value: str) -> DateReading:
    text = clean_text(value)
    if not text:
        return _EMPTY_DATE
    if text.upper() in catalog.ERROR_VALUES:
        return _FORMULA_DATE
    key = " ".join(fold(text).lower().replace("\n", " ").split())
    key = key.strip(" .,;'\"“”‘’()[]")
    key = _PREFIX.sub("", key).strip(" .,;:")
    if len(_DATE_LIKE.findall(key)) >= 2 or (_RANGE_WORDS.search(key) and _DATE_LIKE.search(key)):
        first = _DATE_LIKE.search(key)
        return _date_problem("range", first=first.group() if first else "05/03/2023")
    if m := _ISO.match(key):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _YMD.match(key):
        return _make_date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(key) or _WORDS.match(key):
        return _make_date(_year(m[3]), int(m[2]), int(m[1]))
    if m := _EN_DMY.match(key):
        return _make_date(_year(m[3]), _MONTHS_EN[m[2]], int(m[1]))
    if m := _EN_MDY.match(key):
        return _make_date(int(m[3]), _MONTHS_EN[m[1]], int(m[2]))
    compact = key.replace(" ", "")
    if _DIGITS8.match(compact):
        if 1900 <= int(compact[:4]) <= 2100:
            return _make_date(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
        return _make_date(int(compact[4:]), int(compact[2:4]), int(compact[:2]))
    if _SERIAL_TEXT.match(compact):
        return _date_from_number(float(compact.replace(",", ".")))
    if (m := _MONTH_YEAR.match(key)) and 1 <= int(m[1]) <= 12:
        return _date_problem("month_only", month=int(m[1]), year=int(m[2]))
    if (m := _YEAR_MONTH.match(key)) and 1 <= int(m[2]) <= 12:
        return _date_problem("month_only", month=int(m[2]), year=int(m[1]))
    if m := _QUARTER.match(key):
        return _date_problem("quarter_only", year=int(m[2]))
    if m := _YEAR.match(key):
        return _date_problem("year_only", year=int(m[1]))
    if (m := _DAY_MONTH.match(key)) and 1 <= int(m[1]) <= 31 and 1 <= int(m[2]) <= 12:
        return _date_problem("no_year", day=int(m[1]), month=int(m[2]))
    if _TIME_ONLY.match(key):
        return _date_problem("time_only")
    return _date_problem("unreadable")


def format_date(value: dt.date) -> str:
    """05/03/2023: the Vietnamese numeric date."""
    return value.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MoneyReading:
    """VND per year, "not computable", or why not: `code` is `invalid_money`, `negative_money` or
    `ambiguous_money` (the value is then the Vietnamese reading); `reason` fills an
    `invalid_money` message, `readings` and `example` an `ambiguous_money` one."""

    value: int | None
    not_computable: bool = False
    code: str | None = None
    reason: str = ""
    readings: str = ""
    example: str = ""

    @property
    def reading(self) -> str:
        return "" if self.value is None else format_vnd(self.value)


def _money_problem(problem: str) -> MoneyReading:
    return MoneyReading(None, code="invalid_money", reason=catalog.MONEY_PROBLEMS[problem])


_EMPTY_MONEY = MoneyReading(None)
_NEGATIVE_MONEY = MoneyReading(None, code="negative_money")
_NOT_COMPUTABLE = MoneyReading(None, not_computable=True)


def _words_pattern(words: tuple[str, ...] | list[str]) -> str:
    keys = sorted({fold_key(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(k) for k in keys if k)


_UNIT_VALUES = {fold_key(k): v for k, v in catalog.MONEY_MULTIPLIERS.items()}
_UNITS = _words_pattern(list(catalog.MONEY_MULTIPLIERS))
_CURRENCY = _words_pattern(catalog.MONEY_CURRENCY_WORDS)
_PER_YEAR = _words_pattern(catalog.MONEY_PER_YEAR)
_NC_RE = re.compile(rf"^(?:{_words_pattern(catalog.NOT_COMPUTABLE_WORDS)})(?![a-z0-9])")
_PLACEHOLDERS = frozenset(catalog.MONEY_PLACEHOLDERS)
_FILLER_WORDS = [w for w in catalog.MONEY_FILLERS if fold_key(w)[:1].isalpha()]
_FILLER_SIGNS = "".join(w for w in catalog.MONEY_FILLERS if not fold_key(w)[:1].isalpha())
_FILLERS_RE = re.compile(
    rf"^(?:(?:(?:{_words_pattern(_FILLER_WORDS)})(?![a-z0-9])|[{re.escape(_FILLER_SIGNS)}])\s*:?\s*)+")
_OTHER_PERIOD_RE = re.compile(rf"(?:{_words_pattern(catalog.MONEY_OTHER_PERIODS)})(?![a-z])")
_FOREIGN_RE = re.compile(
    rf"(?<![a-z])(?:{_words_pattern(catalog.MONEY_FOREIGN)})(?![a-z])|\$|€")
_EDGE_WORDS_RE = re.compile(
    rf"^(?:(?:{_CURRENCY})(?![a-z0-9])\s*)+|(?<![a-z.])(?:\s*(?:{_CURRENCY}|{_PER_YEAR})\.?)+$")
_NUMBER = r"\d(?:[\d.,]|\s(?=\d{3}(?!\d)))*"
# A number, its unit, and the spoken shorthand's digit (`1tr5`) or group (`1tr500`) after it.
_PIECE_RE = re.compile(
    rf"\s*({_NUMBER})\s*(?:({_UNITS})(?![a-z])(\d(?![\d.,])|\d{{3}}(?![\d.,]))?)?\s*")
_RANGE_RE = re.compile(r"\d\s*(?:-|–|—|~|den|toi|hoac)\s*\d")
_GROUPED = {sep: re.compile(r"^\d{1,3}(?:" + re.escape(sep) + r"\d{3})+$") for sep in ".,"}


def _read_number(text: str, has_unit: bool) -> tuple[Decimal, Decimal | None] | None:
    """A number written with `.`/`,` separators → (the Vietnamese reading, the other reading when
    it is readable two ways); None when it is not a number (rules 1–3 of the module doc)."""
    text = text.replace(" ", "")
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        whole, _, frac = text.rpartition(decimal)
        if not frac or not _GROUPED[thousands].match(whole):
            return None
        return Decimal(whole.replace(thousands, "") + "." + frac), None
    if not dots and not commas:
        return Decimal(text), None
    sep = "." if dots else ","
    if dots + commas > 1:
        if not _GROUPED[sep].match(text):
            return None
        return Decimal(text.replace(sep, "")), None
    whole, frac = text.split(sep)
    if not whole or not frac:
        return None
    as_decimal = Decimal(whole + "." + frac)
    if len(frac) != 3:
        return as_decimal, None
    as_thousands = Decimal(whole + frac)
    if not has_unit:
        return as_thousands, None
    if sep == ".":
        return as_thousands, as_decimal
    return as_decimal, as_thousands


def _vnd(amount: Decimal) -> int:
    return int(amount.to_integral_value(rounding="ROUND_HALF_UP"))


def parse_money(value: Any, scale: int = 1) -> MoneyReading:
    """One cell → VND per year, "not computable", or why not. `scale` is the unit the column's
    header names (`Giá trị làm lợi (triệu đồng)` → 1 000 000) for bare numbers."""
    if value is None:
        return _EMPTY_MONEY
    if isinstance(value, str):
        return _money_from_text(value, scale)
    if isinstance(value, bool | np.bool_ | dt.date | dt.time | dt.timedelta | np.datetime64):
        return _money_problem("not_money")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return _EMPTY_MONEY
        if not math.isfinite(number) or abs(number) > catalog.MAX_BENEFIT_VND:
            return _money_problem("too_large")
        if number < 0:
            return _NEGATIVE_MONEY
        exact = isinstance(value, int | np.integer)
        amount = Decimal(int(value)) if exact else Decimal(repr(number))
        return _scaled(amount, scale, format_vnd(_vnd(amount)) if amount == amount.to_integral()
                       else str(amount).replace(".", ","))
    return _money_problem("not_money")


def _scaled(amount: Decimal, scale: int, written: str) -> MoneyReading:
    """A bare amount (no unit of its own) in a column whose header names `scale`."""
    if scale != 1 and amount >= 1_000_000:
        # 150.000.000 in a "(triệu đồng)" column: surely đồng, as written; say so.
        literal = _checked(amount, None)
        if literal.value is None:
            return literal
        other = _vnd(amount * scale)
        return MoneyReading(literal.value, code="ambiguous_money",
                            readings=f"{format_vnd(literal.value)} đồng hoặc {written} × "
                                     f"{format_vnd(scale)} = {format_vnd(other)} đồng",
                            example=format_vnd(literal.value) + " đồng")
    return _checked(amount * scale, None)


def _checked(amount: Decimal, other: Decimal | None) -> MoneyReading:
    if amount > catalog.MAX_BENEFIT_VND:
        return _money_problem("too_large")
    if amount != amount.to_integral() and amount < 1000:
        return _money_problem("no_unit")
    vnd = _vnd(amount)
    if other is None or _vnd(other) == vnd:
        return MoneyReading(vnd)
    return MoneyReading(vnd, code="ambiguous_money",
                        readings=f"{format_vnd(vnd)} đồng hoặc {format_vnd(_vnd(other))} đồng",
                        example=format_vnd(vnd))


@lru_cache(maxsize=_TEXT_MEMO)
def _money_from_text(value: str, scale: int) -> MoneyReading:
    text = clean_text(value)
    if not text:
        return _EMPTY_MONEY
    if text.upper() in catalog.ERROR_VALUES:
        return _money_problem("formula")
    if text in _PLACEHOLDERS:
        return _EMPTY_MONEY
    key = " ".join(fold(text).lower().replace("₫", " d ").replace("−", "-").split())
    plain = re.sub(r"\([^)]*\)?", " ", key).strip(" .,;:!*")
    if _NC_RE.match(plain) or _NC_RE.match(key):
        return _NOT_COMPUTABLE
    if _OTHER_PERIOD_RE.search(key):
        return _money_problem("other_period")
    if _FOREIGN_RE.search(key):
        return _money_problem("foreign")
    negative = False
    body = key.strip(" ;:*")
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1].strip()
    body = _FILLERS_RE.sub("", body)
    if body.startswith(("-", "+")):
        negative = negative or body[0] == "-"
        body = body[1:].lstrip()
    body = _EDGE_WORDS_RE.sub("", body).strip(" :")
    if body.startswith("-"):
        negative, body = True, body[1:].lstrip()
    if not body or not body[0].isdigit():
        return _money_problem("unreadable")
    if _RANGE_RE.search(body):
        return _money_problem("range")
    total = Decimal(0)
    other_total = Decimal(0)
    ambiguous = False
    previous_unit = 0
    pos = 0
    has_any_unit = False
    while pos < len(body):
        m = _PIECE_RE.match(body, pos)
        if m is None or m.end() == pos:
            return _money_problem("unreadable")
        number_text, unit, tail = m.group(1), m.group(2), m.group(3)
        multiplier = _UNIT_VALUES[unit] if unit else 1
        if previous_unit and (not unit or multiplier >= previous_unit):
            return _money_problem("unreadable")  # "1 tỷ 2", "500 triệu 1 tỷ"
        try:
            read = _read_number(number_text.strip(), has_unit=unit is not None or scale != 1)
        except (InvalidOperation, ValueError):
            return _money_problem("unreadable")
        if read is None:
            return _money_problem("unreadable")
        number, other = read
        if tail is not None:  # 1tr5 = 1,5 triệu; only after a whole number
            if number != number.to_integral() or other is not None:
                return _money_problem("unreadable")
            number = Decimal(f"{int(number)}.{tail}")
        if unit is None:
            if m.end() != len(body):
                return _money_problem("unreadable")  # "2 3 triệu"
            if scale != 1 and not has_any_unit and m.end() == len(body):
                if other is None and number >= 1_000_000:
                    return _negative_or(negative, _scaled(number, scale, number_text.strip()))
                multiplier = scale
        else:
            has_any_unit = True
        if other is not None:
            ambiguous = True
            other_total += other * multiplier
        else:
            other_total += number * multiplier
        total += number * multiplier
        previous_unit = multiplier if unit else 0
        pos = m.end()
    reading = _checked(total, other_total if ambiguous else None)
    return _negative_or(negative, reading)


def _negative_or(negative: bool, reading: MoneyReading) -> MoneyReading:
    if negative and reading.value is not None and reading.value != 0:
        return _NEGATIVE_MONEY
    return reading


def format_vnd(amount: int) -> str:
    """1500000 → '1.500.000' (Vietnamese grouping, no currency sign)."""
    return f"{amount:,}".replace(",", ".")


def header_scale(header: str | None) -> int:
    """The unit a benefit column's header names for its bare numbers: `Giá trị làm lợi (triệu
    đồng)` → 1 000 000, `(nghìn đồng)` → 1 000, `(tỷ đồng)` → 10⁹; the template's `(đồng/năm)` → 1."""
    if not header:
        return 1
    key = fold_key(header)
    if re.search(r"(?<![a-z])(?:trieu|tr\.?\s?d|trd)(?![a-z])|\(\s*tr\s*\)", key):
        return 1_000_000
    if re.search(r"(?<![a-z])(?:ty|ti)(?:\s*dong)?(?![a-z])", key):
        return 1_000_000_000
    if re.search(r"(?<![a-z])(?:nghin|ngan)(?![a-z])|1[.,]?000\s*d(?:ong)?(?![a-z])|\(\s*k\s*\)",
                 key):
        return 1_000
    return 1


# --------------------------------------------------------------------------------------------------
# Enumerations and yes/no
# --------------------------------------------------------------------------------------------------

# `kỹ`/`kĩ`, `lý`/`lí`, `tỷ`/`tỉ`: both spellings are correct Vietnamese; keys use `i`.
_I_Y = re.compile(r"\b(k|l|m|s|t|h|v|d|n|b|ph|th|ch|tr|qu)y\b")
_ENUMERATOR = re.compile(r"^\s*(?:\d{1,2}|[a-e]|[ivx]{1,4})\s*[.)\-:/]\s*(?=\w)")


def enum_key(value: str) -> str:
    """Key of an enumeration value: folded, lower case, punctuation as spaces, leading numbering
    (`1.`, `a)`) dropped, `y`/`i` spellings unified."""
    key = _ENUMERATOR.sub("", fold_key(value))
    key = " ".join(re.sub(r"[^\w]|_", " ", key).split())
    return _I_Y.sub(r"\1i", key)


def _alias_table(catalogue: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, aliases in catalogue.items():
        for name in (canonical, *aliases):
            table.setdefault(enum_key(name), canonical)
    return table


_SOLUTION_TYPES = _alias_table(catalog.SOLUTION_TYPES)
_STATUSES = _alias_table(catalog.STATUSES)


def _yes_no_key(value: str) -> str:
    key = fold_key(value)
    stripped = " ".join(re.sub(r"[^\w✓✔☑✅✗✘☐\-–—]|_", " ", key).split())
    return _I_Y.sub(r"\1i", stripped or key)


_YES = {_yes_no_key(w) for w in catalog.YES_WORDS}
_NO = {_yes_no_key(w) for w in catalog.NO_WORDS}


def _enum(table: dict[str, str], value: Any) -> str | None:
    if value is None or isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            return None
        if float(value).is_integer():
            value = int(value)
    if not isinstance(value, str | int | np.integer):
        return None
    return table.get(enum_key(str(value)))


def parse_solution_type(value: Any) -> str | None:
    """Canonical solution type (`KT`, `kỹ thuật`, `GIẢI PHÁP KĨ THUẬT` → `Giải pháp kỹ thuật`), or
    None when unknown."""
    return _enum(_SOLUTION_TYPES, value)


def parse_status(value: Any) -> str | None:
    """Canonical status, or None when unknown."""
    return _enum(_STATUSES, value)


def parse_yes_no(value: Any) -> bool | None:
    """True/False, or None when the cell says something else. Empty is "no"."""
    if value is None:
        return False
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isnan(number):
            return False
        return True if number == 1 else False if number == 0 else None
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if not text:
        return False
    key = _yes_no_key(text)
    if key in _YES:
        return True
    if key in _NO:
        return False
    # "Có, giảm tai nạn lao động" / "Không - …": a yes or no, then why.
    m = _ANSWER_FIRST.match(fold_key(text))
    if m:
        return m.group(1) == "co"
    return None


_ANSWER_FIRST = re.compile(r"^(co|khong|ko)\s*[,;:.\-–(]")


# --------------------------------------------------------------------------------------------------
# Column forms
# --------------------------------------------------------------------------------------------------

def distinct(values: np.ndarray | pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(codes, uniques) of a column: `uniques[codes[i]]` is cell i, code -1 an empty cell
    (None/NaN/NaT). Factorised in C; booleans are kept apart from the numbers they equal
    (`True == 1`), which pandas would merge."""
    array = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if len(array) == 0:
        return np.empty(0, dtype=np.intp), []
    codes, uniques = pd.factorize(array, use_na_sentinel=True)
    codes = codes.astype(np.intp, copy=False)
    items = list(uniques)
    for k, u in enumerate(list(items)):
        if not isinstance(u, bool | int | float | np.bool_ | np.integer | np.floating) \
                or u not in (0, 1):
            continue
        positions = np.flatnonzero(codes == k)
        is_bool = np.fromiter((isinstance(array[i], bool | np.bool_) for i in positions),
                              dtype=bool, count=len(positions))
        if is_bool.all():
            items[k] = bool(u)
        elif not is_bool.any():
            items[k] = array[positions[0]]
        else:
            items[k] = array[positions[~is_bool][0]]
            items.append(bool(u))
            codes[positions[is_bool]] = len(items) - 1
    return codes, items


def spread(results: list[Any], codes: np.ndarray, empty: Any = None,
           dtype: Any = object) -> np.ndarray:
    """`results[codes[i]]` for every cell, `empty` where the code is -1."""
    table = np.empty(len(results) + 1, dtype=dtype)
    if len(results):
        table[:-1] = results
    table[-1] = empty
    return table[codes]


def parse_column(values: np.ndarray | pd.Series, parse: Callable[[Any], T]
                 ) -> tuple[np.ndarray, list[T], T]:
    """Parse each distinct value of a column once: (codes, readings per distinct value, reading of
    an empty cell). Spread one attribute back with `spread([r.x for r in readings], codes, ...)`."""
    codes, uniques = distinct(values)
    return codes, [parse(u) for u in uniques], parse(None)
