"""`sangkien doctor`: one line per check — config, registry, credentials, each source, the master,
mail settings, state — so a coordinator sees at once what to fix (SPEC §2).

Checks never change anything: sources are opened and read, the master's folder is probed for write
access with a temporary file, SMTP gets a connection and EHLO but no message.
"""

from __future__ import annotations

import json
import os
import smtplib
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sync import catalog
from sync.config import GSHEET_PREFIX, Config, load_config
from sync.errors import SangkienError, SourceError
from sync.model import Unit

OK, WARN, FAIL = "ok", "warn", "fail"
MARKS = {OK: "✓", WARN: "!", FAIL: "✗"}


@dataclass(frozen=True, slots=True)
class Check:
    status: str
    name: str
    message: str

    def line(self) -> str:
        return f"{MARKS[self.status]} {self.name}: {self.message}"


def run_doctor(config_path: Path | None) -> list[Check]:
    checks: list[Check] = []
    try:
        config = load_config(config_path)
    except SangkienError as exc:
        return [Check(FAIL, "Cấu hình", str(exc))]
    checks.append(Check(OK, "Cấu hình", str(config.path)))
    checks.extend(_state_checks(config))
    try:
        from sync.pipeline import load_units

        units = load_units(config)
    except SangkienError as exc:
        checks.append(Check(FAIL, "Danh sách đơn vị", str(exc)))
        return checks
    with_source = [u for u in units if u.source]
    checks.append(Check(OK, "Danh sách đơn vị",
                        f"{len(units)} đơn vị, {len(with_source)} có nguồn dữ liệu ({config.registry})"))
    uses_google = (config.master.startswith(GSHEET_PREFIX)
                   or config.registry.startswith(GSHEET_PREFIX)
                   or any(u.source and u.source.startswith(GSHEET_PREFIX) for u in units)
                   or config.email.transport == "gmail")
    if uses_google or config.google.credentials:
        checks.extend(credential_checks(config))
    checks.extend(_source_checks(config, with_source))
    checks.extend(_master_checks(config))
    checks.extend(_mail_checks(config))
    return checks


def _state_checks(config: Config) -> Iterator[Check]:
    path = config.state_path
    folder = path.parent
    if path.exists():
        try:
            from sync.pipeline import people_time
            from sync.state import State

            with State(path) as state:
                runs = state.runs(limit=1)
            detail = "chưa có lần chạy nào"
            if len(runs):
                last = runs.iloc[-1]
                status = catalog.RUN_STATUS_LABELS.get(last["status"] or "", "dở dang").lower()
                detail = f"lần chạy gần nhất {people_time(last['started_at'])} ({status})"
            yield Check(OK, "Tệp trạng thái", f"{path} — {detail}")
        except SangkienError as exc:
            yield Check(FAIL, "Tệp trạng thái", str(exc))
    elif _writable_dir(folder):
        yield Check(OK, "Tệp trạng thái", f"{path} sẽ được tạo ở lần chạy đầu")
    else:
        yield Check(FAIL, "Tệp trạng thái", f"không ghi được vào thư mục {folder}")


def credential_checks(config: Config) -> Iterator[Check]:
    """The credentials file: present, private, parseable; prints who to share sheets with."""
    path = config.google.credentials
    if path is None:
        yield Check(FAIL, "Khoá Google",
                    "chưa cấu hình [google] credentials hoặc GOOGLE_APPLICATION_CREDENTIALS")
        return
    if not path.is_file():
        yield Check(FAIL, "Khoá Google", f"không tìm thấy tệp {path}")
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & (stat.S_IRWXO | stat.S_IWGRP | stat.S_IXGRP):
        yield Check(FAIL, "Quyền tệp khoá",
                    f"{path} có quyền {oct(mode)}: người khác đọc được; chạy «chmod 600 {path}»")
    elif os.name == "posix" and mode & stat.S_IRGRP:
        yield Check(WARN, "Quyền tệp khoá",
                    f"{path} có quyền {oct(mode)}; nên để 600 (chỉ chủ tệp đọc được)")
    else:
        yield Check(OK, "Quyền tệp khoá", oct(mode))
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        yield Check(FAIL, "Khoá Google", f"{path} không phải tệp JSON khoá hợp lệ")
        return
    kind = info.get("type")
    if kind == "service_account" and info.get("client_email") and info.get("private_key"):
        yield Check(OK, "Khoá Google",
                    f"tài khoản dịch vụ — chia sẻ bảng tính cho: {info['client_email']}")
    elif kind == "authorized_user" and info.get("refresh_token"):
        yield Check(OK, "Khoá Google", "tài khoản người dùng (OAuth)")
    else:
        yield Check(FAIL, "Khoá Google",
                    f"{path} không phải khoá tài khoản dịch vụ hay tài khoản người dùng")


