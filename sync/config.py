"""Configuration (SPEC §3): TOML with defaults, paths resolved against the config file's folder.

Every mistake is a `ConfigError` (exit 2) whose Vietnamese message names the file and the key, so a
coordinator can fix it without reading code. Secrets never live here: credentials come from a file
path, passwords from the name of an environment variable.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from sync import catalog
from sync.addresses import is_email
from sync.errors import ConfigError

DEFAULT_CONFIG = Path("config/sync.toml")
PERIODS = ("week", "month", "quarter", "year")
TRANSPORTS = ("outbox", "smtp", "gmail")
SMTP_SECURITY = ("starttls", "ssl", "none")
GSHEET_PREFIX = "gsheet:"


@dataclass(frozen=True, slots=True)
class ProgramConfig:
    name: str
    target_rate: Fraction  # exact, so ⌈rate × members⌉ never suffers from 0.1 in binary
    start: dt.date
    deadline: dt.date
    counted_statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoogleConfig:
    credentials: Path | None
    requests_per_minute: int
    timeout_s: float
    max_attempts: int


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    username: str | None
    password_env: str | None
    timeout_s: float = 30.0


@dataclass(frozen=True, slots=True)
class EmailConfig:
    transport: str
    outbox: Path
    sender: str
    smtp: SmtpConfig
    gmail_user: str | None


@dataclass(frozen=True, slots=True)
class DigestsConfig:
    period: str
    periods: tuple[str, ...]  # every kind sent, most frequent first (`period` alone by default)
    leaders: tuple[str, ...]
    unit_feedback: bool
    write_back: bool
    master_url: str


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    base_dir: Path
    program: ProgramConfig
    registry: str  # locator: a resolved file path, or gsheet:<id>#<tab>
    master: str  # locator: a resolved .xlsx path, or gsheet:<id>
    google: GoogleConfig
    email: EmailConfig
    digests: DigestsConfig
    state_path: Path
    source_roots: tuple[Path, ...] = ()
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    warnings: tuple[str, ...] = ()  # keys nobody reads (typos?), for the CLI to show

    @property
    def log_path(self) -> Path:
        """JSON-lines run log, beside the state file."""
        return self.state_path.with_suffix(".log.jsonl")


class _Section:
    """Typed access to one TOML table that names the file and key in every error."""

    def __init__(self, file: Path, name: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: [{name}] phải là một bảng (table) TOML.")
        self.file, self.name, self.data = file, name, data

    def _where(self, key: str) -> str:
        return f"{self.file}: khoá [{self.name}] {key}"

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = self.data.get(key, default)
        if value is default:
            return value
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise ConfigError(f"{self._where(key)} phải là số, không phải true/false.")
        if not isinstance(value, kind):
            expected = {str: "chuỗi", bool: "true hoặc false", int: "số nguyên",
                        list: "danh sách"}.get(kind if isinstance(kind, type) else float, "số")
            raise ConfigError(f"{self._where(key)} phải là {expected} (đang là {value!r}).")
        return value

    def text(self, key: str, default: str | None) -> str | None:
        value = self.get(key, str, default)
        return value.strip() if isinstance(value, str) else value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in choices:
            raise ConfigError(
                f"{self._where(key)} = {value!r} không hợp lệ; chọn một trong: {', '.join(choices)}."
            )
        return value

    def date(self, key: str, default: dt.date) -> dt.date:
        value = self.data.get(key, default)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ConfigError(f"{self._where(key)} phải là ngày dạng 2023-09-01 (đang là {value!r}).")

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.data.get(key, default)
        if isinstance(value, str):
            value = [v for v in value.replace(",", ";").split(";")]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self._where(key)} phải là danh sách chuỗi (đang là {value!r}).")
        return tuple(v.strip() for v in value if v.strip())

    def positive_int(self, key: str, default: int) -> int:
        value = self.get(key, int, default)
        if value <= 0:
            raise ConfigError(f"{self._where(key)} phải là số nguyên dương (đang là {value}).")
        return value

    def sub(self, key: str) -> _Section:
        return _Section(self.file, f"{self.name}.{key}", self.data.get(key, {}))


def resolve_locator(value: str, base_dir: Path) -> str:
    """A file path is made absolute against `base_dir`; a `gsheet:` locator is kept as is."""
    value = value.strip()
    if value.startswith(GSHEET_PREFIX):
        return value
    path = Path(os.path.expanduser(value))
    return str(path if path.is_absolute() else (base_dir / path).resolve())


def _path(value: str, base_dir: Path) -> Path:
    path = Path(os.path.expanduser(value))
    return path if path.is_absolute() else (base_dir / path).resolve()


def load_config(path: Path | str | None = None) -> Config:
    """Read and check the config file; relative paths are resolved against its folder."""
    file = Path(path) if path is not None else DEFAULT_CONFIG
    file = file if file.is_absolute() else (Path.cwd() / file)
    if not file.is_file():
        raise ConfigError(
            f"Không tìm thấy tệp cấu hình {file}. Dùng --config để chỉ đường dẫn, "
            f"hoặc chạy từ thư mục dự án (mặc định là {DEFAULT_CONFIG})."
        )
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: tệp cấu hình phải lưu bằng UTF-8 ({exc.reason}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_toml_error(file, exc)) from None
    return parse_config(raw, file)


# Every key the product reads, per table: anything else is reported (a typo would otherwise fall
# back to a default in silence).
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("program", "registry", "master", "google", "email", "digests", "state"),
    "program": ("name", "target_rate", "start", "deadline", "counted_statuses"),
    "registry": ("path", "allowed_roots"),
    "master": ("target",),
    "google": ("credentials", "requests_per_minute", "timeout_s", "max_attempts"),
    "email": ("transport", "outbox", "from", "smtp", "gmail_user"),
    "email.smtp": ("host", "port", "security", "username", "password_env", "timeout_s"),
    "digests": ("period", "periods", "leaders", "unit_feedback", "write_back", "master_url"),
    "state": ("path",),
}


def unknown_keys(raw: dict[str, Any], file: Path) -> list[str]:
    """One Vietnamese warning per key the product does not read, with the likely meant key."""
    import difflib

    warnings = []

    def visit(table: dict[str, Any], prefix: str) -> None:
        known = KNOWN_KEYS.get(prefix)
        if known is None:
            return
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if key not in known:
                guess = difflib.get_close_matches(key, known, n=1)
                hint = f" — có phải «{guess[0]}»?" if guess else ""
                where = f"[{prefix}] {key}" if prefix else f"[{key}]"
                warnings.append(f"{file}: khoá lạ {where}, không được dùng{hint}")
            elif isinstance(value, dict):
                visit(value, name)

    visit(raw, "")
    return warnings


def _toml_error(file: Path, exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error for people: the line and what is on it, in Vietnamese."""
    found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
    if not found:
        return f"{file}: sai cú pháp TOML ({exc})."
    line, column = int(found.group(1)), int(found.group(2))
    try:
        text = file.read_text(encoding="utf-8-sig").splitlines()[line - 1].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        text = ""
    shown = f": «{text}»" if text else ""
    return (f"{file}: sai cú pháp TOML ở dòng {line}, cột {column}{shown}. Kiểm tra dấu ngoặc "
            f"[ ], dấu ngoặc kép quanh chuỗi và mỗi khoá một dòng (chi tiết: {exc}).")


