"""Progress arithmetic (SPEC §5): exact targets, distinct people, roll-up to parents and sector."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from sync.model import Unit
from sync.progress import compute_progress, distinct_people, target_people


@pytest.mark.parametrize(("members", "rate", "expected"), [
    (250, "0.10", 25),   # 0.1 * 250 is 25.000000000000004 in binary floating point
    (251, "0.10", 26),
    (1, "0.10", 1),
    (10, "0.10", 1),
    (11, "0.10", 2),
    (3000, "0.15", 450),
    (7, "1", 7),
])
def test_target_is_exact_ceiling(members: int, rate: str, expected: int) -> None:
    assert target_people(members, Fraction(rate)) == expected


def test_people_are_distinct_per_unit_and_ascii_names_join_their_accented_twin() -> None:
    authors = pd.DataFrame({
        "unit_code": ["A", "A", "A", "A", "B", "B", "B"],
        "key": ["nguyễn văn an", "nguyen van an", "trần thị thùy", "tran thi thuy",
                "nguyễn văn an", "lê thúy", "lê thùy"],
        "fold": ["nguyen van an", "nguyen van an", "tran thi thuy", "tran thi thuy",
                 "nguyen van an", "le thuy", "le thuy"],
    })
    people = distinct_people(authors)
    counts = people.groupby("unit_code").size().to_dict()
    # A: An (typed twice) and Thùy (typed twice) → 2; B: An, Lê Thúy and Lê Thùy are 3 people
    assert counts == {"A": 2, "B": 3}


def test_ascii_name_with_two_accented_candidates_stays_separate() -> None:
    authors = pd.DataFrame({
        "unit_code": ["A", "A", "A"],
        "key": ["lê thúy", "lê thùy", "le thuy"],
        "fold": ["le thuy", "le thuy", "le thuy"],
    })
    assert len(distinct_people(authors)) == 3


def test_rollup_parent_own_rows_children_and_sector() -> None:
    units = [
        Unit("ROOT", "Công đoàn ngành", None, 10, None),
        Unit("P", "Công đoàn Tổng công ty", "ROOT", 40, "p.xlsx"),
        Unit("C1", "Con 1", "P", 100, "c1.xlsx"),
        Unit("C2", "Con 2", "P", 50, "c2.xlsx"),
        Unit("OTHER", "Đơn vị độc lập", None, 9, "o.xlsx"),
    ]
    initiatives = pd.DataFrame({"unit_code": ["P", "C1", "C1", "C2", "OTHER"],
                                "benefit_vnd": pd.array([1, 10, None, 100, 1000], dtype="Int64")})
    people = pd.DataFrame({"unit_code": ["P", "C1", "C1", "C1", "C2", "OTHER"],
                           "person": ["a", "b", "c", "d", "e", "f"]})
    findings = pd.Series({"C1": 2, "OTHER": 1})
    table = compute_progress(units, initiatives, people, findings, Fraction("0.1")).set_index("code")
    assert list(table.index) == ["ROOT", "P", "C1", "C2", "OTHER", "TOÀN NGÀNH"]
    assert table.loc["P", "members"] == 190
    assert table.loc["P", "participants"] == 5
    assert table.loc["P", "initiatives"] == 4
    assert table.loc["P", "benefit_vnd"] == 111
    assert table.loc["ROOT", "members"] == 200 and table.loc["ROOT", "target"] == 20
    assert table.loc["C1", "target"] == 10 and table.loc["C1", "missing"] == 7
    assert bool(table.loc["OTHER", "met"]) is True  # 1 of 9 members, target ⌈0.9⌉ = 1
    sector = table.loc["TOÀN NGÀNH"]
    assert (sector["members"], sector["participants"], sector["initiatives"]) == (209, 6, 5)
    assert sector["findings"] == 3
    assert sector["rate"] == pytest.approx(6 / 209)
    assert table.loc["C2", "depth"] == 2
