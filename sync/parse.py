"""Cell parsers: dates, money, enumerations and yes/no, as units really type them (SPEC §4).

Each parser has a scalar form that reads one cell and says what went wrong, and a column form that
applies it to a pandas Series. Column forms parse each *distinct* value once (real columns repeat
dates, amounts and types a lot), handle numbers and date cells with vectorised code, and map the
results back — so a million rows cost a few thousand scalar calls, not a million.

Nothing here guesses: a month without a day, an impossible date or a US-style date is an
`invalid_date`; an amount readable two ways is read the Vietnamese way and reported.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from sync import catalog
from sync.text import clean_text, fold

T = TypeVar("T")

# Sheet serial numbers count days since 1899-12-30 (Google; Excel's 1900 system agrees from
# 1900-03-01 on, which covers every date this programme can have).
SERIAL_EPOCH = dt.date(1899, 12, 30)
_EPOCH_NS = np.datetime64("1899-12-30", "D")
MIN_SERIAL = 367  # 1901-01-01: smaller numbers are not dates a unit means
MAX_SERIAL = 2_958_465  # 9999-12-31


def _folded(value: str) -> str:
    return re.sub(r"\s+", " ", fold(clean_text(value)).lower()).strip()


def is_error_value(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in catalog.ERROR_VALUES


# --------------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DateReading:
    value: dt.date | None
    code: str | None = None  # invalid_date | formula_error
    detail: str = ""  # extra hint text


_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})$")
_YMD = re.compile(
    r"^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DMY_TIME = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s+\d{1,2}:\d{2}(?::\d{2})?$")
_WORDS = re.compile(
    r"^(?:ngay\s*)?(\d{1,2})\s*(?:thang|/|-|\.)\s*(\d{1,2})\s*(?:nam|/|-|\.)\s*(\d{4})$"
)
_MONTH_ONLY = re.compile(
    r"^(?:thang\s*|t\s*)?(\d{1,2})\s*(?:/|-|\.|nam|\s)\s*(?:nam\s*)?(\d{4}|\d{2})$"
)
_YEAR_ONLY = re.compile(r"^(?:nam\s*)?(\d{4})$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")


def _make_date(year: int, month: int, day: int, raw: str) -> DateReading:
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        if 1 <= day <= 12 and 1 <= month <= 31:
            return DateReading(None, "invalid_date",
                               f"; «{raw}» có vẻ ghi tháng trước ngày — hãy ghi ngày trước, "
                               f"ví dụ {month:02d}/{day:02d}/{year}")
        return DateReading(None, "invalid_date", f"; tháng {month} không có thật")
    try:
        return DateReading(dt.date(year, month, day))
    except ValueError:
        return DateReading(None, "invalid_date",
                           f"; ngày {day:02d}/{month:02d}/{year} không có trong lịch")


def parse_date(value: Any) -> DateReading:
    """One cell → a date, or why not."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DateReading(None)
    if isinstance(value, dt.datetime):
        return DateReading(value.date())
    if isinstance(value, dt.date):
        return DateReading(value)
    if isinstance(value, bool):
        return DateReading(None, "invalid_date")
    if isinstance(value, int | float):
        return _date_from_number(float(value))
    if isinstance(value, dt.time | dt.timedelta):
        return DateReading(None, "invalid_date", "; ô chỉ có giờ, không có ngày")
    text = str(value).strip()
    if not text:
        return DateReading(None)
    if is_error_value(text):
        return DateReading(None, "formula_error")
    key = _folded(text)
    key = re.sub(r"\s*(?:ngay|thang|nam)\s*", lambda m: f" {m.group(0).strip()} ", key).strip()
    key = re.sub(r"\s+", " ", key)
    compact = key.replace(" ", "")
    if m := _DMY.match(compact) or _DMY_TIME.match(key):
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), text)
    if m := _YMD.match(key):
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    if m := _WORDS.match(key):
        return _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), text)
    if _SERIAL_TEXT.match(compact):
        return _date_from_number(float(compact))
    if (m := _MONTH_ONLY.match(key)) and 1 <= int(m.group(1)) <= 12:
        return DateReading(None, "invalid_date", "; thiếu ngày — ghi rõ ngày áp dụng")
    if _YEAR_ONLY.match(key):
        return DateReading(None, "invalid_date", "; chỉ có năm — ghi rõ ngày và tháng")
    if re.fullmatch(r"\d{8}", compact):
        year, month, day = int(compact[:4]), int(compact[4:6]), int(compact[6:])
        if 1990 <= year <= 2100:
            return _make_date(year, month, day, text)
    return DateReading(None, "invalid_date")


