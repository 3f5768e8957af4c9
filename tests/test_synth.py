"""The labelled benchmark generator: deterministic, labels consistent with the rows, noise at the
documented rates, and text that looks like what Vietnamese construction unions type."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from sync import catalog
from sync.demo import synth, vocab
from sync.demo.synth import (
    COPY_KINDS,
    FIELD_KEYS,
    HARD_NEGATIVE_KINDS,
    NoiseMix,
    strip_diacritics,
    swap_tone_style,
)

N_ROWS = 20_000
N_UNITS = 40
VIET = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]",
                  re.IGNORECASE)


@pytest.fixture(scope="module")
def data() -> synth.SynthData:
    return synth.generate(N_ROWS, N_UNITS, seed=11)


@pytest.fixture(scope="module")
def with_truth(data: synth.SynthData) -> pd.DataFrame:
    """Every row next to its entity's canonical title and authors and its original row."""
    orig = data.rows[data.rows["noise"] == "original"].set_index("entity_id")
    ents = data.entities.set_index("entity_id")[["title", "authors", "unit_code"]]
    out = data.rows.join(ents.add_suffix("_entity"), on="entity_id")
    return out.join(orig[[*FIELD_KEYS, "unit_code"]].add_suffix("_orig"), on="entity_id")


# --------------------------------------------------------------------------------------------------
# Determinism and shape
# --------------------------------------------------------------------------------------------------


def test_same_seed_same_data_other_seed_other_data(data: synth.SynthData) -> None:
    again = synth.generate(N_ROWS, N_UNITS, seed=11)
    pd.testing.assert_frame_equal(data.rows, again.rows)
    pd.testing.assert_frame_equal(data.entities, again.entities)
    pd.testing.assert_frame_equal(data.registry, again.registry)
    other = synth.generate(N_ROWS, N_UNITS, seed=12)
    assert not other.rows["title"].equals(data.rows["title"])


def test_row_count_is_exact_and_rows_are_numbered_per_tab(data: synth.SynthData) -> None:
    rows = data.rows
    assert len(rows) == N_ROWS and rows["row_id"].is_unique
    for (_, _), g in rows.groupby(["unit_code", "tab"]):
        assert sorted(g["row"]) == list(range(synth.FIRST_DATA_ROW,
                                              synth.FIRST_DATA_ROW + len(g)))
    assert set(rows["tab"]) == {catalog.UNIT_TAB, synth.OTHER_TAB}
    assert (data.visible_rows()["tab"] == catalog.UNIT_TAB).all()
    for n, u in ((1, 1), (57, 1), (997, 3)):
        assert len(synth.generate(n, u, seed=1).rows) == n


def test_registry_is_sound(data: synth.SynthData) -> None:
    reg = data.registry
    assert reg["code"].is_unique and reg["name"].is_unique and len(reg) == N_UNITS
    assert set(reg["parent"]) - {""} <= set(reg["code"])
    assert (reg["parent"] != reg["code"]).all()
    assert (reg["members"] > 0).all()
    assert set(reg["sector"]) <= set(catalog.REGISTRY_SECTORS)
    assert 0.2 < reg["meets_target"].mean() < 0.8  # progress is meaningful: some pass, some not
    assert (reg["target"] == np.ceil(reg["members"] * 0.1 - 1e-9)).all()
    names = synth._grassroots_names(np.random.default_rng(0), 1000)
    assert len(set(names)) == 1000


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------


def test_every_duplicate_points_at_an_original(data: synth.SynthData) -> None:
    rows = data.rows
    orig = rows[rows["noise"] == "original"]
    assert orig["entity_id"].is_unique and len(orig) == len(data.entities)
    copies = rows[rows["noise"] != "original"]
    assert copies["entity_id"].isin(orig["entity_id"]).all()
    by_row = orig.set_index("row_id")["entity_id"]
    assert (by_row.loc[copies["copied_from"]].to_numpy() == copies["entity_id"].to_numpy()).all()
    assert (orig["copied_from"] == -1).all()
    n_rows = rows.groupby("entity_id").size()
    assert (data.entities.set_index("entity_id")["n_rows"] == n_rows).all()


