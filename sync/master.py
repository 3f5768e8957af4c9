"""The master's seven tabs (SPEC §6) as `Table`s: pure, ready for any `MasterWorkbook` writer.

Headers come from `catalog.MASTER_TABS` (the first columns are fixed by the spec; extra columns go
after them). Values stay typed: dates as dates, money and counts as numbers, rates as fractions
(the writer applies the % format). Unit text is passed as plain strings; writers store it as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sync import catalog
from sync.backends.base import Table
from sync.dedupe import MERGED, Dedupe
from sync.frames import join_by_group, positions_of
from sync.ids import IdAssignment
from sync.model import SourceReport, Unit

_YES_NO = {True: catalog.YES_LABEL, False: catalog.NO_LABEL}


@dataclass(slots=True)
class MasterInput:
    units: list[Unit]
    rows: pd.DataFrame  # validated rows
    findings: pd.DataFrame  # row-level and source-level, FINDING_COLUMNS
    dedupe: Dedupe
    ids: IdAssignment
    progress: pd.DataFrame
    notable: pd.DataFrame
    sources: Mapping[str, SourceReport]
    history: pd.DataFrame
    runs: pd.DataFrame
    run_time: pd.Timestamp


def _table(name: str, data: dict[str, object], note: str = "",
           highlight: dict[str, dict[str, str]] | None = None) -> Table:
    columns = catalog.MASTER_TABS[name]
    frame = pd.DataFrame({c.header: data.get(c.header) for c in columns})
    return Table(name=name, columns=columns, frame=frame, note=note, highlight=highlight or {})


def local_time(values: pd.Series) -> pd.Series:
    """ISO strings with offsets → naive local datetimes for spreadsheet cells."""
    stamps = pd.to_datetime(values, errors="coerce", utc=True, format="ISO8601")
    return stamps.dt.tz_convert(_local_zone()).dt.tz_localize(None)


def _local_zone() -> str:
    import datetime as dt

    offset = dt.datetime.now().astimezone().utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}" if minutes else "UTC"


def unit_names(units: list[Unit]) -> dict[str, str]:
    return {u.code: u.name for u in units}


def build_progress(data: MasterInput) -> Table:
    progress = data.progress
    sources = data.sources
    statuses, updated = [], []
    for code in progress["code"]:
        report = sources.get(code)
        if code == catalog.SECTOR_CODE:
            statuses.append("")
            updated.append(data.run_time.isoformat())
        elif report is None:
            statuses.append(catalog.SOURCE_STATUS_LABELS["none"])
            updated.append(None)
        else:
            label = catalog.SOURCE_STATUS_LABELS.get(report.status, report.status)
            if report.status in ("stale", "error") and report.message:
                label = f"{label}: {report.message}"
            statuses.append(label)
            updated.append(report.fetched_at)
    met = progress["met"].map({True: catalog.MET_LABEL, False: catalog.NOT_MET_LABEL})
    return _table(catalog.TAB_PROGRESS, {
        "Mã": progress["code"], "Công đoàn": progress["name"],
        "Cấp trên": progress["parent"].fillna(""),
        "Số đoàn viên": progress["members"], "Chỉ tiêu (người)": progress["target"],
        "Người tham gia": progress["participants"], "Tỷ lệ tham gia": progress["rate"],
        "Đạt chỉ tiêu": met, "Còn thiếu (người)": progress["missing"],
        "Số sáng kiến": progress["initiatives"],
        "Giá trị làm lợi (đồng/năm)": progress["benefit_vnd"], "Số lỗi": progress["findings"],
        "Cập nhật lúc": local_time(pd.Series(updated, dtype=object)),
        "Tình trạng nguồn": pd.Series(statuses, dtype=object),
    }, highlight={"Đạt chỉ tiêu": {catalog.MET_LABEL: "green", catalog.NOT_MET_LABEL: "red"}})


def _source_place(rows: pd.DataFrame) -> pd.Series:
    return rows["tab"].astype(str) + "!" + rows["row"].astype(str)


# What the master's tabs and the stored results read of a kept row; comparison keys and
# validation flags stay behind (at a million rows the keys alone are ≈200 MiB of text).
KEPT_COLUMNS = ("unit_code", "tab", "row", "title", "authors", "workplace", "solution_type",
                "field", "applied_on", "status", "summary", "effect", "benefit_vnd",
                "benefit_not_computable", "social", "note", "counted")


# What the `Trùng lặp` tab reads of the rows (merged rows too, not only the kept ones).
DUPLICATE_COLUMNS = ("unit_code", "tab", "row", "title", "authors")


def kept_initiatives(data: MasterInput, consume_rows: bool = False) -> pd.DataFrame:
    """Kept rows with their id, united authors and display fields, in unit and sheet order.
    The order is found on the place columns alone, so the text is copied once (Arrow strings
    are copied by every take). With `consume_rows`, each column leaves `data.rows` as soon as
    it is taken: a caller that has built the `Trùng lặp` tab (the only other reader of the
    rows) holds each text once, not twice (≈400 MiB at a million rows)."""
    ids = data.ids.ids
    place = data.rows.loc[ids.index, ["unit_code", "tab", "row"]]
    order = {u.code: i for i, u in enumerate(data.units)}
    place["_unit_order"] = place["unit_code"].map(order)
    index = place.sort_values(["_unit_order", "tab", "row"], kind="stable").index
    del place
    at = data.rows.index.get_indexer(index)
    rows = pd.DataFrame(index=index)
    for column in [c for c in KEPT_COLUMNS if c in data.rows]:
        rows[column] = data.rows[column].take(at).set_axis(index)
        if consume_rows:
            del data.rows[column]
    rows["id"] = ids
    rows["first_seen"] = data.ids.first_seen
    united = data.dedupe.authors
    if len(united):
        ordered = united.sort_values(["row", "position"], kind="stable")
        joined = join_by_group(ordered["row"], ordered["name"])
        rows["authors"] = joined.reindex(rows.index).fillna(rows["authors"])
    return rows


def build_initiatives(data: MasterInput, kept: pd.DataFrame) -> Table:
    names = unit_names(data.units)
    benefit = kept["benefit_vnd"].astype(object).where(kept["benefit_vnd"].notna(), None)
    benefit = benefit.where(~kept["benefit_not_computable"], "không tính được")
    return _table(catalog.TAB_INITIATIVES, {
        "Mã sáng kiến": kept["id"], "Mã CĐ": kept["unit_code"],
        "Công đoàn": kept["unit_code"].map(names), "Tên sáng kiến": kept["title"],
        "Tác giả": kept["authors"], "Đơn vị công tác": kept["workplace"],
        "Loại giải pháp": kept["solution_type"], "Lĩnh vực": kept["field"],
        "Ngày áp dụng": kept["applied_on"], "Trạng thái": kept["status"],
        "Giá trị làm lợi (đồng/năm)": benefit,
        "Ý nghĩa xã hội": kept["social"].map(_YES_NO),
        "Nguồn": _source_place(kept), "Ghi nhận lần đầu": local_time(kept["first_seen"]),
        "Tóm tắt nội dung": kept["summary"], "Hiệu quả": kept["effect"], "Ghi chú": kept["note"],
    })


def build_findings(data: MasterInput) -> Table:
    findings = data.findings
    names = unit_names(data.units)
    rows = findings["row"].astype(object).where(findings["row"].notna(), None)
    return _table(catalog.TAB_FINDINGS, {
        "Mã CĐ": findings["unit_code"], "Công đoàn": findings["unit_code"].map(names),
        "Tab": findings["tab"], "Dòng": rows, "Cột": findings["column"],
        "Giá trị": findings["value"], "Mã lỗi": findings["code"],
        "Mức độ": findings["severity"].map(catalog.SEVERITY_LABELS),
        "Thông báo": findings["message"], "Cách sửa": findings["hint"],
    }, highlight={"Mức độ": {catalog.SEVERITY_LABELS[catalog.ERROR]: "red",
                             catalog.SEVERITY_LABELS[catalog.WARNING]: "yellow"}})


def build_duplicates(data: MasterInput) -> Table:
    pairs = data.dedupe.pairs
    rows = data.rows
    cluster = data.dedupe.cluster
    ids = data.ids.ids
    # The id of a row's cluster: only the pairs' ids become Python strings (not the ≈900k of
    # every kept row at a million rows).
    kept_cluster = cluster.loc[ids.index].to_numpy()

    def cluster_id(labels: pd.Series) -> np.ndarray:
        at = positions_of(kept_cluster, cluster.loc[labels].to_numpy())
        return ids.iloc[at].to_numpy(dtype=object)

    kept_id = cluster_id(pairs["kept_row"])
    own_id = cluster_id(pairs["row"])
    detail = rows.loc[pairs["row"], list(DUPLICATE_COLUMNS)]
    frame = pd.DataFrame({
        "Nhóm": pd.factorize(kept_id)[0] + 1,
        "Mã sáng kiến giữ lại": kept_id,
        "Mã CĐ": detail["unit_code"].to_numpy(), "Tab": detail["tab"].to_numpy(),
        "Dòng": detail["row"].to_numpy(), "Tên sáng kiến": detail["title"].to_numpy(),
        "Tác giả": detail["authors"].to_numpy(), "Độ giống": pairs["similarity"].to_numpy(),
        "Kết luận": [catalog.MERGED_LABEL if v == MERGED else catalog.REVIEW_LABEL
                     for v in pairs["verdict"]],
        "Lý do": pairs["reason"].to_numpy(),
        # A merged row's own id is the kept one (it is that initiative); a row to review keeps
        # its own.
        "Mã sáng kiến của dòng": own_id,
    }).sort_values(["Nhóm", "Kết luận", "Mã CĐ", "Dòng"], kind="stable")
    return _table(catalog.TAB_DUPLICATES, {c: frame[c].to_numpy() for c in frame.columns},
                  highlight={"Kết luận": {catalog.MERGED_LABEL: "grey",
                                          catalog.REVIEW_LABEL: "yellow"}})


def build_notable(data: MasterInput, kept: pd.DataFrame) -> Table:
    chosen = data.notable
    names = unit_names(data.units)
    ids = kept["id"].reindex(chosen.index)
    authors = kept["authors"].reindex(chosen.index)
    return _table(catalog.TAB_NOTABLE, {
        "Mã sáng kiến": ids, "Mã CĐ": chosen["unit_code"],
        "Công đoàn": chosen["unit_code"].map(names), "Tên sáng kiến": chosen["title"],
        "Tác giả": authors, "Loại giải pháp": chosen["solution_type"],
        "Giá trị làm lợi (đồng/năm)": chosen["benefit_vnd"].astype(object).where(
            chosen["benefit_vnd"].notna(), None),
        "Ý nghĩa xã hội": chosen["social"].map(_YES_NO), "Trạng thái": chosen["status"],
        "Lý do đề cử": chosen["reason"],
    })


def build_history(data: MasterInput) -> Table:
    history = data.history
    return _table(catalog.TAB_HISTORY, {
        "Lần chạy": history["run_id"], "Thời điểm": local_time(history["at"]),
        "Mã": history["unit_code"], "Công đoàn": history["name"],
        "Số đoàn viên": history["members"], "Chỉ tiêu (người)": history["target"],
        "Người tham gia": history["participants"], "Tỷ lệ tham gia": history["rate"],
        "Số sáng kiến": history["initiatives"],
        "Giá trị làm lợi (đồng/năm)": history["benefit_vnd"],
    })


def build_log(data: MasterInput) -> Table:
    import json

    runs = data.runs
    records = []
    for run in runs.itertuples(index=False):
        summary = json.loads(run.summary) if isinstance(run.summary, str) else {}
        totals = summary.get("totals", {})
        sources = summary.get("sources", [])
        failed = sum(1 for s in sources if s.get("status") in ("stale", "error"))
        status = run.status or "failed"
        note = "; ".join(summary.get("messages", [])[:3])
        if not run.finished_at:
            note = "Lần chạy bị dừng giữa chừng" + (f"; {note}" if note else "")
        records.append({
            "Lần chạy": run.run_id, "Bắt đầu": run.started_at, "Kết thúc": run.finished_at,
            "Kết quả": catalog.RUN_STATUS_LABELS.get(status, status),
            "Số nguồn": len(sources), "Nguồn lỗi": failed, "Số dòng": totals.get("rows"),
            "Hợp lệ": totals.get("valid"), "Bị loại": totals.get("rejected"),
            "Trùng lặp": totals.get("duplicates"), "Số sáng kiến": totals.get("initiatives"),
            "Người tham gia": totals.get("participants"), "Tỷ lệ tham gia": totals.get("rate"),
            "Ghi chú": note,
        })
    frame = pd.DataFrame.from_records(records, columns=[c.header for c in
                                                        catalog.MASTER_TABS[catalog.TAB_LOG]])
    frame["Bắt đầu"] = local_time(frame["Bắt đầu"])
    frame["Kết thúc"] = local_time(frame["Kết thúc"])
    return _table(catalog.TAB_LOG, {c: frame[c] for c in frame.columns})


def build_master(data: MasterInput, kept: pd.DataFrame | None = None,
                 duplicates: Table | None = None) -> list[Table]:
    """The seven tabs in SPEC order. `kept` is `kept_initiatives(data)` and `duplicates`
    `build_duplicates(data)` when the caller has them."""
    duplicates = build_duplicates(data) if duplicates is None else duplicates
    kept = kept_initiatives(data) if kept is None else kept
    return [
        build_progress(data),
        build_initiatives(data, kept),
        build_findings(data),
        duplicates,
        build_notable(data, kept),
        build_history(data),
        build_log(data),
    ]
