"""Raw rows → normalised initiatives, their authors and findings (SPEC §4). Pure and column-wise.

Input is the concatenation of every unit's raw table (`sheet.UnitSheet.frame` plus `unit_code` and
`tab`). Each column is read once: legacy text is decoded (`legacy.decode_frame`, with row and
column evidence), text is cleaned (`text.clean_text`), typed fields are parsed per *distinct* value
(`parse.parse_column`), authors are split a chunk of cells at a time with each distinct piece read
once. Each rule is a boolean numpy mask; findings are built only for the rows a rule flags, and
messages are formatted once per distinct set of arguments. An error finding rejects its row (it
does not count); a warning keeps it; every row that does not count has a finding that says why
(the duplicates aside: they are the deduplicator's to explain).

Outputs (`ValidatedRows`):
- `rows`: one row per input row, same order, with display text, comparison keys (`title_key`,
  `title_fold` as Arrow-backed `str` columns), parsed values, `valid` and `counted`.
- `authors`: one row per (row, author) with the display name and the comparison keys.
- `findings`: one row per finding, with unit, tab, row (as the unit sees it), column header as the
  unit wrote it, value as typed, code, severity, message and hint (the `Lỗi` tab and `validate`'s
  output), in row order and, within a row, in the sheet's column order.

Decisions:
- Legacy encodings: only a row holding a character that legacy text has and Unicode Vietnamese
  never has (`LEGACY_MARKERS`, from the legacy module's charts — the first look of its own
  pre-screen) can be legacy text; those rows (0.7 % of a realistic collection) go to
  `decode_frame` together, so a short cell still borrows the evidence of its row and of its
  column. A row with converted cells gets **one** `legacy_encoding` warning naming every converted
  column and quoting the first cell as typed and as converted; the other findings of the row
  quote the converted text.
- Authors: split on `,` `;` `/` `|` `+` `&`, new lines and the words `và`, `cùng`, `với` (and
  `va` in text typed without diacritics); numbering (`1.`, `-`), titles in front (`ông`, `bà`,
  `KS.`, `ThS.`, `đ/c` …), roles in front or after a dash or colon (`Tổ trưởng`), text in
  parentheses and shares (`50%`) are removed; a piece that is only a title or a role is dropped;
  ALL-CAPS names are shown in title case; a name typed twice stays twice (people are counted by
  key downstream). A name is *plausible* when it has 2–7 words of letters (`'`, `-` and `.`
  allowed inside), at most 60 characters, and does not start with a word that names a group or a
  unit (`Phòng`, `Tổ`, `Công ty`, `Nhóm`, `Tập thể` …, compared with their diacritics so
  `Trương` is not `Trường`); anything else is kept (the row still counts) and flagged
  `suspicious_author` with the reason.
- Spreadsheet error values in optional text fields are dropped and reported (`error_value`); in
  the status they make an `unknown_status` (a status that cannot be read must not default to a
  counted one); in the benefit an `invalid_money`; in the yes/no column an `invalid_yes_no`. A
  status outside `program.counted_statuses` gets an informational `status_not_counted`.
- Title keys are exactly `text.exact_key` / `text.folded_key`, made on the whole title at once
  where that gives the same key (`text.exact_key_of_clean`), and the
  folded key is `fold(exact_key)` done by a charmap codec (`fold_lower`); tests hold both to the
  text module's functions.
- At 200,000 rows and more, titles and authors are cleaned (and titles keyed) in a second process
  (`_TextWorker`) while this one validates the rest; results are identical either way.
- The cyclic garbage collector is paused during validation: millions of small containers live to
  the end of the call and form no cycles.
"""

from __future__ import annotations

import bisect
import codecs
import contextlib
import datetime as dt
import gc
import math
import operator
import os
import pickle
import re
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from sync import catalog, legacy
from sync.config import ProgramConfig
from sync.frames import TEXT
from sync.memory import map_large_blocks, release_freed_memory
from sync.parse import (
    distinct,
    format_date,
    format_vnd,
    header_scale,
    parse_date,
    parse_money,
    parse_solution_type,
    parse_status,
    parse_yes_no,
    spread,
)
from sync.text import (
    clean_series,
    clean_text,
    exact_key_of_clean,
    fold,
    unify_tones,
)

FINDING_COLUMNS = ("unit_code", "tab", "row", "field", "column", "value", "code", "severity",
                   "message", "hint")
ROW_KEYS = tuple(f.key for f in catalog.FIELDS)
TEXT_FIELDS = ("title", "authors", "workplace", "field", "summary", "effect", "note")
OPTIONAL_TEXT = ("workplace", "field", "summary", "effect", "note")
TYPED_FIELDS = ("solution_type", "applied_on", "status", "benefit", "social")
# Every field that may hold legacy text (dates and amounts too: `ngµy 5 th¸ng 3`, `150 triÖu`).
LEGACY_FIELDS = ROW_KEYS
LEGACY_LABELS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows", "mojibake": "UTF-8 bị đọc sai"}
VALUE_DISPLAY_CHARS = 120


@dataclass(slots=True)
class ValidatedRows:
    rows: pd.DataFrame
    authors: pd.DataFrame
    findings: pd.DataFrame


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


# --------------------------------------------------------------------------------------------------
# Display of raw values in findings
# --------------------------------------------------------------------------------------------------

def display_value(value: Any) -> str:
    """A raw cell as a person would recognise it in a message."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if pd.isna(value):
            return ""
        return format_date(value) if value.time() == dt.time() else value.strftime(
            "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    text = str(value).replace("\r", " ").replace("\n", " / ")
    return text if len(text) <= VALUE_DISPLAY_CHARS else text[: VALUE_DISPLAY_CHARS - 1] + "…"


_FIELD_RANK = {key: i for i, key in enumerate(f.key for f in catalog.FIELDS)}


def _fields_of(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class _Findings:
    """Collects findings rule by rule for the flagged rows only; a message and a hint are formatted
    once per distinct set of the arguments their templates use."""

    def __init__(self, unit: np.ndarray, tab: np.ndarray, row: np.ndarray,
                 headers: Mapping[str, Mapping[str, str]]) -> None:
        self.unit, self.tab, self.row = unit, tab, row
        self.headers = headers
        self.parts: list[dict[str, Any]] = []
        self.n_errors = np.zeros(len(unit), dtype=np.int64)
        self.n_warnings = np.zeros(len(unit), dtype=np.int64)

    def column_names(self, key: str, idx: np.ndarray) -> list[str]:
        template = catalog.FIELD_BY_KEY[key].header if key in catalog.FIELD_BY_KEY else key
        by_unit = {u: (h.get(key) or template) for u, h in self.headers.items()}
        return [by_unit.get(u, template) for u in self.unit[idx].tolist()]

    def add(self, idx: np.ndarray, code: str, key: str | np.ndarray, values: Iterable[Any],
            columns: list[str] | None = None, **params: Any) -> None:
        """A finding of `code` for each row position in `idx`. `key` is the field (one, or one
        per finding with `columns` given); `values` are the cells as typed (shown and quoted);
        `params` fill the templates: a constant, or a sequence aligned with `idx`."""
        if len(idx) == 0:
            return
        kind = catalog.FINDING_BY_CODE[code]
        shown = [display_value(v) for v in values]
        if columns is not None:
            cols = columns
        else:
            assert isinstance(key, str)
            cols = self.column_names(key, idx)
        m_fields, h_fields = _fields_of(kind.message), _fields_of(kind.hint)
        used = m_fields | h_fields
        varying = {k: list(v) for k, v in params.items()
                   if k in used and isinstance(v, list | np.ndarray | tuple)}
        fixed = {k: v for k, v in params.items() if k in used and k not in varying}
        names = [k for k in ("value", "column", *varying) if k in used]
        series = {"value": shown, "column": cols, **varying}
        memo: dict[tuple[Any, ...], tuple[str, str]] = {}
        messages, hints = [], []
        for args in zip(*(series[k] for k in names), strict=True) if names else [()] * len(idx):
            text = memo.get(args)
            if text is None:
                values_map = {**fixed, **dict(zip(names, args, strict=True))}
                text = (kind.message.format(**values_map), kind.hint.format(**values_map))
                memo[args] = text
            messages.append(text[0])
            hints.append(text[1])
        self.parts.append({
            "pos": idx, "unit_code": self.unit[idx], "tab": self.tab[idx], "row": self.row[idx],
            "field": key, "column": cols, "value": shown, "code": code,
            "severity": kind.severity, "message": messages, "hint": hints,
        })
        if kind.severity == catalog.ERROR:
            np.add.at(self.n_errors, idx, 1)
        elif kind.severity == catalog.WARNING:
            np.add.at(self.n_warnings, idx, 1)

    def result(self) -> pd.DataFrame:
        if not self.parts:
            return empty_findings()
        pos = np.concatenate([p["pos"] for p in self.parts])
        rank = np.concatenate([
            np.full(len(p["pos"]), _FIELD_RANK.get(p["field"], len(_FIELD_RANK)))
            if isinstance(p["field"], str)
            else np.array([_FIELD_RANK.get(f, len(_FIELD_RANK)) for f in p["field"]])
            for p in self.parts])
        order = np.lexsort((rank, pos))  # by row, then in the sheet's column order
        data: dict[str, Any] = {}
        for column in FINDING_COLUMNS:
            pieces = []
            for part in self.parts:
                value = part[column]
                if isinstance(value, str):
                    pieces.append(np.full(len(part["pos"]), value, dtype=object))
                else:
                    pieces.append(np.asarray(value, dtype=object))
            data[column] = np.concatenate(pieces)[order]
        frame = pd.DataFrame(data, columns=list(FINDING_COLUMNS))
        frame["row"] = frame["row"].astype("int64")
        return frame


def _where(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------

def _lower_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(unify_tones(clean_text(w)).lower() for w in words)


_TITLES = _lower_set(catalog.AUTHOR_TITLES)
_GROUPS = _lower_set(catalog.AUTHOR_GROUP_WORDS)
_ROLES = _lower_set(catalog.AUTHOR_ROLES)
# ASCII spellings that can only be a group (`cong ty`), never a name (`Phong`, `To` can be).
_GROUPS_ASCII = frozenset(fold(g) for g in _GROUPS if len(g.split()) >= 2)
# Words in front of a name that send a piece to the careful path (titles, groups, roles).
_RISKY_PREFIXES = _TITLES | _GROUPS | _ROLES
_RISKY_FIRST = frozenset(w.rstrip(".") for w in _RISKY_PREFIXES if " " not in w)
_RISKY_MULTI_FIRST = frozenset(w.split()[0] for w in _RISKY_PREFIXES if " " in w)
_TITLE_RE = re.compile(
    r"^(?:(?:" + "|".join(re.escape(t) for t in sorted(_TITLES, key=len, reverse=True))
    + r")(?:\s*\.\s*|\s+|$))+", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:[,;\n/|+&•]|\s(?:và|cùng với|cùng|với)\s)\s*", re.IGNORECASE)
_SPLIT_ASCII = re.compile(r"\s*(?:[,;\n/|+&]|\s(?:va|cung voi|cung|voi)\s)\s*", re.IGNORECASE)
_DC = re.compile(r"(?i)\b(?:đ|d)\s*/\s*c\b\.?")
_NUMBERING = re.compile(r"(?:^|(?<=\n))\s*(?:\d{1,2}|[a-zA-Z])\s*[.)/]\s+|(?:^|(?<=\n))\s*[-–—•*+]\s*")
_PARENS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_SHARE = re.compile(r"\s*[-–:]?\s*\d{1,3}(?:[.,]\d+)?\s*%\s*$")
_CONJUNCTION = re.compile(r"^(?:và|va|cùng với|cùng|với)(?:\s+|$)", re.IGNORECASE)
# A piece that ends in a conjunction (`Nguyễn Văn An và` before a line break).
_TRAILING_CONJUNCTION = re.compile(r"\s+(?:và|va|cùng với|cùng|với)$", re.IGNORECASE)
_ROLE_SEP = re.compile(r"\s+[-–—]\s+|\s*:\s*")
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ '’\-.]+[^\W\d_]+)*\.?$")


def _starts_with(words: list[str], table: frozenset[str]) -> bool:
    return any(" ".join(words[:k]) in table for k in (1, 2, 3, 4))


def _name_problem(name: str) -> str:
    """'' when `name` is a plausible person's name, else the key of catalog.AUTHOR_PROBLEMS."""
    lower = unify_tones(name).lower()
    words = lower.replace(".", ". ").split()
    if _starts_with(words, _GROUPS) or "cộng sự" in lower or "tập thể" in lower \
            or (name.isascii() and _starts_with(words, _GROUPS_ASCII)):
        return "group"
    if any(ch.isdigit() for ch in name):
        return "digits"
    if not _NAME_RE.match(name):
        return "symbols"
    n_words = len(name.split())
    if n_words < 2:
        return "one_word"
    if n_words > catalog.MAX_NAME_WORDS + 1 or len(name) > catalog.MAX_NAME_CHARS:
        return "too_long"
    return ""


