"""Stable initiative ids (`Mã sáng kiến`, SPEC §5): an initiative keeps its id across runs.

The state keeps, for every id ever given, the keys of the rows it was last seen with: unit, folded
title and each author's folded name. A new run matches its clusters to those keys:

1. strong: a row has the same folded title and a shared author as an id's row (re-sorting, moving
   between tabs or units, adding a co-author, the kept row deleted while a duplicate remains);
2. weak: the same folded title in the same unit (every author retyped);
3. fuzzy (`matcher`, by default `title_matcher`): a near-identical title with a shared
   author (a typo fixed), only for clusters the exact keys could not place and only against ids no
   other cluster took. "Near-identical" is the deduplication rule (`sync.similarity`) on folded
   titles: a title whose number or object changed is a new initiative and gets a new id.

Each cluster takes the id most of its rows point to (older ids win ties); an id goes to one cluster
only; clusters left over get new ids from a counter that only grows (and never falls below the
largest id ever given), so an id is never reused: an initiative deleted keeps its keys in the
registry, and only rows that match those keys (the same initiative coming back) can take its id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync import similarity

ID_PREFIX = "SK"
ID_DIGITS = 7
REGISTRY_COLUMNS = ("id", "seq", "first_seen", "last_seen", "unit_code", "title_fold", "fold")

# A matcher proposes ids for rows the exact keys could not place: given the keys of those rows
# (`row`, `cluster`, `unit_code`, `title_fold`, `fold`) and the registry lines of the ids still free,
# it returns one line per proposal with `cluster`, `row`, `id`, `seq` and `score`.
Matcher = Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]
MATCH_COLUMNS = ("cluster", "row", "id", "seq", "score")


def format_id(seq: int) -> str:
    return f"{ID_PREFIX}{seq:0{ID_DIGITS}d}"


def empty_registry() -> pd.DataFrame:
    return pd.DataFrame({
        "id": pd.Series(dtype=object), "seq": pd.Series(dtype="int64"),
        "first_seen": pd.Series(dtype=object), "last_seen": pd.Series(dtype=object),
        "unit_code": pd.Series(dtype=object), "title_fold": pd.Series(dtype=object),
        "fold": pd.Series(dtype=object),
    })


@dataclass(slots=True)
class IdAssignment:
    ids: pd.Series  # kept row index → id
    first_seen: pd.Series  # kept row index → ISO time the id was first given
    registry: pd.DataFrame  # the registry to store (REGISTRY_COLUMNS)
    next_seq: int
    new_ids: int


def _row_keys(rows: pd.DataFrame, authors: pd.DataFrame, cluster: pd.Series) -> pd.DataFrame:
    """One line per (row, author fold) of the clustered rows; rows without authors get one line
    with an empty fold so they still carry their title."""
    base = pd.DataFrame({
        "row": cluster.index, "cluster": cluster.to_numpy(),
        "unit_code": rows.loc[cluster.index, "unit_code"].to_numpy(),
        "title_fold": rows.loc[cluster.index, "title_fold"].to_numpy(),
    })
    folds = authors[authors["row"].isin(cluster.index)][["row", "fold"]].drop_duplicates()
    keyed = base.merge(folds, on="row", how="left")
    keyed["fold"] = keyed["fold"].fillna("")
    return keyed


def _votes(keys: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Candidate (cluster, id) pairs with a strength (2 strong, 1 weak) and a vote count."""
    if registry.empty or keys.empty:
        return pd.DataFrame(columns=["cluster", "id", "strength", "votes", "seq"])
    reg = registry[["id", "seq", "unit_code", "title_fold", "fold"]]
    strong = keys[keys["fold"] != ""].merge(
        reg[reg["fold"] != ""], on=["title_fold", "fold"], suffixes=("", "_reg"))
    strong = strong[["cluster", "row", "id", "seq"]].drop_duplicates()
    strong["strength"] = 2
    weak = keys[["cluster", "row", "unit_code", "title_fold"]].drop_duplicates().merge(
        reg[["id", "seq", "unit_code", "title_fold"]].drop_duplicates(),
        on=["unit_code", "title_fold"])
    weak = weak[["cluster", "row", "id", "seq"]]
    weak["strength"] = 1
    both = pd.concat([strong, weak], ignore_index=True)
    both = both.sort_values("strength", ascending=False).drop_duplicates(["cluster", "row", "id"])
    votes = both.groupby(["cluster", "id"], sort=False).agg(
        strength=("strength", "max"), votes=("row", "nunique"), seq=("seq", "min")).reset_index()
    return votes


def _resolve(candidates: pd.DataFrame) -> dict[int, str]:
    """Give each id to at most one cluster: best strength, then most votes, then oldest id."""
    if candidates.empty:
        return {}
    ordered = candidates.sort_values(["strength", "votes", "seq"], ascending=[False, False, True])
    best = ordered.drop_duplicates("cluster")
    claimed = best["id"].value_counts()
    clean = best[best["id"].map(claimed).eq(1)]
    taken: dict[int, str] = dict(zip(clean["cluster"].astype(int), clean["id"], strict=True))
    if len(clean) == len(best):
        return taken
    used = set(taken.values())
    contested = set(best["cluster"]) - set(taken)
    for cluster, id_ in ordered[ordered["cluster"].isin(contested)][
            ["cluster", "id"]].itertuples(index=False):
        if cluster in taken or id_ in used:
            continue
        taken[int(cluster)] = id_
        used.add(id_)
    return taken


