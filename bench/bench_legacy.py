"""Benchmark of the Vietnamese text layer on 1,000,000 rows (a script, not a test).

Builds six text columns of realistic unit-sheet data — mostly Unicode, ~0.5 % of rows typed in
TCVN3 and ~0.5 % in VNI, with the NFD text, odd spaces and repeated values real sheets have — and
times `legacy.decode_frame` and `text_columns` (`clean_series`, `exact_keys`, `folded_keys`).

    .venv/bin/python bench/bench_legacy.py [--rows N] [--seed S]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync import legacy, text_columns

SURNAMES = (["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + ["Hoàng", "Huỳnh"] * 3
            + ["Phan"] * 4 + ["Vũ", "Võ"] * 2 + ["Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"])
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Hữu", "Quốc", "Thanh", "Ngọc", "Xuân", "Công", "Thu", ""]
GIVENS = ["An", "Bình", "Cường", "Dũng", "Đông", "Giang", "Hà", "Hải", "Hạnh", "Hòa", "Hoà", "Hùng",
          "Hương", "Khoa", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quang",
          "Sơn", "Tâm", "Thảo", "Thủy", "Thuỷ", "Trung", "Tuấn", "Việt", "Yến", "Ơn", "Ưng"]
ACTIONS = ["Cải tiến", "Chế tạo", "Ứng dụng", "Nâng cao hiệu quả", "Thiết kế", "Hợp lý hoá",
           "Giải pháp", "Nghiên cứu", "Tối ưu hoá", "Số hoá", "Đổi mới"]
OBJECTS = ["bộ gá hàn cốt thép dầm", "máy trộn bê tông", "quy trình lắp dựng cốp pha nhôm",
           "hệ thống con lăn kéo cáp", "giàn giáo bao che công trình", "trạm trộn bê tông số 1",
           "xe nâng hàng trong xưởng", "hệ thống điện chiếu sáng tiết kiệm năng lượng",
           "quy trình nghiệm thu khối lượng", "phần mềm quản lý vật tư", "cần trục tháp",
           "thiết bị cắt uốn thép", "khuôn đúc ống cống ly tâm", "công tác an toàn lao động"]
PLACES = ["tại công trình thuỷ điện Lai Châu", "cho nhà cao tầng", "ở Xí nghiệp số 2",
          "tại Nhà máy xi măng Hà Tiên", "trên tuyến cao tốc Bắc – Nam", "", "", ""]
UNITS = ["Phòng Kỹ thuật", "Xí nghiệp Cơ khí", "Đội thi công số 3", "Phòng Tài chính – Kế toán",
         "Ban Quản lý dự án", "Xưởng sửa chữa", "Công đoàn Tổng công ty Sông Đà",
         "Phòng Tổ chức – Hành chính"]
FIELDS = ["Xây dựng", "Cơ khí", "Điện", "Quản lý", "An toàn lao động", "Môi trường", "Tài chính"]
SUMMARY_TEXT = ("giảm thời gian thi công tiết kiệm vật tư nâng cao năng suất lao động bảo đảm an "
                "toàn cho người lao động chất lượng công trình được nâng lên rõ rệt áp dụng rộng "
                "rãi tại các đơn vị trong toàn Tổng công ty")
SUMMARY_WORDS = SUMMARY_TEXT.split()
NOTES = ["", "", "", "", "Đã nghiệm thu", "Khen thưởng cấp cơ sở", "Hồ sơ đầy đủ", "Tô Hoài", "x"]


def _name(rng: random.Random) -> str:
    parts = [rng.choice(SURNAMES), rng.choice(MIDDLES), rng.choice(GIVENS)]
    return " ".join(p for p in parts if p)


def make_frame(rows: int, seed: int = 1) -> pd.DataFrame:
    """A unit-sheet-like frame (object columns, mixed cells)."""
    return make_frame_with_truth(rows, seed)[0]


def make_frame_with_truth(
    rows: int, seed: int = 1
) -> tuple[pd.DataFrame, dict[str, np.ndarray], np.ndarray]:
    """(frame, the columns before legacy encoding, the legacy encoding of each row or None).

    Distinct values are generated once and sampled, as in real sheets where names, units and
    fields repeat and titles mostly do not. (The truth is not kept in `frame.attrs`: pandas
    deep-copies attrs on every column access.)"""
    rng = random.Random(seed)
    n_titles = max(rows * 4 // 5, 1)
    titles = [f"{rng.choice(ACTIONS)} {rng.choice(OBJECTS)} {rng.choice(PLACES)}".strip()
              + (f" (đợt {i % 97})" if i % 3 else "") for i in range(n_titles)]
    authors = [", ".join(_name(rng) for _ in range(rng.choice((1, 1, 2, 3))))
               for _ in range(max(rows // 4, 1))]
    summaries = [" ".join(rng.choices(SUMMARY_WORDS, k=rng.randint(8, 30)))
                 for _ in range(max(rows * 4 // 5, 1))]
    np_rng = np.random.default_rng(seed)

    def sample(pool: list[str]) -> np.ndarray:
        return np.asarray(pool, dtype=object)[np_rng.integers(0, len(pool), rows)]

    frame = pd.DataFrame({  # object dtype, as the readers deliver mixed cells
        "title": sample(titles), "authors": sample(authors), "workplace": sample(UNITS),
        "field": sample(FIELDS), "summary": sample(summaries), "note": sample(NOTES),
    })
    # Realistic noise: some NFD text, NBSP, numbers and empty cells.
    idx = np_rng.choice(rows, size=rows // 50, replace=False)
    col = frame["title"].to_numpy(dtype=object)
    for i in idx:
        col[i] = unicodedata.normalize("NFD", col[i]).replace(" ", "\u00a0", 1)
    frame["title"] = col
    note = frame["note"].to_numpy(dtype=object)
    note[np_rng.choice(rows, size=rows // 100, replace=False)] = 12.5
    note[np_rng.choice(rows, size=rows // 100, replace=False)] = None
    frame["note"] = note
    # ~0.5 % of rows in TCVN3 and ~0.5 % in VNI, whole rows as when a unit pastes an old file.
    truth = {c: frame[c].to_numpy(dtype=object).copy() for c in frame.columns}
    row_encoding = np.full(rows, None, dtype=object)
    picked = np_rng.permutation(rows)
    start = 0
    for enc, share in (("tcvn3", 0.005), ("vni", 0.005)):
        rows_enc = picked[start:start + int(rows * share)]
        start += len(rows_enc)
        row_encoding[rows_enc] = enc
        for c in ("title", "authors", "workplace", "summary"):
            values = frame[c].to_numpy(dtype=object)
            values[rows_enc] = [legacy.encode(v, enc) for v in values[rows_enc]]
            frame[c] = values
    # Readers deliver object columns (strings mixed with numbers, dates and None); pandas 3 would
    # otherwise infer its pyarrow-backed `str` dtype for all-string columns.
    return frame.astype(object), truth, row_encoding


def accuracy(frame: pd.DataFrame, out: pd.DataFrame, found: pd.DataFrame,
             truth: dict[str, np.ndarray], row_encoding: np.ndarray) -> dict[str, int]:
    """Compare decode_frame's output with the text before encoding."""
    stats = {"legacy cells": 0, "converted right": 0, "converted, case lost": 0, "missed": 0,
             "unicode converted (must be 0)": 0, "wrong text": 0}
    for c in frame.columns:
        before = frame[c].to_numpy(dtype=object)
        after = out[c].to_numpy(dtype=object)
        marks = found[c].to_numpy(dtype=object)
        for i in np.flatnonzero(marks != None):  # noqa: E711 - elementwise on object arrays
            if before[i] is truth[c][i] or before[i] == truth[c][i]:
                stats["unicode converted (must be 0)"] += 1
        for i in np.flatnonzero(row_encoding != None):  # noqa: E711
            if not isinstance(truth[c][i], str) or before[i] == truth[c][i]:
                continue
            stats["legacy cells"] += 1
            expected = unicodedata.normalize("NFC", truth[c][i])  # encoding normalises
            if marks[i] is None:
                stats["missed"] += 1
            elif after[i] == expected:
                stats["converted right"] += 1
            elif after[i].lower() == expected.lower():  # TCVN3 has no capital toned letters
                stats["converted, case lost"] += 1
            else:
                stats["wrong text"] += 1
    return stats


