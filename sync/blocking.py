"""Blocking for deduplication: which pairs of distinct titles are worth comparing. Pure, numpy.

Comparing every pair of a million titles is 5·10¹¹ comparisons; blocking proposes only pairs that
*can* be near-identical under `sync.similarity`'s rule (same number of words, same numbers, at most
two words touched by typos), so the work grows with the rows, not with their square:

- **Spacing groups.** Titles whose folded keys are equal once spaces are removed (retyped without
  diacritics, other case, NFD, a legacy paste, `bêtông`) form one group.
- **Segment keys (pigeonhole).** A title of n ≥ 6 words is cut into five segments of about n/5
  words. Two titles with at most two differing words agree on at least three whole segments, so
  they share at least one of the ten keys (three segments out of five). Titles of 4–5 words (one
  typo allowed) use four segments and keys on three of them; titles of 1–3 words "all words but
  one". A key also holds the number of words and the title's numbers, which near-identical titles
  share. Segments are hashed position by position over *folded* words, so a copy without
  diacritics and with a typo still meets its original.

A block larger than `cap` titles is not expanded (its pairs would be mostly unrelated titles that
happen to share common segments). A near pair inside it is usually found through another of its
keys; the deduplicator also passes each title's author names as *tags*, and the titles of crowded
blocks are blocked again on (key, author), so a pair that could merge (near titles with a shared
author) is always proposed unless even that refined block is crowded. What can be lost is a
possible duplicate with typos *and* no shared author in a crowded block. `BlockStats` counts what
was skipped, and the benchmark reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import combinations
from typing import Final

import numpy as np

from sync.similarity import Titles

__all__ = ["CAP", "BlockStats", "candidate_pairs", "pairs_within_groups", "sorted_distinct"]

CAP: Final = 16
_POSITIONS: Final = 512
# Titles of 6+ words (two typos allowed): five segments, keys on every three of them. Titles of
# 4–5 words (one typo): four segments, keys on every three.
_FIVE_CHOOSE_THREE: Final = tuple(combinations(range(5), 3))
_FOUR_CHOOSE_THREE: Final = tuple(combinations(range(4), 3))


@dataclass(slots=True)
class BlockStats:
    titles: int = 0
    keys: int = 0
    blocks: int = 0
    largest_block: int = 0
    skipped_blocks: int = 0
    skipped_titles: int = 0
    pairs: int = 0
    extra: dict[str, int] = field(default_factory=dict)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays (wrapping arithmetic)."""
    x = np.asarray(x).astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def _combine(*parts: np.ndarray | int) -> np.ndarray:
    h: np.ndarray = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i, part in enumerate(parts):
            value = np.asarray(part).astype(np.uint64)
            h = _mix64(h * np.uint64(0x9E3779B97F4A7C15) + value + np.uint64(i + 1))
    return h


