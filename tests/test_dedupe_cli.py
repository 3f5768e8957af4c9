"""Deduplication and stable ids end to end (issue 4): the real CLI on real `.xlsx` unit files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from click.testing import CliRunner
from fixtures_project import (
    Project,
    UnitSpec,
    initiative,
    read_master,
    tab_records,
    write_unit_xlsx,
)

from sync.cli import main

ROLLER = "Cải tiến hệ thống con lăn kéo cáp tại công trường"


def sync(project: Project) -> dict[str, list[list[Any]]]:
    result = CliRunner().invoke(main, ["sync", "--config", str(project.config)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return read_master(project.master)


def ids_by_title(master: dict[str, list[list[Any]]]) -> dict[str, str]:
    return {r["Tên sáng kiến"]: r["Mã sáng kiến"] for r in tab_records(master, "Sáng kiến")}


def test_duplicates_within_and_across_units_and_what_the_master_says(project_factory) -> None:
    project = project_factory([
        UnitSpec("P1", "Công đoàn Tổng công ty Sông Hồng", 40, rows=[
            # the parent registers its child's initiative again (less complete): merged
            initiative(ROLLER, "Trần Thị Mai"),
        ]),
        UnitSpec("A1", "Công đoàn Công ty Xây lắp số 1", 30, parent="P1", rows=[
            initiative(ROLLER, "Nguyễn Văn Hùng, Trần Thị Mai", benefit=120_000_000,
                       workplace="Đội xây dựng số 2"),
            initiative("Cai tien he thong con lan keo cap tai cong truong", "Nguyen Van Hung",
                       applied=dt.date(2022, 4, 1)),
            initiative("Giải pháp tiết kiệm điện năng cho trạm trộn số 1", "Lê Văn Cường"),
            initiative("Giải pháp tiết kiệm điện năng cho trạm trộn số 2", "Lê Văn Cường"),
            initiative("Thiết kế chế tạo máy trộn bê tông mini", "Phạm Văn Dũng"),
            initiative("Thiết kế chế tạo máy trộn vữa mini", "Phạm Văn Dũng"),
        ]),
        UnitSpec("B1", "Công đoàn Công ty Cơ khí Xây dựng", 20, rows=[
            # the same title by someone else: a possible duplicate, never merged
            initiative(ROLLER, "Hoàng Thị Lan"),
            # retyped with a typo by a shared author, in another unit: merged
            initiative("Cải tiến hệ thống con lăn kéo cáp tại công trườngg", "Trần Thị Mai",
                       applied=dt.date(2022, 5, 2)),
        ]),
    ])
    master = sync(project)

    initiatives = tab_records(master, "Sáng kiến")
    assert len(initiatives) == 6  # 9 rows − 3 merged
    roller = [r for r in initiatives if r["Tên sáng kiến"] == ROLLER]
    kept = next(r for r in roller if r["Mã CĐ"] == "A1")
    assert kept["Nguồn"] == "Sáng kiến!4"  # the earliest applied, then the most complete row
    assert kept["Tác giả"] == "Nguyễn Văn Hùng, Trần Thị Mai"
    other = next(r for r in roller if r["Mã CĐ"] == "B1")
    assert other["Tác giả"] == "Hoàng Thị Lan"
    titles = {r["Tên sáng kiến"] for r in initiatives}
    assert {"Giải pháp tiết kiệm điện năng cho trạm trộn số 1",
            "Giải pháp tiết kiệm điện năng cho trạm trộn số 2",
            "Thiết kế chế tạo máy trộn bê tông mini",
            "Thiết kế chế tạo máy trộn vữa mini"} <= titles

    lines = tab_records(master, "Trùng lặp")
    merged = sorted((r["Mã CĐ"], r["Dòng"]) for r in lines if r["Kết luận"] == "Đã gộp")
    assert merged == [("A1", 5), ("B1", 5), ("P1", 4)]
    review = [r for r in lines if r["Kết luận"] == "Cần xem xét"]
    assert [(r["Mã CĐ"], r["Dòng"]) for r in review] == [("B1", 4)]
    for line in lines:
        assert line["Mã sáng kiến giữ lại"] == kept["Mã sáng kiến"]
        assert line["Tab"] == "Sáng kiến" and line["Lý do"]
        assert 0.9 <= line["Độ giống"] <= 1.0
    assert len({line["Nhóm"] for line in lines}) == 1
    # A merged row is the kept initiative; a row to review is its own initiative.
    ids = {r["Tên sáng kiến"]: r["Mã sáng kiến"] for r in initiatives if r["Mã CĐ"] == "B1"}
    for line in lines:
        own = line["Mã sáng kiến của dòng"]
        if line["Kết luận"] == "Đã gộp":
            assert own == kept["Mã sáng kiến"]
        else:
            assert own != kept["Mã sáng kiến"] and own in ids.values()
    reasons = {(r["Mã CĐ"], r["Dòng"]): r["Lý do"] for r in lines}
    assert "bỏ qua dấu" in reasons[("A1", 5)] and "Nguyen Van Hung" in reasons[("A1", 5)]
    assert "đăng ký ở cả A1 và P1" in reasons[("P1", 4)]
    assert "lỗi gõ" in reasons[("B1", 5)]
    assert "không có tác giả chung" in reasons[("B1", 4)]

    # Participants: distinct authors of counted kept initiatives, in the kept row's unit.
    progress = {r["Mã"]: r for r in tab_records(master, "Tiến độ")}
    assert progress["A1"]["Người tham gia"] == 4  # Hùng, Mai, Cường, Dũng
    assert progress["B1"]["Người tham gia"] == 1  # Lan
    assert progress["P1"]["Người tham gia"] == 4  # its child; its own copy was merged away
    assert progress["TOÀN NGÀNH"]["Người tham gia"] == 5
    assert progress["TOÀN NGÀNH"]["Số sáng kiến"] == 6


def test_ids_survive_the_edits_units_make(project_factory) -> None:
    typo = "Cải tiến bộ gá hàn cốt thép dầm cầuu"
    fixed = "Cải tiến bộ gá hàn cốt thép dầm cầu"
    software = "Ứng dụng phần mềm quản lý vật tư tại công trường"
    software_copy = "Ung dung phan mem quan ly vat tu tai cong truong"
    formwork = "Chế tạo thiết bị nâng hạ ván khuôn leo"
    rows = {
        "bracket": initiative(typo, "Nguyễn Văn An"),
        "software": initiative(software, "Trần Thị Bình", applied=dt.date(2022, 1, 10)),
        "copy": initiative(software_copy, "Tran Thi Binh", applied=dt.date(2022, 2, 1)),
        "formwork": initiative(formwork, "Lê Văn Cường"),
    }
    project = project_factory([UnitSpec("A1", "Công đoàn Công ty Xây lắp số 1", 30,
                                        rows=list(rows.values()))])
    unit_file = project.unit_file("A1")

    first = ids_by_title(sync(project))
    assert first == {typo: "SK0000001", software: "SK0000002", formwork: "SK0000003"}

    # Re-sorted, and moved to another tab (the sheet's only tab is now "Danh sách").
    write_unit_xlsx(unit_file, list(reversed(rows.values())), tab="Danh sách")
    master = sync(project)
    assert ids_by_title(master) == first
    sources = {r["Tên sáng kiến"]: r["Nguồn"] for r in tab_records(master, "Sáng kiến")}
    assert sources[software] == "Danh sách!6"  # reversed: formwork, copy, software, bracket

    # A typo fixed in a title, a co-author added to another.
    rows["bracket"] = initiative(fixed, "Nguyễn Văn An")
    rows["formwork"] = initiative(formwork, "Lê Văn Cường, Đỗ Thị Hạnh")
    write_unit_xlsx(unit_file, list(rows.values()))
    assert ids_by_title(sync(project)) == {fixed: "SK0000001", software: "SK0000002",
                                           formwork: "SK0000003"}

    # The kept row is deleted while its duplicate remains: the duplicate carries the id.
    del rows["software"]
    write_unit_xlsx(unit_file, list(rows.values()))
    master = sync(project)
    assert ids_by_title(master) == {fixed: "SK0000001", software_copy: "SK0000002",
                                    formwork: "SK0000003"}
    assert tab_records(master, "Trùng lặp") == []

    # An initiative deleted and another added: the new one gets a new id, never the old one.
    del rows["formwork"]
    rows["new"] = initiative("Số hoá quy trình nghiệm thu cốt thép", "Lê Văn Cường")
    write_unit_xlsx(unit_file, list(rows.values()))
    assert ids_by_title(sync(project)) == {fixed: "SK0000001", software_copy: "SK0000002",
                                           "Số hoá quy trình nghiệm thu cốt thép": "SK0000004"}

    # A same-numbered sibling is a new initiative; the deleted one comes back with its own id.
    rows["formwork"] = initiative(formwork, "Lê Văn Cường")
    rows["sibling"] = initiative("Số hoá quy trình nghiệm thu cốt thép giai đoạn 2",
                                 "Lê Văn Cường")
    write_unit_xlsx(unit_file, list(rows.values()))
    last = ids_by_title(sync(project))
    assert last[formwork] == "SK0000003"
    assert last["Số hoá quy trình nghiệm thu cốt thép giai đoạn 2"] == "SK0000005"
