"""The registry of units (SPEC §3 "Registry"): a `.csv` or `.xlsx` file, or a Google Sheet tab.

Every problem is collected and reported together, each naming the file and the row a person sees,
so a coordinator fixes the whole list in one pass. A bad registry is a configuration error (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sync import catalog
from sync.addresses import is_email
from sync.backends.base import Grid
from sync.config import GSHEET_PREFIX, resolve_locator
from sync.errors import ConfigError, SourceError
from sync.headers import header_key
from sync.model import Unit
from sync.text import clean_text

_CODE = re.compile(r"^[\w.\-]{1,32}$")
MAX_LISTED_PROBLEMS = 30

GridLoader = Callable[[str], tuple[Grid, str]]


def load_registry(locator: str, gsheet_loader: GridLoader | None = None,
                  source_roots: Sequence[Path] = ()) -> list[Unit]:
    """Units in registry order. `gsheet_loader` reads a `gsheet:<id>#<tab>` registry (the Google
    backend provides it; the core stays free of network code). When `source_roots` is given, a
    local `Nguồn` outside all of them is refused."""
    if locator.startswith(GSHEET_PREFIX):
        if gsheet_loader is None:
            raise ConfigError(f"Danh sách đơn vị {locator}: chưa cấu hình truy cập Google.")
        try:
            grid, label = gsheet_loader(locator)
        except SourceError as exc:
            raise ConfigError(f"Không đọc được danh sách đơn vị {locator}: {exc.detail}.") from None
        return parse_registry(grid, label, base_dir=Path.cwd(), source_roots=source_roots)
    path = Path(locator)
    grid = read_registry_file(path)
    return parse_registry(grid, str(path), base_dir=path.parent, source_roots=source_roots)


def read_registry_file(path: Path) -> Grid:
    from sync.backends.csvfile import CsvWorkbook
    from sync.backends.xlsx import XlsxWorkbook

    if not path.is_file():
        raise ConfigError(
            f"Không tìm thấy danh sách đơn vị {path} (khoá [registry] path trong tệp cấu hình)."
        )
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ConfigError(f"Danh sách đơn vị {path} phải là tệp .csv hoặc .xlsx.")
    try:
        data = path.read_bytes()
        book = CsvWorkbook(data, path.name) if suffix == ".csv" else XlsxWorkbook(data, path.name)
        tabs = [t for t in book.tabs() if not t.hidden] or book.tabs()
        return book.read(tabs[0].name)
    except SourceError as exc:
        raise ConfigError(f"Không đọc được danh sách đơn vị {path}: {exc.detail}.") from None
    except OSError as exc:
        raise ConfigError(f"Không đọc được danh sách đơn vị {path}: {exc.strerror}.") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value))


def _find_header(grid: Grid) -> tuple[int, dict[str, int]]:
    wanted = {header_key(h): key for key, h in catalog.REGISTRY_COLUMNS.items()}
    for index, row in enumerate(grid[:20]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = wanted.get(header_key(_text(cell)))
            if key and key not in found:
                found[key] = col
        if len(found) >= 2:
            return index, found
    return -1, {}


def parse_registry(grid: Grid, label: str, base_dir: Path,
                   source_roots: Sequence[Path] = ()) -> list[Unit]:
    header_index, columns = _find_header(grid)
    if header_index < 0:
        raise ConfigError(
            f"Danh sách đơn vị {label}: không tìm thấy dòng tiêu đề. Cần các cột: "
            + ", ".join(catalog.REGISTRY_COLUMNS.values()) + "."
        )
    missing = [catalog.REGISTRY_COLUMNS[k] for k in catalog.REGISTRY_REQUIRED if k not in columns]
    if missing:
        raise ConfigError(
            f"Danh sách đơn vị {label}: thiếu cột {', '.join(missing)} ở dòng tiêu đề "
            f"(dòng {header_index + 1})."
        )

    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(grid)):
        cells = grid[index]
        values = {key: _text(cells[col]) if col < len(cells) else "" for key, col in columns.items()}
        if not any(values.values()):
            continue
        line = index + 1
        where = f"dòng {line}"
        width = len(grid[header_index])
        if label.lower().endswith(".csv") and len(cells) > width:
            # A CSV row with more fields than its header: a comma inside a value, unquoted.
            problems.append(
                f"{where} có {len(cells)} ô, nhiều hơn dòng tiêu đề ({width} cột): ô nào có dấu "
                "phẩy (ví dụ «1,240» hay hai địa chỉ email) phải đặt trong ngoặc kép, hoặc dùng "
                "dấu «;» giữa các email.")
            continue
        code = values.get("code", "")
        if not code:
            problems.append(f"{where}: thiếu Mã đơn vị.")
            continue
        if not _CODE.match(code):
            problems.append(f"{where}: Mã «{code}» chỉ được gồm chữ, số, dấu chấm, gạch ngang.")
        if code in seen:
            problems.append(f"{where}: Mã «{code}» trùng với dòng {seen[code]}.")
            continue
        seen[code] = line
        if not values.get("name"):
            problems.append(f"{where}: thiếu Tên công đoàn của đơn vị {code}.")
        members = _members(cells[columns["members"]] if columns["members"] < len(cells) else None)
        if members is None:
            problems.append(
                f"{where}: Số đoàn viên «{values.get('members', '')}» của {code} phải là số "
                "nguyên lớn hơn 0."
            )
        emails = tuple(e.strip() for e in re.split(r"[;,\s]+", values.get("emails", "")) if e.strip())
        for email in emails:
            if not is_email(email):
                problems.append(f"{where}: Email liên hệ «{email}» của {code} không hợp lệ.")
        sector = values.get("sector") or None
        if sector and header_key(sector) not in {header_key(s) for s in catalog.REGISTRY_SECTORS}:
            problems.append(
                f"{where}: Khu vực «{sector}» của {code} phải là "
                + " hoặc ".join(catalog.REGISTRY_SECTORS) + "."
            )
        elif sector:
            sector = next(s for s in catalog.REGISTRY_SECTORS if header_key(s) == header_key(sector))
        source = values.get("source") or None
        if source and not source.startswith(GSHEET_PREFIX):
            suffix = Path(source).suffix.lower()
            if suffix not in (".xlsx", ".csv"):
                problems.append(
                    f"{where}: Nguồn «{source}» của {code} phải là tệp .xlsx, .csv hoặc "
                    "gsheet:<mã bảng tính>."
                )
            elif source_roots and not _inside(Path(resolve_locator(source, base_dir)), source_roots):
                problems.append(
                    f"{where}: Nguồn «{source}» của {code} nằm ngoài thư mục dự án "
                    f"({source_roots[0]}); chỉ đọc tệp trong thư mục dự án hoặc thư mục khai báo ở "
                    "[registry] allowed_roots."
                )
        rows.append({
            "code": code, "name": values.get("name", ""), "parent": values.get("parent") or None,
            "members": members or 0, "source": source, "emails": emails, "sector": sector,
            "line": line,
        })

    for row in rows:
        parent = row["parent"]
        if parent and parent not in seen:
            problems.append(
                f"dòng {row['line']}: Cấp trên «{parent}» của {row['code']} không có trong danh sách."
            )
        if parent == row["code"]:
            problems.append(f"dòng {row['line']}: {row['code']} không thể là cấp trên của chính nó.")
    problems.extend(_cycles(rows))
    if not rows and not problems:
        problems.append("danh sách không có đơn vị nào.")
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = "\n".join(f"  - {p}" for p in shown)
        if more:
            text += f"\n  - và {more} lỗi khác."
        raise ConfigError(f"Danh sách đơn vị {label} có lỗi:\n{text}")

    return [
        Unit(
            code=row["code"], name=row["name"], parent=row["parent"], members=row["members"],
            source=resolve_locator(row["source"], base_dir) if row["source"] else None,
            emails=row["emails"], sector=row["sector"], registry_row=row["line"],
        )
        for row in rows
    ]


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    """True when `path` (symlinks resolved) lies in one of `roots`."""
    real = path.resolve()
    return any(real.is_relative_to(root.resolve()) for root in roots)


def _members(value: Any) -> int | None:
    """A whole number of members > 0: `1240`, `1.240`, `1,240`, `1 240` — never `1240.5`."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if float(value).is_integer() and value > 0 else None
    text = str(value or "").strip().replace("\u00a0", " ")
    if re.fullmatch(r"\d{1,3}(?:[.,  ]\d{3})+", text):  # thousands grouped by three
        text = re.sub(r"\D", "", text)
    return int(text) if text.isdigit() and int(text) > 0 else None


def _cycles(rows: list[dict[str, Any]]) -> list[str]:
    parent_of = {r["code"]: r["parent"] for r in rows}
    line_of = {r["code"]: r["line"] for r in rows}
    problems: list[str] = []
    reported: set[str] = set()
    for code in parent_of:
        seen: list[str] = []
        current: str | None = code
        while current and current in parent_of and current not in seen:
            seen.append(current)
            current = parent_of[current]
        if current in seen and current not in reported:
            loop = seen[seen.index(current):]
            reported.update(loop)
            problems.append(
                f"dòng {line_of[current]}: vòng lặp cấp trên {' → '.join([*loop, current])}."
            )
    return problems


def children_of(units: list[Unit]) -> dict[str | None, list[Unit]]:
    """Units grouped by parent code (None for the top level), in registry order."""
    tree: dict[str | None, list[Unit]] = {}
    for unit in units:
        tree.setdefault(unit.parent, []).append(unit)
    return tree
