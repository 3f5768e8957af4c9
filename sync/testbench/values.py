"""Cell values: what `valueInputOption` stores and what `valueRenderOption` returns.

A cell keeps its *userEnteredValue* (an ExtendedValue: stringValue / numberValue / boolValue /
formulaValue) and *userEnteredFormat*; the effective value is computed when read, so formulas see
the current values of the cells they reference. RAW stores strings as strings; USER_ENTERED parses
them the way a person's typing is parsed (numbers, percentages, booleans, dates, `=` formulas,
a leading `'` forcing text). Dates are serial numbers (days since 1899-12-30) with a DATE format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

EPOCH = dt.date(1899, 12, 30)


@dataclass
class Cell:
    user: dict[str, Any] | None = None  # ExtendedValue as the user entered it
    fmt: dict[str, Any] | None = None  # userEnteredFormat
    note: str | None = None
    validation: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # hyperlink, textFormatRuns …

    def is_empty(self) -> bool:
        return self.user is None and not self.fmt and not self.note and not self.validation

    def has_value(self) -> bool:
        return self.user is not None


def number_json(x: float | int) -> float | int:
    """Integral doubles are written without `.0`, as Google's JSON encoder does."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


# --- input -----------------------------------------------------------------------------------

_NUM_EN = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_NUM_DOT_THOUSANDS = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)?(,\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{2}|\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_DAY_FIRST_LOCALES = ("vi", "en_GB", "fr", "de", "es", "it", "pt", "ru", "nl", "pl")


def _day_first(locale: str) -> bool:
    return locale.startswith(_DAY_FIRST_LOCALES)


def _decimal_comma(locale: str) -> bool:
    return locale.startswith(("vi", "de", "fr", "es", "it", "pt", "ru", "nl", "pl", "id"))


def to_serial(d: dt.date, seconds: float = 0.0) -> float:
    return (d - EPOCH).days + seconds / 86400.0


def from_serial(serial: float) -> dt.datetime:
    return dt.datetime.combine(EPOCH, dt.time()) + dt.timedelta(days=serial)


def _parse_number(text: str, locale: str) -> float | None:
    t = text.strip().replace("\u00a0", " ")
    if not t:
        return None
    if _decimal_comma(locale):
        if _NUM_DOT_THOUSANDS.match(t) and any(ch.isdigit() for ch in t):
            return float(t.replace(".", "").replace(",", "."))
        return None
    if _NUM_EN.match(t) and any(ch.isdigit() for ch in t):
        return float(t.replace(",", ""))
    return None


def _date_value(text: str, locale: str) -> tuple[float, str] | None:
    m = _ISO_DATE.match(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        pattern = "yyyy-mm-dd"
        time_part = m.group(4)
    else:
        m = _SLASH_DATE.match(text)
        if not m:
            return None
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if y < 100:
            y += 2000 if y < 30 else 1900
        if _day_first(locale):
            d, mo = a, b
            pattern = "d/m/yyyy" if "/" in text else "d.m.yyyy"
        else:
            mo, d = a, b
            pattern = "M/d/yyyy"
        time_part = m.group(4)
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        return None
    seconds = 0.0
    if time_part is not None:
        hh, mm, ss = int(m.group(4)), int(m.group(5)), int(m.group(6) or 0)
        if hh > 23 or mm > 59 or ss > 59:
            return None
        seconds = hh * 3600 + mm * 60 + ss
        pattern += " H:mm:ss"
    return to_serial(day, seconds), pattern


def parse_user_entered(raw: Any, locale: str = "en_US") -> tuple[dict | None, dict | None]:
    """What typing `raw` into a cell stores: (userEnteredValue, number format or None)."""
    if isinstance(raw, bool):
        return {"boolValue": raw}, None
    if isinstance(raw, (int, float)):
        return {"numberValue": raw}, None
    text = str(raw)
    if text == "":
        return None, None
    if text.startswith("="):
        return {"formulaValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return {"boolValue": stripped.upper() == "TRUE"}, None
    if stripped.endswith("%"):
        num = _parse_number(stripped[:-1], locale)
        if num is not None:
            return {"numberValue": num / 100}, {"type": "PERCENT", "pattern": "0.00%"}
    for symbol, pattern in (("$", '"$"#,##0.00'), ("₫", '#,##0 "₫"'), ("đ", '#,##0 "đ"')):
        if stripped.startswith(symbol) or stripped.endswith(symbol):
            num = _parse_number(stripped.strip(symbol).strip(), locale)
            if num is not None:
                return {"numberValue": num}, {"type": "CURRENCY", "pattern": pattern}
    num = _parse_number(stripped, locale)
    if num is not None:
        group = "." if _decimal_comma(locale) else ","
        point = "," if _decimal_comma(locale) else "."
        if group in stripped:
            decimals = len(stripped.rsplit(point, 1)[1]) if point in stripped else 0
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            return {"numberValue": num}, {"type": "NUMBER", "pattern": pattern}
        return {"numberValue": num}, None
    date = _date_value(stripped, locale)
    if date is not None:
        serial, pattern = date
        kind = "DATE_TIME" if " " in pattern else "DATE"
        return {"numberValue": serial}, {"type": kind, "pattern": pattern}
    tm = _TIME.match(stripped)
    if tm and int(tm.group(1)) < 24 and int(tm.group(2)) < 60:
        secs = int(tm.group(1)) * 3600 + int(tm.group(2)) * 60 + int(tm.group(3) or 0)
        return {"numberValue": secs / 86400}, {"type": "TIME", "pattern": "h:mm:ss am/pm"}
    return {"stringValue": text}, None


def parse_raw(raw: Any) -> dict | None:
    """RAW input: stored exactly as given; strings stay strings."""
    if isinstance(raw, bool):
        return {"boolValue": raw}
    if isinstance(raw, (int, float)):
        return {"numberValue": raw}
    text = str(raw)
    return {"stringValue": text} if text != "" else None


# --- formatting ------------------------------------------------------------------------------


def number_format(cell: Cell) -> dict | None:
    fmt = (cell.fmt or {}).get("numberFormat")
    return fmt if isinstance(fmt, dict) else None


def is_date_format(fmt: dict | None) -> bool:
    return bool(fmt) and fmt.get("type") in ("DATE", "DATE_TIME", "TIME")


def format_general(x: float) -> str:
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    if abs(x) >= 1e15 or (0 < abs(x) < 1e-9):
        return f"{x:.5E}"
    return text


def _format_date(serial: float, pattern: str) -> str:
    moment = from_serial(serial)
    out = pattern
    repl = [
        ("yyyy", f"{moment.year:04d}"),
        ("yy", f"{moment.year % 100:02d}"),
        ("dd", f"{moment.day:02d}"),
        ("HH", f"{moment.hour:02d}"),
        ("H", str(moment.hour)),
        ("hh", f"{(moment.hour % 12) or 12:02d}"),
        ("ss", f"{moment.second:02d}"),
    ]
    tokens = re.split(r"(yyyy|yy|MM|M|mm|m|dd|d|HH|H|hh|h|ss|am/pm)", pattern)
    out_parts = []
    seen_hour = False
    for tok in tokens:
        if tok in ("yyyy", "yy", "dd", "HH", "H", "hh", "ss"):
            out_parts.append(dict(repl)[tok])
            seen_hour = seen_hour or tok in ("HH", "H", "hh")
        elif tok == "h":
            out_parts.append(str((moment.hour % 12) or 12))
            seen_hour = True
        elif tok == "d":
            out_parts.append(str(moment.day))
        elif tok in ("MM", "M"):
            out_parts.append(f"{moment.month:02d}" if tok == "MM" else str(moment.month))
        elif tok in ("mm", "m"):
            # `mm` after an hour is minutes, otherwise month (as in Sheets' patterns).
            val = moment.minute if seen_hour else moment.month
            out_parts.append(f"{val:02d}" if tok == "mm" else str(val))
        elif tok == "am/pm":
            out_parts.append("AM" if moment.hour < 12 else "PM")
        else:
            out_parts.append(tok)
    out = "".join(out_parts)
    return out


def _format_pattern_number(x: float, pattern: str, decimal_comma: bool) -> str:
    pat = re.sub(r'"[^"]*"', "", pattern).strip()
    percent = pat.endswith("%")
    if percent:
        x *= 100
        pat = pat[:-1]
    decimals = len(pat.split(".", 1)[1]) if "." in pat else 0
    grouping = "," in pat
    text = f"{abs(x):,.{decimals}f}" if grouping else f"{abs(x):.{decimals}f}"
    if decimal_comma:
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    if x < 0:
        text = "-" + text
    prefix = "".join(re.findall(r'^"([^"]*)"', pattern))
    suffix = "".join(re.findall(r'"([^"]*)"$', pattern))
    return f"{prefix}{text}{'%' if percent else ''}{suffix}"


def formatted(value: dict | None, fmt: dict | None, locale: str = "en_US") -> str | None:
    """The text a person sees for an effective value under a number format."""
    if value is None:
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return ERROR_TEXT.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    x = value.get("numberValue")
    if x is None:
        return ""
    if fmt and fmt.get("pattern"):
        if is_date_format(fmt):
            return _format_date(float(x), fmt["pattern"])
        return _format_pattern_number(float(x), fmt["pattern"], _decimal_comma(locale))
    if fmt and fmt.get("type") == "PERCENT":
        return _format_pattern_number(float(x), "0.00%", _decimal_comma(locale))
    text = format_general(x)
    if _decimal_comma(locale):
        text = text.replace(".", ",")
    return text


ERROR_TEXT = {
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "ERROR": "#ERROR!",
    "LOADING": "Loading...",
}


def render(
    user: dict | None,
    effective: dict | None,
    fmt: dict | None,
    value_render: str,
    date_render: str,
    locale: str,
) -> Any:
    """One cell as `values.get` returns it; None for an empty cell."""
    if user is None:
        return None
    if value_render == "FORMULA" and "formulaValue" in user:
        return user["formulaValue"]
    if value_render == "FORMATTED_VALUE":
        return formatted(effective, fmt, locale)
    if effective is None:
        return ""
    if "numberValue" in effective:
        if is_date_format(fmt) and date_render == "FORMATTED_STRING":
            return formatted(effective, fmt, locale)
        return number_json(effective["numberValue"])
    if "boolValue" in effective:
        return effective["boolValue"]
    if "stringValue" in effective:
        return effective["stringValue"]
    if "errorValue" in effective:
        return formatted(effective, fmt, locale)
    return ""