def pairs_within_groups(keys: np.ndarray, owner: np.ndarray, cap: int, width: int,
                        stats: BlockStats | None = None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of owners sharing a key, for keys held by 2..cap entries, as sorted distinct codes
    `low * width + high`; also the (key, owner) entries of the blocks over `cap`, not expanded."""
    none = np.zeros(0, np.int64)
    if len(keys) < 2:
        return none, keys[:0], none
    order = np.argsort(keys)
    sorted_keys = keys[order]
    who = owner[order]
    del order
    bounds = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1], True])
    starts, sizes = bounds[:-1], np.diff(bounds)
    del bounds
    multi = sizes >= 2
    ok = multi & (sizes <= cap)
    over_entries = np.flatnonzero(np.repeat(multi & ~ok, sizes))
    over_keys, over_owners = sorted_keys[over_entries], who[over_entries]
    del sorted_keys, over_entries
    if stats is not None:
        stats.blocks += int(multi.sum())
        stats.largest_block = max(stats.largest_block, int(sizes.max()) if len(sizes) else 0)
    sel_starts, sel_sizes = starts[ok], sizes[ok]
    del starts, sizes, multi, ok
    # Expand block by block in slices of about `_PAIRS_AT_ONCE` pairs (bounded memory).
    pair_counts = sel_sizes * (sel_sizes - 1) // 2
    cuts = np.searchsorted(np.cumsum(pair_counts), np.arange(
        _PAIRS_AT_ONCE, int(pair_counts.sum()) + _PAIRS_AT_ONCE, _PAIRS_AT_ONCE), side="right")
    codes: list[np.ndarray] = []
    begin = 0
    for end in [*sorted(set(cuts.tolist())), len(sel_sizes)]:
        if end <= begin:
            continue
        codes.append(_expand(sel_starts[begin:end], sel_sizes[begin:end], who, width))
        begin = end
    return sorted_distinct(codes), over_keys, over_owners


_PAIRS_AT_ONCE: Final = 1 << 22


def _expand(starts: np.ndarray, sizes: np.ndarray, who: np.ndarray, width: int) -> np.ndarray:
    """Sorted distinct codes of all pairs within the runs `who[starts[i] : starts[i] + sizes[i]]`."""
    run_first = np.zeros(len(sizes), dtype=np.int64)
    np.cumsum(sizes[:-1], out=run_first[1:])
    within = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(run_first, sizes)
    element = np.repeat(starts, sizes) + within
    partners = np.repeat(sizes, sizes) - 1 - within
    del within
    a = np.repeat(element, partners)
    first_partner = np.zeros(len(partners), dtype=np.int64)
    np.cumsum(partners[:-1], out=first_partner[1:])
    b = a + 1 + (np.arange(len(a), dtype=np.int64) - np.repeat(first_partner, partners))
    left, right = who[a].astype(np.int64), who[b].astype(np.int64)
    del a, b
    code = np.minimum(left, right) * np.int64(width) + np.maximum(left, right)
    code = code[left != right]
    return sorted_distinct([code])


def sorted_distinct(parts: list[np.ndarray]) -> np.ndarray:
    """Sorted distinct values of the concatenated parts (sort + diff: numpy's hash-based
    `unique` is far slower on tens of millions of int64)."""
    if not parts:
        return np.zeros(0, np.int64)
    values = np.sort(np.concatenate(parts) if len(parts) > 1 else parts[0])
    if len(values):
        values = values[np.r_[True, values[1:] != values[:-1]]]
    return values


_TITLES_AT_ONCE: Final = 1 << 17


@dataclass(slots=True)
class _Segments:
    """Positional hashes of the segments of every title: `five` (titles of 6+ words, five
    segments), `four` (4–5 words), `loo` (1–3 words: the title without word i), with the titles
    they belong to."""

    five: np.ndarray
    five_of: np.ndarray
    four: np.ndarray
    four_of: np.ndarray
    loo: list[tuple[np.ndarray, np.ndarray, int, int]]  # (hashes, titles, words, left out)


def _segments(titles: Titles) -> _Segments:
    rng = np.random.default_rng(0xB10C)
    word_value = rng.integers(1, 2**63, max(len(titles.fvocab), 1), dtype=np.int64).astype(
        np.uint64)
    position_value = (rng.integers(1, 2**62, _POSITIONS, dtype=np.int64) * 2 + 1).astype(np.uint64)
    five_of = np.flatnonzero(titles.length >= 6)
    four_of = np.flatnonzero((titles.length >= 4) & (titles.length <= 5))
    five = np.zeros((len(five_of), 5), dtype=np.uint64)
    four = np.zeros((len(four_of), 4), dtype=np.uint64)
    loo_parts: dict[tuple[int, int], list[tuple[np.ndarray, np.ndarray]]] = {}
    for first in range(0, len(titles), _TITLES_AT_ONCE):
        chosen = np.arange(first, min(first + _TITLES_AT_ONCE, len(titles)), dtype=np.int64)
        length = titles.length[chosen]
        word0 = int(titles.start[chosen[0]])
        start = titles.start[chosen] - word0  # into this slice's words
        total = int(length.sum())
        position = np.arange(total, dtype=np.int64) - np.repeat(start, length)
        with np.errstate(over="ignore"):
            hashed = (word_value[titles.fwords[word0:word0 + total]]
                      * position_value[position % _POSITIONS])
        del position
        cum = np.zeros(total + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(hashed, out=cum[1:])
        for parts, table, members in ((5, five, five_of), (4, four, four_of)):
            lo, hi = np.searchsorted(members, [chosen[0], chosen[-1] + 1])
            if hi <= lo:
                continue
            sel = members[lo:hi] - first
            n, s = length[sel], start[sel]
            bounds = [s + (k * n) // parts for k in range(parts + 1)]
            with np.errstate(over="ignore"):
                for k in range(parts):
                    table[lo:hi, k] = cum[bounds[k + 1]] - cum[bounds[k]]
        for words in (1, 2, 3):
            sel = np.flatnonzero(length == words)
            if not len(sel):
                continue
            s = start[sel]
            with np.errstate(over="ignore"):
                whole = cum[s + words] - cum[s]
                for leave in range(words):
                    loo_parts.setdefault((words, leave), []).append(
                        (whole - hashed[s + leave], chosen[sel]))
    loo = [(np.concatenate([h for h, _ in parts]), np.concatenate([t for _, t in parts]), w, leave)
           for (w, leave), parts in sorted(loo_parts.items())]
    return _Segments(five, five_of, four, four_of, loo)


def _key_groups(titles: Titles, segments: _Segments) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocking keys one kind at a time, as (keys, titles): keys of different kinds never meet,
    so each kind is blocked on its own (a tenth of the memory of blocking them all at once)."""
    for table, members, subsets in ((segments.five, segments.five_of, _FIVE_CHOOSE_THREE),
                                    (segments.four, segments.four_of, _FOUR_CHOOSE_THREE)):
        if not len(members):
            continue
        base = _combine(titles.length[members], titles.numbers[members])
        for combo, subset in enumerate(subsets):
            yield _combine(base, combo, *(table[:, i] for i in subset)), members
    for hashes, members, words, leave in segments.loo:
        yield _combine(words + 100, titles.numbers[members], leave, hashes), members


def candidate_pairs(titles: Titles, cap: int = CAP,
                    tags: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray, BlockStats]:
    """Distinct pairs (left < right) of title indexes to compare, and what blocking did.

    `tags` (title index, tag code), optional: facts two titles must share to matter at all (the
    deduplicator passes the folded names of each title's authors). A title sitting in a block over
    `cap` is blocked again on (block key, tag), so a near pair sharing a tag is still found in a
    crowded block; pairs without a shared tag in such a block are the ones given up."""
    stats = BlockStats(titles=len(titles))
    width = max(len(titles), 1)
    codes: list[np.ndarray] = []

    # Spacing groups: all pairs in small groups, a star around the first title in large ones.
    squeezed = titles.squeezed
    owner = np.arange(len(titles), dtype=np.int64)
    found, _, _ = pairs_within_groups(squeezed.astype(np.uint64), owner, cap, width)
    codes.append(found)
    if len(squeezed):
        sizes = np.bincount(squeezed)
        big = sizes[squeezed] > cap
        if big.any():
            members = np.flatnonzero(big)
            order = members[np.argsort(squeezed[members], kind="stable")]
            group = squeezed[order]
            head = np.r_[True, group[1:] != group[:-1]]
            first_of = order[head][np.cumsum(head) - 1]
            keep = order != first_of
            codes.append(first_of[keep] * np.int64(width) + order[keep])
            stats.extra["large_spacing_groups"] = int(head.sum())

    over_key_parts: list[np.ndarray] = []
    over_owner_parts: list[np.ndarray] = []
    for keys, owners in _key_groups(titles, _segments(titles)):
        stats.keys += len(keys)
        found, over_k, over_o = pairs_within_groups(keys, owners, cap, width, stats)
        codes.append(found)
        over_key_parts.append(over_k)
        over_owner_parts.append(over_o)
    over_keys = np.concatenate(over_key_parts) if over_key_parts else np.zeros(0, np.uint64)
    over_owners = np.concatenate(over_owner_parts) if over_owner_parts else np.zeros(0, np.int64)

    # Crowded blocks: block again with the tags.
    still_keys, still_owners = over_keys, over_owners
    if tags is not None and len(over_keys):
        tag_title, tag = (np.asarray(x, dtype=np.int64) for x in tags)
        order = np.argsort(tag_title, kind="stable")
        tag_title, tag = tag_title[order], tag[order]
        first = np.searchsorted(tag_title, over_owners, side="left")
        count = np.searchsorted(tag_title, over_owners, side="right") - first
        line = np.repeat(first, count) + (np.arange(int(count.sum())) - np.repeat(
            np.cumsum(count) - count, count))
        refined = _combine(np.repeat(over_keys, count), tag[line] + 1)
        found, still_keys, still_owners = pairs_within_groups(
            refined, np.repeat(over_owners, count), cap, width)
        codes.append(found)
        stats.extra["refined_entries"] = len(refined)
    stats.skipped_blocks = len(sorted_distinct([still_keys.view(np.int64)]))
    stats.skipped_titles = len(sorted_distinct([still_owners]))

    code = sorted_distinct(codes)
    del codes
    stats.pairs = len(code)
    index = np.int32 if width < 2**31 else np.int64
    return (code // width).astype(index), (code % width).astype(index), stats
