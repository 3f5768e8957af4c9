"""Raw rows → normalised initiatives, their authors and findings (SPEC §4). Pure and column-wise.

Input is the concatenation of every unit's raw table (`sheet.UnitSheet.frame` plus `unit_code` and
`tab`). Each rule is a vectorised mask over a column; findings are built only for the rows a rule
flags. An error finding rejects its row (it does not count); a warning keeps it.

Outputs (`ValidatedRows`):
- `rows`: one row per input row, same order, with display text, comparison keys, parsed values,
  `valid` and `counted`.
- `authors`: one row per (row, author) with the display name and the comparison keys.
- `findings`: one row per finding, with unit, tab, row, column header, value, code, severity,
  message and hint (the `Lỗi` tab and `validate`'s output).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sync import catalog, legacy
from sync.config import ProgramConfig
from sync.parse import (
    fields_of,
    format_vnd,
    map_distinct,
    parse_date,
    parse_money,
    parse_solution_type,
    parse_status,
    parse_yes_no,
)
from sync.text import clean_series, exact_keys, folded_keys, person_name_fold, person_name_key

FINDING_COLUMNS = ("unit_code", "tab", "row", "field", "column", "value", "code", "severity",
                   "message", "hint")
ROW_KEYS = tuple(f.key for f in catalog.FIELDS)
LEGACY_LABELS = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows", "mojibake": "UTF-8 bị đọc sai"}
VALUE_DISPLAY_CHARS = 120


@dataclass(slots=True)
class ValidatedRows:
    rows: pd.DataFrame
    authors: pd.DataFrame
    findings: pd.DataFrame


def empty_findings() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in FINDING_COLUMNS})


# --------------------------------------------------------------------------------------------------
# Display of raw values in findings
# --------------------------------------------------------------------------------------------------

def display_value(value: Any) -> str:
    """A raw cell as a person would recognise it in a message."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime(
            "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).replace("\r", " ").replace("\n", " / ")
    return text if len(text) <= VALUE_DISPLAY_CHARS else text[: VALUE_DISPLAY_CHARS - 1] + "…"


class _FindingsBuilder:
    """Collects findings rule by rule, formatting messages only for the flagged rows."""

    def __init__(self, frame: pd.DataFrame, headers: Mapping[str, Mapping[str, str]]) -> None:
        self.frame = frame
        self.headers = headers
        self.parts: list[pd.DataFrame] = []

    def column_names(self, key: str, index: pd.Index) -> pd.Series:
        template = catalog.FIELD_BY_KEY[key].header if key in catalog.FIELD_BY_KEY else key
        units = self.frame.loc[index, "unit_code"]
        mapping = {u: h.get(key, template) for u, h in self.headers.items()}
        return units.map(mapping).fillna(template).astype(object)

    def add(self, mask: pd.Series, code: str, key: str, values: pd.Series | None = None,
            **params: Any) -> None:
        """Add a finding of `code` for every row where `mask` is true. `params` fill the message
        and hint templates: a constant, or a Series aligned with the frame."""
        if not mask.any():
            return
        kind = catalog.FINDING_BY_CODE[code]
        index = mask.index[mask.to_numpy()]
        raw = self.frame.loc[index, key] if values is None else values.loc[index]
        shown = raw.map(display_value)
        columns = self.column_names(key, index)
        per_row = {k: v.loc[index] for k, v in params.items() if isinstance(v, pd.Series)}
        fixed = {k: v for k, v in params.items() if not isinstance(v, pd.Series)}
        messages, hints = [], []
        for i in range(len(index)):
            args = {**fixed, **{k: s.iat[i] for k, s in per_row.items()},
                    "value": shown.iat[i], "column": columns.iat[i]}
            messages.append(kind.message.format(**args))
            hints.append(kind.hint.format(**args))
        self.parts.append(pd.DataFrame({
            "unit_code": self.frame.loc[index, "unit_code"].to_numpy(),
            "tab": self.frame.loc[index, "tab"].to_numpy(),
            "row": self.frame.loc[index, "row"].to_numpy(),
            "field": key,
            "column": columns.to_numpy(),
            "value": shown.to_numpy(),
            "code": code,
            "severity": kind.severity,
            "message": messages,
            "hint": hints,
        }, index=index))

    def result(self) -> pd.DataFrame:
        if not self.parts:
            return empty_findings()
        return pd.concat(self.parts)


# --------------------------------------------------------------------------------------------------
# Authors
# --------------------------------------------------------------------------------------------------

