"""Progress against the target (SPEC §5), per unit, rolled up to parents and the sector.

- Counted initiatives: valid, kept (not merged away), status in `counted_statuses`.
- Participants of a unit: its distinct authors of counted initiatives. Within one unit the same
  normalised name is one person (`person_name_key`: case, spacing and tone placement ignored,
  diacritics kept, because folding merges real different names such as Thùy/Thúy); a name typed
  without any diacritics joins the one accented name of that unit it folds to, if exactly one.
  Across units two people are never the same person.
- Target: ⌈target_rate × members⌉ people, computed exactly (no binary 0.1).
- A parent's figures are its own rows plus all of its children's; the sector (`TOÀN NGÀNH`) is the
  sum of the top-level units.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from sync import catalog
from sync.model import Unit
from sync.registry import children_of


def target_people(members: int, rate: Fraction) -> int:
    """⌈rate × members⌉ with exact arithmetic."""
    product = rate * members
    return -(-product.numerator // product.denominator)


def distinct_people(authors: pd.DataFrame) -> pd.DataFrame:
    """(unit_code, key, fold) of counted initiatives' authors → distinct (unit_code, person)."""
    if authors.empty:
        return pd.DataFrame({"unit_code": pd.Series(dtype=object),
                             "person": pd.Series(dtype=object)})
    table = authors[["unit_code", "key", "fold"]].drop_duplicates(["unit_code", "key"])
    plain = table["key"].eq(table["fold"]).to_numpy()  # typed without any diacritics
    accented = table[~plain]
    # (unit, fold) pairs written with diacritics in exactly one way: the name an unaccented
    # spelling of that unit stands for.
    counts = accented.groupby(["unit_code", "fold"], sort=False)["key"].transform("size")
    unique = accented[counts.to_numpy() == 1].rename(columns={"key": "accented"})
    resolved = table.merge(unique[["unit_code", "fold", "accented"]], on=["unit_code", "fold"],
                           how="left")
    use = plain & resolved["accented"].notna().to_numpy()
    person = resolved["key"].where(~use, resolved["accented"])
    people = pd.DataFrame({"unit_code": resolved["unit_code"].to_numpy(),
                           "person": person.to_numpy()})
    return people.drop_duplicates().reset_index(drop=True)


@dataclass(frozen=True, slots=True)
class UnitFigures:
    members: int = 0
    participants: int = 0
    initiatives: int = 0
    benefit_vnd: int = 0
    findings: int = 0

    def __add__(self, other: UnitFigures) -> UnitFigures:
        return UnitFigures(self.members + other.members, self.participants + other.participants,
                           self.initiatives + other.initiatives,
                           self.benefit_vnd + other.benefit_vnd, self.findings + other.findings)


def compute_progress(units: list[Unit], initiatives: pd.DataFrame, people: pd.DataFrame,
                     findings_per_unit: pd.Series, rate: Fraction) -> pd.DataFrame:
    """One row per unit (registry order, each parent followed by its subtree) and `TOÀN NGÀNH`.

    `initiatives`: counted kept rows with `unit_code`, `benefit_vnd`; `people`: distinct
    (unit_code, person); `findings_per_unit`: error findings per unit code."""
    own_initiatives = initiatives.groupby("unit_code").size()
    own_benefit = initiatives.groupby("unit_code")["benefit_vnd"].sum(min_count=1).fillna(0)
    own_people = people.groupby("unit_code").size()
    own: dict[str, UnitFigures] = {
        u.code: UnitFigures(
            members=u.members,
            participants=int(own_people.get(u.code, 0)),
            initiatives=int(own_initiatives.get(u.code, 0)),
            benefit_vnd=int(own_benefit.get(u.code, 0)),
            findings=int(findings_per_unit.get(u.code, 0)),
        )
        for u in units
    }
    tree = children_of(units)
    rolled: dict[str, UnitFigures] = {}

    def roll(unit: Unit) -> UnitFigures:
        total = own[unit.code]
        for child in tree.get(unit.code, []):
            total = total + roll(child)
        rolled[unit.code] = total
        return total

    order: list[tuple[Unit, int]] = []

    def walk(unit: Unit, depth: int) -> None:
        order.append((unit, depth))
        for child in tree.get(unit.code, []):
            walk(child, depth + 1)

    sector = UnitFigures()
    for root in tree.get(None, []):
        sector = sector + roll(root)
        walk(root, 0)

    records = []
    for unit, depth in order:
        figures = rolled[unit.code]
        records.append(_record(unit.code, unit.name, unit.parent, depth, figures, rate))
    records.append(_record(catalog.SECTOR_CODE, "Toàn ngành", None, -1, sector, rate))
    return pd.DataFrame.from_records(records)


def _record(code: str, name: str, parent: str | None, depth: int, figures: UnitFigures,
            rate: Fraction) -> dict[str, object]:
    target = target_people(figures.members, rate) if figures.members else 0
    achieved = figures.participants / figures.members if figures.members else 0.0
    return {
        "code": code, "name": name, "parent": parent, "depth": depth,
        "members": figures.members, "target": target, "participants": figures.participants,
        "rate": achieved, "met": figures.participants >= target,
        "missing": max(0, target - figures.participants), "initiatives": figures.initiatives,
        "benefit_vnd": figures.benefit_vnd, "findings": figures.findings,
    }


def notable(initiatives: pd.DataFrame, limit: int = catalog.NOTABLE_MAX_ROWS) -> pd.DataFrame:
    """Initiatives to put forward for awards: a benefit of at least the award threshold, or a
    social significance; largest benefit first. Adds a `reason` column in Vietnamese."""
    big = initiatives["benefit_vnd"].fillna(0).ge(catalog.NOTABLE_MIN_BENEFIT_VND)
    social = initiatives["social"].astype(bool)
    chosen = initiatives[big | social].copy()
    if chosen.empty:
        return chosen.assign(reason=pd.Series(dtype=object))
    threshold = f"{catalog.NOTABLE_MIN_BENEFIT_VND // 1_000_000} triệu"
    reasons = []
    for is_big, is_social in zip(big[chosen.index], social[chosen.index], strict=True):
        parts = []
        if is_big:
            parts.append(f"Làm lợi từ {threshold} đồng/năm")
        if is_social:
            parts.append("Có ý nghĩa xã hội")
        reasons.append("; ".join(parts))
    chosen["reason"] = reasons
    chosen["_benefit"] = chosen["benefit_vnd"].fillna(-1)
    chosen = chosen.sort_values(["_benefit", "applied_on"], ascending=[False, True])
    return chosen.drop(columns="_benefit").head(limit)

