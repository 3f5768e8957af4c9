"""Stable initiative ids (`Mã sáng kiến`, SPEC §5): an initiative keeps its id across runs.

The state keeps, for every id ever given, the keys of the rows it was last seen with: unit, folded
title and each author's folded name. A new run matches its clusters to those keys:

1. exact: a row has the same folded title and a shared author as an id's row (re-sorting, moving
   between tabs or units, adding a co-author, the kept row deleted while a duplicate remains);
2. fuzzy (`matcher`, by default `title_matcher`): a near-identical title with a shared
   author (a typo fixed), only for clusters the exact keys could not place and only against ids no
   other cluster took. "Near-identical" is the deduplication rule (`sync.similarity`) on folded
   titles: a title whose number or object changed is a new initiative and gets a new id.

The same title with no shared author is a different initiative (SPEC §5), so it never takes an
id: a deleted initiative's id cannot pass to a same-titled one by other people.

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
import pyarrow as pa
import pyarrow.compute as pc

from sync import similarity
from sync.frames import TEXT

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


def format_ids(seqs: np.ndarray) -> pd.Series:
    """`format_id` for many sequence numbers at once, in Arrow kernels (no Python string per id:
    the registry has about two lines per initiative)."""
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(seqs, dtype=np.int64)), pa.large_string()),
                          ID_DIGITS, "0")
    ids = pc.binary_join_element_wise(pa.scalar(ID_PREFIX, pa.large_string()), digits,
                                      pa.scalar("", pa.large_string()))
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([ids]), dtype=TEXT))


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


def _taken(series: pd.Series, positions: np.ndarray) -> pd.Series:
    """`series` at `positions`, dtype kept (no re-inference of strings), fresh index."""
    return series.iloc[positions].reset_index(drop=True)


def _row_keys(rows: pd.DataFrame, authors: pd.DataFrame, cluster: pd.Series) -> pd.DataFrame:
    """One line per (row, author fold) of the clustered rows; rows without authors get one line
    with an empty fold so they still carry their title."""
    at = rows.index.get_indexer(cluster.index)
    author_at = np.flatnonzero(authors["row"].isin(cluster.index).to_numpy())
    author_row = authors["row"].to_numpy()[author_at]
    fold_code = similarity.group_codes(similarity.arrow_strings(_taken(authors["fold"],
                                                                         author_at)))
    first = ~pd.DataFrame({"r": pd.factorize(author_row)[0], "f": fold_code}).duplicated()
    author_at = author_at[first.to_numpy()]
    # Every clustered row, then one more line per further author of it.
    line_of_row = pd.Series(np.arange(len(at)), index=cluster.index)
    author_line = line_of_row.reindex(authors["row"].to_numpy()[author_at]).to_numpy()
    order = np.argsort(author_line, kind="stable")
    author_at, author_line = author_at[order], author_line[order]
    with_author = np.zeros(len(at), dtype=bool)
    with_author[author_line] = True
    lonely = np.flatnonzero(~with_author)
    line = np.concatenate([author_line, lonely])
    fold = pd.concat([_taken(authors["fold"], author_at),
                      pd.Series([""] * len(lonely), dtype=authors["fold"].dtype)],
                     ignore_index=True)
    order = np.argsort(line, kind="stable")
    line = line[order]
    return pd.DataFrame({
        "row": cluster.index[line], "cluster": cluster.to_numpy()[line],
        "unit_code": _taken(rows["unit_code"], at[line]),
        "title_fold": _taken(rows["title_fold"], at[line]),
        "fold": _taken(fold, order).fillna(""),
    })


def _joint_codes(*columns: pd.Series) -> list[np.ndarray]:
    """Integer codes for string columns, equal for equal strings across all of them (one Arrow
    hash table instead of string-keyed merges)."""
    arrays = [similarity.arrow_chunks(c) for c in columns]
    # The columns' chunks side by side: one dictionary for all, no copy of the text.
    joined = pa.chunked_array([chunk for a in arrays for chunk in a.chunks], pa.large_string())
    codes = similarity.group_codes(joined) if arrays else np.zeros(0, np.int64)
    bounds = np.cumsum([0, *(len(a) for a in arrays)])
    return [codes[bounds[i]:bounds[i + 1]] for i in range(len(arrays))]


def _key_codes(keys: pd.DataFrame, registry: pd.DataFrame
               ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Joint codes of the key columns of this run's lines and of the registry."""
    mine: dict[str, np.ndarray] = {}
    theirs: dict[str, np.ndarray] = {}
    for column in ("title_fold", "fold", "unit_code"):
        if registry.empty:
            mine[column] = _joint_codes(keys[column])[0]
        else:
            mine[column], theirs[column] = _joint_codes(keys[column], registry[column])
    return mine, theirs


def _votes(keys: pd.DataFrame, registry: pd.DataFrame, codes: tuple[dict[str, np.ndarray],
                                                                     dict[str, np.ndarray]]
           ) -> pd.DataFrame:
    """Candidate (cluster, seq) pairs with a strength (2: same title and a shared author) and a
    vote count (how many of the cluster's rows point to that id)."""
    columns = ["cluster", "seq", "strength", "votes"]
    if registry.empty or keys.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    (mine_codes, reg_codes) = codes
    k_title, r_title = mine_codes["title_fold"], reg_codes["title_fold"]
    k_fold, r_fold = mine_codes["fold"], reg_codes["fold"]
    k_unit, r_unit = mine_codes["unit_code"], reg_codes["unit_code"]
    k_named = (keys["fold"] != "").to_numpy()
    r_named = (registry["fold"] != "").to_numpy()
    mine = pd.DataFrame({"cluster": keys["cluster"].to_numpy(dtype=np.int64),
                         "row": np.arange(len(keys)), "t": k_title, "f": k_fold, "u": k_unit})
    # `row` here is the key line; the vote counts rows, so map lines to their row.
    row_of_line = pd.factorize(keys["row"])[0]
    mine["row"] = row_of_line
    reg = pd.DataFrame({"seq": registry["seq"].to_numpy(dtype=np.int64), "t": r_title,
                        "f": r_fold, "u": r_unit})
    strong = mine[k_named].merge(reg[r_named], on=["t", "f"], suffixes=("", "_reg"))
    both = strong[["cluster", "row", "seq"]].drop_duplicates().assign(strength=2)
    return both.groupby(["cluster", "seq"], sort=False).agg(
        strength=("strength", "max"), votes=("row", "nunique")).reset_index()[columns]


