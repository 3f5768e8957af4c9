"""Cell parsers on hand-written corpora (tests/corpus/*.tsv) and property tests (issue 3)."""

from __future__ import annotations

import datetime as dt
import string
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from babel.numbers import format_currency, format_decimal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import catalog
from sync.parse import (
    distinct,
    format_vnd,
    header_scale,
    parse_column,
    parse_date,
    parse_money,
    parse_solution_type,
    parse_status,
    parse_yes_no,
    spread,
)

CORPUS = Path(__file__).parent / "corpus"


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a corpus file: `#` lines are comments, the first other line names the columns."""
    lines = [line for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()
             if not line.startswith("#") and line.strip("\t")]
    return [line.split("\t") for line in lines[1:]]


def typed_cell(kind: str, text: str) -> object:
    if kind == "text":
        return text
    if kind == "number":
        return float(text) if "." in text else int(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "datetime":
        return dt.datetime.fromisoformat(text)
    if kind == "bool":
        return text == "true"
    raise ValueError(kind)


DATES = read_tsv("dates.tsv")
MONEY = read_tsv("money.tsv")
ENUMS = read_tsv("enums.tsv")


def test_corpus_sizes() -> None:
    # Issue 3 asks for at least 200 hand-written cells and rows; these three files alone hold
    # more, with authors, headers and rows in the validator's and sheet's tests.
    assert len(DATES) >= 80 and len(MONEY) >= 120 and len(ENUMS) >= 80


@pytest.mark.parametrize(("kind", "cell", "expected"), DATES, ids=[f"{r[0]}:{r[1]!r}" for r in DATES])
def test_dates_corpus(kind: str, cell: str, expected: str) -> None:
    reading = parse_date(typed_cell(kind, cell))
    if expected == "empty":
        assert reading.value is None and reading.code is None
    elif expected == "formula_error":
        assert reading.code == "formula_error"
    elif expected.startswith("invalid:"):
        problem = expected.split(":", 1)[1]
        assert reading.value is None and reading.code == "invalid_date", reading
        assert _same_template(reading.reason, catalog.DATE_PROBLEMS[problem][0]), (reading, problem)
        assert reading.example  # the hint always shows what to type
    else:
        assert reading == type(reading)(dt.date.fromisoformat(expected)), reading


def _same_template(text: str, template: str) -> bool:
    """`text` was produced by `template` (its literal parts, in order)."""
    literals = [lit for lit, _, _, _ in string.Formatter().parse(template) if lit]
    pos = 0
    for literal in literals:
        found = text.find(literal, pos)
        if found < 0:
            return False
        pos = found + len(literal)
    return True


@pytest.mark.parametrize(("kind", "cell", "scale", "expected"), MONEY,
                         ids=[f"{r[0]}:{r[1]!r}:{r[2]}" for r in MONEY])
def test_money_corpus(kind: str, cell: str, scale: str, expected: str) -> None:
    reading = parse_money(typed_cell(kind, cell), int(scale))
    if expected == "empty":
        assert reading == type(reading)(None)
    elif expected == "nc":
        assert reading.not_computable and reading.value is None and reading.code is None
    elif expected == "negative":
        assert reading.code == "negative_money" and reading.value is None
    elif expected.startswith("invalid"):
        assert reading.code == "invalid_money" and reading.value is None, reading
        if ":" in expected:
            assert reading.reason == catalog.MONEY_PROBLEMS[expected.split(":", 1)[1]]
    elif expected.startswith("ambiguous:"):
        assert reading.code == "ambiguous_money", reading
        assert reading.value == int(expected.split(":", 1)[1])
        assert format_vnd(reading.value) in reading.readings and reading.example
    else:
        assert reading.code is None and not reading.not_computable, reading
        assert reading.value == int(expected)


@pytest.mark.parametrize(("field", "cell", "expected"), ENUMS,
                         ids=[f"{r[0]}:{r[1]!r}" for r in ENUMS])
def test_enums_corpus(field: str, cell: str, expected: str) -> None:
    value: object = cell
    if cell.startswith("n:"):
        value = int(cell[2:])
    elif cell.startswith("b:"):
        value = cell[2:] == "true"
    if field == "social":
        answer = parse_yes_no(value)
        assert answer == {"yes": True, "no": False, "?": None}[expected]
        return
    parse = parse_solution_type if field == "solution_type" else parse_status
    assert parse(value) == (None if expected == "?" else expected)


def test_every_alias_reads_as_its_canonical_value() -> None:
    for catalogue, parse in ((catalog.SOLUTION_TYPES, parse_solution_type),
                             (catalog.STATUSES, parse_status)):
        for canonical, aliases in catalogue.items():
            for alias in (canonical, *aliases):
                assert parse(alias) == canonical, alias
                assert parse(alias.upper()) == canonical, alias
                assert parse(f"  {alias}. ") == canonical, alias


def test_yes_no_words_of_the_catalogue() -> None:
    assert all(parse_yes_no(w) is True for w in catalog.YES_WORDS)
    assert all(parse_yes_no(w) is False for w in catalog.NO_WORDS)


def test_header_scale() -> None:
    assert header_scale("Giá trị làm lợi (đồng/năm)") == 1
    assert header_scale("Giá trị làm lợi") == 1
    assert header_scale(None) == 1
    assert header_scale("Giá trị làm lợi (triệu đồng)") == 1_000_000
    assert header_scale("Giá trị làm lợi (Tr.đ)") == 1_000_000
    assert header_scale("GIÁ TRỊ LÀM LỢI (TRIỆU ĐỒNG/NĂM)") == 1_000_000
    assert header_scale("Tiền làm lợi (nghìn đồng)") == 1_000
    assert header_scale("Giá trị làm lợi (1.000đ)") == 1_000
    assert header_scale("Giá trị làm lợi (tỷ đồng)") == 1_000_000_000


def test_distinct_keeps_booleans_apart_from_numbers() -> None:
    values = np.array([1, True, 1.0, "1", None, 0, False, float("nan"), 2], dtype=object)
    codes, uniques = distinct(values)
    got = [uniques[c] if c >= 0 else None for c in codes]
    assert [type(v) for v in got] == [int, bool, int, str, type(None), int, bool, type(None), int]
    assert got[:4] == [1, True, 1, "1"]
    answers = spread([parse_yes_no(u) for u in uniques], codes, False)
    assert answers.tolist() == [True, True, True, True, False, False, False, False, None]


def test_parse_column_reads_each_distinct_value_once() -> None:
    seen: list[object] = []

    def parse(value: object) -> object:
        seen.append(value)
        return value

    values = np.array(["a", "b", "a", None, "b", "a"], dtype=object)
    codes, readings, empty = parse_column(values, parse)
    assert sorted(map(str, seen)) == ["None", "a", "b"]
    assert spread(readings, codes, empty).tolist() == ["a", "b", "a", None, "b", "a"]


# --------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------

# Text made of what units type: digits, separators, Vietnamese words and units, and anything else.
VIETNAMESE_BITS = st.sampled_from([
    "1", "5", "0", "15", "500", ".", ",", " ", "/", "-", "đ", "₫", "đồng", "VNĐ", "triệu", "tr",
    "tỷ", "tỉ", "nghìn", "ngàn", "k", "năm", "/năm", "ngày", "tháng", "Quý", "không", "tính",
    "được", "khoảng", "(", ")", "\u00a0", "\n", "#REF!", "x", "có", "T", "h", ":", "2023", "44990",
])
ANY_TEXT = st.one_of(st.text(), st.lists(VIETNAMESE_BITS, max_size=12).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_parsers_never_crash_on_any_text(text: str) -> None:
    date = parse_date(text)
    assert date.value is None or isinstance(date.value, dt.date)
    assert date.code in (None, "invalid_date", "formula_error")
    money = parse_money(text)
    assert money.code in (None, "invalid_money", "negative_money", "ambiguous_money")
    assert money.value is None or 0 <= money.value <= catalog.MAX_BENEFIT_VND
    assert not (money.not_computable and money.value is not None)
    assert parse_money(text, 1_000_000).code in (None, "invalid_money", "negative_money",
                                                 "ambiguous_money")
    assert parse_solution_type(text) in (None, *catalog.SOLUTION_TYPES)
    assert parse_status(text) in (None, *catalog.STATUSES)
    assert parse_yes_no(text) in (None, True, False)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.dates(), st.datetimes(), st.times(), st.decimals(allow_nan=False)))
def test_parsers_never_crash_on_any_cell(value: object) -> None:
    parse_date(value)
    parse_money(value)
    parse_solution_type(value)
    parse_status(value)
    parse_yes_no(value)


AMOUNTS = st.integers(min_value=0, max_value=catalog.MAX_BENEFIT_VND)


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, st.sampled_from(["", " đ", "đ", " ₫", " đồng", " VNĐ", " VND", " đồng/năm",
                                 " VNĐ/năm", "đ/năm"]))
def test_vietnamese_formatting_reads_back_as_the_same_amount(amount: int, suffix: str) -> None:
    assert parse_money(format_vnd(amount) + suffix) == type(parse_money(0))(amount)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_babel_vietnamese_formats_read_back(amount: int) -> None:
    for text in (format_decimal(amount, locale="vi_VN"),
                 format_currency(amount, "VND", locale="vi_VN")):
        reading = parse_money(text)
        assert reading.value == amount and reading.code is None, (text, reading)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.integers(min_value=0, max_value=2),
       st.sampled_from([("nghìn", 1_000), ("triệu", 1_000_000), ("tỷ", 1_000_000_000),
                        ("tr", 1_000_000), ("k", 1_000)]))
def test_decimal_amounts_with_a_unit_read_back(hundredths: int, places: int,
                                               unit: tuple[str, int]) -> None:
    """`x,y triệu` written the Vietnamese way (Babel's decimal comma) is x,y × 10⁶ đồng; with
    three decimals it is readable two ways and the Vietnamese reading is the one used."""
    number = Decimal(hundredths).scaleb(-places)
    text = format_decimal(number, locale="vi_VN", decimal_quantization=False)
    word, factor = unit
    reading = parse_money(f"{text} {word}")
    expected = int((number * factor).to_integral_value(rounding="ROUND_HALF_UP"))
    if expected > catalog.MAX_BENEFIT_VND:
        assert reading.code == "invalid_money"
    else:
        assert reading.value == expected, (text, word, reading)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_every_written_date_form_reads_back(date: dt.date) -> None:
    forms = [
        date.strftime("%d/%m/%Y"), f"{date.day}/{date.month}/{date.year}",
        date.isoformat(), date.strftime("%d-%m-%Y"), date.strftime("%d.%m.%Y"),
        f"ngày {date.day:02d} tháng {date.month} năm {date.year}",
        str((date - dt.date(1899, 12, 30)).days),
    ]
    if date.year >= 2000:
        forms.append(f"{date.day}/{date.month}/{date.year % 100:02d}")
    for text in forms:
        assert parse_date(text).value == date, text
    assert parse_date(float((date - dt.date(1899, 12, 30)).days)).value == date
