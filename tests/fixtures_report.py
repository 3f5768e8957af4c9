"""Projects for the digest tests: a small sector with contacts and leaders, and helpers to point
its config at a mail transport and to give it some history.

- `digest_project`: a real project (registry, unit `.xlsx` files, config) whose leaders are two
  addresses and whose units have contacts; one unit's name carries `<script>`.
- `set_email(project, toml)`: replaces the config's `[email]` section (the project helper writes an
  outbox one).
- `add_past_history(project, at, scale)`: a progress snapshot recorded at an earlier date (as if an
  earlier run had happened then), for the trend chart and the change since the previous period.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from fixtures_project import Project, UnitSpec, initiative, make_project

LEADERS = ("lanhdao@congdoan.example", "pho.ban@congdoan.example")
SCRIPT_NAME = "Công đoàn <script>alert(1)</script> Cơ khí"


def digest_units() -> list[UnitSpec]:
    return [
        UnitSpec("P1", "Công đoàn Tổng công ty Sông Hồng", 10),
        UnitSpec("A1", "Công đoàn Công ty Xây lắp số 1", 25, parent="P1",
                 emails="a1@donvi.example; tohotro.a1@donvi.example", rows=[
                     initiative("Cải tiến bộ gá hàn cốt thép dầm cầu",
                                "Nguyễn Văn An, Trần Thị Bình", benefit=120_000_000, social="x",
                                summary="Bộ gá mới giúp hàn nhanh gấp đôi, giảm phế phẩm"),
                     initiative("Ứng dụng phần mềm quản lý vật tư tại công trường",
                                "Lê Văn Cường", applied="05/04/2022", benefit="150 triệu"),
                     initiative("Hợp lý hoá quy trình nghiệm thu cọc khoan nhồi", "Phạm Văn Dũng",
                                applied="31/02/2022"),
                     initiative("Ngắn", "Phạm Văn Dũng"),
                 ]),
        UnitSpec("B1", SCRIPT_NAME, 100, parent="P1", emails="b1@donvi.example", rows=[
            initiative("<script>alert('x')</script> Giải pháp tiết kiệm điện trạm trộn",
                       "Hoàng Thị Lan và Vũ Minh Tuấn", benefit="1.500.000 đ"),
        ]),
        UnitSpec("C1", "Công đoàn Công ty Tư vấn Thiết kế", 20, emails="c1@donvi.example", rows=[
            initiative("Số hoá hồ sơ thiết kế bằng mô hình BIM", "Đỗ Thị Hạnh, Ngô Văn Khoa",
                       benefit=90_000_000),
        ]),
    ]


def set_email(project: Project, section: str) -> None:
    """Replace `[email]` (and `[email.*]`) of the project's config with `section`."""
    text = project.config.read_text(encoding="utf-8")
    text = re.sub(r"\n\[email(\.[a-z]+)?\]\n(?:(?!\n\[).)*", "\n", text, flags=re.S)
    project.config.write_text(text.rstrip("\n") + "\n" + section, encoding="utf-8")


def add_past_history(project: Project, at: dt.datetime, scale: float = 0.5) -> None:
    """A snapshot of the current progress with fewer participants, recorded at `at`."""
    from sync.state import State

    with State(project.state) as state:
        _, frames = state.results()
        progress = frames["progress"].copy()
        progress["participants"] = (progress["participants"] * scale).astype(int)
        progress["initiatives"] = (progress["initiatives"] * scale).astype(int)
        progress["rate"] = progress["participants"] / progress["members"]
        state.add_history(f"past-{at:%Y%m%d}", at.isoformat(), progress)


@pytest.fixture
def digest_project(tmp_path: Path) -> Project:
    leaders = ", ".join(f'"{a}"' for a in LEADERS)
    return make_project(tmp_path / "project", digest_units(), (
        f'\n[digests]\nperiod = "month"\nleaders = [{leaders}]\n'
        'master_url = "https://docs.google.com/spreadsheets/d/master-id/edit"\n'))


# -- a deterministic sector for screenshots (no clock, no files) -----------------------------------

SHOWCASE_UNITS = (
    ("XL1", "Công đoàn Tổng công ty Xây lắp Sông Đà", 1_850, 240),
    ("XM2", "Công đoàn Tổng công ty Xi măng Việt Nam", 2_400, 160),
    ("TV3", "Công đoàn Viện Kiến trúc Quốc gia", 220, 31),
    ("VL4", "Công đoàn Tổng công ty Viglacera", 1_600, 95),
    ("CK5", "Công đoàn Công ty Cơ khí Xây dựng Hà Nội", 430, 18),
    ("HT6", "Công đoàn Tổng công ty Đầu tư Phát triển Hạ tầng", 640, 70),
    ("DT7", "Công đoàn Trường Cao đẳng Xây dựng số 1", 150, 4),
    ("NO8", "Công đoàn Tổng công ty Đầu tư Phát triển Nhà và Đô thị", 980, 104),
)


