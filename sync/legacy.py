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
import string
import sys
import unicodedata
from collections.abc import Iterable, Sequence
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
    "[" + re.escape("".join(sorted({k[0] for k in _VNI_LENIENT if len(k) == 2}))) + "]"
    + "[" + re.escape("".join(sorted({k[1] for k in _VNI_LENIENT if len(k) == 2}))) + "]"
    + "|[" + re.escape("".join(sorted(k for k in _VNI_LENIENT if len(k) == 1))) + "]"
)

# TCVN3 case restoration: capitals and lowercase letters that TCVN3 can write in both cases.
_TCVN3_UPPER: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ\xa1\xa2\xa3\xa4\xa5\xa6\xa7")
_TCVN3_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz\xa8\xa9\xaa\xab\xac\xad\xae")
_TCVN3_TONED: Final = frozenset(
    chr(c) for codes in _TCVN3_TONED_CODES.values() for c in codes
)
_T3_U: Final = "A-Z" + re.escape("".join(sorted(_TCVN3_UPPER - set(string.ascii_uppercase))))
_T3_L: Final = "a-z" + re.escape("".join(sorted(_TCVN3_LOWER - set(string.ascii_lowercase))))
_T3_T: Final = re.escape("".join(sorted(_TCVN3_TONED)))
_T3_LOWER_RE: Final = re.compile(f"[{_T3_L}]")
# Two capitals with only toned letters between them (`OµN`): the cheap test before the real one.
_T3_CAPS_HINT_RE: Final = re.compile(f"[{_T3_U}][{_T3_T}]*[{_T3_U}]")
# A whole word of capitals and toned letters with at least two capitals.
_T3_CAPS_WORD_RE: Final = re.compile(
    f"(?<![{_T3_U}{_T3_L}{_T3_T}])[{_T3_U}{_T3_T}]*[{_T3_U}][{_T3_T}]*[{_T3_U}][{_T3_U}{_T3_T}]*"
    f"(?![{_T3_U}{_T3_L}{_T3_T}])"
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
    to_byte = {ch: b for b, ch in to_char.items()}
    # Text read as Latin-1 instead of cp1252 carries C1 controls where cp1252 has ‘ ’ “ ” …
    to_byte.update({chr(b): b for b in range(0x80, 0xA0)})
    return to_char, to_byte


_CP1252_TO_CHAR, _CHAR_TO_CP1252 = _cp1252_tables()
# Lead characters of 2–3 byte UTF-8 sequences (0xC2–0xEF) and continuation characters (0x80–0xBF)
# as cp1252 shows them.
_MOJI_LEAD: Final = "".join(_CP1252_TO_CHAR[b] for b in range(0xC2, 0xF0))
_MOJI_CONT: Final = "".join(
    sorted({_CP1252_TO_CHAR[b] for b in range(0x80, 0xC0)} | {chr(b) for b in range(0x80, 0xA0)})
)
_MOJIBAKE_RE: Final = re.compile(f"[{re.escape(_MOJI_LEAD)}][{re.escape(_MOJI_CONT)}]")


# In UTF-8, à (C3 A0), Ơ (C6 A0), Ạ (E1 BA A0) and Ỡ (E1 BB A0) end in byte A0, which cp1252
# shows as a no-break space; spreadsheets and cleaning often turn it into a plain space, which may
# then have merged with a real space after the letter.
_LOST_NBSP_RE: Final = re.compile("(Ã|Æ|Ä|Å|á[º»]) ")
_MARK: Final = "\x00"


def _fix_mojibake(s: str) -> str | None:
    """Undo one round of UTF-8-read-as-cp1252 (or Latin-1), or None when `s` is not exactly that.

    Exactness is the safety net: real Vietnamese text has letters outside cp1252 (ư ơ đ ạ …), and a
    cp1252-only string (`Tô`, `Müller`) is almost never valid UTF-8 as bytes. One repair is tried
    when the exact reading fails: a space after a lead character is read as the lost no-break
    space, and whether the letter it completes was followed by a space is decided by syllable
    spelling (`NgÃ nh` → `Ngành`, `vÃ tÃªn` → `và tên`).
    """
    fixed = _utf8_from_cp1252(s)
    if fixed is not None:
        return fixed if fixed != s else None
    if _MARK in s or _LOST_NBSP_RE.search(s) is None or _MOJIBAKE_RE.search(s) is None:
        return None
    fixed = _utf8_from_cp1252(_LOST_NBSP_RE.sub(lambda m: m.group(1) + "\xa0" + _MARK, s))
    if fixed is None:
        return None
    return _resolve_marks(fixed)


def _utf8_from_cp1252(s: str) -> str | None:
    try:
        return bytes(_CHAR_TO_CP1252[ch] for ch in s).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None


def _resolve_marks(text: str) -> str:
    """Each mark stands where a space may or may not have been: join the two parts around it when
    that spells one syllable (`Ngà|nh`, `Sà|i`), else a space (`và|tên`)."""
    parts = text.split(_MARK)
    result = parts[0]
    for nxt in parts[1:]:
        head = result.rsplit(" ", 1)[-1]
        tail = nxt.split(" ", 1)[0]
        if not nxt or nxt.startswith(" "):
            result += nxt  # the real space is still there
        elif head and tail and is_vietnamese_syllable(head + tail):
            result += nxt
        else:
            result += " " + nxt
    return result


def _make_mojibake(s: str) -> str:
    return "".join(_CP1252_TO_CHAR[b] for b in s.encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------------


def _restore_tcvn3_case(raw: str, decoded: str) -> str:
    """Capitalise the toned letters of words that are otherwise all capitals (`§OµN` → `ĐOÀN`)."""
    if _T3_CAPS_HINT_RE.search(raw) is None:
        return decoded  # no two capitals in a row: nothing that looks like an all-caps word
    if _T3_LOWER_RE.search(raw) is None:
        return decoded.upper()
    out = list(decoded)  # translate() keeps positions: one character in, one out
    for match in _T3_CAPS_WORD_RE.finditer(raw):
        for i in range(match.start(), match.end()):
            out[i] = out[i].upper()
    return "".join(out)


def _vni_letter(match: re.Match[str]) -> str:
    code = match.group()
    letter = _VNI_LENIENT.get(code)
    if letter is not None:
        return letter
    # A base followed by a mark it does not take (`iù`): the base stays, the second character
    # may still be a letter of its own (`ô` → ơ).
    return code[0] + _VNI_LENIENT.get(code[1], code[1])


def decode(s: str, encoding: str) -> str:
    """Convert one legacy string to Unicode (NFC). `encoding`: "tcvn3", "vni" or "mojibake".

    Characters outside the chart pass through, so decoding text that is only partly legacy does no
    harm to its ASCII; deciding *whether* to decode is `detect`'s and `decode_frame`'s job.
    """
    if encoding == "tcvn3":
        decoded = s.translate(_TCVN3_TRANS)
        return _restore_tcvn3_case(s, decoded)
    if encoding == "vni":
        return _VNI_RE.sub(_vni_letter, s)
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
# Evidence: does a word read as a Vietnamese syllable before or after decoding?
# --------------------------------------------------------------------------------------------------

_TONE_OF: Final[dict[str, tuple[str, str]]] = {}
for _base, _row in _VOWEL_ROWS.items():
    _TONE_OF[_base] = (_base, "")
    for _tone, _letter in zip(_TONE_ORDER, _row, strict=True):
        _TONE_OF[_letter] = (_base, _tone)
_TONE_OF["đ"] = ("đ", "")

_STOP_FINALS: Final = ("c", "ch", "p", "t")
# Toneless rhymes (vowel cluster + final consonant) that Vietnamese spelling allows.
_OPEN_RHYMES_TEXT: Final = (
    "a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ oa oe uê uy "
    "iêu yêu oai oay oao oeo uây uôi uya uyu ươi ươu"
)
_OPEN_RHYMES: Final = tuple(_OPEN_RHYMES_TEXT.split())
_CLOSED_RHYMES: Final[dict[str, str]] = {
    "a": "c ch m n ng nh p t", "ă": "c m n ng p t", "â": "c m n ng p t", "e": "c m n ng p t",
    "ê": "ch m n nh p t", "i": "ch m n nh p t", "o": "c m n ng p t", "oo": "c ng",
    "ô": "c m n ng p t", "ơ": "m n p t", "u": "c m n ng p t", "ư": "c m n ng t",
    "y": "ch n nh t", "iê": "c m n ng p t", "yê": "c m n ng p t", "uô": "c m n ng t",
    "ươ": "c m n ng p t", "oa": "c ch m n ng nh p t", "oă": "c m n ng t", "oe": "n t",
    "uâ": "n ng t", "uê": "ch n nh", "uy": "ch n nh p t", "uyê": "n t",
}
_RHYMES: Final[frozenset[str]] = frozenset(
    [*_OPEN_RHYMES] + [v + f for v, finals in _CLOSED_RHYMES.items() for f in finals.split()]
)
_INITIALS: Final = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh",
    "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x",
)


_VOWELS: Final = frozenset("aăâeêioôơuưy")
# Open rhymes of two vowels whose tone sits on the first (`mía`, `của`, `kéo`, `tôi`), and those
# that take it on either (`hòa`/`hoà`); in every other rhyme it sits on the last vowel before the
# final consonant, or on the middle one of three (`người`, `khoái`).
_TONE_FIRST: Final = frozenset(
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu".split()  # noqa: SIM905
)
_TONE_EITHER: Final = frozenset(("oa", "oe", "uy"))


@lru_cache(maxsize=1 << 16)
def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` (any case, NFC or NFD) is spelled like one Vietnamese syllable.

    Structure only (initial + vowel cluster + final, at most one tone, on a vowel that may carry
    it, and the rule that syllables ending in c/ch/p/t carry the acute or dot tone); it does not
    know the dictionary. That is enough to tell `C«ng` (no) from `Công` (yes), `Coâng` (no) from
    `Công` (yes) and `Leõ` (no) from `Lê` (yes).
    """
    word = unicodedata.normalize("NFC", word).lower()
    bases: list[str] = []
    tone = ""
    tone_at = -1
    for ch in word:
        if "a" <= ch <= "z":
            bases.append(ch)
            continue
        info = _TONE_OF.get(ch)
        if info is None:
            return False
        base, mark = info
        if mark:
            if tone:
                return False  # two tones
            tone = mark
            tone_at = len(bases)
        bases.append(base)
    plain = "".join(bases)
    for rhyme in _iter_syllable_splits(plain):
        if rhyme.endswith(_STOP_FINALS) and tone not in ("acute", "dot"):
            continue
        if rhyme.startswith("oo") and tone in ("hook", "tilde", "dot"):
            continue  # xoong, goòng, moóc: never `oõ` (TCVN3 reading of VNI `Coâng`)
        if tone and not _tone_in_place(rhyme, tone_at - (len(plain) - len(rhyme))):
            continue
        return True
    return False


def _tone_in_place(rhyme: str, at: int) -> bool:
    """Whether the tone at index `at` of `rhyme` sits on a vowel that may carry it."""
    vowels = [i for i, ch in enumerate(rhyme) if ch in _VOWELS]
    if at not in vowels:
        return False
    if len(vowels) == 1:
        return True
    nucleus = rhyme[vowels[0]:vowels[-1] + 1]
    open_rhyme = vowels[-1] == len(rhyme) - 1
    position = vowels.index(at)
    if open_rhyme and nucleus in _TONE_EITHER:
        return True
    if open_rhyme and nucleus in _TONE_FIRST:
        return position == 0
    if open_rhyme and len(vowels) == 3:
        return position == 1
    return position == len(vowels) - 1


def _iter_syllable_splits(plain: str) -> list[str]:
    """The rhymes `plain` can end with after a valid initial (`gi`, `qu` make several splits)."""
    out = []
    for initial in _INITIALS:
        if plain.startswith(initial) and plain[len(initial):] in _RHYMES:
            out.append(plain[len(initial):])
    return out


# Characters that Unicode Vietnamese text never contains but legacy text does.
_VIET_LATIN1: Final = frozenset(
    ch for ch in VIETNAMESE_LETTERS_ALL + "aeiouyAEIOUY" if ord(ch) < 0x100
)
_TCVN3_ONLY: Final = "".join(sorted(set(TCVN3_TO_UNICODE) - _VIET_LATIN1))
_VNI_CHARS: Final = {ch for key in VNI_TO_UNICODE for ch in key if ord(ch) >= 0x80}
_VNI_ONLY: Final = "".join(sorted(_VNI_CHARS - _VIET_LATIN1))
# Mojibake of Vietnamese always shows one of the UTF-8 lead bytes C3–C6 (`Ã Ä Å Æ`) or, for the
# letters U+1EA0–U+1EF9, `áº`/`á»`.
_MOJI_HINTS: Final = "ÃÄÅÆº»"
_STRONG_CLASS: Final = "".join(sorted(set(_TCVN3_ONLY + _VNI_ONLY + _MOJI_HINTS)))


def _vni_pair_pattern() -> str:
    """VNI base + mark pairs whose mark is itself a Unicode Vietnamese letter (`oâ`, `aù`, `eá`)
    and that Unicode Vietnamese never spells (so not `oà oá oã`: hoà, hoá, hoãn)."""
    by_base: dict[str, set[str]] = {}
    for key in _VNI_LENIENT:
        if len(key) == 2 and key[1] not in _STRONG_CLASS:
            if key[0] in "oO" and key[1] in "àáãÀÁÃ":
                continue
            by_base.setdefault(key[0], set()).add(key[1])
    groups: dict[str, str] = {}
    for base, marks in by_base.items():
        groups.setdefault("".join(sorted(marks)), "")
        groups["".join(sorted(marks))] += base
    return "|".join(f"[{re.escape(bases)}][{re.escape(marks)}]" for marks, bases in groups.items())


# The pre-screen: a cell that matches may be legacy text and is examined; one that does not is
# certainly not (or is indistinguishable from Unicode, like VNI `Hoà` for Hồ). RE2-compatible, so
# pandas' pyarrow-backed strings run it in C++.
PRESCREEN_PATTERN: Final = f"[{re.escape(_STRONG_CLASS)}]|{_vni_pair_pattern()}"
_PRESCREEN_RE: Final = re.compile(PRESCREEN_PATTERN)
_VIET_NON_LATIN1_RE: Final = re.compile("[ĂăĐđĨĩŨũƠơƯư\u1ea0-\u1ef9\u0300-\u0323]")
_TOKEN_RE: Final = re.compile(r"[^\s!-/:-@\[-`{-~0-9]+")

_POS, _NEG, _AMB, _JUNK = 0, 1, 2, 3


@lru_cache(maxsize=1 << 18)
def _token_evidence(token: str, encoding: str) -> int | None:
    """What decoding one word tells: a syllable only after decoding (_POS), only before (_NEG),
    both (_AMB), neither (_JUNK); None when decoding does not change the word. A one-character
    word is never evidence for an encoding (`Ø` in `Ø110` reads as TCVN3 `ỉ`)."""
    decoded = decode(token, encoding)
    if decoded == token:
        return None
    raw_ok = is_vietnamese_syllable(token)
    dec_ok = is_vietnamese_syllable(decoded)
    if dec_ok:
        return _AMB if raw_ok or len(token) < 2 else _POS
    return _NEG if raw_ok else _JUNK


@lru_cache(maxsize=1 << 16)
def _is_unicode_word(token: str) -> bool:
    return _VIET_NON_LATIN1_RE.search(token) is not None and is_vietnamese_syllable(token)


_Counts = tuple[int, int, int, int]  # pos, neg, amb, junk


@lru_cache(maxsize=1 << 16)
def _score_tuple(s: str) -> tuple[_Counts, _Counts, int, bool]:
    tokens = [t for t in _TOKEN_RE.findall(s) if not t.isascii()]
    uni = sum(1 for t in tokens if _is_unicode_word(t))
    per_enc = []
    for enc in ("tcvn3", "vni"):
        counts = [0, 0, 0, 0]
        for t in tokens:
            ev = _token_evidence(t, enc)
            if ev is not None:
                counts[ev] += 1
        per_enc.append((counts[0], counts[1], counts[2], counts[3]))
    moji = _MOJIBAKE_RE.search(s) is not None and _fix_mojibake(s) is not None
    return per_enc[0], per_enc[1], uni, moji


def scores(s: str) -> dict[str, dict[str, int]]:
    """The evidence `detect` weighs, per encoding: words of `s` that are a Vietnamese syllable only
    once decoded (`pos`), only as they stand (`neg`: decoding would break them), both (`amb`) or
    neither (`junk`), and `uni`, words already in Unicode Vietnamese. For "mojibake", `pos` is 1
    when `s` is exactly UTF-8 read as cp1252."""
    t3, vni, uni, moji = _score_tuple(s)
    out = {}
    for enc, c in (("tcvn3", t3), ("vni", vni)):
        out[enc] = {"pos": c[0], "neg": c[1], "amb": c[2], "junk": c[3], "uni": uni}
    out["mojibake"] = {"pos": int(moji), "neg": 0, "amb": 0, "junk": 0, "uni": uni}
    return out


# Evidence levels of one cell for one encoding.
_NONE, _AMBIG, _WEAK, _STRONG = 0, 1, 2, 3
# A strong cell tolerates this many words that decoding would break, per evidence word.
_MAX_NEG_SHARE: Final = 0.2
_LEVEL_ENCODINGS: Final = ("tcvn3", "vni")


def _level(pos: int, neg: int, amb: int, uni: int) -> int:
    if uni:
        # Partly Unicode (retyped): only clear evidence counts, and only its words are decoded.
        return _STRONG if pos >= 2 and neg == 0 else _NONE
    if pos >= 2 and neg <= _MAX_NEG_SHARE * pos:
        return _STRONG
    if pos >= 1 and neg == 0:
        return _WEAK
    if amb >= 1 and neg == 0:
        return _AMBIG
    return _NONE


@lru_cache(maxsize=1 << 16)
def _classify(s: str) -> tuple[tuple[int, int], tuple[int, int], bool]:
    """Evidence of one string on its own: ((TCVN3 level, pos), (VNI level, pos), mojibake).

    Strong: at least two words decode into syllables they were not, and words that decoding
    would break are at most a fifth of that. Weak: one such word and nothing against it — a short
    cell like `Lª` or `Coâ`. Ambiguous: every word reads as Vietnamese both ways (`Vò` is TCVN3
    for Vũ and the Unicode word vò). A cell that also holds Unicode Vietnamese words (partly
    retyped) can only be strong. Mojibake that round-trips exactly through cp1252 → UTF-8 is
    decisive by itself.
    """
    if s.isascii():
        return (_NONE, 0), (_NONE, 0), False
    t3, vni, uni, moji = _score_tuple(s)
    if moji:
        return (_NONE, 0), (_NONE, 0), True
    return (_level(t3[0], t3[1], t3[2], uni), t3[0]), (_level(vni[0], vni[1], vni[2], uni), vni[0]), False


def _best(levels: tuple[tuple[int, int], tuple[int, int]], minimum: int) -> str | None:
    """The encoding with the highest (level, evidence) at or above `minimum`; None on a tie."""
    (l3, p3), (lv, pv) = levels
    r3 = (l3, p3) if l3 >= minimum else None
    rv = (lv, pv) if lv >= minimum else None
    if r3 is None or rv is None:
        return "tcvn3" if r3 is not None else ("vni" if rv is not None else None)
    if r3 == rv:
        return None
    return "tcvn3" if r3 > rv else "vni"


def detect(s: str) -> str | None:
    """The legacy encoding `s` is written in ("tcvn3", "vni", "mojibake"), or None.

    Decided on word evidence, not single characters: a word counts for an encoding when it is not a
    Vietnamese syllable as it stands and becomes one when decoded; a word that is already a
    syllable counts against it or is ambiguous. So `Công`, `Ô tô`, `hoà` (VNI would read `hồ`),
    `Müller` or `café` return None, `C«ng ®oµn` returns "tcvn3" and `Coâng ñoaøn` "vni". One word
    of evidence is enough here (`Lª` → "tcvn3"); `decode_frame` is stricter with short cells and
    settles ambiguous ones with their row and column.
    """
    if not isinstance(s, str) or s.isascii():
        return None
    t3, vni, moji = _classify(s)
    if moji:
        return "mojibake"
    return _best((t3, vni), _WEAK)


@lru_cache(maxsize=1 << 16)
def _decode_cell(s: str, encoding: str) -> str:
    """Decode a cell, keeping the words that are Unicode already (a cell partly retyped)."""
    if encoding == "mojibake":
        return decode(s, encoding)
    t3, vni, uni, _moji = _score_tuple(s)
    if not uni and (t3 if encoding == "tcvn3" else vni)[1] == 0:
        return decode(s, encoding)
    # Partly Unicode: decode only the words that are evidence; otherwise keep the words decoding
    # would break.
    keep = (_NEG, _AMB, _JUNK, None) if uni else (_NEG,)

    def one(match: re.Match[str]) -> str:
        token = match.group()
        if token.isascii() or _token_evidence(token, encoding) in keep:
            return token
        return decode(token, encoding)

    return _TOKEN_RE.sub(one, s)


# --------------------------------------------------------------------------------------------------
# Column-wise entry point
# --------------------------------------------------------------------------------------------------

# Column support: a weak cell is converted when at least this share of its column's cells with
# legacy evidence are strong for the same encoding.
COLUMN_SUPPORT_SHARE: Final = 0.3
_WEAK_COLUMN_MIN: Final = 3
_WEAK_COLUMN_SHARE: Final = 0.8


_STRONG_RE: Final = re.compile(f"[{re.escape(_STRONG_CLASS)}]")
# Column-wide second look: when strong legacy cells make up this share of a column's rows, every
# non-ASCII cell of the column is screened with the full pattern.
_COLUMN_RESCAN_SHARE: Final = 0.05


# The first pre-screen looks at most this many characters of a cell: legacy text shows its
# markers within a few words, and the second look (rows and columns with legacy evidence) reads
# whole cells.
_SCREEN_WINDOW: Final = 256


def _screen_object(
    values: np.ndarray, pattern: re.Pattern[str], window: int = sys.maxsize
) -> list[int]:
    """Positions of non-ASCII string cells matching `pattern` (`isascii()` is O(1))."""
    search = pattern.search
    return [
        i for i, x in enumerate(values)
        if x.__class__ is str and not x.isascii() and search(x, 0, window) is not None
    ]


def _is_arrow_string(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"


def _screen(series: pd.Series, full: bool) -> list[int]:
    """Pre-screen one column. Pyarrow-backed strings run the full pattern in C++ (RE2); object
    columns use one character class in Python's regex engine (an alternation costs five times as
    much) unless `full` — the VNI pairs are then looked for by the second look in decode_frame."""
    if _is_arrow_string(series):
        mask = series.str.contains(PRESCREEN_PATTERN, regex=True, na=False)
        return np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False)).tolist()
    values = series.to_numpy(dtype=object, copy=False)
    if full:
        return _screen_object(values, _PRESCREEN_RE)
    return _screen_object(values, _STRONG_RE, _SCREEN_WINDOW)


