"""sync.legacy: TCVN3 / VNI charts, detection, decode_frame; never-raise properties of the text layer.

The no-false-conversion corpus (tests/corpus_text/) is the important half: a converter that
turns a unit's correct Unicode into garbage is worse than one that misses some legacy text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import headers, legacy, text
from sync.legacy import (
    TCVN3_TO_UNICODE,
    VIETNAMESE_LETTERS,
    VIETNAMESE_LETTERS_ALL,
    VNI_TO_UNICODE,
    decode,
    decode_frame,
    detect,
    encode,
)

CORPUS = Path(__file__).parent / "corpus_text"
FACTS = Path("/work/shared/reference/vietnamese-text-facts.md")


def _load(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


PHRASES = _load("phrases.txt")
UNICODE_ONLY = _load("unicode_only.txt")
# Everything that must pass through untouched: hand-written traps, the phrases, their NFD and
# all-caps forms.
NO_CONVERSION = (
    UNICODE_ONLY
    + PHRASES
    + [unicodedata.normalize("NFD", p) for p in PHRASES]
    + [p.upper() for p in PHRASES]
)
_UPPER_TONED = {ch for ch in VIETNAMESE_LETTERS.upper() if ch not in "ĂÂÊÔƠƯĐ"}


def test_corpus_sizes() -> None:
    assert len(PHRASES) >= 100
    assert len(UNICODE_ONLY) >= 100
    assert len(set(NO_CONVERSION)) >= 150


# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------


def test_charts_cover_all_134_letters() -> None:
    assert len(VIETNAMESE_LETTERS) == 67
    assert len(VIETNAMESE_LETTERS_ALL) == 134
    # TCVN3 (VN3): 67 lowercase letters and 7 capitals, no capital toned letters.
    assert set(TCVN3_TO_UNICODE.values()) == set(VIETNAMESE_LETTERS) | set("ĂÂÊÔƠƯĐ")
    assert TCVN3_TO_UNICODE["\xad"] == "ư"  # the soft hyphen
    assert all(0xA1 <= ord(code) <= 0xFE for code in TCVN3_TO_UNICODE)
    # VNI: every letter in both cases.
    assert set(VNI_TO_UNICODE.values()) == set(VIETNAMESE_LETTERS_ALL)
    assert all(1 <= len(code) <= 2 for code in VNI_TO_UNICODE)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "mojibake"])
def test_round_trip_every_letter(encoding: str) -> None:
    for letter in VIETNAMESE_LETTERS_ALL:
        encoded = encode(letter, encoding)
        assert all(ord(ch) < 0x100 for ch in encoded) or encoding == "mojibake"
        expected = letter.lower() if encoding == "tcvn3" and letter in _UPPER_TONED else letter
        assert decode(encoded, encoding) == expected, (letter, encoded)


def test_tcvn3_restores_capitals_inside_all_caps_words() -> None:
    for word in ("NGUYỄN", "ĐOÀN", "HOÀ", "VIỆT", "XÂY DỰNG", "ỨNG DỤNG", "ĐẮK LẮK"):
        assert decode(encode(word, "tcvn3"), "tcvn3") == word
    # A lone capital toned letter cannot be told from a lowercase one: case is lost.
    assert decode(encode("Ứng dụng", "tcvn3"), "tcvn3") == "ứng dụng"
    assert decode("Hµ", "tcvn3") == "Hà"


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "mojibake"])
def test_round_trip_phrases(encoding: str) -> None:
    for phrase in PHRASES:
        back = decode(encode(phrase, encoding), encoding)
        if encoding == "tcvn3" and any(ch in _UPPER_TONED for ch in phrase):
            assert back.lower() == phrase.lower()
            upper = phrase.upper()
            assert decode(encode(upper, "tcvn3"), "tcvn3") == upper
        else:
            assert back == phrase


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "mojibake"])
def test_detect_encoded_phrases(encoding: str) -> None:
    found = [detect(encode(p, encoding)) for p in PHRASES]
    # A phrase whose every word is also a Unicode word (TCVN3 `Khóc Thõa Dô` for Khúc Thừa Dụ,
    # VNI `Mai Thò Ôn` for Mai Thị Ơn) cannot be detected alone; allow 3 of them.
    misses = [p for p, f in zip(PHRASES, found, strict=True) if f != encoding]
    assert len(misses) <= 3, misses
    assert all(f in (encoding, None) for f in found)


def test_encode_decode_reject_unknown_encoding() -> None:
    with pytest.raises(ValueError):
        decode("x", "viscii")
    with pytest.raises(ValueError):
        encode("x", "utf-7")


def test_vni_mixed_case_marks_follow_the_base() -> None:
    # PROPER() on VNI text gives `Aùnh` for `Ánh`; UPPER() gives `AÙNH`.
    assert decode("Aùnh", "vni") == "Ánh"
    assert decode("AÙNH", "vni") == "ÁNH"
    assert decode("aÙnh", "vni") == "ánh"
    assert decode("iù", "vni") == "iù"  # no such letter: left alone


# --------------------------------------------------------------------------------------------------
# Facts file examples
# --------------------------------------------------------------------------------------------------


def _facts() -> str:
    if not FACTS.exists():
        pytest.skip("reference facts file not available")
    return FACTS.read_text(encoding="utf-8")


def _section(facts: str, start: str, end: str) -> str:
    i = facts.index(start)
    return facts[i:facts.index(end, i)]


def test_facts_tcvn3_examples() -> None:
    facts = _facts()
    section = _section(facts, "**TCVN3", "**VNI")
    pairs = re.findall(r"`([^`]+)` → `([^`]+)`", section)
    assert len(pairs) >= 5
    for unicode_text, legacy_text in pairs:
        assert encode(unicode_text, "tcvn3") == legacy_text
        assert decode(legacy_text, "tcvn3") == unicode_text
        assert detect(legacy_text) == "tcvn3"
    bases = re.findall(r"([ăâêôơđĂÂÊÔƠƯĐ]) `([^`]+)`", section)
    assert len(bases) >= 13
    for letter, code in bases:
        assert TCVN3_TO_UNICODE[code] == letter
    assert "0xAD" in section and TCVN3_TO_UNICODE["\xad"] == "ư"


def test_facts_vni_examples() -> None:
    facts = _facts()
    section = _section(facts, "**VNI", "- Detect per column")
    pairs = re.findall(r"`([^`]+)` → `([^`]+)`", section)
    assert len(pairs) >= 2
    for unicode_text, legacy_text in pairs:
        assert encode(unicode_text, "vni") == legacy_text
        assert decode(legacy_text, "vni") == unicode_text
        assert detect(legacy_text) == "vni"
    tones = {"acute": "á", "grave": "à", "hook": "ả", "tilde": "ã", "dot": "ạ",
             "circumflex": "â", "breve": "ă"}
    for name, mark in re.findall(r"(acute|grave|hook|tilde|dot|circumflex|breve) `([^`]+)`",
                                 section):
        assert decode("a" + mark, "vni") == tones[name], name
    singles = dict(re.findall(r"([ơưđĐ]) = `([^`]+)`", section))
    singles.update(dict(re.findall(r"([íìỉĩịỵ]) `([^`]+)`", section)))
    assert len(singles) >= 10
    for letter, code in singles.items():
        assert decode(code, "vni") == letter


def test_facts_mojibake_and_unicode_examples() -> None:
    facts = _facts()
    sample = re.search(r"`(CÃ[^`]+)`", facts)
    assert sample is not None
    assert detect(sample.group(1)) == "mojibake"
    assert decode(sample.group(1), "mojibake") == "Công đoàn"
    # `Ð/ð` is the cp1258-read-as-cp1252 eth; the facts call it a mapping for cleaning.
    assert text.clean_text("Ðặng") == "Đặng"
    assert text.fold("Đặng") == "Dang"


# --------------------------------------------------------------------------------------------------
# No false conversion
# --------------------------------------------------------------------------------------------------


def test_detect_leaves_unicode_alone() -> None:
    wrong = [(s, detect(s)) for s in NO_CONVERSION if detect(s) is not None]
    assert wrong == []


def test_decode_frame_leaves_unicode_alone() -> None:
    n = len(NO_CONVERSION)
    frame = pd.DataFrame({
        "title": NO_CONVERSION,
        "authors": list(reversed(NO_CONVERSION)),
        "note": [UNICODE_ONLY[i % len(UNICODE_ONLY)] for i in range(n)],
    }, dtype=object)
    out, found = decode_frame(frame, ["title", "authors", "note"])
    assert found.isna().all().all()
    pd.testing.assert_frame_equal(out, frame)


def test_unicode_cells_in_legacy_rows_and_columns_stay() -> None:
    # Strong TCVN3 and VNI evidence in the same rows and columns must not drag Unicode with it.
    traps = ["Hồ", "Tô", "Lò", "Ô tô", "Tô Hoài", "Hà", "Ông", "Hoà", "Müller", "café"]
    frame = pd.DataFrame({
        "title": [encode("Cải tiến bộ gá hàn cốt thép dầm cầu", "tcvn3")] * len(traps),
        "authors": traps,
        "unit": [encode("Xí nghiệp Cơ khí số 2", "vni")] * len(traps),
        "note": traps[::-1],
    }, dtype=object)
    out, found = decode_frame(frame, list(frame.columns))
    assert out["authors"].tolist() == traps
    assert out["note"].tolist() == traps[::-1]
    assert found["authors"].isna().all() and found["note"].isna().all()
    assert set(found["title"]) == {"tcvn3"} and set(found["unit"]) == {"vni"}


# --------------------------------------------------------------------------------------------------
# decode_frame
# --------------------------------------------------------------------------------------------------


def test_short_cells_borrow_row_evidence() -> None:
    frame = pd.DataFrame({
        "title": [encode("Cải tiến quy trình lắp dựng cốp pha nhôm", "tcvn3"),
                  encode("Chế tạo máy trộn bê tông di động", "vni"),
                  "Công đoàn Tổng công ty Sông Đà"],
        "authors": ["Lª", "Coâ", "Lª"],
        "field": ["Hµ", "Hoaø", "Hµ"],
    }, dtype=object)
    out, found = decode_frame(frame, ["title", "authors", "field"])
    assert out.loc[0, "authors"] == "Lê" and found.loc[0, "authors"] == "tcvn3"
    assert out.loc[0, "field"] == "Hà"
    assert out.loc[1, "authors"] == "Cô" and found.loc[1, "authors"] == "vni"
    assert out.loc[1, "field"] == "Hoà"
    # Row 2 is Unicode and its short cells have no column majority: left as typed.
    assert out.loc[2, "authors"] == "Lª" and pd.isna(found.loc[2, "authors"])


def test_short_cells_borrow_column_evidence() -> None:
    names = ["Nguyễn Văn Hùng", "Trần Thị Thu Hương", "Lê Văn Lực", "Phạm Quốc Cường",
             "Đỗ Thị Hòa", "Bùi Xuân Trường"]
    authors = [encode(n, "tcvn3") for n in names] + ["Hµ", "Lª"]
    frame = pd.DataFrame({"authors": authors, "n": range(len(authors))}, dtype=object)
    out, found = decode_frame(frame, ["authors"])
    assert out["authors"].tolist() == [*names, "Hà", "Lê"]
    assert found["authors"].tolist() == ["tcvn3"] * len(authors)
    assert found["n"].isna().all()
    # The same short cells alone in a Unicode column are not converted.
    frame = pd.DataFrame({"authors": [*names, "Hµ", "Lª"]}, dtype=object)
    out, found = decode_frame(frame, ["authors"])
    assert out["authors"].tolist() == [*names, "Hµ", "Lª"]
    assert found["authors"].isna().all()


def test_mixed_file_one_column_per_encoding() -> None:
    titles = PHRASES[10:40]
    units = PHRASES[90:100] * 3
    names = PHRASES[60:90]
    frame = pd.DataFrame({
        "title": [encode(t, "tcvn3") for t in titles],
        "authors": [encode(n, "vni") for n in names],
        "unit": units,
        "amount": [1_500_000.0] * 30,
    }, dtype=object)
    out, found = decode_frame(frame, ["title", "authors", "unit"])
    # Cells whose every word is also a Unicode word (`Mai Thò Ôn` is VNI for Mai Thị Ơn) stay as
    # typed; all others are converted exactly.
    for col, enc, originals in (("title", "tcvn3", titles), ("authors", "vni", names)):
        converted = found[col] == enc
        assert converted.sum() >= len(originals) - 1
        for ok, before, after, original in zip(converted, frame[col], out[col], originals,
                                               strict=True):
            expected = decode(encode(original, enc), enc) if ok else before
            assert after == expected
    assert out["unit"].tolist() == units
    assert found["unit"].isna().all() and found["amount"].isna().all()


def test_mojibake_cells_are_fixed() -> None:
    frame = pd.DataFrame({"title": [encode(p, "mojibake") for p in PHRASES[:20]] + ["Tô"]},
                         dtype=object)
    out, found = decode_frame(frame, ["title"])
    assert out["title"].tolist() == [*PHRASES[:20], "Tô"]
    assert found["title"].tolist() == ["mojibake"] * 20 + [None]


def test_mojibake_with_lost_no_break_space() -> None:
    # à is C3 A0: the A0 (no-break space) often becomes a plain space.
    assert decode("CÃ´ng Ä‘oÃ n", "mojibake") == "Công đoàn"
    assert decode("HÃ  Ná»\x99i vÃ  SÃ i GÃ²n", "mojibake") == "Hà Nội và Sài Gòn"
    assert decode("NGÃ BA", "mojibake") == "NGÃ BA"  # real Unicode: no other mojibake evidence
    assert detect("NGÃ BA") is None


def test_non_strings_untouched_and_shape_kept() -> None:
    when = dt.date(2023, 3, 5)
    frame = pd.DataFrame({
        "a": ["C«ng ®oµn Tæng c«ng ty", 12.5, None, np.nan, when, pd.NA, 7, True],
        "b": ["x"] * 8,
    }, dtype=object, index=[10, 11, 12, 13, 14, 15, 16, 17])
    out, found = decode_frame(frame, ["a", "b", "missing"])
    assert found.shape == frame.shape
    assert list(found.columns) == ["a", "b"] and list(found.index) == list(frame.index)
    assert out.loc[10, "a"] == "Công đoàn Tổng công ty" and found.loc[10, "a"] == "tcvn3"
    for idx in (11, 13, 14, 16, 17):
        assert out.loc[idx, "a"] is frame.loc[idx, "a"]
    assert out.loc[12, "a"] is None and out.loc[15, "a"] is pd.NA
    assert frame.loc[10, "a"] == "C«ng ®oµn Tæng c«ng ty"  # input not modified
    # The two frames are the caller's: writing one cell touches nothing else.
    found.loc[11, "b"] = "vni"
    out.loc[11, "b"] = "y"
    assert found["a"].isna().sum() == 7 and found.loc[12, "b"] is None
    assert frame.loc[11, "b"] == "x" and out.loc[12, "b"] == "x"


def test_decode_frame_on_pandas_string_dtype() -> None:
    values = [encode("Công đoàn Xây dựng Việt Nam", "vni"), "Tô Hoài", None]
    frame = pd.DataFrame({"t": pd.array(values, dtype="string")})
    out, found = decode_frame(frame, ["t"])
    assert out["t"].iloc[0] == "Công đoàn Xây dựng Việt Nam"
    assert out["t"].iloc[1] == "Tô Hoài"
    assert found["t"].tolist()[:2] == ["vni", None]


def test_legacy_text_with_cp1252_punctuation() -> None:
    # Word typed with .VnTime fonts gives cp1252 smart quotes and dashes inside legacy text.
    cell = encode("“Cải tiến bộ gá hàn” – Xí nghiệp số 2", "tcvn3")
    assert detect(cell) == "tcvn3"
    out, found = decode_frame(pd.DataFrame({"t": [cell]}, dtype=object), ["t"])
    assert out.loc[0, "t"] == "“Cải tiến bộ gá hàn” – Xí nghiệp số 2"
    assert found.loc[0, "t"] == "tcvn3"


def test_cell_partly_retyped_in_unicode_keeps_the_unicode_words() -> None:
    cell = "NguyÔn V¨n Hïng, Trần Thị Thủy"
    out, found = decode_frame(pd.DataFrame({"a": [cell]}, dtype=object), ["a"])
    assert out.loc[0, "a"] == "Nguyễn Văn Hùng, Trần Thị Thủy"
    assert found.loc[0, "a"] == "tcvn3"


def test_soft_hyphen_survives_cleaning_and_decodes() -> None:
    cell = encode("Người lao động được bảo vệ", "tcvn3")
    assert "\xad" in cell
    cleaned = text.clean_text(cell)
    assert "\xad" in cleaned
    assert decode(cleaned, detect(cleaned) or "") == "Người lao động được bảo vệ"


def test_syllable_checker() -> None:
    good = ["Công", "đoàn", "Nguyễn", "quý", "giá", "của", "hoà", "hòa", "khuya", "nghiêng",
            "xoong", "gìn", "chuyện", "được", "người", "QUỐC", unicodedata.normalize("NFD", "Thủy")]
    bad = ["C«ng", "Coâng", "mèt", "Ơng", "Müller", "café", "", "ab1", "Đắk"]
    assert all(legacy.is_vietnamese_syllable(w) for w in good)
    assert not any(legacy.is_vietnamese_syllable(w) for w in bad)


# --------------------------------------------------------------------------------------------------
# Properties: never raise; clean_text idempotent
# --------------------------------------------------------------------------------------------------

_TEXT = st.text(max_size=60)
_LEGACYISH = st.text(
    alphabet=st.sampled_from(sorted(set("aeouyAEOUY dđ ,.-()\n\t" + "".join(TCVN3_TO_UNICODE)
                                        + "".join(VNI_TO_UNICODE) + "ÃÄÆº»‘’“”–\xa0"))),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _LEGACYISH))
def test_detect_and_decode_never_raise(s: str) -> None:
    assert detect(s) in (None, "tcvn3", "vni", "mojibake")
    for encoding in ("tcvn3", "vni", "mojibake"):
        assert isinstance(decode(s, encoding), str)
        assert isinstance(encode(s, encoding), str)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_TEXT, _LEGACYISH, st.none(), st.integers()), min_size=1, max_size=8))
def test_decode_frame_never_raises(cells: list[object]) -> None:
    frame = pd.DataFrame({"a": cells, "b": list(reversed(cells))}, dtype=object)
    out, found = decode_frame(frame, ["a", "b"])
    assert out.shape == frame.shape and found.shape == frame.shape
    for col in ("a", "b"):
        for before, after, enc in zip(frame[col], out[col], found[col], strict=True):
            if enc is None:
                assert after is before


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TEXT, _LEGACYISH))
def test_text_functions_never_raise_and_clean_is_idempotent(s: str) -> None:
    cleaned = text.clean_text(s)
    assert text.clean_text(cleaned) == cleaned
    assert isinstance(text.exact_key(s), str)
    assert isinstance(text.folded_key(s), str)
    assert isinstance(headers.header_key(s), str)
    assert text.exact_key(text.exact_key(s)) == text.exact_key(s)
