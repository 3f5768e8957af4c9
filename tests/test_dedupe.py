"""Deduplication rules of SPEC §5 (issue 4), on frames made by the real validation stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sync import catalog, legacy
from sync.blocking import candidate_pairs
from sync.config import ProgramConfig
from sync.dedupe import MERGED, REVIEW, Dedupe, components, deduplicate
from sync.similarity import FOLD, NOT_NEAR, SAME, TYPO, Titles, compare
from sync.text import exact_key
from sync.validate import ValidatedRows, validate

PROGRAM = ProgramConfig("test", Fraction(1, 10), dt.date(2021, 9, 1), dt.date(2023, 9, 1),
                        catalog.DEFAULT_COUNTED_STATUSES)
DAY = dt.date(2022, 3, 5)


def row(title: str, authors: str, unit: str = "A1", applied: Any = DAY, tab: str = "Sáng kiến",
        **extra: Any) -> dict[str, Any]:
    return {"unit_code": unit, "tab": tab, "title": title, "authors": authors,
            "solution_type": "Giải pháp kỹ thuật", "applied_on": applied, **extra}


def validated(rows: Sequence[dict[str, Any]]) -> ValidatedRows:
    """Validate rows given as dicts; sheet rows are numbered from 4 per (unit, tab)."""
    frame = pd.DataFrame(list(rows))
    frame["row"] = frame.groupby(["unit_code", "tab"]).cumcount() + 4
    result = validate(frame, {}, PROGRAM, dt.date(2024, 1, 1))
    assert result.rows["valid"].all(), result.findings[["code", "value"]]
    return result


def dedupe(rows: Sequence[dict[str, Any]]) -> tuple[Dedupe, ValidatedRows]:
    v = validated(rows)
    return deduplicate(v.rows[v.rows["valid"]], v.authors), v


def groups(result: Dedupe) -> list[list[int]]:
    """Clusters as sorted lists of row positions, for rows in more than one-row clusters."""
    by = result.cluster.groupby(result.cluster).apply(lambda s: sorted(s.index.tolist()))
    return sorted(g for g in by if len(g) > 1)


def verdicts(result: Dedupe) -> set[tuple[int, int, str]]:
    return {(int(r), int(k), v) for r, k, v in
            zip(result.pairs["row"], result.pairs["kept_row"], result.pairs["verdict"], strict=True)}


# --------------------------------------------------------------------------------------------------
# Title similarity
# --------------------------------------------------------------------------------------------------

def kind_of(a: str, b: str, background: Sequence[str] = ()) -> int:
    titles = Titles.build([exact_key(t) for t in (a, b, *background)])
    return int(compare(titles, np.array([0]), np.array([1])).kind[0])


@pytest.mark.parametrize(("a", "b", "kind"), [
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn bê tông", SAME),
    ("Cải tiến máy trộn bê tông", "CẢI TIẾN  máy trộn bê-tông.", SAME),
    ("Cải tiến máy trộn bê tông", "Cai tien may tron be tong", FOLD),
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn bêtông", FOLD),
    ("Hợp lý hóa quy trình nghiệm thu", "Hợp lý hoá quy trình nghiệm thu", SAME),
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn bê tôg", TYPO),
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn bê tông", SAME),
    ("Cải tiến máy trộn bê tông tại công trường", "Cải tiiến máy trộn bê tôn tại công trường", TYPO),
    ("Cải tiến máy trộn bê tông tại công trường", "Cải tến máy tộn bê tôn tại công trường",
     NOT_NEAR),  # three typos
    ("Cải tiến trạm trộn số 1 tại công trường", "Cải tiến trạm trộn số 2 tại công trường", NOT_NEAR),
    ("Cải tiến trạm trộn số 01", "Cải tiến trạm trộn số 1", FOLD),
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn vữa", NOT_NEAR),
    ("Cải tiến máy trộn bê tông", "Cải tiến máy trộn bê tông nhựa", NOT_NEAR),
    ("Cải tiến máy cắt thép", "Cải tiến máy uốn thép", NOT_NEAR),
    ("Cải tiến máy đầm dùi", "Cải tiến máy đầm bàn", NOT_NEAR),
    ("Thi công giai đoạn II nhà máy", "Thi công giai đoạn 2 nhà máy", FOLD),
    ("Thi công giai đoạn II nhà máy", "Thi công giai đoạn III nhà máy", NOT_NEAR),
    ("Cải tiến lò nung xi măng", "Cai tien lo nung xi mang", FOLD),
    ("Sử dụng bê tông mác C30 cho móng", "Sử dụng bê tông mác C35 cho móng", NOT_NEAR),
])
def test_title_rule(a: str, b: str, kind: int) -> None:
    assert kind_of(a, b) == kind


def test_a_substitution_between_two_established_words_is_not_a_typo() -> None:
    """`cầu` and `cao` are both everyday words of the collection: one for the other is a
    different object, not a slip; a made-up word is a slip."""
    background = [f"Nâng cao hiệu quả thi công cầu số {i}" for i in range(5)]
    assert kind_of("Gia cố trụ cầu tại công trường", "Gia cố trụ cao tại công trường",
                   background) == NOT_NEAR
    assert kind_of("Gia cố trụ cầu tại công trường", "Gia cố trụ cầy tại công trường",
                   background) == TYPO
    # A dropped letter stays a typo even when it makes a word (`nhà` → `hà`).
    background += ["Cải tạo nhà xưởng", "Nhà máy xi măng Hà Nam", "Xây nhà ở", "Hà Nội"] * 2
    assert kind_of("Bảo dưỡng thiết bị nhà máy xi măng", "Bảo dưỡng thiết bị hà máy xi măng",
                   background) == TYPO


def test_blocking_finds_typos_without_comparing_everything() -> None:
    from sync.demo import synth

    data = synth.generate(6000, 30, seed=7, noise=synth.NoiseMix.clean())
    keys = pd.unique(pd.Series([exact_key(t) for t in data.rows["title"]]))
    spoiled = [k.replace("ế", "ê", 1).replace("ộ", "ô", 1) for k in keys[:200]]
    titles = Titles.build(np.array([*keys, *spoiled], dtype=object))
    left, right, stats = candidate_pairs(titles)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    typo_pairs = [(i, len(keys) + i) for i in range(200) if keys[i] != spoiled[i]]
    assert all(p in found for p in typo_pairs)
    assert len(left) < 3 * len(titles)  # nothing like all pairs (~2·10⁷)
    assert stats.skipped_blocks == 0


def test_components_label_the_smallest_node() -> None:
    labels = components(7, np.array([5, 1, 2, 6]), np.array([1, 2, 0, 6]))
    assert labels.tolist() == [0, 0, 0, 3, 4, 0, 6]


# --------------------------------------------------------------------------------------------------
# Merge rule
# --------------------------------------------------------------------------------------------------

def test_same_title_and_shared_author_merge_earliest_applied_is_kept() -> None:
    result, _ = dedupe([
        row("Cải tiến bộ gá hàn cốt thép dầm cầu", "Nguyễn Văn An, Trần Thị Bình",
            applied=dt.date(2022, 6, 1)),
        row("Cải tiến bộ gá hàn cốt thép dầm cầu", "Trần Thị Bình", applied=dt.date(2022, 4, 1)),
    ])
    assert groups(result) == [[0, 1]]
    assert result.kept.tolist() == [False, True]
    assert verdicts(result) == {(0, 1, MERGED)}
    pair = result.pairs.iloc[0]
    assert pair["similarity"] == 1.0
    assert "Trùng tên sáng kiến" in pair["reason"] and "Trần Thị Bình" in pair["reason"]
    assert "sớm hơn" in pair["reason"]
    # united authors on the kept row: its own first, then the others'
    united = result.authors[result.authors["row"] == 1].sort_values("position")["name"]
    assert united.tolist() == ["Trần Thị Bình", "Nguyễn Văn An"]


def test_same_title_without_shared_author_is_only_reviewed() -> None:
    result, _ = dedupe([
        row("Ứng dụng phần mềm quản lý vật tư", "Nguyễn Văn An"),
        row("Ứng dụng phần mềm quản lý vật tư", "Lê Thị Cúc", unit="B1"),
        row("Ứng dụng phần mềm quản lý vật tư", "Phạm Văn Dũng", unit="C1"),
    ])
    assert groups(result) == []
    assert result.kept.all()
    assert verdicts(result) == {(1, 0, REVIEW), (2, 0, REVIEW)}
    reasons = result.pairs["reason"].tolist()
    assert all("không có tác giả chung" in r and "cần người xem lại" in r for r in reasons)
    assert "A1 và B1" in reasons[0]


@pytest.mark.parametrize("noise", [
    "Cai tien he thong con lan keo cap tai cong truong",  # typed without diacritics
    "CẢI TIẾN HỆ THỐNG CON LĂN KÉO CÁP TẠI CÔNG TRƯỜNG",  # case
    "Cải tiến hệ thống  con lăn kéo cáp tại công trường ",  # spacing
    "Cải tiến hệ thống con lăn kéo cáp tại công trừơng",  # a diacritic slip
    "Cải tiến hệ thống con lăn kéo cáp tai công trường",  # one letter without diacritics
    "Cải tiến hệ thông con lăn kéo cap tại công trường",
    "Cải tiến hệ thống con lănn kéo cáp tại công truờng",  # two typos
])
def test_retyped_title_with_shared_author_merges(noise: str) -> None:
    result, _ = dedupe([
        row("Cải tiến hệ thống con lăn kéo cáp tại công trường", "Nguyễn Văn Hùng"),
        row(noise, "Nguyễn Văn Hùng"),
    ])
    assert groups(result) == [[0, 1]]


def test_legacy_encoded_copy_merges() -> None:
    title = "Cải tiến hệ thống con lăn kéo cáp tại công trường"
    for encoding in ("tcvn3", "vni"):
        result, v = dedupe([
            row(title, "Nguyễn Văn Hùng, Trần Thị Mai"),
            row(legacy.encode(title, encoding), legacy.encode("Trần Thị Mai", encoding),
                unit="B1"),
        ])
        assert v.rows["title_key"].nunique() == 1, encoding
        assert groups(result) == [[0, 1]], encoding


def test_authors_in_another_order_or_an_added_coauthor_merge() -> None:
    result, _ = dedupe([
        row("Số hoá quy trình lập hồ sơ thanh toán khối lượng", "Lê Văn Cường; Đỗ Thị Hạnh"),
        row("Số hoá quy trình lập hồ sơ thanh toán khối lượng", "Đỗ Thị Hạnh và Lê Văn Cường"),
        row("Số hoá quy trình lập hồ sơ thanh toán khối lượng", "Le Van Cuong, Do Thi Hanh, "
            "Vũ Minh Tuấn"),
    ])
    assert groups(result) == [[0, 1, 2]]
    united = result.authors[result.authors["row"] == 0].sort_values("position")["name"]
    assert united.tolist() == ["Lê Văn Cường", "Đỗ Thị Hạnh", "Vũ Minh Tuấn"]


@pytest.mark.parametrize(("a", "b"), [
    ("Giải pháp tiết kiệm điện năng cho trạm trộn số 1", "Giải pháp tiết kiệm điện năng cho trạm "
                                                         "trộn số 2"),
    ("Thiết kế chế tạo máy trộn bê tông mini", "Thiết kế chế tạo máy trộn vữa mini"),
    ("Cải tiến trạm trộn bê tông tại Xí nghiệp 3", "Cải tiến trạm trộn bê tông nhựa tại Xí nghiệp 3"),
    ("Lắp đặt vận thăng lồng tại công trình", "Lắp đặt vận thăng chở vật liệu tại công trình"),
])
def test_different_number_or_object_is_another_initiative_even_with_the_same_author(
        a: str, b: str) -> None:
    result, _ = dedupe([row(a, "Nguyễn Văn An"), row(b, "Nguyễn Văn An")])
    assert groups(result) == []
    assert result.pairs.empty  # not even a possible duplicate


def test_cross_unit_copy_keeps_the_earliest_then_the_most_complete() -> None:
    title = "Chế tạo thiết bị nâng hạ ván khuôn leo"
    result, _ = dedupe([
        row(title, "Lê Văn Cường", unit="P1"),  # the parent registers it again, less complete
        row(title, "Lê Văn Cường", unit="A1", workplace="Đội xây dựng số 2",
            summary="Nâng hạ bằng tời điện", benefit="150 triệu"),
    ])
    assert groups(result) == [[0, 1]]
    assert result.kept.tolist() == [False, True]
    reason = result.pairs.iloc[0]["reason"]
    assert "đăng ký ở cả A1 và P1" in reason and "đầy đủ hơn" in reason
    # an earlier date wins over completeness
    result, _ = dedupe([
        row(title, "Lê Văn Cường", unit="P1", applied=dt.date(2022, 1, 5)),
        row(title, "Lê Văn Cường", unit="A1", summary="Nâng hạ bằng tời điện"),
    ])
    assert result.kept.tolist() == [True, False]


def test_a_chain_of_near_titles_does_not_glue_unrelated_initiatives() -> None:
    """A ≈ B and B ≈ C (two typos each) but A ≉ C (four words apart): C is not merged into A's
    initiative; it is listed for review instead."""
    a = "Cải tiến quy trình lắp dựng cốp pha nhôm tại công trình"
    b = "Cải tiếnn quyy trình lắp dựng cốp pha nhôm tại công trình"
    c = "Cải tiếnn quyy trìnhh lắpp dựng cốp pha nhôm tại công trình"
    result, _ = dedupe([
        row(a, "Nguyễn Văn An", applied=dt.date(2022, 1, 1)),
        row(b, "Nguyễn Văn An", applied=dt.date(2022, 2, 1)),
        row(c, "Nguyễn Văn An", applied=dt.date(2022, 3, 1)),
    ])
    assert groups(result) == [[0, 1]]
    assert (2, 0, REVIEW) in verdicts(result)
    assert result.stats["split_components"] == 1


def test_shared_authors_may_chain_on_the_same_title() -> None:
    """A copy listing both authors ties a copy by each of them: one initiative."""
    title = "Ứng dụng mã QR trong quản lý thiết bị thi công"
    result, _ = dedupe([
        row(title, "Nguyễn Văn An"),
        row(title, "Nguyễn Văn An, Trần Thị Bình"),
        row(title, "Trần Thị Bình", unit="B1"),
    ])
    assert groups(result) == [[0, 1, 2]]


def test_merged_and_review_pairs_explain_themselves() -> None:
    result, _ = dedupe([
        row("Cải tiến máy trộn bê tông tại công trường", "Nguyễn Văn An"),
        row("Cải tiến máy trộn bê tôg tại công trường", "Nguyễn Văn An"),
        row("Cai tien may tron be tong tai cong truong", "Nguyen Van An"),
        row("Cải tiến máy trộn bê tông tại công trường", "Hoàng Thị Lan", unit="B1"),
    ])
    pairs = result.pairs.set_index("row")
    assert pairs.loc[1, "verdict"] == MERGED and "«tôg» so với «tông»" in pairs.loc[1, "reason"]
    assert 0.9 < pairs.loc[1, "similarity"] < 1.0
    assert pairs.loc[2, "verdict"] == MERGED and "bỏ qua dấu" in pairs.loc[2, "reason"]
    assert pairs.loc[3, "verdict"] == REVIEW and pairs.loc[3, "kept_row"] == 0
    assert set(result.pairs.columns) >= {"row", "kept_row", "similarity", "verdict", "reason"}


def test_index_of_valid_rows_is_kept() -> None:
    v = validated([row("Cải tiến máy trộn bê tông", "Nguyễn Văn An"),
                   row("Cải tiến máy trộn bê tông", "Nguyễn Văn An")])
    rows = v.rows.set_axis([10, 20])
    authors = v.authors.assign(row=v.authors["row"].map({0: 10, 1: 20}))
    result = deduplicate(rows, authors)
    assert result.kept.index.tolist() == [10, 20]
    assert result.pairs[["row", "kept_row"]].values.tolist() == [[20, 10]]


def test_nothing_to_deduplicate() -> None:
    v = validated([row("Cải tiến máy trộn bê tông", "Nguyễn Văn An")])
    empty = deduplicate(v.rows.iloc[:0], v.authors.iloc[:0])
    assert empty.kept.empty and empty.pairs.empty
    one = deduplicate(v.rows, v.authors)
    assert one.kept.tolist() == [True] and one.pairs.empty


def test_valid_rows_read_in_place_equal_the_valid_rows_selected() -> None:
    """The pipeline passes all validated rows with a `valid` mask (no copy of their texts); the
    result must be the one of the valid rows alone, invalid rows and their authors left out."""
    from sync.demo import synth

    data = synth.generate(3000, 12, seed=5)
    visible = data.visible_rows().reset_index(drop=True)
    v = validate(visible[["unit_code", "tab", "row", *synth.FIELD_KEYS]], {}, PROGRAM,
                 dt.date(2024, 1, 1))
    valid = v.rows["valid"].to_numpy()
    assert 0 < (~valid).sum() < len(valid) // 2  # the sample has rejected rows to leave out
    selected = deduplicate(v.rows[valid], v.authors)
    in_place = deduplicate(v.rows, v.authors, valid=valid)
    pd.testing.assert_series_equal(in_place.cluster, selected.cluster)
    pd.testing.assert_series_equal(in_place.kept, selected.kept)
    pd.testing.assert_frame_equal(in_place.pairs, selected.pairs)
    pd.testing.assert_frame_equal(in_place.authors, selected.authors)
    assert in_place.pairs["verdict"].nunique() == 2  # merged rows and rows to review compared
    assert in_place.stats["merged_rows"] > 0


def test_labelled_benchmark_sample_is_precise_and_complete() -> None:
    """5,000 generated rows with every noise kind and hard negative (the 10k benchmark in small)."""
    from sync.demo import synth

    data = synth.generate(5000, 20, seed=3)
    visible = data.visible_rows().reset_index(drop=True)
    v = validate(visible[["unit_code", "tab", "row", *synth.FIELD_KEYS]], {}, PROGRAM,
                 dt.date(2024, 1, 1))
    valid = v.rows["valid"].to_numpy()
    result = deduplicate(v.rows[valid], v.authors)
    frame = pd.DataFrame({"c": result.cluster.to_numpy(),
                          "e": visible.loc[valid, "entity_id"].to_numpy()})

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    correct = pairs(frame.groupby(["c", "e"]).size())
    assert correct / pairs(frame.groupby("c").size()) >= 0.99
    assert correct / pairs(frame.groupby("e").size()) >= 0.97