def _source_checks(config: Config, units: list[Unit]) -> Iterator[Check]:
    from sync.sheet import extract
    from sync.sources import open_payload

    local = [u for u in units if u.source and not u.source.startswith(GSHEET_PREFIX)]
    google = [u for u in units if u.source and u.source.startswith(GSHEET_PREFIX)]
    for unit in local:
        from sync.backends.xlsx import read_file_payload

        try:
            sheet = extract(open_payload(read_file_payload(Path(unit.source or ""))))
            yield Check(OK, f"Nguồn {unit.code}", f"{len(sheet.frame)} dòng trong tab «{sheet.tab}»")
        except SourceError as exc:
            yield Check(FAIL, f"Nguồn {unit.code}", exc.detail)
    if google:
        try:
            from sync.backends.gsheets import doctor_sources

            yield from doctor_sources(config, google)
        except SangkienError as exc:
            yield Check(FAIL, "Nguồn Google Sheets", str(exc))


def _master_checks(config: Config) -> Iterator[Check]:
    if config.master.startswith(GSHEET_PREFIX):
        try:
            from sync.backends.gsheets import doctor_master

            yield from doctor_master(config)
        except SangkienError as exc:
            yield Check(FAIL, "Bảng tổng hợp", str(exc))
        return
    path = Path(config.master)
    if _writable_dir(path.parent):
        yield Check(OK, "Bảng tổng hợp", f"ghi được vào {path}")
    else:
        yield Check(FAIL, "Bảng tổng hợp", f"không ghi được vào thư mục {path.parent}")


def _mail_checks(config: Config) -> Iterator[Check]:
    email = config.email
    leaders = config.digests.leaders
    if not leaders:
        yield Check(WARN, "Người nhận", "chưa có địa chỉ lãnh đạo ([digests] leaders)")
    if email.transport == "outbox":
        ok = _writable_dir(email.outbox)
        yield Check(OK if ok else FAIL, "Thư điện tử",
                    f"ghi thư ra thư mục {email.outbox}" if ok
                    else f"không ghi được vào thư mục {email.outbox}")
    elif email.transport == "smtp":
        smtp = email.smtp
        if smtp.username and not (smtp.password_env and os.environ.get(smtp.password_env)):
            yield Check(FAIL, "Thư điện tử",
                        f"có username nhưng biến môi trường {smtp.password_env or '(password_env)'} "
                        "chưa có mật khẩu")
        try:
            client_class = smtplib.SMTP_SSL if smtp.security == "ssl" else smtplib.SMTP
            with client_class(smtp.host, smtp.port, timeout=10) as client:
                client.ehlo()
                if smtp.security == "starttls":
                    client.starttls()
                    client.ehlo()
            yield Check(OK, "Thư điện tử", f"kết nối được SMTP {smtp.host}:{smtp.port} "
                        f"({smtp.security})")
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            yield Check(FAIL, "Thư điện tử",
                        f"không kết nối được SMTP {smtp.host}:{smtp.port} ({type(exc).__name__})")
    elif email.transport == "gmail":
        if not email.gmail_user:
            yield Check(FAIL, "Thư điện tử", "transport gmail cần khoá [email] gmail_user "
                        "(địa chỉ gửi thay, theo ủy quyền toàn miền)")
        else:
            yield Check(OK, "Thư điện tử", f"gửi qua Gmail API thay cho {email.gmail_user}")


def _writable_dir(folder: Path) -> bool:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        with tempfile.NamedTemporaryFile(dir=probe, prefix=".sangkien-doctor-"):
            return True
    except OSError:
        return False
