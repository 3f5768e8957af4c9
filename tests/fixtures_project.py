"""Build small real projects on disk: unit `.xlsx` files, a registry and a config file.

Tests describe units and rows in a few lines and get a project folder that the real CLI runs on.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

TEMPLATE_HEADERS = (
    "Tên sáng kiến", "Tác giả", "Đơn vị công tác", "Loại giải pháp", "Lĩnh vực", "Ngày áp dụng",
    "Trạng thái", "Tóm tắt nội dung", "Hiệu quả", "Giá trị làm lợi (đồng/năm)", "Ý nghĩa xã hội",
    "Ghi chú",
)
REPO = Path(__file__).resolve().parents[1]


def write_unit_xlsx(path: Path, rows: Sequence[Sequence[Any]],
                    headers: Sequence[str] = TEMPLATE_HEADERS, tab: str = "Sáng kiến",
                    title_rows: Sequence[str] = ("DANH SÁCH SÁNG KIẾN", ""),
                    extra_tabs: Sequence[str] = ()) -> Path:
    """A unit workbook as a person makes it: title rows, a header row, rows of typed cells.
    Strings are written as text (never formulas), dates as date cells, numbers as numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_numbers": False, "strings_to_urls": False})
    for name in extra_tabs:
        book.add_worksheet(name).write_string(0, 0, "ghi chú")
    sheet = book.add_worksheet(tab)
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    r = 0
    for title in title_rows:
        if title:
            sheet.write_string(r, 0, title)
        r += 1
    for c, header in enumerate(headers):
        sheet.write_string(r, c, header)
    write_cells(sheet, r + 1, rows, date_format)
    book.close()
    return path


def write_cells(sheet: Any, first_row: int, rows: Sequence[Sequence[Any]],
                date_format: Any) -> None:
    """Rows of typed cells from `first_row` down (an xlsxwriter worksheet): strings as text
    (never formulas), dates as date cells, booleans and numbers as such; None left empty."""
    for r, row in enumerate(rows, start=first_row):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date | dt.datetime):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))


def initiative(title: str, authors: str, applied: Any = dt.date(2022, 3, 5),
               solution_type: str = "Giải pháp kỹ thuật", status: str | None = None,
               benefit: Any = None, social: Any = None, workplace: str | None = None,
               summary: str | None = None) -> list[Any]:
    """One row in template column order."""
    return [title, authors, workplace, solution_type, None, applied, status, summary, None,
            benefit, social, None]


@dataclass
class UnitSpec:
    code: str
    name: str
    members: int
    parent: str = ""
    rows: list[list[Any]] = field(default_factory=list)
    source: str | None = None  # default: units/<code>.xlsx when rows are given
    emails: str = ""


@dataclass
class Project:
    root: Path
    config: Path
    registry: Path

    def unit_file(self, code: str) -> Path:
        return self.root / "config" / "units" / f"{code}.xlsx"

    @property
    def master(self) -> Path:
        return self.root / "out" / "master.xlsx"

    @property
    def state(self) -> Path:
        return self.root / "out" / "state.sqlite"


def make_project(root: Path, units: Sequence[UnitSpec], extra_config: str = "") -> Project:
    config_dir = root / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    registry = config_dir / "unions.csv"
    with registry.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Mã", "Tên công đoàn", "Cấp trên", "Số đoàn viên", "Nguồn",
                         "Email liên hệ", "Khu vực"])
        for unit in units:
            source = unit.source
            if source is None and unit.rows:
                source = f"units/{unit.code}.xlsx"
                write_unit_xlsx(config_dir / source, unit.rows)
            writer.writerow([unit.code, unit.name, unit.parent, unit.members, source or "",
                             unit.emails, "Doanh nghiệp"])
    config = config_dir / "sync.toml"
    config.write_text(
        '[program]\ntarget_rate = 0.10\nstart = 2021-09-01\ndeadline = 2023-09-01\n\n'
        '[registry]\npath = "unions.csv"\n\n[master]\ntarget = "../out/master.xlsx"\n\n'
        '[email]\ntransport = "outbox"\noutbox = "../out/outbox"\n\n'
        '[state]\npath = "../out/state.sqlite"\n' + extra_config,
        encoding="utf-8",
    )
    return Project(root, config, registry)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a subprocess (`python -m sync`)."""
    full_env = {**os.environ, **(env or {})}
    full_env.setdefault("PYTHONIOENCODING", "utf-8")
    return subprocess.run([sys.executable, "-m", "sync", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, env=full_env, timeout=timeout)


def read_master(path: Path) -> dict[str, list[list[Any]]]:
    """Every tab of a master workbook as rows of typed cells (python-calamine)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def tab_records(master: dict[str, list[list[Any]]], tab: str) -> list[dict[str, Any]]:
    rows = master[tab]
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(c != "" for c in row)]


class KillingPayload:
    """A payload whose bytes, read in a worker process, end that process at once (as the
    out-of-memory killer would). Importable by workers: they run with the tests' `sys.path`."""

    def __init__(self, payload: Any) -> None:
        self.inner = payload
        self.kind, self.name, self.fingerprint = payload.kind, payload.name, payload.fingerprint

    @property
    def data(self) -> bytes:
        import multiprocessing

        if multiprocessing.parent_process() is not None:
            os._exit(9)
        return bytes(self.inner.data)


@pytest.fixture
def project_factory(tmp_path: Path):
    def factory(units: Sequence[UnitSpec], extra_config: str = "") -> Project:
        return make_project(tmp_path / "project", units, extra_config)

    return factory