def _time(label: str, fn, repeat: int = 1) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best:8.3f} s")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, pandas {pd.__version__}, "
          f"{platform.machine()} {platform.processor() or ''}".strip())
    start = time.perf_counter()
    frame, truth, row_encoding = make_frame_with_truth(args.rows, args.seed)
    print(f"generated {len(frame):,} rows x {frame.shape[1]} text columns in "
          f"{time.perf_counter() - start:.1f} s")
    columns = list(frame.columns)
    result: dict[str, pd.DataFrame] = {}

    def run_decode() -> None:
        legacy._classify.cache_clear()
        legacy._token_evidence.cache_clear()
        result["out"], result["enc"] = legacy.decode_frame(frame, columns)

    _time("decode_frame (6 columns, cold caches)", run_decode)
    enc = result["enc"]
    counts = enc.stack().value_counts().to_dict() if enc.notna().any().any() else {}
    print(f"  converted cells: {counts}")
    print(f"  accuracy: {accuracy(frame, result['out'], result['enc'], truth, row_encoding)}")
    out = result["out"]
    _time("clean_series (title)", lambda: text_columns.clean_series(out["title"]))
    _time("clean_series (6 columns)", lambda: [text_columns.clean_series(out[c]) for c in columns])
    cleaned = text_columns.clean_series(out["title"])
    _time("exact_keys (title)", lambda: text_columns.exact_keys(cleaned))
    _time("folded_keys (title)", lambda: text_columns.folded_keys(cleaned))
    _time("folded_keys (authors)", lambda: text_columns.folded_keys(out["authors"]))


if __name__ == "__main__":
    main()
