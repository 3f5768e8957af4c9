"""Vocabulary of the construction sector's unions, people and initiatives (plain data).

Both the embedded default's demo (`sync.demo.demo`) and the benchmark generator (`sync.demo.synth`)
draw from these tables, so the demo and the benchmarks speak the same language as real units:
unit names of the Construction Trade Union's members, Vietnamese personal names with the real
surname distribution, and initiative titles built as *action × object × number × place × purpose*.

Why the shapes below:
- Titles are combinatorial so that a million-row benchmark does not collide by accident (see
  `title_space()`: tens of millions of distinct titles), while every part is a phrase a unit would
  really write. Objects marked *numbered* are installations that units number (`trạm trộn bê tông
  số 2`): numbered siblings are hard negatives for deduplication. `ONE_WORD_PAIRS` are objects that
  differ by one word (`máy trộn bê tông` / `máy trộn vữa`): different initiatives too.
- Names: weights follow the published surname shares (Nguyễn ≈ 38 %, Trần 11 %, Lê 9.5 % …) and
  were tuned so that about 4.5 % of 1,000 random people share their full name with someone else,
  as in real lists (`tests/test_synth.py` checks the rate).
- Given names are written in the old tone style (`Hòa`, `Thủy`); generators switch some people to
  the new style (`Hoà`, `Thuỷ`) because real files contain both.
"""

from __future__ import annotations

from typing import Final, NamedTuple

# --------------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------------

# Top-level unions under the sector union (công đoàn cấp trên trực tiếp cơ sở).
PARENT_NAMES: Final = (
    "Công đoàn Tổng công ty Sông Đà",
    "Công đoàn Tổng công ty Xây dựng Hà Nội",
    "Công đoàn Tổng công ty Viglacera",
    "Công đoàn Tổng công ty Licogi",
    "Công đoàn Tổng công ty Xi măng Việt Nam",
    "Công đoàn Tổng công ty Lắp máy Việt Nam",
    "Công đoàn Tổng công ty Cổ phần Xuất nhập khẩu và Xây dựng Việt Nam",
    "Công đoàn Tổng công ty Xây dựng số 1",
    "Công đoàn Tổng công ty Đầu tư phát triển nhà và đô thị",
    "Công đoàn Tổng công ty Cơ khí Xây dựng",
    "Công đoàn Tổng công ty Xây dựng Bạch Đằng",
    "Công đoàn Tổng công ty Sông Hồng",
    "Công đoàn Tổng công ty Tư vấn xây dựng Việt Nam",
    "Công đoàn Tổng công ty Đầu tư nước và môi trường Việt Nam",
    "Công đoàn Tổng công ty Phát triển đô thị Kinh Bắc",
)

# Grassroots unions directly under the sector union (schools, institutes, offices).
DIRECT_NAMES: Final = (
    "Công đoàn Trường Cao đẳng Xây dựng số 1",
    "Công đoàn Trường Cao đẳng Xây dựng số 2",
    "Công đoàn Trường Cao đẳng Xây dựng Nam Định",
    "Công đoàn Trường Cao đẳng Xây dựng Công trình đô thị",
    "Công đoàn Trường Cao đẳng Xây dựng Thành phố Hồ Chí Minh",
    "Công đoàn Trường Đại học Xây dựng Hà Nội",
    "Công đoàn Trường Đại học Kiến trúc Hà Nội",
    "Công đoàn Trường Đại học Kiến trúc Thành phố Hồ Chí Minh",
    "Công đoàn Trường Đại học Xây dựng Miền Trung",
    "Công đoàn Trường Đại học Xây dựng Miền Tây",
    "Công đoàn Học viện Cán bộ quản lý xây dựng và đô thị",
    "Công đoàn Viện Kiến trúc Quốc gia",
    "Công đoàn Viện Khoa học công nghệ xây dựng",
    "Công đoàn Viện Kinh tế xây dựng",
    "Công đoàn Viện Quy hoạch đô thị và nông thôn quốc gia",
    "Công đoàn Viện Vật liệu xây dựng",
    "Công đoàn cơ quan Bộ Xây dựng",
    "Công đoàn Cục Giám định nhà nước về chất lượng công trình xây dựng",
    "Công đoàn Báo Xây dựng",
    "Công đoàn Tạp chí Xây dựng",
)

# Grassroots company names: "Công đoàn {form} {trade} {locality}".
COMPANY_FORMS: Final = (
    "Công ty CP", "Công ty Cổ phần", "Công ty TNHH MTV", "Công ty TNHH", "Xí nghiệp",
    "Chi nhánh Công ty",
)
COMPANY_TRADES: Final = (
    "Xây dựng", "Xây lắp", "Xi măng", "Kính", "Gạch ngói", "Cơ khí xây dựng",
    "Tư vấn thiết kế xây dựng", "Đầu tư và Phát triển nhà", "Cấp thoát nước",
    "Môi trường đô thị", "Bê tông", "Vật liệu xây dựng", "Khảo sát xây dựng", "Thi công cơ giới",
    "Lắp máy", "Sứ vệ sinh", "Công trình giao thông", "Kết cấu thép", "Phát triển hạ tầng",
    "Đá ốp lát", "Gạch ốp lát", "Điện nước lắp máy", "Nền móng", "Cơ giới và Xây lắp",
    "Bê tông ly tâm", "Kiến trúc và Nội thất",
)
LOCALITIES: Final = (
    "Hà Nội", "Hải Phòng", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Đà Nẵng",
    "Thừa Thiên Huế", "Quảng Nam", "Quảng Ngãi", "Bình Định", "Khánh Hòa", "Lâm Đồng", "Đồng Nai",
    "Bình Dương", "Thành phố Hồ Chí Minh", "Cần Thơ", "Thái Nguyên", "Bắc Ninh", "Bắc Giang",
    "Hải Dương", "Nam Định", "Ninh Bình", "Hà Nam", "Phú Thọ", "Vĩnh Phúc", "Hưng Yên",
    "Thái Bình", "Lào Cai", "Sơn La", "Hòa Bình", "Quảng Bình", "Quảng Trị", "Gia Lai",
    "Đắk Lắk", "Bà Rịa – Vũng Tàu", "Long An", "Tây Ninh", "Kiên Giang", "Miền Bắc",
    "Miền Trung", "Miền Nam", "Tây Nguyên",
)
# Numbered member companies of the big groups ("Công ty CP Sông Đà 10").
COMPANY_SERIES: Final = (
    ("Công ty CP Sông Đà", 1, 12), ("Công ty CP Licogi", 12, 20), ("Công ty CP Lilama", 3, 18),
    ("Công ty CP Vinaconex", 1, 15), ("Công ty CP Xây dựng số", 1, 15),
    ("Công ty CP Viglacera", 1, 9), ("Công ty CP Cơ khí", 1, 9),
)

