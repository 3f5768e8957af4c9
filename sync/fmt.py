"""Vietnamese number, money, percent and date formats (CLDR `vi_VN` through Babel).

`1.500.000`, `1.500.000 ₫`, `10,5 %`, `05/03/2024`: the forms leaders and units read everywhere —
CLI, sheets notes and digests — from one place.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "vi_VN"


def number(value: float | int | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, locale=LOCALE)


def money(value: float | int | None, sign: bool = True) -> str:
    """`1.500.000 ₫` (no-break space before the sign, as CLDR writes it)."""
    if value is None:
        return ""
    if not sign:
        return format_decimal(round(value), format="#,##0", locale=LOCALE)
    return format_currency(Decimal(round(value)), "VND", locale=LOCALE)


def percent(value: float | None, digits: int = 1) -> str:
    """`10,5 %` from 0.105 (one decimal by default, the programme's usual precision)."""
    if value is None:
        return ""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(round(value * 100, digits), format=pattern, locale=LOCALE) + " %"


def date(value: dt.date | None) -> str:
    """`05/03/2024`."""
    if value is None:
        return ""
    return format_date(value, format="dd/MM/yyyy", locale=LOCALE)


def datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y %H:%M")


# -- digests: changes and counts ------------------------------------------------------------------

MINUS = "\u2212"  # a real minus sign, as typeset Vietnamese text uses


def signed(value: int | float | None) -> str:
    """`+12`, `−3`, `0`: a change in a count."""
    if value is None:
        return ""
    if value == 0:
        return "0"
    text = format_decimal(abs(value), locale=LOCALE)
    return ("+" if value > 0 else MINUS) + text


def percent_points(delta: float | None, digits: int = 1) -> str:
    """`+1,2 điểm %` from a change of 0.012 in a rate; `0,0 điểm %` when it did not move."""
    if delta is None:
        return ""
    points = round(delta * 100, digits)
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    text = format_decimal(abs(points), format=pattern, locale=LOCALE)
    sign = "+" if points > 0 else (MINUS if points < 0 else "")
    return f"{sign}{text} điểm %"
