"""`sangkien provision`: prepare units' spreadsheets from the template (SPEC §2, §4).

The template is described once here — columns (headers from `catalog.FIELDS`), widths, kinds,
drop-down lists, what each header's note says, the instructions tab and its filled example row —
and written by two writers: `sync.backends.gsheets.provision` (units' Google Sheets, given by id:
service accounts own no files) and `sync.backends.xlsx_template` (an `.xlsx` template for units
without Google). Both writers only *add* what is missing around the unit's data: a header row is
written only into an empty tab; an existing header is kept where it is and formatted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync import catalog
from sync.config import GSHEET_PREFIX, Config, ProgramConfig

INSTRUCTIONS_TAB = "Hướng dẫn"
TEMPLATE_FILE = "mau-sang-kien.xlsx"
# Marks what provision protected, so a second run replaces rather than piles up.
PROTECT_DESCRIPTION = "sangkien: dòng tiêu đề của mẫu (xin đừng sửa)"
DATA_ROWS = 1000  # rows that get formats and drop-downs in a new template


@dataclass(frozen=True, slots=True)
class TemplateColumn:
    key: str
    header: str
    width: int  # characters
    kind: str = "text"  # text | date | money
    choices: tuple[str, ...] = ()
    wrap: bool = False
    note: str = ""

    @property
    def required(self) -> bool:
        return catalog.FIELD_BY_KEY[self.key].required


_LAYOUT: dict[str, dict[str, Any]] = {
    "title": {"width": 46, "wrap": True,
              "note": "Bắt buộc. Tên phản ánh đúng nội dung, ít nhất 10 ký tự."},
    "authors": {"width": 30, "wrap": True,
                "note": "Bắt buộc. Họ và tên đầy đủ; nhiều tác giả cách nhau bằng dấu phẩy."},
    "workplace": {"width": 22, "note": "Tổ, đội, phòng ban của tác giả."},
    "solution_type": {"width": 26, "choices": tuple(catalog.SOLUTION_TYPES),
                      "note": "Bắt buộc. Chọn trong danh sách."},
    "field": {"width": 18, "note": "Ví dụ: thi công, cơ khí, quản lý vật tư."},
    "applied_on": {"width": 14, "kind": "date",
                   "note": "Bắt buộc. Ngày áp dụng lần đầu hoặc áp dụng thử, dạng dd/mm/yyyy."},
    "status": {"width": 18, "choices": tuple(catalog.STATUSES),
               "note": "Chọn trong danh sách; để trống là «Đã đăng ký»."},
    "summary": {"width": 46, "wrap": True, "note": "Vài câu về giải pháp: làm gì, làm thế nào."},
    "effect": {"width": 30, "wrap": True, "note": "Hiệu quả đạt được sau khi áp dụng."},
    "benefit": {"width": 20, "kind": "money",
                "note": "Số tiền làm lợi mỗi năm (đồng), ví dụ 150000000; nếu không tính được, "
                        "ghi «không tính được»."},
    "social": {"width": 12, "choices": (catalog.YES_LABEL, catalog.NO_LABEL),
               "note": "«Có» nếu sáng kiến có ý nghĩa xã hội (an toàn, môi trường, sức khoẻ…)."},
    "note": {"width": 24, "note": ""},
}

TEMPLATE_COLUMNS: tuple[TemplateColumn, ...] = tuple(
    TemplateColumn(f.key, f.header, **_LAYOUT[f.key]) for f in catalog.FIELDS)


def example_row(program: ProgramConfig, today: dt.date | None = None) -> dict[str, Any]:
    """A correctly filled row (its date inside the programme window and not in the future)."""
    today = today or dt.date.today()
    applied = min(program.start + dt.timedelta(days=185), program.deadline, today)
    return {
        "title": "Cải tiến bộ gá hàn cốt thép dầm cầu",
        "authors": "Nguyễn Văn An, Trần Thị Bình",
        "workplace": "Đội thi công số 3",
        "solution_type": "Giải pháp kỹ thuật",
        "field": "Thi công cầu",
        "applied_on": applied,
        "status": catalog.STATUS_DEFAULT,
        "summary": "Thay bộ gá hàn thủ công bằng bộ gá định vị nhanh, hàn được cả hai phía dầm.",
        "effect": "Giảm 30 % thời gian hàn, ít mối hàn phải làm lại.",
        "benefit": 120_000_000,
        "social": catalog.YES_LABEL,
        "note": "",
    }


def instructions(program: ProgramConfig) -> list[str]:
    """The instructions tab, line by line (Vietnamese, for the people who fill the sheet)."""
    start, deadline = program.start.strftime("%d/%m/%Y"), program.deadline.strftime("%d/%m/%Y")
    required = ", ".join(c.header for c in TEMPLATE_COLUMNS if c.required)
    return [
        "HƯỚNG DẪN ĐIỀN DANH SÁCH SÁNG KIẾN",
        f"Chương trình: {program.name}",
        "",
        f"1. Mỗi sáng kiến ghi một dòng trong tab «{catalog.UNIT_TAB}», ngay dưới dòng tiêu đề. "
        "Không đổi tên, không xoá và không đổi thứ tự các cột tiêu đề; không gộp ô.",
        f"2. Các cột bắt buộc: {required}. Dòng thiếu một trong các cột này sẽ không được tính.",
        "3. Tên sáng kiến: ít nhất 10 ký tự, nói rõ sáng kiến làm gì.",
        "4. Tác giả: họ và tên đầy đủ của từng người, cách nhau bằng dấu phẩy "
        "(ví dụ «Nguyễn Văn An, Trần Thị Bình»).",
        "5. Loại giải pháp, Trạng thái, Ý nghĩa xã hội: bấm vào ô và chọn trong danh sách.",
        f"6. Ngày áp dụng: ngày áp dụng lần đầu hoặc áp dụng thử, dạng dd/mm/yyyy, trong thời "
        f"gian chương trình ({start} – {deadline}) và không sau ngày hôm nay.",
        "7. Giá trị làm lợi: số tiền làm lợi mỗi năm, tính bằng đồng (ví dụ 150000000 hoặc "
        "150 triệu); nếu không tính được, ghi «không tính được».",
        "8. Gõ thẳng giá trị vào ô, không dùng công thức; mỗi sáng kiến chỉ ghi một lần.",
        "9. Sau mỗi lần tổng hợp, đơn vị nhận thư báo những dòng cần sửa và cách sửa.",
        "",
        "Ví dụ một dòng điền đúng:",
    ]


# --- the run ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ProvisionResult:
    code: str
    status: str  # ok | skipped | failed
    message: str

    def line(self) -> str:
        mark = {"ok": "✓", "skipped": "–", "failed": "✗"}[self.status]
        return f"{mark} {self.code}: {self.message}"


@dataclass(slots=True)
class ProvisionReport:
    results: list[ProvisionResult] = field(default_factory=list)
    template: Path | None = None

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.status == "failed")

    def lines(self) -> list[str]:
        out = [r.line() for r in self.results]
        ok = sum(1 for r in self.results if r.status == "ok")
        out.append(f"\n{ok} bảng tính đã chuẩn bị, {self.failed} lỗi, "
                   f"{len(self.results) - ok - self.failed} bỏ qua.")
        if self.template is not None:
            out.append(f"Mẫu .xlsx cho đơn vị không dùng Google: {self.template}")
        return out


def default_template_path(config: Config) -> Path:
    return config.state_path.parent / TEMPLATE_FILE


def run_provision(config: Config, only: Sequence[str] = (), share: bool = False,
                  template_out: Path | None = None) -> ProvisionReport:
    """Prepare every (or `only` these) unit's Google Sheet; write the `.xlsx` template."""
    from sync.backends.xlsx_template import write_template
    from sync.errors import ConfigError
    from sync.pipeline import load_units

    units = load_units(config)
    codes = {u.code for u in units}
    unknown = [c for c in only if c not in codes]
    if unknown:
        raise ConfigError(f"--only: không có đơn vị mã {', '.join(unknown)} trong danh sách.")
    chosen = [u for u in units if u.source and (not only or u.code in only)]
    report = ProvisionReport()
    google = [u for u in chosen if u.source and u.source.startswith(GSHEET_PREFIX)]
    for unit in chosen:
        if unit not in google:
            report.results.append(ProvisionResult(
                unit.code, "skipped", f"nguồn là tệp {Path(unit.source or '').name} — gửi đơn "
                "vị mẫu .xlsx bên dưới"))
    if google:
        from sync.backends.gsheets.provision import provision_units

        report.results.extend(provision_units(config, google, share))
    order = {u.code: i for i, u in enumerate(units)}
    report.results.sort(key=lambda r: order.get(r.code, 0))
    path = template_out or default_template_path(config)
    write_template(path, config.program)
    report.template = path
    return report
