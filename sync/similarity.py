"""When are two initiative titles "the same or near-identical" (SPEC §5)? Pure, column-wise.

A title is compared word by word. Vietnamese writes one syllable per space-separated word, so a
word is small (≤ 7 letters) and a one-letter change often makes *another real word* (`cầu`/`cao`,
`dầm`/`đầm`); character edit distance over the whole title cannot tell a typo from a different
object. The rule here works on aligned words of the comparison keys made by the validation stage
(`title_key`: NFC, one tone style, case folded, punctuation as spaces; its folded form without
diacritics):

1. **Numbers must match.** Words holding a digit must be equal at the same place (`01` = `1`;
   Roman numerals `II`, `III`, `IV`, `VII`, `VIII`, `IX`, `XII` are read as numbers, so
   `giai đoạn II` = `giai đoạn 2`): `trạm trộn số 1` / `số 2`, `giai đoạn II` / `III`, `C30` /
   `C35` are different initiatives whatever else is equal. `I`, `V`, `X`, `VI` and `XI` stay words
   (`vi` is `phạm vi`, `xi` is `xi măng`); a number against a word is never a typo either.
2. **Same words, same order.** Titles with the same folded key up to spaces (`bê tông` /
   `bêtông`, retyped without diacritics, other case, NFD, TCVN3/VNI pastes) are near-identical.
   Otherwise both titles must have the same number of words; each aligned pair of words is:
   - equal → fine;
   - equal without diacritics, and one side typed without diacritics (`tron`/`trộn`) → fine;
   - equal without diacritics, both with (other) diacritics (`cắt`/`cát`) → one typo;
   - different letters within a small edit (optimal string alignment distance ≤ 1, ≤ 2 for words
     of 7+ letters; rapidfuzz) → one typo;
   - anything else (`bê tông`/`vữa`, `cắt`/`uốn`, `dùi`/`bàn`) → a different word: not near.
   A substitution (same length: another tone, another letter) is vetoed when **both** words are
   established in the collection: each used by at least `ESTABLISHED_COUNT` titles written with
   diacritics, neither `RARITY` times rarer than the other. A slip of the finger makes a word
   nobody else writes (`tôg`, `tạu`), or a rare one (`co` for `cp`), while `cầu` and `cao`, `dầm`
   and `đầm` are both everyday words. A dropped, doubled or swapped letter stays a typo even when
   it happens to make a word (`nhà` → `hà`). In a very small collection no word is established
   and the edit-distance rule alone decides.
3. **At most `MAX_TYPOS` typos** (1 for titles of ≤ 5 words).

`Titles` tokenises distinct titles once (Apache Arrow compute kernels, in slices: a million
titles in a few seconds, bounded memory) into integer word ids; `compare` checks many pairs at
once with numpy, computing edit distances only for the few distinct word pairs that differ.
`similarity` gives the score shown to people (rapidfuzz `fuzz.ratio` of the folded keys, 0–1).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from sync.text import fold

__all__ = [
    "ESTABLISHED_COUNT",
    "FOLD",
    "MAX_TYPOS",
    "NOT_NEAR",
    "SAME",
    "TYPO",
    "Comparison",
    "Titles",
    "arrow_strings",
    "compare",
    "group_codes",
    "max_typos",
    "release_memory",
    "similarity",
]

MAX_TYPOS: Final = 2
SHORT_TITLE_WORDS: Final = 5  # titles this short allow one typo
ESTABLISHED_COUNT: Final = 3
RARITY: Final = 50  # a word this many times rarer than the other is a slip, however often seen
LONG_WORD: Final = 7  # words this long allow two edits

# Comparison kinds.
NOT_NEAR: Final = -1
SAME: Final = 0  # same exact key
FOLD: Final = 1  # same words once diacritics (typed without), case and spacing are ignored
TYPO: Final = 2  # a few typos

# Roman numerals that are not also Vietnamese words or lone letters (`xi` is `xi măng`, `vi` is
# `phạm vi`, `i`/`v`/`x` are letters). A numeral left out still never matches one kept: a number
# against a word is a different word.
_ROMAN: Final = {"ii": "2", "iii": "3", "iv": "4", "vii": "7", "viii": "8", "ix": "9", "xii": "12"}
_DIGIT_RE: Final = re.compile(r"\d")


def max_typos(words: np.ndarray) -> np.ndarray:
    """Typos allowed for titles of `words` words."""
    return np.where(words <= SHORT_TITLE_WORDS, 1, MAX_TYPOS)


def _canonical_number(word: str) -> str | None:
    """The number a word stands for (`01` → `1`, `ii` → `2`), the word itself when it mixes
    letters and digits (`c30`), None when it is not a number."""
    if word in _ROMAN:
        return _ROMAN[word]
    if _DIGIT_RE.search(word) is None:
        return None
    if word.isdigit():
        return word.lstrip("0") or "0"
    return word


@dataclass(slots=True)
class Titles:
    """Distinct titles as integer words.

    - `key_id`: a code equal for equal exact keys; `folded`: the folded keys (Arrow strings).
    - `length`, `start`: words per title and offset of its first word in `words`.
    - `words`: exact word ids (into `vocab`), `fwords`: folded word ids (into `fvocab`), numbers
      replaced by their canonical form in both.
    - `plain`: per exact word, True when it has no diacritics; `fold_of`: exact id → folded id;
      `flen`: letters per folded word; `numeric`: per folded word; `count`: per exact word, how
      often titles written with diacritics use it.
    - `numbers`: order-free hash of the numbers of a title; `squeezed`: a group id shared by titles
      whose folded keys are equal once spaces are removed.
    """

    key_id: np.ndarray
    folded: pa.Array
    length: np.ndarray
    start: np.ndarray
    words: np.ndarray
    fwords: np.ndarray
    vocab: np.ndarray
    fvocab: np.ndarray
    plain: np.ndarray
    fold_of: np.ndarray
    flen: np.ndarray
    numeric: np.ndarray
    count: np.ndarray
    numbers: np.ndarray
    squeezed: np.ndarray

    def __len__(self) -> int:
        return len(self.length)

    @classmethod
    def build(cls, keys: Sequence[str] | np.ndarray | pa.Array | pa.ChunkedArray,
              folded: Sequence[str] | np.ndarray | pa.Array | pa.ChunkedArray | None = None,
              distinct: bool = False) -> Titles:
        """Tokenise exact keys (`text.exact_key` output: words separated by single spaces).
        `folded` are their folded forms when the caller has them (`title_fold`), else computed.
        Either may be a Python sequence, a numpy object array or an Arrow string array.
        `distinct`: the caller guarantees that no key repeats (saves hashing them)."""
        arrow = arrow_strings(keys)
        folded_arrow = arrow_strings(_fold_keys(arrow.to_pylist()) if folded is None else folded)
        # Titles written with diacritics: only their words count as "established" (a plain word
        # such as `co` says nothing when whole titles are typed without diacritics).
        accented = pc.not_equal(arrow, folded_arrow, memory_pool=POOL).to_numpy(
            zero_copy_only=False).astype(bool)
        vocab = _Vocabulary()
        length, words, count = _tokenise(arrow, accented, vocab)
        fold_of = np.asarray(vocab.fold_of, dtype=np.int32)
        fwords = fold_of[words] if len(words) else words
        fvocab = np.array(list(vocab.fold_ids), dtype=object)
        numeric = np.fromiter((_canonical_number(w) is not None for w in fvocab), dtype=bool,
                              count=len(fvocab))
        flen = np.fromiter((len(w) for w in fvocab), dtype=np.int64, count=len(fvocab))
        start = np.zeros(len(arrow), dtype=np.int64)
        if len(arrow) > 1:
            np.cumsum(length[:-1], out=start[1:])

        # Numbers of a title: an order-free hash (sum of a random value per number word).
        rng = np.random.default_rng(0x5A4E)
        number_value = rng.integers(1, 2**63, len(fvocab), dtype=np.int64).astype(np.uint64)
        at = np.flatnonzero(numeric[fwords]) if len(fwords) else np.zeros(0, np.int64)
        numbers = np.zeros(len(arrow), dtype=np.uint64)
        if len(at):
            owner = np.searchsorted(start, at, side="right") - 1
            with np.errstate(over="ignore"):
                np.add.at(numbers, owner, number_value[fwords[at]])

        squeezed = group_codes(pc.replace_substring(folded_arrow, " ", "", memory_pool=POOL))
        key_id = np.arange(len(arrow), dtype=np.int64) if distinct else group_codes(arrow)
        release_memory()
        return cls(key_id=key_id, folded=folded_arrow, length=length, start=start, words=words,
                   fwords=fwords, vocab=np.array(vocab.words, dtype=object), fvocab=fvocab,
                   plain=np.asarray(vocab.plain, dtype=bool), fold_of=fold_of, flen=flen,
                   numeric=numeric, count=count, numbers=numbers, squeezed=squeezed)

    def folded_at(self, index: np.ndarray) -> list[str]:
        """Folded keys of the titles at `index`, as Python strings."""
        return take(self.folded, index).to_pylist()


_TITLES_AT_ONCE: Final = 1 << 15


class _Vocabulary:
    """Words seen so far: exact words (numbers in canonical form, `01` → `1`) with their folded
    word and whether they carry no diacritics."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.words: list[str] = []
        self.plain: list[bool] = []
        self.fold_of: list[int] = []
        self.fold_ids: dict[str, int] = {}

    def id(self, word: str) -> int:
        found = self.ids.get(word)
        if found is not None:
            return found
        number = _canonical_number(word)
        if number is not None and number != word:
            found = self.id(number)
        else:
            found = len(self.words)
            folded = fold(word)
            self.words.append(word)
            self.plain.append(folded == word)
            self.fold_of.append(self.fold_ids.setdefault(folded, len(self.fold_ids)))
        self.ids[word] = found
        return found


