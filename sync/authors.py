"""Authors cells → the people named in them.

Units type authors every way there is: `Nguyễn Văn An, Trần Thị Bình`, one per line, `KS. Lê Văn
Cường và các cộng sự`, `1. Ông Phạm Minh (Tổ trưởng)`, names in capitals. `split_authors` splits a
whole column on `,` `;` line breaks and ` và `, drops titles (`ông`, `bà`, `KS.`, `ThS.`), roles
and numbering, and says of each name whether it is a plausible person's name (else a key of
`catalog.AUTHOR_PROBLEMS`: the unit gets `suspicious_author`).

numpy and the standard library only: the text worker process (`sync.text_worker`) splits its share
of the authors without importing pandas.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sync import catalog
from sync.text import clean_text, fold, unify_tones

__all__ = ["Authors", "factorize", "split_author_cell", "split_authors"]


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
# (Repeated, as in `An, và và`: a piece of conjunctions alone names nobody.)
_CONJUNCTION = re.compile(r"^(?:(?:và|va|cùng với|cùng|với)(?:\s+|$))+", re.IGNORECASE)
# A piece that ends in a conjunction (`Nguyễn Văn An và` before a line break).
_TRAILING_CONJUNCTION = re.compile(r"(?:\s+(?:và|va|cùng với|cùng|với))+$", re.IGNORECASE)
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


def factorize(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """(code of each value, the distinct values in order of first appearance), like
    `pandas.factorize`; the text worker runs without pandas. `validate` passes pandas' own, which
    is faster (a C hash table)."""
    index: dict[str, int] = {}
    add = index.setdefault
    return np.array([add(v, len(index)) for v in values], dtype=np.int64), list(index)


Factorize = Callable[[list[str]], tuple[np.ndarray, list[str]]]


def split_authors(cells: np.ndarray, factorize: Factorize = factorize) -> Authors:
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
    present = np.flatnonzero([v.__class__ is str for v in cells.tolist()])
    for start in range(0, len(present), _CHUNK_CELLS):
        rows = present[start:start + _CHUNK_CELLS]
        texts = cells[rows].tolist()
        r, names, problems = _split_chunk(texts, rows, piece_memo, display, factorize)
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
                 display: np.ndarray, factorize: Factorize
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    codes, uniques = factorize(pieces)
    del pieces
    get = memo.get
    readings = [get(piece) or _remember(memo, piece) for piece in uniques]
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
