"""sync.text: display form, tone placement, comparison keys, header keys, Series versions."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sync import catalog, legacy, text_columns
from sync.headers import header_key, header_row_keys
from sync.text import (
    clean_text,
    exact_key,
    fold,
    folded_key,
    person_name_fold,
    person_name_key,
    unify_tones,
)
from sync.text_columns import clean_series, exact_keys, folded_keys

CORPUS = Path(__file__).parent / "corpus_text"
PHRASES = [
    line for line in (CORPUS / "phrases.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


# --------------------------------------------------------------------------------------------------
# clean_text
# --------------------------------------------------------------------------------------------------


def test_clean_text_nfc_and_spaces() -> None:
    assert clean_text(nfd("Nguyễn")) == "Nguyễn"
    assert len(clean_text(nfd("Nguyễn"))) == 6
    assert clean_text("  Máy\u00a0trộn\u2003\u2003bê\ttông  ") == "Máy trộn bê tông"
    assert clean_text("a\u202fb\u3000c\u2009d") == "a b c d"


def test_clean_text_zero_width_removed() -> None:
    for zw in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"):
        assert clean_text(f"{zw}Nguy{zw}ễn Văn{zw} A") == "Nguyễn Văn A"
    # A zero-width character between a letter and its combining mark must not block NFC.
    assert clean_text("Nguye\u0302\u200b\u0303n") == "Nguyễn"


def test_clean_text_keeps_line_breaks_without_the_spaces_around() -> None:
    assert clean_text(" Nguyễn Văn A \r\n  Trần Thị B\n\n\nLê C ") == "Nguyễn Văn A\nTrần Thị B\nLê C"
    assert clean_text("A\u2028B\rC") == "A\nB\nC"


def test_clean_text_eth_becomes_d_with_stroke() -> None:
    assert clean_text("Ðặng Văn Ðức, ðường") == "Đặng Văn Đức, đường"
    # ...but not inside a word, where it is TCVN3's `é` waiting for decoding.
    assert clean_text("hÐt") == "hÐt"
    assert legacy.decode(clean_text("hÐt"), "tcvn3") == "hét"


def test_clean_text_keeps_soft_hyphen() -> None:
    assert clean_text("ng\xadêi") == "ng\xadêi"  # TCVN3 `người` before decoding


def test_clean_text_returns_clean_input_unchanged() -> None:
    for phrase in PHRASES:
        assert clean_text(phrase) == phrase
        assert clean_text(nfd(phrase)) == phrase
        assert clean_text(" " + phrase.replace(" ", "\u00a0 ") + "\t") == phrase


# --------------------------------------------------------------------------------------------------
# Tones
# --------------------------------------------------------------------------------------------------

OLD_NEW = [
    ("hòa", "hoà"), ("Hòa", "Hoà"), ("HÒA", "HOÀ"), ("khỏe", "khoẻ"), ("KHỎE", "KHOẺ"),
    ("thủy", "thuỷ"), ("Thủy", "Thuỷ"), ("THỦY", "THUỶ"), ("ủy ban", "uỷ ban"), ("Úy", "Uý"),
    ("lòe", "loè"), ("tóa", "toá"), ("họa", "hoạ"), ("thúy", "thuý"), ("lũy", "luỹ"),
    ("QUẢ", "QUẢ"), ("qủa", "quả"), ("QỦA", "QUẢ"), ("gìa", "già"), ("Gịa", "Giạ"),
]
SAME_IN_BOTH = ["quý", "Quý", "giá", "của", "hoàng", "toán", "thuyết", "quốc", "giữ", "gìn",
                "người", "khuya", "huỳnh", "quyền", "Nguyễn", "hoặc", "khuếch", "mùa", "chìa"]


@pytest.mark.parametrize(("old", "new"), OLD_NEW)
def test_unify_tones_new_style(old: str, new: str) -> None:
    assert unify_tones(old) == new
    assert unify_tones(nfd(old)) == new
    assert unify_tones(new) == new


@pytest.mark.parametrize("word", SAME_IN_BOTH)
def test_unify_tones_leaves_other_words(word: str) -> None:
    assert unify_tones(word) == word
    assert unify_tones(word.upper()) == word.upper()


def test_unify_tones_in_sentences() -> None:
    assert unify_tones("Công ty Thủy điện Hòa Bình, sức khỏe") == "Công ty Thuỷ điện Hoà Bình, sức khoẻ"


# --------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------


def test_exact_key_ignores_normal_form_case_tone_style_spaces_punctuation() -> None:
    variants = ["Máy trộn  bê-tông.", "máy trộn bê tông", nfd("MÁY TRỘN BÊ TÔNG"),
                " Máy\u00a0trộn bê tông ; ", "Máy trộn bê\u200b tông", "«Máy trộn bê tông»"]
    assert {exact_key(v) for v in variants} == {"máy trộn bê tông"}
    assert exact_key("Thủy điện Hòa Bình") == exact_key("THUỶ ĐIỆN HOÀ BÌNH") == "thuỷ điện hoà bình"
    assert exact_key("Ðặng") == exact_key("Đặng") == "đặng"


def test_exact_key_keeps_what_makes_initiatives_different() -> None:
    assert exact_key("Trạm trộn số 1") != exact_key("Trạm trộn số 2")
    assert exact_key("máy trộn bê tông") != exact_key("máy trộn vữa")
    assert exact_key("thùy") != exact_key("thúy") != exact_key("thủy")
    assert exact_key("Hòa") != exact_key("Hóa")


def test_nfc_nfd_keys_equal_for_all_phrases() -> None:
    for phrase in PHRASES:
        assert exact_key(nfd(phrase)) == exact_key(phrase)
        assert folded_key(nfd(phrase)) == folded_key(phrase)
        assert exact_key(phrase.upper()) == exact_key(phrase)
        assert folded_key(phrase).isascii()


def test_fold() -> None:
    assert fold("Đặng") == "Dang"
    assert fold("đường ĐI") == "duong DI"
    assert fold("Nguyễn Văn Hùng") == "Nguyen Van Hung"
    assert fold(nfd("Nguyễn")) == "Nguyen"
    assert fold("Müller, café – Zürich") == "Muller, cafe – Zurich"
    assert fold("Ø110 Łódź straße") == "O110 Lodz strasse"
    assert fold("東京 Hà") == "東京 Ha"
    assert fold("") == ""


def test_folded_key_merges_what_it_should() -> None:
    assert folded_key("Đặng Thị Thủy") == folded_key("dang thi thuy") == "dang thi thuy"
    assert len({folded_key(w) for w in ("thùy", "thúy", "thủy", "thụy", "Thuỷ")}) == 1
    assert folded_key("  Máy trộn  bê-tông. ") == "may tron be tong"
    assert folded_key("Ống Ø110") == "ong o110"


def test_person_name_keys() -> None:
    assert person_name_key("NGUYỄN  văn Hòa.") == person_name_key("Nguyễn Văn Hoà")
    assert person_name_key(nfd("Trần Thị Thủy")) == "trần thị thuỷ"
    assert person_name_fold("Đặng Thị Thủy") == "dang thi thuy"
    assert person_name_key("Lê Văn Hùng") != person_name_key("Lê Văn Hưng")
    assert person_name_fold("Lê Văn Hùng") == person_name_fold("Lê Văn Hưng")


# --------------------------------------------------------------------------------------------------
# Header keys
# --------------------------------------------------------------------------------------------------

ALL_HEADERS = [(f.key, name) for f in catalog.FIELDS for name in (f.header, *f.aliases)]


def _single_header_variants(name: str) -> dict[str, str]:
    return {
        "upper": name.upper(), "lower": name.lower(), "spaces": "  " + name.replace(" ", "   ") + " ",
        "no diacritics": fold(name), "nfd": nfd(name), "nbsp": name.replace(" ", "\u00a0"),
        "tones": unify_tones(name), "newline": name.replace(" ", "\n", 1),
        "vni": legacy.encode(name, "vni"), "vni upper": legacy.encode(name.upper(), "vni"),
        "mojibake": legacy.encode(name, "mojibake"),
        "units": name + " (ghi rõ)",
    }


def _all_words_are_unicode_words(s: str) -> bool:
    """True when every non-ASCII word of `s` is itself a Vietnamese syllable: such a TCVN3 header
    (`Ghi chó`) cannot be recognised alone; header_row_keys handles it."""
    words = [w for w in s.replace("/", " ").replace(",", " ").split() if not w.isascii()]
    return all(legacy.is_vietnamese_syllable(w) for w in words)


@pytest.mark.parametrize(("key", "name"), ALL_HEADERS)
def test_header_key_variants(key: str, name: str) -> None:
    want = header_key(name)
    assert want and want.isascii() and want == want.lower()
    for label, variant in _single_header_variants(name).items():
        assert header_key(variant) == want, (label, variant)
    for variant in (legacy.encode(name, "tcvn3"), legacy.encode(name.upper(), "tcvn3")):
        if not _all_words_are_unicode_words(variant):
            assert header_key(variant) == want, variant


def test_header_key_examples() -> None:
    assert header_key("Giá trị làm lợi (đồng/năm)") == "gia tri lam loi"
    assert header_key("Tªn s¸ng kiÕn") == "ten sang kien"
    assert header_key("Teân saùng kieán") == "ten sang kien"
    assert header_key("TÊN  SÁNG-KIẾN") == "ten sang kien"
    assert header_key("Giá trị làm lợi (đồng/năm") == "gia tri lam loi"
    assert header_key("") == ""
    assert header_key(None) == ""  # type: ignore[arg-type]
    assert header_key(2023) == "2023"  # type: ignore[arg-type]


def test_header_keys_do_not_collide_between_fields() -> None:
    owner: dict[str, str] = {}
    for key, name in ALL_HEADERS:
        hk = header_key(name)
        assert owner.setdefault(hk, key) == key, (name, hk, owner[hk])


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_header_row_keys_decide_for_the_whole_row(encoding: str) -> None:
    for attr in ("header", "aliases"):
        row: list[object] = ["STT"]
        wanted = ["stt"]
        for f in catalog.FIELDS:
            names = [f.header] if attr == "header" else list(f.aliases[:1])
            for name in names:
                row.append(legacy.encode(name, encoding))
                wanted.append(header_key(name))
        row.append(None)
        wanted.append("")
        assert header_row_keys(row) == wanted
    # `Ghi chó` alone is the Unicode word `chó`; in a TCVN3 row it is `Ghi chú`.
    assert header_key("Ghi chó") == "ghi cho"
    assert header_row_keys(["Tªn s¸ng kiÕn", "T¸c gi¶", "Ghi chó"])[-1] == "ghi chu"


def test_header_row_keys_with_known_headers() -> None:
    known = {header_key(name) for _key, name in ALL_HEADERS}
    # A Unicode header added later to a TCVN3 row, and a TCVN3 header that is also Unicode words.
    row = ["Tªn s¸ng kiÕn", "Hồ sơ", "Ghi chú", "Ghi chó", "T¸c gi¶"]
    assert header_row_keys(row, known) == ["ten sang kien", "ho so", "ghi chu", "ghi chu",
                                           "tac gia"]
    # Without the catalogue the row's encoding wins for cells that read both ways.
    assert header_row_keys(row)[2] == "ghi chy"


# --------------------------------------------------------------------------------------------------
# Series versions
# --------------------------------------------------------------------------------------------------


def _mixed_series() -> pd.Series:
    when = dt.date(2023, 3, 5)
    values: list[object] = [nfd("Hòa  Bình "), None, np.nan, 12.5, when, pd.NA, "Ðặng\u200b Thủy",
                            "", "Hòa  Bình ", 7]
    return pd.Series(values, index=range(100, 110), name="title", dtype=object)


@pytest.mark.parametrize(("series_fn", "scalar_fn"), [
    (clean_series, clean_text), (exact_keys, exact_key), (folded_keys, folded_key),
    (text_columns.fold_series, fold),
])
def test_series_versions_match_scalars_and_pass_non_strings(series_fn, scalar_fn) -> None:  # type: ignore[no-untyped-def]
    s = _mixed_series()
    out = series_fn(s)
    assert list(out.index) == list(s.index) and out.name == "title"
    for before, after in zip(s, out, strict=True):
        if isinstance(before, str):
            assert after == scalar_fn(before)
        else:
            assert after is before
    # Repetitive columns go through the memo path: same answers.
    big = pd.Series(list(s) * 300, dtype=object)
    out_big = series_fn(big)
    for before, after in zip(big, out_big, strict=True):
        if isinstance(before, str):
            assert after == scalar_fn(before)


def test_series_versions_accept_pandas_string_dtype() -> None:
    s = pd.Series([nfd("Hòa Bình"), None, "Thủy"], dtype="string")
    assert clean_series(s).tolist()[0] == "Hòa Bình"
    assert exact_keys(s).tolist()[2] == "thuỷ"
    assert folded_keys(s).tolist()[0] == "hoa binh"
    assert pd.isna(folded_keys(s).tolist()[1])


def test_series_key_values() -> None:
    s = pd.Series(["Hòa Bình", "HOÀ  BÌNH.", nfd("hoà bình")], dtype=object)
    assert exact_keys(s).nunique() == 1
    assert folded_keys(s).tolist() == ["hoa binh"] * 3
