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
        "Tên sáng kiến, cải tiến", "Tên sáng kiến, đề tài", "Tên sáng kiến/đề tài",
        "Tên giải pháp, sáng kiến", "Tên sáng kiến hoặc giải pháp", "Tên gọi sáng kiến",
        "Tên sáng kiến kinh nghiệm", "Tên công trình", "Tên sáng kiến, giải pháp, đề tài",
        "Tên SK/GP", "Tên SK, GP",
    )),
    Field("authors", "Tác giả", True, (
        "Tác giả, đồng tác giả", "Tác giả/đồng tác giả", "Tác giả sáng kiến", "Họ và tên tác giả",
        "Họ tên tác giả", "Tên tác giả", "Người thực hiện", "Nhóm tác giả", "Họ và tên",
        "Tác giả/nhóm tác giả", "Tác giả, nhóm tác giả", "Họ tên", "Họ và tên người thực hiện",
        "Tác giả (đồng tác giả)", "Tác giả hoặc nhóm tác giả", "Người đề xuất", "Chủ nhiệm",
        "Họ tên tác giả, đồng tác giả", "Tác giả, đồng tác giả sáng kiến",
    )),
    Field("workplace", "Đơn vị công tác", False, (
        "Đơn vị", "Nơi công tác", "Phòng ban", "Bộ phận", "Đơn vị công tác của tác giả",
        "Phòng, ban", "Phòng/ban", "Đơn vị, bộ phận", "Bộ phận công tác", "Chức vụ, đơn vị công tác",
        "Đơn vị công tác, chức vụ",
    )),
    Field("solution_type", "Loại giải pháp", True, (
        "Loại", "Loại sáng kiến", "Phân loại", "Loại hình", "Loại giải pháp sáng kiến",
        "Loại hình sáng kiến", "Phân loại sáng kiến", "Phân loại giải pháp", "Loại hình giải pháp",
        "Thuộc loại", "Dạng giải pháp",
    )),
    Field("field", "Lĩnh vực", False, (
        "Lĩnh vực áp dụng", "Lĩnh vực sáng kiến", "Ngành", "Lĩnh vực, ngành",
        "Lĩnh vực chuyên môn",
    )),
    Field("applied_on", "Ngày áp dụng", True, (
        "Ngày áp dụng lần đầu", "Ngày áp dụng lần đầu hoặc áp dụng thử", "Ngày áp dụng thử",
        "Thời gian áp dụng", "Ngày bắt đầu áp dụng", "Thời điểm áp dụng",
        "Ngày áp dụng lần đầu/áp dụng thử", "Ngày áp dụng thử hoặc lần đầu",
        "Thời gian áp dụng lần đầu", "Thời điểm áp dụng lần đầu", "Ngày đưa vào áp dụng",
        "Ngày triển khai", "Thời gian triển khai", "Ngày áp dụng sáng kiến",
    )),
    Field("status", "Trạng thái", False, (
        "Tình trạng", "Kết quả công nhận", "Kết quả xét", "Kết quả", "Kết quả xét duyệt",
        "Kết quả đánh giá", "Tình trạng công nhận", "Trạng thái công nhận", "Hội đồng công nhận",
    )),
    Field("summary", "Tóm tắt nội dung", False, (
        "Tóm tắt", "Nội dung", "Nội dung tóm tắt", "Mô tả", "Nội dung sáng kiến",
        "Mô tả tóm tắt", "Tóm tắt nội dung sáng kiến", "Mô tả sáng kiến", "Nội dung giải pháp",
        "Tóm tắt giải pháp",
    )),
    Field("effect", "Hiệu quả", False, (
        "Hiệu quả áp dụng", "Hiệu quả đạt được", "Hiệu quả kinh tế - xã hội", "Hiệu quả kinh tế",
        "Lợi ích", "Kết quả áp dụng", "Hiệu quả mang lại",
    )),
    Field("benefit", "Giá trị làm lợi (đồng/năm)", False, (
        "Giá trị làm lợi", "Giá trị làm lợi ước tính", "Tiền làm lợi", "Số tiền làm lợi",
        "Giá trị làm lợi (VNĐ)", "Giá trị làm lợi (đồng)", "Lợi ích kinh tế",
        "Giá trị làm lợi/năm", "Giá trị làm lợi hàng năm", "Giá trị làm lợi dự kiến",
        "Giá trị làm lợi ước tính (đồng/năm)", "Số tiền làm lợi (đồng)", "Giá trị làm lợi (triệu đồng)",
        "Giá trị làm lợi (VNĐ/năm)", "Tiền làm lợi (đồng/năm)", "Giá trị làm lợi ước tính/năm",
        "Số tiền làm lợi/năm", "Giá trị làm lợi kinh tế",
    )),
    Field("social", "Ý nghĩa xã hội", False, (
        "Có ý nghĩa xã hội", "Ý nghĩa XH", "Ý nghĩa xã hội sâu sắc", "Có ý nghĩa xã hội sâu sắc",
        "Có YNXH", "YNXH",
    )),
    Field("note", "Ghi chú", False, ("Ghi chú khác", "Chú thích", "Ghi chú thêm")),
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
        "cải tiến kỹ thuật", "giải pháp về kỹ thuật", "GP-KT", "SKKT", "giải pháp cải tiến kỹ thuật",
        "giải pháp kỹ thuật cải tiến", "kỹ thuật cải tiến", "giải pháp công nghệ", "công nghệ",
    ),
    "Giải pháp quản lý": (
        "quản lý", "QL", "GPQL", "GP QL", "giải pháp QL", "GP quản lý", "sáng kiến quản lý",
        "giải pháp về quản lý", "GP-QL", "SKQL", "quản lý điều hành", "giải pháp quản trị",
        "quản trị",
    ),
    "Giải pháp tác nghiệp": (
        "tác nghiệp", "TN", "GPTN", "GP TN", "giải pháp TN", "GP tác nghiệp", "nghiệp vụ",
        "giải pháp nghiệp vụ", "giải pháp tác nghiệp nghiệp vụ", "giải pháp về tác nghiệp",
        "GP-TN", "tác nghiệp nghiệp vụ", "giải pháp tác nghiệp, nghiệp vụ",
        "giải pháp tác nghiệp/nghiệp vụ",
    ),
    "Ứng dụng tiến bộ kỹ thuật": (
        "ứng dụng TBKT", "TBKT", "ƯDTBKT", "UD TBKT", "tiến bộ kỹ thuật",
        "giải pháp ứng dụng tiến bộ kỹ thuật", "ứng dụng tiến bộ KT", "ứng dụng khoa học kỹ thuật",
        "ƯD TBKT", "UDTBKT", "giải pháp ứng dụng TBKT", "GP ứng dụng TBKT", "ứng dụng KHKT",
        "ứng dụng tiến bộ khoa học kỹ thuật", "áp dụng tiến bộ kỹ thuật", "ứng dụng",
        "ứng dụng tiến bộ kĩ thuật",
    ),
    "Đề tài nghiên cứu khoa học": (
        "đề tài NCKH", "NCKH", "đề tài", "nghiên cứu khoa học", "đề tài khoa học",
        "đề tài nghiên cứu", "đề tài nghiên cứu KH", "đề tài KH", "ĐT NCKH", "nghiên cứu",
        "đề tài khoa học công nghệ", "đề tài KHCN", "KHCN",
    ),
}

