"""Deduplication (SPEC §5): which valid rows are one initiative, which row is kept, and why.

**Rule.** Two rows are merged when their titles are the same or near-identical
(`sync.similarity`: same words in the same order once case, spacing, Unicode form, tone style and
missing diacritics are ignored, at most one or two typos inside words, never a different number and
never a different word) **and** they share at least one author. Authors are compared by their
folded key (`fold` from the validation stage: case, spacing, punctuation and diacritics ignored), as
SPEC §5 says. Near-identical titles with no shared author are listed for review (`Cần xem xét`) and
never merged. Everything works the same within a unit and across units (a workplace and its parent
union registering the same initiative).

**Pipeline** (column-wise; a million rows in well under 30 s on two cores, see `docs/benchmarks.md`):

1. *Distinct titles.* Rows are grouped by their exact title key; each distinct key is tokenised
   once (`similarity.Titles`).
2. *Blocking* (`sync.blocking`): spacing groups plus pigeonhole segment keys propose the pairs of
   distinct titles that can be near-identical; blocks are capped, so the work grows linearly.
3. *Comparison* of the proposed pairs (`similarity.compare`, vectorised, rapidfuzz for the few
   distinct word pairs that differ).
4. *Merge edges* between rows: same title (or a near pair of titles) **and** a shared author fold.
   Rows with the same title and the same author are joined to the first such row; a near pair of
   titles joins the first row of each side for every author fold the two sides share.
5. *Clusters, centre rule.* Connected components of the merge edges. The kept row of a component is
   the earliest applied, then the most complete (`validate.count_completeness`), then the first in
   unit and sheet order. A chain of near-matches could drift (`A ≈ B ≈ C` but `A ≉ C`), so every
   member must itself be near-identical to the kept row's title; a component where one is not is
   split greedily: the earliest remaining row becomes a centre and takes the rows reachable from it
   through merge edges *over rows whose titles are near its own*; repeat. Shared authors may chain
   (a copy that lists both authors links a copy by each of them) — that is the same initiative —
   but titles may not drift.
6. *Review list.* Clusters with near-identical titles but no merge between them: same title (or
   same folded title, or a near pair) held by different clusters, and merge edges cut by the centre
   rule. Each later cluster is listed once, against the earliest such cluster.
7. *United authors*: the kept row's own authors first, then new names (by fold) from the merged
   rows, in row order.

**Participants** (computed by `sync.progress` from `Dedupe.authors`): the distinct authors of a
unit's counted kept initiatives. Names are compared by their exact key (NFC, one tone style, case and
spacing ignored): within a unit the same key is one person; a name typed without any diacritics is
the same person as the unit's only accented name with that folded form. Across units the same name
is never one person. An initiative merged across units counts its (united) authors in the unit of
the kept row only.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sync import similarity
from sync.blocking import CAP, candidate_pairs, sorted_distinct
from sync.similarity import FOLD, NOT_NEAR, SAME, TYPO, Titles, arrow_chunks
from sync.validate import count_completeness

MERGED = "merged"
REVIEW = "review"

PAIR_COLUMNS = ("row", "kept_row", "similarity", "verdict", "reason")


@dataclass(slots=True)
class Dedupe:
    """`cluster` and `kept` are indexed like the validated rows (valid rows only); `pairs` lists
    each merged row and each possible duplicate against the kept row of its cluster (`row`,
    `kept_row`, `similarity` 0–1, `verdict` `merged`/`review`, `reason` in Vietnamese); `authors`
    are the united authors of kept rows. `stats` says what the run did (counts and seconds)."""

    cluster: pd.Series
    kept: pd.Series
    pairs: pd.DataFrame
    authors: pd.DataFrame
    stats: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# Graph helpers
# --------------------------------------------------------------------------------------------------

def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected components of the graph on 0..n-1 with edges (a[i], b[i]): each node's label is
    the smallest node of its component. Hooking and pointer jumping, all in numpy."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while len(a):
        pa, pb = parent[a], parent[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        moving = lo != hi
        if not moving.any():
            break
        np.minimum.at(parent, hi[moving], lo[moving])
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped
        a, b = a[moving], b[moving]
    return parent


def keep_order(rows: pd.DataFrame) -> np.ndarray:
    """Rank of every row for "which row is kept": earliest applied, then most complete, then
    first in unit and sheet order (the order of `rows`)."""
    applied = pd.to_datetime(rows["applied_on"], errors="coerce")
    days = applied.to_numpy(dtype="datetime64[s]").astype(np.int64)
    days = np.where(applied.isna().to_numpy(), np.iinfo(np.int64).max, days)
    completeness = np.asarray(count_completeness(rows), dtype=np.int64)
    order = np.lexsort((np.arange(len(rows)), -completeness, days))
    rank = np.empty(len(rows), dtype=np.int64)
    rank[order] = np.arange(len(rows))
    return rank


# --------------------------------------------------------------------------------------------------
# The deduplicator
# --------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Work:
    """Row-level arrays shared by the steps (positions 0..n-1 of the valid rows)."""

    n: int
    variant: np.ndarray  # distinct title per row
    titles: Titles
    rank: np.ndarray  # keep order
    unit: np.ndarray  # unit per row (code into unit_names)
    unit_names: np.ndarray
    m_pos: np.ndarray  # author mentions: row position
    m_fold: np.ndarray  # folded name code
    m_at: np.ndarray  # author mentions: line in the author table
    m_name: pd.Series  # display name, by line of the author table (read only where needed)
    near_left: np.ndarray  # near pairs of distinct titles
    near_right: np.ndarray
    edge_a: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    edge_b: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def deduplicate(rows: pd.DataFrame, authors: pd.DataFrame, cap: int = CAP,
                valid: np.ndarray | None = None) -> Dedupe:
    """`rows` are validated rows (any index); `authors` the author table whose `row` refers to
    that index. Only the rows where `valid` is true take part (all when it is None): their texts
    are read where they are, not selected into a copy (two title columns of a million rows are
    ≈400 MiB, and selecting them cost that much again while deduplication ran)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    at = np.arange(len(rows)) if valid is None else np.flatnonzero(valid)
    index = rows.index[at]
    mention_at = np.flatnonzero(authors["row"].isin(index).to_numpy())
    n = len(at)
    if n == 0:
        empty = pd.Series(dtype="int64")
        return Dedupe(cluster=empty, kept=pd.Series(dtype=bool), pairs=_empty_pairs(),
                      authors=authors.iloc[mention_at].copy(),
                      stats={"rows": 0})

    # 1. Distinct titles (Arrow kernels: no Python string per row). The codes number the titles
    # in order of first appearance, so their first rows rise (`similarity.take_in_order`).
    key_chunks = arrow_chunks(rows["title_key"])
    variant = pd.factorize(similarity.group_codes(key_chunks)[at])[0].astype(np.int64)
    n_titles = int(variant.max()) + 1
    first_row = np.full(n_titles, n, dtype=np.int64)
    np.minimum.at(first_row, variant, np.arange(n, dtype=np.int64))
    # Each joined into one array as it is taken (`Titles` wants them whole): one column's pieces
    # at a time, not both columns' pieces and their joined copies at once.
    distinct = similarity.take_in_order(key_chunks, at[first_row]).combine_chunks()
    del key_chunks  # before the folded titles are read: one column of every row at a time
    folded = similarity.take_in_order(arrow_chunks(rows["title_fold"]),
                                      at[first_row]).combine_chunks()
    titles = Titles.build(distinct, folded, distinct=True)
    del distinct, folded
    similarity.release_memory()
    lap("tokenise")

    positions = index.get_indexer(authors["row"].to_numpy()[mention_at]).astype(np.int64)
    every_fold = similarity.group_codes(arrow_chunks(authors["fold"]))
    missing = authors["fold"].isna().to_numpy() | (authors["fold"] == "").to_numpy()
    every_fold[missing] = every_fold.max(initial=-1) + 1 + np.arange(int(missing.sum()))  # none
    fold_codes = every_fold[mention_at]
    unit_code, unit_names = pd.factorize(rows["unit_code"])
    unit_code = unit_code[at]
    # What the later steps read of a row: no text.
    rows = pd.DataFrame({"applied_on": rows["applied_on"].to_numpy()[at],
                         "completeness": count_completeness(rows).to_numpy()[at]}, index=index)

    # 2–3. Blocking (author names refine crowded blocks) and comparison of distinct titles.
    width = np.int64(max(fold_codes.max(initial=0) + 1, 1))
    tag_codes = sorted_distinct([variant[positions] * width + fold_codes])
    left, right, block_stats = candidate_pairs(titles, cap, (tag_codes // width, tag_codes % width))
    similarity.release_memory()
    lap("blocking")
    near = similarity.compare(titles, left, right).near
    near_left, near_right = left[near], right[near]
    n_candidates = len(left)
    del left, right, near
    similarity.release_memory()
    lap("compare")

    work = _Work(n=n, variant=variant, titles=titles, rank=keep_order(rows),
                 unit=unit_code, unit_names=np.asarray(unit_names, dtype=object),
                 m_pos=positions, m_fold=fold_codes, m_at=mention_at,
                 m_name=authors["name"],
                 near_left=near_left, near_right=near_right)
    lap("prepare")

    # 4. Merge edges.
    work.edge_a, work.edge_b = _merge_edges(work)
    lap("edges")

    # 5. Clusters with the centre rule.
    label, split_count = _clusters(work)
    lap("clusters")

    kept_mask = label == np.arange(n)
    cluster = pd.Series(label, index=rows.index, dtype="int64")
    kept = pd.Series(kept_mask, index=rows.index, dtype=bool)

    # Pairs for the Trùng lặp tab.
    merged = _merged_pairs(work, label, rows)
    lap("merged_pairs")
    review = _review_pairs(work, label, rows)
    lap("review_pairs")
    pairs = pd.concat([p for p in (merged, review) if len(p)], ignore_index=True) \
        if len(merged) or len(review) else _empty_pairs()

    # 7. United authors (the title tables are not needed any more).
    split_count_stats = {"split_components": split_count, "distinct_titles": len(titles),
                         "merge_edges": len(work.edge_a)}
    del work, titles
    similarity.release_memory()
    kept_of_cluster = pd.Series(rows.index[np.flatnonzero(kept_mask)],
                                index=label[kept_mask])
    united = unite_authors(authors, cluster, kept_of_cluster, every_fold)
    lap("unite_authors")

    stats: dict[str, Any] = {
        "rows": n, "candidate_pairs": n_candidates,
        "near_pairs": len(near_left),
        "clusters": int(kept_mask.sum()), "merged_rows": int(n - kept_mask.sum()),
        "review_pairs": len(review), **split_count_stats,
        "blocks": block_stats.blocks, "largest_block": block_stats.largest_block,
        "skipped_blocks": block_stats.skipped_blocks,
        "skipped_titles": block_stats.skipped_titles, "seconds": timings,
    }
    return Dedupe(cluster=cluster, kept=kept, pairs=pairs, authors=united, stats=stats)


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame({
        "row": pd.Series(dtype=object), "kept_row": pd.Series(dtype=object),
        "similarity": pd.Series(dtype="float64"), "verdict": pd.Series(dtype=object),
        "reason": pd.Series(dtype=object),
    })


def _merge_edges(work: _Work) -> tuple[np.ndarray, np.ndarray]:
    """Merge edges: rows with the same title and author fold are joined to the first of them (in
    keep order); a near pair of titles joins, for every author fold its sides share, the first
    row of each side."""
    v_all = work.variant[work.m_pos]
    order = np.lexsort((work.rank[work.m_pos], work.m_fold, v_all))
    v, f, pos = v_all[order], work.m_fold[order], work.m_pos[order]
    del v_all, order
    head = np.r_[True, (v[1:] != v[:-1]) | (f[1:] != f[:-1])] if len(v) else np.zeros(0, bool)
    rep = pos[head][np.cumsum(head) - 1] if len(v) else pos
    same = rep != pos
    edges_a = [rep[same]]
    edges_b = [pos[same]]
    if len(work.near_left):
        reps = pd.DataFrame({"v": v[head], "f": f[head], "rep": pos[head]})
        near = pd.DataFrame({"va": work.near_left, "vb": work.near_right})
        one = near.merge(reps, left_on="va", right_on="v")[["vb", "f", "rep"]]
        both = one.merge(reps, left_on=["vb", "f"], right_on=["v", "f"], suffixes=("_a", "_b"))
        edges_a.append(both["rep_a"].to_numpy(dtype=np.int64))
        edges_b.append(both["rep_b"].to_numpy(dtype=np.int64))
    return np.concatenate(edges_a), np.concatenate(edges_b)


def _near_to(work: _Work, rows_a: np.ndarray, rows_b: np.ndarray) -> np.ndarray:
    """Whether the titles of rows_a[i] and rows_b[i] are near-identical."""
    va, vb = work.variant[rows_a], work.variant[rows_b]
    out = va == vb
    todo = np.flatnonzero(~out)
    if len(todo):
        out[todo] = similarity.compare(work.titles, va[todo], vb[todo]).near
    return out


def _clusters(work: _Work) -> tuple[np.ndarray, int]:
    """Cluster label per row: the position of its kept row."""
    n = work.n
    comp = components(n, work.edge_a, work.edge_b)
    order = np.lexsort((work.rank, comp))
    head = np.r_[True, comp[order][1:] != comp[order][:-1]]
    centre_of_comp = np.empty(n, dtype=np.int64)
    centre_of_comp[comp[order][head]] = order[head]
    centre = centre_of_comp[comp]
    size = np.bincount(comp, minlength=n)
    label = centre.copy()

    # Centre rule: every member of a component of 3+ rows must be near its centre.
    check = np.flatnonzero((size[comp] >= 3) & (centre != np.arange(n)))
    if not len(check):
        return label, 0
    bad_members = check[~_near_to(work, check, centre[check])]
    if not len(bad_members):
        return label, 0
    bad = sorted_distinct([comp[bad_members]])
    in_bad = np.isin(comp, bad)
    members = np.flatnonzero(in_bad)
    edge_in = in_bad[work.edge_a]
    adjacency: dict[int, list[int]] = {}
    for x, y in zip(work.edge_a[edge_in].tolist(), work.edge_b[edge_in].tolist(), strict=True):
        adjacency.setdefault(x, []).append(y)
        adjacency.setdefault(y, []).append(x)
    by_comp: dict[int, list[int]] = {}
    for m in members[np.argsort(work.rank[members], kind="stable")].tolist():
        by_comp.setdefault(int(comp[m]), []).append(m)
    for group in by_comp.values():
        unassigned = dict.fromkeys(group)  # ordered by rank
        while unassigned:
            c = next(iter(unassigned))
            others = np.array([u for u in unassigned if u != c], dtype=np.int64)
            allowed = {c}
            if len(others):
                ok = _near_to(work, others, np.full(len(others), c, dtype=np.int64))
                allowed.update(others[ok].tolist())
            queue = deque([c])
            taken = {c}
            while queue:
                x = queue.popleft()
                for y in adjacency.get(x, ()):
                    if y in allowed and y not in taken:
                        taken.add(y)
                        queue.append(y)
            for t in taken:
                label[t] = c
                del unassigned[t]
    return label, len(bad)


# --------------------------------------------------------------------------------------------------
# Pairs and reasons
# --------------------------------------------------------------------------------------------------

def _title_relation(work: _Work, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                           np.ndarray, np.ndarray]:
    """(kind, similarity, word a, word b) of the titles of rows a[i], b[i]."""
    va, vb = work.variant[a], work.variant[b]
    result = similarity.compare(work.titles, va, vb)
    score = similarity.similarity(work.titles, va, vb)
    return result.kind, score, result.left_word, result.right_word


_MERGE_TITLE = {
    SAME: "Trùng tên sáng kiến",
    FOLD: "Trùng tên sáng kiến nếu bỏ qua dấu, chữ hoa/thường và khoảng trắng",
    NOT_NEAR: "Tên gần giống một dòng khác đã gộp vào sáng kiến này",
}
_REVIEW_TITLE = {
    SAME: "Trùng tên sáng kiến",
    FOLD: "Tên giống nhau nếu bỏ qua dấu, chữ hoa/thường và khoảng trắng",
    NOT_NEAR: "Tên gần giống một dòng khác của sáng kiến giữ lại",
}


def _typo_text(left: str, right: str) -> str:
    return f"Tên gần giống, khác do lỗi gõ («{left}» so với «{right}»)"


def _title_texts(kinds: np.ndarray, left: np.ndarray, right: np.ndarray,
                 table: dict[int, str]) -> list[str]:
    return [_typo_text(lw, rw) if k == TYPO else table[int(k)]
            for k, lw, rw in zip(kinds.tolist(), left.tolist(), right.tolist(), strict=True)]


def _merged_pairs(work: _Work, label: np.ndarray, rows: pd.DataFrame) -> pd.DataFrame:
    member = np.flatnonzero(label != np.arange(work.n))
    if not len(member):
        return _empty_pairs()
    kept = label[member]
    kinds, score, lw, rw = _title_relation(work, member, kept)
    texts = _title_texts(kinds, lw, rw, _MERGE_TITLE)

    # The author each merged row shares with its kept row (first in the row's own order).
    mentions = pd.DataFrame({"pos": work.m_pos, "f": work.m_fold})
    is_member = np.zeros(work.n, dtype=bool)
    is_member[member] = True
    own = mentions[is_member[work.m_pos]]
    own = own.assign(kept=label[own["pos"].to_numpy()], line=np.flatnonzero(is_member[work.m_pos]))
    shared = own.merge(mentions.rename(columns={"pos": "kept"}), on=["kept", "f"])
    shared = shared.drop_duplicates("pos")
    names_of = pd.Series(work.m_name.iloc[work.m_at[shared["line"].to_numpy()]].to_numpy(
        dtype=object),
                         index=shared["pos"].to_numpy())
    names = names_of.reindex(member).to_numpy(dtype=object)

    applied = pd.to_datetime(rows["applied_on"], errors="coerce").to_numpy()
    completeness = np.asarray(count_completeness(rows), dtype=np.int64)
    reasons = []
    for i, (m, k) in enumerate(zip(member.tolist(), kept.tolist(), strict=True)):
        name = names[i]
        text = texts[i]
        text += (f"; có chung tác giả {name}" if isinstance(name, str)
                 else "; có chung tác giả với một dòng khác đã gộp")
        if work.unit[m] != work.unit[k]:
            text += (f"; đăng ký ở cả {work.unit_names[work.unit[k]]} và "
                     f"{work.unit_names[work.unit[m]]}")
        if applied[k] < applied[m]:
            text += "; giữ dòng áp dụng sớm hơn"
        elif completeness[k] > completeness[m]:
            text += "; giữ dòng ghi đầy đủ hơn"
        else:
            text += "; giữ dòng đứng trước"
        reasons.append(text)
    return pd.DataFrame({
        "row": rows.index[member], "kept_row": rows.index[kept], "similarity": score,
        "verdict": MERGED, "reason": reasons,
    })


def _review_pairs(work: _Work, label: np.ndarray, rows: pd.DataFrame) -> pd.DataFrame:
    """Near-identical titles in different clusters: each later cluster once, against the
    earliest such cluster."""
    rank_of_cluster = work.rank  # a cluster's label is its kept row: rank[label]
    links_a: list[np.ndarray] = []
    links_b: list[np.ndarray] = []
    links_split: list[np.ndarray] = []

    # Merge edges cut by the centre rule.
    ca, cb = label[work.edge_a], label[work.edge_b]
    cut = ca != cb
    links_a.append(ca[cut])
    links_b.append(cb[cut])
    links_split.append(np.ones(int(cut.sum()), dtype=bool))

    # The same title in several clusters: each against the earliest cluster holding it.
    frame = pd.DataFrame({"v": work.variant, "c": label, "r": rank_of_cluster[label]})
    frame = frame.drop_duplicates(["v", "c"]).sort_values(["v", "r"], kind="stable")
    v = frame["v"].to_numpy()
    c = frame["c"].to_numpy()
    head = np.r_[True, v[1:] != v[:-1]] if len(v) else np.zeros(0, bool)
    first_cluster = c[head][np.cumsum(head) - 1] if len(v) else c
    other = ~head
    links_a.append(first_cluster[other])
    links_b.append(c[other])
    links_split.append(np.zeros(int(other.sum()), dtype=bool))

    # Near pairs of distinct titles: their earliest clusters.
    if len(work.near_left):
        earliest = pd.Series(first_cluster[head] if len(v) else c, index=v[head] if len(v) else v)
        na = earliest.reindex(work.near_left).to_numpy()
        nb = earliest.reindex(work.near_right).to_numpy()
        differ = na != nb
        links_a.append(na[differ].astype(np.int64))
        links_b.append(nb[differ].astype(np.int64))
        links_split.append(np.zeros(int(differ.sum()), dtype=bool))

    a = np.concatenate(links_a)
    b = np.concatenate(links_b)
    split = np.concatenate(links_split)
    if not len(a):
        return _empty_pairs()
    earlier = np.where(rank_of_cluster[a] <= rank_of_cluster[b], a, b)
    later = np.where(rank_of_cluster[a] <= rank_of_cluster[b], b, a)
    links = pd.DataFrame({"later": later, "earlier": earlier, "split": split,
                          "r": rank_of_cluster[earlier]})
    links = links.sort_values(["later", "r", "split"], ascending=[True, True, False],
                              kind="stable").drop_duplicates("later")
    later = links["later"].to_numpy(dtype=np.int64)
    earlier = links["earlier"].to_numpy(dtype=np.int64)
    split = links["split"].to_numpy(dtype=bool)
    # Listed in keep order of the later cluster.
    order = np.argsort(rank_of_cluster[later], kind="stable")
    later, earlier, split = later[order], earlier[order], split[order]

    kinds, score, lw, rw = _title_relation(work, later, earlier)
    texts = _title_texts(kinds, lw, rw, _REVIEW_TITLE)
    reasons = []
    for i, (x, y) in enumerate(zip(later.tolist(), earlier.tolist(), strict=True)):
        if split[i]:
            text = (f"{texts[i]}; có tác giả chung với một dòng đã gộp nhưng tên khác nhiều so "
                    "với sáng kiến giữ lại nên không tự động gộp — cần người xem lại")
        else:
            text = f"{texts[i]} nhưng không có tác giả chung — cần người xem lại"
        if work.unit[x] != work.unit[y]:
            text += f" (đơn vị {work.unit_names[work.unit[y]]} và {work.unit_names[work.unit[x]]})"
        reasons.append(text)
    return pd.DataFrame({
        "row": rows.index[later], "kept_row": rows.index[earlier], "similarity": score,
        "verdict": REVIEW, "reason": reasons,
    })


def unite_authors(authors: pd.DataFrame, cluster: pd.Series, kept_of_cluster: pd.Series,
                  fold_codes: np.ndarray | None = None) -> pd.DataFrame:
    """Authors of every row of a cluster, attached to the cluster's kept row: the kept row's own
    authors first, then new names from the others in row order; one entry per folded name.
    Works on integer codes and takes the author lines once at the end."""
    if authors.empty:
        return authors.copy()
    row_pos = cluster.index.get_indexer(authors["row"])
    present = np.flatnonzero(row_pos >= 0)
    row_pos = row_pos[present]
    labels = cluster.to_numpy()[row_pos]
    kept_pos = cluster.index.get_indexer(kept_of_cluster.reindex(labels).to_numpy())
    if fold_codes is None:
        fold_codes = pd.factorize(authors["fold"])[0]
    fold_code = np.asarray(fold_codes)[present]
    own = (row_pos != kept_pos).astype(np.int8)
    position = authors["position"].to_numpy()[present]
    order = np.lexsort((position, row_pos, own, kept_pos))
    # First line of each (kept row, folded name) in that order.
    pair = kept_pos[order].astype(np.int64) * np.int64(fold_code.max(initial=0) + 1) \
        + fold_code[order]
    by_pair = np.argsort(pair, kind="stable")
    first = by_pair[np.r_[True, pair[by_pair][1:] != pair[by_pair][:-1]]]
    chosen = order[np.sort(first)]
    kept_of_line = kept_pos[chosen]
    united = authors.take(present[chosen]).reset_index(drop=True)
    united["row"] = cluster.index[kept_of_line]
    starts = np.r_[True, kept_of_line[1:] != kept_of_line[:-1]] if len(chosen) else \
        np.zeros(0, bool)
    run_start = np.flatnonzero(starts)
    united["position"] = np.arange(len(chosen)) - np.repeat(run_start, np.diff(
        np.r_[run_start, len(chosen)]))
    return united