# Where a unit's people work, by the kind of unit (the `Đơn vị công tác` column).
WORKPLACES: Final[dict[str, tuple[str, ...]]] = {
    "construction": (
        "Đội xây dựng số 1", "Đội xây dựng số 2", "Đội xây dựng số 3", "Đội xây dựng số 5",
        "Đội thi công cơ giới", "Đội điện nước", "Xưởng cơ khí", "Xưởng sửa chữa thiết bị",
        "Phòng Kỹ thuật – Thi công", "Phòng Quản lý thiết bị", "Phòng Tài chính – Kế toán",
        "Phòng Tổ chức – Hành chính", "Phòng Kế hoạch – Đầu tư", "Ban An toàn lao động",
        "Ban điều hành dự án", "Ban chỉ huy công trường",
    ),
    "cement": (
        "Phân xưởng Lò nung", "Phân xưởng Nghiền xi măng", "Phân xưởng Nghiền liệu",
        "Phân xưởng Đóng bao", "Phân xưởng Khai thác mỏ", "Phân xưởng Cơ khí", "Phân xưởng Điện",
        "Phân xưởng Nước – Khí nén", "Phòng Kỹ thuật sản xuất", "Phòng Điều hành trung tâm",
        "Phòng Thí nghiệm – KCS", "Phòng Tài chính – Kế toán", "Phòng Tổ chức lao động",
        "Phòng Vật tư", "Phòng An toàn – Môi trường",
    ),
    "materials": (
        "Phân xưởng Nấu thủy tinh", "Phân xưởng Cắt và đóng gói", "Phân xưởng Tạo hình",
        "Phân xưởng Lò nung", "Phân xưởng Men màu", "Xưởng Cơ điện", "Phòng Kỹ thuật công nghệ",
        "Phòng Quản lý chất lượng", "Phòng Tài chính – Kế toán", "Phòng Kinh doanh",
        "Phòng Tổ chức – Hành chính", "Tổ bảo dưỡng",
    ),
    "school": (
        "Khoa Xây dựng", "Khoa Cơ khí – Động lực", "Khoa Điện", "Khoa Kinh tế",
        "Khoa Kiến trúc", "Khoa Khoa học cơ bản", "Phòng Đào tạo", "Phòng Tổ chức – Hành chính",
        "Phòng Tài chính – Kế toán", "Trung tâm Tuyển sinh", "Trung tâm Thực hành",
        "Thư viện",
    ),
    "institute": (
        "Phòng Kiến trúc nhà ở", "Phòng Nghiên cứu vật liệu", "Phòng Thí nghiệm kết cấu",
        "Trung tâm Thông tin", "Trung tâm Tư vấn", "Phòng Quản lý khoa học",
        "Văn phòng Viện", "Phòng Tài chính – Kế toán",
    ),
    "office": (
        "Văn phòng", "Vụ Kế hoạch – Tài chính", "Vụ Tổ chức cán bộ", "Vụ Pháp chế",
        "Trung tâm Thông tin", "Cục Kinh tế xây dựng", "Phòng Hành chính – Quản trị",
        "Phòng Lưu trữ", "Ban Biên tập", "Phòng Trị sự",
    ),
}

# Unit kinds and the words in a unit's name that reveal them (first match wins; else construction).
UNIT_KIND_WORDS: Final = (
    ("Xi măng", "cement"), ("Kính", "materials"), ("Gạch", "materials"), ("Sứ", "materials"),
    ("Viglacera", "materials"), ("Đá ốp", "materials"), ("Vật liệu", "materials"),
    ("Trường", "school"), ("Học viện", "school"), ("Viện", "institute"), ("cơ quan", "office"),
    ("Cục", "office"), ("Báo", "office"), ("Tạp chí", "office"),
)
SECTOR_OF_KIND: Final = {
    "construction": "Doanh nghiệp", "cement": "Doanh nghiệp", "materials": "Doanh nghiệp",
    "school": "Hành chính sự nghiệp", "institute": "Hành chính sự nghiệp",
    "office": "Hành chính sự nghiệp",
}

# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

# (surname, weight in %): published shares; the top 14 cover ≈ 90 %.
SURNAMES: Final = (
    ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.4),
    ("Huỳnh", 1.6), ("Phan", 4.5), ("Vũ", 2.6), ("Võ", 1.4), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.7),
    ("Đào", 0.7), ("Trịnh", 0.6), ("Mai", 0.5), ("Lương", 0.4), ("Trương", 0.6), ("Đoàn", 0.6),
    ("Cao", 0.4), ("Hà", 0.5), ("Lưu", 0.3), ("Tạ", 0.3), ("Tô", 0.3), ("Chu", 0.3),
    ("Phùng", 0.3), ("Lâm", 0.3), ("Vương", 0.2), ("Kiều", 0.2), ("Thái", 0.2), ("Triệu", 0.2),
    ("Lại", 0.2), ("Quách", 0.1), ("Khúc", 0.1), ("Nghiêm", 0.1), ("Tăng", 0.1), ("Doãn", 0.1),
    ("Mạc", 0.1), ("Hứa", 0.1), ("Tống", 0.1), ("Thân", 0.1), ("Giang", 0.1), ("La", 0.1),
)

# (middle name, weight) by gender. Women's lists include the common two-word middles.
MIDDLE_MALE: Final = (
    ("Văn", 17), ("Đức", 7), ("Minh", 7), ("Hữu", 6), ("Quang", 6), ("Đình", 5), ("Xuân", 4),
    ("Thanh", 4), ("Quốc", 4), ("Ngọc", 3), ("Công", 3), ("Mạnh", 2), ("Tiến", 2), ("Trung", 2),
    ("Hoàng", 2), ("Anh", 2), ("Thế", 2), ("Việt", 2), ("Duy", 2), ("Trọng", 2), ("Thành", 2),
    ("Bá", 1), ("Khắc", 1), ("Chí", 1), ("Gia", 1), ("Nhật", 1), ("Hải", 1), ("Hồng", 1),
    ("Kim", 1), ("Phúc", 1), ("Huy", 1), ("Sỹ", 1), ("Văn Minh", 1), ("Đức Anh", 1),
)
MIDDLE_FEMALE: Final = (
    ("Thị", 23), ("Thu", 5), ("Thanh", 5), ("Ngọc", 5), ("Minh", 3), ("Hồng", 3), ("Kim", 3),
    ("Phương", 3), ("Thùy", 2), ("Bích", 2), ("Mai", 2), ("Hải", 2), ("Thị Thu", 3),
    ("Thị Thanh", 2), ("Thị Ngọc", 2), ("Thị Minh", 2), ("Thị Hồng", 2), ("Thị Kim", 1),
    ("Thị Mai", 1), ("Diệu", 1), ("Khánh", 1), ("Bảo", 1), ("Hoài", 1), ("Quỳnh", 1),
    ("Huyền", 1), ("Thúy", 1), ("Cẩm", 1), ("Tuyết", 1), ("Mỹ", 1), ("Lan", 1),
)

