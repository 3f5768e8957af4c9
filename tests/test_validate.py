"""The validator: hand-written rows and authors, legacy text, keys, findings (issue 3)."""

from __future__ import annotations

import datetime as dt
import json
import string
import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sync import catalog, legacy
from sync.authors import split_author_cell, split_authors
from sync.config import ProgramConfig
from sync.text import (
    clean_text,
    exact_key,
    exact_key_of_clean,
    fold,
    fold_lower,
    folded_key,
)
from sync.text_columns import exact_keys, folded_keys
from sync.validate import (
    FINDING_COLUMNS,
    ValidatedRows,
    title_keys,
    validate,
)

CORPUS = Path(__file__).parent / "corpus"
TODAY = dt.date(2024, 1, 1)
PROGRAM = ProgramConfig("Chương trình", Fraction(1, 10), dt.date(2021, 9, 1),
                        dt.date(2023, 9, 1), catalog.DEFAULT_COUNTED_STATUSES)
KEYS = [f.key for f in catalog.FIELDS]


def frame(rows: list[dict[str, Any]], unit: str = "A1", first_row: int = 4) -> pd.DataFrame:
    data = {"unit_code": [unit] * len(rows), "tab": ["Sáng kiến"] * len(rows),
            "row": np.arange(first_row, first_row + len(rows), dtype=np.int64)}
    for key in KEYS:
        data[key] = pd.Series([r.get(key) for r in rows], dtype=object)
    return pd.DataFrame(data)


def run(rows: list[dict[str, Any]], headers: dict[str, dict[str, str]] | None = None,
        program: ProgramConfig = PROGRAM) -> ValidatedRows:
    return validate(frame(rows), headers or {}, program, TODAY)


def codes_of(result: ValidatedRows, position: int) -> list[str]:
    row = result.rows["row"].iat[position]
    return sorted(result.findings.loc[result.findings["row"] == row, "code"])


# --------------------------------------------------------------------------------------------------
# Hand-written rows
# --------------------------------------------------------------------------------------------------

def _cell(value: Any) -> Any:
    if isinstance(value, dict) and "date" in value:
        return dt.date.fromisoformat(value["date"])
    if value == "LONG":
        return "Nội dung rất dài. " * 150
    return value


ROWS = json.loads((CORPUS / "rows.json").read_text(encoding="utf-8"))["rows"]