def _date_from_number(number: float) -> DateReading:
    if number.is_integer() and 19_000_101 <= number <= 21_001_231:  # 20230305 typed as a number
        digits = str(int(number))
        return _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), digits)
    if 1900 <= number <= 2100 and number.is_integer():
        return DateReading(None, "invalid_date", "; chỉ có năm — ghi rõ ngày và tháng")
    if not MIN_SERIAL <= number <= MAX_SERIAL:
        return DateReading(None, "invalid_date")
    return DateReading(SERIAL_EPOCH + dt.timedelta(days=math.floor(number)))


def serials_to_dates(numbers: pd.Series) -> pd.Series:
    """Vectorised: sheet serial numbers → datetime64 (NaT outside the sane range)."""
    values = numbers.to_numpy(dtype="float64")
    ok = (values >= MIN_SERIAL) & (values <= MAX_SERIAL) & ~((values >= 1900) & (values <= 2100))
    days = np.where(ok, np.floor(np.nan_to_num(values)), 0).astype("int64")
    out = (_EPOCH_NS + days.astype("timedelta64[D]")).astype("datetime64[s]")
    return pd.Series(np.where(ok, out, np.datetime64("NaT")), index=numbers.index,
                     dtype="datetime64[s]")


# --------------------------------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MoneyReading:
    value: int | None
    not_computable: bool = False
    code: str | None = None  # invalid_money | negative_money | ambiguous_money
    reading: str = ""  # how an ambiguous value was read, for the message


_MULTIPLIERS: dict[str, int] = {
    "nghin": 1_000, "ngan": 1_000, "k": 1_000, "ng": 1_000,
    "trieu": 1_000_000, "tr": 1_000_000, "m": 1_000_000,
    "ty": 1_000_000_000, "ti": 1_000_000_000, "t": 1_000_000_000,
}
_CURRENCY = re.compile(
    r"(?:vn\s*d|vnd|dong|d|₫|đ)\s*(?:/\s*(?:nam|1\s*nam)|moi\s*nam|mot\s*nam|/\s*n)?$"
)
_PER_YEAR = re.compile(r"\s*(?:/\s*(?:nam|1\s*nam|n)|moi\s*nam|mot\s*nam|trong\s*1\s*nam)\s*$")
_FILLERS = re.compile(r"^(?:khoang|uoc\s*tinh|uoc|du\s*kien|gan|xap\s*xi|tren|hon|~|≈|>|>=)\s*")
_AMOUNT = re.compile(r"(-?\d[\d.,\s]*)\s*(nghin|ngan|trieu|tr|ty|ti|k|m|t)?\b")
_NOT_COMPUTABLE = {_folded(w) for w in catalog.NOT_COMPUTABLE_WORDS}


def _read_number(text: str, has_unit: bool) -> tuple[float, bool] | None:
    """A number written with `.`/`,` separators → (value, ambiguous)."""
    text = text.strip()
    negative = text.startswith("-")
    text = text.lstrip("-").strip()
    # Spaces between digit groups: 1 500 000
    if re.fullmatch(r"\d{1,3}(?: \d{3})+", text):
        text = text.replace(" ", "")
    if " " in text or not text:
        return None
    dots, commas = text.count("."), text.count(",")
    ambiguous = False
    if dots and commas:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        whole, _, frac = text.rpartition(decimal)
        if decimal in whole or not _grouped(whole, thousands):
            return None
        number = float(whole.replace(thousands, "") + "." + frac)
    elif dots + commas == 0:
        number = float(text)
    else:
        sep = "." if dots else ","
        parts = text.split(sep)
        if len(parts) > 2:
            if not _grouped(text, sep):
                return None
            number = float(text.replace(sep, ""))
        else:
            whole, frac = parts
            if not whole or not frac:
                return None
            if len(frac) == 3 and not has_unit:
                number = float(whole + frac)  # 1.500 / 1,500 → thousands (VND has no decimals)
            elif len(frac) == 3 and has_unit:
                # 1.500 triệu / 1,500 triệu: Vietnamese reading decides by the separator.
                ambiguous = True
                number = float(whole + frac) if sep == "." else float(whole + "." + frac)
            else:
                number = float(whole + "." + frac)
                if not has_unit:
                    ambiguous = True  # decimals of a đồng: maybe a unit was forgotten
    return (-number if negative else number), ambiguous


