"""Click's own words (usage, help, errors) in Vietnamese.

Click looks its messages up through `gettext`; this installs a translation table for them in the
click modules that do, so `sangkien --help` and a mistyped option read in the same language as
everything else (SPEC §1). Option and command names stay as SPEC fixes them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

MESSAGES: dict[str, str] = {
    "Usage:": "Cách dùng:",
    "Options": "Tuỳ chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "No such option {name!r}.": "Không có tuỳ chọn {name!r}.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Missing command.": "Thiếu tên lệnh.",
    "Missing option": "Thiếu tuỳ chọn",
    "Missing argument": "Thiếu đối số",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "{value!r} is not {choice}.": "{value!r} không phải {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không thuộc {choices}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "Did you mean {possibility}?": "Có phải {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải một trong: {possibilities}?)",
    "Option {name!r} requires an argument.": "Tuỳ chọn {name!r} cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tuỳ chọn {name!r} cần {nargs} giá trị.",
    "Got unexpected extra argument ({args})": "Thừa đối số ({args})",
    "Got unexpected extra arguments ({args})": "Thừa các đối số ({args})",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "Aborted!": "Đã dừng.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là thư mục.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là tệp.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
}


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def install() -> None:
    """Point the click modules' `_` and `ngettext` at the table above (idempotent)."""
    names = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")
    for name in names:
        module = importlib.import_module(f"click.{name}")
        replacements: dict[str, Callable[..., str]] = {"_": _gettext, "ngettext": _ngettext}
        for attribute, function in replacements.items():
            if hasattr(module, attribute):
                setattr(module, attribute, function)