# (given name, weight) by gender, old tone style. Common names weigh 2.5, frequent 2, others 1.
GIVEN_MALE: Final = (
    ("Anh", 2.5), ("Dũng", 2.5), ("Hùng", 2.5), ("Tuấn", 2.5), ("Hải", 2.5), ("Long", 2.5),
    ("Nam", 2.5), ("Sơn", 2.5), ("Thắng", 2.5), ("Minh", 2.5), ("Cường", 2.5), ("Hưng", 2.5),
    ("Trung", 2.5), ("Đức", 2.5),
    ("Quân", 2), ("Thành", 2), ("Hiếu", 2), ("Huy", 2), ("Khánh", 2), ("Phong", 2), ("Quang", 2),
    ("Tùng", 2), ("Việt", 2), ("Vinh", 2), ("Bình", 2), ("Chiến", 2), ("Đạt", 2), ("Hòa", 2),
    ("Hoàng", 2), ("Lâm", 2), ("Mạnh", 2), ("Phúc", 2), ("Thanh", 2), ("Tiến", 2), ("Toàn", 2),
    ("Tú", 2), ("Hiệp", 2), ("Hậu", 2), ("An", 1), ("Bảo", 1), ("Công", 1), ("Chính", 1),
    ("Duy", 1), ("Dương", 1), ("Định", 1), ("Đông", 1), ("Giang", 1), ("Hào", 1), ("Hiển", 1),
    ("Hoan", 1), ("Học", 1), ("Khang", 1), ("Khải", 1), ("Khoa", 1), ("Khôi", 1), ("Kiên", 1),
    ("Lộc", 1), ("Lợi", 1), ("Luân", 1), ("Lực", 1), ("Nghĩa", 1), ("Ngọc", 1), ("Nguyên", 1),
    ("Nhân", 1), ("Nhật", 1), ("Phú", 1), ("Phương", 1), ("Quý", 1), ("Quyết", 1), ("Sang", 1),
    ("Tài", 1), ("Tâm", 1), ("Tân", 1), ("Thái", 1), ("Thịnh", 1), ("Thọ", 1), ("Thông", 1),
    ("Thuận", 1), ("Thủy", 1), ("Thụy", 1), ("Toản", 1), ("Trí", 1), ("Trường", 1), ("Tuệ", 1),
    ("Vũ", 1), ("Vượng", 1), ("Xuân", 1), ("Kỳ", 1), ("Lương", 1), ("Ninh", 1), ("Sỹ", 1),
    ("Thạch", 1), ("Thiện", 1), ("Uy", 1), ("Hồng", 1), ("Huấn", 1), ("Khỏe", 1), ("Hòe", 1),
    ("Doanh", 1), ("Điệp", 1), ("Đoàn", 1), ("Hạnh", 1), ("Kiệt", 1), ("Linh", 1), ("Lượng", 1),
    ("Ngân", 1), ("Phát", 1), ("Quảng", 1), ("Quyền", 1), ("Tình", 1), ("Trọng", 1), ("Tuyên", 1),
    ("Vĩnh", 1), ("Vỹ", 1), ("Bắc", 1), ("Bằng", 1), ("Cảnh", 1), ("Chung", 1), ("Đăng", 1),
    ("Hạ", 1), ("Hợp", 1), ("Kha", 1), ("Lãm", 1), ("Mẫn", 1), ("Nhạc", 1), ("Pháp", 1),
    ("Sâm", 1), ("Thao", 1), ("Thoại", 1), ("Thuấn", 1), ("Tiệp", 1), ("Tường", 1), ("Ước", 1),
    ("Yên", 1), ("Đoán", 1), ("Hoạt", 1), ("Khiêm", 1), ("Lập", 1), ("Nhất", 1), ("Quế", 1),
    ("Biên", 1), ("Cần", 1), ("Chương", 1), ("Diện", 1), ("Dự", 1), ("Hân", 1), ("Hiền", 1),
    ("Hoạch", 1), ("Khương", 1), ("Lạng", 1), ("Liêm", 1), ("Luyện", 1), ("Nghị", 1), ("Phi", 1),
    ("San", 1), ("Sinh", 1), ("Tấn", 1), ("Thể", 1), ("Thiêm", 1), ("Thức", 1),
    ("Tín", 1), ("Trác", 1), ("Triều", 1), ("Trìu", 1), ("Tuân", 1), ("Tuyển", 1), ("Văn", 1),
    ("Vận", 1), ("Xô", 1), ("Bích", 1), ("Chỉnh", 1), ("Cương", 1), ("Du", 1), ("Giáp", 1),
    ("Hưởng", 1), ("Kế", 1), ("Khoát", 1), ("Mừng", 1), ("Nhuận", 1), ("Oai", 1), ("Quỳnh", 1),
    ("Sáng", 1), ("Tạo", 1), ("Thăng", 1), ("Thược", 1), ("Toại", 1), ("Tuyến", 1), ("Vịnh", 1),
)
GIVEN_FEMALE: Final = (
    ("Hương", 2.5), ("Lan", 2.5), ("Linh", 2.5), ("Hằng", 2.5), ("Hà", 2.5), ("Trang", 2.5),
    ("Thủy", 2.5), ("Hoa", 2.5), ("Mai", 2.5), ("Nga", 2.5), ("Ngọc", 2.5), ("Phương", 2.5),
    ("Thảo", 2.5), ("Anh", 2.5),
    ("Dung", 2), ("Hạnh", 2), ("Hiền", 2), ("Hòa", 2), ("Huyền", 2), ("Loan", 2), ("Nhung", 2),
    ("Oanh", 2), ("Quỳnh", 2), ("Thúy", 2), ("Thùy", 2), ("Tâm", 2), ("Thu", 2), ("Vân", 2),
    ("Yến", 2), ("Giang", 2), ("Liên", 2), ("Ánh", 1), ("Bích", 1), ("Chi", 1), ("Cúc", 1),
    ("Duyên", 1), ("Điệp", 1), ("Đào", 1), ("Hải", 1), ("Hậu", 1), ("Hồng", 1), ("Huệ", 1),
    ("Hường", 1), ("Khánh", 1), ("Lệ", 1), ("Liễu", 1), ("Ly", 1), ("Lý", 1), ("Minh", 1),
    ("My", 1), ("Ngân", 1), ("Nguyệt", 1), ("Nhàn", 1), ("Nhi", 1), ("Phượng", 1), ("Quyên", 1),
    ("Sen", 1), ("Thanh", 1), ("Thắm", 1), ("Thơ", 1), ("Thoa", 1), ("Thư", 1), ("Thương", 1),
    ("Trinh", 1), ("Tuyết", 1), ("Tuyền", 1), ("Uyên", 1), ("Vy", 1), ("Xuân", 1), ("Hoài", 1),
    ("Diệp", 1), ("Kim", 1), ("Lụa", 1), ("Tươi", 1), ("Gấm", 1), ("Xoan", 1), ("Thụy", 1),
    ("Trâm", 1), ("Diệu", 1), ("Hảo", 1), ("Lành", 1), ("Mận", 1), ("Ngà", 1),
    ("Phấn", 1), ("Quế", 1), ("Sương", 1), ("Thêu", 1), ("Thìn", 1), ("Tình", 1), ("Vui", 1),
    ("Yên", 1), ("Châm", 1), ("Dịu", 1), ("Hiên", 1), ("Hoan", 1), ("Hợi", 1), ("Khuyên", 1),
    ("Lam", 1), ("Mơ", 1), ("Nương", 1), ("Phúc", 1), ("Sâm", 1), ("Thoan", 1), ("Thường", 1),
    ("Tuyến", 1), ("Vinh", 1), ("Chinh", 1), ("Cương", 1), ("Hạ", 1), ("Hân", 1), ("Kiều", 1),
    ("Luyến", 1), ("Mến", 1), ("Mỹ", 1), ("Nhạn", 1), ("Ninh", 1), ("Tú", 1), ("Hòe", 1),
    ("Bình", 1), ("Cầm", 1), ("Hà Anh", 1), ("Hiếu", 1), ("Hoàn", 1), ("Khuê", 1),
    ("Lài", 1), ("Lợi", 1), ("Mùi", 1), ("Ngát", 1), ("Nhài", 1), ("Phúc Anh", 1), ("Quyền", 1),
    ("Sim", 1), ("Tâm Anh", 1), ("Thái", 1), ("Thanh Tâm", 1), ("Thẩm", 1), ("Thiêm", 1),
    ("Thịnh", 1), ("Trà", 1), ("Trúc", 1), ("Tuệ", 1), ("Xuyến", 1),
    ("Dương", 1), ("Đông", 1), ("Giao", 1), ("Hằng Nga", 1), ("Huế", 1), ("Lanh", 1),
    ("Lương", 1), ("Minh Anh", 1), ("Ngần", 1), ("Nhã", 1), ("Tiên", 1),
)
MALE_SHARE: Final = 0.65  # construction is a mostly male sector

# What people put before a name (the demo keeps them on people who appear once in their unit).
HONORIFICS: Final = ("KS.", "ThS.", "TS.", "ông", "bà", "CN.", "Kỹ sư", "đ/c")

# --------------------------------------------------------------------------------------------------
# Initiatives
# --------------------------------------------------------------------------------------------------