def _is_annotation(piece: str) -> bool:
    """A role or a unit written next to a name (`Tổ trưởng`, `Phòng Kỹ thuật`)."""
    words = unify_tones(piece).lower().split()
    return _starts_with(words, _ROLES) or _starts_with(words, _GROUPS)


def _strip_role_prefix(part: str) -> str:
    """`Tổ trưởng Nguyễn Văn An` → `Nguyễn Văn An` (a role in front of a plausible name)."""
    words = part.split()
    lower = unify_tones(part).lower().split()
    for k in (4, 3, 2, 1):
        if len(words) - k >= 2 and " ".join(lower[:k]) in _ROLES:
            rest = " ".join(words[k:])
            if not _name_problem(rest):
                return rest
    return part


def _tidy_piece(piece: str) -> list[str]:
    """One piece of an authors cell → the names in it (none for a title or a role alone). A
    piece may hold a name and a note after a dash or colon (`Nguyễn Văn An - Tổ trưởng`,
    `Trần Bình: Phòng Kỹ thuật`): the note goes; two names joined by a dash stay two names."""
    piece = _SHARE.sub("", piece).strip(" .,;:-–—*•+'\"“”()[]")
    piece = _TRAILING_CONJUNCTION.sub("", _CONJUNCTION.sub("", piece))
    if not piece:
        return []
    parts = [p.strip(" .,") for p in _ROLE_SEP.split(piece)]
    parts = [p for p in parts if p]
    if len(parts) > 1:
        people = [p for p in parts if not _is_annotation(p)]
        parts = people if people else parts
    out = []
    for part in parts:
        lower = unify_tones(part).lower()
        if lower.rstrip(".") in _TITLES or lower in _ROLES:
            continue
        stripped = _strip_ascii_title(_TITLE_RE.sub("", part).strip(" .,"))
        if not stripped:
            continue
        part = " ".join(stripped.split())
        part = _strip_role_prefix(part)
        if part.isupper() and len(part) > 3 and " " in part:
            part = part.title()
        out.append(part)
    return out


AuthorCell = tuple[tuple[str, ...], tuple[str, ...]]
_PLAUSIBLE = ("",)


def _simple_name(piece: str) -> bool:
    """A piece that is certainly one plausible name as it stands: 2–7 words of letters, not all
    capitals, no title, group or role word in front, no word that needs a closer look."""
    if not piece.replace(" ", "").isalpha() or piece.isupper() or len(piece) > catalog.MAX_NAME_CHARS:
        return False
    words = piece.lower().split(" ")
    if not 2 <= len(words) <= catalog.MAX_NAME_WORDS + 1 or "" in words \
            or words[0] in _RISKY_FIRST \
            or (words[0] in _RISKY_MULTI_FIRST and _starts_with(words, _RISKY_PREFIXES)):
        return False
    return _RISKY_WORDS.isdisjoint(words)


# Words anywhere in a piece that send it to the careful path (`cùng các cộng sự`, ASCII `va`).
_RISKY_WORDS = frozenset({"và", "va", "cùng", "với", "các", "nhóm", "cộng", "tập", "sự"})
# Characters that make a whole cell go the careful way (parentheses holding commas, `đ/c`,
# numbering, shares).
_CELL_SPECIAL = re.compile(r"[()\[\]/\d|+&•*:\-–—%]")


_ASCII_TITLES = sorted((t.split() for t in catalog.AUTHOR_TITLES_ASCII), key=len, reverse=True)
_ASCII_TITLE_HEADS = frozenset(t[0] for t in _ASCII_TITLES)


def _strip_ascii_title(piece: str) -> str:
    """`ong Nguyen Van An` → `Nguyen Van An`: a title typed without diacritics goes only when a
    common surname and at least one more word follow it."""
    head = piece.split(None, 1)
    if not head or head[0].lower().rstrip(".") not in _ASCII_TITLE_HEADS:
        return piece  # most pieces: a name whose first letter only looked like a title's
    words = piece.split()
    lower = [w.lower().rstrip(".") for w in words]
    for title in _ASCII_TITLES:
        k = len(title)
        if lower[:k] == title and len(words) - k >= 2 \
                and fold(lower[k]) in catalog.COMMON_SURNAMES_FOLDED:
            return " ".join(words[k:])
    return piece


def _read_piece(piece: str) -> AuthorCell:
    """`split_author_cell(piece)` for one piece between separators, quickly for a name as it
    stands or after titles in front (`KS. Lê Văn Cường`)."""
    if piece[:1] in "oObBaAcCdDkKtT":
        piece = _strip_ascii_title(piece)
    if _simple_name(piece):
        return (piece,), _PLAUSIBLE
    rest = piece
    while True:
        head, _, tail = rest.partition(" ")
        if not tail or head.lower().rstrip(".") not in _TITLES:
            break
        rest = tail
    if rest is not piece and _simple_name(rest):
        return (rest,), _PLAUSIBLE
    return split_author_cell(piece)


def split_author_cell(cell: str) -> AuthorCell:
    """An authors cell (clean text) → (names as shown, problem of each: '' when plausible)."""
    text = _DC.sub("đc", cell)
    text = _NUMBERING.sub("\n", text)
    # Roles in parentheses go before splitting: "(Tổ trưởng, Đội 3)" holds a comma.
    text = _PARENS.sub(" ", text)
    splitter = _SPLIT_ASCII if text.isascii() else _SPLIT
    names = [name for piece in splitter.split(text) for name in _tidy_piece(piece)]
    return tuple(names), tuple(_name_problem(n) for n in names)


@dataclass(slots=True)
class Authors:
    """The authors of every row: one entry per (row, name), and the display text per row."""

    rows: np.ndarray  # row position of each name
    positions: np.ndarray  # its position among the row's names
    names: np.ndarray  # as shown (objects shared between rows naming the same person)
    problems: np.ndarray  # '' when plausible, else a key of catalog.AUTHOR_PROBLEMS
    display: np.ndarray  # per row: the names joined by ", " (the cell itself when unchanged)


# Separators of the simple cells, rewritten to "," on a whole chunk of cells at once.
_SEPARATOR_FIXES = ((";", ","), ("\n", ","), (" và ", ","), (", ", ","), (" ,", ","))
# Anything in a cell that is not a plain list of names: the cell is read on its own.
_SPECIAL_LUT = np.zeros(0x10000, dtype=bool)
_SPECIAL_LUT[[ord(c) for c in "()[]/|+&•*:-–—%0123456789"]] = True
_CHUNK_CELLS = 1 << 17