def test_hard_negatives_are_distinct_entities_that_look_alike(data: synth.SynthData) -> None:
    e = data.entities.set_index("entity_id")
    hn = e[e["hard_negative"] != ""]
    assert set(hn["hard_negative"]) == set(HARD_NEGATIVE_KINDS)
    pair = e.loc[hn["hard_negative_pair"]]
    assert (pair.index != hn.index).all()
    assert (pair["hard_negative_pair"].to_numpy() == hn.index.to_numpy()).all()
    assert (pair["hard_negative"].to_numpy() == hn["hard_negative"].to_numpy()).all()

    def authors(s: str) -> set[str]:
        return {strip_diacritics(a).casefold() for a in s.split("; ") if a}

    for (_, a), (_, b) in zip(hn.iterrows(), pair.iterrows(), strict=True):
        shared = authors(a["authors"]) & authors(b["authors"])
        kind = a["hard_negative"]
        if kind == "same_title_other_people":
            assert a["title"] == b["title"] and a["unit_code"] != b["unit_code"] and not shared
        else:
            assert a["title"] != b["title"] and a["unit_code"] == b["unit_code"] and shared
        if kind == "numbered_sibling":
            na = re.findall(r"số (\d)", a["title"])
            nb = re.findall(r"số (\d)", b["title"])
            assert na != nb and re.sub(r"số \d", "", swap_tone_style(a["title"], "old")) == re.sub(
                r"số \d", "", swap_tone_style(b["title"], "old"))
        if kind == "one_word_object":
            assert any(swap_tone_style(a["title"].replace(x, y), "old")
                       == swap_tone_style(b["title"], "old")
                       for x, y in (*vocab.ONE_WORD_PAIRS, *(p[::-1] for p in vocab.ONE_WORD_PAIRS))
                       if x in a["title"])
    # No other two entities share a title, not even up to diacritics and tone placement.
    keys = data.entities["title"].map(lambda t: " ".join(strip_diacritics(t).casefold().split()))
    repeated = data.entities[keys.duplicated(keep=False)]
    assert set(repeated["hard_negative"]) <= {"same_title_other_people"}


def test_noise_shares_match_the_mix(data: synth.SynthData) -> None:
    mix = NoiseMix()
    counts = data.rows["noise"].value_counts()
    for kind in COPY_KINDS:
        expected = round(getattr(mix, kind) * N_ROWS)
        assert abs(counts.get(kind, 0) - expected) <= max(2, 0.05 * expected), kind
    dup_share = (data.rows["noise"] != "original").mean()
    assert abs(dup_share - mix.duplicate_share()) < 0.002
    assert 0.08 <= dup_share <= 0.12
    pairs = data.meta["hard_negative_pairs"]
    for kind in HARD_NEGATIVE_KINDS:
        assert pairs[kind] == round(getattr(mix, kind) * N_ROWS), kind
    assert 0.02 <= sum(pairs.values()) / N_ROWS <= 0.05
    errors = data.rows["expected_error"].value_counts()
    assert set(errors.index) - {""} == set(synth.ERROR_KINDS)
    assert errors.drop("").sum() == round(mix.invalid * N_ROWS)
    clean = synth.generate(2000, 10, seed=1, noise=NoiseMix.clean())
    assert (clean.rows["noise"] == "original").all()
    assert (clean.rows["expected_error"] == "").all()
    assert (clean.entities["hard_negative"] == "").all()
    assert {f.name for f in fields(NoiseMix)} >= set(COPY_KINDS) | set(HARD_NEGATIVE_KINDS)


def test_errors_only_on_entities_without_duplicates(data: synth.SynthData) -> None:
    e = data.entities.set_index("entity_id")
    bad = data.rows[data.rows["expected_error"] != ""]
    assert (e.loc[bad["entity_id"], "n_rows"] == 1).all()
    assert (e.loc[bad["entity_id"], "hard_negative"] == "").all()
    assert not e.loc[bad["entity_id"], "valid"].any()
    nr = data.rows[data.rows["expected_warning"] == "not_recognized"]
    assert nr["status"].map(lambda s: s.casefold() == "không công nhận").all()
    assert not e.loc[nr["entity_id"], "counted"].any()
    short = bad[bad["expected_error"] == "title_too_short"]
    assert (short["title"].str.len() < catalog.MIN_TITLE_CHARS).all()


# --------------------------------------------------------------------------------------------------
# Each noise kind does what it says
# --------------------------------------------------------------------------------------------------


def _names(s: str) -> list[str]:
    return [n for n in re.split(r"\s*[,;\n]\s*|\s+và\s+", s.strip()) if n]


