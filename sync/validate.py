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
  (`TextWorker`) while this one validates the rest; results are identical either way.
- The cyclic garbage collector is paused during validation: millions of small containers live to
  the end of the call and form no cycles.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import re
import string
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import infer_dtype

from sync import catalog, legacy
from sync.authors import Authors, split_authors
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
    clean_text,
    exact_key_of_clean,
    fold_lower,
)
from sync.text_columns import clean_series
from sync.text_worker import (
    PROBLEM_CODES,
    SEPARATOR,
    TextWorker,
    utf8_with_offsets,
    worker_wanted,
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
            data[column] = _exact_text(np.concatenate(pieces)[order]) if column != "row" \
                else np.concatenate(pieces)[order].astype(np.int64)
        return pd.DataFrame(data, columns=list(FINDING_COLUMNS), copy=False)


def _where(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


# --------------------------------------------------------------------------------------------------
# Comparison keys
# --------------------------------------------------------------------------------------------------

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
    """`title_keys` as Arrow chunks of `_KEY_CHUNK` keys. Their buffers are made as the text
    worker makes its own (`utf8_with_offsets`, exactly their size): Arrow's converter takes
    about 2.6 times the keys' size from its memory pool at a million rows (measured)."""
    exact_chunks, folded_chunks = [], []
    items = values.tolist()
    for start in range(0, max(len(items), 1), _KEY_CHUNK):
        exact = [exact_key_of_clean(v) if v is not None else ""
                 for v in items[start:start + _KEY_CHUNK]]
        exact_chunks.append(_arrow_from_utf8(*utf8_with_offsets(exact)))
        folded_chunks.append(_arrow_from_utf8(*utf8_with_offsets([fold_lower(k) for k in exact])))
    return exact_chunks, folded_chunks


def _factorize(values: list[str]) -> tuple[np.ndarray, list[str]]:
    """`authors.factorize` by pandas' C hash table (40 % faster on a million author pieces)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return codes, uniques.tolist()


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


def _text_of(key: str, values: np.ndarray, typed: np.ndarray, worker: TextWorker | None
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


def _split_and_key(text: np.ndarray, worker: TextWorker | None, redo: np.ndarray,
                   keys: bool = True) -> tuple[Authors, np.ndarray, np.ndarray]:
    """`split_authors` and `name_keys` of the authors column: the worker's share of the rows
    from the worker (but for the rows in `redo`), the rest here; all here when the worker did
    not deliver. (The worker sends its share early: by the time this process gets here it has
    long arrived.) Without `keys`, the keys are empty."""
    share = worker.author_names() if worker is not None and worker.author_rows else None
    if share is None:
        split = split_authors(text, _factorize)
        if not keys:
            return split, np.empty(0, dtype=object), np.empty(0, dtype=object)
        exact, folded = name_keys(split.names)
        return split, exact, folded
    assert worker is not None
    share_rows = worker.author_rows
    own = np.concatenate([np.flatnonzero(redo[:share_rows]), np.arange(share_rows, len(text))])
    mine = split_authors(text[own], _factorize)
    my_keys, my_folds = name_keys(mine.names)
    w_rows, w_positions, w_codes, w_problems, names, name_keys_, name_folds, shown = share
    del share
    keep = ~redo[w_rows]
    w_rows, w_positions, w_codes, w_problems = (w_rows[keep], w_positions[keep], w_codes[keep],
                                                w_problems[keep])
    my_rows = own[mine.rows]
    # Each side's names are in row order and a row's names come from one side: where each
    # name goes in the merged order, without sorting. Each column is written once and its two
    # halves let go at once (at a million rows each is tens of MiB).
    theirs_at = np.arange(len(w_rows)) + np.searchsorted(my_rows, w_rows)
    ours_at = np.arange(len(my_rows)) + np.searchsorted(w_rows, my_rows)

    def merged(theirs: np.ndarray, ours: np.ndarray) -> np.ndarray:
        out = np.empty(len(theirs) + len(ours), dtype=ours.dtype)
        out[theirs_at] = theirs
        out[ours_at] = ours
        return out

    def codes_of(distinct: list[str]) -> np.ndarray:
        return np.asarray(distinct, dtype=object)[w_codes]

    # Display: the cell as cleaned, but where the worker showed it otherwise, or this side read it.
    display = text.copy()
    for i, value in shown:
        display[i] = value
    display[own] = mine.display
    rows = merged(w_rows, my_rows)
    del w_rows, my_rows
    positions = merged(w_positions, mine.positions)
    del w_positions
    problems = merged(np.asarray(PROBLEM_CODES, dtype=object)[w_problems], mine.problems)
    all_names = merged(codes_of(names), mine.names)
    del mine, names
    exact = merged(codes_of(name_keys_), my_keys)
    del name_keys_, my_keys
    folded = merged(codes_of(name_folds), my_folds)
    return Authors(rows, positions, all_names, problems, display), exact, folded


def _titles(values: np.ndarray, worker: TextWorker | None
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
        changes = result[0]
        exact_arrow = [_arrow_from_utf8(*chunk) for chunk in result[1]]
        folded_arrow = [_arrow_from_utf8(*chunk) for chunk in result[2]]
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


def _exact_text(values: np.ndarray) -> pd.Series:
    """A `str` column of strings in buffers of exactly their size (`_key_chunks` says why);
    pandas' own inference where a cell is not a string (as a frame of these cells would have)."""
    texts = values.tolist()
    if not all(v.__class__ is str for v in texts):
        return pd.Series(values)
    return _str_series(pa.chunked_array([_arrow_from_utf8(*utf8_with_offsets(texts))],
                                        pa.large_string()))


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
    worker = TextWorker(cells, _marked_utf8) if keys and worker_wanted(n) else None
    if worker is not None:
        cleanup.callback(worker.close)
        # A validation this large frees hundreds of MiB of temporaries stage after stage: let
        # them go back to the system as they are freed (`sync.memory`), and what the heap still
        # holds at the end of the big stages.
        map_large_blocks()
        cleanup.callback(release_freed_memory)
    # Smaller blocks freed by a stage stay with malloc until trimmed: at a million rows the
    # dates and enums leave ≈55 MiB, the titles ≈35 (measured), just before the peak at the end.
    settle = release_freed_memory if worker is not None else _nothing
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
        del title_rows
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
    # Memory (a million rows: every array of rows that is let go early lowers the peak at the
    # end, when the title keys arrive): only the authors' presence is read again.
    present = {"authors": present["authors"]}
    errors = {}
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
    del lengths
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
    del problem_arr, no_names, text["authors"], present["authors"]  # shown as `authors_display`
    authors = pd.DataFrame({
        "row": author_rows, "position": positions, "name": _objects(names_arr),
        **({"key": _objects(author_keys), "fold": _objects(author_folds)} if keys else {}),
        "suspicious": suspicious,
    }, copy=False)
    settle()
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
    applied = applied.astype("datetime64[s]")  # as the rows hold it (pandas' smallest unit)

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
    settle()
    clock("enums_dates")

    # 10. Benefit; 11. social significance.
    benefit, not_computable = _parse_benefit(typed["benefit"], unit, headers, findings)
    social = _parse_social(typed["social"], findings)
    del typed
    cells["benefit"] = cells["social"] = None
    settle()
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
    cells.clear()  # the last cells read (legacy-decoded titles are a copy)
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
        "applied_on": applied,
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


def _nothing() -> None:
    pass


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
    return np.fromiter((len(v) if v is not None else 0 for v in values), dtype=np.int32,
                       count=len(values))


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
    """`_marked` of `n` cells joined by `SEPARATOR` and encoded as UTF-8, read with numpy: every
    marker is a code point in U+0080–U+00FF, i.e. a lead byte C2/C3 and one more byte. Read in
    slices that stay in the CPU cache (whole-buffer temporaries cost more in page faults than
    the scan itself)."""
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    out = np.zeros(n, dtype=bool)
    cells = 0
    for start in range(0, len(bytes_), _MARK_SLICE):
        part = bytes_[start:start + _MARK_SLICE + 1]  # one byte more: a pair across the cut
        lead = np.flatnonzero((part[:-1] & 0xFE) == 0xC2)
        separators = np.flatnonzero(part[:_MARK_SLICE] == ord(SEPARATOR))
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
    holds `_marked` of a column's first rows where it was already found (`TextWorker`);
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
