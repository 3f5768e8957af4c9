"""Every catalogue of the product in one place: one table per fact.

Unit-sheet headers and their aliases, finding codes with their severity, message and hint, the
solution types, statuses and yes/no words, and the master's tabs with their columns. Code elsewhere
looks things up here; it never spells a header, a code or a message itself. Names that SPEC.md fixes
(headers, codes, tab names) must not change; aliases, messages and hints may grow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# --------------------------------------------------------------------------------------------------
# Unit sheets (SPEC §4)
# --------------------------------------------------------------------------------------------------

UNIT_TAB: Final = "Sáng kiến"


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a unit sheet: its key in code, its template header and the other ways units
    write that header. Aliases are compared after folding (case, spaces, diacritics, encoding,
    text in parentheses removed), so list each wording once."""

    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


FIELDS: Final[tuple[Field, ...]] = (
    Field("title", "Tên sáng kiến", True, (
        "Tên sáng kiến, giải pháp", "Tên sáng kiến/giải pháp", "Tên giải pháp", "Tên SK",
        "Tên sáng kiến cải tiến", "Tên đề tài", "Tên đề tài, sáng kiến", "Sáng kiến",
    )),
    Field("authors", "Tác giả", True, (
        "Tác giả, đồng tác giả", "Tác giả/đồng tác giả", "Tác giả sáng kiến", "Họ và tên tác giả",
        "Họ tên tác giả", "Tên tác giả", "Người thực hiện", "Nhóm tác giả", "Họ và tên",
    )),
    Field("workplace", "Đơn vị công tác", False, (
        "Đơn vị", "Nơi công tác", "Phòng ban", "Bộ phận", "Đơn vị công tác của tác giả",
    )),
    Field("solution_type", "Loại giải pháp", True, (
        "Loại", "Loại sáng kiến", "Phân loại", "Loại hình", "Loại giải pháp sáng kiến",
    )),
    Field("field", "Lĩnh vực", False, ("Lĩnh vực áp dụng", "Lĩnh vực sáng kiến", "Ngành")),
    Field("applied_on", "Ngày áp dụng", True, (
        "Ngày áp dụng lần đầu", "Ngày áp dụng lần đầu hoặc áp dụng thử", "Ngày áp dụng thử",
        "Thời gian áp dụng", "Ngày bắt đầu áp dụng", "Thời điểm áp dụng",
    )),
    Field("status", "Trạng thái", False, ("Tình trạng", "Kết quả công nhận", "Kết quả xét")),
    Field("summary", "Tóm tắt nội dung", False, (
        "Tóm tắt", "Nội dung", "Nội dung tóm tắt", "Mô tả", "Nội dung sáng kiến",
    )),
    Field("effect", "Hiệu quả", False, ("Hiệu quả áp dụng", "Hiệu quả đạt được")),
    Field("benefit", "Giá trị làm lợi (đồng/năm)", False, (
        "Giá trị làm lợi", "Giá trị làm lợi ước tính", "Tiền làm lợi", "Số tiền làm lợi",
        "Giá trị làm lợi (VNĐ)", "Giá trị làm lợi (đồng)", "Lợi ích kinh tế",
    )),
    Field("social", "Ý nghĩa xã hội", False, ("Có ý nghĩa xã hội", "Ý nghĩa XH")),
    Field("note", "Ghi chú", False, ()),
)

FIELD_BY_KEY: Final = {f.key: f for f in FIELDS}
REQUIRED_KEYS: Final = tuple(f.key for f in FIELDS if f.required)
TEXT_KEYS: Final = ("title", "workplace", "field", "summary", "effect", "note")

# Columns people add that are not data (row counters); ignored without being reported.
IGNORED_HEADERS: Final = ("STT", "TT", "Số TT", "Số thứ tự", "No", "#")

# A header row is the first row with at least this many known headers (SPEC §4).
MIN_HEADERS_FOR_ROW: Final = 2
# Titles shorter than this (after normalisation) are rejected (SPEC §4).
MIN_TITLE_CHARS: Final = 10
# Text fields longer than this get a warning (SPEC §4).
MAX_TEXT_CHARS: Final = 2000

# Spreadsheet error values: errors, never data (SPEC §4).
ERROR_VALUES: Final = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#ERROR!",
})