def test_each_kind_transforms_its_original(data: synth.SynthData, with_truth: pd.DataFrame
                                           ) -> None:
    reg = data.registry.set_index("code")
    for kind, g in with_truth[with_truth["noise"] != "original"].groupby("noise"):
        assert len(g), kind
        for _, r in g.iterrows():
            title, orig = r["title"], r["title_orig"]
            if kind in ("exact_copy", "copy_other_tab"):
                assert all(r[k] == r[f"{k}_orig"] for k in FIELD_KEYS), kind
            if kind == "copy_other_tab":
                assert r["tab"] == synth.OTHER_TAB and r["unit_code"] == r["unit_code_orig"]
            if kind == "parent_child_copy":
                assert reg.loc[r["unit_code_orig"], "parent"] == r["unit_code"]
            if kind == "cross_unit_copy":
                assert r["unit_code"] not in (r["unit_code_orig"],
                                              reg.loc[r["unit_code_orig"], "parent"])
            if kind in synth._OTHER_UNIT_KINDS:
                assert title == orig and r["authors"] == r["authors_orig"]
                assert r["effect"] is None and r["effect_orig"] is not None  # less complete
            if kind == "no_diacritics":
                assert title == strip_diacritics(orig) and not VIET.search(title)
            if kind == "nfd":
                assert title != orig and unicodedata.normalize("NFC", title) == orig
            if kind == "tone_style":
                assert title != orig or r["authors"] != r["authors_orig"]
                assert swap_tone_style(title, "old") == swap_tone_style(orig, "old")
            if kind == "case_spacing":
                assert title != orig and " ".join(title.casefold().split()) == " ".join(
                    orig.casefold().split())
            if kind == "typo":
                assert title != orig and re.findall(r"\d+", title) == re.findall(r"\d+", orig)
                assert abs(len(title) - len(orig)) <= 2
            if kind == "author_order":
                assert Counter(_names(r["authors"])) == Counter(_names(r["authors_orig"]))
                assert r["authors"] != r["authors_orig"]
            if kind == "added_coauthor":
                assert set(_names(r["authors_orig"])) < set(_names(r["authors"]))


def test_legacy_rows_decode_back_to_their_originals(with_truth: pd.DataFrame) -> None:
    legacy = pytest.importorskip("sync.legacy")
    for kind in ("tcvn3", "vni"):
        g = with_truth[with_truth["noise"] == kind]
        assert len(g) > 10
        for _, r in g.iterrows():
            assert r["title"] != r["title_orig"]
            for key in ("title", "authors", "summary"):
                if r[f"{key}_orig"] is None:
                    continue
                back = legacy.decode(r[key], kind)
                # TCVN3 has no capital toned letters (`Ứng` comes back `ứng`): compare casefolded.
                assert back.casefold() == r[f"{key}_orig"].casefold(), (kind, key)


# --------------------------------------------------------------------------------------------------
# Realism
# --------------------------------------------------------------------------------------------------


def test_titles_look_vietnamese_and_construction(data: synth.SynthData) -> None:
    titles = data.entities["title"]
    assert titles.map(lambda t: bool(VIET.search(t))).mean() > 0.97
    lengths = titles.str.len()
    assert lengths.min() >= 12 and lengths.median() < 120 and lengths.max() < 260
    words = Counter(w for t in titles for w in t.split())
    for w in ("bê", "tông", "công", "trình", "máy", "xi", "măng"):
        assert words[w] > 0, w
    # Both tone placements occur, as in real files.
    assert titles.str.contains("hóa").any() and titles.str.contains("hoá").any()
    assert vocab.total_title_space() > 5_000_000


def test_surnames_follow_the_real_distribution(data: synth.SynthData) -> None:
    names = [a for s in data.entities["authors"] for a in s.split("; ") if a]
    share = pd.Series([n.split()[0] for n in names]).value_counts(normalize=True)
    assert 0.34 <= share["Nguyễn"] <= 0.42
    assert 0.09 <= share["Trần"] <= 0.13
    assert 0.08 <= share["Lê"] <= 0.11
    assert share.iloc[:14].sum() >= 0.85
    assert all(VIET.search(n) or n.isascii() for n in names[:2000])