STATUS_DEFAULT: Final = "Đã đăng ký"
STATUS_NOT_RECOGNIZED: Final = "Không công nhận"
STATUSES: Final[dict[str, tuple[str, ...]]] = {
    # "Chưa công nhận" (not yet) is a pending registration, not a refusal.
    "Đã đăng ký": ("đăng ký", "mới đăng ký", "đang đăng ký", "chờ xét", "chờ công nhận",
                   "đang xét", "đề nghị công nhận", "đã nộp", "chưa công nhận", "chưa xét",
                   "đang chờ xét", "đang chờ công nhận", "chờ xét duyệt", "đang xét duyệt",
                   "đã đăng kí", "ĐK", "đã gửi", "mới", "đăng ký mới", "chờ hội đồng xét"),
    "Đã công nhận": ("công nhận", "được công nhận", "đã được công nhận", "CN", "đạt",
                     "đã được hội đồng công nhận", "hội đồng đã công nhận", "đã duyệt",
                     "được duyệt", "đạt yêu cầu", "công nhận sáng kiến", "đã công nhận sáng kiến",
                     "được hội đồng công nhận"),
    "Được khen thưởng": ("khen thưởng", "đã khen thưởng", "đã được khen thưởng", "KT", "được khen",
                         "đã khen", "khen", "được tặng thưởng", "đã được khen",
                         "công nhận và khen thưởng", "đã công nhận và khen thưởng"),
    "Không công nhận": ("không được công nhận", "không đạt", "bị loại", "loại",
                        "KCN", "không công nhận sáng kiến", "không được duyệt", "bị từ chối",
                        "từ chối", "không đạt yêu cầu", "hội đồng không công nhận"),
}
# Counted by default: every status but "Không công nhận" (SPEC §5 counted_statuses).
DEFAULT_COUNTED_STATUSES: Final = ("Đã đăng ký", "Đã công nhận", "Được khen thưởng")