# --------------------------------------------------------------------------------------------------
# Enumerations (SPEC §4): canonical value first, then aliases (compared folded, any case/spacing)
# --------------------------------------------------------------------------------------------------

SOLUTION_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "Giải pháp kỹ thuật": (
        "kỹ thuật", "KT", "GPKT", "GP KT", "giải pháp KT", "GP kỹ thuật", "sáng kiến kỹ thuật",
        "cải tiến kỹ thuật",
    ),
    "Giải pháp quản lý": (
        "quản lý", "QL", "GPQL", "GP QL", "giải pháp QL", "GP quản lý", "sáng kiến quản lý",
    ),
    "Giải pháp tác nghiệp": (
        "tác nghiệp", "TN", "GPTN", "GP TN", "giải pháp TN", "GP tác nghiệp", "nghiệp vụ",
        "giải pháp nghiệp vụ", "giải pháp tác nghiệp nghiệp vụ",
    ),
    "Ứng dụng tiến bộ kỹ thuật": (
        "ứng dụng TBKT", "TBKT", "ƯDTBKT", "UD TBKT", "tiến bộ kỹ thuật",
        "giải pháp ứng dụng tiến bộ kỹ thuật", "ứng dụng tiến bộ KT", "ứng dụng khoa học kỹ thuật",
    ),
    "Đề tài nghiên cứu khoa học": (
        "đề tài NCKH", "NCKH", "đề tài", "nghiên cứu khoa học", "đề tài khoa học",
        "đề tài nghiên cứu",
    ),
}

STATUS_DEFAULT: Final = "Đã đăng ký"
STATUS_NOT_RECOGNIZED: Final = "Không công nhận"
STATUSES: Final[dict[str, tuple[str, ...]]] = {
    "Đã đăng ký": ("đăng ký", "mới đăng ký", "đang đăng ký", "chờ xét", "chờ công nhận",
                   "đang xét", "đề nghị công nhận", "đã nộp"),
    "Đã công nhận": ("công nhận", "được công nhận", "đã được công nhận", "CN", "đạt"),
    "Được khen thưởng": ("khen thưởng", "đã khen thưởng", "đã được khen thưởng", "KT", "được khen"),
    "Không công nhận": ("không được công nhận", "chưa công nhận", "không đạt", "bị loại", "loại",
                        "KCN"),
}
# Counted by default: every status but "Không công nhận" (SPEC §5 counted_statuses).
DEFAULT_COUNTED_STATUSES: Final = ("Đã đăng ký", "Đã công nhận", "Được khen thưởng")

YES_WORDS: Final = ("có", "x", "✓", "✔", "☑", "1", "yes", "y", "true", "đúng", "có ý nghĩa", "c")
NO_WORDS: Final = ("không", "0", "no", "n", "false", "sai", "k", "ko", "-", "✗", "✘")

# Benefit answers that mean "not computable" — a real answer, distinct from 0 (no warning).
NOT_COMPUTABLE_WORDS: Final = (
    "không tính được", "không xác định", "không xác định được", "chưa tính được",
    "không tính toán được", "không thể tính", "KTĐ", "KXĐ",
)


# --------------------------------------------------------------------------------------------------
# Findings (SPEC §4): one row per code; messages quote the value, hints say what to type instead
# --------------------------------------------------------------------------------------------------

ERROR: Final = "error"
WARNING: Final = "warning"
INFO: Final = "info"
SEVERITY_LABELS: Final = {ERROR: "Lỗi", WARNING: "Cảnh báo", INFO: "Thông tin"}


@dataclass(frozen=True, slots=True)
class FindingKind:
    """A finding code. `message` and `hint` are format strings over `value`, `column` and the
    names a caller passes (e.g. `start`, `deadline`); unit text arrives escaped for nothing — the
    renderer of each medium escapes it."""

    code: str
    severity: str
    message: str
    hint: str
    source_level: bool = False