def _tokenise(arrow: pa.Array, accented: np.ndarray, vocab: _Vocabulary
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(words per title, word ids, per word how many accented titles use it) of space-separated
    titles: Arrow kernels slice by slice into one preallocated array (bounded memory)."""
    n = len(arrow)
    length = np.zeros(n, dtype=np.int64)
    # Single-spaced keys have (spaces + 1) words: an upper bound in any case.
    bound = int(pc.sum(pc.count_substring(arrow, " ", memory_pool=POOL)).as_py() or 0) + n
    words = np.empty(bound, dtype=np.int32)
    count = np.zeros(0, dtype=np.int64)
    filled = 0
    for first in range(0, n, _TITLES_AT_ONCE):
        split = pc.utf8_split_whitespace(arrow.slice(first, _TITLES_AT_ONCE), memory_pool=POOL)
        lengths = pc.list_value_length(split, memory_pool=POOL).to_numpy(
            zero_copy_only=False).astype(np.int64)
        encoded = pc.dictionary_encode(pc.list_flatten(split, memory_pool=POOL),
                                       memory_pool=POOL)
        del split
        local = np.fromiter((vocab.id(w) for w in encoded.dictionary.to_pylist()), dtype=np.int32,
                            count=len(encoded.dictionary))
        ids = local[encoded.indices.to_numpy(zero_copy_only=False)] if len(local) else \
            np.zeros(0, np.int32)
        del encoded
        length[first:first + len(lengths)] = lengths
        words[filled:filled + len(ids)] = ids
        filled += len(ids)
        used = np.bincount(ids[np.repeat(accented[first:first + len(lengths)], lengths)],
                           minlength=len(vocab.words))
        if len(used) > len(count):
            count = np.concatenate([count, np.zeros(len(used) - len(count), np.int64)])
        count[:len(used)] += used
    if len(count) < len(vocab.words):
        count = np.concatenate([count, np.zeros(len(vocab.words) - len(count), np.int64)])
    return length, words[:filled].copy() if filled < bound else words, count


def arrow_chunks(values: Any) -> pa.ChunkedArray:
    """Arrow strings (nulls as "", `large_string`) without joining their chunks: what
    `group_codes` needs, without the copy `arrow_strings` makes of a column in several chunks
    (a million titles read back from the state are hundreds of MiB)."""
    array = getattr(values, "array", None)
    arrow = pa.array(array) if isinstance(getattr(array, "dtype", None), pd.StringDtype) \
        else arrow_strings(values)
    chunked = arrow if isinstance(arrow, pa.ChunkedArray) else pa.chunked_array([arrow])
    chunks = [c.cast(pa.large_string()) if c.type != pa.large_string() else c
              for c in chunked.chunks]
    chunks = [pc.fill_null(c, "") if c.null_count else c for c in chunks]
    return pa.chunked_array(chunks, pa.large_string())


def arrow_strings(values: Sequence[str] | np.ndarray | pa.Array | pa.ChunkedArray | Any
                  ) -> pa.Array:
    """One contiguous Arrow string array (nulls as ""), from a sequence, a numpy object array,
    a pandas Series (object or Arrow-backed `str`) or Arrow arrays."""
    if isinstance(values, pa.ChunkedArray):
        arrow = values.combine_chunks()
    elif isinstance(values, pa.Array):
        arrow = values
    else:
        array = getattr(values, "array", None)  # a pandas Series backed by Arrow: no copy
        try:
            arrow = pa.array(array) if isinstance(getattr(array, "dtype", None), pd.StringDtype) \
                else pa.array(values, type=pa.string(), from_pandas=True, memory_pool=POOL)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # non-string cells: make them text
            arrow = pa.array([v if isinstance(v, str) else "" for v in values], type=pa.string())
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
    if arrow.type not in (pa.string(), pa.large_string()):
        arrow = arrow.cast(pa.string())
    return pc.fill_null(arrow, "") if arrow.null_count else arrow


# Arrow temporaries come from the system allocator, which returns large blocks to the system as
# soon as they are freed (Arrow's default pool keeps them: hundreds of MB at a million titles).
POOL: Final = pa.system_memory_pool()


def take(arrow: pa.Array, index: np.ndarray) -> pa.Array:
    """`arrow[index]` (numpy indexes), allocated from `POOL`."""
    return pc.take(arrow, pa.array(np.asarray(index, dtype=np.int64)), memory_pool=POOL)


_TAKE_AT_ONCE: Final = 1 << 16


def take_in_order(chunks: pa.ChunkedArray, positions: np.ndarray) -> pa.ChunkedArray:
    """`chunks[positions]` as large strings, "" where a position is -1 or a value is missing.

    Arrow's take on a chunked array first joins all its chunks (a copy of the whole column:
    ≈100 MiB of titles at a million rows). When the positions rise, as they do for lines in row
    order, each chunk gives its own run instead, in takes of `_TAKE_AT_ONCE`: Arrow's take grows
    its text buffer as it goes, and the smaller the take the less it leaves behind (1.85M folded
    titles, 173 MiB: 255 MiB resident after takes of 2**20, 195 after takes of 2**16)."""
    positions = np.asarray(positions, dtype=np.int64)
    placed = positions >= 0
    if not placed.any():
        return pa.chunked_array([pa.array([""] * len(positions), pa.large_string())])
    if np.any(np.diff(positions[placed]) < 0):  # not in order: Arrow's take on the whole column
        pieces = pc.take(chunks, pa.array(positions, mask=~placed)).chunks
    else:
        starts = np.cumsum([0, *(len(c) for c in chunks.chunks)])
        chunk_of = np.searchsorted(starts, positions, side="right") - 1
        chunk_of[~placed] = -1
        # A -1 joins the run of the chunk before it (the first chunk's when none is).
        chunk_of = np.maximum.accumulate(np.maximum(chunk_of, chunk_of[placed][0]))
        runs = np.union1d(np.flatnonzero(np.r_[True, np.diff(chunk_of) != 0, True]),
                          np.r_[0:len(positions):_TAKE_AT_ONCE, len(positions)])
        pieces = []
        for begin, end in itertools.pairwise(runs):
            at = positions[begin:end]
            local = pa.array(at - starts[chunk_of[begin]], mask=at < 0)
            pieces.append(pc.take(chunks.chunk(int(chunk_of[begin])), local))
    pieces = [pc.fill_null(p, "") if p.null_count else p for p in pieces]
    return pa.chunked_array(pieces, pa.large_string())


def group_codes(arrow: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Integer codes, equal for equal strings (across the chunks of a chunked array: they share
    one dictionary). Arrow's hash table, allocated from `POOL` so that its hundreds of MB at a
    million strings go back to the system as soon as it is done."""
    if len(arrow) == 0:
        return np.zeros(0, np.int64)
    encoded = pc.dictionary_encode(arrow, memory_pool=POOL)
    if isinstance(encoded, pa.ChunkedArray):
        return np.concatenate([c.indices.to_numpy(zero_copy_only=False).astype(np.int64)
                               for c in encoded.chunks])
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _fold_keys(keys: Sequence[str]) -> list[str]:
    return [fold(k) if isinstance(k, str) else "" for k in keys]