YES_WORDS: Final = ("có", "x", "✓", "✔", "☑", "✅", "1", "yes", "y", "true", "đúng", "có ý nghĩa",
                    "c", "có ý nghĩa xã hội", "có ý nghĩa xã hội sâu sắc", "co", "ok", "v")
NO_WORDS: Final = ("không", "0", "no", "n", "false", "sai", "k", "ko", "-", "–", "—", "✗", "✘",
                   "☐", "không có", "kh", "không có ý nghĩa xã hội", "chưa")

# Benefit answers that mean "not computable" — a real answer, distinct from 0 (no warning). A cell
# that starts with one of them (`Không tính được (giải pháp an toàn)`) means the same.
NOT_COMPUTABLE_WORDS: Final = (
    "không tính được", "không xác định", "không xác định được", "chưa tính được",
    "không tính toán được", "không thể tính", "KTĐ", "KXĐ", "không thể tính được",
    "không thể xác định", "chưa xác định", "chưa xác định được", "không tính được thành tiền",
    "không lượng hoá được", "không định lượng được", "chưa tính toán được", "không tính bằng tiền",
    "không thể lượng hoá", "không lượng hóa được", "chưa tính",
)
# A benefit cell holding only one of these is empty (a placeholder, not an amount).
MONEY_PLACEHOLDERS: Final = ("-", "–", "—", "--", "...", "…", "/", ".")

# Multipliers people write after an amount (compared without diacritics and case).
MONEY_MULTIPLIERS: Final[dict[str, int]] = {
    "nghìn": 1_000, "ngàn": 1_000, "k": 1_000, "nghìn đồng": 1_000, "ngàn đồng": 1_000,
    "triệu": 1_000_000, "tr": 1_000_000, "triệu đồng": 1_000_000, "tr.đ": 1_000_000,
    "trđ": 1_000_000, "tr đ": 1_000_000, "củ": 1_000_000, "m": 1_000_000,
    "tỷ": 1_000_000_000, "tỉ": 1_000_000_000, "tỷ đồng": 1_000_000_000, "tỉ đồng": 1_000_000_000,
}
# Currency words (before or after the amount) and "per year" endings: they change nothing.
MONEY_CURRENCY_WORDS: Final = ("đồng", "đ", "₫", "VNĐ", "VND", "VN đồng", "đ.", "vnđ.")
MONEY_PER_YEAR: Final = ("/năm", "/ năm", "/1 năm", "một năm", "mỗi năm", "hàng năm", "trong 1 năm",
                         "trong một năm", "/ 1 năm", "/năm.", "năm")