def showcase() -> tuple[Any, list[Any], Any, Any]:
    """(Results, units, history, program) of a plausible sector on 1 December 2026."""
    from fractions import Fraction

    import pandas as pd

    from sync import catalog
    from sync.config import ProgramConfig
    from sync.model import Unit
    from sync.report.context import Results

    program = ProgramConfig("01 triệu sáng kiến nỗ lực vượt khó, sáng tạo, quyết tâm chiến thắng "
                            "đại dịch Covid-19", Fraction(1, 10), dt.date(2021, 9, 1),
                            dt.date(2027, 9, 1), catalog.DEFAULT_COUNTED_STATUSES)
    units, progress, initiatives, findings, sources = [], [], [], [], []
    titles = ("Cải tiến bộ gá hàn cốt thép dầm cầu", "Ứng dụng BIM trong thiết kế kết cấu",
              "Thu hồi nhiệt khí thải lò nung clinker", "Số hoá hồ sơ nghiệm thu công trình")
    for i, (code, name, members, people) in enumerate(SHOWCASE_UNITS):
        target = -(-members // 10)
        units.append(Unit(code, name, None, members, f"gsheet:sheet-{code}",
                          (f"{code.lower()}@congdoan.example",)))
        progress.append({"code": code, "name": name, "parent": None, "depth": 0,
                         "members": members, "target": target, "participants": people,
                         "rate": people / members, "met": people >= target,
                         "missing": max(0, target - people), "initiatives": people // 2,
                         "benefit_vnd": 95_000_000 * (i + 1), "findings": i % 3})
        for j, title in enumerate(titles[: 1 + i % 3]):
            initiatives.append({
                "id": f"SK{i:03d}{j}", "first_seen": f"2026-11-{10 + i:02d}T08:00:00+07:00",
                "unit_code": code, "tab": "Sáng kiến", "row": 4 + j, "title": title,
                "authors": ("Nguyễn Văn An, Trần Thị Bình", "Lê Văn Cường", "Phạm Thu Hà")[j % 3],
                "workplace": None, "solution_type": "Giải pháp kỹ thuật", "field": None,
                "applied_on": pd.Timestamp(2026, 3 + j, 5), "status": "Đã công nhận",
                "summary": "Rút ngắn 30 % thời gian thi công, giảm hao hụt vật tư và tai nạn "
                           "lao động trên công trường.",
                "effect": None, "benefit_vnd": (120_000_000 if j == 0 else 45_000_000) * (i + 1),
                "benefit_not_computable": False, "social": j == 1, "note": None,
                "counted": True})
        for k in range(i % 3):
            findings.append({"unit_code": code, "tab": "Sáng kiến", "row": 7 + k,
                             "field": ("applied_on", "title")[k],
                             "column": ("Ngày áp dụng", "Tên sáng kiến")[k],
                             "value": ("31/02/2026", "Ngắn")[k],
                             "code": ("invalid_date", "title_too_short")[k], "severity": "error",
                             "message": ("Không đọc được ngày «31/02/2026».",
                                         "Tên sáng kiến «Ngắn» quá ngắn (dưới 10 ký tự).")[k],
                             "hint": ("Ghi đủ ngày, tháng, năm theo dạng dd/mm/yyyy, ví dụ "
                                      "05/03/2026.",
                                      "Ghi tên phản ánh đúng nội dung sáng kiến.")[k]})
        if i % 4 == 1:
            findings.append({"unit_code": code, "tab": "Sáng kiến", "row": 12, "field": "benefit",
                             "column": "Giá trị làm lợi (đồng/năm)", "value": "1.5tr",
                             "code": "ambiguous_money", "severity": "warning",
                             "message": "Giá trị làm lợi «1.5tr» có thể hiểu hai cách.",
                             "hint": "Ghi rõ 1.500.000 hoặc 1,5 triệu."})
        sources.append({"code": code, "status": "stale" if i == 6 else "ok", "rows": 10,
                        "valid": 9, "errors": i % 3, "warnings": 0,
                        "message": "bảng tính chưa được chia sẻ" if i == 6 else "",
                        "fetched_at": "2026-11-30T08:00:00+07:00"})
    members = sum(p["members"] for p in progress)
    people = sum(p["participants"] for p in progress)
    target = -(-members // 10)
    progress.append({"code": catalog.SECTOR_CODE, "name": "Toàn ngành", "parent": None,
                     "depth": -1, "members": members, "target": target, "participants": people,
                     "rate": people / members, "met": people >= target,
                     "missing": max(0, target - people), "initiatives": len(initiatives) * 40,
                     "benefit_vnd": sum(p["benefit_vnd"] for p in progress), "findings": 9})
    history = pd.DataFrame([
        {"run_id": f"r{m}", "at": f"2026-{m:02d}-28T08:00:00+07:00",
         "unit_code": catalog.SECTOR_CODE, "name": "Toàn ngành", "members": members,
         "target": target, "participants": int(people * (0.35 + 0.065 * m)),
         "rate": people * (0.35 + 0.065 * m) / members,
         "initiatives": int(len(initiatives) * 40 * (0.3 + 0.065 * m)), "benefit_vnd": 0}
        for m in range(1, 11)] + [
        {"run_id": "now", "at": "2026-11-30T08:00:00+07:00", "unit_code": catalog.SECTOR_CODE,
         "name": "Toàn ngành", "members": members, "target": target, "participants": people,
         "rate": people / members, "initiatives": len(initiatives) * 40, "benefit_vnd": 0}])
    frames = {
        "progress": pd.DataFrame(progress),
        "initiatives": pd.DataFrame(initiatives).astype({"benefit_vnd": "Int64"}),
        "findings": pd.DataFrame(findings),
        "duplicates": pd.DataFrame([{"Nhóm": 1, "Mã sáng kiến giữ lại": "SK0000", "Mã CĐ": "XL1",
                                     "Tab": "Sáng kiến", "Dòng": 9, "Tên sáng kiến": titles[0],
                                     "Tác giả": "Trần Thị Bình", "Độ giống": 0.97,
                                     "Kết luận": catalog.MERGED_LABEL, "Lý do": "Trùng tên"}]),
        "sources": pd.DataFrame(sources),
    }
    return Results.from_frames("now", frames, history), units, history, program
