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
- Non-string cells pass through the Series functions unchanged (NA stays NA).

Everything here is pure (stdlib, numpy, pandas). The Series versions call a per-value function
through an LRU cache: real columns repeat values (names, units, fields), and a cache hit costs less
than any vectorised pass; the per-value functions have a fast path for text that is already clean.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache
from typing import Final

import numpy as np
import pandas as pd

from sync import legacy

__all__ = [
    "clean_series",
    "clean_text",
    "exact_key",
    "exact_key_of_clean",
    "exact_keys",
    "fold",
    "fold_series",
    "folded_key",
    "folded_keys",
    "header_key",
    "header_row_keys",
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


def _header_fold(s: str) -> str:
    s = fold(unify_tones(s)).casefold()
    s = _PARENS_RE.sub(" ", s)
    s = _SEPARATORS_RE.sub(" ", _FORMAT_RE.sub("", s))
    return " ".join(s.split())


@lru_cache(maxsize=4096)
def header_key(s: str) -> str:
    """Key to match a column header against the catalogue's headers and aliases.

    Legacy-decoded when the header is TCVN3/VNI/mojibake (`Tªn s¸ng kiÕn`, `Teân saùng kieán`),
    folded, lower case, text in parentheses or brackets removed (`Giá trị làm lợi (đồng/năm)` →
    `gia tri lam loi`), punctuation as spaces, spaces collapsed. A single header with too little
    evidence (`Ghi chó` is TCVN3 for `Ghi chú`, but `chó` is also a word) is read as Unicode;
    `header_row_keys` decides for a whole header row at once.
    """
    if not isinstance(s, str):
        s = "" if s is None else str(s)
    encoding = legacy.detect(s)  # before cleaning: mojibake needs its no-break spaces
    if encoding is not None:
        s = legacy.decode(s, encoding)
    return _header_fold(clean_text(s))


def header_row_keys(
    cells: Sequence[object], known: Collection[str] | None = None
) -> list[str]:
    """`header_key` for every cell of one row, with the legacy encoding decided for the row: a
    header row is typed in one encoding, so cells too short to tell (`Ghi chó`, `Lo¹i`) follow the
    others. A cell that reads as words either way (`Ghi chó` is also Unicode "dog's note") takes
    the reading found in `known` (header keys of the catalogue) when exactly one of them is;
    otherwise the row's encoding. Cells with Unicode-only letters are never decoded."""
    texts = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in cells]
    frame = pd.DataFrame({i: [t] for i, t in enumerate(texts)}, dtype=object)
    decoded, found = legacy.decode_frame(frame, list(frame.columns))
    votes: dict[str, int] = {}
    for enc in found.iloc[0].tolist():
        if enc is not None:
            votes[enc] = votes.get(enc, 0) + 1
    row_encoding = max(votes, key=lambda e: votes[e]) if votes else None
    keys = []
    for raw, value, enc in zip(texts, decoded.iloc[0].tolist(), found.iloc[0].tolist(),
                               strict=True):
        key = _header_fold(clean_text(value))
        if enc is None and row_encoding in ("tcvn3", "vni") and _all_legacy_ok(raw, row_encoding):
            other = _header_fold(clean_text(legacy.decode(raw, row_encoding)))
            if known is None or (other in known and key not in known):
                key = other
        keys.append(key)
    return keys


def _all_legacy_ok(text: str, encoding: str) -> bool:
    """True when decoding `text` breaks no word and does not run into Unicode Vietnamese."""
    counts = legacy.scores(text)[encoding]
    return counts["neg"] == 0 and counts["uni"] == 0 and (counts["pos"] + counts["amb"]) > 0


# --------------------------------------------------------------------------------------------------
# Series versions
# --------------------------------------------------------------------------------------------------

def _map_strings(series: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """Apply `fn` to the string cells of `series`, each distinct value once; other cells (NA,
    numbers, dates) unchanged."""
    values = series.to_numpy(dtype=object, copy=False)
    sample = [x for x in values[:2000] if x.__class__ is str]
    if len(set(sample)) > 0.9 * len(sample):
        # Mostly distinct values (titles, summaries): a memo would cost more than it saves.
        result = np.empty(len(values), dtype=object)
        result[:] = [fn(x) if x.__class__ is str else x for x in values]
        return _like(series, result)
    memo: dict[str, str] = {}
    get = memo.get

    def one(x: str) -> str:
        value = fn(x)
        memo[x] = value
        return value

    result = np.empty(len(values), dtype=object)
    result[:] = [
        (v if (v := get(x)) is not None else one(x)) if x.__class__ is str else x
        for x in values
    ]
    return _like(series, result)


def _like(series: pd.Series, values: np.ndarray) -> pd.Series:
    dtype = series.dtype if isinstance(series.dtype, pd.StringDtype) else object
    return pd.Series(values, index=series.index, name=series.name, dtype=dtype)


def clean_series(s: pd.Series) -> pd.Series:
    """`clean_text` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, clean_text)


def exact_keys(s: pd.Series) -> pd.Series:
    """`exact_key` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, exact_key)


def folded_keys(s: pd.Series) -> pd.Series:
    """`folded_key` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, folded_key)


def fold_series(s: pd.Series) -> pd.Series:
    """`fold` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, fold)
