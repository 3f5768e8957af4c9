"""Column-wise helpers the stages share, where pandas' own way is a Python loop per group."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def join_by_group(groups: pd.Series, values: pd.Series, sep: str = ", ") -> pd.Series:
    """`values.groupby(groups).agg(sep.join)` in Arrow: the text of each group joined in the
    order given. `groups` must already be sorted (equal keys adjacent); the result is indexed by
    the distinct group keys in that order."""
    if groups.empty:
        return pd.Series([], dtype=object)
    keys = groups.to_numpy()
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    offsets = np.r_[starts, len(keys)].astype(np.int32)
    texts = pa.array(values.astype(object).where(values.notna(), "").to_numpy(dtype=object),
                     type=pa.string())
    lists = pa.ListArray.from_arrays(pa.array(offsets), texts)
    joined = pc.binary_join(lists, sep)
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=keys[starts], dtype=object)