def test_rows_corpus() -> None:
    result = run([{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS])
    for i, case in enumerate(ROWS):
        got = result.rows.iloc[i]
        assert codes_of(result, i) == sorted(case["codes"]), (i, case["cells"],
                                                              result.findings[
                                                                  result.findings["row"] == got["row"]])
        assert bool(got["valid"]) is case["valid"], (i, case)
        assert bool(got["counted"]) is case["counted"], (i, case)
        for key in ("title", "authors", "benefit_vnd", "benefit_not_computable"):
            if key in case:
                assert got[key] == case[key], (i, key, got[key])


def test_every_row_counts_or_is_explained() -> None:
    result = run([{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS])
    explained = set(result.findings.loc[
        (result.findings["severity"] == catalog.ERROR)
        | result.findings["code"].isin(["not_recognized", "status_not_counted"]), "row"])
    for row, counted in zip(result.rows["row"], result.rows["counted"], strict=True):
        assert counted or row in explained, row


def test_findings_quote_the_value_name_the_column_and_say_what_to_type() -> None:
    headers = {"A1": {"applied_on": "Ngày áp dụng lần đầu", "title": "Tên SK"}}
    result = run([
        {"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An",
         "solution_type": "KT", "applied_on": "31/02/2022"},
        {"title": "Ngắn", "authors": "Nguyễn Văn An", "solution_type": "Khác",
         "applied_on": "tháng 3/2022", "benefit": "100-150 triệu"},
    ], headers)
    findings = result.findings
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert findings["row"].tolist() == [4, 5, 5, 5, 5]  # sheet rows, in row order
    for item in findings.itertuples():
        kind = catalog.FINDING_BY_CODE[item.code]
        assert item.severity == kind.severity
        assert item.hint and item.message
        if "{value}" in kind.message:
            assert f"«{item.value}»" in item.message, item
        assert "{" not in item.message and "{" not in item.hint
    first = findings.iloc[0]
    assert (first["code"], first["column"], first["value"]) == (
        "invalid_date", "Ngày áp dụng lần đầu", "31/02/2022")
    assert "28/02/2022" in first["hint"] and "không có trong lịch" in first["message"]
    by_code = findings.set_index("code")
    assert by_code.loc["title_too_short", "column"] == "Tên SK"
    assert "Giải pháp kỹ thuật · Giải pháp quản lý" in by_code.loc["unknown_solution_type", "hint"]
    assert "thiếu ngày" in by_code.loc["invalid_date", "message"].iloc[-1] \
        if isinstance(by_code.loc["invalid_date", "message"], pd.Series) else True
    assert "khoảng" in by_code.loc["invalid_money", "message"]
    assert by_code.loc["invalid_money", "severity"] == catalog.WARNING


def test_spec_codes_and_severities_are_in_the_one_table() -> None:
    spec = {
        "missing_required": "error", "invalid_date": "error", "future_date": "error",
        "outside_program_window": "error", "unknown_solution_type": "error",
        "unknown_status": "error", "formula_error": "error", "title_too_short": "error",
        "not_recognized": "warning", "invalid_money": "warning", "negative_money": "warning",
        "ambiguous_money": "warning", "suspicious_author": "warning",
        "legacy_encoding": "warning", "text_too_long": "warning",
        "source_unreachable": "error", "permission_denied": "error", "header_not_found": "error",
        "missing_column": "error", "empty_source": "error",
    }
    for code, severity in spec.items():
        assert catalog.FINDING_BY_CODE[code].severity == severity
    for kind in catalog.FINDINGS:  # every message and hint is a well-formed template
        for template in (kind.message, kind.hint):
            list(string.Formatter().parse(template))


def test_benefit_in_a_column_headed_in_millions() -> None:
    result = run([
        {"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An",
         "solution_type": "KT", "applied_on": "05/03/2022", "benefit": 150},
        {"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An",
         "solution_type": "KT", "applied_on": "05/03/2022", "benefit": "1,5"},
        {"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An",
         "solution_type": "KT", "applied_on": "05/03/2022", "benefit": "2 tỷ"},
    ], {"A1": {"benefit": "Giá trị làm lợi (triệu đồng)"}})
    assert result.rows["benefit_vnd"].tolist() == [150_000_000, 1_500_000, 2_000_000_000]
    assert result.findings.empty


def test_configured_counted_statuses_explain_the_rows_they_leave_out() -> None:
    program = ProgramConfig("x", Fraction(1, 10), dt.date(2021, 9, 1), dt.date(2023, 9, 1),
                            ("Đã công nhận", "Được khen thưởng"))
    result = run([{"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An",
                   "solution_type": "KT", "applied_on": "05/03/2022"}], program=program)
    assert not result.rows["counted"].iat[0] and result.rows["valid"].iat[0]
    finding = result.findings.iloc[0]
    assert finding["code"] == "status_not_counted" and finding["severity"] == catalog.INFO
    assert "«Đã công nhận»" in finding["message"]


def test_output_columns_and_types() -> None:
    result = run([{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS[:5]])
    assert list(result.rows.columns) == [
        "unit_code", "tab", "row", "title", "title_key", "title_fold", "authors", "workplace",
        "solution_type", "field", "applied_on", "status", "summary", "effect", "benefit_vnd",
        "benefit_not_computable", "social", "note", "valid", "counted", "n_errors", "n_warnings"]
    assert list(result.authors.columns) == ["row", "position", "name", "key", "fold",
                                            "suspicious"]
    rows = result.rows
    assert str(rows["applied_on"].dtype) == "datetime64[s]"
    assert str(rows["benefit_vnd"].dtype) == "Int64"
    assert rows["valid"].dtype == bool and rows["counted"].dtype == bool
    assert rows["n_errors"].tolist() == [0, 0, 0, 1, 1]
    assert rows["title"].dtype == object and rows["workplace"].iat[0] is None


def test_empty_input() -> None:
    result = validate(frame([]), {}, PROGRAM, TODAY)
    assert result.rows.empty and result.authors.empty and result.findings.empty
    assert list(result.findings.columns) == list(FINDING_COLUMNS)


# --------------------------------------------------------------------------------------------------
# Legacy encodings
# --------------------------------------------------------------------------------------------------

def test_tcvn3_pasted_row_is_converted_and_reported_once() -> None:
    result = run([
        {"title": "C¶i tiÕn bé g¸ hµn cèt thÐp dÇm cÇu", "authors": "NguyÔn V¨n Hïng",
         "workplace": "Phßng Kü thuËt", "solution_type": "Gi¶i ph¸p kü thuËt",
         "applied_on": dt.date(2022, 3, 5)},
        {"title": "Cải tiến hệ thống thu hồi nước rửa xe bồn", "authors": "Đỗ Thị Hạnh",
         "solution_type": "KT", "applied_on": dt.date(2022, 3, 5)},
    ])
    row = result.rows.iloc[0]
    assert (row["title"], row["authors"], row["workplace"], row["solution_type"]) == (
        "Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn Hùng", "Phòng Kỹ thuật",
        "Giải pháp kỹ thuật")
    assert row["valid"] and row["counted"] and row["n_warnings"] == 1
    legacy_findings = result.findings[result.findings["code"] == "legacy_encoding"]
    assert len(legacy_findings) == 1
    finding = legacy_findings.iloc[0]
    assert finding["row"] == 4 and finding["field"] == "title"
    assert finding["column"] == "Tên sáng kiến, Tác giả, Đơn vị công tác, Loại giải pháp"
    assert finding["value"] == "C¶i tiÕn bé g¸ hµn cèt thÐp dÇm cÇu"
    assert "TCVN3" in finding["message"] and "Cải tiến bộ gá hàn cốt thép dầm cầu" in finding["message"]
    assert "Unikey" in finding["hint"]
    assert result.rows["title"].iat[1] == "Cải tiến hệ thống thu hồi nước rửa xe bồn"


def test_vni_row_is_converted_and_reported() -> None:
    result = run([{"title": "Hôïp lyù hoaù quy trình nghieäm thu coïc khoan nhoài",
                   "authors": "Leâ Vaên Cöôøng", "solution_type": "Giaûi phaùp kyõ thuaät",
                   "applied_on": "05/03/2022"}])
    assert result.rows["title"].iat[0] == "Hợp lý hoá quy trình nghiệm thu cọc khoan nhồi"
    assert result.rows["authors"].iat[0] == "Lê Văn Cường"
    assert result.authors["key"].tolist() == ["lê văn cường"]
    assert "VNI" in result.findings.loc[0, "message"]


def _unicode_corpus() -> list[str]:
    lines = (CORPUS / "unicode_text.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_unicode_vietnamese_is_never_converted() -> None:
    texts = _unicode_corpus()
    assert len(texts) >= 80
    rows = []
    for i, text in enumerate(texts):
        other = texts[(i * 7 + 3) % len(texts)]
        rows.append({"title": text, "authors": other, "workplace": text, "field": other,
                     "summary": text, "effect": other, "note": text, "status": other,
                     "solution_type": text, "benefit": other, "social": text,
                     "applied_on": text})
    # NFD input too: the same text after NFC.
    rows += [{k: unicodedata.normalize("NFD", v) for k, v in r.items()} for r in rows[:30]]
    result = run(rows)
    assert "legacy_encoding" not in set(result.findings["code"])
    for key in ("title", "workplace", "field", "summary", "effect", "note"):
        expected = [clean_text(unicodedata.normalize("NFC", r[key])) for r in rows]
        assert result.rows[key].tolist() == expected, key


def test_unicode_cells_in_a_legacy_frame_stay_unicode() -> None:
    texts = _unicode_corpus()
    rows = [{"title": t, "authors": "Nguyễn Văn An", "solution_type": "KT",
             "applied_on": "05/03/2022"} for t in texts]
    rows += [{"title": legacy.encode(t, "tcvn3"), "authors": legacy.encode("Lê Văn Cường", "tcvn3"),
              "solution_type": "KT", "applied_on": "05/03/2022"} for t in texts[:40]]
    result = run(rows)
    assert result.rows["title"].tolist()[: len(texts)] == [clean_text(t) for t in texts]
    flagged = set(result.findings.loc[result.findings["code"] == "legacy_encoding", "row"])
    assert flagged <= set(range(4 + len(texts), 4 + len(rows)))


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------

def _authors_corpus() -> list[tuple[str, str]]:
    lines = (CORPUS / "authors.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")][1:]
    return [(cell.replace("\\n", "\n"), expected) for cell, expected in rows]


AUTHORS = _authors_corpus()


def _expected_names(expected: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if expected == "-":
        return (), ()
    names, problems = [], []
    for item in expected.split(" | "):
        name, _, problem = item.partition("?")
        names.append(name)
        problems.append(problem)
    return tuple(names), tuple(problems)


@pytest.mark.parametrize(("cell", "expected"), AUTHORS, ids=[repr(c) for c, _ in AUTHORS])
def test_authors_corpus(cell: str, expected: str) -> None:
    assert split_author_cell(clean_text(cell)) == _expected_names(expected)


def test_authors_column_form_matches_the_cell_form() -> None:
    cells = np.array([clean_text(c) for c, _ in AUTHORS] * 3 + [None, ""], dtype=object)
    cells[cells == ""] = None
    split = split_authors(cells)
    for i, cell in enumerate(cells.tolist()):
        names, problems = split_author_cell(cell) if cell is not None else ((), ())
        at = split.rows == i
        assert tuple(split.names[at]) == names and tuple(split.problems[at]) == problems, cell
        assert split.positions[at].tolist() == list(range(len(names)))
        assert split.display[i] == (", ".join(names) if names else None)


NAME_PARTS = st.sampled_from([
    "Nguyễn Văn An", "Trần Thị Bình", "NGUYỄN VĂN AN", "nguyen van an", "KS. Lê Văn Cường",
    "Hùng", "Phòng Kỹ thuật", "Tổ trưởng", "Nguyễn Thị Thuý", "Nguyễn Thị Thúy", "Ông Tô Hoài",
    "Lê A (50%)", "Đ/c Phạm Dũng", "1. Vũ Minh Tuấn", "cộng sự", "Jean-Pierre Dupont", "",
])
SEPARATORS = st.sampled_from([", ", ",", "; ", "\n", " và ", " - ", "/", " va "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(NAME_PARTS, SEPARATORS), min_size=1, max_size=5))
# Found by a CI run: `An, và và` — the cell form kept a second `và` as a name.
@example([("Nguyễn Văn An", ", "), ("", " và "), ("", " và "), ("", ", ")])
def test_authors_column_form_matches_the_cell_form_on_any_mix(parts: list[tuple[str, str]]
                                                               ) -> None:
    cell = clean_text("".join(p + s for p, s in parts)[: -len(parts[-1][1]) or None])
    cells = np.array([cell or None, "Nguyễn Văn An", cell or None], dtype=object)
    split = split_authors(cells)
    for i, value in enumerate(cells.tolist()):
        names, problems = split_author_cell(value) if value is not None else ((), ())
        at = split.rows == i
        assert tuple(split.names[at]) == names and tuple(split.problems[at]) == problems


def test_suspicious_authors_are_reported_and_kept() -> None:
    result = run([{"title": "Cải tiến bộ gá hàn cốt thép dầm", "authors": "Nguyễn Văn An, Tổ nề",
                   "solution_type": "KT", "applied_on": "05/03/2022"}])
    assert result.rows["counted"].iat[0]
    assert result.authors["suspicious"].tolist() == [False, True]
    finding = result.findings.iloc[0]
    assert finding["code"] == "suspicious_author" and finding["value"] == "Tổ nề"
    assert "tập thể" in finding["message"] and "Nguyễn Văn An, Trần Thị Bình" in finding["hint"]


# --------------------------------------------------------------------------------------------------
# Keys: the validator's fast paths give exactly `sync.text`'s keys
# --------------------------------------------------------------------------------------------------

def test_title_keys_equal_the_text_module_keys_on_the_corpora() -> None:
    texts = _unicode_corpus() + [c for c, _ in AUTHORS] + [
        "Máy trộn  bê-tông.", "Hòa Bình – Hoà Bình", "QUY TRÌNH (mới)", "13/2012/NĐ-CP",
        "Thủy điện Sơn La", "ÐẶNG", "ứng dụng 4.0", "Ｆｕｌｌ ｗｉｄｔｈ", "İstanbul",
        "tab\there", "qủa gìa", "🙂 an toàn", "a\u00adb", "",
    ]
    cleaned = [clean_text(t) for t in texts]
    values = np.array([*cleaned, None], dtype=object)
    exact, folded = title_keys(values)
    expected_exact = [*exact_keys(pd.Series(cleaned, dtype=object)).tolist(), ""]
    expected_folded = [*folded_keys(pd.Series(cleaned, dtype=object)).tolist(), ""]
    assert exact.tolist() == expected_exact
    assert folded.tolist() == expected_folded


VIETNAMESE_TEXT = st.text(
    alphabet=st.sampled_from(list("aàáảãạăắằẳẵặâấầẩẫậeèéẻẽẹêếềểễệiìíỉĩịoòóỏõọôốồổỗộơớờởỡợuùúủũụ"
                                  "ưứừửữựyỳýỷỹỵđAĂÂĐÔƠƯÒÓÙÚbcdghklmnpqrstvx0123456789 .,-–()/"
                                  "\u00d0\u00f0\u0301\u0300")),
    max_size=40)


@settings(max_examples=500, deadline=None)
@given(st.one_of(VIETNAMESE_TEXT, st.text(max_size=30)))
def test_fast_keys_equal_the_text_module_keys(text: str) -> None:
    cleaned = clean_text(text)
    assert exact_key_of_clean(cleaned) == exact_key(cleaned)
    assert fold_lower(exact_key(cleaned)) == folded_key(cleaned)
    key = exact_key(cleaned)
    if key.isascii() or all(unicodedata.category(c)[0] != "M" for c in key):
        assert fold_lower(key) == fold(key)


# --------------------------------------------------------------------------------------------------
# Properties of the whole validator
# --------------------------------------------------------------------------------------------------

CELLS = st.one_of(
    st.none(), st.text(max_size=20), st.integers(-10, 50_000), st.floats(allow_nan=True),
    st.booleans(), st.dates(), st.sampled_from([
        "Cải tiến bộ gá hàn cốt thép dầm", "Nguyễn Văn An", "KT", "05/03/2022", "150 triệu",
        "x", "#REF!", "Không công nhận", "tháng 3/2022", "C¶i tiÕn bé g¸", "Coâng ñoaøn", "",
    ]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: CELLS for k in KEYS}), min_size=1, max_size=8))
def test_validator_never_crashes_and_explains_every_row_it_does_not_count(
        rows: list[dict[str, Any]]) -> None:
    result = run(rows)
    assert len(result.rows) == len(rows)
    explained = set(result.findings.loc[
        (result.findings["severity"] == catalog.ERROR)
        | result.findings["code"].isin(["not_recognized", "status_not_counted"]), "row"])
    rejected = set(result.findings.loc[result.findings["severity"] == catalog.ERROR, "row"])
    for row, valid, counted in zip(result.rows["row"], result.rows["valid"],
                                   result.rows["counted"], strict=True):
        assert counted or row in explained
        assert valid == (row not in rejected)
    assert set(result.findings["code"]) <= set(catalog.FINDING_BY_CODE)


def test_title_worker_process_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """At scale titles and authors are cleaned (and titles keyed) in a second process
    (`text_worker.TextWorker`); rows that legacy decoding changes meanwhile, and cells that are not text, are
    redone in this one. The result is the same as in one process."""
    rows = [{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS]
    rows += [{"title": t, "authors": "Nguyễn Văn An", "solution_type": "KT",
              "applied_on": "05/03/2022"} for t in _unicode_corpus()]
    rows += [{"title": legacy.encode(t, "vni"), "authors": legacy.encode("Lê Văn Cường", "vni"),
              "solution_type": "KT", "applied_on": "05/03/2022"} for t in _unicode_corpus()[:20]]
    odd = (None, "", "  ", "#N/A", 12345, 1.5, dt.date(2022, 1, 1), True,
           "Cải tiến\u00a0bộ  gá\u200b hàn", "Hòa  Bình\tthuỷ điện", "NGUYỄN  VĂN\u00a0AN")
    rows += [{"title": v, "authors": w, "solution_type": "KT", "applied_on": "05/03/2022"}
             for v in odd for w in odd[::3]]
    # The worker splits the authors of the first half of the rows: every kind of cell on both
    # sides of the split.
    rows = [r for pair in zip(rows, rows[::-1], strict=True) for r in pair]
    monkeypatch.setenv("SANGKIEN_VALIDATE_WORKER", "0")
    alone = run(rows)
    monkeypatch.setenv("SANGKIEN_VALIDATE_WORKER", "1")
    with_worker = run(rows)
    pd.testing.assert_frame_equal(alone.rows, with_worker.rows)
    pd.testing.assert_frame_equal(alone.authors, with_worker.authors)
    pd.testing.assert_frame_equal(alone.findings, with_worker.findings)


def test_without_keys_everything_else_is_the_same() -> None:
    """`sangkien validate` reports findings and counts only: `keys=False` skips the comparison
    keys and changes nothing else."""
    rows = [{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS]
    rows += [{"title": t, "authors": "Nguyễn Văn An; KS. Lê Văn Cường", "solution_type": "KT",
              "applied_on": "05/03/2022"} for t in _unicode_corpus()]
    full = run(rows)
    bare = validate(frame(rows), {}, PROGRAM, TODAY, keys=False)
    assert "title_key" not in bare.rows and "key" not in bare.authors
    pd.testing.assert_frame_equal(full.rows.drop(columns=["title_key", "title_fold"]), bare.rows)
    pd.testing.assert_frame_equal(full.authors.drop(columns=["key", "fold"]), bare.authors)
    pd.testing.assert_frame_equal(full.findings, bare.findings)
    assert full.findings["row"].nunique() > 10 and len(full.authors) > len(rows)


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python"])
def test_a_failing_title_worker_changes_nothing(monkeypatch: pytest.MonkeyPatch,
                                                executable: str) -> None:
    rows = [{k: _cell(v) for k, v in r["cells"].items()} for r in ROWS]
    monkeypatch.setenv("SANGKIEN_VALIDATE_WORKER", "0")
    alone = run(rows)
    monkeypatch.setenv("SANGKIEN_VALIDATE_WORKER", "1")
    monkeypatch.setattr("sys.executable", executable)
    pd.testing.assert_frame_equal(alone.rows, run(rows).rows)


def test_the_text_worker_delivers() -> None:
    from sync.text_worker import TextWorker
    from sync.validate import _arrow_from_utf8, _marked_utf8

    titles = np.array(["Cải tiến  bộ gá", None, 12, "Hòa\u00a0Bình", "#REF!"] * 50, dtype=object)
    authors = np.array(["Nguyễn Văn An", "NGUYỄN\u00a0VĂN AN", None, "", "x"] * 50,
                       dtype=object)
    worker = TextWorker({"title": titles, "authors": authors}, _marked_utf8)
    # The titles wait for legacy decoding's corrections; here, one.
    worker.hand_over_corrected("title", {5: "Lắp đặt  máy"})
    try:
        # Read in the order the worker writes: authors, its share of the names, titles.
        authors_result = worker.column("authors")
        share = worker.author_names()
        titles_result = worker.column("title")
        assert authors_result is not None and titles_result is not None
        assert authors_result[0][1] == "NGUYỄN VĂN AN"
        changes, exact, folded = titles_result
        assert changes[0] == "Cải tiến bộ gá" and changes[3] == "Hòa Bình"
        assert changes[5] == "Lắp đặt máy"  # the corrected cell, cleaned
        # The titles of its share of the rows (this process keys the rest).
        assert sum(len(offsets) - 1 for offsets, _ in exact) == worker.rows["title"] < len(titles)
        first, first_folded = _arrow_from_utf8(*exact[0]), _arrow_from_utf8(*folded[0])
        assert first[0].as_py() == "cải tiến bộ gá" and first_folded[3].as_py() == "hoa binh"
        assert first[5].as_py() == "lắp đặt máy"
        # Its share of the authors: the first rows, split and keyed.
        assert share is not None and 0 < worker.author_rows < len(authors)
        rows, positions, codes, _, names, keys, folds, shown = share
        assert rows.tolist() == [i for i in range(worker.author_rows) if i % 5 in (0, 1, 4)]
        assert names[codes[0]] == names[codes[1]] == "Nguyễn Văn An"  # capitals title-cased
        assert keys[codes[0]] == "nguyễn văn an" and folds[codes[0]] == "nguyen van an"
        assert names[codes[2]] == "x"
        assert (positions == 0).all() and shown[0] == (1, "Nguyễn Văn An")
    finally:
        assert worker.close()


_MARKER_CELLS = st.lists(st.one_of(
    st.none(), st.integers(), st.text(),
    st.text(alphabet=st.sampled_from("aăâđêôơưÃÄÅÆº»¡µ¶·ÐðÖ×ØÛÜÞßäåæçëîïñö÷øûüþé à \u1ea1\U0001f600"
                                     "\u00a0\u00adĐ"), max_size=8)), max_size=40)


@given(cells=_MARKER_CELLS, slice_bytes=st.integers(min_value=1, max_value=9))
@settings(max_examples=300, deadline=None)
def test_the_byte_scan_finds_the_same_legacy_markers(cells: list[Any], slice_bytes: int,
                                                     ) -> None:
    """`_marked_utf8` reads the bytes made for the text worker; it marks exactly the cells
    `_marked` marks, wherever its slices cut (a marker's two bytes split between slices)."""
    from sync import validate as v
    from sync.text_worker import SEPARATOR

    # A cell holding the separator: the worker is not started (`TextWorker` checks the count).
    assume(not any(c.__class__ is str and SEPARATOR in c for c in cells))
    values = np.array(cells, dtype=object)
    data = SEPARATOR.join(c if c.__class__ is str else "" for c in cells).encode(
        "utf-8", "surrogatepass")
    expected = v._marked(values).tolist() if cells else []
    saved = v._MARK_SLICE
    try:
        v._MARK_SLICE = slice_bytes
        assert v._marked_utf8(data, len(cells)).tolist() == expected
    finally:
        v._MARK_SLICE = saved
    assert v._marked_utf8(data, len(cells)).tolist() == expected


def test_the_text_worker_process_starts_without_pandas_or_arrow() -> None:
    """The worker's interpreter adds to validation's peak memory: it imports numpy and the plain
    string modules only (pandas and Arrow would take ≈75 MiB more)."""
    import subprocess
    import sys

    probe = ("import sys; import sync.text_worker; "
             "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_worker_never_given_the_titles_stops_without_them() -> None:
    """The titles wait for `hand_over_corrected`; when this process never gets there (an error
    in between), the worker delivers the authors, stops, and `close` does not wait forever."""
    from sync.text_worker import TextWorker
    from sync.validate import _marked_utf8

    worker = TextWorker({"title": np.array(["Cải tiến bộ gá"] * 10, dtype=object),
                          "authors": np.array(["Nguyễn Văn An"] * 10, dtype=object)}, _marked_utf8)
    try:
        assert worker.column("authors") is not None
        assert worker.column("title") is None and "title" not in worker.sent
    finally:
        assert worker.close()


def test_the_worker_reports_legacy_markers_of_the_rows_it_was_sent() -> None:
    from sync.text_worker import TextWorker
    from sync.validate import _marked, _marked_utf8

    titles = np.array([legacy.encode("Cải tiến bộ gá hàn", "tcvn3"), "Hòa Bình", None,
                       legacy.encode("Lắp đặt máy", "vni"), 7] * 40, dtype=object)
    authors = np.array(["Nguyễn Văn An", legacy.encode("Lê Văn Cường", "tcvn3")] * 100,
                       dtype=object)
    worker = TextWorker({"title": titles, "authors": authors}, _marked_utf8)
    try:
        assert worker.marked["authors"].tolist() == _marked(authors).tolist()
        share = worker.rows["title"]
        assert worker.marked["title"].tolist() == _marked(titles[:share]).tolist()
        assert worker.marked["title"].sum() > 0 and worker.marked["authors"].sum() == 100
    finally:
        assert worker.close()


def test_a_part_the_worker_is_still_writing_does_not_spoil_a_complete_one() -> None:
    """The worker writes its parts one after the other: a column it has completed is read even
    while the header of the next part is there and its body is not yet."""
    import pickle
    import tempfile

    from sync.text_worker import AUTHOR_NAMES, TextWorker

    worker = object.__new__(TextWorker)
    worker.n, worker.rows, worker.author_rows = 3, {"authors": 3, "title": 2}, 1
    worker.failed, worker.process, worker.complete, worker.offset = False, object(), {"authors"}, 0
    worker.sent = {"authors", "title"}
    with tempfile.TemporaryFile() as output:
        worker.output = output
        for message, cut in ((("authors", 0, [(1, "Nguyễn Văn An")], 3), False),
                             ((AUTHOR_NAMES, *[None] * 8), True)):
            data = pickle.dumps(message)
            output.write(len(data).to_bytes(8, "little"))
            output.write(data[:len(data) // 2] if cut else data)
        output.flush()
        result = worker.column("authors")
    assert result is not None and result[0] == {1: "Nguyễn Văn An"}
