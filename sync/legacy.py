"""Legacy Vietnamese encodings: TCVN3 (ABC) and VNI-Windows, plus UTF-8-read-as-cp1252 mojibake.

Office files from before Unicode still circulate between trade unions. Their text reaches us as
Unicode strings whose characters are the *Windows-1252 readings* of the legacy bytes: TCVN3's
`Công đoàn` arrives as `C«ng ®oµn`, VNI's as `Coâng ñoaøn`. This module holds the character charts,
converts in both directions and decides, with evidence, whether a string (or a spreadsheet column)
is legacy text at all.

Charts (written from the published TCVN 5712:1993 VN3 and VNI-Windows character charts, as used by
Unikey's converter):

- TCVN3 / ABC (VN3): one byte per letter. Lowercase toned letters occupy 0xB5–0xFE, the seven base
  letters ă â ê ô ơ ư đ 0xA8–0xAE (ư is 0xAD, the soft hyphen) and their capitals Ă Â Ê Ô Ơ Ư Đ
  0xA1–0xA7. VN3 has **no capital toned letters**: `.VnTimeH` fonts draw the lowercase codes as
  capitals, so case is lost. `encode` writes a capital toned letter with its lowercase code (what
  Unikey does) and `decode` restores capitals inside words that are otherwise all caps
  (`C¤NG §OµN` → `CÔNG ĐOÀN`); a lone capital toned letter (`Ứng` → `øng`) comes back lowercase.
  The extra capitals of TCVN 5712 VN1 (in 0x80–0x9F, C0 controls and a few 0xA0–0xFF slots) are not
  decoded: those slots collide with ordinary Unicode letters (`Á`, `Ù`, `à` …) and VN3 files never
  contain them.
- VNI-Windows: a base letter followed by a mark character (`a` + `ù` = `á`, `a` + `á` = `ấ`);
  ơ ư đ and the toned i and ỵ are single characters. Capitals use capital marks (`AÙ` = `Á`); when
  a spreadsheet's PROPER()/UPPER() has mixed the case of base and mark, the base decides the case.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd

__all__ = [
    "ENCODINGS",
    "TCVN3_TO_UNICODE",
    "UNICODE_TO_TCVN3",
    "UNICODE_TO_VNI",
    "VNI_TO_UNICODE",
    "decode",
    "decode_frame",
    "detect",
    "encode",
    "is_vietnamese_syllable",
    "scores",
]

ENCODINGS: Final = ("tcvn3", "vni", "mojibake")

# --------------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------------

# The 12 vowel rows and their five toned forms, in the order grave, hook, tilde, acute, dot.
_TONE_ORDER: Final = ("grave", "hook", "tilde", "acute", "dot")
_VOWEL_ROWS: Final[dict[str, str]] = {
    # base: grave hook tilde acute dot
    "a": "àảãáạ",
    "ă": "ằẳẵắặ",
    "â": "ầẩẫấậ",
    "e": "èẻẽéẹ",
    "ê": "ềểễếệ",
    "i": "ìỉĩíị",
    "o": "òỏõóọ",
    "ô": "ồổỗốộ",
    "ơ": "ờởỡớợ",
    "u": "ùủũúụ",
    "ư": "ừửữứự",
    "y": "ỳỷỹýỵ",
}

# TCVN3 (VN3) code points, written as the cp1252/Latin-1 characters they arrive as.
_TCVN3_BASES: Final[dict[str, str]] = {
    "\xa1": "Ă", "\xa2": "Â", "\xa3": "Ê", "\xa4": "Ô", "\xa5": "Ơ", "\xa6": "Ư", "\xa7": "Đ",
    "\xa8": "ă", "\xa9": "â", "\xaa": "ê", "\xab": "ô", "\xac": "ơ", "\xad": "ư", "\xae": "đ",
}
_TCVN3_TONED_CODES: Final[dict[str, tuple[int, int, int, int, int]]] = {
    # base: codes of grave, hook, tilde, acute, dot
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}


def _build_tcvn3() -> dict[str, str]:
    table = dict(_TCVN3_BASES)
    for base, codes in _TCVN3_TONED_CODES.items():
        for code, letter in zip(codes, _VOWEL_ROWS[base], strict=True):
            table[chr(code)] = letter
    return table


TCVN3_TO_UNICODE: Final[dict[str, str]] = _build_tcvn3()
"""TCVN3 (ABC, VN3) character → Unicode letter: 74 entries (67 lowercase letters + 7 capitals)."""

# VNI-Windows marks (the cp1252 characters of the mark bytes), lowercase and capital forms.
_VNI_TONE_MARKS: Final[dict[str, tuple[str, str]]] = {
    "grave": ("ø", "Ø"), "hook": ("û", "Û"), "tilde": ("õ", "Õ"), "acute": ("ù", "Ù"),
    "dot": ("ï", "Ï"),
}
_VNI_CIRC_MARKS: Final[dict[str, tuple[str, str]]] = {  # circumflex combined with a tone
    "": ("â", "Â"), "grave": ("à", "À"), "hook": ("å", "Å"), "tilde": ("ã", "Ã"),
    "acute": ("á", "Á"), "dot": ("ä", "Ä"),
}
_VNI_BREVE_MARKS: Final[dict[str, tuple[str, str]]] = {  # breve combined with a tone
    "": ("ê", "Ê"), "grave": ("è", "È"), "hook": ("ú", "Ú"), "tilde": ("ü", "Ü"),
    "acute": ("é", "É"), "dot": ("ë", "Ë"),
}
# Single-character VNI letters: ơ ư đ, the toned i and ỵ.
_VNI_SINGLES: Final[dict[str, str]] = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "ì": "ì", "Ì": "Ì", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "í": "í", "Í": "Í",
    "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
}


def _toned(base: str, tone: str) -> str:
    """The precomposed letter `base` (any case) carrying `tone` ('' for none)."""
    if not tone:
        return base
    lower = _VOWEL_ROWS[base.lower()][_TONE_ORDER.index(tone)]
    return lower.upper() if base.isupper() else lower


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """The chart (case-consistent pairs) and the lenient decoding table (mixed-case pairs too)."""
    chart: dict[str, str] = {}
    lenient: dict[str, str] = {}

    def add(codes: tuple[str, str], lower_letter: str, upper_letter: str) -> None:
        # codes = (lowercase form, capital form); the base decides the case of the letter.
        lo, up = codes
        chart[lo] = lower_letter
        chart[up] = upper_letter
        lenient[lo] = lower_letter
        lenient[up] = upper_letter
        if len(lo) == 2:
            lenient[lo[0] + up[1]] = lower_letter
            lenient[up[0] + lo[1]] = upper_letter

    for tone in _TONE_ORDER:
        low_mark, up_mark = _VNI_TONE_MARKS[tone]
        for base in ("a", "e", "o", "u", "y"):
            if base == "y" and tone == "dot":
                continue  # ỵ is the single character î
            add((base + low_mark, base.upper() + up_mark), _toned(base, tone),
                _toned(base.upper(), tone))
        for vni_base, base in (("ô", "ơ"), ("ö", "ư")):
            add((vni_base + low_mark, vni_base.upper() + up_mark), _toned(base, tone),
                _toned(base.upper(), tone))
    for tone, (low_mark, up_mark) in _VNI_CIRC_MARKS.items():
        for base, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
            add((base + low_mark, base.upper() + up_mark), _toned(hat, tone),
                _toned(hat.upper(), tone))
    for tone, (low_mark, up_mark) in _VNI_BREVE_MARKS.items():
        add(("a" + low_mark, "A" + up_mark), _toned("ă", tone), _toned("Ă", tone))
    for code, letter in _VNI_SINGLES.items():
        chart[code] = letter
        lenient[code] = letter
    # `yï` is sometimes produced instead of `î` for ỵ; accept it when decoding.
    lenient["yï"] = lenient["yÏ"] = "ỵ"
    lenient["YÏ"] = lenient["Yï"] = "Ỵ"
    return chart, lenient


VNI_TO_UNICODE: Final[dict[str, str]]
_VNI_LENIENT: Final[dict[str, str]]
VNI_TO_UNICODE, _VNI_LENIENT = _build_vni()
"""VNI-Windows sequence (one or two characters) → Unicode letter, both cases."""

UNICODE_TO_TCVN3: Final[dict[str, str]] = {v: k for k, v in TCVN3_TO_UNICODE.items()}
# Capital toned letters have no TCVN3 code: write the lowercase code, as Unikey does.
for _lower_letter, _code in list(UNICODE_TO_TCVN3.items()):
    _upper_letter = _lower_letter.upper()
    if _upper_letter != _lower_letter and _upper_letter not in UNICODE_TO_TCVN3:
        UNICODE_TO_TCVN3[_upper_letter] = _code
UNICODE_TO_VNI: Final[dict[str, str]] = {v: k for k, v in VNI_TO_UNICODE.items()}

# Vietnamese letters (134 = 67 lowercase + 67 capitals, the plain ASCII vowels and d excluded).
VIETNAMESE_LETTERS: Final[str] = "".join(
    sorted({ch for row in _VOWEL_ROWS.values() for ch in row} | set("ăâêôơưđ"))
)
VIETNAMESE_LETTERS_ALL: Final[str] = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()

_TCVN3_TRANS: Final = str.maketrans(TCVN3_TO_UNICODE)
_TCVN3_ENCODE_TRANS: Final = str.maketrans(UNICODE_TO_TCVN3)
_VNI_ENCODE_TRANS: Final = str.maketrans(UNICODE_TO_VNI)
_VNI_RE: Final = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_LENIENT, key=len, reverse=True))
)

# TCVN3 case restoration: capitals and lowercase letters that TCVN3 can write in both cases.
_TCVN3_UPPER: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ\xa1\xa2\xa3\xa4\xa5\xa6\xa7")
_TCVN3_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz\xa8\xa9\xaa\xab\xac\xad\xae")
_TCVN3_TONED: Final = frozenset(
    chr(c) for codes in _TCVN3_TONED_CODES.values() for c in codes
)
_TCVN3_WORD_RE: Final = re.compile(
    "[A-Za-z" + re.escape("".join(sorted(TCVN3_TO_UNICODE))) + "]+"
)

# --------------------------------------------------------------------------------------------------
# Mojibake: UTF-8 bytes read as Windows-1252
# --------------------------------------------------------------------------------------------------


def _cp1252_tables() -> tuple[dict[int, str], dict[str, int]]:
    """cp1252 byte ↔ character; the five undefined bytes map to C1 controls as Windows does."""
    to_char: dict[int, str] = {}
    for byte in range(256):
        try:
            to_char[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            to_char[byte] = chr(byte)
    return to_char, {ch: b for b, ch in to_char.items()}


_CP1252_TO_CHAR, _CHAR_TO_CP1252 = _cp1252_tables()
# Lead characters of 2–3 byte UTF-8 sequences (0xC2–0xEF) and continuation characters (0x80–0xBF)
# as cp1252 shows them.
_MOJI_LEAD: Final = "".join(_CP1252_TO_CHAR[b] for b in range(0xC2, 0xF0))
_MOJI_CONT: Final = "".join(_CP1252_TO_CHAR[b] for b in range(0x80, 0xC0))
_MOJIBAKE_RE: Final = re.compile(f"[{re.escape(_MOJI_LEAD)}][{re.escape(_MOJI_CONT)}]")


def _fix_mojibake(s: str) -> str | None:
    """Undo one round of UTF-8-read-as-cp1252, or None when `s` is not exactly that."""
    try:
        raw = bytes(_CHAR_TO_CP1252[ch] for ch in s)
    except KeyError:
        return None
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return fixed if fixed != s else None


def _make_mojibake(s: str) -> str:
    return "".join(_CP1252_TO_CHAR[b] for b in s.encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------------


def _restore_tcvn3_case(raw: str, decoded: str) -> str:
    """Capitalise the toned letters of words that are otherwise all capitals (`§OµN` → `ĐOÀN`)."""
    if not any(ch in _TCVN3_UPPER for ch in raw) or not any(ch in _TCVN3_TONED for ch in raw):
        return decoded
    letters = [ch for ch in raw if ch in _TCVN3_UPPER or ch in _TCVN3_LOWER]
    uppers = sum(ch in _TCVN3_UPPER for ch in letters)
    if uppers >= 2 and uppers == len(letters):
        return decoded.upper()
    out = list(decoded)  # translate() keeps positions: one character in, one out
    for match in _TCVN3_WORD_RE.finditer(raw):
        word = match.group()
        ups = sum(ch in _TCVN3_UPPER for ch in word)
        lows = sum(ch in _TCVN3_LOWER for ch in word)
        if ups >= 2 and lows == 0:
            for i in range(match.start(), match.end()):
                out[i] = out[i].upper()
    return "".join(out)


def decode(s: str, encoding: str) -> str:
    """Convert one legacy string to Unicode (NFC). `encoding`: "tcvn3", "vni" or "mojibake".

    Characters outside the chart pass through, so decoding text that is only partly legacy does no
    harm to its ASCII; deciding *whether* to decode is `detect`'s and `decode_frame`'s job.
    """
    if encoding == "tcvn3":
        decoded = s.translate(_TCVN3_TRANS)
        return _restore_tcvn3_case(s, decoded)
    if encoding == "vni":
        return _VNI_RE.sub(lambda m: _VNI_LENIENT[m.group()], s)
    if encoding == "mojibake":
        fixed = _fix_mojibake(s)
        return unicodedata.normalize("NFC", fixed) if fixed is not None else s
    raise ValueError(f"unknown legacy encoding {encoding!r} (expected one of {ENCODINGS})")


def encode(s: str, encoding: str) -> str:
    """Convert Unicode text to a legacy encoding (as cp1252 characters), like Unikey would.

    Used to build realistic legacy test and demo data. TCVN3 writes capital toned letters with
    their lowercase codes (VN3 has none); characters outside the chart pass through.
    """
    nfc = unicodedata.normalize("NFC", s)
    if encoding == "tcvn3":
        return nfc.translate(_TCVN3_ENCODE_TRANS)
    if encoding == "vni":
        return nfc.translate(_VNI_ENCODE_TRANS)
    if encoding == "mojibake":
        return _make_mojibake(nfc)
    raise ValueError(f"unknown legacy encoding {encoding!r} (expected one of {ENCODINGS})")


# --------------------------------------------------------------------------------------------------
# Detection (first version: evidence refined below)
# --------------------------------------------------------------------------------------------------


def is_vietnamese_syllable(word: str) -> bool:  # placeholder, replaced by the full check
    return bool(word)


def scores(s: str) -> dict[str, float]:  # placeholder
    return {}


def detect(s: str) -> str | None:  # placeholder
    return None


def decode_frame(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:  # placeholder
    out = frame.copy()
    enc = pd.DataFrame(None, index=frame.index, columns=list(columns), dtype=object)
    _ = (np, lru_cache)
    return out, enc
