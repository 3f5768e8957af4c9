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
from sync.frames import TEXT, positions_of
from sync.memory import release_freed_memory

ID_PREFIX = "SK"
ID_DIGITS = 7
REGISTRY_COLUMNS = ("id", "seq", "first_seen", "last_seen", "unit_code", "title_fold", "fold")
# The times of the registry's lines are a few distinct values for millions of lines: kept (and
# stored, as Parquet dictionaries) as categories, ≈4 MiB instead of ≈150 at a million rows.
_SIGHTINGS = ("first_seen", "last_seen")

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


@dataclass(slots=True)
class _Lines:
    """One line per (clustered row, author fold) as positions and codes, without text: at a
    million rows the lines are about two million, and each text column of them ≈200 MiB. Rows
    without authors get one line with the empty fold so they still carry their title. Title and
    fold codes are joint with the registry's (`_joint_codes`): equal text, equal code."""

    row: np.ndarray  # position of the line's row in `rows`
    cluster: np.ndarray
    mention: np.ndarray  # position of its author in `authors`; -1: the row has none
    unit: np.ndarray
    title: np.ndarray
    fold: np.ndarray
    named: np.ndarray  # the line has an author fold


@dataclass(slots=True)
class _RegistryCodes:
    title: np.ndarray
    fold: np.ndarray
    named: np.ndarray


def _stored(registry: pd.DataFrame, column: str) -> list[pd.Series]:
    return [] if registry.empty else [registry[column]]


def _lines(rows: pd.DataFrame, authors: pd.DataFrame, cluster: pd.Series,
           registry: pd.DataFrame) -> tuple[_Lines, _RegistryCodes]:
    """The lines of this run's clustered rows and the codes of the registry's lines."""
    # Units tell this run's lines apart only (votes match titles and authors): not joint.
    unit_codes = _joint_codes(rows["unit_code"])
    title_codes = _joint_codes(rows["title_fold"], *_stored(registry, "title_fold"))
    fold_codes = _joint_codes(authors["fold"], pd.Series([""], dtype=TEXT),
                              *_stored(registry, "fold"))
    blank = fold_codes[1][0]  # the code of the empty fold (and of a missing one)

    at = rows.index.get_indexer(cluster.index)  # clustered row → position in `rows`
    line_of_position = np.full(len(rows), -1, dtype=np.int64)
    line_of_position[at] = np.arange(len(at))
    author_position = rows.index.get_indexer(authors["row"])
    every_author_line = np.where(author_position >= 0, line_of_position[author_position], -1)
    author_at = np.flatnonzero(every_author_line >= 0)
    # Every clustered row, then one more line per further author of it (one per folded name).
    author_at = author_at[_first_lines(every_author_line[author_at], fold_codes[0][author_at])]
    author_line = every_author_line[author_at]
    with_author = np.zeros(len(at), dtype=bool)
    with_author[author_line] = True
    lonely = np.flatnonzero(~with_author)
    line = np.concatenate([author_line, lonely])
    mention = np.concatenate([author_at, np.full(len(lonely), -1, dtype=np.int64)])
    order = np.argsort(line, kind="stable")
    line, mention = line[order], mention[order]
    row = at[line]
    fold = np.where(mention >= 0, fold_codes[0][np.maximum(mention, 0)], blank)
    lines = _Lines(row=row, cluster=cluster.to_numpy(dtype=np.int64)[line], mention=mention,
                   unit=unit_codes[0][row], title=title_codes[0][row], fold=fold,
                   named=fold != blank)
    stored = _RegistryCodes(
        title=title_codes[1] if len(title_codes) > 1 else np.zeros(0, np.int64),
        fold=fold_codes[2] if len(fold_codes) > 2 else np.zeros(0, np.int64),
        named=(registry["fold"] != "").to_numpy(dtype=bool) if not registry.empty
        else np.zeros(0, bool))
    return lines, stored


def _text_at(column: pd.Series, positions: np.ndarray) -> pd.Series:
    """`column` at `positions` as Arrow-backed text, "" where a position is -1 or the value is
    missing (lines come in row order: see `similarity.take_in_order`)."""
    text = similarity.take_in_order(similarity.arrow_chunks(column), positions)
    return pd.Series(pd.arrays.ArrowStringArray(text, dtype=TEXT))


