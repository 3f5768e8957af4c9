"""Labelled synthetic unit sheets for benchmarks: seeded, column-wise, a million rows in seconds.

`generate(n_rows, n_units, seed)` returns what units would have typed — one row per sheet row, raw
cell values (date cells, text dates, money as numbers or as `150 triệu`, aliases, legacy encodings)
— together with the truth a benchmark scores against:

- `entity_id`: which true initiative a row represents. Rows with the same `entity_id` are one
  initiative (the deduplicator should merge them); rows with different ids are different
  initiatives, even when their titles look alike.
- `noise`: how the row came to be. `original` is the entity's first registration; every other kind
  is a duplicate of it (`NoiseMix` documents each kind and its default share).
- `hard_negative` / `hard_negative_pair`: rows planted to look like duplicates without being ones
  (numbered siblings, one-word-different objects, the same title by other people in another unit,
  a common author with a different title). Both rows of a pair carry the kind and each other's
  entity id.
- `expected_error` / `expected_warning`: a validation error planted on a row (the row must be
  rejected) or a `not_recognized` status (kept, not counted). Errors are planted only on entities
  that have no duplicates and no hard-negative partner, so dedupe truth stays clean.

Duplicates in another unit (`parent_child_copy`, `cross_unit_copy`) and retyped duplicates are made
*less complete* than their original (the `effect` cell is left empty) on the same applied date, so
SPEC §5's keep rule ("earliest applied, then the most complete") keeps the original and the
per-unit truth (`registry.true_participants`) is well defined.

Only the tab `Sáng kiến` is read by the product (SPEC §4); `copy_other_tab` duplicates live in a
second tab (`Đợt 2`) and are invisible to an end-to-end run — use `SynthData.visible_rows()` for
the truth of such a run.

Performance: everything is drawn with numpy over whole columns; per-row Python runs only where a
string must be assembled (author lists, text dates, money texts) or transformed (the ~10 % noisy
duplicates). `write_xlsx_units` spreads units over a process pool.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import os
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from sync import catalog
from sync.demo import vocab

__all__ = [
    "COPY_KINDS",
    "ERROR_KINDS",
    "FIELD_KEYS",
    "FIRST_DATA_ROW",
    "HARD_NEGATIVE_KINDS",
    "NOISE_KINDS",
    "OTHER_TAB",
    "NoiseMix",
    "SynthData",
    "generate",
    "load",
    "save",
    "strip_diacritics",
    "swap_tone_style",
    "write_xlsx_units",
]

UNIT_TAB: Final = catalog.UNIT_TAB
OTHER_TAB: Final = "Đợt 2"
TITLE_ROW: Final = 1  # sheet rows as a person sees them (1-based)
HEADER_ROW: Final = 3
FIRST_DATA_ROW: Final = 4
PROGRAM_START: Final = dt.date(2021, 9, 1)
PROGRAM_DAYS: Final = 730  # applied dates fall in [start, start + 729 days] = up to 2023-08-30
EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
MAX_AUTHORS: Final = 5

FIELD_KEYS: Final = tuple(f.key for f in catalog.FIELDS)
COPY_KINDS: Final = (
    "exact_copy", "copy_other_tab", "parent_child_copy", "cross_unit_copy", "no_diacritics",
    "tcvn3", "vni", "typo", "author_order", "added_coauthor", "case_spacing", "nfd", "tone_style",
)
NOISE_KINDS: Final = ("original", *COPY_KINDS)
HARD_NEGATIVE_KINDS: Final = (
    "numbered_sibling", "one_word_object", "same_title_other_people", "common_author",
)
ERROR_KINDS: Final = (
    "missing_required", "invalid_date", "outside_program_window", "future_date",
    "title_too_short", "unknown_solution_type", "formula_error",
)
# Copies that keep every cell (a copied row); the others are retyped or moved, and less complete.
_IDENTICAL_KINDS: Final = frozenset({"exact_copy", "copy_other_tab"})
_OTHER_UNIT_KINDS: Final = frozenset({"parent_child_copy", "cross_unit_copy"})
_LEGACY_TEXT_KEYS: Final = (
    "title", "authors", "workplace", "solution_type", "field", "status", "summary", "effect", "note",
)
_RETYPED_TEXT_KEYS: Final = ("title", "authors", "workplace", "field", "summary", "note")


@dataclass(frozen=True, slots=True)
class NoiseMix:
    """Shares of rows (of `n_rows`) produced by each kind of noise. Defaults give ≈ 10.9 % of rows
    duplicating another row, ≈ 3.4 % hard negatives, 1 % invalid rows and 1 % `Không công nhận`,
    which is what the sector's coordinators describe for real collections (a copied row or a
    re-registration in one row of ten; legacy-encoded pastes rare but present).

    Duplicates (each row is a second registration of an existing initiative):
    - `exact_copy`: the row copied within the same tab.
    - `copy_other_tab`: copied into the unit's second tab (`Đợt 2`, invisible to the product).
    - `parent_child_copy`: a child unit's initiative registered again by its parent unit.
    - `cross_unit_copy`: the same initiative (same authors) registered by another unit.
    - `no_diacritics`: retyped without Vietnamese diacritics (title, authors, texts).
    - `tcvn3` / `vni`: pasted from an old document in the TCVN3 / VNI-Windows encoding.
    - `typo`: retyped with one or two typing mistakes in the title.
    - `author_order`: the authors listed in another order (and another separator).
    - `added_coauthor`: one more co-author listed.
    - `case_spacing`: upper/lower/title case or stray spaces.
    - `nfd`: decomposed Unicode (macOS, some web forms).
    - `tone_style`: the other tone placement (`hòa` ↔ `hoà`).

    Hard negatives (originals of their own entities, planted next to a look-alike; the share
    counts the planted rows, each paired with an existing original of the same look):
    - `numbered_sibling`: `… số 1` / `… số 2` by the same authors in the same unit.
    - `one_word_object`: objects differing by one word (`máy trộn bê tông` / `máy trộn vữa`), same
      authors.
    - `same_title_other_people`: the same title by other people in another unit (a "possible
      duplicate" to review, never to merge).
    - `common_author`: a different title sharing an author, same unit.

    `invalid`: rows with one planted validation error; `not_recognized`: status `Không công nhận`.
    """

    exact_copy: float = 0.020
    copy_other_tab: float = 0.004
    parent_child_copy: float = 0.012
    cross_unit_copy: float = 0.006
    no_diacritics: float = 0.012
    tcvn3: float = 0.004
    vni: float = 0.003
    typo: float = 0.010
    author_order: float = 0.008
    added_coauthor: float = 0.006
    case_spacing: float = 0.008
    nfd: float = 0.005
    tone_style: float = 0.006
    numbered_sibling: float = 0.012
    one_word_object: float = 0.008
    same_title_other_people: float = 0.006
    common_author: float = 0.008
    invalid: float = 0.010
    not_recognized: float = 0.010

    @classmethod
    def clean(cls) -> NoiseMix:
        """No noise at all: every row an original, valid and counted."""
        return cls(**{f.name: 0.0 for f in fields(cls)})

    def duplicate_share(self) -> float:
        return sum(getattr(self, k) for k in COPY_KINDS)

    def hard_negative_share(self) -> float:
        return sum(getattr(self, k) for k in HARD_NEGATIVE_KINDS)


@dataclass(slots=True)
class SynthData:
    """A generated collection.

    - `registry`: one row per unit — `code`, `name`, `parent` ("" for top level), `members`,
      `emails`, `sector`, `kind`, `n_rows`, and the truth: `true_participants` (distinct canonical
      names among the authors of its valid, counted initiatives, as listed on their original
      rows), `true_participants_united` (the same plus co-authors listed only on an
      `added_coauthor` duplicate — what a product that unites the authors of merged rows, like
      `sync.dedupe`, reports), `target` (⌈10 % × members⌉) and `meets_target` (on
      `true_participants`). Members are drawn so that about half the units meet the target.
    - `rows`: one row per sheet row — `row_id`, `unit_code`, `tab`, `row`, the template keys
      (`FIELD_KEYS`) with raw cell values (str, `datetime.date` for date cells, int/float for
      number cells, None for empty), and the labels `entity_id`, `noise`, `copied_from` (row_id of
      the original, -1 for originals), `hard_negative`, `hard_negative_pair`, `expected_error`,
      `expected_warning`.
    - `entities`: one row per true initiative — canonical `title` and `authors` ("; "-joined,
      NFC, old tone style, no honorifics), `unit_code` (where its original lives), `applied_on`,
      `solution_type`, `benefit_vnd` (NaN when empty or not computable), `benefit_kind`, `valid`,
      `counted`, `n_rows`.
    """

    registry: pd.DataFrame
    rows: pd.DataFrame
    entities: pd.DataFrame
    seed: int = 0
    noise: NoiseMix = field(default_factory=NoiseMix)
    meta: dict[str, Any] = field(default_factory=dict)

    def visible_rows(self) -> pd.DataFrame:
        """The rows the product reads (tab `Sáng kiến` only)."""
        return self.rows[self.rows["tab"] == UNIT_TAB]


# --------------------------------------------------------------------------------------------------
# Text helpers (generation side only; the product's normalisation lives in sync.text)
# --------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _strip_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base.isascii() and base:
            table[cp] = base
    table.update({0x0110: "D", 0x0111: "d", 0x00D0: "D", 0x00F0: "d"})
    for cp in range(0x0300, 0x0370):  # stray combining marks (NFD input)
        table[cp] = None
    return table


def strip_diacritics(text: str) -> str:
    """`Nguyễn Văn Đức` → `Nguyen Van Duc`, as a person typing without Unikey would write it."""
    return unicodedata.normalize("NFC", text).translate(_strip_table())


_TONES = "\u0300\u0301\u0303\u0309\u0323"
_END = r"(?![^\W\d_]|[\u0300-\u036f])"  # end of syllable: no letter and no mark follows
_OLD_STYLE = re.compile(rf"(?<![qQ])([oO])([{_TONES}])([aAeE]){_END}|(?<![qQ])([uU])([{_TONES}])([yY]){_END}")
_NEW_STYLE = re.compile(rf"(?<![qQ])([oO])([aAeE])([{_TONES}]){_END}|(?<![qQ])([uU])([yY])([{_TONES}]){_END}")


def _old_to_new(m: re.Match[str]) -> str:
    g = m.groups()
    return g[0] + g[2] + g[1] if g[0] else g[3] + g[5] + g[4]


def _new_to_old(m: re.Match[str]) -> str:
    g = m.groups()
    return g[0] + g[2] + g[1] if g[0] else g[3] + g[5] + g[4]


def swap_tone_style(text: str, to: str = "toggle") -> str:
    """Move tone marks between the old (`hòa`, `thủy`) and new (`hoà`, `thuỷ`) placement in open
    `oa`/`oe`/`uy` syllables. `to`: "new", "old" or "toggle" (new if the text has any old-style
    syllable, else old). Returns NFC; text without such syllables comes back unchanged."""
    nfd = unicodedata.normalize("NFD", text)
    if to == "toggle":
        to = "new" if _OLD_STYLE.search(nfd) else "old"
    out = _OLD_STYLE.sub(_old_to_new, nfd) if to == "new" else _NEW_STYLE.sub(_new_to_old, nfd)
    return unicodedata.normalize("NFC", out)


def _has_tone_style(text: str) -> bool:
    nfd = unicodedata.normalize("NFD", text)
    return bool(_OLD_STYLE.search(nfd) or _NEW_STYLE.search(nfd))


def _legacy_encode(text: str, encoding: str) -> str:
    from sync.legacy import encode  # the product's own charts; never a private copy

    return encode(text, encoding)


# Keys next to each other on a keyboard (for substitution typos).
_NEIGHBOURS: Final = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "g": "fh", "h": "gj", "i": "uo",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "a", "r": "et", "s": "ad",
    "t": "ry", "u": "yi", "v": "cb", "x": "zc", "y": "tu",
}


def _typo(text: str, u: Sequence[float]) -> str:
    """One or two typing mistakes in letters (never digits, so `số 2` stays `số 2`)."""
    out = text
    for k in range(1 + (u[0] < 0.3)):
        letters = [i for i, c in enumerate(out) if c.isalpha()]
        if len(letters) < 4:
            break
        i = letters[int(u[1 + 2 * k] * len(letters)) % len(letters)]
        op = int(u[2 + 2 * k] * 5) % 5
        c = out[i]
        if op == 0:  # dropped letter
            out = out[:i] + out[i + 1:]
        elif op == 1:  # doubled letter
            out = out[:i] + c + out[i:]
        elif op == 2 and i + 1 < len(out) and out[i + 1].isalpha():  # swapped letters
            out = out[:i] + out[i + 1] + c + out[i + 2:]
        elif op == 3 and strip_diacritics(c) != c:  # lost diacritic
            out = out[:i] + strip_diacritics(c) + out[i + 1:]
        else:  # neighbouring key
            base = strip_diacritics(c).lower()
            repl = _NEIGHBOURS.get(base, "a")[0]
            out = out[:i] + (repl.upper() if c.isupper() else repl) + out[i + 1:]
    if out == text:
        out = text[:-1] if len(text) > 12 else text + text[-1]
    return out


def _case_spacing(text: str, u: float) -> str:
    """Case or spacing changes a person makes without changing a word."""
    v = int(u * 6) % 6
    if v == 0:
        return text.upper()
    if v == 1:
        return text.lower()
    if v == 2:
        return text.title()
    words = text.split(" ")
    if v == 3 and len(words) > 2:  # double spaces between some words
        return "  ".join(words[:2]) + " " + "  ".join(words[2:])
    if v == 4:
        return "  " + text + " "
    return text.replace(" ", "  ", 2) + "  "


# --------------------------------------------------------------------------------------------------
# Vocabulary as numpy tables (global indexes with per-family offsets)
# --------------------------------------------------------------------------------------------------


def _weights(pairs: Sequence[tuple[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    names = np.array([p[0] for p in pairs], dtype=object)
    w = np.array([p[1] for p in pairs], dtype=float)
    return names, w / w.sum()


def _split_template(template: str) -> tuple[str, str, int]:
    """`'Giảm {p}% thời gian'` → (`'Giảm '`, `'% thời gian'`, placeholder code 1)."""
    for code, ph in ((1, "{p}"), (2, "{d}"), (3, "{obj}")):
        if ph in template:
            pre, suf = template.split(ph, 1)
            return pre, suf, code
    return template, "", 0


class _Tables:
    """Vocabulary flattened into numpy arrays, built once per process."""

    def __init__(self) -> None:
        fams = vocab.FAMILIES
        self.families = fams
        self.fam_names = np.array([f.name for f in fams], dtype=object)
        self.fam_type = np.array([f.solution_type for f in fams], dtype=object)

        def flat(parts: list[Sequence[Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            lens = np.array([len(p) for p in parts], dtype=np.int64)
            offs = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
            items = [x for p in parts for x in p]
            arr = np.empty(len(items), dtype=object)
            arr[:] = items
            return arr, offs, lens

        self.act, self.act_off, self.act_len = flat([f.actions for f in fams])
        objs, self.obj_off, self.obj_len = flat([f.objects for f in fams])
        self.obj = np.array([o.text for o in objs], dtype=object)
        self.obj_numbered = np.array([o.numbered for o in objs], dtype=bool)
        self.place, self.place_off, self.place_len = flat([f.places for f in fams])
        self.purp, self.purp_off, self.purp_len = flat([f.purposes for f in fams])
        self.place_sp = np.array([" " + x for x in self.place], dtype=object)
        self.purp_sp = np.array([" " + x for x in self.purp], dtype=object)
        self.num_sp = np.array([""] + [f" số {k}" for k in range(1, vocab.MAX_NUMBER + 2)],
                               dtype=object)
        self.fld, self.fld_off, self.fld_len = flat([f.fields for f in fams])
        summ, self.sum_off, self.sum_len = flat([f.summaries for f in fams])
        split = [_split_template(t) for t in summ]
        self.sum_pre = np.array([s[0] for s in split], dtype=object)
        self.sum_suf = np.array([s[1] for s in split], dtype=object)
        eff, self.eff_off, self.eff_len = flat([f.effects for f in fams])
        split = [_split_template(t) for t in eff]
        self.eff_pre = np.array([s[0] for s in split], dtype=object)
        self.eff_suf = np.array([s[1] for s in split], dtype=object)
        self.eff_code = np.array([s[2] for s in split], dtype=np.int64)
        # Numbered objects per family, and one-word pairs as global object indexes.
        self.numbered_by_fam = [
            np.flatnonzero(self.obj_numbered[o:o + n]) + o
            for o, n in zip(self.obj_off, self.obj_len, strict=True)
        ]
        pair_of: dict[int, int] = {}
        for fi, (o, n) in enumerate(zip(self.obj_off, self.obj_len, strict=True)):
            texts = {t: o + i for i, t in enumerate(self.obj[o:o + n])}
            for a, b in vocab.ONE_WORD_PAIRS:
                if a in texts and b in texts:
                    pair_of[texts[a]] = texts[b]
                    pair_of[texts[b]] = texts[a]
            del fi
        self.pair_of = pair_of
        self.pair_objs_by_fam = [
            np.array(sorted(i for i in pair_of if o <= i < o + n), dtype=np.int64)
            for o, n in zip(self.obj_off, self.obj_len, strict=True)
        ]
        # Family choice per unit kind.
        self.kind_index = {k: i for i, k in enumerate(vocab.UNIT_KINDS)}
        kp = np.zeros((len(vocab.UNIT_KINDS), len(fams)))
        for fi, f in enumerate(fams):
            for kind, w in f.kinds.items():
                kp[self.kind_index[kind], fi] = w
        self.kind_fam_p = kp / kp.sum(axis=1, keepdims=True)
        wl, self.wp_off, self.wp_len = flat([vocab.WORKPLACES[k] for k in vocab.UNIT_KINDS])
        self.workplace = wl
        # People.
        self.surname, self.surname_p = _weights(vocab.SURNAMES)
        mm, mm_p = _weights(vocab.MIDDLE_MALE)
        mf, mf_p = _weights(vocab.MIDDLE_FEMALE)
        gm, gm_p = _weights(vocab.GIVEN_MALE)
        gf, gf_p = _weights(vocab.GIVEN_FEMALE)
        self.middle = np.concatenate([mm, mf])
        self.middle_p = (mm_p, mf_p)
        self.n_mm = len(mm)
        self.given = np.concatenate([gm, gf])
        self.given_p = (gm_p, gf_p)
        self.n_gm = len(gm)
        self.middle_new = np.array([swap_tone_style(s, "new") for s in self.middle], dtype=object)
        self.given_new = np.array([swap_tone_style(s, "new") for s in self.given], dtype=object)
        self.honorific = np.array(vocab.HONORIFICS, dtype=object)
        # Spellings.
        self.type_alias = {k: np.array(v, dtype=object)
                           for k, v in vocab.SOLUTION_TYPE_SPELLINGS.items()}
        self.status_alias = {k: np.array(v, dtype=object) for k, v in vocab.STATUS_SPELLINGS.items()}


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    return _Tables()


def _pick(rng: np.random.Generator, off: np.ndarray, length: np.ndarray) -> np.ndarray:
    """One uniform index per row into a per-row slice [off, off + length)."""
    return off + (rng.random(len(off)) * length).astype(np.int64)


def _cat(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise string concatenation of object arrays (and scalars)."""
    out: Any = parts[0]
    for p in parts[1:]:
        out = out + p
    return np.asarray(out, dtype=object)


def _int_str(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).astype(str).to_numpy(dtype=object)


# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------


def _unit_kind(name: str) -> str:
    for word, kind in vocab.UNIT_KIND_WORDS:
        if word in name:
            return kind
    return "construction"


def _grassroots_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct grassroots union names: real-sounding series first, then combinations."""
    series = [f"Công đoàn {base} {k}" for base, lo, hi in vocab.COMPANY_SERIES
              for k in range(lo, hi + 1)]
    combos = [f"Công đoàn {form} {trade} {loc}" for form in vocab.COMPANY_FORMS
              for trade in vocab.COMPANY_TRADES for loc in vocab.LOCALITIES]
    direct = [vocab.DIRECT_NAMES[i] for i in rng.permutation(len(vocab.DIRECT_NAMES))]
    series = [series[i] for i in rng.permutation(len(series))]
    combos = [combos[i] for i in rng.permutation(len(combos))]
    # Mostly enterprises, one in four a school, institute or office; the recognisable series
    # names first so that small collections look like the sector.
    names: list[str] = []
    queues = (series, series, direct, combos)
    pos = [0, 0, 0, 0]
    k = 0
    while len(names) < n and k < 4 * (len(series) + len(direct) + len(combos)):
        q = k % 4
        src = queues[q]
        i = pos[1] if q in (0, 1) else pos[q]
        if i < len(src):
            names.append(src[i])
            pos[1 if q in (0, 1) else q] = i + 1
        elif q in (0, 1) and pos[3] < len(combos):  # series exhausted: more combinations
            names.append(combos[pos[3]])
            pos[3] += 1
        k += 1
    names = list(dict.fromkeys(names))
    k = 2
    while len(names) < n:  # beyond ~6,900 units: branches
        names += [f"{nm} – Chi nhánh {k}" for nm in combos[: n - len(names)]]
        k += 1
    return names[:n]


def _make_registry(rng: np.random.Generator, n_units: int) -> pd.DataFrame:
    n_parents = 0 if n_units < 4 else max(1, round(n_units * 0.05))
    parent_names = list(vocab.PARENT_NAMES)
    k = 0
    while len(parent_names) < n_parents:
        parent_names.append(f"Công đoàn Tổng công ty Xây dựng {vocab.LOCALITIES[k % 43]}"
                            + ("" if k < 43 else f" {k // 43 + 1}"))
        k += 1
    names = parent_names[:n_parents] + _grassroots_names(rng, n_units - n_parents)
    width = max(2, len(str(n_units)))
    codes = [f"XD{i + 1:0{width}d}" for i in range(n_units)]
    parent = np.full(n_units, "", dtype=object)
    if n_parents:
        has_parent = rng.random(n_units - n_parents) < 0.8
        which = rng.integers(0, n_parents, n_units - n_parents)
        parent[n_parents:] = np.where(has_parent, np.array(codes, dtype=object)[which], "")
    kinds = [_unit_kind(nm) for nm in names]
    second = rng.random(n_units) < 0.2
    emails = [f"tohotro.{c.lower()}@example.org" + (f"; congdoan.{c.lower()}@example.com"
                                                   if s else "")
              for c, s in zip(codes, second, strict=True)]
    return pd.DataFrame({
        "code": codes, "name": names, "parent": parent, "emails": emails,
        "sector": [vocab.SECTOR_OF_KIND[k] for k in kinds], "kind": kinds,
        "is_parent": np.arange(n_units) < n_parents,
    })


# --------------------------------------------------------------------------------------------------
# Raw value formatting (how units type dates, money, yes/no, types and statuses)
# --------------------------------------------------------------------------------------------------


def _format_dates(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Applied dates as typed: mostly date cells, else text in the usual shapes or serials."""
    n = len(days)
    out = np.empty(n, dtype=object)
    d64 = np.datetime64(PROGRAM_START) + days.astype("timedelta64[D]")
    fmt = rng.choice(7, n, p=[0.70, 0.09, 0.04, 0.04, 0.04, 0.04, 0.05])
    cells = fmt == 0
    out[cells] = d64[cells].astype("datetime64[D]").astype(object)
    serial = fmt == 6
    out[serial] = (days[serial] + (PROGRAM_START - EXCEL_EPOCH).days).astype(object)
    text = np.flatnonzero(~cells & ~serial)
    if len(text):
        idx = pd.DatetimeIndex(d64[text])
        ys, ms, ds = idx.year.to_numpy(), idx.month.to_numpy(), idx.day.to_numpy()
        fs = fmt[text]
        out[text] = [
            f"{d:02d}/{m:02d}/{y}" if f == 1 else
            f"{d}/{m}/{y % 100:02d}" if f == 2 else
            f"{y}-{m:02d}-{d:02d}" if f == 3 else
            f"ngày {d:02d} tháng {m:02d} năm {y}" if f == 4 and m <= 2 else
            f"ngày {d:02d} tháng {m} năm {y}" if f == 4 else
            f"{d}/{m}/{y}"
            for y, m, d, f in zip(ys.tolist(), ms.tolist(), ds.tolist(), fs.tolist(), strict=True)
        ]
    return out


def _vn_thousands(v: int) -> str:
    return f"{v:,}".replace(",", ".")


def _vn_decimal(x: float) -> str:
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def _money_text(v: int, f: int) -> int | str:
    """One benefit as a unit would type it; `f` picks the shape, falling back when the value does
    not fit it exactly (so the typed text always means exactly `v`)."""
    if f == 0:
        return v
    if f == 4 and v >= 1_000_000 and v % 100_000 == 0:
        return f"{_vn_decimal(v / 1e6)} triệu"
    if f == 5 and v >= 1_000_000 and v % 1_000_000 == 0:
        return f"{v // 1_000_000}tr"
    if f == 6 and v >= 1_000_000_000 and v % 100_000_000 == 0:
        return f"{_vn_decimal(v / 1e9)} tỷ"
    if f == 7 and v < 1_000_000 and v % 1_000 == 0:
        return f"{v // 1000}k" if (v // 10_000) % 2 else f"{v // 1000} nghìn"
    if f == 2:
        return f"{_vn_thousands(v)} đ"
    if f == 3:
        return f"{_vn_thousands(v)} VNĐ/năm"
    return _vn_thousands(v)


_NOT_COMPUTABLE_SPELLINGS: Final = np.array(
    ["không tính được"] * 7 + ["Không tính được", "không xác định", "chưa tính được"], dtype=object
)


def _format_benefits(rng: np.random.Generator, kind: np.ndarray, value: np.ndarray) -> np.ndarray:
    n = len(kind)
    out = np.full(n, None, dtype=object)
    nc = kind == 1
    out[nc] = _NOT_COMPUTABLE_SPELLINGS[rng.integers(0, len(_NOT_COMPUTABLE_SPELLINGS), nc.sum())]
    has = np.flatnonzero(kind == 0)
    fmt = rng.choice(8, len(has), p=[0.42, 0.12, 0.10, 0.04, 0.14, 0.06, 0.06, 0.06])
    big = (value[has] >= 1_000_000_000) & (rng.random(len(has)) < 0.4)
    fmt[big] = 6  # billions are mostly written in tỷ
    out[has] = [_money_text(int(v), int(f))
                for v, f in zip(value[has].tolist(), fmt.tolist(), strict=True)]
    return out


_YES: Final = np.array(["x", "x", "x", "X", "X", "có", "có", "Có", "✓", 1], dtype=object)


def _format_social(rng: np.random.Generator, yes: np.ndarray) -> np.ndarray:
    n = len(yes)
    out = np.full(n, None, dtype=object)
    out[yes] = _YES[rng.integers(0, len(_YES), yes.sum())]
    no_word = ~yes & (rng.random(n) < 0.05)
    out[no_word] = "không"
    return out


def _format_enum(rng: np.random.Generator, canon: np.ndarray, aliases: dict[str, np.ndarray],
                 alias_share: float, empty_value: str | None = None,
                 empty_share: float = 0.0) -> np.ndarray:
    out = canon.copy()
    u = rng.random(len(canon))
    for key, al in aliases.items():
        sel = np.flatnonzero((canon == key) & (u < alias_share))
        out[sel] = al[rng.integers(0, len(al), len(sel))]
    if empty_value is not None:
        out[(canon == empty_value) & (rng.random(len(canon)) < empty_share)] = None
    return out


# --------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------


@dataclass
class _Parts:
    """Title parts per entity (global vocabulary indexes; place -1 none, -2 the unit itself)."""

    fam: np.ndarray
    act: np.ndarray
    obj: np.ndarray
    num: np.ndarray
    place: np.ndarray
    purp: np.ndarray

    def take(self, idx: np.ndarray) -> _Parts:
        return _Parts(*(getattr(self, f.name)[idx].copy() for f in fields(self)))

    def concat(self, other: _Parts) -> _Parts:
        return _Parts(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                        for f in fields(self)))


def _draw_parts(rng: np.random.Generator, t: _Tables, fam: np.ndarray) -> _Parts:
    n = len(fam)
    obj = _pick(rng, t.obj_off[fam], t.obj_len[fam])
    num = np.where(t.obj_numbered[obj] & (rng.random(n) < vocab.NUMBER_SHARE),
                   rng.integers(1, vocab.MAX_NUMBER + 1, n), 0)
    u = rng.random(n)
    place = np.where(u < vocab.PLACE_SHARE, _pick(rng, t.place_off[fam], t.place_len[fam]),
                     np.where(u < vocab.PLACE_SHARE + vocab.UNIT_PLACE_SHARE, -2, -1))
    purp = np.where(rng.random(n) < vocab.PURPOSE_SHARE,
                    _pick(rng, t.purp_off[fam], t.purp_len[fam]), -1)
    return _Parts(fam.copy(), _pick(rng, t.act_off[fam], t.act_len[fam]), obj, num, place, purp)


def _titles(t: _Tables, p: _Parts, unit_place: np.ndarray) -> np.ndarray:
    """Assemble titles; `unit_place` is " tại <unit>" per entity (used where place == -2). Parts
    are shared strings and each title is joined once (no column-wide temporaries)."""
    num = t.num_sp[p.num]
    place = np.where(p.place >= 0, t.place_sp[np.maximum(p.place, 0)],
                     np.where(p.place == -2, unit_place, ""))
    purp = np.where(p.purp >= 0, t.purp_sp[np.maximum(p.purp, 0)], "")
    out = np.empty(len(p.fam), dtype=object)
    out[:] = [f"{a} {o}{n}{pl}{pu}" for a, o, n, pl, pu in zip(
        t.act[p.act].tolist(), t.obj[p.obj].tolist(), num.tolist(), place.tolist(), purp.tolist(),
        strict=True)]
    return out


def _counts(n: int, mix: NoiseMix) -> dict[str, int]:
    return {f.name: round(getattr(mix, f.name) * n) for f in fields(mix)}


def generate(n_rows: int, n_units: int, seed: int = 0, noise: NoiseMix | None = None) -> SynthData:
    """Generate `n_rows` labelled sheet rows spread over `n_units` units (see the module docstring
    for the labels). Deterministic for a given (n_rows, n_units, seed, noise) and numpy version."""
    if n_rows < 1 or n_units < 1:
        raise ValueError("n_rows and n_units must be positive")
    mix = noise or NoiseMix()
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    t = _tables()
    counts = _counts(n_rows, mix)
    # Kinds the configuration cannot have (no parents below 4 units, no other unit below 2) are
    # dropped up front, so their rows become originals and the row count stays exact.
    if n_units < 4:
        counts["parent_child_copy"] = 0
    if n_units < 2:
        counts["cross_unit_copy"] = counts["same_title_other_people"] = 0
    n_copies = sum(counts[k] for k in COPY_KINDS)
    n_hn = sum(counts[k] for k in HARD_NEGATIVE_KINDS)
    if n_copies + 2 * n_hn > 0.6 * n_rows:
        raise ValueError("noise shares too high for this many rows")

    # ---- units ----------------------------------------------------------------------------------
    reg = _make_registry(rng, n_units)
    U = n_units
    unit_kind_idx = np.array([t.kind_index[k] for k in reg["kind"]], dtype=np.int64)
    parent_idx = np.array([-1 if p == "" else int(reg.index[reg["code"] == p][0])
                           for p in reg["parent"]], dtype=np.int64)
    w = rng.lognormal(0.0, 0.7, U) * np.where(reg["is_parent"].to_numpy(), 0.3, 1.0)
    w /= w.sum()
    short = np.array([nm.removeprefix("Công đoàn ") for nm in reg["name"]], dtype=object)
    unit_place_by_unit = _cat(" tại ", short)

    # ---- base entities --------------------------------------------------------------------------
    n_base = n_rows - n_copies - n_hn
    unit = np.sort(rng.choice(U, n_base, p=w))
    fam = np.empty(n_base, dtype=np.int64)
    kind_of = unit_kind_idx[unit]
    for ki in np.unique(kind_of):
        sel = np.flatnonzero(kind_of == ki)
        fam[sel] = rng.choice(len(t.families), len(sel), p=t.kind_fam_p[ki])
    parts = _draw_parts(rng, t, fam)

    # ---- people ---------------------------------------------------------------------------------
    per_unit = np.bincount(unit, minlength=U)
    pool = np.ceil(per_unit * 1.3).astype(np.int64) + 3
    p_off = np.concatenate([[0], np.cumsum(pool)[:-1]]).astype(np.int64)
    P = int(pool.sum())
    male = rng.random(P) < vocab.MALE_SHARE
    sur = rng.choice(len(t.surname), P, p=t.surname_p)
    mid = np.where(male, rng.choice(t.n_mm, P, p=t.middle_p[0]),
                   t.n_mm + rng.choice(len(t.middle) - t.n_mm, P, p=t.middle_p[1]))
    giv = np.where(male, rng.choice(t.n_gm, P, p=t.given_p[0]),
                   t.n_gm + rng.choice(len(t.given) - t.n_gm, P, p=t.given_p[1]))
    canon = _cat(t.surname[sur], " ", t.middle[mid], " ", t.given[giv])
    new_style = rng.random(P) < 0.3
    display = np.where(new_style, _cat(t.surname[sur], " ", t.middle_new[mid], " ", t.given_new[giv]),
                       canon)
    hon = rng.random(P) < 0.02
    display[hon] = _cat(t.honorific[rng.integers(0, len(t.honorific), hon.sum())], " ", display[hon])

    def draw_authors(units: np.ndarray) -> np.ndarray:
        n = len(units)
        k = rng.choice(np.arange(1, MAX_AUTHORS + 1), n, p=[0.42, 0.30, 0.16, 0.08, 0.04])
        a = p_off[units][:, None] + (rng.random((n, MAX_AUTHORS)) * pool[units][:, None]).astype(
            np.int64)
        a[np.arange(MAX_AUTHORS)[None, :] >= k[:, None]] = -1
        return a

    authors = draw_authors(unit)

    # ---- hard negatives -------------------------------------------------------------------------
    used = np.zeros(n_base, dtype=bool)
    hn_base: list[np.ndarray] = []
    hn_kind_list: list[str] = []
    sib_unit: list[np.ndarray] = []
    sib_parts: list[_Parts] = []
    sib_authors: list[np.ndarray] = []

    def choose(cands: np.ndarray, k: int) -> np.ndarray:
        cands = cands[~used[cands]]
        k = min(k, len(cands))
        pick = np.sort(rng.choice(cands, k, replace=False)) if k else cands[:0]
        used[pick] = True
        return pick

    numbered_fams = np.array([len(x) > 0 for x in t.numbered_by_fam])
    b = choose(np.flatnonzero(numbered_fams[parts.fam]), counts["numbered_sibling"])
    if len(b):
        for i in b:  # force a numbered object and a number that has a successor
            choices = t.numbered_by_fam[parts.fam[i]]
            if not t.obj_numbered[parts.obj[i]]:
                parts.obj[i] = choices[rng.integers(0, len(choices))]
        parts.num[b] = rng.integers(1, vocab.MAX_NUMBER, len(b))
        sp = parts.take(b)
        sp.num = parts.num[b] + 1
        hn_base.append(b)
        hn_kind_list += ["numbered_sibling"] * len(b)
        sib_unit.append(unit[b])
        sib_parts.append(sp)
        sib_authors.append(authors[b].copy())
    pair_fams = np.array([len(x) > 0 for x in t.pair_objs_by_fam])
    b = choose(np.flatnonzero(pair_fams[parts.fam]), counts["one_word_object"])
    if len(b):
        for i in b:
            choices = t.pair_objs_by_fam[parts.fam[i]]
            if parts.obj[i] not in t.pair_of:
                parts.obj[i] = choices[rng.integers(0, len(choices))]
                if not t.obj_numbered[parts.obj[i]]:
                    parts.num[i] = 0
        sp = parts.take(b)
        sp.obj = np.array([t.pair_of[o] for o in parts.obj[b]], dtype=np.int64)
        sp.num = np.where(t.obj_numbered[sp.obj], sp.num, 0)
        hn_base.append(b)
        hn_kind_list += ["one_word_object"] * len(b)
        sib_unit.append(unit[b])
        sib_parts.append(sp)
        sib_authors.append(authors[b].copy())
    if U >= 2:
        b = choose(np.arange(n_base), counts["same_title_other_people"])
        if len(b):
            parts.place[b] = np.where(parts.place[b] == -2, -1, parts.place[b])
            other = rng.integers(0, U - 1, len(b))
            other = other + (other >= unit[b])
            hn_base.append(b)
            hn_kind_list += ["same_title_other_people"] * len(b)
            sib_unit.append(other)
            sib_parts.append(parts.take(b))
            sib_authors.append(draw_authors(other))
    b = choose(np.arange(n_base), counts["common_author"])
    if len(b):
        sa = draw_authors(unit[b])
        sa[:, 0] = authors[b, 0]
        sa[:, 1:][sa[:, 1:] == authors[b, 0][:, None]] = -1
        hn_base.append(b)
        hn_kind_list += ["common_author"] * len(b)
        sib_unit.append(unit[b])
        sib_parts.append(_draw_parts(rng, t, parts.fam[b]))
        sib_authors.append(sa)

    base_idx = np.concatenate(hn_base) if hn_base else np.zeros(0, np.int64)
    n_sib = len(base_idx)
    E = n_base + n_sib
    hn_kind = np.full(E, "", dtype=object)
    hn_pair = np.full(E, -1, dtype=np.int64)
    if n_sib:
        sib_ids = np.arange(n_base, E)
        kinds_arr = np.array(hn_kind_list, dtype=object)
        hn_kind[base_idx] = kinds_arr
        hn_kind[sib_ids] = kinds_arr
        hn_pair[base_idx] = sib_ids
        hn_pair[sib_ids] = base_idx
        unit = np.concatenate([unit, *sib_unit])
        for sp in sib_parts:
            parts = parts.concat(sp)
        authors = np.concatenate([authors, *sib_authors])
    # A same-title pair must not share an author even by name (`Nguyễn Văn Hùng` lives in many
    # units): SPEC §5 would merge them, and the point of the pair is that it must not merge.
    sto_sib = np.flatnonzero((hn_kind == "same_title_other_people") & (np.arange(E) >= n_base))
    for _ in range(20):
        if not len(sto_sib):
            break
        conflict = np.array([
            bool(_folded_names(canon, authors[i]) & _folded_names(canon, authors[hn_pair[i]]))
            for i in sto_sib.tolist()], dtype=bool)
        sto_sib = sto_sib[conflict]
        if len(sto_sib):
            authors[sto_sib] = draw_authors(unit[sto_sib])
    if len(sto_sib):  # still clashing after 20 draws: keep only the first author, re-drawn
        authors[sto_sib, 1:] = -1

    # Relation: numbered/one-word/same-title pairs re-draw their free parts together.
    rel = np.arange(E)
    tied = np.isin(hn_kind, ["numbered_sibling", "one_word_object", "same_title_other_people"])
    rel[tied] = np.minimum(np.arange(E), hn_pair)[tied]
    title_group = np.arange(E)  # same-title pairs may share a title; nobody else may
    sto = hn_kind == "same_title_other_people"
    title_group[sto] = rel[sto]

    # ---- titles without accidental repeats ------------------------------------------------------
    # Two different initiatives never share a title by accident (only same-title pairs do, on
    # purpose): clashing entities re-draw their free parts until every title has one owner.
    unit_place = unit_place_by_unit[unit]
    titles = _titles(t, parts, unit_place)
    owner: dict[str, int] = {}
    pending = np.flatnonzero(np.fromiter(
        (owner.setdefault(ti, g) != g for ti, g in zip(titles.tolist(), title_group.tolist(),
                                                        strict=True)), dtype=bool, count=E))
    for _ in range(500):
        if not len(pending):
            break
        rels = np.unique(rel[pending])
        fresh = _draw_parts(rng, t, parts.fam[rels])
        members = np.flatnonzero(np.isin(rel, rels))
        pos = np.searchsorted(rels, rel[members])
        parts.act[members] = fresh.act[pos]
        parts.place[members] = np.where(sto[members] & (fresh.place[pos] == -2), -1,
                                        fresh.place[pos])
        parts.purp[members] = fresh.purp[pos]
        lone = ~tied[members]  # unrelated entities may also change their object
        parts.obj[members[lone]] = fresh.obj[pos[lone]]
        parts.num[members[lone]] = fresh.num[pos[lone]]
        new = _titles(t, parts.take(members), unit_place[members])
        titles[members] = new
        ok = np.empty(len(members), dtype=bool)
        for j, (ti, g) in enumerate(zip(new.tolist(), title_group[members].tolist(), strict=True)):
            o = owner.setdefault(ti, g)
            ok[j] = o == g
        pending = members[~ok]
    else:
        raise RuntimeError("could not make distinct titles; use more units or fewer rows per unit")
    del owner
    # A quarter of the units' typists use the new tone placement ("hoá", "thuỷ").
    restyle = np.flatnonzero((rng.random(E) < 0.25)[title_group])  # same-title pairs alike
    titles[restyle] = [swap_tone_style(x, "new") for x in titles[restyle].tolist()]

    # ---- entity attributes ----------------------------------------------------------------------
    fam = parts.fam
    days = np.minimum((rng.beta(2.2, 2.0, E) * PROGRAM_DAYS).astype(np.int64), PROGRAM_DAYS - 1)
    sol_type = t.fam_type[fam]
    fam_name = t.fam_names[fam]
    nc_share = np.select(
        [np.isin(fam_name, ["safety", "teaching"]), np.isin(fam_name, ["process_office", "it"]),
         fam_name == "research"], [0.7, 0.45, 0.4], 0.15)
    u = rng.random(E)
    benefit_kind = np.where(u < nc_share, 1, np.where(u < nc_share + 0.1, 2, 0))
    raw_v = rng.lognormal(math.log(3.0e7), 1.4, E)
    raw_v = np.clip(raw_v, 1e5, 5e10)
    step = np.select([raw_v >= 1e9, raw_v >= 1e8, raw_v >= 1e6], [1e8, 1e6, 1e5], 1e4)
    benefit_value = (np.round(raw_v / step) * step).astype(np.int64)
    social_yes = rng.random(E) < 0.25
    status_canon = np.array(["Đã đăng ký", "Đã công nhận", "Được khen thưởng"], dtype=object)[
        rng.choice(3, E, p=[0.55, 0.33, 0.12])]

    # ---- choose the sources of duplicates (before blanking optional cells) ----------------------
    plain = np.flatnonzero(hn_kind == "")
    taken = np.zeros(E, dtype=bool)
    n_auth = (authors >= 0).sum(axis=1)
    has_parent = parent_idx[unit] >= 0
    tone_ok = np.zeros(E, dtype=bool)
    src_by_kind: dict[str, np.ndarray] = {}

    def take_sources(cands: np.ndarray, k: int) -> np.ndarray:
        cands = cands[~taken[cands]]
        k = min(k, len(cands))
        pick = rng.choice(cands, k, replace=False) if k else cands[:0]
        taken[pick] = True
        return pick

    if counts["tone_style"]:  # checking every title is slow: look at shuffled slices until enough
        shuffled = plain[rng.permutation(len(plain))]
        step = max(8 * counts["tone_style"], 500)
        for lo in range(0, len(shuffled), step):
            sample = shuffled[lo:lo + step]
            tone_ok[sample] = [_has_tone_style(x) for x in titles[sample]]
            if tone_ok.sum() >= 1.5 * counts["tone_style"]:
                break
    order = ["parent_child_copy", "author_order", "tone_style"] + [
        k for k in COPY_KINDS if k not in ("parent_child_copy", "author_order", "tone_style")]
    for kind in order:
        cands = plain
        if kind == "parent_child_copy":
            cands = plain[has_parent[plain]]
        elif kind == "author_order":
            cands = plain[n_auth[plain] >= 2]
        elif kind == "tone_style":
            cands = plain[tone_ok[plain]]
        src_by_kind[kind] = take_sources(cands, counts[kind])

    # Optional cells: empty in a share of rows, but always present on originals that get a
    # less complete duplicate (the original must win "most complete").
    keep_full = taken
    t_ = t
    workplace = t_.workplace[_pick(rng, t_.wp_off[unit_kind_idx[unit]], t_.wp_len[unit_kind_idx[unit]])]
    workplace[(rng.random(E) < 0.2) & ~keep_full] = None
    field_v = t_.fld[_pick(rng, t_.fld_off[fam], t_.fld_len[fam])]
    field_v[(rng.random(E) < 0.15) & ~keep_full] = None
    # Summaries and effects come from a few thousand (template, object/number) combinations:
    # build each combination once and share the string objects (hundreds of MB at 1M rows).
    s_idx = _pick(rng, t_.sum_off[fam], t_.sum_len[fam])
    n_obj = len(t_.obj)
    uk, inv = np.unique(s_idx * n_obj + parts.obj, return_inverse=True)
    summary = _cat(t_.sum_pre[uk // n_obj], t_.obj[uk % n_obj], t_.sum_suf[uk // n_obj])[inv]
    summary[(rng.random(E) < 0.3) & ~keep_full] = None
    e_idx = _pick(rng, t_.eff_off[fam], t_.eff_len[fam])
    code = t_.eff_code[e_idx]
    num = np.where(code == 2, rng.integers(2, 31, E), np.where(code == 1,
                                                               rng.integers(1, 10, E) * 5, 0))
    uk, inv = np.unique(e_idx * 100 + num, return_inverse=True)
    ue, un = uk // 100, uk % 100
    effect = np.where(t_.eff_code[ue] == 0, t_.eff_pre[ue],
                      _cat(t_.eff_pre[ue], _int_str(un), t_.eff_suf[ue])).astype(object)[inv]
    effect[(rng.random(E) < 0.25) & ~keep_full] = None
    note = np.array(vocab.NOTES, dtype=object)[rng.integers(0, len(vocab.NOTES), E)]
    note[rng.random(E) >= 0.12] = None

    # ---- authors as typed -----------------------------------------------------------------------
    seps = rng.choice(6, E, p=[0.60, 0.15, 0.12, 0.07, 0.03, 0.03])
    disp_l = display.tolist()
    canon_l = canon.tolist()
    a_l = authors.tolist()
    authors_raw = np.empty(E, dtype=object)
    authors_canon = np.empty(E, dtype=object)
    author_ids: list[list[int]] = []
    for i, (row, sp) in enumerate(zip(a_l, seps.tolist(), strict=True)):
        ids = list(dict.fromkeys(p for p in row if p >= 0))
        author_ids.append(ids)
        names = [disp_l[p] for p in ids]
        authors_canon[i] = "; ".join(canon_l[p] for p in ids)
        authors_raw[i] = _join_names(names, sp)
    del a_l

    # ---- original rows --------------------------------------------------------------------------
    cols: dict[str, np.ndarray] = {
        "title": titles.copy(),
        "authors": authors_raw,
        "workplace": workplace,
        "solution_type": _format_enum(rng, sol_type, t.type_alias, 0.25),
        "field": field_v,
        "applied_on": _format_dates(rng, days),
        "status": _format_enum(rng, status_canon, t.status_alias, 0.15, "Đã đăng ký", 0.5),
        "summary": summary,
        "effect": effect,
        "benefit": _format_benefits(rng, benefit_kind, benefit_value),
        "social": _format_social(rng, social_yes),
        "note": note,
    }
    expected_error = np.full(E, "", dtype=object)
    expected_warning = np.full(E, "", dtype=object)
    valid = np.ones(E, dtype=bool)
    counted = np.ones(E, dtype=bool)

    # Validation mistakes and "Không công nhận" on entities with no duplicate and no partner.
    singles = np.flatnonzero((hn_kind == "") & ~taken)
    bad = take_sources(singles, counts["invalid"])
    _plant_errors(rng, cols, bad, expected_error)
    valid[bad] = False
    counted[bad] = False
    nr = take_sources(singles, counts["not_recognized"])
    cols["status"][nr] = np.where(rng.random(len(nr)) < 0.8, catalog.STATUS_NOT_RECOGNIZED,
                                  "không công nhận")
    expected_warning[nr] = "not_recognized"
    counted[nr] = False

    # ---- duplicates -----------------------------------------------------------------------------
    added_people: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    copy_cols: dict[str, list[np.ndarray]] = {k: [] for k in FIELD_KEYS}
    copy_unit: list[np.ndarray] = []
    copy_tab: list[np.ndarray] = []
    copy_src: list[np.ndarray] = []
    copy_kind: list[np.ndarray] = []
    for kind in COPY_KINDS:
        src = src_by_kind[kind]
        if not len(src):
            continue
        c = {k: cols[k][src].copy() for k in FIELD_KEYS}
        dest = unit[src].copy()
        tab = np.full(len(src), UNIT_TAB, dtype=object)
        if kind == "copy_other_tab":
            tab[:] = OTHER_TAB
        elif kind == "parent_child_copy":
            dest = parent_idx[unit[src]]
        elif kind == "cross_unit_copy":
            dest = _other_units(rng, unit[src], parent_idx, U)
        if kind not in _IDENTICAL_KINDS:
            c["effect"][:] = None  # less complete than the original
        if kind not in _IDENTICAL_KINDS and kind not in _OTHER_UNIT_KINDS:
            retyped = rng.random(len(src)) < 0.5  # typed again: maybe another date/money shape
            ri = np.flatnonzero(retyped)
            c["applied_on"][ri] = _format_dates(rng, days[src[ri]])
            c["benefit"][ri] = _format_benefits(rng, benefit_kind[src[ri]],
                                                benefit_value[src[ri]])
        extra = _apply_noise(rng, kind, c, src, author_ids, disp_l, p_off, pool, unit, seps)
        if extra is not None:
            added_people = (src, extra)
        for k in FIELD_KEYS:
            copy_cols[k].append(c[k])
        copy_unit.append(dest)
        copy_tab.append(tab)
        copy_src.append(src)
        copy_kind.append(np.full(len(src), kind, dtype=object))

    # ---- assemble -------------------------------------------------------------------------------
    # Columns are built directly in sheet order, and each intermediate is dropped as soon as it is
    # used: a million rows of Python strings are big, copies of them are what costs memory.
    src_all = np.concatenate(copy_src) if copy_src else np.zeros(0, np.int64)
    C = len(src_all)
    N = E + C
    unit_all = np.concatenate([unit, *copy_unit])
    tab_all = np.concatenate([np.full(E, UNIT_TAB, dtype=object), *copy_tab])
    # Sheet rows: a random order inside each (unit, tab); originals are rows too.
    key = unit_all * 2 + (tab_all != UNIT_TAB)
    order = np.lexsort((rng.random(N), key))
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    rank = np.arange(N) - np.repeat(starts, np.diff(np.r_[starts, N]))
    codes = reg["code"].to_numpy(dtype=object)
    ent = np.concatenate([np.arange(E), src_all])

    def obj(values: np.ndarray) -> pd.Series:
        # Raw cells stay Python objects (pandas 3 would turn None into NaN in text columns).
        return pd.Series(values[order], dtype=object)

    rows = pd.DataFrame({
        "row_id": order,  # originals first (row_id == entity_id), then the duplicates
        "unit_code": obj(codes[unit_all]),
        "tab": obj(tab_all),
        "row": FIRST_DATA_ROW + rank,
    })
    del unit_all, tab_all, key, sorted_key
    for k in FIELD_KEYS:
        rows[k] = obj(np.concatenate([cols[k], *copy_cols[k]]) if C else cols[k])
        del cols[k], copy_cols[k]
    rows["entity_id"] = ent[order]
    rows["noise"] = obj(np.concatenate([np.full(E, "original", dtype=object), *copy_kind]))
    rows["copied_from"] = np.concatenate([np.full(E, -1, dtype=np.int64), src_all])[order]
    rows["hard_negative"] = obj(hn_kind[ent])
    rows["hard_negative_pair"] = np.where(np.arange(N) < E, hn_pair[ent], -1)[order]
    rows["expected_error"] = obj(np.concatenate([expected_error, np.full(C, "", dtype=object)]))
    rows["expected_warning"] = obj(
        np.concatenate([expected_warning, np.full(C, "", dtype=object)]))

    # ---- truth per entity and per unit ----------------------------------------------------------
    n_rows_per_entity = np.bincount(ent, minlength=E)
    d64 = np.datetime64(PROGRAM_START) + days.astype("timedelta64[D]")
    entities = pd.DataFrame({k: pd.Series(v, dtype=object) if v.dtype == object else v for k, v in {
        "entity_id": np.arange(E),
        "unit_code": codes[unit],
        "title": titles,
        "authors": authors_canon,
        "n_authors": np.array([len(x) for x in author_ids]),
        "family": fam_name,
        "solution_type": sol_type,
        "applied_on": d64.astype("datetime64[D]").astype(object),
        "benefit_kind": np.array(["value", "not_computable", "empty"], dtype=object)[benefit_kind],
        "benefit_vnd": np.where(benefit_kind == 0, benefit_value.astype(float), np.nan),
        "social": social_yes,
        "hard_negative": hn_kind,
        "hard_negative_pair": hn_pair,
        "valid": valid,
        "counted": counted,
        "n_rows": n_rows_per_entity,
    }.items()})
    # Participants: distinct canonical names per unit (one name in a unit = one person, SPEC §5).
    ok = np.flatnonzero(counted)
    name_code = pd.factorize(pd.Series(canon, dtype=object))[0].astype(np.int64)
    pu = np.repeat(unit[ok], [len(author_ids[i]) for i in ok.tolist()])
    pn = np.fromiter((name_code[p] for i in ok.tolist() for p in author_ids[i]), dtype=np.int64,
                     count=len(pu))
    base = int(name_code.max(initial=0)) + 1
    pair_key = np.unique(pu * base + pn)
    participants = np.bincount(pair_key // base, minlength=U)
    # A product that unites the authors of merged rows (sync.dedupe does) also counts co-authors
    # listed only on an `added_coauthor` duplicate (which stays in the original's unit).
    a_src, a_person = added_people
    keep = (a_person >= 0) & counted[a_src]
    extra_key = unit[a_src[keep]] * base + name_code[a_person[keep]]
    united = np.bincount(np.union1d(pair_key, extra_key) // base, minlength=U)
    del pu, pn, pair_key, name_code
    rate = np.clip(np.exp(rng.normal(math.log(0.10), 0.45, U)), 0.03, 0.4)
    members = np.where(participants > 0, np.maximum(np.ceil(participants / rate), 30),
                       rng.integers(150, 3001, U)).astype(np.int64)
    target = np.ceil(members * 0.10 - 1e-9).astype(np.int64)
    registry = reg.drop(columns=["is_parent"]).copy()
    registry.insert(3, "members", members)
    registry["true_participants"] = participants.astype(np.int64)
    registry["true_participants_united"] = united.astype(np.int64)
    registry["target"] = target
    registry["meets_target"] = participants >= target
    registry["n_rows"] = np.bincount(rows["unit_code"].map(
        {c: i for i, c in enumerate(codes)}).to_numpy(), minlength=U)

    meta = {
        "n_rows": int(N), "n_units": U, "n_entities": int(E), "seed": seed,
        "noise": asdict(mix), "counts": rows["noise"].value_counts().to_dict(),
        "hard_negative_pairs": {k: v // 2 for k, v in
                                pd.Series(hn_kind[hn_kind != ""]).value_counts().items()},
        "seconds": round(time.perf_counter() - t0, 3),
    }
    return SynthData(registry, rows, entities, seed, mix, meta)


def _folded_names(canon: np.ndarray, ids: np.ndarray) -> set[str]:
    """Author names of one row as SPEC §5 compares them (no case, spacing or diacritics)."""
    return {" ".join(strip_diacritics(canon[p]).casefold().split()) for p in ids.tolist() if p >= 0}


def _join_names(names: list[str], sep: int) -> str:
    """Authors as units separate them: `,` `;` ` và ` or new lines."""
    if not names:
        return ""
    if sep == 1:
        return "; ".join(names)
    if sep == 2 and len(names) >= 2:
        return ", ".join(names[:-1]) + " và " + names[-1]
    if sep == 3:
        return "\n".join(names)
    if sep == 4:
        return ",".join(names)
    if sep == 5:
        return " ; ".join(names)
    return ", ".join(names)


def _other_units(rng: np.random.Generator, units: np.ndarray, parent_idx: np.ndarray,
                 n_units: int) -> np.ndarray:
    """A random unit that is neither the unit itself nor its parent (nor, when possible, a child)."""
    out = rng.integers(0, n_units, len(units))
    for _ in range(50):
        bad = (out == units) | (out == parent_idx[units]) | (parent_idx[out] == units)
        if not bad.any() or n_units <= 3:
            break
        out[bad] = rng.integers(0, n_units, int(bad.sum()))
    same = out == units
    out[same] = (units[same] + 1) % n_units
    return out


_SHORT_TITLES: Final = ("Máy hàn", "Cải tiến", "Sửa máy", "Ván khuôn", "Phần mềm", "Lò nung")
_BAD_DATES: Final = ("31/02/2022", "29/02/2023", "tháng 3/2022", "32/01/2022", "15/13/2022",
                     "Quý II/2022")
_UNKNOWN_TYPES: Final = ("Khác", "Sáng chế", "Cải tiến khác")
_ERROR_VALUES: Final = ("#REF!", "#N/A", "#VALUE!")


def _plant_errors(rng: np.random.Generator, cols: dict[str, np.ndarray], idx: np.ndarray,
                  expected: np.ndarray) -> None:
    """One validation error per chosen row (rows whose entity has no duplicate)."""
    kinds = rng.integers(0, len(ERROR_KINDS), len(idx))
    for i, k in zip(idx.tolist(), kinds.tolist(), strict=True):
        kind = ERROR_KINDS[k]
        r = int(rng.integers(0, 1_000_000))
        if kind == "missing_required":
            cols["authors" if r % 2 else "title"][i] = None
        elif kind == "invalid_date":
            cols["applied_on"][i] = _BAD_DATES[r % len(_BAD_DATES)]
        elif kind == "outside_program_window":
            if r % 2:  # before the programme
                cols["applied_on"][i] = dt.date(2019, 1, 1) + dt.timedelta(days=r % 960)
            else:  # after the deadline (and before 2025-07)
                cols["applied_on"][i] = dt.date(2023, 9, 15) + dt.timedelta(days=r % 650)
        elif kind == "future_date":  # a mistyped year far ahead (also outside the window)
            cols["applied_on"][i] = dt.date(2031, 1, 1) + dt.timedelta(days=r % 1800)
        elif kind == "title_too_short":
            cols["title"][i] = _SHORT_TITLES[r % len(_SHORT_TITLES)]
        elif kind == "unknown_solution_type":
            cols["solution_type"][i] = _UNKNOWN_TYPES[r % len(_UNKNOWN_TYPES)]
        else:  # formula_error: an error value where the title or the date should be
            cols["title" if r % 2 else "applied_on"][i] = _ERROR_VALUES[r % len(_ERROR_VALUES)]
        expected[i] = kind


def _apply_noise(rng: np.random.Generator, kind: str, c: dict[str, np.ndarray], src: np.ndarray,
                 author_ids: list[list[int]], disp: list[str], p_off: np.ndarray,
                 pool: np.ndarray, unit: np.ndarray, seps: np.ndarray) -> np.ndarray | None:
    """Transform the copied cells `c` (rows of `src`) according to `kind`, in place. For
    `added_coauthor`, returns the added person per row (-1: none could be added)."""
    n = len(src)
    if kind in ("exact_copy", "copy_other_tab", "parent_child_copy", "cross_unit_copy"):
        return
    if kind in ("no_diacritics", "nfd"):
        fn = strip_diacritics if kind == "no_diacritics" else (
            lambda s: unicodedata.normalize("NFD", s))
        for k in _RETYPED_TEXT_KEYS:
            c[k] = np.array([fn(v) if isinstance(v, str) else v for v in c[k]], dtype=object)
        return
    if kind in ("tcvn3", "vni"):
        for k in _LEGACY_TEXT_KEYS:
            c[k] = np.array([_legacy_encode(v, kind) if isinstance(v, str) else v for v in c[k]],
                            dtype=object)
        return
    if kind == "typo":
        u = rng.random((n, 5)).tolist()
        c["title"] = np.array([_typo(s, uu) for s, uu in zip(c["title"], u, strict=True)],
                              dtype=object)
        return
    if kind == "case_spacing":
        u = rng.random(n).tolist()
        c["title"] = np.array([_case_spacing(s, x) for s, x in zip(c["title"], u, strict=True)],
                              dtype=object)
        up = np.flatnonzero(rng.random(n) < 0.3)
        c["authors"][up] = [s.upper() for s in c["authors"][up]]
        return
    if kind == "tone_style":
        c["title"] = np.array([swap_tone_style(s) for s in c["title"]], dtype=object)
        c["authors"] = np.array([swap_tone_style(s) for s in c["authors"]], dtype=object)
        return
    if kind == "author_order":
        new_sep = rng.choice(6, n, p=[0.4, 0.25, 0.15, 0.1, 0.05, 0.05])
        c["authors"] = np.array([
            _join_names([disp[p] for p in author_ids[e][::-1]], s)
            for e, s in zip(src.tolist(), new_sep.tolist(), strict=True)], dtype=object)
        return
    if kind == "added_coauthor":
        extra = p_off[unit[src]] + (rng.random(n) * pool[unit[src]]).astype(np.int64)
        out = []
        added = np.full(n, -1, dtype=np.int64)
        for j, (e, x, s) in enumerate(zip(src.tolist(), extra.tolist(), seps[src].tolist(),
                                          strict=True)):
            ids = author_ids[e]
            if x in ids:  # the drawn person is already an author: take the pool's next person
                x = x + 1 if x + 1 < p_off[unit[e]] + pool[unit[e]] else int(p_off[unit[e]])
            if x not in ids:
                added[j] = x
                out.append(_join_names([disp[p] for p in [*ids, x]], s))
            else:
                out.append(_join_names([disp[p] for p in ids], s))
        c["authors"] = np.array(out, dtype=object)
        return added
    raise ValueError(f"unknown noise kind {kind!r}")


# --------------------------------------------------------------------------------------------------
# Parquet (mixed-type cells are stored as text plus a type column)
# --------------------------------------------------------------------------------------------------

_MIXED: Final = ("applied_on", "benefit", "social")


def _encode_mixed(values: pd.Series) -> tuple[list[str | None], list[str]]:
    text: list[str | None] = []
    kinds: list[str] = []
    for v in values.tolist():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            text.append(None)
            kinds.append("")
        elif isinstance(v, str):
            text.append(v)
            kinds.append("text")
        elif isinstance(v, dt.date):
            text.append(v.isoformat())
            kinds.append("date")
        else:
            text.append(repr(v))
            kinds.append("number")
    return text, kinds


def _decode_mixed(text: pd.Series, kinds: pd.Series) -> np.ndarray:
    out = np.empty(len(text), dtype=object)
    for i, (v, k) in enumerate(zip(text.tolist(), kinds.tolist(), strict=True)):
        if k == "date":
            out[i] = dt.date.fromisoformat(v)
        elif k == "number":
            out[i] = float(v) if ("." in v or "e" in v) else int(v)
        elif k == "text":
            out[i] = v
        else:
            out[i] = None
    return out


def save(data: SynthData, folder: Path | str) -> dict[str, Path]:
    """Write `registry.parquet`, `rows.parquet`, `entities.parquet` and `meta.json`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = data.rows.copy()
    for k in _MIXED:
        text, kinds = _encode_mixed(rows[k])
        rows[k] = pd.Series(text, dtype=object)
        rows[f"{k}__type"] = kinds
    out = {
        "registry": folder / "registry.parquet",
        "rows": folder / "rows.parquet",
        "entities": folder / "entities.parquet",
        "meta": folder / "meta.json",
    }
    data.registry.to_parquet(out["registry"], index=False)
    rows.to_parquet(out["rows"], index=False)
    ents = data.entities.copy()
    ents["applied_on"] = pd.to_datetime(ents["applied_on"])
    ents.to_parquet(out["entities"], index=False)
    out["meta"].write_text(json.dumps({**data.meta, "seed": data.seed}, ensure_ascii=False,
                                      indent=2, default=str), encoding="utf-8")
    return out


def load(folder: Path | str) -> SynthData:
    """Read back what `save` wrote (cells get their original Python types again)."""
    folder = Path(folder)
    rows = pd.read_parquet(folder / "rows.parquet")
    for k in _MIXED:
        rows[k] = _decode_mixed(rows[k], rows.pop(f"{k}__type"))
    for k in FIELD_KEYS:
        if k not in _MIXED:
            rows[k] = rows[k].astype(object).where(rows[k].notna(), None)
    ents = pd.read_parquet(folder / "entities.parquet")
    ents["applied_on"] = ents["applied_on"].dt.date
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    noise = NoiseMix(**meta.get("noise", {}))
    return SynthData(pd.read_parquet(folder / "registry.parquet"), rows, ents,
                     int(meta.get("seed", 0)), noise, meta)


# --------------------------------------------------------------------------------------------------
# .xlsx unit files (the end-to-end benchmark's input)
# --------------------------------------------------------------------------------------------------

# Fixed workbook dates keep the bytes of a file stable across runs.
FIXED_CREATED: Final = dt.datetime(2023, 9, 1, 8, 0, 0)
_PHONE_HEADER: Final = "Số điện thoại"

_SHARED: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class _Layout:
    """How one unit's sheet looks: which header text per column, the column order, an `STT`
    column, an unknown extra column."""

    headers: tuple[str, ...]  # per FIELD_KEYS position
    order: tuple[int, ...]  # positions of FIELD_KEYS in sheet order
    stt: bool
    phone: bool


def _layout(rng: np.random.Generator, variants: bool) -> _Layout:
    headers = [f.header for f in catalog.FIELDS]
    order = list(range(len(catalog.FIELDS)))
    if not variants:
        return _Layout(tuple(headers), tuple(order), False, False)
    if rng.random() < 0.3:  # aliases for some headers
        for i, f in enumerate(catalog.FIELDS):
            if f.aliases and rng.random() < 0.5:
                headers[i] = f.aliases[int(rng.integers(0, len(f.aliases)))]
    if rng.random() < 0.2:  # a different column order (title stays first: people keep it so)
        rest = order[1:]
        rng.shuffle(rest)
        order = [0, *rest]
    return _Layout(tuple(headers), tuple(order), bool(rng.random() < 0.4),
                   bool(rng.random() < 0.1))


def _write_unit_file(path: str, unit_name: str, layout: _Layout,
                     tabs: list[tuple[str, list[tuple[int, list[Any]]]]]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                    "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"created": FIXED_CREATED, "author": "sangkien-sync synth"})
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "text_wrap": True, "border": 1})
    wrap = wb.add_format({"text_wrap": True})
    author_col = layout.order.index(FIELD_KEYS.index("authors"))
    for tab, rows in tabs or [(UNIT_TAB, [])]:
        ws = wb.add_worksheet(tab)
        ws.write_string(TITLE_ROW - 1, 0, f"DANH SÁCH SÁNG KIẾN ĐĂNG KÝ – {unit_name.upper()}",
                        bold)
        c0 = 1 if layout.stt else 0
        if layout.stt:
            ws.write_string(HEADER_ROW - 1, 0, "STT", head)
        for j, pos in enumerate(layout.order):
            ws.write_string(HEADER_ROW - 1, c0 + j, layout.headers[pos], head)
        if layout.phone:
            ws.write_string(HEADER_ROW - 1, c0 + len(layout.order), _PHONE_HEADER, head)
        for n, (row, values) in enumerate(rows, start=1):
            r = row - 1
            if layout.stt:
                ws.write_number(r, 0, n)
            for j, pos in enumerate(layout.order):
                v = values[pos]
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(r, c0 + j, v, wrap if j == author_col and "\n" in v else None)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c0 + j, v, date_fmt)
                else:
                    ws.write_number(r, c0 + j, v)
            if layout.phone:
                ws.write_string(r, c0 + len(layout.order), f"09{(row * 7919) % 10**8:08d}")
    wb.close()


def _write_units_chunk(indices: list[int]) -> int:
    jobs = _SHARED["jobs"]
    for i in indices:
        _write_unit_file(*jobs[i])
    return len(indices)


def write_xlsx_units(data: SynthData, folder: Path | str, *, workers: int | None = None,
                     header_variants: bool = True, registry_name: str = "unions.csv",
                     subdir: str = "units") -> Path:
    """Write one `.xlsx` per unit (`<folder>/<subdir>/<code>.xlsx`, xlsxwriter in constant memory,
    fixed workbook dates) and the registry CSV (`<folder>/<registry_name>`, UTF-8 with BOM, the
    SPEC §3 columns, `Nguồn` relative to the registry). Units are spread over `workers`
    processes (default: the CPU count, at most 4). Parents without rows get an empty `Nguồn`.
    Returns the registry path."""
    folder = Path(folder)
    (folder / subdir).mkdir(parents=True, exist_ok=True)
    rows = data.rows.sort_values(["unit_code", "tab", "row"], kind="stable")
    reg = data.registry
    rng = np.random.default_rng([data.seed, 7])
    values = rows[list(FIELD_KEYS)].to_numpy(dtype=object)
    unit_codes = rows["unit_code"].to_numpy(dtype=object)
    tabs_col = rows["tab"].to_numpy(dtype=object)
    row_col = rows["row"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, unit_codes[1:] != unit_codes[:-1], True])
    by_unit: dict[str, tuple[int, int]] = {
        unit_codes[s]: (s, e) for s, e in itertools.pairwise(bounds.tolist())}
    jobs: list[tuple[str, str, _Layout, list[tuple[str, list[tuple[int, list[Any]]]]]]] = []
    sources: list[str] = []
    for code, name, parent_kids in zip(reg["code"], reg["name"],
                                       reg["code"].isin(reg["parent"]), strict=True):
        layout = _layout(rng, header_variants)
        span = by_unit.get(code)
        if span is None and parent_kids:
            sources.append("")
            continue
        tabs: list[tuple[str, list[tuple[int, list[Any]]]]] = []
        if span is not None:
            s, e = span
            for tab in (UNIT_TAB, OTHER_TAB):
                sel = np.flatnonzero(tabs_col[s:e] == tab) + s
                if len(sel):
                    tabs.append((tab, [(int(row_col[i]), values[i].tolist()) for i in sel]))
        rel = f"{subdir}/{code}.xlsx"
        sources.append(rel)
        jobs.append((str(folder / rel), name, layout, tabs))
    _SHARED["jobs"] = jobs
    n_workers = workers if workers is not None else min(4, os.cpu_count() or 1)
    chunks = [list(range(i, len(jobs), max(1, n_workers * 8)))
              for i in range(max(1, n_workers * 8))]
    chunks = [c for c in chunks if c]
    try:
        if n_workers > 1 and len(jobs) > 4 and "fork" in _start_methods():
            with ProcessPoolExecutor(n_workers, mp_context=get_context("fork")) as ex:
                list(ex.map(_write_units_chunk, chunks))
        else:
            for c in chunks:
                _write_units_chunk(c)
    finally:
        _SHARED.clear()
    path = folder / registry_name
    write_registry_csv(path, [
        {"code": c, "name": n, "parent": p, "members": int(m), "source": s, "emails": em,
         "sector": sec}
        for c, n, p, m, s, em, sec in zip(reg["code"], reg["name"], reg["parent"], reg["members"],
                                          sources, reg["emails"], reg["sector"], strict=True)
    ])
    return path


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def write_registry_csv(path: Path, units: Iterable[dict[str, Any]]) -> None:
    """The registry as SPEC §3 columns, UTF-8 with a BOM (so Excel shows Vietnamese right) and
    `\\r\\n` line ends (what Excel writes)."""
    cols = catalog.REGISTRY_COLUMNS
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow([cols[k] for k in ("code", "name", "parent", "members", "source", "emails",
                                      "sector")])
        for u in units:
            w.writerow([u["code"], u["name"], u["parent"], u["members"], u["source"], u["emails"],
                        u["sector"]])