def decode_frame(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Decode the legacy text in `columns` of `frame`.

    Returns (the frame with legacy cells converted to Unicode, a frame of the same shape holding
    "tcvn3"/"vni"/"mojibake" where a cell was converted and None elsewhere). Non-string cells and
    cells that are already Unicode Vietnamese are never touched; other columns are copied as is.

    Decision per cell: a cell with strong evidence of its own (see `_classify`) is converted; a weak
    cell (one word of evidence, none against: `Lª`, `Hµ`, `Coâ`) only when its row has a strong cell
    of the same encoding in another column, or when at least `COLUMN_SUPPORT_SHARE` of its column's
    cells with evidence are strong for that encoding. Only cells that pass a vectorised pre-screen
    are examined, and each distinct value once.
    """
    out = frame.copy(deep=False)  # copy-on-write: replacing a column never touches `frame`
    found_cols: dict[object, np.ndarray] = {}
    present = [c for c in dict.fromkeys(columns)
               if c in frame.columns and isinstance(frame[c], pd.Series)]  # skip duplicate labels
    Levels = tuple[tuple[int, int], tuple[int, int], bool]
    cands: dict[object, dict[int, Levels]] = {}
    row_strong: dict[int, set[str]] = {}

    def examine(col: object, positions: list[int]) -> None:
        seen = cands.setdefault(col, {})
        new = [i for i in positions if i not in seen]
        for i, value in zip(new, frame[col].iloc[new].tolist(), strict=True):
            levels = _classify(value) if isinstance(value, str) else _NO_EVIDENCE
            seen[i] = levels
            strong = "mojibake" if levels[2] else _best(levels[:2], _STRONG)
            if strong is not None:
                row_strong.setdefault(i, set()).add(strong)

    # 1. Cheap pre-screen of every column.
    for col in present:
        examine(col, _screen(frame[col], full=False))
    # 2. Second look where legacy text is known to be: every non-ASCII cell of rows with a strong
    #    cell (TCVN3 `NguyÔn`, VNI `Coâng` carry no legacy-only character), and every non-ASCII
    #    cell of columns where strong cells are common.
    if row_strong:
        rows = sorted(row_strong)
        for col in present:
            values = frame[col].iloc[rows].to_numpy(dtype=object)
            examine(col, [rows[k] for k in _screen_object(values, _ANY_RE)])
        for col in present:
            n_strong = sum(1 for lv in cands.get(col, {}).values()
                           if lv[2] or _best(lv[:2], _STRONG) is not None)
            series = frame[col]
            if n_strong and n_strong >= _COLUMN_RESCAN_SHARE * len(series):
                values = series.to_numpy(dtype=object, copy=False)
                examine(col, _screen_object(values, _ANY_RE))
    # 3. Decide and convert.
    for col, seen in cands.items():
        supported = _column_support(seen.values())
        chosen: list[tuple[int, str]] = []
        for i, levels in seen.items():
            enc = _decide(levels, supported, row_strong.get(i, set()))
            if enc is not None:
                chosen.append((i, enc))
        if not chosen:
            continue
        chosen.sort()
        positions = [i for i, _enc in chosen]
        encodings = [enc for _i, enc in chosen]
        source = frame[col]
        texts = source.iloc[positions].tolist()
        decoded = [_decode_cell(t, e) for t, e in zip(texts, encodings, strict=True)]
        if isinstance(source.dtype, pd.StringDtype):
            column = source.copy()
            column.iloc[positions] = decoded
        else:
            values = source.to_numpy(dtype=object, copy=True)
            values[positions] = decoded
            column = pd.Series(values, index=frame.index, dtype=object, name=source.name)
        out[col] = column
        marks = np.full(len(frame), None, dtype=object)
        marks[positions] = encodings
        found_cols[col] = marks
    return out, _found_frame(frame, found_cols)


_NO_EVIDENCE: Final = ((_NONE, 0), (_NONE, 0), False)
_ANY_RE: Final = re.compile(".", re.DOTALL)


def _decide(
    levels: tuple[tuple[int, int], tuple[int, int], bool], supported: set[str], row: set[str]
) -> str | None:
    """The encoding to convert one cell from, or None.

    Strong cells decide alone; a weak cell needs its row (a strong cell of the same encoding) or
    its column; an ambiguous cell needs both. When both encodings qualify, the stronger evidence
    wins, then the one of its row, then the one of its column.
    """
    if levels[2]:
        return "mojibake"
    ok = []
    for enc, (level, pos) in zip(_LEVEL_ENCODINGS, levels[:2], strict=True):
        if level == _STRONG or (
            level == _WEAK and (enc in supported or enc in row)
        ) or (level == _AMBIG and enc in supported and enc in row):
            ok.append((level, pos, enc in row, enc in supported, enc))
    if not ok:
        return None
    ok.sort(reverse=True)
    if len(ok) == 2 and ok[0][:4] == ok[1][:4]:
        return None
    return ok[0][4]


def _column_support(classes: Iterable[tuple[tuple[int, int], tuple[int, int], bool]]) -> set[str]:
    """Encodings a column supports: its strong cells are at least `COLUMN_SUPPORT_SHARE` of the
    column's cells with evidence (a column may hold both encodings); or, for columns of short cells with
    no strong cell (`Coâ`, `Cô khí soá 2` …), at least `_WEAK_COLUMN_MIN` cells are evidence for
    one encoding and they are `_WEAK_COLUMN_SHARE` of its cells with evidence."""
    strong: dict[str, int] = {}
    weak: dict[str, int] = {}
    n_evidence = 0
    for levels in classes:
        if levels[2]:
            continue
        enc = _best(levels[:2], _WEAK)
        if enc is None:
            continue
        n_evidence += 1
        weak[enc] = weak.get(enc, 0) + 1
        if _best(levels[:2], _STRONG) == enc:
            strong[enc] = strong.get(enc, 0) + 1
    if not n_evidence:
        return set()
    out = {enc for enc, n in strong.items() if n >= COLUMN_SUPPORT_SHARE * n_evidence}
    if out:
        return out
    return {enc for enc, n in weak.items()
            if n >= _WEAK_COLUMN_MIN and n >= _WEAK_COLUMN_SHARE * n_evidence}


def _found_frame(frame: pd.DataFrame, found_cols: dict[object, np.ndarray]) -> pd.DataFrame:
    """The encodings frame: the shape of `frame`, None except where a cell was converted."""
    if not frame.columns.is_unique:
        data = np.full(frame.shape, None, dtype=object)
        for col, marks in found_cols.items():
            data[:, frame.columns.get_loc(col)] = marks
        return pd.DataFrame(data, index=frame.index, columns=frame.columns, dtype=object)
    columns = {col: found_cols[col] if col in found_cols
               else np.full(len(frame), None, dtype=object) for col in frame.columns}
    return pd.DataFrame(columns, index=frame.index, columns=frame.columns, dtype=object,
                        copy=False)
