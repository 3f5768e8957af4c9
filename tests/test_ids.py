"""Stable initiative ids (SPEC §5, issue 4) at the unit level: `assign_ids` over DataFrames made by
the real validation and deduplication, run after run with the stored registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
from test_dedupe import row, validated

from sync.dedupe import deduplicate
from sync.ids import (
    IdAssignment,
    Matcher,
    assign_ids,
    empty_registry,
    format_id,
    title_matcher,
)

A = "Cải tiến bộ gá hàn cốt thép dầm cầu"
B = "Ứng dụng phần mềm quản lý vật tư tại công trường"
C = "Chế tạo thiết bị nâng hạ ván khuôn leo"


class Registry:
    """The state between runs: the registry and the id counter."""

    def __init__(self) -> None:
        self.table = empty_registry()
        self.next_seq = 1
        self.runs = 0

    def run(self, rows: Sequence[dict[str, Any]], matcher: Matcher | None = title_matcher
            ) -> dict[str, str]:
        """One run: validate, deduplicate, assign ids, store. Returns title → id of the kept
        rows (and of every merged row, under its own title, so copies can be looked up)."""
        self.runs += 1
        v = validated(rows)
        valid = v.rows[v.rows["valid"]]
        result = deduplicate(valid, v.authors)
        now = f"2024-01-{self.runs:02d}T08:00:00+07:00"
        assignment: IdAssignment = assign_ids(v.rows, v.authors, result.cluster, result.kept,
                                              self.table, self.next_seq, now, matcher=matcher)
        assert assignment.next_seq >= self.next_seq  # the counter never goes back
        self.table, self.next_seq = assignment.registry, assignment.next_seq
        self.last = assignment
        id_of_cluster = pd.Series(assignment.ids.to_numpy(),
                                  index=result.cluster.loc[assignment.ids.index].to_numpy())
        ids = result.cluster.map(id_of_cluster)
        return {v.rows.at[i, "title"]: ids.at[i] for i in ids.index}


def test_first_run_numbers_initiatives_in_sheet_order() -> None:
    state = Registry()
    ids = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình"), row(C, "Lê Văn Cường")])
    assert ids == {A: format_id(1), B: format_id(2), C: format_id(3)}
    assert state.next_seq == 4 and state.last.new_ids == 3


def test_resorting_rows_keeps_every_id() -> None:
    state = Registry()
    rows = [row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình"), row(C, "Lê Văn Cường")]
    first = state.run(rows)
    assert state.run(list(reversed(rows))) == first
    assert state.last.new_ids == 0


def test_moving_rows_between_tabs_and_units_keeps_the_id() -> None:
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    moved = state.run([row(A, "Nguyễn Văn An", tab="Đợt 2"), row(B, "Trần Thị Bình")])
    assert moved == first
    # ... and to the parent union's sheet
    assert state.run([row(A, "Nguyễn Văn An", unit="P1"), row(B, "Trần Thị Bình")]) == first


def test_fixing_a_typo_in_the_title_keeps_the_id() -> None:
    state = Registry()
    typo = "Cải tiến bộ gá hàn cốt thép dầm cầuu"
    first = state.run([row(typo, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    fixed = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    assert fixed[A] == first[typo] and fixed[B] == first[B]
    assert state.last.new_ids == 0
    # the exact keys alone would not have recognised it: the matcher does
    again = Registry()
    again.run([row(typo, "Nguyễn Văn An")])
    assert again.run([row(A, "Nguyễn Văn An")], matcher=None)[A] == format_id(2)


def test_fixing_the_diacritics_of_a_title_keeps_the_id() -> None:
    state = Registry()
    first = state.run([row("Cai tien bo ga han cot thep dam cau", "Nguyen Van An")])
    assert state.run([row(A, "Nguyễn Văn An")])[A] == first["Cai tien bo ga han cot thep dam cau"]


def test_adding_a_coauthor_or_reordering_authors_keeps_the_id() -> None:
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An, Trần Thị Bình")])
    assert state.run([row(A, "Trần Thị Bình; Nguyễn Văn An; Lê Văn Cường")]) == first
    # a typo fixed and a co-author added in the same edit
    state.run([row("Cải tiến bộ gá hàn cốt thép dầm câu", "Trần Thị Bình")])
    assert state.last.new_ids == 0


def test_deleting_the_kept_row_keeps_the_id_on_its_duplicate() -> None:
    state = Registry()
    original = row(A, "Nguyễn Văn An", applied=dt.date(2022, 1, 10))
    copy = row("Cai tien bo ga han cot thep dam cau", "Nguyen Van An", unit="P1",
               applied=dt.date(2022, 2, 1))
    first = state.run([original, copy, row(B, "Trần Thị Bình")])
    assert first[A] == first["Cai tien bo ga han cot thep dam cau"]
    after = state.run([copy, row(B, "Trần Thị Bình")])
    assert after["Cai tien bo ga han cot thep dam cau"] == first[A]
    assert after[B] == first[B] and state.last.new_ids == 0


def test_a_new_initiative_gets_a_new_id() -> None:
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    second = state.run([row(A, "Nguyễn Văn An"), row(C, "Lê Văn Cường"), row(B, "Trần Thị Bình")])
    assert second[A] == first[A] and second[B] == first[B]
    assert second[C] == format_id(3) and state.next_seq == 4


def test_an_id_is_never_reused_after_a_deletion() -> None:
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    # B is deleted, another initiative is added (in the same unit, same author even)
    second = state.run([row(A, "Nguyễn Văn An"),
                        row("Số hoá quy trình nghiệm thu cốt thép", "Trần Thị Bình")])
    new = second["Số hoá quy trình nghiệm thu cốt thép"]
    assert new == format_id(3) and new not in first.values()
    # the counter stays ahead even when nothing new comes
    state.run([row(A, "Nguyễn Văn An")])
    assert state.next_seq == 4
    # the deleted initiative coming back is the same initiative: it gets its own id back
    back = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    assert back[B] == first[B]


def test_a_changed_number_or_object_is_a_new_initiative() -> None:
    state = Registry()
    one = "Giải pháp tiết kiệm điện năng cho trạm trộn số 1"
    first = state.run([row(one, "Hoàng Thị Lan")])
    two = "Giải pháp tiết kiệm điện năng cho trạm trộn số 2"
    second = state.run([row(two, "Hoàng Thị Lan")])
    assert second[two] != first[one]
    mortar = "Thiết kế chế tạo máy trộn vữa mini"
    state.run([row("Thiết kế chế tạo máy trộn bê tông mini", "Vũ Minh Tuấn")])
    assert state.run([row(mortar, "Vũ Minh Tuấn")])[mortar] == format_id(4)


def test_the_counter_never_goes_back() -> None:
    state = Registry()
    state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    state.next_seq = 1  # a stored counter that went back (restored backup, manual edit)
    ids = state.run([row(A, "Nguyễn Văn An"), row(C, "Lê Văn Cường")])
    assert ids[C] == format_id(3)


def test_an_id_goes_to_one_initiative_when_a_merge_comes_apart() -> None:
    """Two rows merged under one id; then the copy is retitled into another initiative: the
    original keeps the id, the other gets a new one."""
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An", applied=dt.date(2022, 1, 1)),
                       row(A, "Nguyễn Văn An, Trần Thị Bình", applied=dt.date(2022, 2, 1))])
    second = state.run([row(A, "Nguyễn Văn An", applied=dt.date(2022, 1, 1)),
                        row(C, "Nguyễn Văn An, Trần Thị Bình", applied=dt.date(2022, 2, 1))])
    assert second[A] == first[A] and second[C] == format_id(2)


def test_title_matcher_needs_a_shared_author_and_a_near_title() -> None:
    keys = pd.DataFrame({"row": [0, 1], "cluster": [0, 1], "unit_code": ["A1", "A1"],
                         "title_fold": ["cai tien bo ga han cot thep dam cau",
                                        "cai tien bo ga han cot thep dam cau"],
                         "fold": ["nguyen van an", "le van cuong"]})
    registry = pd.DataFrame({"id": ["SK0000007"], "seq": [7], "first_seen": ["x"],
                             "last_seen": ["x"], "unit_code": ["A1"],
                             "title_fold": ["cai tien bo ga han cot thep dam cauu"],
                             "fold": ["nguyen van an"]})
    found = title_matcher(keys, registry)
    assert found[["row", "id"]].values.tolist() == [[0, "SK0000007"]]
    assert 0.9 < float(found["score"].iloc[0]) < 1


def test_same_title_by_other_people_never_takes_a_deleted_initiatives_id() -> None:
    """No shared author means another initiative (SPEC §5): even in the same unit, right after
    the first one was deleted, the newcomer gets a new id."""
    state = Registry()
    first = state.run([row(A, "Nguyễn Văn An"), row(B, "Trần Thị Bình")])
    replaced = state.run([row(A, "Phạm Thị Hoa"), row(B, "Trần Thị Bình")])
    assert replaced[B] == first[B]
    assert replaced[A] not in first.values()
    assert state.last.new_ids == 1


def test_joint_codes_span_chunks_and_columns_and_read_nulls_as_empty() -> None:
    """The key columns of this run and of the stored registry are coded together without being
    copied into one array: equal strings get equal codes across chunks and columns, a missing
    value is the empty string."""
    import pyarrow as pa

    from sync.frames import TEXT
    from sync.ids import _joint_codes
    from sync.similarity import arrow_strings

    mine = pd.Series(pd.arrays.ArrowStringArray(
        pa.chunked_array([pa.array(["hoa", "binh"]), pa.array([None, "hoa"], pa.string())]),
        dtype=TEXT))
    stored = pd.Series(["binh", "an", None, ""], dtype=object)
    codes = _joint_codes(mine, stored, pd.Series([], dtype=TEXT))
    assert [c.tolist() for c in codes] == [[0, 1, 2, 0], [1, 3, 2, 2], []]
    assert arrow_strings(pd.Series(["a", None], dtype=object)).to_pylist() == ["a", ""]


def test_an_id_keeps_the_time_it_was_first_seen() -> None:
    """`Ngày ghi nhận đầu tiên`: an id seen again keeps its first run's time (from its first line
    in the registry), a new id takes this run's; every registry line of an id agrees."""
    state = Registry()
    state.run([row(A, "Nguyễn Văn An, Trần Thị Bình"), row(B, "Trần Thị Bình")])
    first_run = state.last.first_seen.tolist()
    state.run([row(A, "Nguyễn Văn An, Trần Thị Bình"), row(B, "Trần Thị Bình"),
               row(C, "Lê Văn Cường")])
    third = state.run([row(C, "Lê Văn Cường"), row(A, "Nguyễn Văn An, Trần Thị Bình"),
                       row(B, "Lê Văn Cường, Trần Thị Bình")])
    assert first_run == ["2024-01-01T08:00:00+07:00"] * 2
    seen = dict(zip(state.last.ids, state.last.first_seen, strict=True))
    assert seen == {third[A]: "2024-01-01T08:00:00+07:00", third[B]: "2024-01-01T08:00:00+07:00",
                    third[C]: "2024-01-02T08:00:00+07:00"}
    lines = state.table.groupby("id")["first_seen"].agg(set)
    assert lines.to_dict() == {i: {t} for i, t in seen.items()}
    assert (state.table["last_seen"] == "2024-01-03T08:00:00+07:00").all()
