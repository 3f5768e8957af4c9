"""Vietnamese text: the display form of a cell and the keys used to compare cells.

Units type the same words in many ways: NFC or NFD Unicode (macOS, Unikey's composite mode),
old-style or new-style tone placement (`hòa`/`hoà`), odd spaces pasted from Word or the web,
zero-width characters, `Ð` (Icelandic eth) where `Đ` was meant. `clean_text` makes the display form;
the `*_key` functions make comparison keys that ignore what a person would not call a difference.

Decisions:
- **Tone style of keys: new style** (`hoà`, `khoẻ`, `thuỷ`, `uỷ ban`): the tone sits on the second
  vowel of the open clusters `oa`, `oe`, `uy`, which is also where every other syllable of those
  clusters has it (`hoàng`, `khoẻo`, `huỳnh`). Misplacements after `qu` and `gi` are mended too
  (`qủa` → `quả`, `gìa` → `già`); `quý`, `giá`, `của` are already right. Display text keeps the
  writer's style: only keys are unified.
- **Punctuation in keys: word separators.** `exact_key` turns every punctuation or symbol character
  into a space, then collapses spaces: `Máy trộn  bê-tông.` and `máy trộn bê tông` have the same
  key, and so do `13/2012/NĐ-CP` and `13 2012 nđ cp`. Letters and digits are never dropped, so
  `trạm trộn số 1` and `trạm trộn số 2` stay different.

Everything here is a pure function of one string, standard library only: the text worker process
(`sync.text_worker`) imports it without pandas. The versions for whole pandas columns are in
`sync.text_columns`, the keys of column headers (which decode legacy text) in `sync.headers`.
The functions have a fast path for text that is already clean.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "clean_text",
    "exact_key",
    "exact_key_of_clean",
    "fold",
    "fold_lower",
    "folded_key",
    "header_fold",
    "person_name_fold",
    "person_name_key",
    "unify_tones",
]

# --------------------------------------------------------------------------------------------------
# Display form
# --------------------------------------------------------------------------------------------------

_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_LINE_BREAKS: Final = "\r\v\f\x85\u2028\u2029"
# Odd spaces (NBSP, U+2000–U+200A, U+202F, U+205F, U+3000, tab) need no table: str.split()
# already treats them as whitespace.
# Control characters (C0 but tab and line breaks, DEL, C1 but NEL) mean nothing in a cell and
# could drive a terminal (ESC sequences) or break a file format: they go.
_CONTROLS: Final = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0E, 0x0F, *range(0x10, 0x20),
                                            0x7F, *range(0x80, 0x85), *range(0x86, 0xA0))
                           if chr(c) not in _LINE_BREAKS)
_CLEAN_TABLE: Final = str.maketrans(
    {**{ch: None for ch in _ZERO_WIDTH + _CONTROLS}, **{ch: "\n" for ch in _LINE_BREAKS},
     "\u00f0": "đ"}
)
# `Ð` (U+00D0) is also TCVN3's code for `é` (`hÐt` = hét), always inside a word; an eth standing
# for `Đ` starts a word. Only the latter is mapped, so legacy text stays convertible.
_ETH_RE: Final = re.compile(r"(?<!\w)\u00d0")


def clean_text(s: str) -> str:
    """The display form of a cell: NFC, `Ð/ð` → `Đ/đ`, zero-width and control characters removed, odd spaces
    and tabs made plain spaces, runs of spaces collapsed, line breaks kept as `\\n` (authors are
    split on them) with the spaces and empty lines around them dropped, stripped.

    U+00AD (soft hyphen) is kept on purpose: it is TCVN3's `ư`, and legacy text must reach
    `legacy.decode_frame` intact.
    """
    # Fast path, all C: isprintable() is False for every odd space, tab, line break and
    # zero-width character (categories Zs except U+0020, Zl, Zp, Cc, Cf).
    if (
        s.isprintable()
        and "  " not in s
        and not s.startswith(" ")
        and not s.endswith(" ")
        and (s.isascii() or (
            "\u00d0" not in s and "\u00f0" not in s and unicodedata.is_normalized("NFC", s)))
    ):
        return s
    s = s.translate(_CLEAN_TABLE)
    if "\u00d0" in s:
        s = _ETH_RE.sub("Đ", s)
    lines = (" ".join(part.split()) for part in s.split("\n"))
    s = "\n".join(line for line in lines if line)
    return unicodedata.normalize("NFC", s)


# --------------------------------------------------------------------------------------------------
# Tone placement
# --------------------------------------------------------------------------------------------------

_TONES: Final = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # grave hook tilde acute dot


def _tone_of(ch: str) -> str:
    """The tone mark of one NFC letter ('' if none)."""
    for mark in unicodedata.normalize("NFD", ch)[1:]:
        if mark in _TONES:
            return mark
    return ""


def _without_tone(ch: str) -> str:
    return unicodedata.normalize(
        "NFC", "".join(c for c in unicodedata.normalize("NFD", ch) if c not in _TONES)
    )


def _with_tone(ch: str, tone: str) -> str:
    nfd = unicodedata.normalize("NFD", ch)
    return unicodedata.normalize("NFC", nfd + tone)


def _toned_class(bases: str) -> str:
    return "".join(_with_tone(b, t) for b in bases for t in _TONES)


# A toned o/u/i followed by the vowel that should carry the tone. The pattern starts with one
# character class so the regex engine scans for it at C speed; the lookbehinds then pick the case:
# `òa/òe` → `oà/oè`, `ùy` → `uỳ`, `qùa` → `quà`, `gìa` → `già`.
_TONED_O: Final = _toned_class("oO")
_TONED_U: Final = _toned_class("uU")
_TONED_I: Final = _toned_class("iI")
_TONE_MOVE_RE: Final = re.compile(
    f"[{_TONED_O}{_TONED_U}{_TONED_I}]"
    f"(?:(?<=[{_TONED_O}])[aAeE]"
    f"|(?<=[{_TONED_U}])[yY]"
    f"|(?<=[qQ][{_TONED_U}])[aăâeêioôơAĂÂEÊIOÔƠ]"
    f"|(?<=[gG][{_TONED_I}])[aăâeêoôơuưAĂÂEÊOÔƠUƯ])"
)


@lru_cache(maxsize=4096)
def _move_tone(pair: str) -> str:
    first, second = pair[0], pair[1]
    return _without_tone(first) + _with_tone(second, _tone_of(first))


def _tone_repl(match: re.Match[str]) -> str:
    return _move_tone(match.group())


def unify_tones(s: str) -> str:
    """Rewrite `s` (any normal form) in NFC with new-style tone placement: `hòa` → `hoà`,
    `khỏe` → `khoẻ`, `thủy` → `thuỷ`, `HÒA` → `HOÀ`; `qủa` → `quả`, `gìa` → `già`. Words that
    are the same in both styles (`quý`, `giá`, `của`, `hoàng`) are unchanged."""
    if s.isascii():
        return s
    return _TONE_MOVE_RE.sub(_tone_repl, unicodedata.normalize("NFC", s))


# --------------------------------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------------------------------

def _build_separator_class() -> str:
    """Every punctuation (P*), symbol (S*), control and space character of the BMP except the
    plain space: a key pattern that matches rarely, so substitution is cheap."""
    chars = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        cat = unicodedata.category(chr(cp))
        if (cat[0] in "PSZ" or cat == "Cc") and cp != 0x20:
            chars.append(chr(cp))
    # Collapse into ranges to keep the pattern short.
    out: list[str] = []
    start = prev = ord(chars[0])
    for ch in [*chars[1:], "\U00010000"]:
        cp = ord(ch)
        if cp != prev + 1:
            out.append(re.escape(chr(start)) if start == prev
                       else f"{re.escape(chr(start))}-{re.escape(chr(prev))}")
            start = cp
        prev = cp
    return "".join(out)


_SEPARATORS_RE: Final = re.compile(f"[{_build_separator_class()}]+")
_TONE_OR_FORMAT_RE: Final = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00d0\u00f0"
    f"{_TONED_O}{_TONED_U}{_TONED_I}]"
)
# Format characters (zero-width, soft hyphen, BOM …) vanish from keys.
_FORMAT_RE: Final = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_COMBINING_RE: Final = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_FOLD_EXTRA_MAP: Final = {"ð": "d", "Ð": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L",
                           "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"}
_FOLD_EXTRA: Final = str.maketrans(_FOLD_EXTRA_MAP)
_FOLD_EXTRA_RE: Final = re.compile("[" + "".join(_FOLD_EXTRA_MAP) + "]")


def _spaces(key: str) -> str:
    """Punctuation, symbols and odd spaces → one space; runs of spaces collapsed; trimmed."""
    key, n = _SEPARATORS_RE.subn(" ", key)
    if n or "  " in key or key[:1] == " " or key[-1:] == " ":
        return " ".join(key.split())
    return key


def _exact_token(token: str) -> str:
    """exact_key of one whitespace-free token (may contain spaces afterwards: `bê-tông.` →
    `bê tông`; may be empty: `–`)."""
    if token.isascii():
        return _spaces(token.casefold())
    key = unicodedata.normalize("NFC", token)
    if _TONE_OR_FORMAT_RE.search(key) is not None:
        if _FORMAT_RE.search(key) is not None:
            key = unicodedata.normalize("NFC", _FORMAT_RE.sub("", key))
        key = _TONE_MOVE_RE.sub(_tone_repl, key.replace("\u00d0", "Đ").replace("\u00f0", "đ"))
    return _spaces(key.casefold())


class _TokenCache(dict[str, str]):
    """token → key, filled on demand; cleared when it grows past `limit` (memory bound)."""

    def __init__(self, compute: Callable[[str], str], limit: int = 1 << 19) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, token: str) -> str:
        value = self._compute(token)
        if len(self) >= self._limit:
            self.clear()
        self[token] = value
        return value


def _tidy(key: str) -> str:
    """Drop the doubled or edge spaces left by tokens whose key is empty (`–`, `.`)."""
    if "  " in key or key.startswith(" ") or key.endswith(" "):
        return " ".join(key.split())
    return key


_EXACT_TOKENS: Final = _TokenCache(_exact_token)
_FOLDED_TOKENS: Final = _TokenCache(lambda token: fold(_EXACT_TOKENS[token]))


def exact_key(s: str) -> str:
    """Comparison key that keeps diacritics: NFC, new-style tones, casefolded, `Ð` → `đ`,
    punctuation and symbols as spaces, whitespace collapsed, format characters removed.

    `Máy trộn  bê-tông.` → `máy trộn bê tông`; `Hòa` and NFD `hoà` → `hoà`.

    Computed word by word through a cache: every step is local to a whitespace-free token (NFC,
    tone placement, case, punctuation), and real titles reuse a few thousand syllables, so a key
    costs a `split()` and a dictionary lookup per word.
    """
    return _tidy(" ".join(map(_EXACT_TOKENS.__getitem__, s.split())))


# A toned o/u/i before a vowel: where `_TONE_MOVE_RE` may match (a cheaper first look).
_MAY_MOVE_TONE: Final = re.compile(
    f"[{_TONED_O}{_TONED_U}{_TONED_I}][aăâeêioôơuưyAĂÂEÊIOÔƠUƯY]")


def exact_key_of_clean(s: str) -> str:
    """`exact_key(s)` for clean text (`clean_text`), on the whole text at once where that gives
    the same key: letters, digits and single spaces once punctuation and symbols are spaces, no
    `Ð/ð`. Tones are moved (`hòa` → `hoà`) and case folded on the whole text, which is what the
    word-by-word key does to each word (no tone pattern spans a space). Anything else (format
    characters, combining marks, odd letters) goes to `exact_key`."""
    if "\u00d0" in s or "\u00f0" in s:
        return exact_key(s)
    if not s.replace(" ", "").isalnum():
        s = _SEPARATORS_RE.sub(" ", s)
        if not s.replace(" ", "").isalnum():
            return exact_key(s)
        s = " ".join(s.split())
    elif "  " in s or s[:1] == " " or s[-1:] == " ":
        return exact_key(s)
    if not s.isascii() and _MAY_MOVE_TONE.search(s) is not None:
        s = _TONE_MOVE_RE.sub(_tone_repl, s)
    return s.casefold()


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """`s` without diacritics, case kept: `Đặng` → `Dang`, `Nguyễn` → `Nguyen`, `Müller` →
    `Muller`. `đ/Đ` are mapped explicitly (NFKD alone would drop them)."""
    if s.isascii():
        return s
    nfc = unicodedata.normalize("NFC", s).replace("đ", "d").replace("Đ", "D")
    ascii_form = unicodedata.normalize("NFD", nfc).encode("ascii", "ignore")
    if len(ascii_form) == len(nfc):
        # Every character became one ASCII letter: only Latin letters and their marks were there.
        return ascii_form.decode("ascii")
    out = _COMBINING_RE.sub("", unicodedata.normalize("NFD", nfc))
    if _FOLD_EXTRA_RE.search(out) is not None:
        out = out.translate(_FOLD_EXTRA)
    return unicodedata.normalize("NFC", out)


def folded_key(s: str) -> str:
    """`fold(exact_key(s))` with its spaces tidied again (a word made only of combining marks
    folds to nothing): proposes matches (`thùy`, `thúy`, `thủy` → `thuy`), never decides."""
    return _tidy(" ".join(map(_FOLDED_TOKENS.__getitem__, s.split())))


def person_name_key(s: str) -> str:
    """Key for comparing author names: case, spacing, NFC/NFD, tone style and punctuation do not
    matter (`NGUYỄN  văn Hòa.` = `Nguyễn Văn Hoà`). Titles such as `KS.` are not removed here."""
    return exact_key(s)


def person_name_fold(s: str) -> str:
    """`person_name_key` without diacritics: `Đặng Thị Thủy` → `dang thi thuy`."""
    return folded_key(s)


# --------------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------------

_PARENS_RE: Final = re.compile(r"\([^)]*(?:\)|$)|\[[^\]]*(?:\]|$)")


def header_fold(s: str) -> str:
    """The key of a header already in Unicode (`headers.header_key` decodes legacy text first):
    folded, lower case, text in parentheses or brackets removed, punctuation as spaces."""
    s = fold(unify_tones(s)).casefold()
    s = _PARENS_RE.sub(" ", s)
    s = _SEPARATORS_RE.sub(" ", _FORMAT_RE.sub("", s))
    return " ".join(s.split())


# --------------------------------------------------------------------------------------------------
# Folding keys fast
# --------------------------------------------------------------------------------------------------

_VIETNAMESE_LOWER = ("aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
                     .translate({ord(c): None for c in "aeiouy"}))


def _build_fold_codec() -> tuple[Any, bytes]:
    """`fold` of lower-case Vietnamese text in two C calls: a charmap encoding that gives
    each of the 67 lower-case Vietnamese letters a byte of its own (ASCII stays ASCII), then a byte
    translation to the letter's `fold`. Built from `fold` itself, letter by letter."""
    letters = _VIETNAMESE_LOWER
    decoding = [chr(i) for i in range(128)] + ["\ufffe"] * 128
    folded = bytearray(range(256))
    for i, letter in enumerate(letters):
        target = fold(letter)
        if len(target) == 1 and target.isascii():
            decoding[128 + i] = letter
            folded[128 + i] = ord(target)
    return codecs.charmap_build("".join(decoding)), bytes(folded)


_FOLD_MAP, _FOLD_BYTES = _build_fold_codec()


def fold_lower(key: str) -> str:
    """`fold(key)` for a lower-case key (an `exact_key`), without its cache: one encode and
    one byte translation when the key holds only ASCII and Vietnamese letters."""
    if key.isascii():
        return key
    try:
        return codecs.charmap_encode(key, "strict", _FOLD_MAP)[0].translate(_FOLD_BYTES).decode()
    except UnicodeEncodeError:
        folded = fold.__wrapped__(key)
        # A word that was only combining marks folds to nothing (`folded_key` drops it too).
        if "  " in folded or folded[:1] == " " or folded[-1:] == " ":
            folded = " ".join(folded.split())
        return folded