def split_authors(cells: np.ndarray) -> Authors:
    """Authors cells (clean text or None) → `Authors`.

    Column-wise: a chunk of cells is joined into one string, its separators rewritten and split
    into pieces in C; each *distinct* piece is read once (`_simple_name`, else
    `split_author_cell`), and the names are spread back to their rows with numpy. Cells holding
    anything but names and separators (parentheses, digits, dashes, `đ/c` …) are read one by one
    with `split_author_cell`.
    """
    n = len(cells)
    piece_memo: dict[str, AuthorCell] = {}
    out_rows: list[np.ndarray] = []
    out_names: list[np.ndarray] = []
    out_problems: list[np.ndarray] = []
    display = np.full(n, None, dtype=object)
    present = np.flatnonzero(~pd.isna(cells))
    for start in range(0, len(present), _CHUNK_CELLS):
        rows = present[start:start + _CHUNK_CELLS]
        texts = cells[rows].tolist()
        r, names, problems = _split_chunk(texts, rows, piece_memo, display)
        out_rows.append(r)
        out_names.append(names)
        out_problems.append(problems)
    if out_rows:
        rows_all = np.concatenate(out_rows)
        names_all = np.concatenate(out_names)
        problems_all = np.concatenate(out_problems)
        order = np.argsort(rows_all, kind="stable")
        rows_all, names_all, problems_all = rows_all[order], names_all[order], problems_all[order]
    else:
        rows_all = np.empty(0, dtype=np.int64)
        names_all = np.empty(0, dtype=object)
        problems_all = np.empty(0, dtype=object)
    counts = np.bincount(rows_all, minlength=n) if len(rows_all) else np.zeros(n, np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    positions = np.arange(len(rows_all), dtype=np.int64) - starts
    return Authors(rows_all.astype(np.int64), positions, names_all, problems_all, display)


_COUNT = operator.itemgetter(2)
_AS_TYPED = operator.itemgetter(3)


def _remember(memo: dict[str, Any], piece: str) -> tuple[Any, ...]:
    """(names, problems, how many, whether the piece is one name exactly as typed)."""
    names, problems = _read_piece(piece)
    found = memo[piece] = (names, problems, len(names), len(names) == 1 and names[0] == piece)
    return found


def _split_chunk(texts: list[str], rows: np.ndarray, memo: dict[str, AuthorCell],
                 display: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    joined = "\x1e".join(texts)
    # The chunk as code points: cell boundaries, special characters and separators found with
    # numpy instead of a regular expression scan.
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    cell_of = np.cumsum(points == 0x1E, dtype=np.int32)
    bmp = np.minimum(points, 0xFFFF)
    special = np.zeros(len(texts), dtype=bool)
    special[cell_of[_SPECIAL_LUT[bmp]]] = True
    space = points == 0x20
    lower = points | 0x20  # ASCII letters in lower case
    v_a = space[:-3] & (lower[1:-2] == 0x76) & (lower[2:-1] == 0x61) & space[3:]
    special[cell_of[:-3][v_a]] = True  # " va ": an ASCII cell split on the word `va`
    comma = points == 0x2C
    not_plain = (points == 0x3B) | (points == 0x0A)  # ; and line breaks
    not_plain[:-1] |= comma[:-1] & ~space[1:]  # "," not followed by a space
    not_plain[-1:] |= comma[-1:]
    not_plain[1:] |= comma[1:] & space[:-1]  # " ,"
    not_plain[:-3] |= space[:-3] & (points[1:-2] == 0x76) & (points[2:-1] == 0xE0) & space[3:]
    plain_sep = np.ones(len(texts), dtype=bool)
    plain_sep[cell_of[not_plain]] = False
    del points, bmp, lower, cell_of, space, comma, not_plain
    for old, new in _SEPARATOR_FIXES:
        joined = joined.replace(old, new)
    normalised = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    bounds = np.flatnonzero(normalised == 0x1E)
    commas = np.flatnonzero(normalised == 0x2C)
    n_pieces = np.bincount(np.searchsorted(bounds, commas), minlength=len(texts)) + 1
    del normalised, bounds, commas
    pieces = joined.replace("\x1e", ",").split(",")
    del joined
    codes, uniques = pd.factorize(np.asarray(pieces, dtype=object))
    del pieces
    get = memo.get
    readings = [get(piece) or _remember(memo, piece) for piece in uniques.tolist()]
    # Each distinct piece gives 0, 1 or a few names: lay them out flat and index into them.
    per_unique = np.fromiter(map(_COUNT, readings), dtype=np.int64, count=len(readings))
    flat_names = np.asarray([name for f in readings for name in f[0]] or [], dtype=object)
    flat_problems = np.asarray([p for f in readings for p in f[1]] or [], dtype=object)
    unchanged_u = np.fromiter(map(_AS_TYPED, readings), dtype=bool, count=len(readings))
    offsets = np.cumsum(per_unique) - per_unique
    piece_cell = np.repeat(np.arange(len(texts), dtype=np.int64), n_pieces)
    k = per_unique[codes]
    name_index = np.repeat(offsets[codes], k) + (
        np.arange(k.sum(), dtype=np.int64) - np.repeat(np.cumsum(k) - k, k))
    name_cell = np.repeat(piece_cell, k)
    names = flat_names[name_index] if len(name_index) else np.empty(0, dtype=object)
    problems = flat_problems[name_index] if len(name_index) else np.empty(0, dtype=object)
    # Cells read one by one.
    special_idx = np.flatnonzero(special)
    if len(special_idx):
        keep = ~special[name_cell]
        names, problems, name_cell = names[keep], problems[keep], name_cell[keep]
        extra_cells, extra_names, extra_problems = [], [], []
        for i in special_idx.tolist():
            found = memo.get("\x1e" + texts[i])  # whole cells, apart from pieces
            if found is None:
                found = memo["\x1e" + texts[i]] = split_author_cell(texts[i])
            extra_cells += [i] * len(found[0])
            extra_names += found[0]
            extra_problems += found[1]
        name_cell = np.concatenate([name_cell, np.asarray(extra_cells, dtype=np.int64)])
        names = np.concatenate([names, np.asarray(extra_names, dtype=object)])
        problems = np.concatenate([problems, np.asarray(extra_problems, dtype=object)])
        order = np.argsort(name_cell, kind="stable")
        name_cell, names, problems = name_cell[order], names[order], problems[order]
    # Display: the cell itself when every piece is a name as typed between ", " separators.
    cell_unchanged = np.ones(len(texts), dtype=bool)
    np.logical_and.at(cell_unchanged, piece_cell, unchanged_u[codes])
    same = cell_unchanged & plain_sep & ~special
    count_per_cell = np.bincount(name_cell, minlength=len(texts))
    texts_arr = np.asarray(texts, dtype=object)
    shown = np.where(same & (count_per_cell > 0), texts_arr, None)
    redo = np.flatnonzero(~same & (count_per_cell > 0))
    if len(redo):
        bounds = np.searchsorted(name_cell, redo), np.searchsorted(name_cell, redo, side="right")
        shown[redo] = [", ".join(names[a:b].tolist()) for a, b in zip(*bounds, strict=True)]
    display[rows] = shown
    return rows[name_cell], names, problems


# --------------------------------------------------------------------------------------------------
# Comparison keys
# --------------------------------------------------------------------------------------------------

_VIETNAMESE_LOWER = ("aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"
                     .translate({ord(c): None for c in "aeiouy"}))


def _build_fold_codec() -> tuple[Any, bytes]:
    """`text.fold` of lower-case Vietnamese text in two C calls: a charmap encoding that gives
    each of the 67 lower-case Vietnamese letters a byte of its own (ASCII stays ASCII), then a byte
    translation to the letter's `fold`. Built from `text.fold` itself, letter by letter."""
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
_uncached_fold = getattr(fold, "__wrapped__", fold)


def fold_lower(key: str) -> str:
    """`text.fold(key)` for a lower-case key (an `exact_key`), without its cache: one encode and
    one byte translation when the key holds only ASCII and Vietnamese letters."""
    if key.isascii():
        return key
    try:
        return codecs.charmap_encode(key, "strict", _FOLD_MAP)[0].translate(_FOLD_BYTES).decode()
    except UnicodeEncodeError:
        folded = _uncached_fold(key)
        # A word that was only combining marks folds to nothing (`folded_key` drops it too).
        if "  " in folded or folded[:1] == " " or folded[-1:] == " ":
            folded = " ".join(folded.split())
        return folded


# Title keys are made this many at a time and stored as Arrow strings (pandas' `str` dtype): a
# million keys take a third of the memory of Python strings, and the deduplicator reads them as
# Arrow anyway.
_KEY_CHUNK = 1 << 16


def title_keys(values: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """(`text.exact_key`, `text.folded_key`) of every string ("" for None), as `str` Series. The
    folded key is `fold(exact_key(s))` (its definition in `sync.text`), folded by `fold_lower`."""
    exact_chunks, folded_chunks = _key_chunks(values)
    return (_str_series(pa.chunked_array(exact_chunks, pa.large_string())),
            _str_series(pa.chunked_array(folded_chunks, pa.large_string())))


def _key_chunks(values: np.ndarray) -> tuple[list[pa.Array], list[pa.Array]]:
    """`title_keys` as Arrow chunks of `_KEY_CHUNK` keys."""
    exact_chunks, folded_chunks = [], []
    items = values.tolist()
    for start in range(0, max(len(items), 1), _KEY_CHUNK):
        exact = [exact_key_of_clean(v) if v is not None else ""
                 for v in items[start:start + _KEY_CHUNK]]
        exact_chunks.append(pa.array(exact, type=pa.large_string()))
        folded_chunks.append(pa.array([fold_lower(k) for k in exact], type=pa.large_string()))
    return exact_chunks, folded_chunks


def name_keys(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`text.person_name_key` / `person_name_fold` of each name, once per distinct name (the
    same key objects are shared by every row that names the person)."""
    if len(names) == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=object)
    codes, uniques = pd.factorize(names)
    exact = [exact_key_of_clean(u) for u in uniques.tolist()]
    folded = [fold_lower(k) for k in exact]
    return (np.asarray(exact, dtype=object)[codes], np.asarray(folded, dtype=object)[codes])


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Validation allocates millions of small tuples and lists that live to the end of the call
    and form no cycles; the cyclic collector would rescan them again and again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --------------------------------------------------------------------------------------------------
# Titles on the second core
# --------------------------------------------------------------------------------------------------

# Validation of this many rows or more cleans titles and authors (and keys the titles) in a second
# process while this one validates the other columns (`SANGKIEN_VALIDATE_WORKER=0` turns it off,
# `=1` forces it).
WORKER_MIN_ROWS = 200_000
# The worker cleans all the authors, splits those of the first `WORKER_AUTHOR_SHARE` of the rows
# and cleans and keys the titles of the first `WORKER_TITLE_SHARE`; this process does the rest.
# Set from timelines of a million-row run (docs/benchmarks.md): both end within about a second;
# run-to-run variation (±0.4 s) is as large as moving a few percent of the rows.
WORKER_AUTHOR_SHARE = 0.4
WORKER_TITLE_SHARE = 0.88
AUTHOR_NAMES = "author_names"
_PROBLEM_CODES = ("", *catalog.AUTHOR_PROBLEMS)
_SEPARATOR = "\x1f"
_CHUNK_TITLES = 1 << 16  # cells per chunk of a column's file and per message from the worker


def _worker_wanted(n: int) -> bool:
    setting = os.environ.get("SANGKIEN_VALIDATE_WORKER", "")
    if setting == "0" or n == 0 or not hasattr(os, "pread"):
        return False
    return setting == "1" or (n >= WORKER_MIN_ROWS and (os.cpu_count() or 1) >= 2)


class _TextWorker:
    """Shares the text work with a second Python process while this one validates everything
    else: it cleans the authors (`text.clean_text`), splits and keys the authors of the first
    rows (`WORKER_AUTHOR_SHARE`), then cleans and keys the titles of the first rows
    (`WORKER_TITLE_SHARE`); this process does the rest of both. Titles and authors are the
    columns that are nearly all distinct and read word by word, about half of the work at scale.

    The worker is a fresh interpreter (not a fork: a forked child writing into the parent's
    memory arenas would copy them page by page), started first so that it imports while this
    process encodes its input. Each column goes in its own temporary file as chunks of
    `_CHUNK_TITLES` cells (UTF-8, joined by `_SEPARATOR`), and its name goes down a pipe once the
    file is complete (the worker waits for it, then reads a chunk at a time). Its output, a
    temporary file of messages in `MESSAGES` order: the few cells that cleaning changed, the
    names of its share of the authors (distinct names with their keys, codes per name), and for
    the titles the keys as UTF-8 with Arrow's offsets (they become Arrow arrays here without a
    copy). A pipe tells when a part is complete. No thread of this process reads or writes
    meanwhile, so the validation here never waits for the GIL. Anything unexpected — no worker,
    a worker that fails, a cell it cannot be sent — and the parent computes the same results
    itself."""

    COLUMNS = ("authors", "title")  # the columns it is sent, in this order
    # What it sends back, in this order: the authors cleaned, the names in its share of the
    # authors, the titles cleaned and keyed.
    MESSAGES = ("authors", AUTHOR_NAMES, "title")
    KEYED = "title"
    # Columns the worker starts on only once legacy decoding here is done, with its corrections
    # (`hand_over_corrected`): it has the authors to do first, and keys made from decoded text
    # need no patching afterwards.
    CORRECTED = ("title",)

    def __init__(self, columns: dict[str, np.ndarray]) -> None:
        self.n = len(next(iter(columns.values())))
        # It splits the authors of the first rows and keys the titles of the first rows; this
        # process does the rest (see `WORKER_AUTHOR_SHARE`).
        self.author_rows = int(self.n * WORKER_AUTHOR_SHARE)
        self.rows = {"authors": self.n, "title": max(1, int(self.n * WORKER_TITLE_SHARE))}
        self.failed = False
        self.sent: set[str] = set()  # the columns handed over whole
        self.marked: dict[str, np.ndarray] = {}  # `_marked` of the rows sent, by column
        self.process: subprocess.Popen[bytes] | None = None
        self.complete: set[str] = set()
        self.offset = 0
        self.ready: TextIO | None = None  # the pipe that tells the worker a column is ready
        # The files outlive this call; `close` (always called by `validate`) lets them go.
        self.inputs = {name: tempfile.TemporaryFile() for name in self.COLUMNS}  # noqa: SIM115
        self.output = tempfile.TemporaryFile()  # noqa: SIM115
        progress_read, progress_write = os.pipe()
        ready_read, ready_write = os.pipe()
        fds = (progress_write, ready_read, *(f.fileno() for f in self.inputs.values()))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c",
                 f"from sync.validate import _text_worker_main as m; m{fds}"],
                stdin=subprocess.DEVNULL, stdout=self.output, stderr=subprocess.DEVNULL,
                pass_fds=fds)
        except OSError:
            self.failed = True
            for fd in (progress_read, ready_write):
                os.close(fd)
            return
        finally:
            os.close(progress_write)
            os.close(ready_read)
        self.progress = os.fdopen(progress_read, "r", encoding="ascii")
        self.ready = os.fdopen(ready_write, "w", encoding="ascii")
        for name in self.COLUMNS:
            if not self._hand_over(name, columns[name][:self.rows[name]]):
                break  # the worker stops at the first column it is not given
            if name not in self.CORRECTED:
                self._announce(name)
        if "authors" not in self.sent:
            self.failed = True
            self._stop_announcing()

    def hand_over_corrected(self, name: str, corrected: Mapping[int, str]) -> None:
        """Let the worker start on a column of `CORRECTED`, with the cells that legacy decoding
        changed since it was written ({row: text})."""
        if self.ready is None or name not in self.marked:
            return
        out = self.inputs[name]
        out.seek(0, os.SEEK_END)
        offset = out.tell()
        payload = pickle.dumps(dict(corrected), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(8, "little") + payload)
        out.flush()
        self._announce(name, offset)

    def _announce(self, name: str, corrections_at: int = 0) -> None:
        """Tell the worker that a column's file is complete (and where its corrections are)."""
        try:
            assert self.ready is not None
            self.ready.write(f"{name} {corrections_at}\n")
            self.ready.flush()
        except (OSError, ValueError):  # the worker is gone: this process does the work
            self._stop_announcing()
            return
        self.sent.add(name)

    def _stop_announcing(self) -> None:
        if self.ready is not None:
            with contextlib.suppress(OSError):
                self.ready.close()
            self.ready = None

    def _hand_over(self, name: str, values: np.ndarray) -> bool:
        """Write one column into its file, a chunk at a time; False when a cell holds the
        separator (the column is not sent)."""
        out = self.inputs[name]
        share = self.author_rows if name == "authors" else 0
        out.write(len(values).to_bytes(8, "little") + share.to_bytes(8, "little"))
        marked = []
        for start in range(0, len(values), _CHUNK_TITLES):
            texts = [v if v.__class__ is str else "" for v in
                     values[start:start + _CHUNK_TITLES].tolist()]
            joined = _SEPARATOR.join(texts)
            if joined.count(_SEPARATOR) != len(texts) - 1:
                return False
            data = joined.encode("utf-8", "surrogatepass")
            # The legacy marker scan of these rows reads the bytes made for the worker anyway.
            marked.append(_marked_utf8(data, len(texts)))
            out.write(len(data).to_bytes(8, "little"))
            out.write(data)
        out.flush()
        self.marked[name] = np.concatenate(marked) if marked else np.zeros(0, dtype=bool)
        return True

    def _messages(self, name: str) -> list[tuple[Any, ...]] | None:
        """The messages of one part of the output (`MESSAGES`), once the worker says it is
        complete; None when the worker ended without it or a message is damaged (or was never
        sent the column: the names come from the authors)."""
        if self.process is None or self.failed \
                or (self.KEYED if name == self.KEYED else "authors") not in self.sent:
            return None
        while name not in self.complete:
            line = self.progress.readline()
            if not line:
                return None  # the worker ended without finishing
            self.complete.add(line.strip())
        if name == self.MESSAGES[-1] and self.process is not None:
            # Its last part: let the worker end (and its memory go) before the part is loaded
            # here, so that the two do not add up.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        chunks = []
        # The worker writes through the same open file: read at explicit offsets (`pread`)
        # so that its writing position is left alone. The parts come one after the other:
        # earlier parts not asked for are passed over, a later part ends this one.
        later = self.MESSAGES[self.MESSAGES.index(name) + 1:]
        fd, offset = self.output.fileno(), self.offset
        try:
            while True:
                head = os.pread(fd, 8, offset)
                if len(head) < 8:
                    break
                size = int.from_bytes(head, "little")
                body = os.pread(fd, size, offset + 8)
                if len(body) < size:
                    break  # a later part the worker is still writing
                message = pickle.loads(body)
                if message[0] in later:
                    break
                if message[0] == name:
                    chunks.append(message[1:])
                offset += 8 + size
        except Exception:  # a damaged message: the parent redoes the work
            return None
        self.offset = offset
        return chunks

    def author_names(self) -> tuple[Any, ...] | None:
        """The names in the authors of rows `0 … author_rows - 1` (see `_author_share`); None
        when the worker did not deliver them."""
        chunks = self._messages(AUTHOR_NAMES)
        if not chunks or len(chunks) != 1 or len(chunks[0]) != 8:
            return None
        return chunks[0]

    def column(self, name: str) -> tuple[dict[int, str], list[pa.Array], list[pa.Array]] | None:
        """For one column's first `rows[name]` rows: {row: cleaned text where cleaning changed
        it}, and for the titles the exact and folded key chunks; None when the worker did not
        deliver it."""
        chunks = self._messages(name)
        if chunks is None:
            return None
        if sum(c[2] for c in chunks) != self.rows[name] or not all(
                len(c) == (7 if name == self.KEYED else 3) for c in chunks):
            return None
        changes: dict[int, str] = {}
        exact, folded = [], []
        for chunk in sorted(chunks, key=lambda c: c[0]):
            changes.update((chunk[0] + i, text) for i, text in chunk[1])
            if name == self.KEYED:
                exact.append(_arrow_from_utf8(chunk[3], chunk[4]))
                folded.append(_arrow_from_utf8(chunk[5], chunk[6]))
        return changes, exact, folded

    def close(self) -> bool:
        """Wait for the worker and let its files go; True when it finished cleanly."""
        self._stop_announcing()
        status = self.process.wait() if self.process is not None else 1
        if self.process is not None:
            self.progress.close()
        for handle in (*self.inputs.values(), self.output):
            handle.close()
        return status == 0


def _text_worker_main(progress_fd: int, ready_fd: int, *input_fds: int) -> None:
    """The worker process: each column read from its file (`_TextWorker.COLUMNS` order) once its
    name arrives on `ready_fd`; messages out on stdout (a file), the name of each part once it
    is complete on `progress_fd`."""
    gc.disable()
    map_large_blocks()
    out = sys.stdout.buffer
    progress = os.fdopen(progress_fd, "w", encoding="ascii")
    ready = os.fdopen(ready_fd, "r", encoding="ascii")

    def send(message: tuple[Any, ...]) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(8, "little"))
        out.write(payload)

    def complete(name: str) -> None:
        out.flush()
        progress.write(name + "\n")
        progress.flush()

    for name, fd in zip(_TextWorker.COLUMNS, input_fds, strict=True):
        announced = ready.readline().split()
        if len(announced) != 2 or announced[0] != name:
            break  # this process was not given the column: it computes it itself
        share: list[str] = []
        for start, chunk, share_rows in _read_chunks(fd, int(announced[1])):
            cleaned = [clean_text(t) for t in chunk]
            changed = [(i, c) for i, (t, c) in enumerate(zip(chunk, cleaned, strict=True))
                       if t is not c and t != c]
            if name == _TextWorker.KEYED:
                # An error value is no title (`_finish_text`): its key is "", as for a blank.
                exact = [exact_key_of_clean(c) if c not in _ERROR_SET else "" for c in cleaned]
                folded = [fold_lower(k) for k in exact]
                send((name, start, changed, len(chunk), *_utf8_with_offsets(exact),
                      *_utf8_with_offsets(folded)))
            else:
                send((name, start, changed, len(chunk)))
                if start < share_rows:
                    share += cleaned[:share_rows - start]
        complete(name)
        if name == "authors":
            send((AUTHOR_NAMES, *_author_share(share)))
            del share
            complete(AUTHOR_NAMES)
            # The authors' temporaries (a few hundred MiB at a million rows) go before the titles.
            gc.collect()
            release_freed_memory()
    progress.close()


def _read_chunks(fd: int, corrections_at: int) -> Iterator[tuple[int, list[str], int]]:
    """A column's file (`_TextWorker._hand_over`): (first row, cells with their corrections,
    rows of the worker's share) for each chunk, read at explicit offsets one chunk at a time."""
    head = os.pread(fd, 16, 0)
    n, share_rows = int.from_bytes(head[:8], "little"), int.from_bytes(head[8:], "little")
    corrections: dict[int, str] = {}
    if corrections_at:
        size = int.from_bytes(os.pread(fd, 8, corrections_at), "little")
        corrections = pickle.loads(b"".join(_pread_all(fd, size, corrections_at + 8)))
    corrected = sorted(corrections)
    offset, start = 16, 0
    while start < n:
        size = int.from_bytes(os.pread(fd, 8, offset), "little")
        data = b"".join(_pread_all(fd, size, offset + 8))
        offset += 8 + size
        chunk = data.decode("utf-8", "surrogatepass").split(_SEPARATOR)
        first = bisect.bisect_left(corrected, start)
        for row in corrected[first:bisect.bisect_left(corrected, start + len(chunk), first)]:
            chunk[row - start] = corrections[row]
        yield start, chunk, share_rows
        start += len(chunk)


def _pread_all(fd: int, size: int, offset: int) -> Iterator[bytes]:
    while size > 0:
        part = os.pread(fd, size, offset)
        if not part:
            raise EOFError("a column's file ended early")
        yield part
        size, offset = size - len(part), offset + len(part)


def _author_share(cleaned: list[str]) -> tuple[Any, ...]:
    """The worker's share of the authors (cells cleaned as typed): (row and position of each
    name, its code among the distinct names, its problem's code in `_PROBLEM_CODES`; the
    distinct names with their keys and folds; the display text of the rows where it is not the
    cleaned cell)."""
    text, _ = _finish_text(np.asarray(cleaned, dtype=object))
    split = split_authors(text)
    codes, uniques = pd.factorize(split.names)
    names = uniques.tolist()
    keys = [exact_key_of_clean(u) for u in names]
    folds = [fold_lower(k) for k in keys]
    problem = {p: i for i, p in enumerate(_PROBLEM_CODES)}
    problems = np.fromiter((problem[p] for p in split.problems.tolist()), dtype=np.int8,
                           count=len(split.problems))
    display = [(i, shown) for i, (shown, cell) in enumerate(zip(split.display.tolist(),
                                                                 text.tolist(), strict=True))
               if shown is not cell]
    return (split.rows.astype(np.int64), split.positions, codes.astype(np.int64), problems,
            names, keys, folds, display)


def _utf8_with_offsets(values: list[str]) -> tuple[np.ndarray, bytes]:
    """Strings as one UTF-8 buffer and the offsets of each (Arrow's layout), made by Arrow's
    converter; strings Arrow refuses (lone surrogates) are encoded one by one."""
    try:
        array = pa.array(values, type=pa.large_string())
    except (pa.ArrowException, UnicodeError):
        encoded = [v.encode("utf-8", "surrogatepass") for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)),
                  out=offsets[1:])
        return offsets, b"".join(encoded)
    _, offsets, data = array.buffers()
    return (np.frombuffer(offsets, dtype=np.int64, count=len(values) + 1).copy(),
            data.to_pybytes() if data else b"")


