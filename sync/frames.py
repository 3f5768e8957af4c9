"""Column-wise helpers the stages share, where pandas' own way is a Python loop per group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pd.StringDtype("pyarrow", np.nan)  # pandas' `str`, Arrow-backed: compact text columns


def join_by_group(groups: pd.Series, values: pd.Series, sep: str = ", ") -> pd.Series:
    """`values.groupby(groups).agg(sep.join)` in Arrow: the text of each group joined in the
    order given. `groups` must already be sorted (equal keys adjacent); the result is indexed by
    the distinct group keys in that order."""
    if groups.empty:
        return pd.Series([], dtype=TEXT)
    keys = groups.to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    offsets = pa.array(np.r_[starts, len(keys)].astype(np.int64))
    # The text as Arrow holds it (no Python string per value), nulls as empty text.
    texts = pc.fill_null(pa.array(values, from_pandas=True), "").cast(pa.large_string())
    joined = pc.binary_join(pa.LargeListArray.from_arrays(offsets, texts),
                            pa.scalar(sep, pa.large_string()))
    return pd.Series(pd.array(joined, dtype=TEXT), index=keys[starts])


def positions_of(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of `wanted` is in `keys` (distinct values; every wanted one present), found by
    sorting: a pandas index lookup would build a hash table and keep it cached on the index."""
    order = np.argsort(keys, kind="stable")
    return order[np.searchsorted(keys[order], wanted)]


def emptied(frame: pd.DataFrame) -> pd.DataFrame:
    """An empty frame with `frame`'s columns and dtypes that keeps none of its memory (an empty
    slice of an Arrow-backed frame still holds the whole columns' buffers)."""
    return pd.DataFrame({c: pd.Series(dtype=frame[c].dtype) for c in frame.columns})