def _grouped(text: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", text) is not None


def parse_money(value: Any) -> MoneyReading:
    """One cell → VND per year, `không tính được`, or why not."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MoneyReading(None)
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        return MoneyReading(None, code="invalid_money")
    if isinstance(value, int | float):
        if value < 0:
            return MoneyReading(None, code="negative_money")
        if math.isinf(value):
            return MoneyReading(None, code="invalid_money")
        return MoneyReading(round(value))
    text = str(value).strip()
    if not text:
        return MoneyReading(None)
    if is_error_value(text):
        return MoneyReading(None, code="invalid_money")
    key = _folded(text).replace("₫", " d ")
    key = re.sub(r"\s+", " ", key).strip()
    if key in _NOT_COMPUTABLE or key.rstrip(".") in _NOT_COMPUTABLE:
        return MoneyReading(None, not_computable=True)
    key = _FILLERS.sub("", key)
    key = _PER_YEAR.sub("", key).strip()
    key = _CURRENCY.sub("", key).strip()
    key = _PER_YEAR.sub("", key).strip()
    if not key or not re.search(r"\d", key):
        return MoneyReading(None, code="invalid_money")
    negative = key.startswith("-")
    key = key.lstrip("-").strip()
    # Sequences like "1 tỷ 500 triệu" or "1 ty 2": sum of amount × unit.
    total = 0.0
    ambiguous = False
    pos = 0
    pieces = 0
    units_seen: list[int] = []
    for m in _AMOUNT.finditer(key):
        if key[pos:m.start()].strip():
            return MoneyReading(None, code="invalid_money")
        number_text, unit = m.group(1).strip(), m.group(2)
        multiplier = _MULTIPLIERS[unit] if unit else 1
        if not unit and pieces and units_seen:
            # trailing bare number after a unit: "1 tỷ 2" → 1.2 tỷ is too clever; refuse.
            return MoneyReading(None, code="invalid_money")
        read = _read_number(number_text, has_unit=unit is not None)
        if read is None:
            return MoneyReading(None, code="invalid_money")
        number, amb = read
        if units_seen and multiplier >= units_seen[-1]:
            return MoneyReading(None, code="invalid_money")
        units_seen.append(multiplier)
        ambiguous |= amb
        total += number * multiplier
        pieces += 1
        pos = m.end()
    if pieces == 0 or key[pos:].strip():
        return MoneyReading(None, code="invalid_money")
    if negative:
        return MoneyReading(None, code="negative_money")
    amount = round(total)
    if ambiguous:
        return MoneyReading(amount, code="ambiguous_money", reading=f"{format_vnd(amount)} đồng")
    return MoneyReading(amount)


def format_vnd(amount: int) -> str:
    """1500000 → '1.500.000' (Vietnamese grouping, no currency sign)."""
    return f"{amount:,}".replace(",", ".")


# --------------------------------------------------------------------------------------------------
# Enumerations and yes/no
# --------------------------------------------------------------------------------------------------

def _enum_key(value: str) -> str:
    key = _folded(value)
    key = re.sub(r"[^\w\s]", " ", key)
    return re.sub(r"\s+", " ", key).strip()


def _alias_table(catalogue: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, aliases in catalogue.items():
        for name in (canonical, *aliases):
            table.setdefault(_enum_key(name), canonical)
    return table


_SOLUTION_TYPES = _alias_table(catalog.SOLUTION_TYPES)
_STATUSES = _alias_table(catalog.STATUSES)
_YES = {_enum_key(w) or w for w in catalog.YES_WORDS}
_NO = {_enum_key(w) or w for w in catalog.NO_WORDS}


def _enum(table: dict[str, str], value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return table.get(_enum_key(str(value)))


def parse_solution_type(value: Any) -> str | None:
    """Canonical type, or None when unknown."""
    return _enum(_SOLUTION_TYPES, value)


def parse_status(value: Any) -> str | None:
    return _enum(_STATUSES, value)


def parse_yes_no(value: Any) -> bool | None:
    """True/False, or None when the cell says something else."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if math.isnan(value) else value != 0
    text = str(value).strip()
    if not text:
        return False
    key = _enum_key(text) or text
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


# --------------------------------------------------------------------------------------------------
# Column forms
# --------------------------------------------------------------------------------------------------

def map_distinct(values: pd.Series, parse: Callable[[Any], T]) -> pd.Series:
    """Apply a scalar parser once per distinct (hashable) value and map the results back."""
    if values.empty:
        return pd.Series([], index=values.index, dtype=object)
    keys = values.map(_hash_key)
    uniques = pd.unique(keys.to_numpy())
    table = {k: parse(_unhash(k)) for k in uniques}
    return pd.Series([table[k] for k in keys.to_numpy()], index=values.index, dtype=object)


def _hash_key(value: Any) -> Any:
    # Distinguish 1 from True from "1" and keep NaN as one key.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return (type(value).__name__, value)


def _unhash(key: Any) -> Any:
    return None if key is None else key[1]


def fields_of(readings: pd.Series, names: Iterable[str]) -> dict[str, pd.Series]:
    """Split a Series of reading dataclasses into one Series per attribute."""
    out: dict[str, pd.Series] = {}
    items = readings.to_numpy()
    for name in names:
        out[name] = pd.Series([getattr(r, name) for r in items], index=readings.index,
                              dtype=object)
    return out