FINDINGS: Final[tuple[FindingKind, ...]] = (
    FindingKind("missing_required", ERROR,
                "Thiếu thông tin bắt buộc ở cột «{column}».",
                "Điền {column} cho sáng kiến này; nếu không có, xoá cả dòng."),
    FindingKind("invalid_date", ERROR,
                "Không đọc được ngày «{value}».",
                "Ghi đủ ngày, tháng, năm theo dạng dd/mm/yyyy, ví dụ 05/03/2023{detail}."),
    FindingKind("future_date", ERROR,
                "Ngày áp dụng «{value}» ở tương lai (sau hôm nay, {today}).",
                "Ghi ngày đã áp dụng hoặc áp dụng thử lần đầu; sáng kiến chưa áp dụng thì "
                "chưa đăng ký."),
    FindingKind("outside_program_window", ERROR,
                "Ngày áp dụng «{value}» nằm ngoài thời gian chương trình ({start} – {deadline}).",
                "Chỉ đăng ký sáng kiến áp dụng từ {start} đến {deadline}; kiểm tra lại năm đã gõ."),
    FindingKind("unknown_solution_type", ERROR,
                "Loại giải pháp «{value}» không thuộc danh mục.",
                "Chọn một trong: {choices}."),
    FindingKind("unknown_status", ERROR,
                "Trạng thái «{value}» không thuộc danh mục.",
                "Chọn một trong: {choices}; để trống nghĩa là «Đã đăng ký»."),
    FindingKind("formula_error", ERROR,
                "Ô «{column}» chứa lỗi công thức «{value}».",
                "Sửa công thức hoặc gõ thẳng giá trị vào ô thay cho công thức."),
    FindingKind("title_too_short", ERROR,
                "Tên sáng kiến «{value}» quá ngắn (dưới {min_chars} ký tự).",
                "Ghi tên phản ánh đúng nội dung sáng kiến, ví dụ «Cải tiến bộ gá hàn cốt thép dầm»."),
    FindingKind("not_recognized", WARNING,
                "Sáng kiến có trạng thái «Không công nhận»: vẫn giữ trong danh sách nhưng không "
                "được tính.",
                "Nếu Hội đồng sáng kiến đã công nhận lại, sửa trạng thái thành «Đã công nhận»."),
    FindingKind("invalid_money", WARNING,
                "Không đọc được giá trị làm lợi «{value}»; tạm để trống.",
                "Ghi số tiền đồng/năm, ví dụ 150.000.000 hoặc 150 triệu; nếu không tính được, "
                "ghi «không tính được»."),
    FindingKind("negative_money", WARNING,
                "Giá trị làm lợi «{value}» nhỏ hơn 0; tạm để trống.",
                "Giá trị làm lợi là số tiền tiết kiệm được mỗi năm, không âm; kiểm tra lại dấu trừ."),
    FindingKind("ambiguous_money", WARNING,
                "Giá trị làm lợi «{value}» có thể hiểu hai cách; đã hiểu là {reading}.",
                "Ghi rõ theo kiểu Việt Nam: dấu chấm ngăn nghìn, dấu phẩy thập phân, ví dụ "
                "1.500.000 hoặc 1,5 triệu."),
    FindingKind("suspicious_author", WARNING,
                "Tác giả «{value}» không giống họ tên người.",
                "Ghi họ và tên đầy đủ của từng tác giả, ngăn cách bằng dấu phẩy, ví dụ "
                "«Nguyễn Văn An, Trần Thị Bình»."),
    FindingKind("legacy_encoding", WARNING,
                "Chữ ở cột «{column}» đang dùng bảng mã cũ {encoding}; đã tự chuyển thành «{value}».",
                "Chuyển tệp sang Unicode (Unikey: Công cụ chuyển mã, từ {encoding} sang Unicode) "
                "rồi dán lại."),
    FindingKind("text_too_long", WARNING,
                "Nội dung cột «{column}» dài {length} ký tự (quá {max_chars}).",
                "Tóm tắt lại trong {max_chars} ký tự; để bản đầy đủ trong hồ sơ sáng kiến."),
    FindingKind("invalid_yes_no", WARNING,
                "Không hiểu «{value}» ở cột «{column}»; tạm coi là «không».",
                "Ghi «có» hoặc để trống."),
    # Source-level findings (SPEC §4): the whole unit keeps its last good data.
    FindingKind("source_unreachable", ERROR,
                "Không đọc được nguồn dữ liệu của đơn vị: {detail}.",
                "Kiểm tra đường dẫn hoặc mã bảng tính ở cột «Nguồn» của danh sách đơn vị; "
                "dữ liệu lần đọc được gần nhất vẫn được giữ.", source_level=True),
    FindingKind("permission_denied", ERROR,
                "Không có quyền đọc nguồn dữ liệu của đơn vị: {detail}.",
                "Chia sẻ bảng tính (quyền xem) cho {account}.", source_level=True),
    FindingKind("header_not_found", ERROR,
                "Không tìm thấy dòng tiêu đề trong tab «{tab}».",
                "Giữ nguyên dòng tiêu đề của mẫu (Tên sáng kiến, Tác giả, Loại giải pháp, "
                "Ngày áp dụng …) ở phía trên dữ liệu.", source_level=True),
    FindingKind("missing_column", ERROR,
                "Tab «{tab}» thiếu cột bắt buộc «{column}».",
                "Thêm cột «{column}» vào dòng tiêu đề (đúng tên như trong mẫu).",
                source_level=True),
    FindingKind("empty_source", ERROR,
                "Nguồn dữ liệu không có dòng sáng kiến nào.",
                "Nhập sáng kiến dưới dòng tiêu đề của tab «Sáng kiến»; nếu đơn vị chưa có sáng "
                "kiến, bỏ qua thông báo này.", source_level=True),
    FindingKind("unknown_column", INFO,
                "Bỏ qua các cột không có trong mẫu: {value}.",
                "Không cần sửa; nếu đó là cột của mẫu, đổi tên cho đúng tiêu đề mẫu.",
                source_level=True),
)

