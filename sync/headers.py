"""Column headers as units type them → keys to match against the catalogue's headers and aliases.

A header row may be typed in TCVN3 or VNI (`Tªn s¸ng kiÕn`): it is decoded (`sync.legacy`) before
it is folded (`text.header_fold`). Kept apart from `sync.text`, which is plain string functions
without pandas, so that the text worker process (`sync.text_worker`) starts without it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

import pandas as pd

from sync import legacy
from sync.text import clean_text, header_fold

__all__ = ["header_key", "header_row_keys"]


@lru_cache(maxsize=4096)
def header_key(s: str) -> str:
    """Key to match a column header against the catalogue's headers and aliases.

    Legacy-decoded when the header is TCVN3/VNI/mojibake (`Tªn s¸ng kiÕn`, `Teân saùng kieán`),
    folded, lower case, text in parentheses or brackets removed (`Giá trị làm lợi (đồng/năm)` →
    `gia tri lam loi`), punctuation as spaces, spaces collapsed. A single header with too little
    evidence (`Ghi chó` is TCVN3 for `Ghi chú`, but `chó` is also a word) is read as Unicode;
    `header_row_keys` decides for a whole header row at once.
    """
    if not isinstance(s, str):
        s = "" if s is None else str(s)
    encoding = legacy.detect(s)  # before cleaning: mojibake needs its no-break spaces
    if encoding is not None:
        s = legacy.decode(s, encoding)
    return header_fold(clean_text(s))


def header_row_keys(
    cells: Sequence[object], known: Collection[str] | None = None
) -> list[str]:
    """`header_key` for every cell of one row, with the legacy encoding decided for the row: a
    header row is typed in one encoding, so cells too short to tell (`Ghi chó`, `Lo¹i`) follow the
    others. A cell that reads as words either way (`Ghi chó` is also Unicode "dog's note") takes
    the reading found in `known` (header keys of the catalogue) when exactly one of them is;
    otherwise the row's encoding. Cells with Unicode-only letters are never decoded."""
    texts = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in cells]
    frame = pd.DataFrame({i: [t] for i, t in enumerate(texts)}, dtype=object)
    decoded, found = legacy.decode_frame(frame, list(frame.columns))
    votes: dict[str, int] = {}
    for enc in found.iloc[0].tolist():
        if enc is not None:
            votes[enc] = votes.get(enc, 0) + 1
    row_encoding = max(votes, key=lambda e: votes[e]) if votes else None
    keys = []
    for raw, value, enc in zip(texts, decoded.iloc[0].tolist(), found.iloc[0].tolist(),
                               strict=True):
        key = header_fold(clean_text(value))
        if enc is None and row_encoding in ("tcvn3", "vni") and _all_legacy_ok(raw, row_encoding):
            other = header_fold(clean_text(legacy.decode(raw, row_encoding)))
            if known is None or (other in known and key not in known):
                key = other
        keys.append(key)
    return keys


def _all_legacy_ok(text: str, encoding: str) -> bool:
    """True when decoding `text` breaks no word and does not run into Unicode Vietnamese."""
    counts = legacy.scores(text)[encoding]
    return counts["neg"] == 0 and counts["uni"] == 0 and (counts["pos"] + counts["amb"]) > 0