SOLUTION_TYPE_TECH: Final = "Giải pháp kỹ thuật"
SOLUTION_TYPE_MGMT: Final = "Giải pháp quản lý"
SOLUTION_TYPE_OPS: Final = "Giải pháp tác nghiệp"
SOLUTION_TYPE_TBKT: Final = "Ứng dụng tiến bộ kỹ thuật"
SOLUTION_TYPE_RESEARCH: Final = "Đề tài nghiên cứu khoa học"

# How units write each type (a share uses these instead of the canonical name).
SOLUTION_TYPE_SPELLINGS: Final[dict[str, tuple[str, ...]]] = {
    SOLUTION_TYPE_TECH: ("Kỹ thuật", "KT", "GPKT", "giải pháp kỹ thuật", "kỹ thuật"),
    SOLUTION_TYPE_MGMT: ("Quản lý", "QL", "quan ly", "GP quản lý", "quản lý"),
    SOLUTION_TYPE_OPS: ("Tác nghiệp", "nghiệp vụ", "GP tác nghiệp", "tác nghiệp"),
    SOLUTION_TYPE_TBKT: ("Ứng dụng TBKT", "TBKT", "ứng dụng tiến bộ kỹ thuật"),
    SOLUTION_TYPE_RESEARCH: ("Đề tài NCKH", "NCKH", "đề tài"),
}
STATUS_SPELLINGS: Final[dict[str, tuple[str, ...]]] = {
    "Đã đăng ký": ("đăng ký", "Đăng ký", "chờ xét"),
    "Đã công nhận": ("Công nhận", "được công nhận", "CN", "đã công nhận"),
    "Được khen thưởng": ("Khen thưởng", "đã khen thưởng"),
    "Không công nhận": ("không công nhận",),
}


class Obj(NamedTuple):
    """The thing an initiative is about; `numbered` objects are installations units number."""

    text: str
    numbered: bool = False


class Family(NamedTuple):
    """A kind of initiative: its usual type and fields, the unit kinds (with weights) where it
    occurs, and the parts its titles are built from:
    `{action} {object}[ số N][ {place}][ {purpose}]`.
    Summaries and effects are built from the same family so a row reads consistently."""

    name: str
    solution_type: str
    fields: tuple[str, ...]
    kinds: dict[str, float]
    actions: tuple[str, ...]
    objects: tuple[Obj, ...]
    places: tuple[str, ...]
    purposes: tuple[str, ...]
    summaries: tuple[str, ...]  # format strings over {obj}
    effects: tuple[str, ...]  # format strings over {p} (a percentage) and {d} (days)


