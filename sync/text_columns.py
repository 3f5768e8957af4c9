"""The `sync.text` functions on whole pandas columns.

Each calls its per-value function once per distinct value (a memo) unless the column is mostly
distinct; non-string cells (NA, numbers, dates) pass through unchanged, and a `str` column stays a
`str` column.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sync.text import clean_text, exact_key, fold, folded_key

__all__ = ["clean_series", "exact_keys", "fold_series", "folded_keys"]


def _map_strings(series: pd.Series, fn: Callable[[str], str]) -> pd.Series:
    """Apply `fn` to the string cells of `series`, each distinct value once; other cells (NA,
    numbers, dates) unchanged."""
    values = series.to_numpy(dtype=object, copy=False)
    sample = [x for x in values[:2000] if x.__class__ is str]
    if len(set(sample)) > 0.9 * len(sample):
        # Mostly distinct values (titles, summaries): a memo would cost more than it saves.
        result = np.empty(len(values), dtype=object)
        result[:] = [fn(x) if x.__class__ is str else x for x in values]
        return _like(series, result)
    memo: dict[str, str] = {}
    get = memo.get

    def one(x: str) -> str:
        value = fn(x)
        memo[x] = value
        return value

    result = np.empty(len(values), dtype=object)
    result[:] = [
        (v if (v := get(x)) is not None else one(x)) if x.__class__ is str else x
        for x in values
    ]
    return _like(series, result)


def _like(series: pd.Series, values: np.ndarray) -> pd.Series:
    dtype = series.dtype if isinstance(series.dtype, pd.StringDtype) else object
    return pd.Series(values, index=series.index, name=series.name, dtype=dtype)


def clean_series(s: pd.Series) -> pd.Series:
    """`clean_text` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, clean_text)


def exact_keys(s: pd.Series) -> pd.Series:
    """`exact_key` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, exact_key)


def folded_keys(s: pd.Series) -> pd.Series:
    """`folded_key` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, folded_key)


def fold_series(s: pd.Series) -> pd.Series:
    """`fold` on every string cell; NA and non-strings pass through unchanged."""
    return _map_strings(s, fold)