def parse_config(raw: dict[str, Any], file: Path) -> Config:
    base = file.parent.resolve()
    known = {"program", "registry", "master", "google", "email", "digests", "state"}
    for key, value in raw.items():
        if key in known and not isinstance(value, dict):
            raise ConfigError(f"{file}: [{key}] phải là một bảng (table) TOML.")

    program = _Section(file, "program", raw.get("program", {}))
    target_rate = program.get("target_rate", (int, float), 0.10)
    if not 0 < target_rate <= 1:
        raise ConfigError(
            f"{file}: khoá [program] target_rate phải lớn hơn 0 và không quá 1 "
            f"(đang là {target_rate}); 10 % viết là 0.10."
        )
    start = program.date("start", dt.date(2021, 9, 1))
    deadline = program.date("deadline", dt.date(2023, 9, 1))
    if deadline <= start:
        raise ConfigError(f"{file}: [program] deadline ({deadline}) phải sau start ({start}).")
    counted = program.strings("counted_statuses", catalog.DEFAULT_COUNTED_STATUSES)
    for status in counted:
        if status not in catalog.STATUSES:
            raise ConfigError(
                f"{file}: khoá [program] counted_statuses có trạng thái lạ {status!r}; "
                f"chọn trong: {', '.join(catalog.STATUSES)}."
            )

    registry = _Section(file, "registry", raw.get("registry", {}))
    registry_path = registry.text("path", None)
    if not registry_path:
        raise ConfigError(
            f"{file}: thiếu khoá [registry] path — đường dẫn tới danh sách đơn vị (.csv, .xlsx) "
            "hoặc gsheet:<id>#<tab>."
        )

    # Local unit files must live in the project folder (the folder holding the config folder) or
    # in a folder the coordinator lists explicitly: a registry row cannot make us read /etc/….
    extra_roots = registry.strings("allowed_roots", ())
    source_roots = (base.parent, *(_path(r, base) for r in extra_roots))

    master = _Section(file, "master", raw.get("master", {}))
    master_target = master.text("target", "../out/master.xlsx") or "../out/master.xlsx"
    if not master_target.startswith(GSHEET_PREFIX) and not master_target.lower().endswith(".xlsx"):
        raise ConfigError(
            f"{file}: khoá [master] target = {master_target!r} phải là tệp .xlsx hoặc gsheet:<id>."
        )

    google = _Section(file, "google", raw.get("google", {}))
    credentials = google.text("credentials", None) or os.environ.get(
        "GOOGLE_APPLICATION_CREDENTIALS"
    )
    timeout = google.get("timeout_s", (int, float), 60)
    if timeout <= 0:
        raise ConfigError(f"{file}: khoá [google] timeout_s phải lớn hơn 0.")

    email = _Section(file, "email", raw.get("email", {}))
    smtp = email.sub("smtp")
    smtp_port_default = {"starttls": 587, "ssl": 465, "none": 25}
    security = smtp.choice("security", SMTP_SECURITY, "starttls")

    digests = _Section(file, "digests", raw.get("digests", {}))
    leaders = digests.strings("leaders", ())
    for address in leaders:
        if not is_email(address):
            raise ConfigError(f"{file}: khoá [digests] leaders có địa chỉ không hợp lệ "
                              f"{address!r}; viết dạng [\"lanhdao@example.org\", …].")
    period = digests.choice("period", PERIODS, "month")
    periods = digests.strings("periods", (period,))
    for kind in periods:
        if kind not in PERIODS:
            raise ConfigError(f"{file}: khoá [digests] periods có kỳ lạ {kind!r}; chọn trong: "
                              f"{', '.join(PERIODS)}.")
    if not periods:
        raise ConfigError(f"{file}: khoá [digests] periods phải là danh sách, ví dụ "
                          '["month", "quarter", "year"].')
    if security == "none" and smtp.text("username", None) and \
            (smtp.text("host", "localhost") or "localhost") not in ("localhost", "127.0.0.1", "::1"):
        raise ConfigError(
            f"{file}: [email.smtp] security = \"none\" cùng username sẽ gửi mật khẩu không mã "
            "hoá qua mạng; dùng security = \"starttls\" hoặc \"ssl\".")
    smtp_timeout = smtp.get("timeout_s", (int, float), 30)
    if smtp_timeout <= 0:
        raise ConfigError(f"{file}: khoá [email.smtp] timeout_s phải là số giây lớn hơn 0.")
    state = _Section(file, "state", raw.get("state", {}))

    return Config(
        path=file,
        base_dir=base,
        program=ProgramConfig(
            name=program.text("name", None) or "01 triệu sáng kiến",
            target_rate=Fraction(str(target_rate)),
            start=start,
            deadline=deadline,
            counted_statuses=counted,
        ),
        registry=resolve_locator(registry_path, base),
        master=resolve_locator(master_target, base),
        google=GoogleConfig(
            credentials=_path(credentials, base) if credentials else None,
            requests_per_minute=google.positive_int("requests_per_minute", 60),
            timeout_s=float(timeout),
            max_attempts=google.positive_int("max_attempts", 6),
        ),
        email=EmailConfig(
            transport=email.choice("transport", TRANSPORTS, "outbox"),
            outbox=_path(email.text("outbox", "../out/outbox") or "../out/outbox", base),
            sender=email.text("from", None) or "sangkien-sync@localhost",
            smtp=SmtpConfig(
                host=smtp.text("host", "localhost") or "localhost",
                port=smtp.positive_int("port", smtp_port_default[security]),
                security=security,
                username=smtp.text("username", None),
                password_env=smtp.text("password_env", None),
                timeout_s=float(smtp_timeout),
            ),
            gmail_user=email.text("gmail_user", None),
        ),
        digests=DigestsConfig(
            period=period,
            periods=tuple(k for k in PERIODS if k in periods),
            leaders=leaders,
            unit_feedback=digests.get("unit_feedback", bool, True),
            write_back=digests.get("write_back", bool, False),
            master_url=digests.text("master_url", "") or "",
        ),
        state_path=_path(state.text("path", "../out/state.sqlite") or "../out/state.sqlite", base),
        source_roots=source_roots,
        raw=raw,
        warnings=tuple(unknown_keys(raw, file)),
    )