def title_matcher(keys: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """`Matcher` for a typo fixed in a title: a registry line with a shared author (same folded
    name) whose folded title is near-identical to the row's (`similarity.compare`: same words but
    one or two typos, same numbers). Candidates are joined on (author, number of words, numbers)
    before comparing, so the work follows the rows to place, not the registry's size."""
    keys = keys[keys["fold"] != ""]
    registry = registry[registry["fold"] != ""]
    if keys.empty or registry.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})
    folds = pd.concat([keys["title_fold"], registry["title_fold"]], ignore_index=True)
    codes, distinct = pd.factorize(folds.astype(object).fillna("").to_numpy(dtype=object))
    titles = similarity.Titles.build(np.asarray(distinct, dtype=object),
                                     np.asarray(distinct, dtype=object))
    n_keys = len(keys)
    new = keys.assign(t=codes[:n_keys])
    old = registry[["id", "seq", "fold"]].assign(t=codes[n_keys:]).drop_duplicates(["id", "fold",
                                                                                     "t"])
    for side in (new, old):
        side["words"] = titles.length[side["t"].to_numpy()]
        side["numbers"] = titles.numbers[side["t"].to_numpy()].view(np.int64)
    pairs = new.merge(old, on=["fold", "words", "numbers"], suffixes=("", "_old"))
    pairs = pairs[pairs["t"] != pairs["t_old"]]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MATCH_COLUMNS})
    distinct_pairs = pairs[["t", "t_old"]].drop_duplicates()
    left = distinct_pairs["t"].to_numpy(dtype=np.int64)
    right = distinct_pairs["t_old"].to_numpy(dtype=np.int64)
    near = similarity.compare(titles, left, right).near
    scores = similarity.similarity(titles, left[near], right[near])
    accepted = pd.DataFrame({"t": left[near], "t_old": right[near], "score": scores})
    found = pairs.merge(accepted, on=["t", "t_old"])
    return found[list(MATCH_COLUMNS)].reset_index(drop=True)


def assign_ids(rows: pd.DataFrame, authors: pd.DataFrame, cluster: pd.Series, kept: pd.Series,
               registry: pd.DataFrame, next_seq: int, now: str,
               matcher: Matcher | None = title_matcher) -> IdAssignment:
    """Ids for this run's clusters. `authors` are the per-row authors (not united); `registry` the
    stored keys; `next_seq` the counter; `now` the ISO time of the run; `matcher` places what the
    exact keys could not (default `title_matcher`; None: exact keys only)."""
    keys = _row_keys(rows, authors, cluster)
    candidates = _votes(keys, registry)
    taken = _resolve(candidates)
    clusters = pd.unique(cluster.to_numpy())
    if matcher is not None and not registry.empty:
        left = [c for c in clusters if int(c) not in taken]
        taken_seq = np.fromiter((int(i[len(ID_PREFIX):]) for i in taken.values()),
                                dtype=np.int64, count=len(taken))
        free = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), taken_seq)]
        if left and not free.empty:
            fuzzy = matcher(keys[keys["cluster"].isin(left)], free)
            if not fuzzy.empty:
                votes = fuzzy.groupby(["cluster", "id"], sort=False).agg(
                    votes=("row", "nunique"), seq=("seq", "min")).reset_index()
                for c, id_ in _resolve(votes.assign(strength=0)).items():
                    taken.setdefault(c, id_)

    seq = next_seq
    if not registry.empty:  # the counter never goes back, even if the stored one did
        seq = max(seq, int(registry["seq"].max()) + 1)
    new_ids = 0
    kept_rows = kept[kept].index
    kept_cluster = cluster.loc[kept_rows]
    ordered_clusters = kept_cluster.to_numpy()
    id_of: dict[int, str] = {}
    for c in ordered_clusters:  # new ids in sheet order, so the numbering reads naturally
        c = int(c)
        if c in taken:
            id_of[c] = taken[c]
        else:
            id_of[c] = format_id(seq)
            seq += 1
            new_ids += 1
    ids = pd.Series([id_of[int(c)] for c in ordered_clusters], index=kept_rows, dtype=object)

    first = registry.drop_duplicates("id").set_index("id")["first_seen"] if not registry.empty \
        else pd.Series(dtype=object)
    first_seen = ids.map(first).astype(object)
    first_seen = first_seen.where(first_seen.notna(), now)

    # New registry: current keys for every id seen now, old keys of ids not seen kept as they are.
    seq_of = {id_: int(id_[len(ID_PREFIX):]) for id_ in id_of.values()}
    current = keys.copy()
    current["id"] = current["cluster"].astype(int).map(id_of)
    current["seq"] = current["id"].map(seq_of).astype("int64")
    current["first_seen"] = current["id"].map(dict(zip(ids, first_seen, strict=True)))
    current["last_seen"] = now
    current = current[list(REGISTRY_COLUMNS)].drop_duplicates(["id", "unit_code", "title_fold", "fold"])
    seen = np.fromiter(seq_of.values(), dtype=np.int64, count=len(seq_of))
    older = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), seen)] \
        if not registry.empty else empty_registry()
    updated = pd.concat([older, current], ignore_index=True) if len(older) else current
    updated = updated.reset_index(drop=True)
    return IdAssignment(ids=ids, first_seen=first_seen, registry=updated, next_seq=seq,
                        new_ids=new_ids)


def id_sequence(ids: pd.Series) -> np.ndarray:
    return ids.str.slice(len(ID_PREFIX)).astype("int64").to_numpy()