def test_full_name_collisions_are_realistic() -> None:
    """About 4.5 % of 1,000 real people share their full name with someone else."""
    rng = np.random.default_rng(5)
    t = synth._tables()
    shares = []
    for _ in range(40):
        male = rng.random(1000) < vocab.MALE_SHARE
        sur = rng.choice(len(t.surname), 1000, p=t.surname_p)
        mid = np.where(male, rng.choice(t.n_mm, 1000, p=t.middle_p[0]),
                       t.n_mm + rng.choice(len(t.middle) - t.n_mm, 1000, p=t.middle_p[1]))
        giv = np.where(male, rng.choice(t.n_gm, 1000, p=t.given_p[0]),
                       t.n_gm + rng.choice(len(t.given) - t.n_gm, 1000, p=t.given_p[1]))
        c = Counter(zip(sur.tolist(), t.middle[mid].tolist(), t.given[giv].tolist(), strict=True))
        shares.append(sum(v for v in c.values() if v > 1) / 1000)
    assert 0.03 <= float(np.mean(shares)) <= 0.06


def test_raw_cells_have_the_shapes_units_type(data: synth.SynthData) -> None:
    rows = data.rows
    kinds = Counter(type(v).__name__ for v in rows["applied_on"])
    assert kinds["date"] > 0.6 * len(rows) and kinds["str"] > 0.15 * len(rows) and kinds["int"]
    texts = [v for v in rows["applied_on"] if isinstance(v, str)]
    assert any(t.startswith("ngày ") for t in texts)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d", t) for t in texts)
    money = [v for v in rows["benefit"] if isinstance(v, str)]
    for pattern in (r"\d+ triệu", r"\d+tr", r"\d+(,\d)? tỷ", r"\d+k", r"[\d.]+ đ",
                    r"không tính được"):
        assert any(re.fullmatch(pattern, m) for m in money), pattern
    types = set(rows["solution_type"].dropna())
    assert set(catalog.SOLUTION_TYPES) <= types and "KT" in types
    assert rows["authors"].str.contains("\n").any() and rows["authors"].str.contains(" và ").any()
    valid = rows[rows["expected_error"] == ""]
    dates = [v for v in valid["applied_on"] if isinstance(v, dt.date)]
    assert min(dates) >= dt.date(2021, 9, 1) and max(dates) < dt.date(2023, 9, 1)


def test_tone_and_diacritics_helpers() -> None:
    assert swap_tone_style("Hợp lý hóa quy trình") == "Hợp lý hoá quy trình"
    assert swap_tone_style("Hợp lý hoá") == "Hợp lý hóa"
    assert swap_tone_style("Nguyễn Thị Thủy", "new") == "Nguyễn Thị Thuỷ"
    assert swap_tone_style("Khỏe", "new") == "Khoẻ"
    for fixed in ("Hoàng", "Quý", "thuyết", "hoài", "Xuân"):
        assert swap_tone_style(fixed) == fixed
    assert strip_diacritics("Đặng Văn Đức – công đoàn") == "Dang Van Duc – cong doan"
    assert strip_diacritics(unicodedata.normalize("NFD", "Nguyễn")) == "Nguyen"


# --------------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------------


def test_parquet_round_trip(tmp_path: Path) -> None:
    small = synth.generate(1500, 8, seed=2)
    synth.save(small, tmp_path)
    back = synth.load(tmp_path)
    pd.testing.assert_frame_equal(small.rows, back.rows[small.rows.columns], check_dtype=False)
    assert back.noise == small.noise and back.seed == 2
    assert len(back.entities) == len(small.entities)


def test_xlsx_units_hold_the_rows(tmp_path: Path) -> None:
    small = synth.generate(600, 6, seed=4)
    registry = synth.write_xlsx_units(small, tmp_path, workers=1, header_variants=False)
    with open(registry, encoding="utf-8-sig") as fh:
        head = fh.readline().strip().split(",")
    assert head == list(catalog.REGISTRY_COLUMNS.values())
    rows = small.rows
    for code in rows["unit_code"].unique()[:3]:
        wb = CalamineWorkbook.from_path(str(tmp_path / "units" / f"{code}.xlsx"))
        grid = wb.get_sheet_by_name(catalog.UNIT_TAB).to_python()
        assert grid[synth.HEADER_ROW - 1] == [f.header for f in catalog.FIELDS]
        mine = rows[(rows["unit_code"] == code) & (rows["tab"] == catalog.UNIT_TAB)]
        for _, r in mine.iterrows():
            cells = grid[r["row"] - 1]
            for j, key in enumerate(FIELD_KEYS):
                v = r[key]
                if v is None:
                    assert cells[j] == ""
                elif isinstance(v, str):
                    assert cells[j] == v  # text stays text, "=…" included
                elif isinstance(v, dt.date):
                    assert cells[j] == v
                else:
                    assert cells[j] == float(v)