# Words in front of an amount that do not change it.
MONEY_FILLERS: Final = ("khoảng", "ước tính", "ước", "dự kiến", "xấp xỉ", "gần", "trên", "hơn",
                        "tiết kiệm", "làm lợi", "giá trị", "ước khoảng", "ước đạt", "đạt", "~",
                        "≈", "khoảng chừng", "tối thiểu", "ít nhất")
# Endings that make an amount something other than VND per year (never converted by guessing).
MONEY_OTHER_PERIODS: Final = ("/tháng", "/ tháng", "mỗi tháng", "/quý", "/ quý", "mỗi quý", "/ngày",
                              "/ ngày", "mỗi ngày", "/tuần", "/ca", "/công trình", "/lần")
MONEY_FOREIGN: Final = ("usd", "$", "us$", "đô", "đô la", "eur", "€")
# Larger amounts are not a yearly benefit of one initiative (the whole programme's first phase
# was ≈ 10¹³ đồng).
MAX_BENEFIT_VND: Final = 10**15

# Author cells: titles and honorifics in front of a name (removed), words that show a value is a
# group or a unit rather than a person (suspicious), and roles written after a name (dropped).
AUTHOR_TITLES: Final = (
    "ông", "bà", "anh", "chị", "cô", "chú", "bác", "em", "đ/c", "đc", "đồng chí", "ks", "kts", "ths",
    "ts", "pgs", "gs", "cn", "bs", "ncs", "ksc", "kỹ sư", "kĩ sư", "kiến trúc sư", "thạc sĩ",
    "thạc sỹ", "tiến sĩ", "tiến sỹ", "cử nhân", "bác sĩ", "mr", "mrs", "ms", "dr", "pgs.ts",
    "gs.ts", "ths.ks", "cnkt", "kỹ thuật viên", "ktv", "th.s", "t.s", "k.s",
)
# The same titles typed without diacritics: removed only in front of a common surname, since
# `Ông` is also a surname (`Ông Ích Khiêm`) and short words can be given names.
AUTHOR_TITLES_ASCII: Final = (
    "ong", "ba", "anh", "chi", "co", "chu", "bac", "dong chi", "ky su", "kien truc su",
    "thac si", "tien si", "cu nhan",
)
# The most common surnames (about 90 % of people), folded: what a name typed without diacritics
# after an unaccented title must start with.
COMMON_SURNAMES_FOLDED: Final = frozenset((
    "nguyen", "tran", "le", "pham", "hoang", "huynh", "phan", "vu", "vo", "dang", "bui", "do",
    "ho", "ngo", "duong", "ly", "dinh", "trinh", "truong", "lam", "mai", "cao", "luu", "ta",
    "doan", "ha", "kieu", "luong", "tong", "thai", "quach", "chu", "vuong", "la", "tang",
))
AUTHOR_GROUP_WORDS: Final = (
    "phòng", "tổ", "đội", "công ty", "cty", "xí nghiệp", "xn", "nhóm", "tập thể", "cộng sự",
    "các", "đơn vị", "chi nhánh", "xưởng", "phân xưởng", "nhà máy", "công đoàn", "trường", "viện",
    "khoa", "bộ phận", "trung tâm", "ban giám đốc", "bgđ", "tổng công ty", "tcty", "văn phòng",
    "hội đồng", "cán bộ", "công nhân", "toàn thể", "cbcnv", "cbnv", "người lao động", "ban chỉ huy",
    "tổ chức", "liên danh", "hợp tác xã", "htx", "chi đoàn", "đoàn thanh niên", "tất cả",
    "cùng", "những", "một số", "nhiều", "và các", "tnhh", "cổ phần", "ctcp", "trạm", "ban quản lý",
    "bql", "ubnd", "sở", "cục", "vụ", "hội", "khối", "chi bộ", "đảng ủy", "đảng uỷ", "lãnh đạo",
    "ban điều hành", "ban kỹ thuật", "ban an toàn", "ban kế hoạch", "ban tổ chức",
)
AUTHOR_ROLES: Final = (
    "tổ trưởng", "tổ phó", "đội trưởng", "đội phó", "trưởng phòng", "phó phòng", "trưởng ban",
    "phó ban", "giám đốc", "phó giám đốc", "tổng giám đốc", "phó tổng giám đốc", "quản đốc",
    "phó quản đốc", "chủ nhiệm", "chủ tịch", "phó chủ tịch", "kế toán", "kế toán trưởng",
    "thủ kho", "thủ quỹ", "lái xe", "thợ", "công nhân", "nhân viên", "chuyên viên", "cán bộ",
    "kỹ sư", "kĩ sư", "kỹ thuật viên", "trưởng ca", "chỉ huy trưởng", "chỉ huy phó", "thư ký",
    "chánh văn phòng", "chủ trì", "đồng tác giả", "tác giả chính", "tác giả", "họ và tên",
    "họ tên", "thành viên", "trưởng nhóm",
    "trưởng xưởng", "trưởng trạm", "phó trưởng phòng", "bí thư", "vận hành", "cn", "ks",
    "đội trưởng đội", "giám sát", "cán bộ kỹ thuật", "chức vụ",
)
# A person's name has this many words at most (with a middle name or two and a compound surname).
MAX_NAME_WORDS: Final = 6
MAX_NAME_CHARS: Final = 60


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
                "Điền «{column}» cho sáng kiến này{example}; nếu dòng này không phải sáng kiến, "
                "xoá cả dòng."),
    FindingKind("invalid_date", ERROR,
                "Không đọc được ngày «{value}»{reason}.",
                "Ghi đủ ngày, tháng, năm theo dạng dd/mm/yyyy, ví dụ {example}."),
    FindingKind("future_date", ERROR,
                "Ngày áp dụng «{value}» ở tương lai (sau hôm nay, {today}).",
                "Ghi ngày đã áp dụng hoặc áp dụng thử lần đầu theo dạng dd/mm/yyyy; kiểm tra lại "
                "năm đã gõ. Sáng kiến chưa áp dụng thì chưa được đăng ký."),
    FindingKind("outside_program_window", ERROR,
                "Ngày áp dụng «{value}» nằm ngoài thời gian chương trình ({start} – {deadline}).",
                "Chỉ đăng ký sáng kiến áp dụng từ {start} đến {deadline}; kiểm tra lại năm đã gõ "
                "(ghi theo dạng dd/mm/yyyy, ngày trước tháng)."),
    FindingKind("unknown_solution_type", ERROR,
                "Loại giải pháp «{value}» không thuộc danh mục.",
                "Ghi một trong: {choices}."),
    FindingKind("unknown_status", ERROR,
                "Trạng thái «{value}» không thuộc danh mục.",
                "Ghi một trong: {choices}; để trống nghĩa là «Đã đăng ký»."),
    FindingKind("formula_error", ERROR,
                "Ô «{column}» chứa lỗi công thức «{value}».",
                "Sửa công thức, hoặc xoá công thức và gõ thẳng giá trị vào ô."),
    FindingKind("title_too_short", ERROR,
                "Tên sáng kiến «{value}» quá ngắn ({length} ký tự, cần ít nhất {min_chars}).",
                "Ghi tên phản ánh đúng nội dung sáng kiến, ví dụ «Cải tiến bộ gá hàn cốt thép dầm»."),
    FindingKind("not_recognized", WARNING,
                "Sáng kiến có trạng thái «Không công nhận»: vẫn giữ trong danh sách nhưng không "
                "được tính.",
                "Nếu Hội đồng sáng kiến đã công nhận lại, sửa trạng thái thành «Đã công nhận»."),
    FindingKind("invalid_money", WARNING,
                "Không đọc được giá trị làm lợi «{value}»{reason}; tạm để trống.",
                "Ghi số tiền làm lợi mỗi năm bằng đồng, ví dụ 150.000.000 hoặc 150 triệu; nếu "
                "không tính được thành tiền, ghi «không tính được»."),
    FindingKind("negative_money", WARNING,
                "Giá trị làm lợi «{value}» nhỏ hơn 0; tạm để trống.",
                "Giá trị làm lợi là số tiền làm lợi mỗi năm, không âm: bỏ dấu trừ (hoặc dấu ngoặc) "
                "nếu số tiền đúng; nếu không tính được, ghi «không tính được»."),
    FindingKind("ambiguous_money", WARNING,
                "Giá trị làm lợi «{value}» có thể hiểu hai cách ({readings}); đã hiểu là "
                "{reading} đồng theo cách viết Việt Nam.",
                "Ghi rõ: dấu chấm ngăn cách hàng nghìn, dấu phẩy thập phân, ví dụ {example}."),
    FindingKind("suspicious_author", WARNING,
                "Tác giả «{value}» không giống họ tên một người{reason}.",
                "Ghi họ và tên đầy đủ của từng tác giả, ngăn cách bằng dấu phẩy, ví dụ "
                "«Nguyễn Văn An, Trần Thị Bình»; không ghi tên phòng, tổ, nhóm."),
    FindingKind("legacy_encoding", WARNING,
                "Chữ ở {where} đang dùng bảng mã cũ {encoding}; đã tự chuyển «{value}» "
                "thành «{converted}».",
                "Chuyển bảng tính sang Unicode (Unikey: Công cụ chuyển mã, từ {encoding} sang "
                "Unicode) rồi dán lại, hoặc gõ lại bằng bảng mã Unicode."),
    FindingKind("text_too_long", WARNING,
                "Nội dung cột «{column}» dài {length} ký tự (quá {max_chars}).",
                "Tóm tắt lại trong {max_chars} ký tự; để bản đầy đủ trong hồ sơ sáng kiến."),
    FindingKind("invalid_yes_no", WARNING,
                "Không hiểu «{value}» ở cột «{column}»; tạm coi là «không».",
                "Nếu sáng kiến có ý nghĩa xã hội, ghi «có» (hoặc «x»); nếu không, để trống."),
    FindingKind("error_value", WARNING,
                "Ô «{column}» chứa lỗi công thức «{value}»; đã bỏ qua giá trị này.",
                "Sửa công thức, hoặc xoá công thức và gõ thẳng nội dung vào ô."),
    FindingKind("status_not_counted", INFO,
                "Sáng kiến có trạng thái «{value}»: chương trình chỉ tính các trạng thái {counted}.",
                "Không cần sửa nếu trạng thái đúng; khi Hội đồng sáng kiến công nhận, cập nhật "
                "trạng thái."),
    # Source-level findings (SPEC §4): the whole unit keeps its last good data.
    FindingKind("source_unreachable", ERROR,
                "Không đọc được nguồn dữ liệu của đơn vị: {detail}.",
                "Đơn vị: kiểm tra bảng tính (hoặc tệp đã gửi) còn đó, đúng định dạng và vẫn chia "
                "sẻ cho tổ tổng hợp. Tổ tổng hợp: kiểm tra cột «Nguồn» của danh sách đơn vị. "
                "Dữ liệu lần đọc được gần nhất vẫn được giữ.", source_level=True),
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
    FindingKind("hidden_row", WARNING,
                "Dòng này đang bị ẩn trong bảng tính; sáng kiến vẫn được tính.",
                "Nếu dòng đã bị bỏ, xoá hẳn dòng đó; nếu vẫn đăng ký, bỏ ẩn để mọi người cùng "
                "thấy."),
    FindingKind("unknown_column", INFO,
                "Bỏ qua các cột không có trong mẫu: {value}.",
                "Không cần sửa; nếu đó là cột của mẫu, đổi tên cho đúng tiêu đề mẫu.",
                source_level=True),
)