@dataclass(slots=True)
class Comparison:
    """Per compared pair: `kind` (`SAME`, `FOLD`, `TYPO` or `NOT_NEAR`), `typos`, and the first
    pair of words that differ with a cost (`left_id`, `right_id` into `vocab`, -1 when none; as
    text `left_word`, `right_word`), for the reason shown to people."""

    kind: np.ndarray
    typos: np.ndarray
    left_id: np.ndarray
    right_id: np.ndarray
    vocab: np.ndarray

    @property
    def near(self) -> np.ndarray:
        return self.kind != NOT_NEAR

    def _words(self, ids: np.ndarray) -> np.ndarray:
        out = np.full(len(ids), "", dtype=object)
        known = ids >= 0
        out[known] = self.vocab[ids[known]]
        return out

    @property
    def left_word(self) -> np.ndarray:
        return self._words(self.left_id)

    @property
    def right_word(self) -> np.ndarray:
        return self._words(self.right_id)


def _typo_close(a: str, b: str) -> bool:
    longest = max(len(a), len(b))
    if longest < 2:
        return False
    limit = 2 if longest >= LONG_WORD else 1
    return OSA.distance(a, b, score_cutoff=limit) <= limit


def _both_established(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Both words are real words of the collection: each used by at least `ESTABLISHED_COUNT`
    titles, and neither `RARITY` times rarer than the other (a systematic slip such as `cp` →
    `co` recurs, but far less often than the word it spoils)."""
    low, high = np.minimum(a, b), np.maximum(a, b)
    return (low >= ESTABLISHED_COUNT) & (low * RARITY >= high)


CHUNK_WORDS: Final = 1 << 20  # aligned words compared at once (bounds memory at any size)


def compare(titles: Titles, left: np.ndarray, right: np.ndarray) -> Comparison:
    """Compare titles `left[i]` and `right[i]` (indexes into `titles`) for every i."""
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    n = len(left)
    out = Comparison(np.full(n, NOT_NEAR, dtype=np.int8), np.zeros(n, dtype=np.int8),
                     np.full(n, -1, dtype=np.int32), np.full(n, -1, dtype=np.int32), titles.vocab)
    if n == 0:
        return out

    same_key = (titles.key_id[left] == titles.key_id[right]) | (left == right)
    out.kind[same_key] = SAME
    len_l, len_r = titles.length[left], titles.length[right]
    spacing = (titles.squeezed[left] == titles.squeezed[right]) & ~same_key & (len_l != len_r)
    out.kind[spacing] = FOLD
    todo = np.flatnonzero(~same_key & ~spacing & (len_l == len_r)
                          & (titles.numbers[left] == titles.numbers[right]))
    if len(todo) == 0:
        return out
    bounds = np.searchsorted(np.cumsum(len_l[todo]),
                             np.arange(CHUNK_WORDS, int(len_l[todo].sum()) + CHUNK_WORDS,
                                       CHUNK_WORDS), side="right")
    begin = 0
    for end in sorted(set(np.r_[bounds, len(todo)].tolist())):
        end = max(end, begin + 1)
        if begin >= len(todo):
            break
        _compare_chunk(titles, left, right, todo[begin:end], out)
        begin = end
    return out


def _compare_chunk(titles: Titles, left: np.ndarray, right: np.ndarray, todo: np.ndarray,
                   out: Comparison) -> None:
    """Word-by-word comparison of the pairs `todo` (same length, same numbers), into `out`."""
    lengths = titles.length[left[todo]]
    allowed = max_typos(lengths)
    total = int(lengths.sum())
    pair_of = np.repeat(np.arange(len(todo), dtype=np.int64), lengths)
    first = np.zeros(len(todo), dtype=np.int64)
    np.cumsum(lengths[:-1], out=first[1:])
    offset = np.arange(total, dtype=np.int64) - first[pair_of]
    at_l = titles.start[left[todo]][pair_of] + offset
    at_r = titles.start[right[todo]][pair_of] + offset
    del offset

    # Pairs with more differing folded words than typos allowed are out at once (most candidate
    # pairs: unrelated titles that happen to share two segments).
    fold_differ = titles.fwords[at_l] != titles.fwords[at_r]
    too_many = np.bincount(pair_of[fold_differ], minlength=len(todo)) > allowed
    differ = (titles.words[at_l] != titles.words[at_r]) & ~too_many[pair_of]
    pos = np.flatnonzero(differ)
    wl, wr, owner = titles.words[at_l[pos]], titles.words[at_r[pos]], pair_of[pos]
    del at_l, at_r, fold_differ, differ, pair_of
    fl, fr = titles.fold_of[wl], titles.fold_of[wr]
    same_fold = fl == fr

    # Same folded word: fine when one side has no diacritics, else a tone/diacritic typo.
    cost = np.zeros(len(pos), dtype=np.int64)
    fatal = np.zeros(len(pos), dtype=bool)
    plain_side = titles.plain[wl] | titles.plain[wr]
    tone = same_fold & ~plain_side
    established = _both_established(titles.count[wl], titles.count[wr])
    cost[tone] = 1
    fatal |= tone & established

    # Different folded words: numbers never differ; letters may differ by a typo.
    other = ~same_fold
    fatal |= other & (titles.numeric[fl] | titles.numeric[fr])
    check = np.flatnonzero(other & ~fatal)
    if len(check):
        width = np.int64(len(titles.fvocab))
        distinct, inverse = unique_inverse(fl[check] * width + fr[check])
        fv = titles.fvocab
        close = np.fromiter((_typo_close(fv[c // width], fv[c % width]) for c in distinct),
                            dtype=bool, count=len(distinct))[inverse]
        # Two established words of the same length are a substitution of one real word for
        # another (`cầu`/`cao`), not a slip; a dropped, doubled or swapped letter stays a typo.
        same_length = titles.flen[fl[check]] == titles.flen[fr[check]]
        ok = close & ~(established[check] & same_length)
        cost[check[ok]] = 1
        fatal[check[~ok]] = True

    pair_fatal = (np.bincount(owner, weights=fatal, minlength=len(todo)) > 0) | too_many
    pair_cost = np.bincount(owner, weights=cost, minlength=len(todo)).astype(np.int64)
    good = ~pair_fatal & (pair_cost <= allowed)
    sel = todo[good]
    out.kind[sel] = np.where(pair_cost[good] > 0, TYPO, FOLD)
    out.typos[sel] = pair_cost[good]
    # The first differing word with a cost, for the reason.
    costly = np.flatnonzero(cost > 0)
    if len(costly):
        owners = owner[costly]
        head = np.r_[True, owners[1:] != owners[:-1]]  # `owner` is sorted: first cost per pair
        owners, idx = owners[head], costly[head]
        keep = good[owners]
        out.left_id[todo[owners[keep]]] = wl[idx[keep]]
        out.right_id[todo[owners[keep]]] = wr[idx[keep]]


def similarity(titles: Titles, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The score shown to people: rapidfuzz `fuzz.ratio` of the folded keys, 0–1, 3 decimals."""
    left = np.asarray(left, dtype=np.int64)
    right = np.asarray(right, dtype=np.int64)
    out = np.ones(len(left), dtype=np.float64)
    todo = np.flatnonzero(titles.key_id[left] != titles.key_id[right])
    if len(todo):
        scores = process.cpdist(titles.folded_at(left[todo]), titles.folded_at(right[todo]),
                                scorer=fuzz.ratio, workers=-1)
        out[todo] = np.asarray(scores, dtype=np.float64) / 100.0
    return np.round(out, 3)


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(values, return_inverse=True)` by sorting (numpy 2's hash-based unique is
    tens of times slower on large integer arrays)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    head = np.r_[True, ordered[1:] != ordered[:-1]] if len(values) else np.zeros(0, bool)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(head) - 1
    return ordered[head], inverse


def release_memory() -> None:
    """Give memory freed by Arrow kernels back to the system (pandas' and Arrow's default pool
    keeps it otherwise)."""
    pa.default_memory_pool().release_unused()
    POOL.release_unused()