FINDING_BY_CODE: Final = {f.code: f for f in FINDINGS}


# --------------------------------------------------------------------------------------------------
# Source statuses (SPEC §2 --json) and their labels in the master
# --------------------------------------------------------------------------------------------------

SOURCE_STATUS_LABELS: Final = {
    "ok": "Đã cập nhật",
    "unchanged": "Không đổi",
    "stale": "Dùng dữ liệu cũ",
    "error": "Lỗi, chưa có dữ liệu",
    "none": "Không có nguồn riêng",
    "skipped": "Không đọc lần này",
}
RUN_STATUS_LABELS: Final = {"ok": "Thành công", "partial": "Một phần", "failed": "Thất bại"}

SECTOR_CODE: Final = "TOÀN NGÀNH"
MET_LABEL: Final = "Đạt"
NOT_MET_LABEL: Final = "Chưa đạt"
MERGED_LABEL: Final = "Đã gộp"
REVIEW_LABEL: Final = "Cần xem xét"
YES_LABEL: Final = "Có"
NO_LABEL: Final = "Không"

# Notable initiatives (SPEC §6 Tiêu biểu): VGCL's "Lao động sáng tạo" award asks for ≥ 80 million.
NOTABLE_MIN_BENEFIT_VND: Final = 80_000_000
NOTABLE_MAX_ROWS: Final = 100


# --------------------------------------------------------------------------------------------------
# Registry (SPEC §3)
# --------------------------------------------------------------------------------------------------

REGISTRY_COLUMNS: Final[dict[str, str]] = {
    "code": "Mã",
    "name": "Tên công đoàn",
    "parent": "Cấp trên",
    "members": "Số đoàn viên",
    "source": "Nguồn",
    "emails": "Email liên hệ",
    "sector": "Khu vực",
}
REGISTRY_REQUIRED: Final = ("code", "name", "members")
REGISTRY_SECTORS: Final = ("Doanh nghiệp", "Hành chính sự nghiệp")


# --------------------------------------------------------------------------------------------------
# Master (SPEC §6): tabs in order, their first columns fixed; `kind` drives number formats
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Column:
    """A master column: header, value kind (text, int, money, percent, date, datetime, id) and
    width in characters."""

    header: str
    kind: str = "text"
    width: int = 14


TAB_PROGRESS: Final = "Tiến độ"
TAB_INITIATIVES: Final = "Sáng kiến"
TAB_FINDINGS: Final = "Lỗi"
TAB_DUPLICATES: Final = "Trùng lặp"
TAB_NOTABLE: Final = "Tiêu biểu"
TAB_HISTORY: Final = "Lịch sử"
TAB_LOG: Final = "Nhật ký"