# Why a value could not be read: the `{reason}` of a message (after the quoted value) and the
# `{example}` of its hint, per problem. Both are format strings over the problem's own fields.
DATE_PROBLEMS: Final[dict[str, tuple[str, str]]] = {
    "unreadable": ("", "05/03/2023"),
    "month_only": (" — chỉ có tháng và năm, thiếu ngày",
                   "15/{month:02d}/{year} (đúng ngày áp dụng lần đầu trong tháng {month}/{year})"),
    "quarter_only": (" — chỉ có quý, thiếu ngày và tháng", "15/05/{year} (đúng ngày áp dụng)"),
    "year_only": (" — chỉ có năm, thiếu ngày và tháng", "15/05/{year} (đúng ngày áp dụng)"),
    "no_year": (" — thiếu năm", "{day:02d}/{month:02d}/2023 (thêm năm áp dụng)"),
    "impossible": (" — ngày {day:02d}/{month:02d}/{year} không có trong lịch "
                   "(tháng {month} năm {year} có {last} ngày)",
                   "{last:02d}/{month:02d}/{year} nếu là ngày cuối tháng"),
    "month_first": (" — có vẻ ghi tháng trước ngày (kiểu Mỹ)",
                    "{day:02d}/{month:02d}/{year} (ngày trước, tháng sau)"),
    "bad_month": (" — không có tháng {month}", "05/03/2023"),
    "time_only": (" — ô chỉ có giờ, không có ngày", "05/03/2023"),
    "range": (" — có hơn một ngày", "{first} (chỉ ghi ngày áp dụng lần đầu)"),
    "number": (" — số này không phải là ngày", "05/03/2023 (ô để dạng ngày hoặc văn bản)"),
    "not_a_date": (" — ô này không phải là ngày", "05/03/2023"),
}
MONEY_PROBLEMS: Final[dict[str, str]] = {
    "unreadable": "",
    "no_unit": " — số lẻ dưới 1.000 đồng, có lẽ thiếu đơn vị (nghìn, triệu, tỷ)",
    "range": " — là một khoảng, không phải một số tiền",
    "other_period": " — không phải số tiền mỗi năm; hãy quy ra một năm",
    "foreign": " — không phải tiền đồng; hãy quy ra đồng",
    "too_large": " — số quá lớn so với giá trị làm lợi của một sáng kiến",
    "not_money": " — ô này không phải là số tiền",
    "formula": " — ô chứa lỗi công thức",
}
AUTHOR_PROBLEMS: Final[dict[str, str]] = {
    "one_word": " — chỉ có một chữ; cần cả họ và tên",
    "digits": " — có chữ số",
    "symbols": " — có ký tự không phải chữ",
    "group": " — là tên tập thể, đơn vị hoặc nhóm, không phải một người",
    "too_long": " — quá dài cho một họ tên; có lẽ thiếu dấu phẩy giữa các tác giả",
    "title_only": " — chỉ có chức danh",
}
# The example of a hint for a missing required field.
MISSING_EXAMPLES: Final[dict[str, str]] = {
    "title": " (ví dụ «Cải tiến bộ gá hàn cốt thép dầm»)",
    "authors": " (họ và tên từng tác giả, ví dụ «Nguyễn Văn An, Trần Thị Bình»)",
    "solution_type": " (Giải pháp kỹ thuật, Giải pháp quản lý, Giải pháp tác nghiệp, Ứng dụng tiến "
                     "bộ kỹ thuật hoặc Đề tài nghiên cứu khoa học)",
    "applied_on": " (ngày áp dụng lần đầu hoặc áp dụng thử, dạng dd/mm/yyyy, ví dụ 05/03/2023)",
}

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
