"""`.csv` files: a registry or a unit sheet saved as CSV. One tab, named after the file.

Encodings seen in the field: UTF-8 (with or without BOM) and Windows-1258/1252 from old Excel
installs; the delimiter is `,` or `;` (Excel with Vietnamese regional settings) or a tab.
"""

from __future__ import annotations

import csv
import io

from sync.backends.base import Grid, TabInfo
from sync.errors import SourceError


def decode_csv_bytes(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def parse_csv_text(text: str) -> Grid:
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # The reader makes a new list per row already.
    return list(csv.reader(io.StringIO(text, newline=""), dialect))


class CsvWorkbook:
    def __init__(self, data: bytes, name: str = "") -> None:
        self.name = name
        if b"\x00" in data[:4096]:
            raise SourceError("source_unreachable", f"tệp {name} không phải tệp CSV (có dữ liệu nhị phân)")
        try:
            self._grid = parse_csv_text(decode_csv_bytes(data))
        except csv.Error as exc:
            raise SourceError("source_unreachable", f"tệp CSV {name} sai định dạng ({exc})") from None
        self._tab = name.rsplit(".", 1)[0] or "CSV"

    def tabs(self) -> list[TabInfo]:
        return [TabInfo(self._tab)]

    def read(self, tab: str) -> Grid:
        return self._grid
