"""Fuzzing the reader and the validator with random workbooks and random cells (issue 7).

Whatever a unit types or uploads, no exception escapes: a workbook either yields rows or a
source-level finding (`SourceError`), and every row it yields is either accepted or carries at
least one finding that says why not.
"""

from __future__ import annotations

import datetime as dt
import io
import string
from fractions import Fraction

import xlsxwriter
from fixtures_project import write_cells
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync import catalog
from sync.backends.xlsx import XlsxWorkbook
from sync.config import ProgramConfig
from sync.errors import SourceError
from sync.sheet import extract
from sync.validate import validate

PROGRAM = ProgramConfig(name="x", target_rate=Fraction(1, 10),
                        start=dt.date(2021, 9, 1), deadline=dt.date(2023, 9, 1),
                        counted_statuses=catalog.DEFAULT_COUNTED_STATUSES)
TODAY = dt.date(2026, 11, 24)
HEADERS = [f.header for f in catalog.FIELDS] + [a for f in catalog.FIELDS for a in f.aliases[:2]]

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.printable + "ăâêôơưđĐÀÁẠẢÃàáạảãốồổỗộ«»®©¬¤§Ð\u00ad\u200b\ufeff",
            max_size=60),
    st.sampled_from(["#REF!", "#N/A", "=1+1", "+84", "@x", "-", "không tính được", "x", "có",
                     "31/02/2022", "tháng 3/2023", "1.500.000 đ", "1,5 tỷ", "KT", "quan ly",
                     "Nguyễn Văn An, Trần Thị Bình", "C«ng ®oµn", "Coâng ñoaøn", "0", "  "]),
    st.text(min_size=2100, max_size=2200, alphabet="ab "),
)
cells = st.one_of(
    st.none(), texts,
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
    st.integers(min_value=-10**9, max_value=10**12),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.booleans(),
)


def workbook_bytes(header: list[str | None], rows: list[list[object]], title_rows: int,
                   tab: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "in_memory": True})
    sheet = book.add_worksheet(tab)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for c, h in enumerate(header):
        if h is not None:
            sheet.write_string(title_rows, c, h)
    write_cells(sheet, title_rows + 1, rows, date_format)
    book.close()
    return buffer.getvalue()


def check_rows(data: bytes) -> None:
    try:
        sheet = extract(XlsxWorkbook(data, "fuzz.xlsx"))
    except SourceError as exc:
        assert exc.code in {f.code for f in catalog.FINDINGS if f.source_level}
        assert exc.detail
        return
    frame = sheet.frame.assign(unit_code="U1", tab=sheet.tab)
    result = validate(frame, {"U1": sheet.headers}, PROGRAM, TODAY)
    assert len(result.rows) == len(frame)
    findings = result.findings
    assert set(findings["code"]) <= {f.code for f in catalog.FINDINGS}
    errors = findings[findings["severity"] == catalog.ERROR]
    rejected = result.rows.loc[~result.rows["valid"], "row"]
    # every rejected row has an error finding naming it; every accepted row has none
    assert set(rejected) <= set(errors["row"])
    assert not set(result.rows.loc[result.rows["valid"], "row"]) & set(errors["row"])
    assert findings["message"].map(bool).all() and findings["hint"].map(bool).all()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(
    header=st.lists(st.one_of(st.sampled_from(HEADERS), texts, st.none()), min_size=1,
                    max_size=14),
    rows=st.lists(st.lists(cells, max_size=14), max_size=12),
    title_rows=st.integers(min_value=0, max_value=3),
    tab=st.sampled_from(["Sáng kiến", "SÁNG KIẾN", "Sheet1", "Dữ liệu"]),
)
def test_random_workbooks_never_crash_and_every_row_is_explained(
        header: list[str | None], rows: list[list[object]], title_rows: int, tab: str) -> None:
    check_rows(workbook_bytes(header, rows, title_rows, tab))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(cells, min_size=12, max_size=12), min_size=1, max_size=15))
def test_random_cells_under_the_template_header(rows: list[list[object]]) -> None:
    header = [f.header for f in catalog.FIELDS]
    check_rows(workbook_bytes(header, rows, 1, "Sáng kiến"))


@settings(max_examples=80, deadline=None)
@given(data=st.one_of(st.binary(max_size=2000),
                      st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
                      st.binary(max_size=500).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
                                                  + b)))
def test_random_bytes_are_a_source_finding_never_a_crash(data: bytes) -> None:
    check_rows(data)


def test_a_truncated_real_workbook_is_a_source_finding() -> None:
    header = [f.header for f in catalog.FIELDS]
    whole = workbook_bytes(header, [["Cải tiến bộ gá hàn cốt thép", "Nguyễn Văn An"]], 0,
                           "Sáng kiến")
    for cut in (len(whole) // 3, len(whole) // 2, len(whole) - 30):
        check_rows(whole[:cut])
