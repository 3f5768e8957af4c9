"""Finding a unit's table: tab, header row, alias matching, legacy headers, blank rows (issue 3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sync import catalog, legacy
from sync.backends.base import Grid, TabInfo
from sync.errors import SourceError
from sync.headers import header_key
from sync.sheet import DUPLICATE_MARK, extract, find_header

CORPUS = Path(__file__).parent / "corpus"
TEMPLATE = [f.header for f in catalog.FIELDS]


@dataclass
class Book:
    grids: dict[str, Grid]
    hidden: set[str] = field(default_factory=set)

    def tabs(self) -> list[TabInfo]:
        return [TabInfo(name, name in self.hidden) for name in self.grids]

    def read(self, tab: str) -> Grid:
        return self.grids[tab]


def _headers_corpus() -> list[tuple[str, str]]:
    lines = (CORPUS / "headers.tsv").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")][1:]
    return [(cell.replace("\\n", "\n"), expected) for cell, expected in rows]


HEADERS = _headers_corpus()


@pytest.mark.parametrize(("header", "expected"), HEADERS, ids=[repr(h) for h, _ in HEADERS])
def test_headers_corpus(header: str, expected: str) -> None:
    # The header next to two template headers of other fields, as in a real header row.
    others = [h for f, h in ((f.key, f.header) for f in catalog.FIELDS) if f != expected][:2]
    row, mapping, unknown = find_header([[*others, header]])
    assert row == 0
    if expected in ("-", "?"):
        assert len(mapping) == 2
        assert unknown == ([" ".join(header.split())] if expected == "?" else [])
    else:
        assert mapping.get(expected) == 2, (header, mapping)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_header_rows_are_recognised(encoding: str) -> None:
    row = ["STT", *(legacy.encode(h, encoding) for h in TEMPLATE), legacy.encode("Số điện thoại",
                                                                                 encoding)]
    index, mapping, unknown = find_header([["DANH SÁCH SÁNG KIẾN NĂM 2022"], [], row])
    assert index == 2
    assert mapping == {f.key: i + 1 for i, f in enumerate(catalog.FIELDS)}
    assert unknown == ["Số điện thoại"]


def test_hand_typed_tcvn3_and_vni_headers() -> None:
    tcvn3 = ["Tªn s¸ng kiÕn", "T¸c gi¶", "Lo¹i gi¶i ph¸p", "Ngµy ¸p dông", "Ghi chó"]
    vni = ["Teân saùng kieán", "Taùc giaû", "Loaïi giaûi phaùp", "Ngaøy aùp duïng", "Ghi chuù"]
    for row in (tcvn3, vni):
        _, mapping, unknown = find_header([row])
        assert mapping == {"title": 0, "authors": 1, "solution_type": 2, "applied_on": 3,
                           "note": 4}, row
        assert unknown == []


def test_title_rows_blank_rows_and_unknown_columns_once() -> None:
    grid: Grid = [
        ["CÔNG ĐOÀN XÂY DỰNG VIỆT NAM", None, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["DANH SÁCH SÁNG KIẾN ĐĂNG KÝ NĂM 2022"],
        [],
        ["STT", "Tên sáng kiến (*)", "TÁC GIẢ", "Số điện thoại", "Loại giải pháp", "Ngày áp dụng",
         "Email", "Số điện thoại", None, "Ghi chú"],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", None, "(9)"],
        [1, "Cải tiến bộ gá hàn cốt thép dầm", "Nguyễn Văn An", "0912", "KT",
         dt.date(2022, 3, 5), "a@b.vn", None, None, None],
        [None, None, None, None, None, None, None, None, None, None],
        [],
        [2, "   ", "", None, "  ", None, "x@y.vn"],  # only columns outside the template
        [3, "Lắp đặt bộ điều khiển cho gầu khoan", "Trần Thị Bình", None, "QL", "05/03/2022"],
    ]
    sheet = extract(Book({"Hướng dẫn": [["đọc kỹ"]], "Sáng kiến": grid}))
    assert sheet.tab == "Sáng kiến" and sheet.header_row == 4
    assert sheet.frame["row"].tolist() == [6, 10]
    assert sheet.frame["title"].tolist() == ["Cải tiến bộ gá hàn cốt thép dầm",
                                             "Lắp đặt bộ điều khiển cho gầu khoan"]
    assert sheet.headers == {"title": "Tên sáng kiến (*)", "authors": "TÁC GIẢ",
                             "solution_type": "Loại giải pháp", "applied_on": "Ngày áp dụng",
                             "note": "Ghi chú"}
    assert sheet.ignored_columns == ["Số điện thoại", "Email"]


def test_second_column_for_a_field_is_listed_as_a_duplicate() -> None:
    _, mapping, unknown = find_header([["Tác giả sáng kiến", "Tên sáng kiến", "Tác giả",
                                        "Ngày áp dụng", "Tên SK"]])
    assert mapping == {"authors": 2, "title": 1, "applied_on": 3}
    assert unknown == ["Tác giả sáng kiến" + DUPLICATE_MARK, "Tên SK" + DUPLICATE_MARK]


def test_tcvn3_header_row_names_columns_in_unicode() -> None:
    row = [legacy.encode(h, "tcvn3") for h in TEMPLATE]
    sheet = extract(Book({"Sheet1": [row, ["Cải tiến bộ gá hàn cốt thép", "Nguyễn Văn An", None,
                                           "KT", None, "05/03/2022"]]}))
    assert sheet.header_encoding == "tcvn3"
    assert sheet.headers["title"] == "Tên sáng kiến"
    assert sheet.headers["benefit"] == "Giá trị làm lợi (đồng/năm)"


def test_tab_choice_and_source_level_errors() -> None:
    header = [TEMPLATE[:6]]
    book = Book({"Ẩn": [*header, ["x"]], "Đợt 1": [*header, ["Cải tiến bộ gá hàn", "An"]]},
                hidden={"Ẩn"})
    assert extract(book).tab == "Đợt 1"
    assert extract(Book({"SÁNG KIẾN": [*header, ["a"]], "Khác": header})).tab == "SÁNG KIẾN"
    with pytest.raises(SourceError) as error:
        extract(Book({"Sáng kiến": [["Danh sách"], ["Tên", "Người"]]}))
    assert error.value.code == "header_not_found"
    with pytest.raises(SourceError) as error:
        extract(Book({"Sáng kiến": [["Tên sáng kiến", "Ghi chú"], ["Cải tiến", None]]}))
    assert error.value.code == "missing_column"
    with pytest.raises(SourceError) as error:
        extract(Book({"Sáng kiến": [*header, [None] * 6, []]}))
    assert error.value.code == "empty_source"
    with pytest.raises(SourceError) as error:
        extract(Book({"Sáng kiến": []}))
    assert error.value.code == "empty_source"


def test_alias_table_has_no_collisions_between_fields() -> None:
    owner: dict[str, str] = {}
    for f in catalog.FIELDS:
        for name in (f.header, *f.aliases):
            assert owner.setdefault(header_key(name), f.key) == f.key, name