def _first_lines(*codes: np.ndarray) -> np.ndarray:
    """True for the first line of each distinct combination of the code columns. The columns
    are paired one at a time into a single int64 key (a hash table of one column instead of
    pandas' `duplicated` over several: ≈150 MiB less at two million lines)."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for column in codes:
        width = np.int64(int(column.max(initial=0)) + 1)
        paired, _ = pd.factorize(key * width + column.astype(np.int64))
        key = paired.astype(np.int64)
    # `factorize` numbers in order of appearance: a line is first where its number is new.
    highest = np.maximum.accumulate(key)
    return np.r_[True, highest[1:] > highest[:-1]] if len(key) else np.zeros(0, dtype=bool)


def _line_texts(lines: _Lines, mask: np.ndarray, rows: pd.DataFrame,
                authors: pd.DataFrame) -> pd.DataFrame:
    """The lines under `mask` with their text, as a `Matcher` reads them."""
    row, mention = lines.row[mask], lines.mention[mask]
    return pd.DataFrame({
        "row": rows.index[row], "cluster": lines.cluster[mask],
        "unit_code": _text_at(rows["unit_code"], row),
        "title_fold": _text_at(rows["title_fold"], row),
        "fold": _text_at(authors["fold"], mention),
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


def _votes(lines: _Lines, registry: pd.DataFrame, stored: _RegistryCodes) -> pd.DataFrame:
    """Candidate (cluster, seq) pairs with a strength (2: same title and a shared author) and a
    vote count (how many of the cluster's rows point to that id)."""
    columns = ["cluster", "seq", "strength", "votes"]
    if registry.empty or len(lines.row) == 0:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in columns})
    mine = pd.DataFrame({"cluster": lines.cluster, "row": lines.row, "t": lines.title,
                         "f": lines.fold})
    reg = pd.DataFrame({"seq": registry["seq"].to_numpy(dtype=np.int64), "t": stored.title,
                        "f": stored.fold})
    strong = mine[lines.named].merge(reg[stored.named], on=["t", "f"], suffixes=("", "_reg"))
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
    lines, stored = _lines(rows, authors, cluster, registry)
    release_freed_memory()  # the hash tables of the codes (hundreds of MiB at a million rows)
    taken = _resolve(_votes(lines, registry, stored))
    if matcher is not None and not registry.empty:
        placed = np.fromiter(taken, dtype=np.int64, count=len(taken))
        left = ~np.isin(lines.cluster, placed)
        taken_seq = np.fromiter(taken.values(), dtype=np.int64, count=len(taken))
        free = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), taken_seq)]
        if left.any() and not free.empty:
            fuzzy = matcher(_line_texts(lines, left, rows, authors), free)
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
    ids = format_ids(seq_of_kept).set_axis(kept_rows)

    # One Python string for every new id's first sighting, not one per row; a known id's from
    # its first registry line, through the few distinct sightings (no copy of the registry, no
    # Python string per line: ≈400 MiB at a million rows).
    first_values = np.full(len(seq_of_kept), now, dtype=object)
    if not registry.empty:
        stored_seq, first_line = np.unique(registry["seq"].to_numpy(dtype=np.int64),
                                           return_index=True)
        at = np.minimum(np.searchsorted(stored_seq, seq_of_kept), len(stored_seq) - 1)
        found = stored_seq[at] == seq_of_kept
        codes, sightings = pd.factorize(registry["first_seen"])
        code = codes[first_line[at[found]]]
        first_values[found] = np.where(
            code >= 0, np.asarray(sightings, dtype=object)[np.maximum(code, 0)], now)
    first_seen = pd.Series(first_values, index=kept_rows, dtype=object)

    # New registry: current keys for every id seen now, old keys of ids not seen kept as they are.
    line_kept = positions_of(ordered_clusters, lines.cluster)  # each line's kept row
    line_seq = seq_of_kept[line_kept]
    # One line per distinct (id, unit, title, author), found on the codes: the text is copied
    # once, for the lines stored.
    distinct = _first_lines(line_seq, lines.unit, lines.title, lines.fold)
    line_kept = line_kept[distinct]
    line_seq = seq_of_kept[line_kept]
    row, mention = lines.row[distinct], lines.mention[distinct]
    del lines
    release_freed_memory()  # before the stored lines' text is made
    current = pd.DataFrame({
        "id": format_ids(line_seq), "seq": line_seq,
        "first_seen": pd.Categorical(first_values[line_kept]),
        "last_seen": pd.Categorical.from_codes(np.zeros(len(line_seq), dtype=np.int8), [now]),
        "unit_code": _text_at(rows["unit_code"], row),
        "title_fold": _text_at(rows["title_fold"], row),
        "fold": _text_at(authors["fold"], mention),
    })
    older = registry[~np.isin(registry["seq"].to_numpy(dtype=np.int64), seq_of_kept)] \
        if not registry.empty else empty_registry()
    updated = pd.concat([older, current], ignore_index=True) if len(older) else current
    updated = updated.reset_index(drop=True)
    for column in _SIGHTINGS:  # categories of different runs concatenate as objects
        if not isinstance(updated[column].dtype, pd.CategoricalDtype):
            updated[column] = updated[column].astype("category")
    return IdAssignment(ids=ids, first_seen=first_seen, registry=updated, next_seq=seq,
                        new_ids=new_ids)


def id_sequence(ids: pd.Series) -> np.ndarray:
    return ids.str.slice(len(ID_PREFIX)).astype("int64").to_numpy()