def _arrow_from_utf8(offsets: np.ndarray, data: bytes) -> pa.Array:
    return pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets),
                                            pa.py_buffer(data))


# --------------------------------------------------------------------------------------------------
# The validator
# --------------------------------------------------------------------------------------------------

class _Clock:
    """Optional stage timings (CPU seconds) for benchmarks: `validate(..., timings={})`."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.last = time.process_time()

    def __call__(self, stage: str) -> None:
        if self.timings is not None:
            now = time.process_time()
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
            self.last = now


_ERROR_VALUES = pd.Index(sorted(catalog.ERROR_VALUES), dtype=object)
_ERROR_SET = frozenset(catalog.ERROR_VALUES)


def _text_column(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text field → (display text: strings cleaned (NFC, odd spaces, `Ð` → `Đ`), numbers and
    dates as people see them, None when empty or an error value; mask of error values)."""
    return _finish_text(clean_series(pd.Series(values, dtype=object, copy=False)).to_numpy(
        dtype=object, copy=True))


def _finish_text(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cleaned strings (in place): other cells as people see them, blanks and error values
    None; also the mask of error values."""
    kind = infer_dtype(out, skipna=True)
    empty = pd.isna(out)
    if kind not in ("string", "empty"):
        other = np.flatnonzero(~empty)
        other = other[[v.__class__ is not str for v in out[other].tolist()]]
        out[other] = [display_value(v) for v in out[other].tolist()]
    out[empty] = None
    blank = out == ""
    errors = pd.Index(out, dtype=object).isin(_ERROR_VALUES)
    out[blank | errors] = None
    return out, np.asarray(errors, dtype=bool)


def _from_worker(values: np.ndarray, typed: np.ndarray | None, changes: dict[int, str]
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A text column from the worker's changes: (display text, error mask, rows redone here —
    legacy text converted after the worker was given the column as `typed`; None: it was given
    `values` —, rows that are not text)."""
    out = values.copy()
    for i, cleaned in changes.items():
        out[i] = cleaned
    decoded = np.flatnonzero(values != typed) if typed is not None else np.zeros(0, np.int64)
    if len(decoded):
        out[decoded] = clean_series(pd.Series(values[decoded], dtype=object)).to_numpy(
            dtype=object)
    was_text = np.array([v.__class__ is str for v in values.tolist()], dtype=bool)
    text, errors = _finish_text(out)
    return text, errors, decoded, was_text


def _text_of(key: str, values: np.ndarray, typed: np.ndarray, worker: _TextWorker | None
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A text column cleaned by the worker when it delivered, else here; also the rows where
    the text here is not what the worker cleaned (legacy text decoded meanwhile, cells that are
    not text)."""
    result = worker.column(key) if worker is not None else None
    if result is None:
        text, errors = _text_column(values)
        return text, errors, np.ones(len(values), dtype=bool)
    text, errors, decoded, was_text = _from_worker(values, typed, result[0])
    redo = ~was_text & ~pd.isna(text)
    redo[decoded] = True
    return text, errors, redo


def _split_and_key(text: np.ndarray, worker: _TextWorker | None, redo: np.ndarray,
                   keys: bool = True) -> tuple[Authors, np.ndarray, np.ndarray]:
    """`split_authors` and `name_keys` of the authors column: the worker's share of the rows
    from the worker (but for the rows in `redo`), the rest here; all here when the worker did
    not deliver. (The worker sends its share early: by the time this process gets here it has
    long arrived.) Without `keys`, the keys are empty."""
    share = worker.author_names() if worker is not None and worker.author_rows else None
    if share is None:
        split = split_authors(text)
        if not keys:
            return split, np.empty(0, dtype=object), np.empty(0, dtype=object)
        exact, folded = name_keys(split.names)
        return split, exact, folded
    assert worker is not None
    share_rows = worker.author_rows
    own = np.concatenate([np.flatnonzero(redo[:share_rows]), np.arange(share_rows, len(text))])
    mine = split_authors(text[own])
    w_rows, w_positions, w_codes, w_problems, names, name_keys_, name_folds, shown = share
    keep = ~redo[w_rows]
    w_codes = w_codes[keep]
    my_keys, my_folds = name_keys(mine.names)
    rows = np.concatenate([w_rows[keep], own[mine.rows]])
    order = np.argsort(rows, kind="stable")  # a row's names come from one side, in order

    def joined(theirs: list[str] | np.ndarray, ours: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(theirs, dtype=object)[w_codes], ours])[order]

    # Display: the cell as cleaned, but where the worker showed it otherwise, or this side read it.
    display = text.copy()
    for i, value in shown:
        display[i] = value
    display[own] = mine.display
    problems = np.asarray(_PROBLEM_CODES, dtype=object)[w_problems[keep]]
    split = Authors(rows[order], np.concatenate([w_positions[keep], mine.positions])[order],
                    joined(names, mine.names),
                    np.concatenate([problems, mine.problems])[order], display)
    return split, joined(name_keys_, my_keys), joined(name_folds, my_folds)


def _titles(values: np.ndarray, worker: _TextWorker | None
            ) -> tuple[np.ndarray, np.ndarray, pd.Series, pd.Series]:
    """Title text, error mask and keys — from the worker process for its share of the rows when
    it delivered (cells that are not text are keyed here), else computed here."""
    if worker is None or "title" not in worker.sent:
        text, errors = _text_column(values)
        exact, folded = title_keys(text)
        return text, errors, exact, folded
    # The rows after the worker's share are cleaned and keyed here first, while it still works.
    share = worker.rows["title"]
    rest, rest_errors = _text_column(values[share:])
    rest_exact, rest_folded = _key_chunks(rest) if len(rest) else ([], [])
    result = worker.column("title")
    if result is None:
        text, errors = _text_column(values[:share])
        exact_arrow, folded_arrow = _key_chunks(text)
    else:
        changes, exact_arrow, folded_arrow = result
        del result
        # It was given the titles as legacy decoding left them (`hand_over_corrected`).
        text, errors, _, was_text = _from_worker(values[:share], None, changes)
        # The worker keyed each title as it was given ("" for other cells and error values);
        # the other cells shown as text are keyed here.
        patch = ~was_text & ~pd.isna(text)
        keys = title_keys(text[patch])
        exact_arrow = _patched(exact_arrow, patch, keys[0])
        folded_arrow = _patched(folded_arrow, patch, keys[1])
    text = np.concatenate([text, rest])
    errors = np.concatenate([errors, rest_errors])
    exact = pa.chunked_array(exact_arrow + rest_exact, pa.large_string())
    folded = pa.chunked_array(folded_arrow + rest_folded, pa.large_string())
    return text, errors, _str_series(exact), _str_series(folded)


def _patched(chunks: list[pa.Array], patch: np.ndarray, keys: pd.Series) -> list[pa.Array]:
    """The worker's key chunks with the rows in `patch` replaced by `keys`, a chunk at a time
    (each original chunk is let go as soon as it is replaced)."""
    values = keys.to_numpy(dtype=object).tolist()
    start = taken = 0
    for i, chunk in enumerate(chunks):
        mask = patch[start:start + len(chunk)]
        count = int(mask.sum())
        if count:
            chunks[i] = pc.replace_with_mask(
                chunk, pa.array(mask), pa.array(values[taken:taken + count], pa.large_string()))
            taken += count
        start += len(chunk)
    return chunks


def _str_series(arrow: pa.ChunkedArray) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(arrow, dtype=TEXT))


@dataclass(slots=True)
class _Typed:
    """A typed column factorised once: `uniques[codes[i]]` is cell i (code -1: empty)."""

    values: np.ndarray
    codes: np.ndarray
    uniques: list[Any]
    present: np.ndarray
    errors: np.ndarray

    usable: list[bool]

    def parse(self, parse: Any) -> tuple[list[Any], Any]:
        """Readings of the distinct usable values (None for blanks and error values) and of an
        empty cell."""
        return [parse(u) if ok else None for u, ok in zip(self.uniques, self.usable, strict=True)], \
            parse(None)


def _blank_value(value: Any) -> bool:
    return isinstance(value, str) and not clean_text(value)


def _is_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in catalog.ERROR_VALUES


def _typed_column(values: np.ndarray, factorised: tuple[np.ndarray, list[Any]] | None = None
                  ) -> _Typed:
    codes, uniques = factorised if factorised is not None else distinct(values)
    blank_u = [_blank_value(u) for u in uniques]
    error_u = [_is_error(u) for u in uniques]
    blank = spread(blank_u, codes, True, dtype=bool)
    errors = spread(error_u, codes, False, dtype=bool)
    usable = [not b and not e for b, e in zip(blank_u, error_u, strict=True)]
    return _Typed(values, codes, uniques, ~blank, errors, usable)


def validate(raw: pd.DataFrame, headers: Mapping[str, Mapping[str, str]],
             program: ProgramConfig, today: dt.date,
             timings: dict[str, float] | None = None, keys: bool = True) -> ValidatedRows:
    """Validate and normalise every row. `raw` has `unit_code`, `tab`, `row` and the field keys
    present in the units' sheets (missing optional fields are treated as empty). `headers` maps a
    unit code to {field key: header as the unit wrote it} (findings name those columns).
    `timings`, when given, receives the CPU seconds of each stage. Without `keys` (a caller that
    only reports findings and counts: `sangkien validate`) the comparison keys are not made:
    `rows` has no `title_key`/`title_fold` and `authors` no `key`/`fold`."""
    with _gc_paused(), contextlib.ExitStack() as cleanup:
        return _validate(raw, headers, program, today, _Clock(timings), cleanup, keys)


def _validate(raw: pd.DataFrame, headers: Mapping[str, Mapping[str, str]],
              program: ProgramConfig, today: dt.date, clock: _Clock,
              cleanup: contextlib.ExitStack, keys: bool = True) -> ValidatedRows:
    n = len(raw)
    unit = raw["unit_code"].to_numpy(dtype=object) if "unit_code" in raw else np.full(n, "", object)
    tab = raw["tab"].to_numpy(dtype=object) if "tab" in raw else np.full(n, "", object)
    sheet_row = raw["row"].to_numpy(dtype=np.int64) if "row" in raw else np.arange(2, n + 2)
    cells = {key: (raw[key].to_numpy(dtype=object) if key in raw else np.full(n, None, object))
             for key in ROW_KEYS}
    findings = _Findings(unit, tab, sheet_row, headers)
    rejected = np.zeros(n, dtype=bool)
    worker = _TextWorker(cells) if keys and _worker_wanted(n) else None
    if worker is not None:
        cleanup.callback(worker.close)
        # A validation this large frees hundreds of MiB of temporaries stage after stage: let
        # them go back to the system as they are freed (`sync.memory`), and what the heap still
        # holds at the end of the big stages.
        map_large_blocks()
        cleanup.callback(release_freed_memory)
    clock("prepare")

    # 1. Legacy encodings: decoded with row and column evidence; one warning per row.
    typed_cells = dict(cells)  # as the unit typed them (quoted in the legacy warning)
    present_keys = [k for k in LEGACY_FIELDS if k in raw]
    # Typed columns are factorised once, for the marker scan and for parsing (again where
    # legacy decoding changes them).
    factorised = {key: distinct(cells[key]) for key in TYPED_FIELDS if key in raw}
    converted = _decode_legacy(cells, present_keys, n, worker.marked if worker else {},
                               factorised)
    if worker is not None:
        title_rows = converted.get("title", np.zeros(0, dtype=object))[:worker.rows["title"]]
        worker.hand_over_corrected("title", {i: cells["title"][i] for i in
                                             np.flatnonzero(~pd.isna(title_rows)).tolist()})
    clock("legacy_decode")
    if converted:
        _report_legacy(findings, converted, typed_cells, cells)
    del converted
    clock("legacy_report")

    # 2. Text fields (the title last: it may be on the second core): display form, error
    #    values, blanks.
    text: dict[str, np.ndarray] = {}
    errors: dict[str, np.ndarray] = {}
    redo_authors = np.zeros(n, dtype=bool)  # rows whose authors the worker saw otherwise
    for key in TEXT_FIELDS[1:]:
        if key == "authors":
            text[key], errors[key], redo_authors = _text_of(key, cells[key], typed_cells[key],
                                                            worker)
        else:
            text[key], errors[key] = _text_column(cells[key])
    present = {key: ~pd.isna(text[key]) for key in TEXT_FIELDS[1:]}
    for key in OPTIONAL_TEXT:
        idx = _where(errors[key])
        findings.add(idx, "error_value", key, cells[key][idx])
    clock("text_clean")
    typed = {key: _typed_column(cells[key], factorised.get(key) if cells[key] is typed_cells[key]
                                else None) for key in TYPED_FIELDS}
    del factorised
    for key, column in typed.items():
        present[key] = column.present
        errors[key] = column.errors
    clock("factorise")

    # 3. Required fields: empty, or a spreadsheet error value.
    for key in catalog.REQUIRED_KEYS[1:]:
        rejected |= _required(findings, key, cells[key], present[key], errors[key])
    # Memory: the cells of a field are let go once its findings are made (legacy-decoded
    # columns are copies; the rest are views of `raw`).
    for key in TEXT_FIELDS[1:]:
        cells[key] = typed_cells[key] = None

    # 4. Long text.
    for key in OPTIONAL_TEXT:
        lengths = _lengths(text[key])
        idx = _where(lengths > catalog.MAX_TEXT_CHARS)
        findings.add(idx, "text_too_long", key, text[key][idx], length=lengths[idx],
                     max_chars=format_vnd(catalog.MAX_TEXT_CHARS))
    clock("text_rules")

    # 6. Authors.
    split, author_keys, author_folds = _split_and_key(text["authors"], worker, redo_authors,
                                                      keys)
    author_rows, positions, names_arr, problem_arr = split.rows, split.positions, split.names, \
        split.problems
    authors_display = split.display
    del split
    clock("authors_split")
    suspicious = problem_arr != ""
    if suspicious.any():
        at = np.flatnonzero(suspicious)
        findings.add(author_rows[at], "suspicious_author", "authors", names_arr[at],
                     reason=[catalog.AUTHOR_PROBLEMS[p] for p in problem_arr[at].tolist()])
    no_names = present["authors"] & pd.isna(authors_display)
    findings.add(_where(no_names), "missing_required", "authors", text["authors"][no_names],
                 example=catalog.MISSING_EXAMPLES["authors"])
    rejected |= no_names
    authors = pd.DataFrame({
        "row": author_rows, "position": positions, "name": _objects(names_arr),
        **({"key": _objects(author_keys), "fold": _objects(author_folds)} if keys else {}),
        "suspicious": suspicious.astype(bool),
    }, copy=False)
    if worker is not None:
        release_freed_memory()
    clock("authors_keys")

    # 7. Solution type.
    column = typed["solution_type"]
    readings, _ = column.parse(parse_solution_type)
    solution_types = spread(readings, column.codes, None)
    unknown = column.present & ~column.errors & pd.isna(solution_types)
    findings.add(_where(unknown), "unknown_solution_type", "solution_type",
                 cells["solution_type"][unknown], choices=" · ".join(catalog.SOLUTION_TYPES))
    rejected |= unknown
    typed["solution_type"] = cells["solution_type"] = column = None

    # 8. Date applied.
    column = typed["applied_on"]
    readings, _ = column.parse(parse_date)
    ok = [r is not None and r.value is not None for r in readings]
    applied = spread([np.datetime64(r.value, "D") if good else np.datetime64("NaT")
                      for r, good in zip(readings, ok, strict=True)],
                     column.codes, np.datetime64("NaT"), dtype="datetime64[D]")
    bad = spread([r is not None and r.code == "invalid_date" for r in readings], column.codes,
                 False, dtype=bool)
    idx = _where(bad)
    findings.add(idx, "invalid_date", "applied_on", cells["applied_on"][idx],
                 reason=spread([r.reason if r else "" for r in readings], column.codes, "")[idx],
                 example=spread([r.example if r else "" for r in readings], column.codes,
                                "")[idx])
    applied_ok = ~np.isnat(applied)
    future = applied_ok & (applied > np.datetime64(today, "D"))
    findings.add(_where(future), "future_date", "applied_on", cells["applied_on"][future],
                 today=format_date(today))
    outside = applied_ok & ~future & ((applied < np.datetime64(program.start, "D"))
                                      | (applied > np.datetime64(program.deadline, "D")))
    findings.add(_where(outside), "outside_program_window", "applied_on",
                 cells["applied_on"][outside], start=format_date(program.start),
                 deadline=format_date(program.deadline))
    rejected |= bad | future | outside
    typed["applied_on"] = cells["applied_on"] = column = None

    # 9. Status.
    column = typed["status"]
    readings, _ = column.parse(parse_status)
    statuses = spread(readings, column.codes, None)
    unknown = column.present & pd.isna(statuses)
    findings.add(_where(unknown), "unknown_status", "status", cells["status"][unknown],
                 choices=" · ".join(catalog.STATUSES))
    rejected |= unknown
    statuses[~column.present] = catalog.STATUS_DEFAULT
    counted_statuses = list(program.counted_statuses)
    is_counted_status = pd.Index(statuses).isin(counted_statuses)
    not_recognized = statuses == catalog.STATUS_NOT_RECOGNIZED
    findings.add(_where(not_recognized), "not_recognized", "status",
                 cells["status"][not_recognized])
    not_counted = ~pd.isna(statuses) & ~not_recognized & ~is_counted_status
    idx = _where(not_counted)
    findings.add(idx, "status_not_counted", "status", statuses[idx],
                 counted=", ".join(f"«{s}»" for s in counted_statuses))
    typed["status"] = cells["status"] = column = None
    clock("enums_dates")

    # 10. Benefit; 11. social significance.
    benefit, not_computable = _parse_benefit(typed["benefit"], unit, headers, findings)
    social = _parse_social(typed["social"], findings)
    del typed
    cells["benefit"] = cells["social"] = None
    clock("money_social")

    # 12. Title: text, rules and keys.
    if keys:
        title, errors["title"], title_key, title_fold = _titles(cells["title"], worker)
        title_keys_columns = {"title_key": title_key, "title_fold": title_fold}
    else:
        title, errors["title"] = _text_column(cells["title"])
        title_keys_columns = {}
    present["title"] = ~pd.isna(title)
    rejected |= _required(findings, "title", cells["title"], present["title"], errors["title"])
    lengths = _lengths(title)
    short = present["title"] & (lengths < catalog.MIN_TITLE_CHARS)
    idx = _where(short)
    findings.add(idx, "title_too_short", "title", title[idx], length=lengths[idx],
                 min_chars=catalog.MIN_TITLE_CHARS)
    rejected |= short
    idx = _where(lengths > catalog.MAX_TEXT_CHARS)
    findings.add(idx, "text_too_long", "title", title[idx], length=lengths[idx],
                 max_chars=format_vnd(catalog.MAX_TEXT_CHARS))
    clock("title_keys")
    valid = ~rejected
    counted = valid & is_counted_status
    findings_frame = findings.result()
    rows = pd.DataFrame({
        "unit_code": _objects(unit),
        "tab": _objects(tab),
        "row": sheet_row,
        "title": _objects(title),
        **title_keys_columns,
        "authors": _objects(authors_display),
        "workplace": _objects(text["workplace"]),
        "solution_type": _objects(solution_types),
        "field": _objects(text["field"]),
        "applied_on": applied.astype("datetime64[s]"),
        "status": _objects(statuses),
        "summary": _objects(text["summary"]),
        "effect": _objects(text["effect"]),
        "benefit_vnd": benefit,
        "benefit_not_computable": not_computable,
        "social": social,
        "note": _objects(text["note"]),
        "valid": valid,
        "counted": counted,
        "n_errors": findings.n_errors,
        "n_warnings": findings.n_warnings,
    }, copy=False)
    clock("assemble")
    return ValidatedRows(rows=rows, authors=authors, findings=findings_frame)


def _objects(values: np.ndarray) -> pd.Series:
    """An object column as is (no inference to pandas' `str` dtype; None stays None)."""
    return pd.Series(values, dtype=object, copy=False)


def _required(findings: _Findings, key: str, cells: np.ndarray, present: np.ndarray,
              errors: np.ndarray) -> np.ndarray:
    """`missing_required` / `formula_error` for a required field; the rows they reject."""
    missing = ~present & ~errors
    findings.add(_where(missing), "missing_required", key, cells[missing],
                 example=catalog.MISSING_EXAMPLES.get(key, ""))
    findings.add(_where(errors), "formula_error", key, cells[errors])
    return missing | errors


def _lengths(values: np.ndarray) -> np.ndarray:
    return np.array([len(v) if v is not None else 0 for v in values.tolist()], dtype=np.int64)


# Characters that legacy text (TCVN3, VNI, UTF-8 read as cp1252) has and Unicode Vietnamese never
# has, built from the legacy module's public charts (the first look of its own pre-screen).
_VIET_LATIN1 = {ch for ch in legacy.VIETNAMESE_LETTERS_ALL + "aeiouyAEIOUY" if ord(ch) < 0x100}
LEGACY_MARKERS = "".join(sorted(
    (set(legacy.TCVN3_TO_UNICODE) - _VIET_LATIN1)
    | ({ch for key in legacy.VNI_TO_UNICODE for ch in key if ord(ch) >= 0x80} - _VIET_LATIN1)
    | set("ÃÄÅÆº»")))
_MARKER_RE = re.compile(f"[{re.escape(LEGACY_MARKERS)}]")
# Above this share of rows with legacy markers, the whole frame goes to `decode_frame` (its
# column-wide second looks then matter).
LEGACY_SUBSET_MAX_SHARE = 0.04


def _marked(values: np.ndarray, factorised: tuple[np.ndarray, list[Any]] | None = None
            ) -> np.ndarray:
    """Cells that are strings holding at least one of `LEGACY_MARKERS`; `factorised` is the
    column's `distinct` when it is already known (typed columns)."""
    search = _MARKER_RE.search

    def marks(items: Iterable[Any]) -> list[bool]:
        return [u.__class__ is str and not u.isascii() and search(u) is not None for u in items]

    if factorised is not None:
        codes, uniques = factorised
        return np.asarray([*marks(uniques), False], dtype=bool)[codes]
    sample = [v for v in values[:4000].tolist() if v is not None][:2000]
    if len(set(sample)) < 0.6 * len(sample):  # repeated values: check each distinct one once
        codes, uniques = pd.factorize(values)
        return np.asarray([*marks(uniques), False], dtype=bool)[codes]
    return np.asarray(marks(values.tolist()), dtype=bool)


def _marked_utf8(data: bytes, n: int) -> np.ndarray:
    """`_marked` of `n` cells joined by `_SEPARATOR` and encoded as UTF-8, read with numpy: every
    marker is a code point in U+0080–U+00FF, i.e. a lead byte C2/C3 and one more byte. Read in
    slices that stay in the CPU cache (whole-buffer temporaries cost more in page faults than
    the scan itself)."""
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    out = np.zeros(n, dtype=bool)
    cells = 0
    for start in range(0, len(bytes_), _MARK_SLICE):
        part = bytes_[start:start + _MARK_SLICE + 1]  # one byte more: a pair across the cut
        lead = np.flatnonzero((part[:-1] & 0xFE) == 0xC2)
        separators = np.flatnonzero(part[:_MARK_SLICE] == ord(_SEPARATOR))
        if len(lead):
            hit = lead[_MARKER_LATIN1[((part[lead] & 0x01) << 6) | (part[lead + 1] & 0x3F) | 0x80]]
            out[cells + np.searchsorted(separators, hit)] = True
        cells += len(separators)
    return out


_MARK_SLICE = 1 << 22
if not all(0x80 <= ord(c) <= 0xFF for c in LEGACY_MARKERS):  # the byte scan's premise
    raise RuntimeError("LEGACY_MARKERS outside U+0080–U+00FF: `_marked_utf8` must change")
_MARKER_LATIN1 = np.zeros(256, dtype=bool)
_MARKER_LATIN1[[ord(c) for c in LEGACY_MARKERS]] = True


def _decode_legacy(cells: dict[str, np.ndarray], keys: list[str], n: int,
                   known: Mapping[str, np.ndarray],
                   factorised: Mapping[str, tuple[np.ndarray, list[Any]]]
                   ) -> dict[str, np.ndarray]:
    """Decode legacy text in place (`cells`); returns {key: encoding per row or None} for the
    columns with conversions. `legacy.decode_frame` decides, with the evidence of rows and
    columns; only rows holding a legacy marker can be legacy text (and a few percent of rows at
    most in a real collection), so only they are handed to it unless they are many. `known`
    holds `_marked` of a column's first rows where it was already found (`_TextWorker`);
    `factorised` the `distinct` of the columns that have it."""
    if not keys or not n:
        return {}
    rows = np.zeros(n, dtype=bool)
    for key in keys:
        first = known.get(key, np.zeros(0, dtype=bool))
        rows[:len(first)] |= first
        rows[len(first):] |= _marked(cells[key][len(first):], factorised.get(key)
                                     if not len(first) else None)
    if not rows.any():
        return {}
    subset = np.flatnonzero(rows) if rows.mean() <= LEGACY_SUBSET_MAX_SHARE else np.arange(n)
    frame = pd.DataFrame({k: pd.Series(cells[k][subset], dtype=object) for k in keys})
    decoded, encodings = legacy.decode_frame(frame, keys)
    converted: dict[str, np.ndarray] = {}
    for key in keys:
        marks = encodings[key].to_numpy(dtype=object)
        found = ~pd.isna(marks)
        if not found.any():
            continue
        at = subset[found]
        column = cells[key].copy()
        column[at] = decoded[key].to_numpy(dtype=object)[found]
        cells[key] = column
        per_row = np.full(n, None, dtype=object)
        per_row[at] = marks[found]
        converted[key] = per_row
    return converted


def _report_legacy(findings: _Findings, converted: dict[str, np.ndarray],
                   typed: dict[str, np.ndarray], cells: dict[str, np.ndarray]) -> None:
    """One `legacy_encoding` warning per row with converted cells: every converted column named,
    the first converted cell quoted as typed and as converted."""
    keys = [k for k in ROW_KEYS if k in converted]
    marks = np.stack([converted[k] != None for k in keys], axis=1)  # noqa: E711
    idx = np.flatnonzero(marks.any(axis=1))
    first = marks[idx].argmax(axis=1)
    first_keys = [keys[j] for j in first.tolist()]
    names = {k: findings.column_names(k, idx) for k in keys}
    columns, places, labels, raw_values, new_values = [], [], [], [], []
    for row_i, (i, key) in enumerate(zip(idx.tolist(), first_keys, strict=True)):
        in_row = [k for j, k in enumerate(keys) if marks[i, j]]
        headers = [names[k][row_i] for k in in_row]
        columns.append(", ".join(headers))
        quoted = ", ".join(f"«{h}»" for h in headers)
        places.append(f"cột {quoted}" if len(headers) == 1 else f"các cột {quoted}")
        encodings = list(dict.fromkeys(converted[k][i] for k in in_row))
        labels.append(" và ".join(LEGACY_LABELS.get(e, e) for e in encodings))
        raw_values.append(typed[key][i])
        new_values.append(display_value(cells[key][i]))
    findings.add(idx, "legacy_encoding", np.asarray(first_keys, dtype=object), raw_values,
                 columns=columns, where=places, encoding=labels, converted=new_values)


def _parse_benefit(column: _Typed, unit: np.ndarray, headers: Mapping[str, Mapping[str, str]],
                   findings: _Findings) -> tuple[pd.arrays.IntegerArray, np.ndarray]:
    """Amounts (per the header's unit when it names one) and their findings."""
    n = len(column.codes)
    amounts = np.zeros(n, dtype=np.int64)
    known = np.zeros(n, dtype=bool)
    not_computable = np.zeros(n, dtype=bool)
    scales = {u: header_scale(h.get("benefit")) for u, h in headers.items()}
    if any(s != 1 for s in scales.values()):
        scale_of_row = np.fromiter((scales.get(u, 1) for u in unit.tolist()), dtype=np.int64,
                                   count=n)
    else:
        scale_of_row = np.ones(n, dtype=np.int64)
    for scale in np.unique(scale_of_row).tolist():
        rows = column.present & (scale_of_row == scale)
        if not rows.any():
            continue
        readings, _ = column.parse(lambda v, s=scale: parse_money(v, s))
        codes = column.codes
        value = spread([r.value if r is not None and r.value is not None else -1
                        for r in readings], codes, -1, dtype=np.int64)
        has_value = rows & (value >= 0)
        amounts[has_value] = value[has_value]
        known |= has_value
        not_computable |= rows & spread([r is not None and r.not_computable for r in readings],
                                        codes, False, dtype=bool)
        # error values are unusable uniques (no reading): an invalid amount all the same
        code = spread([r.code if r is not None else "invalid_money" for r in readings], codes,
                      None)
        formula = catalog.MONEY_PROBLEMS["formula"]
        for name in ("invalid_money", "negative_money", "ambiguous_money"):
            idx = _where(rows & (code == name))
            if not len(idx):
                continue
            findings.add(idx, name, "benefit", column.values[idx],
                         reason=_attr(readings, codes, idx, "reason", formula),
                         readings=_attr(readings, codes, idx, "readings"),
                         reading=_attr(readings, codes, idx, "reading"),
                         example=_attr(readings, codes, idx, "example"))
    return pd.arrays.IntegerArray(amounts, ~known), not_computable


def _attr(readings: list[Any], codes: np.ndarray, idx: np.ndarray, name: str,
          default: str = "") -> np.ndarray:
    """One attribute of the readings, at the rows `idx`."""
    return spread([getattr(r, name) if r is not None else default for r in readings],
                  codes[idx], "")


def _parse_social(column: _Typed, findings: _Findings) -> np.ndarray:
    readings, _ = column.parse(parse_yes_no)
    answer = spread(readings, column.codes, False)
    unknown = column.present & pd.isna(answer)
    findings.add(_where(unknown), "invalid_yes_no", "social", column.values[unknown])
    return np.asarray(answer == True, dtype=bool)  # noqa: E712


COMPLETENESS_FIELDS = ("workplace", "field", "summary", "effect", "note", "benefit_vnd")


def count_completeness(rows: pd.DataFrame) -> pd.Series:
    """How many optional fields a row fills (for choosing the kept row among duplicates). A frame
    that already carries the count (`completeness`, made by `sync.dedupe`) is read as is."""
    if "completeness" in rows:
        return rows["completeness"]
    optional = ["workplace", "field", "summary", "effect", "note"]
    score = sum(rows[k].notna().astype(int) for k in optional)
    score = score + rows["benefit_vnd"].notna().astype(int)
    return pd.Series(np.asarray(score), index=rows.index)


def hidden_row_findings(hidden: list[tuple[str, str, int]]) -> pd.DataFrame:
    """`hidden_row` warnings for (unit, tab, row) hidden in the units' files (kept and counted)."""
    kind = catalog.FINDING_BY_CODE["hidden_row"]
    return pd.DataFrame({
        "unit_code": [h[0] for h in hidden], "tab": [h[1] for h in hidden],
        "row": np.array([h[2] for h in hidden], dtype=np.int64), "field": "",
        "column": "", "value": "", "code": kind.code, "severity": kind.severity,
        "message": kind.message, "hint": kind.hint,
    }, columns=list(FINDING_COLUMNS))


def money_text(amount: int | None) -> str:
    return "" if amount is None else format_vnd(amount)
