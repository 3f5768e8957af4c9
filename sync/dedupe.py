"""Deduplication (SPEC §5): which valid rows are the same initiative, and which one is kept.

Rule: two rows are merged when their titles are the same after normalisation **and** they share at
least one author (names compared without case, spacing or diacritics). The same title without a
shared author is listed for review, never merged. This module works on comparison keys only
(`title_key`, `title_fold`, authors' `fold`), column-wise; it never reads text a second time.

Clusters are connected components of the "merge" edges. The kept row of a cluster is the earliest
applied, then the most complete, then the first in unit and sheet order; the authors of all merged
rows are united on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync.validate import count_completeness

MERGED = "merged"
REVIEW = "review"


@dataclass(slots=True)
class Dedupe:
    """`cluster` and `kept` are indexed like the validated rows (valid rows only); `pairs` lists
    each merged row and each possible duplicate against the kept row of its cluster; `authors` are
    the united authors of kept rows."""

    cluster: pd.Series
    kept: pd.Series
    pairs: pd.DataFrame
    authors: pd.DataFrame


class DisjointSet:
    """Union–find over row positions 0..n-1 (path halving, union by size)."""

    def __init__(self, n: int) -> None:
        self.parent = np.arange(n)
        self.size = np.ones(n, dtype=np.int64)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return int(x)

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]

    def roots(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


def _shared_author_pairs(rows: pd.DataFrame, authors: pd.DataFrame) -> pd.DataFrame:
    """Pairs (a, b) of rows (a < b) with the same exact title key and a shared author."""
    keyed = authors.merge(rows[["title_key"]], left_on="row", right_index=True)
    keyed = keyed.drop_duplicates(["row", "fold"])
    joined = keyed.merge(keyed, on=["title_key", "fold"], suffixes=("_a", "_b"))
    joined = joined[joined["row_a"] < joined["row_b"]]
    return joined[["row_a", "row_b"]].drop_duplicates()


def deduplicate(rows: pd.DataFrame, authors: pd.DataFrame) -> Dedupe:
    """`rows` are the valid rows (validated frame, any index); `authors` the author table whose
    `row` refers to that index."""
    valid = rows
    authors = authors[authors["row"].isin(valid.index)]
    positions = pd.Series(np.arange(len(valid)), index=valid.index)
    dsu = DisjointSet(len(valid))
    merge_pairs = _shared_author_pairs(valid, authors)
    for a, b in zip(positions.loc[merge_pairs["row_a"]].to_numpy(),
                    positions.loc[merge_pairs["row_b"]].to_numpy(), strict=True):
        dsu.union(int(a), int(b))
    roots = dsu.roots() if len(valid) else np.array([], dtype=np.int64)
    cluster = pd.Series(roots, index=valid.index)

    # Kept row: earliest applied, then most complete, then first in unit/sheet order.
    order = pd.DataFrame({
        "cluster": cluster,
        "applied": valid["applied_on"],
        "completeness": -count_completeness(valid),
        "seq": np.arange(len(valid)),
    }, index=valid.index).sort_values(["cluster", "applied", "completeness", "seq"])
    kept_index = order.groupby("cluster", sort=False).head(1).index
    kept = pd.Series(False, index=valid.index)
    kept.loc[kept_index] = True
    kept_of_cluster = pd.Series(kept_index, index=cluster.loc[kept_index].to_numpy())

    # Pairs for the Trùng lặp tab: every merged row against its kept row.
    members = cluster[~kept]
    merged = pd.DataFrame({
        "row": members.index,
        "kept_row": kept_of_cluster.loc[members.to_numpy()].to_numpy(),
        "similarity": 1.0,
        "verdict": MERGED,
        "reason": "Trùng tên sáng kiến và có chung tác giả",
    })

    # Possible duplicates: same folded title, in different clusters, no shared author.
    kept_rows = valid.loc[kept_index]
    groups = kept_rows.groupby("title_fold", sort=False)
    review_parts = []
    for _, group in groups:
        if len(group) < 2:
            continue
        first = group.index[0]
        for other in group.index[1:]:
            review_parts.append((other, first))
    review = pd.DataFrame(review_parts, columns=["row", "kept_row"])
    review["similarity"] = 1.0
    review["verdict"] = REVIEW
    review["reason"] = "Trùng tên sáng kiến nhưng không có tác giả chung — cần người xem lại"
    pairs = pd.concat([merged, review], ignore_index=True) if len(review) else merged

    united = unite_authors(authors, cluster, kept_of_cluster)
    return Dedupe(cluster=cluster, kept=kept, pairs=pairs, authors=united)


def unite_authors(authors: pd.DataFrame, cluster: pd.Series, kept_of_cluster: pd.Series
                  ) -> pd.DataFrame:
    """Authors of every row of a cluster, attached to the cluster's kept row: the kept row's own
    authors first, then new names from the others in row order; one entry per folded name."""
    if authors.empty:
        return authors.copy()
    table = authors.copy()
    table["cluster"] = cluster.reindex(table["row"]).to_numpy()
    table = table[table["cluster"].notna()]
    table["kept_row"] = kept_of_cluster.reindex(table["cluster"].to_numpy()).to_numpy()
    table["own"] = (table["row"] == table["kept_row"]).astype(int)
    table = table.sort_values(["kept_row", "own", "row", "position"],
                              ascending=[True, False, True, True])
    table = table.drop_duplicates(["kept_row", "fold"])
    table["row"] = table["kept_row"]
    table["position"] = table.groupby("row").cumcount()
    return table[authors.columns].reset_index(drop=True)