_AUTHOR_SPLIT = re.compile(r"\s*(?:[,;\n\r/|+&]|\s(?:và|va|cùng|cung|với|voi)\s)\s*", re.IGNORECASE)
_HONORIFICS = re.compile(
    r"^(?:(?:ông|ong|bà|ba|anh|chị|chi|em|cô|co|chú|chu|đ/c|đc|đồng chí|dong chi|"
    r"ks|kts|ths|ts|pgs|gs|cn|bs|ncs|kỹ sư|ky su|kiến trúc sư|kien truc su|thạc sĩ|thac si|"
    r"thạc sỹ|tiến sĩ|tien si|tiến sỹ|cử nhân|cu nhan|mr|mrs|ms|dr)"
    r"(?:\s*\.\s*|\s+))+",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\s*[(\[].*?[)\]]\s*")
_ROLE_SUFFIX = re.compile(r"\s+[-–—:]\s+.*$")
_NOT_A_PERSON_START = re.compile(
    r"^(?:phòng|ban|tổ|đội|công ty|xí nghiệp|nhóm|tập thể|cộng sự|các|đơn vị|chi nhánh|xưởng|"
    r"nhà máy|công đoàn|trường|viện|khoa|bộ phận|trung tâm|ban giám đốc|bgđ|tổng công ty|"
    r"văn phòng|hội đồng|cán bộ|công nhân|toàn thể|cbcnv)\b",
    re.IGNORECASE,
)
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")
MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 60


def split_authors(authors: pd.Series) -> pd.DataFrame:
    """Authors cells (clean text) → one row per name: `row` (index of the input), `position`,
    `name` (display), `suspicious` (bool)."""
    present = authors.dropna()
    present = present[present.map(lambda v: isinstance(v, str))]
    if present.empty:
        return pd.DataFrame({"row": pd.Series(dtype="int64"), "position": pd.Series(dtype="int64"),
                             "name": pd.Series(dtype=object), "suspicious": pd.Series(dtype=bool)})
    parts = present.str.split(_AUTHOR_SPLIT).explode()
    names = parts.astype(str).str.replace(_PARENS, " ", regex=True)
    names = names.str.replace(_ROLE_SUFFIX, "", regex=True)
    names = names.str.replace(_HONORIFICS, "", regex=True)
    names = names.str.replace(r"\s+", " ", regex=True).str.strip(" .-–,;")
    keep = names.ne("") & parts.notna()
    names = names[keep]
    # ALL-CAPS names are shown in the usual case.
    upper = names.str.isupper() & names.str.len().gt(3)
    names = names.where(~upper, names.str.title())
    words = names.str.count(" ") + 1
    suspicious = (
        ~names.str.match(_NAME_CHARS)
        | words.lt(2)
        | words.gt(MAX_NAME_WORDS)
        | names.str.len().gt(MAX_NAME_CHARS)
        | names.str.contains(_NOT_A_PERSON_START, regex=True)
    )
    frame = pd.DataFrame({"row": names.index.to_numpy(), "name": names.to_numpy(),
                          "suspicious": suspicious.to_numpy()})
    frame["position"] = frame.groupby("row").cumcount()
    return frame[["row", "position", "name", "suspicious"]]


# --------------------------------------------------------------------------------------------------
# The validator
# --------------------------------------------------------------------------------------------------

def _present(series: pd.Series) -> pd.Series:
    """True where a cell holds something (not None/NaN, not blank text)."""
    notna = series.notna()
    is_str = series.map(type).eq(str)
    blank = pd.Series(False, index=series.index)
    if is_str.any():
        blank[is_str] = series[is_str].str.strip().eq("")
    return notna & ~blank


def _errors_mask(series: pd.Series) -> pd.Series:
    is_str = series.map(type).eq(str)
    out = pd.Series(False, index=series.index)
    if is_str.any():
        out[is_str] = series[is_str].str.strip().str.upper().isin(catalog.ERROR_VALUES)
    return out


def _as_text(series: pd.Series) -> pd.Series:
    """Cells of a text field as strings (numbers and dates as people typed them), None if empty."""
    def convert(value: Any) -> Any:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, str):
            return value
        return display_value(value)

    return series.map(convert).astype(object)