def _resolve(candidates: pd.DataFrame) -> dict[int, int]:
    """Give each id (by its `seq`) to at most one cluster: best strength, then most votes, then
    oldest id."""
    if candidates.empty:
        return {}
    ordered = candidates.sort_values(["strength", "votes", "seq"], ascending=[False, False, True],
                                     kind="stable")
    best = ordered.drop_duplicates("cluster")
    claimed = best["seq"].value_counts()
    clean = best[best["seq"].map(claimed).eq(1)]
    taken: dict[int, int] = dict(zip(clean["cluster"].astype(int), clean["seq"].astype(int),
                                     strict=True))
    if len(clean) == len(best):
        return taken
    used = set(taken.values())
    contested = set(best["cluster"].astype(int)) - set(taken)
    for cluster, seq in ordered[ordered["cluster"].isin(contested)][
            ["cluster", "seq"]].itertuples(index=False):
        if int(cluster) in taken or int(seq) in used:
            continue
        taken[int(cluster)] = int(seq)
        used.add(int(seq))
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
    exact keys could not (default `title_matcher`; None: exact keys only). Ids are handled as
    their sequence numbers and written out at the end."""
    keys = _row_keys(rows, authors, cluster)
    codes = _key_codes(keys, registry)
    taken = _resolve(_votes(keys, registry, codes))
    if matcher is not None and not registry.empty:
        placed = np.fromiter(taken, dtype=np.int64, count=len(taken))
        left = ~np.isin(keys["cluster"].to_numpy(dtype=np.int64), placed)
        taken_seq = np.fromiter(taken.values(), dtype=np.int64, count=len(taken))
        free = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), taken_seq)]
        if left.any() and not free.empty:
            fuzzy = matcher(keys[left], free)
            if not fuzzy.empty:
                votes = fuzzy.groupby(["cluster", "seq"], sort=False).agg(
                    votes=("row", "nunique")).reset_index()
                for c, seq_ in _resolve(votes.assign(strength=0)).items():
                    taken.setdefault(c, seq_)

    seq = next_seq
    if not registry.empty:  # the counter never goes back, even if the stored one did
        seq = max(seq, int(registry["seq"].max()) + 1)
    kept_rows = kept[kept].index
    ordered_clusters = cluster.loc[kept_rows].to_numpy(dtype=np.int64)
    seq_of_kept = np.empty(len(ordered_clusters), dtype=np.int64)
    new_ids = 0
    for i, c in enumerate(ordered_clusters.tolist()):  # new ids in sheet order: reads naturally
        found = taken.get(c)
        if found is None:
            found, seq, new_ids = seq, seq + 1, new_ids + 1
        seq_of_kept[i] = found
    ids = pd.Series(format_ids(seq_of_kept).to_numpy(dtype=object), index=kept_rows, dtype=object)

    first = pd.Series(dtype=object)
    if not registry.empty:
        unique = registry.drop_duplicates("seq")
        first = pd.Series(unique["first_seen"].to_numpy(dtype=object),
                          index=unique["seq"].to_numpy(dtype=np.int64))
    first_seen = pd.Series(first.reindex(seq_of_kept).to_numpy(dtype=object), index=kept_rows,
                           dtype=object)
    first_seen = first_seen.where(first_seen.notna(), now)

    # New registry: current keys for every id seen now, old keys of ids not seen kept as they are.
    seq_of_cluster = pd.Series(seq_of_kept, index=ordered_clusters)
    first_of_seq = pd.Series(first_seen.to_numpy(dtype=object), index=seq_of_kept)
    line_seq = seq_of_cluster.reindex(keys["cluster"].to_numpy(dtype=np.int64)).to_numpy(
        dtype=np.int64)
    mine = codes[0]
    # One line per distinct (id, unit, title, author), found on the codes before any text is
    # copied (at a million rows each text copy of the lines is ≈300 MiB).
    distinct = ~pd.DataFrame({"s": line_seq, "u": mine["unit_code"], "t": mine["title_fold"],
                              "f": mine["fold"]}).duplicated().to_numpy()
    line_seq = line_seq[distinct]
    current = pd.DataFrame({
        "id": format_ids(line_seq), "seq": line_seq,
        "first_seen": first_of_seq.reindex(line_seq).to_numpy(dtype=object),
        "last_seen": now,
    })
    for column in ("unit_code", "title_fold", "fold"):  # each line column let go once copied
        current[column] = keys.pop(column).array[distinct]
    older = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), seq_of_kept)] \
        if not registry.empty else empty_registry()
    updated = pd.concat([older, current], ignore_index=True) if len(older) else current
    updated = updated.reset_index(drop=True)
    return IdAssignment(ids=ids, first_seen=first_seen, registry=updated, next_seq=seq,
                        new_ids=new_ids)


def id_sequence(ids: pd.Series) -> np.ndarray:
    return ids.str.slice(len(ID_PREFIX)).astype("int64").to_numpy()

