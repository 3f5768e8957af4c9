"""splink (DuckDB backend) on the same rows, as a baseline for `bench/bench_dedupe.py`.

A fair, conventional splink set-up for this data, built from the same validated keys our
deduplicator reads (never from the truth labels):

- records: one per valid row — folded title, exact title key, the folded author names as an array,
  the first author, the unit;
- comparisons: title (exact folded key / Jaro-Winkler ≥ 0.97 / ≥ 0.92 on the folded key), authors
  (array intersection of size ≥ 2 / ≥ 1), the numbers written in the title (exact: the feature a
  modeller adds after seeing `số 1` / `số 2` merged), unit (exact);
- blocking for predictions: same folded title; same first author and the same first 12 letters of
  the title; same first author and the same last 12 letters (typos land in one half or the other);
- training: u by random sampling (1e6 pairs), then expectation maximisation twice (blocked on the
  title, then on the first author), splink's documented unsupervised recipe;
- clusters: connected components of pairs scored ≥ `THRESHOLD` match probability (0.95 as in
  splink's examples; `tune_threshold` reports the best F1 over thresholds, which uses the labels
  and is therefore only a ceiling).

Only imported by the benchmark (`splink` and `duckdb` are bench-only dependencies).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import numpy as np
import pandas as pd

THRESHOLD = 0.95


def records(rows: pd.DataFrame, authors: pd.DataFrame) -> pd.DataFrame:
    """One splink record per row (position `unique_id` in `rows`)."""
    pos = pd.Series(np.arange(len(rows)), index=rows.index)
    mine = authors[authors["row"].isin(rows.index)]
    mine = mine.assign(uid=pos.reindex(mine["row"]).to_numpy()).sort_values(["uid", "position"])
    folds = mine.groupby("uid")["fold"].agg(lambda s: sorted(set(s)))
    first = mine.drop_duplicates("uid").set_index("uid")["fold"]
    fold = rows["title_fold"].astype(str).to_numpy()
    return pd.DataFrame({
        "unique_id": np.arange(len(rows)),
        "title": fold,
        "title_key": rows["title_key"].astype(str).to_numpy(),
        "title_head": [t[:12] for t in fold],
        "title_tail": [t[-12:] for t in fold],
        "authors": folds.reindex(np.arange(len(rows))).map(
            lambda v: v if isinstance(v, list) else []).to_numpy(),
        "first_author": first.reindex(np.arange(len(rows))).fillna("").to_numpy(),
        "title_numbers": [" ".join(re.findall(r"\d+", t)) for t in fold],
        "unit_code": rows["unit_code"].astype(str).to_numpy(),
    })


def splink_clusters(rows: pd.DataFrame, authors: pd.DataFrame,
                    threshold: float = THRESHOLD) -> tuple[np.ndarray, dict[str, Any]]:
    """Cluster labels (aligned with `rows`) and timings."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    frame = records(rows, authors)
    db = DuckDBAPI()
    data = db.register(frame)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("title", [0.97, 0.92]),
            cl.ArrayIntersectAtSizes("authors", [2, 1]),
            cl.ExactMatch("title_numbers"),
            cl.ExactMatch("unit_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("title"),
            block_on("first_author", "title_head"),
            block_on("first_author", "title_tail"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(data, settings, log_level=logging.ERROR)
    prepared = time.perf_counter()
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("title"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_author"))
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold)
    table = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    done = time.perf_counter()
    labels = pd.Series(table["cluster_id"].to_numpy(), index=table["unique_id"].to_numpy())
    codes = pd.factorize(labels.reindex(np.arange(len(rows))).to_numpy())[0]
    pairs = predictions.as_pandas_dataframe()[["unique_id_l", "unique_id_r",
                                                "match_probability"]]
    stats = {"threshold": threshold, "seconds": {
        "prepare": round(prepared - t0, 2), "train": round(trained - prepared, 2),
        "predict_and_cluster": round(done - trained, 2)},
        "scored_pairs": len(pairs)}
    stats["_pairs"] = pairs
    return codes, stats


def tune_threshold(pairs: pd.DataFrame, n: int, entity: np.ndarray,
                   score: Any) -> dict[str, float]:
    """Best pairwise F1 over match-probability thresholds (uses the labels: a ceiling only)."""
    from sync.dedupe import components

    best: dict[str, float] = {}
    for threshold in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999):
        kept = pairs[pairs["match_probability"] >= threshold]
        labels = components(n, kept["unique_id_l"].to_numpy(), kept["unique_id_r"].to_numpy())
        result = score(labels, entity)
        if not best or result["f1"] > best["f1"]:
            best = {"threshold": threshold, **result}
    return best