def _join(*groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Concatenate phrase lists, dropping repeats (a repeated phrase would weigh double)."""
    return tuple(dict.fromkeys(p for g in groups for p in g))


def _objs(numbered: str, plain: str) -> tuple[Obj, ...]:
    """Objects from two `|`-separated lists: numbered installations, then plain things."""
    return tuple(Obj(t.strip(), True) for t in numbered.split("|") if t.strip()) + tuple(
        Obj(t.strip(), False) for t in plain.split("|") if t.strip()
    )


PROJECTS: Final = (
    "Thủy điện Lai Châu", "Thủy điện Sơn La", "Thủy điện Hòa Bình mở rộng", "Thủy điện Nậm Chiến",
    "Thủy điện Xekaman 1", "Nhà ở xã hội Mê Linh", "Khu đô thị Thanh Hà", "Chung cư HH2 Dương Nội",
    "Cầu Vĩnh Tuy giai đoạn 2", "Cao tốc Bắc – Nam đoạn Mai Sơn – Quốc lộ 45",
    "Nhà máy lọc dầu Nghi Sơn", "Cảng hàng không Long Thành", "Bệnh viện Bạch Mai cơ sở 2",
    "Trụ sở Bộ Xây dựng", "Khu công nghiệp Yên Phong", "Nhà máy nhiệt điện Vĩnh Tân",
    "Đường vành đai 3 Thành phố Hồ Chí Minh", "Tòa nhà Viglacera Tower", "Khu đô thị Linh Đàm",
    "Nhà máy xử lý nước thải Yên Xá", "Hầm Hải Vân 2", "Cầu Thăng Long", "Ga ngầm Bến Thành",
    "Ký túc xá Đại học Quốc gia", "Nhà máy xi măng Sông Lam",
)
_BUILD_PLACES: Final = _join(
    ("tại công trường", "tại Xưởng cơ khí", "tại Ban chỉ huy công trường",
     "phục vụ thi công nhà cao tầng", "phục vụ thi công trụ cầu", "phục vụ thi công đập bê tông",
     "phục vụ thi công hầm", "phục vụ thi công móng", "trong thi công tường vây",
     "trong thi công kết cấu thép"),
    [f"tại Đội xây dựng số {n}" for n in range(1, 13)],
    [f"tại công trình {p}" for p in PROJECTS],
    [f"tại dự án {p}" for p in PROJECTS[:12]],
)
_CEMENT_PLACES: Final = _join(
    ("tại Phân xưởng Lò nung", "tại Phân xưởng Nghiền xi măng", "tại Phân xưởng Nghiền liệu",
     "tại Phân xưởng Đóng bao", "tại Phân xưởng Khai thác mỏ", "tại Phân xưởng Cơ khí",
     "tại Phân xưởng Điện", "tại khu vực cảng xuất"),
    [f"tại dây chuyền {n}" for n in range(1, 5)],
    [f"tại Nhà máy xi măng {p}" for p in (
        "Bỉm Sơn", "Hoàng Thạch", "Bút Sơn", "Tam Điệp", "Hoàng Mai", "Hải Phòng", "Sông Gianh",
        "Hạ Long", "Cẩm Phả", "Tây Ninh", "Hà Tiên", "Quang Sơn", "Yên Bình", "Thăng Long")],
)
_MATERIAL_PLACES: Final = _join(
    ("tại Phân xưởng Nấu thủy tinh", "tại Phân xưởng Tạo hình", "tại Phân xưởng Lò nung",
     "tại Phân xưởng Men màu", "tại Xưởng Cơ điện", "tại Phân xưởng Cắt và đóng gói",
     "tại kho thành phẩm"),
    [f"tại Nhà máy gạch {p}" for p in LOCALITIES[:14]],
    [f"tại Nhà máy kính {p}" for p in ("Đáp Cầu", "Bình Dương", "Phú Mỹ", "Quế Võ")],
    [f"tại Nhà máy sứ {p}" for p in ("Thanh Trì", "Bình Dương", "Mỹ Xuân", "Việt Trì")],
)
_OFFICE_PLACES: Final = (
    "tại Phòng Tài chính – Kế toán", "tại Phòng Tổ chức – Hành chính", "tại Văn phòng",
    "tại Phòng Kế hoạch – Đầu tư", "tại Phòng Kỹ thuật", "tại các đơn vị trực thuộc",
    "của cơ quan", "tại Công đoàn cơ sở", "tại Văn phòng Tổng công ty", "tại Phòng Vật tư",
    "tại Phòng Kinh doanh", "tại các ban điều hành dự án", "cho các đội thi công",
    "tại Chi nhánh miền Nam", "tại Chi nhánh miền Trung", "tại Văn phòng đại diện",
)
# Every department of every kind of unit, as a place ("tại Phòng Vật tư"): office titles need them.
_DEPARTMENT_PLACES: Final = _join(
    [f"tại {w}" for ws in WORKPLACES.values() for w in ws if not w.startswith("Đội")]
)
_GENERIC_PURPOSES: Final = (
    "nhằm tăng năng suất lao động", "nhằm giảm chi phí sản xuất", "để giảm thời gian thực hiện",
    "nhằm nâng cao hiệu quả công việc", "nhằm đảm bảo an toàn lao động",
    "góp phần phòng chống dịch Covid-19", "trong điều kiện giãn cách xã hội",
    "nhằm giảm sức lao động thủ công",
)
_BUILD_PURPOSES: Final = _join(_GENERIC_PURPOSES, (
    "nhằm giảm hao hụt vật tư", "để rút ngắn thời gian thi công", "nhằm giảm chi phí nhân công",
    "để nâng cao chất lượng thi công", "nhằm giảm tiêu hao nhiên liệu",
    "nhằm giảm thời gian lắp dựng", "giảm tiếng ồn và bụi",
))
_CEMENT_PURPOSES: Final = _join(_GENERIC_PURPOSES, (
    "nhằm giảm thời gian dừng lò", "nhằm giảm tiêu hao điện năng", "nhằm giảm bụi phát tán",
    "để tăng tuổi thọ thiết bị", "nhằm giảm chi phí sửa chữa", "để ổn định chất lượng clinker",
    "nhằm tăng năng suất nghiền", "giảm hao hụt xi măng rơi vãi",
))
_MATERIAL_PURPOSES: Final = _join(_GENERIC_PURPOSES, (
    "nhằm giảm tỷ lệ sản phẩm lỗi", "nhằm tiết kiệm khí đốt", "nhằm nâng cao chất lượng sản phẩm",
    "nhằm giảm hao hụt nguyên liệu", "để tiết kiệm điện năng",
))
_OFFICE_PURPOSES: Final = _join(_GENERIC_PURPOSES, (
    "nhằm giảm thời gian xử lý hồ sơ", "giảm chi phí văn phòng phẩm", "nâng cao tính minh bạch",
    "đảm bảo đúng quy định hiện hành", "nhằm tiết kiệm thời gian đi lại",
    "phục vụ công tác chuyển đổi số", "nhằm giảm thủ tục giấy tờ", "bảo đảm bí mật số liệu",
    "nhằm cải cách hành chính", "phục vụ điều hành trực tuyến", "nhằm giảm thời gian chờ đợi",
    "nhằm nâng cao chất lượng báo cáo", "nhằm giảm chi phí in ấn", "phục vụ kiểm toán nội bộ",
))

BUILD_EQUIPMENT: Final = _objs(
    "máy trộn bê tông | máy trộn vữa | máy cắt thép | máy uốn thép | máy cắt uốn cốt thép | "
    "cần trục tháp | cần trục bánh xích | vận thăng lồng | vận thăng chở vật liệu |"
    "xe bơm bê tông |"
    "trạm trộn bê tông | trạm trộn bê tông nhựa | trạm nghiền sàng đá | máy khoan cọc nhồi |"
    "búa đóng cọc | máy ép cọc | tủ điện công trường | máy phun vữa | xe chở dầm | giá lao dầm |"
    "hệ thống tời kéo cáp | máy đào | máy lu rung",
    "bộ gá hàn cốt thép | bộ gá hàn cốt thép dầm cầu | ván khuôn leo | ván khuôn trượt |"
    "cốp pha nhôm | cốp pha thép định hình | giàn giáo bao che | sàn thao tác treo | máy đầm dùi |"
    "máy đầm bàn | gầu khoan cọc nhồi | máng trượt bê tông | phễu rót bê tông |"
    "hệ thống con lăn kéo cáp | bộ kích thủy lực căng cáp | hệ thống cấp nước thi công |"
    "máy mài sàn bê tông | máy cắt gạch | đường ống bơm bê tông | khuôn đúc cống hộp |"
    "khuôn đúc cấu kiện bê tông đúc sẵn | khung vây cọc ván thép | hệ thống chiếu sáng công trường|"
    "bàn cắt plasma | bộ gá lắp dựng cột thép",
)
CEMENT_EQUIPMENT: Final = _objs(
    "băng tải clinker | băng tải đá vôi | lò nung clinker | máy nghiền xi măng | máy nghiền than |"
    "máy nghiền liệu | lọc bụi túi | máy đóng bao xi măng | gầu nâng clinker | máy đập búa |"
    "hệ thống cân băng định lượng | xe xúc lật | quạt hút lò nung",
    "quạt làm mát clinker | ghi làm nguội clinker | cyclone tháp trao đổi nhiệt |"
    "hệ thống lọc bụi tĩnh điện | máy xếp bao | cửa xả silo xi măng | van cấp liệu quay |"
    "máng khí động | máy cào đá vôi | vòi đốt than lò nung | hệ thống bôi trơn con lăn đỡ lò |"
    "máy cấp liệu tấm | bộ phân ly hiệu suất cao | hệ thống làm mát ổ đỡ",
)
MATERIAL_EQUIPMENT: Final = _objs(
    "dây chuyền kính nổi | máy cắt kính | lò nấu thủy tinh | máy ép gạch | lò nung gạch tuynel |"
    "máy tráng men | máy mài cạnh gạch | lò sấy đứng | máy đùn ép gạch | máy nghiền bi nguyên liệu|"
    "hệ thống cân phối liệu | máy đóng gói gạch | lò nung sứ",
    "khuôn ép gạch ốp lát | băng tải sấy gạch | máy phun men | khuôn đúc sứ vệ sinh |"
    "hệ thống cấp khí nén | xe goòng lò nung | bàn cắt kính cường lực | máy rửa kính |"
    "hệ thống thu hồi nhiệt khói lò",
)

# Objects that differ by one word: different initiatives (hard negatives for deduplication).
ONE_WORD_PAIRS: Final = (
    ("máy trộn bê tông", "máy trộn vữa"), ("máy cắt thép", "máy uốn thép"),
    ("cần trục tháp", "cần trục bánh xích"), ("ván khuôn leo", "ván khuôn trượt"),
    ("máy đầm dùi", "máy đầm bàn"), ("trạm trộn bê tông", "trạm trộn bê tông nhựa"),
    ("băng tải clinker", "băng tải đá vôi"), ("máy nghiền xi măng", "máy nghiền than"),
    ("vận thăng lồng", "vận thăng chở vật liệu"), ("máy ép gạch", "máy đùn ép gạch"),
    ("cốp pha nhôm", "cốp pha thép định hình"), ("lò nung gạch tuynel", "lò nung sứ"),
)

_EQUIP_ACTIONS: Final = (
    "Cải tiến", "Chế tạo", "Thiết kế, chế tạo", "Cải tạo", "Nâng cấp", "Chế tạo mới",
    "Cải tiến kết cấu", "Hoàn thiện", "Thiết kế lại", "Gia cố", "Tự động hóa", "Sửa chữa, phục hồi",
    "Lắp đặt bộ điều khiển cho", "Lắp thêm cơ cấu an toàn cho", "Cải tiến hệ thống điện",
)
_ENERGY_ACTIONS: Final = (
    "Giải pháp tiết kiệm điện năng cho", "Giải pháp tiết kiệm nhiên liệu cho",
    "Giải pháp giảm tiêu hao dầu diesel cho", "Lắp biến tần cho",
    "Thay thế động cơ hiệu suất cao cho", "Giải pháp giảm điện năng chạy không tải của",
    "Tận dụng nhiệt thừa của", "Giải pháp kéo dài tuổi thọ",
)
_EQUIP_SUMMARIES: Final = (
    "Thiết kế lại {obj}, bổ sung cơ cấu kẹp nhanh và dẫn hướng, thay thao tác thủ công.",
    "Thay thế các chi tiết hay hỏng của {obj} bằng chi tiết chế tạo trong nước, dễ thay thế.",
    "Bổ sung cảm biến và bộ điều khiển tự động cho {obj}, giảm số người vận hành.",
    "Gia công lại kết cấu khung đỡ {obj} bằng thép hình sẵn có tại đơn vị.",
    "Tận dụng vật tư thu hồi để chế tạo {obj}, lắp đặt và chạy thử tại hiện trường.",
    "Cải tiến cơ cấu truyền động của {obj}, giảm rung và mài mòn.",
)
_ENERGY_SUMMARIES: Final = (
    "Lắp biến tần và bộ hẹn giờ cho {obj}, tự ngắt khi chạy không tải.",
    "Điều chỉnh chế độ vận hành {obj} theo phụ tải thực tế, lắp đồng hồ theo dõi điện năng.",
    "Thay bóng đèn và động cơ cũ của {obj} bằng loại hiệu suất cao.",
    "Bảo ôn đường ống và tận dụng nhiệt thải của {obj} để sấy vật liệu.",
)
_PROCESS_SUMMARIES: Final = (
    "Rà soát, lược bỏ các bước trùng lặp trong {obj}; lập biểu mẫu thống nhất, phân công rõ "
    "trách nhiệm.",
    "Chuyển {obj} sang biểu mẫu điện tử dùng chung, cập nhật ngay tại hiện trường.",
    "Lập danh mục kiểm tra cho {obj}, mỗi bước có người chịu trách nhiệm và thời hạn.",
    "Phối hợp giữa các phòng ban trong {obj} theo quy trình một cửa.",
)
_IT_SUMMARIES: Final = (
    "Xây dựng công cụ trên nền bảng tính trực tuyến phục vụ {obj}, cập nhật theo thời gian thực.",
    "Dùng phần mềm mã nguồn mở phục vụ {obj}; dữ liệu lưu tập trung, phân quyền theo phòng ban.",
    "Gắn mã QR cho từng hồ sơ, thiết bị phục vụ {obj}; tra cứu bằng điện thoại.",
)
_SAFETY_SUMMARIES: Final = (
    "Lắp lan can tạm, lưới chống rơi và biển cảnh báo khi {obj}.",
    "Xây dựng quy trình kiểm tra trước ca, phân công giám sát an toàn khi {obj}.",
    "Chế tạo giá treo dây an toàn di động dùng khi {obj}.",
)
_RESEARCH_SUMMARIES: Final = (
    "Thí nghiệm, đánh giá và đề xuất cấp phối sử dụng {obj}.",
    "Tổng hợp tài liệu, khảo sát thực tế và đề xuất giải pháp về {obj}.",
    "Nghiên cứu lý thuyết kết hợp thực nghiệm, xây dựng chỉ dẫn kỹ thuật về {obj}.",
)
_TEACHING_SUMMARIES: Final = (
    "Xây dựng bài giảng, video thực hành và ngân hàng câu hỏi cho môn {obj}.",
    "Tổ chức học theo dự án nhỏ, gắn bài tập môn {obj} với công trình thực tế.",
    "Chế tạo mô hình trực quan phục vụ giảng dạy môn {obj}.",
)
_TECH_EFFECTS: Final = (
    "Tăng năng suất lao động khoảng {p}%", "Giảm {p}% thời gian thực hiện",
    "Giảm hao hụt vật tư khoảng {p}%", "Giảm chi phí sửa chữa, bảo dưỡng",
    "Rút ngắn {d} ngày thi công mỗi hạng mục", "Giảm {p}% số giờ dừng máy",
    "Đảm bảo an toàn cho người vận hành", "Nâng cao chất lượng sản phẩm, giảm tỷ lệ lỗi",
)
_ENERGY_EFFECTS: Final = (
    "Giảm {p}% điện năng tiêu thụ", "Tiết kiệm {p}% nhiên liệu", "Giảm chi phí năng lượng",
    "Giảm phát thải, cải thiện môi trường làm việc",
)
_OFFICE_EFFECTS: Final = (
    "Giảm {p}% thời gian xử lý hồ sơ", "Rút ngắn {d} ngày mỗi kỳ báo cáo",
    "Tiết kiệm văn phòng phẩm", "Giảm sai sót, minh bạch số liệu",
    "Tiết kiệm thời gian đi lại của người lao động", "Nâng cao hiệu quả phối hợp giữa các phòng",
)
_SAFETY_EFFECTS: Final = (
    "Không để xảy ra tai nạn lao động", "Bảo vệ sức khỏe người lao động",
    "Giảm nguy cơ tai nạn khi làm việc trên cao", "Cải thiện điều kiện làm việc",
)
_RESEARCH_EFFECTS: Final = (
    "Giảm {p}% giá thành vật liệu", "Tận dụng phế thải, bảo vệ môi trường",
    "Làm cơ sở xây dựng tiêu chuẩn, chỉ dẫn kỹ thuật", "Nâng cao độ bền công trình",
)
_TEACHING_EFFECTS: Final = (
    "Tỷ lệ học sinh đạt yêu cầu tăng {p}%", "Nâng cao kỹ năng thực hành của học sinh",
    "Giảm {p}% thời gian chuẩn bị bài giảng", "Học sinh hứng thú hơn với môn học",
)

FAMILIES: Final[tuple[Family, ...]] = (
    Family(
        "equip_build", SOLUTION_TYPE_TECH, ("Thi công", "Cơ khí", "Máy xây dựng"),
        {"construction": 3.0, "materials": 0.3},
        _EQUIP_ACTIONS, BUILD_EQUIPMENT, _BUILD_PLACES, _BUILD_PURPOSES, _EQUIP_SUMMARIES,
        _TECH_EFFECTS,
    ),
    Family(
        "equip_cement", SOLUTION_TYPE_TECH, ("Cơ khí", "Điện", "Vận hành sản xuất"),
        {"cement": 3.5},
        _EQUIP_ACTIONS, CEMENT_EQUIPMENT, _CEMENT_PLACES, _CEMENT_PURPOSES, _EQUIP_SUMMARIES,
        _TECH_EFFECTS,
    ),
    Family(
        "equip_materials", SOLUTION_TYPE_TECH,
        ("Cơ khí", "Công nghệ sản xuất", "Vật liệu xây dựng"),
        {"materials": 3.5},
        _EQUIP_ACTIONS, MATERIAL_EQUIPMENT, _MATERIAL_PLACES, _MATERIAL_PURPOSES,
        _EQUIP_SUMMARIES, _TECH_EFFECTS,
    ),
    Family(
        "energy_build", SOLUTION_TYPE_TECH, ("Điện", "Năng lượng"), {"construction": 0.8},
        _ENERGY_ACTIONS, BUILD_EQUIPMENT, _BUILD_PLACES, _BUILD_PURPOSES, _ENERGY_SUMMARIES,
        _ENERGY_EFFECTS,
    ),
    Family(
        "energy_cement", SOLUTION_TYPE_TECH, ("Điện", "Năng lượng"), {"cement": 1.2},
        _ENERGY_ACTIONS, CEMENT_EQUIPMENT, _CEMENT_PLACES, _CEMENT_PURPOSES, _ENERGY_SUMMARIES,
        _ENERGY_EFFECTS,
    ),
    Family(
        "energy_materials", SOLUTION_TYPE_TECH, ("Điện", "Năng lượng"), {"materials": 1.2},
        _ENERGY_ACTIONS, MATERIAL_EQUIPMENT, _MATERIAL_PLACES, _MATERIAL_PURPOSES,
        _ENERGY_SUMMARIES, _ENERGY_EFFECTS,
    ),
    Family(
        "process_build", SOLUTION_TYPE_OPS, ("Thi công", "Quản lý kỹ thuật", "Quản lý chất lượng"),
        {"construction": 1.5, "cement": 0.4, "materials": 0.4},
        ("Hợp lý hóa quy trình", "Đổi mới quy trình", "Chuẩn hóa quy trình", "Cải tiến quy trình",
         "Rút ngắn thời gian", "Giải pháp nâng cao hiệu quả công tác", "Tinh gọn khâu",
         "Giải pháp kiểm soát", "Số hóa quy trình"),
        _objs("", "nghiệm thu cọc khoan nhồi | nghiệm thu cốt thép | nghiệm thu vật liệu đầu vào |"
                  "lập hồ sơ hoàn công | lập hồ sơ thanh toán khối lượng |"
                  "kiểm tra chất lượng bê tông | quản lý vật tư | giao nhận vật tư |"
                  "quản lý máy thi công | lập biện pháp thi công | lập tiến độ thi công |"
                  "bảo dưỡng bê tông | bàn giao mặt bằng | quản lý chất thải xây dựng |"
                  "kiểm soát khối lượng phát sinh | quan trắc lún | đo đạc trắc địa |"
                  "điều phối xe vận chuyển | kiểm định thiết bị nâng | bảo dưỡng thiết bị |"
                  "kiểm tra chất lượng clinker | lấy mẫu thí nghiệm | nhập kho thành phẩm |"
                  "nghiệm thu hoàn thành hạng mục | kiểm tra an toàn đầu ca | cấp phát bảo hộ lao động |"
                  "lập nhật ký thi công | quản lý bản vẽ thi công | quản lý nhiên liệu xe máy |"
                  "giao khoán nội bộ | nghiệm thu cốp pha | kiểm tra độ chặt nền đắp |"
                  "lập hồ sơ quản lý chất lượng | kiểm soát chất lượng mối hàn |"
                  "theo dõi sản lượng ca | bàn giao ca sản xuất | sửa chữa thiết bị đột xuất |"
                  "lập kế hoạch bảo dưỡng định kỳ | kiểm soát hao hụt nguyên liệu |"
                  "quản lý phụ tùng thay thế | điều độ sản xuất | xử lý sự cố dừng lò"),
        _BUILD_PLACES, _BUILD_PURPOSES, _PROCESS_SUMMARIES, _OFFICE_EFFECTS,
    ),
    Family(
        "process_office", SOLUTION_TYPE_MGMT,
        ("Quản lý", "Tài chính – kế toán", "Tổ chức – hành chính", "Kế hoạch – đầu tư"),
        {"construction": 1.0, "cement": 0.8, "materials": 0.8, "school": 1.5, "institute": 1.5,
         "office": 3.0},
        ("Hợp lý hóa quy trình", "Đổi mới công tác", "Chuẩn hóa quy trình",
         "Giải pháp nâng cao hiệu quả", "Rút ngắn thời gian", "Xây dựng quy chế phối hợp trong",
         "Cải tiến phương pháp", "Giải pháp nâng cao chất lượng", "Đổi mới cách thức"),
        _objs("", "thanh toán lương | chấm công | quyết toán thuế thu nhập cá nhân |"
                  "lưu trữ hồ sơ | quản lý văn bản đi và đến | theo dõi công nợ | thu hồi công nợ |"
                  "lập báo cáo tài chính | kiểm kê tài sản | quản lý hợp đồng kinh tế |"
                  "tuyển dụng lao động | đánh giá xếp loại người lao động | mua sắm vật tư |"
                  "đấu thầu mua sắm | lập kế hoạch sản xuất kinh doanh | quản lý tài sản cố định |"
                  "thanh toán chi phí công tác | tổ chức hội nghị trực tuyến |"
                  "giải quyết chế độ bảo hiểm xã hội | quản lý hồ sơ đoàn viên công đoàn |"
                  "thu, chi tài chính công đoàn | quản lý hồ sơ cán bộ | lập dự toán ngân sách |"
                  "tiếp nhận và trả kết quả hồ sơ | quản lý xe ô tô cơ quan"),
        _join(_OFFICE_PLACES, _DEPARTMENT_PLACES), _OFFICE_PURPOSES, _PROCESS_SUMMARIES,
        _OFFICE_EFFECTS,
    ),
    Family(
        "it", SOLUTION_TYPE_TBKT, ("Công nghệ thông tin", "Chuyển đổi số"),
        {"construction": 0.8, "cement": 0.5, "materials": 0.5, "school": 1.0, "institute": 1.2,
         "office": 2.0},
        ("Ứng dụng phần mềm", "Xây dựng phần mềm", "Ứng dụng mã QR trong",
         "Ứng dụng chữ ký số trong", "Xây dựng cơ sở dữ liệu", "Ứng dụng công nghệ BIM trong",
         "Ứng dụng điện toán đám mây trong", "Xây dựng hệ thống báo cáo trực tuyến về",
         "Ứng dụng trí tuệ nhân tạo trong"),
        _objs("", "quản lý vật tư | quản lý hồ sơ chất lượng | theo dõi tiến độ thi công |"
                  "quản lý nhân sự | chấm công | quản lý thiết bị | quản lý kho | quản lý văn bản |"
                  "lập dự toán | quản lý hợp đồng | theo dõi bảo dưỡng thiết bị |"
                  "quản lý đoàn viên |"
                  "quản lý tài sản | thống kê sản lượng | quản lý an toàn lao động |"
                  "quản lý chất lượng sản phẩm | giám sát camera công trường | lập hồ sơ dự thầu"),
        _join(_OFFICE_PLACES, _DEPARTMENT_PLACES, ("tại công trường", "tại Nhà máy")),
        _OFFICE_PURPOSES, _IT_SUMMARIES, _OFFICE_EFFECTS,
    ),
    Family(
        "safety", SOLUTION_TYPE_OPS, ("An toàn lao động", "Bảo hộ lao động"),
        {"construction": 0.8, "cement": 0.6, "materials": 0.5},
        ("Giải pháp đảm bảo an toàn khi", "Thiết kế hệ thống che chắn an toàn khi",
         "Lắp đặt hệ thống cảnh báo khi", "Chế tạo lan can tạm an toàn khi",
         "Xây dựng quy trình kiểm soát rủi ro khi", "Giải pháp phòng ngừa tai nạn khi",
         "Chế tạo thiết bị hỗ trợ khi"),
        _objs("", "thi công trên cao | vận hành cần trục tháp | tháo dỡ ván khuôn |"
                  "lắp dựng kết cấu thép | thi công hố đào sâu | thi công trong hầm |"
                  "sửa chữa lò nung |"
                  "vệ sinh silo | làm việc trong không gian hạn chế | vận hành máy nghiền |"
                  "lắp đặt điện công trường | nổ mìn khai thác đá | cẩu lắp dầm |"
                  "đổ bê tông ban đêm | vận chuyển vật liệu bằng vận thăng | thay gạch chịu lửa |"
                  "làm việc gần đường dây điện | vận hành xe nâng | hàn cắt kim loại |"
                  "thi công mái | thi công lắp kính mặt dựng | vận hành máy trộn |"
                  "lắp đặt giàn giáo | tháo dỡ công trình cũ | đào đất bằng máy | vận hành lò hơi |"
                  "làm việc trong bồn chứa | bốc xếp bao xi măng | kiểm tra băng tải đang chạy |"
                  "sửa chữa điện đang mang tải | sơn kết cấu thép trên cao"),
        _join(_BUILD_PLACES, _CEMENT_PLACES, _MATERIAL_PLACES[:7]), _BUILD_PURPOSES,
        _SAFETY_SUMMARIES,
        _SAFETY_EFFECTS,
    ),
    Family(
        "research", SOLUTION_TYPE_RESEARCH,
        ("Vật liệu xây dựng", "Kết cấu", "Kiến trúc", "Quy hoạch"),
        {"institute": 3.0, "school": 1.0, "cement": 0.2, "materials": 0.3},
        ("Nghiên cứu", "Nghiên cứu ứng dụng", "Nghiên cứu sử dụng", "Nghiên cứu chế tạo",
         "Nghiên cứu đánh giá", "Nghiên cứu đề xuất giải pháp về", "Nghiên cứu thực nghiệm"),
        _objs("", "phụ gia khoáng cho bê tông | tro bay nhiệt điện | xỉ lò cao làm cốt liệu |"
                  "gạch không nung từ phế thải xây dựng | bê tông cường độ cao | bê tông tự lèn |"
                  "bê tông cốt sợi | vữa khô trộn sẵn | kết cấu nhà lắp ghép |"
                  "tấm tường bê tông nhẹ |"
                  "vật liệu cách nhiệt | kính tiết kiệm năng lượng | sơn chống thấm gốc xi măng |"
                  "cát nghiền thay cát tự nhiên | mô hình nhà ở xã hội |"
                  "kiến trúc nhà ở nông thôn |"
                  "chỉ tiêu quy hoạch đô thị | định mức dự toán | kiến trúc xanh |"
                  "hệ thống con lăn nhỏ phục vụ kéo cáp | nhà chống lũ | bê tông đầm lăn |"
                  "xi măng ít clinker | gạch bê tông khí chưng áp | vật liệu chống cháy |"
                  "kết cấu thép tiền chế | móng cọc xi măng đất | chống thấm tầng hầm |"
                  "tái chế bê tông phá dỡ | mái xanh | tường trồng cây | nhà tiết kiệm năng lượng |"
                  "chiếu sáng tự nhiên | thông gió tự nhiên | bảo tồn kiến trúc Pháp |"
                  "cải tạo chung cư cũ | hạ tầng kỹ thuật đô thị"),
        ("cho nhà cao tầng", "cho công trình thủy lợi", "cho vùng ven biển",
         "cho khu vực miền núi phía Bắc", "trong xây dựng nông thôn mới", "cho đô thị loại II",
         "cho nhà ở xã hội", "cho công trình giao thông", "tại đồng bằng sông Cửu Long",
         "tại khu vực Tây Nguyên", "cho công trình ngầm", "cho nhà công nghiệp",
         "cho trường học", "cho bệnh viện", "cho khu đô thị mới", "tại Hà Nội",
         "tại Thành phố Hồ Chí Minh", "tại các tỉnh miền Trung", "cho vùng ngập lũ",
         "cho đô thị di sản"),
        ("trong điều kiện khí hậu nóng ẩm", "phù hợp điều kiện Việt Nam",
         "nhằm giảm giá thành xây dựng", "nhằm bảo vệ môi trường", "thích ứng biến đổi khí hậu",
         "nhằm tiết kiệm tài nguyên", "nhằm nâng cao tuổi thọ công trình",
         "phục vụ biên soạn tiêu chuẩn", "nhằm giảm phát thải các-bon",
         "nhằm thay thế vật liệu nhập khẩu"),
        _RESEARCH_SUMMARIES, _RESEARCH_EFFECTS,
    ),
    Family(
        "teaching", SOLUTION_TYPE_OPS, ("Đào tạo", "Giáo dục nghề nghiệp"), {"school": 3.0},
        ("Đổi mới phương pháp giảng dạy môn", "Xây dựng bài giảng điện tử môn",
         "Ứng dụng mô phỏng 3D trong giảng dạy môn", "Biên soạn bộ đề kiểm tra môn",
         "Chế tạo mô hình học cụ môn", "Tổ chức thực hành theo nhóm môn",
         "Ứng dụng dạy học trực tuyến môn"),
        _objs("", "Kết cấu bê tông cốt thép | Vẽ kỹ thuật | Trắc địa | Kỹ thuật thi công |"
                  "Điện công trình | Hàn điện | Cốt thép – hàn | Nề hoàn thiện | Cơ học đất |"
                  "An toàn lao động | Dự toán xây dựng | Tin học ứng dụng | Cấp thoát nước |"
                  "Vật liệu xây dựng | Máy xây dựng | Kế toán doanh nghiệp xây lắp |"
                  "Sức bền vật liệu | Cơ học kết cấu | Kiến trúc dân dụng | Quản lý dự án |"
                  "Lắp đặt điện nước | Gia công kết cấu thép | Vận hành máy xúc |"
                  "Cấu tạo kiến trúc | Thí nghiệm vật liệu | Giáo dục chính trị |"
                  "Tiếng Anh chuyên ngành |"
                  "Pháp luật xây dựng | Hệ thống cơ điện tòa nhà"),
        ("cho hệ cao đẳng", "cho hệ trung cấp", "tại Khoa Xây dựng", "tại Khoa Cơ khí – Động lực",
         "cho lớp vừa làm vừa học", "tại Trung tâm Thực hành", "cho học sinh năm thứ nhất",
         "tại Khoa Điện", "tại Khoa Kinh tế", "tại Khoa Kiến trúc", "cho lớp liên thông",
         "cho lớp đào tạo theo đơn đặt hàng của doanh nghiệp", "cho người lao động học nghề",
         "cho học sinh năm cuối"),
        ("nhằm nâng cao kỹ năng thực hành", "nâng cao chất lượng đào tạo",
         "trong điều kiện giãn cách xã hội", "đáp ứng yêu cầu doanh nghiệp",
         "theo hướng tiếp cận năng lực", "gắn với thực tế sản xuất", "nhằm giảm chi phí vật tư",
         "phát huy tính tự học của học sinh", "nhằm giảm tỷ lệ bỏ học"),
        _TEACHING_SUMMARIES, _TEACHING_EFFECTS,
    ),
)
FAMILY_BY_NAME: Final = {f.name: f for f in FAMILIES}


def _place_kinds() -> dict[str, frozenset[str]]:
    kinds: dict[str, set[str]] = {}
    for kind, places in (("construction", _BUILD_PLACES), ("cement", _CEMENT_PLACES),
                         ("materials", _MATERIAL_PLACES)):
        for p in places:
            kinds.setdefault(p, set()).add(kind)
    for kind, workplaces in WORKPLACES.items():
        for w in workplaces:
            kinds.setdefault(f"tại {w}", set()).add(kind)
    return {p: frozenset(k) for p, k in kinds.items()}


# Places that only read naturally in some kinds of unit ("tại Khoa Điện" is a school's); places
# not listed suit any unit. The demo respects it; the benchmark generator does not need to.
PLACE_KINDS: Final = _place_kinds()
UNIT_KINDS: Final = ("construction", "cement", "materials", "school", "institute", "office")

# Shares of each optional title part (a title has an action and an object at least).
NUMBER_SHARE: Final = 0.35  # of numbered objects, how many carry "số N"
PLACE_SHARE: Final = 0.45  # a place of the family ("tại Phân xưởng Lò nung")
UNIT_PLACE_SHARE: Final = 0.3  # the unit itself ("tại Công ty CP Sông Đà 10")
PURPOSE_SHARE: Final = 0.45
MAX_NUMBER: Final = 6

# Extra text people leave in the note column.
NOTES: Final = (
    "Đã nghiệm thu nội bộ", "Đề nghị xét khen thưởng", "Áp dụng tại 3 công trình",
    "Hồ sơ kèm theo", "Đã gửi Hội đồng sáng kiến", "Áp dụng thử 3 tháng",
    "Nhân rộng toàn Tổng công ty", "Bổ sung hồ sơ sau",
)


def title_space(family: Family) -> int:
    """How many distinct titles a family can produce (actions × objects × numbers × places ×
    purposes, optional parts counting their absence)."""
    n_numbered = sum(o.numbered for o in family.objects)
    n_plain = len(family.objects) - n_numbered
    objects = n_plain + n_numbered * (1 + MAX_NUMBER)
    return len(family.actions) * objects * (len(family.places) + 1) * (len(family.purposes) + 1)


def total_title_space() -> int:
    """Distinct titles over all families (the benchmark's headroom against accidental repeats)."""
    return sum(title_space(f) for f in FAMILIES)