def validate(raw: pd.DataFrame, headers: Mapping[str, Mapping[str, str]],
             program: ProgramConfig, today: dt.date) -> ValidatedRows:
    """Validate and normalise every row. `raw` has `unit_code`, `tab`, `row` and the field keys
    present in the units' sheets (missing optional fields are treated as empty)."""
    frame = raw.reset_index(drop=True).copy()
    for key in ROW_KEYS:
        if key not in frame.columns:
            frame[key] = pd.Series([None] * len(frame), dtype=object)
    findings = _FindingsBuilder(frame, headers)
    text_keys = ["title", "authors", "workplace", "field", "summary", "effect", "note",
                 "solution_type", "status", "social", "benefit"]

    # 1. Legacy encodings: decode with row and column evidence, report once per row.
    decoded, encodings = legacy.decode_frame(frame, text_keys)
    converted = encodings.notna()
    if converted.to_numpy().any():
        frame[text_keys] = decoded[text_keys]
        row_has = converted.any(axis=1)
        first_col = converted.idxmax(axis=1)
        idx = row_has[row_has].index
        encoding_of = pd.Series(
            [encodings.at[i, first_col.at[i]] for i in idx], index=idx, dtype=object)
        shown_key = first_col.loc[idx]
        values = pd.Series([frame.at[i, shown_key.at[i]] for i in idx], index=idx, dtype=object)
        for key in text_keys:
            rows_for_key = row_has & shown_key.reindex(frame.index).eq(key)
            if rows_for_key.any():
                findings.add(rows_for_key, "legacy_encoding", key, values=values.reindex(frame.index),
                             encoding=encoding_of.reindex(frame.index).map(LEGACY_LABELS))

    # 2. Text fields: NFC, odd spaces, Ð → Đ.
    for key in ("title", "authors", "workplace", "field", "summary", "effect", "note"):
        frame[key] = clean_series(_as_text(frame[key]))

    error_rows = pd.Series(False, index=frame.index)

    def reject(mask: pd.Series) -> None:
        nonlocal error_rows
        error_rows = error_rows | mask

    # 3. Required fields: empty, or a spreadsheet error value.
    for key in catalog.REQUIRED_KEYS:
        present = _present(frame[key])
        missing = ~present
        findings.add(missing, "missing_required", key)
        formula = present & _errors_mask(frame[key])
        findings.add(formula, "formula_error", key)
        reject(missing | formula)
    usable = {key: _present(frame[key]) & ~_errors_mask(frame[key]) for key in ROW_KEYS}

    # 4. Title.
    title = frame["title"]
    short = usable["title"] & title.str.len().lt(catalog.MIN_TITLE_CHARS).fillna(False)
    findings.add(short, "title_too_short", "title", min_chars=catalog.MIN_TITLE_CHARS)
    reject(short)

    # 5. Long text.
    for key in ("title", "summary", "effect", "note", "workplace", "field"):
        lengths = frame[key].str.len()
        too_long = usable[key] & lengths.gt(catalog.MAX_TEXT_CHARS).fillna(False)
        findings.add(too_long, "text_too_long", key, length=lengths.fillna(0).astype(int),
                     max_chars=f"{catalog.MAX_TEXT_CHARS:,}".replace(",", "."))

    # 6. Authors.
    authors = split_authors(frame["authors"].where(usable["authors"], None))
    if not authors.empty:
        authors["key"] = authors["name"].map(person_name_key)
        authors["fold"] = authors["name"].map(person_name_fold)
        flagged = authors[authors["suspicious"]]
        # One finding per suspicious name; a row can have several, so go by name position.
        for position in sorted(flagged["position"].unique()):
            at = flagged[flagged["position"] == position]
            mask = pd.Series(frame.index.isin(at["row"]), index=frame.index)
            names = pd.Series(at["name"].to_numpy(), index=at["row"].to_numpy())
            findings.add(mask, "suspicious_author", "authors", values=names.reindex(frame.index))
    else:
        authors = authors.assign(key=pd.Series(dtype=object), fold=pd.Series(dtype=object))
    no_names = usable["authors"] & ~frame.index.isin(authors["row"].unique())
    findings.add(no_names, "missing_required", "authors")
    reject(no_names)
    display = authors.groupby("row", sort=False)["name"].agg(", ".join) if len(authors) else \
        pd.Series(dtype=object)
    frame["authors_display"] = display.reindex(frame.index)

    # 7. Solution type.
    types = map_distinct(frame["solution_type"].where(usable["solution_type"], None),
                         parse_solution_type)
    unknown_type = usable["solution_type"] & types.isna()
    findings.add(unknown_type, "unknown_solution_type", "solution_type",
                 choices=" · ".join(catalog.SOLUTION_TYPES))
    reject(unknown_type)
    frame["solution_type_value"] = types

    # 8. Date applied.
    readings = map_distinct(frame["applied_on"].where(usable["applied_on"], None), parse_date)
    parts = fields_of(readings, ("value", "code", "detail"))
    bad_date = usable["applied_on"] & parts["code"].eq("invalid_date")
    findings.add(bad_date, "invalid_date", "applied_on", detail=parts["detail"])
    formula_date = usable["applied_on"] & parts["code"].eq("formula_error")
    findings.add(formula_date, "formula_error", "applied_on")
    applied = pd.to_datetime(parts["value"], errors="coerce")
    future = applied.dt.date.gt(today).fillna(False) & parts["code"].isna()
    findings.add(future, "future_date", "applied_on", today=today.strftime("%d/%m/%Y"))
    start, deadline = pd.Timestamp(program.start), pd.Timestamp(program.deadline)
    outside = (applied.lt(start) | applied.gt(deadline)).fillna(False) & ~future
    findings.add(outside, "outside_program_window", "applied_on",
                 start=program.start.strftime("%d/%m/%Y"),
                 deadline=program.deadline.strftime("%d/%m/%Y"))
    reject(bad_date | formula_date | future | outside)
    frame["applied_on_value"] = applied.astype("datetime64[s]")

    # 9. Status.
    has_status = usable["status"]
    statuses = map_distinct(frame["status"].where(has_status, None), parse_status)
    unknown_status = has_status & statuses.isna()
    findings.add(unknown_status, "unknown_status", "status", choices=" · ".join(catalog.STATUSES))
    reject(unknown_status)
    formula_status = _present(frame["status"]) & _errors_mask(frame["status"])
    findings.add(formula_status, "unknown_status", "status", choices=" · ".join(catalog.STATUSES))
    reject(formula_status)
    statuses = statuses.where(has_status, catalog.STATUS_DEFAULT)
    not_recognized = statuses.eq(catalog.STATUS_NOT_RECOGNIZED)
    findings.add(not_recognized, "not_recognized", "status")
    frame["status_value"] = statuses

    # 10. Benefit.
    money = map_distinct(frame["benefit"].where(_present(frame["benefit"]), None), parse_money)
    money_parts = fields_of(money, ("value", "not_computable", "code", "reading"))
    for code in ("invalid_money", "negative_money", "ambiguous_money"):
        findings.add(money_parts["code"].eq(code), code, "benefit", reading=money_parts["reading"])
    frame["benefit_vnd"] = pd.array(
        [v if v is not None else pd.NA for v in money_parts["value"]], dtype="Int64")
    frame["benefit_not_computable"] = money_parts["not_computable"].fillna(False).astype(bool)

    # 11. Social significance.
    social = map_distinct(frame["social"].where(_present(frame["social"]), None), parse_yes_no)
    findings.add(social.isna() & _present(frame["social"]), "invalid_yes_no", "social")
    frame["social_value"] = social.fillna(False).astype(bool)

    # 12. Keys and verdicts.
    frame["title_key"] = exact_keys(frame["title"].fillna(""))
    frame["title_fold"] = folded_keys(frame["title"].fillna(""))
    frame["valid"] = ~error_rows
    counted = set(program.counted_statuses)
    frame["counted"] = frame["valid"] & frame["status_value"].isin(counted)

    result = findings.result()
    if not result.empty:
        severity_counts = result.groupby([result.index, "severity"]).size().unstack(fill_value=0)
        frame["n_errors"] = severity_counts.get(catalog.ERROR, pd.Series(dtype=int)).reindex(
            frame.index).fillna(0).astype(int)
        frame["n_warnings"] = severity_counts.get(catalog.WARNING, pd.Series(dtype=int)).reindex(
            frame.index).fillna(0).astype(int)
        result = result.sort_index(kind="stable").reset_index(drop=True)
    else:
        frame["n_errors"] = 0
        frame["n_warnings"] = 0

    rows = pd.DataFrame({
        "unit_code": frame["unit_code"].astype(object),
        "tab": frame["tab"].astype(object),
        "row": frame["row"].astype("int64"),
        "title": frame["title"],
        "title_key": frame["title_key"],
        "title_fold": frame["title_fold"],
        "authors": frame["authors_display"],
        "workplace": frame["workplace"],
        "solution_type": frame["solution_type_value"],
        "field": frame["field"],
        "applied_on": frame["applied_on_value"],
        "status": frame["status_value"],
        "summary": frame["summary"],
        "effect": frame["effect"],
        "benefit_vnd": frame["benefit_vnd"],
        "benefit_not_computable": frame["benefit_not_computable"],
        "social": frame["social_value"],
        "note": frame["note"],
        "valid": frame["valid"].astype(bool),
        "counted": frame["counted"].astype(bool),
        "n_errors": frame["n_errors"],
        "n_warnings": frame["n_warnings"],
    })
    author_table = authors[["row", "position", "name", "key", "fold", "suspicious"]].reset_index(
        drop=True)
    return ValidatedRows(rows=rows, authors=author_table, findings=result)


def count_completeness(rows: pd.DataFrame) -> pd.Series:
    """How many optional fields a row fills (for choosing the kept row among duplicates)."""
    optional = ["workplace", "field", "summary", "effect", "note"]
    score = sum(rows[k].notna().astype(int) for k in optional)
    score = score + rows["benefit_vnd"].notna().astype(int)
    return pd.Series(np.asarray(score), index=rows.index)


def money_text(amount: int | None) -> str:
    return "" if amount is None else format_vnd(amount)