MASTER_TABS: Final[dict[str, tuple[Column, ...]]] = {
    TAB_PROGRESS: (
        Column("Mã", "text", 12), Column("Công đoàn", "text", 42), Column("Cấp trên", "text", 10),
        Column("Số đoàn viên", "int", 12), Column("Chỉ tiêu (người)", "int", 12),
        Column("Người tham gia", "int", 12), Column("Tỷ lệ tham gia", "percent", 12),
        Column("Đạt chỉ tiêu", "text", 11), Column("Còn thiếu (người)", "int", 12),
        Column("Số sáng kiến", "int", 11), Column("Giá trị làm lợi (đồng/năm)", "money", 20),
        Column("Số lỗi", "int", 8), Column("Cập nhật lúc", "datetime", 17),
        Column("Tình trạng nguồn", "text", 20),
    ),
    TAB_INITIATIVES: (
        Column("Mã sáng kiến", "text", 12), Column("Mã CĐ", "text", 10),
        Column("Công đoàn", "text", 32), Column("Tên sáng kiến", "text", 60),
        Column("Tác giả", "text", 32), Column("Đơn vị công tác", "text", 24),
        Column("Loại giải pháp", "text", 24), Column("Lĩnh vực", "text", 18),
        Column("Ngày áp dụng", "date", 12), Column("Trạng thái", "text", 16),
        Column("Giá trị làm lợi (đồng/năm)", "money", 20), Column("Ý nghĩa xã hội", "text", 9),
        Column("Nguồn", "text", 16), Column("Ghi nhận lần đầu", "datetime", 17),
        Column("Tóm tắt nội dung", "text", 40), Column("Hiệu quả", "text", 30),
        Column("Ghi chú", "text", 20),
    ),
    TAB_FINDINGS: (
        Column("Mã CĐ", "text", 10), Column("Công đoàn", "text", 30), Column("Tab", "text", 12),
        Column("Dòng", "int", 7), Column("Cột", "text", 18), Column("Giá trị", "text", 28),
        Column("Mã lỗi", "text", 22), Column("Mức độ", "text", 10),
        Column("Thông báo", "text", 60), Column("Cách sửa", "text", 60),
    ),
    TAB_DUPLICATES: (
        Column("Nhóm", "int", 7), Column("Mã sáng kiến giữ lại", "text", 14),
        Column("Mã CĐ", "text", 10), Column("Tab", "text", 12), Column("Dòng", "int", 7),
        Column("Tên sáng kiến", "text", 60), Column("Tác giả", "text", 32),
        Column("Độ giống", "percent", 10), Column("Kết luận", "text", 13),
        Column("Lý do", "text", 50), Column("Mã sáng kiến của dòng", "text", 14),
    ),
    TAB_NOTABLE: (
        Column("Mã sáng kiến", "text", 12), Column("Mã CĐ", "text", 10),
        Column("Công đoàn", "text", 30), Column("Tên sáng kiến", "text", 60),
        Column("Tác giả", "text", 32), Column("Loại giải pháp", "text", 24),
        Column("Giá trị làm lợi (đồng/năm)", "money", 20), Column("Ý nghĩa xã hội", "text", 9),
        Column("Trạng thái", "text", 16), Column("Lý do đề cử", "text", 40),
    ),
    TAB_HISTORY: (
        Column("Lần chạy", "text", 20), Column("Thời điểm", "datetime", 17),
        Column("Mã", "text", 12), Column("Công đoàn", "text", 36),
        Column("Số đoàn viên", "int", 12), Column("Chỉ tiêu (người)", "int", 12),
        Column("Người tham gia", "int", 12), Column("Tỷ lệ tham gia", "percent", 12),
        Column("Số sáng kiến", "int", 11), Column("Giá trị làm lợi (đồng/năm)", "money", 20),
    ),
    TAB_LOG: (
        Column("Lần chạy", "text", 20), Column("Bắt đầu", "datetime", 17),
        Column("Kết thúc", "datetime", 17), Column("Kết quả", "text", 12),
        Column("Số nguồn", "int", 9), Column("Nguồn lỗi", "int", 9), Column("Số dòng", "int", 9),
        Column("Hợp lệ", "int", 9), Column("Bị loại", "int", 9), Column("Trùng lặp", "int", 9),
        Column("Số sáng kiến", "int", 11), Column("Người tham gia", "int", 12),
        Column("Tỷ lệ tham gia", "percent", 12), Column("Ghi chú", "text", 60),
    ),
}
