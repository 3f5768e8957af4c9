"""Where digests go: one `Transport` interface, three implementations (SPEC §3 `[email]`).

- `OutboxTransport` (the embedded default): `<outbox>/<period>/<kind>-<recipient>.eml` plus an
  `.html` preview with the chart embedded, to open in a browser. Nothing leaves the machine.
- `SmtpTransport`: `smtplib` with `starttls`, `ssl` or `none`, a timeout, and a login only when
  both `username` and the password's environment variable are set. The password is read from the
  environment at connect time and never printed, logged or stored.
- `GmailTransport`: Gmail API `users.messages.send` as the delegated Workspace user
  (`[email] gmail_user`) of the service account, through the project's Google session (routing to
  `SANGKIEN_GOOGLE_EMULATOR`, timeouts, bounded retries).

A transport is a context manager (`with transport: transport.send(item)`) so SMTP sends a whole
batch over one connection. `send` returns the provider's message id, or raises `SendFailure`:
`permanent=True` when retrying cannot help (address refused, message rejected), else the next
run retries it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import smtplib
import socket
import ssl
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any, Protocol

from sync.config import Config
from sync.errors import ConfigError
from sync.report.message import Outgoing

_FILE_SAFE = re.compile(r"[^A-Za-z0-9@._+-]")


class SendFailure(Exception):
    """A message that was not sent; `detail` is Vietnamese for the coordinator (no secrets)."""

    def __init__(self, detail: str, permanent: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


class Transport(Protocol):
    name: str

    def __enter__(self) -> Transport: ...

    def __exit__(self, *exc: object) -> None: ...

    def send(self, item: Outgoing) -> str: ...


def file_stem(item_kind: str, recipient: str) -> str:
    """`leaders-lanhdao@example.org`, `unit-A1-contact@x.vn`: safe on every file system whatever
    the unit typed (only ASCII letters, digits and `@._+-`)."""
    stem = _FILE_SAFE.sub("_", f"{item_kind.replace(':', '-')}-{recipient}")
    # Two kinds may look alike once made safe (`unit:CĐ-HN` and `unit:CĂ-HN`, or `a1` and `A1`
    # on a case-blind file system): a short hash of the exact pair keeps their files apart.
    tag = hashlib.sha1(f"{item_kind}\0{recipient}".encode()).hexdigest()[:6]
    return f"{stem.strip('._')[:140] or 'message'}-{tag}"


def html_preview(raw: bytes) -> tuple[str, str]:
    """(HTML with its `cid:` images inlined as data URIs, plain text) of a message — what a person
    opens in a browser to see the digest as it will look."""
    msg = message_from_bytes(raw, policy=default_policy)
    assert isinstance(msg, EmailMessage)
    html_part = msg.get_body(preferencelist=("html",))
    text_part = msg.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part is not None else ""
    text = text_part.get_content() if text_part is not None else ""
    for part in msg.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            payload = part.get_payload(decode=True)
            data = base64.b64encode(payload if isinstance(payload, bytes) else b"").decode("ascii")
            uri = f"data:{part.get_content_type()};base64,{data}"
            html = html.replace(f"cid:{cid.strip('<>')}", uri)
    return html, text


def write_files(folder: Path, item: Outgoing, text: bool = False) -> Path:
    """`.eml` + `.html` (+ `.txt`) of one message in `folder`; returns the `.eml` path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(item.kind, item.recipient)
    eml = folder / f"{stem}.eml"
    html, plain = html_preview(item.raw)
    _atomic_write(eml, item.raw)
    _atomic_write(folder / f"{stem}.html", html.encode("utf-8"))
    if text:
        _atomic_write(folder / f"{stem}.txt", plain.encode("utf-8"))
    return eml


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class OutboxTransport:
    """Files in a folder instead of mail: the embedded default, and a safe place to look first."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> OutboxTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, item: Outgoing) -> str:
        slug = item.period_key.replace(":", "-")
        try:
            eml = write_files(self.folder / slug, item)
        except OSError as exc:
            raise SendFailure(f"không ghi được thư vào {self.folder}: {exc.strerror}") from None
        return str(eml)


class SmtpTransport:
    """One SMTP connection per batch; reconnects once if the server drops it mid-batch."""

    name = "smtp"

    def __init__(self, host: str, port: int, security: str, username: str | None,
                 password_env: str | None, timeout: float = 30.0) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password_env, self.timeout = username, password_env, timeout
        self._smtp: smtplib.SMTP | None = None
        self._connect_error: SendFailure | None = None

    def __repr__(self) -> str:  # never the password
        return (f"SmtpTransport(host={self.host!r}, port={self.port}, "
                f"security={self.security!r}, username={self.username!r})")

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        if self._connect_error is not None:  # the server is down: fail the batch fast
            raise self._connect_error
        try:
            context = ssl.create_default_context()
            if self.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                      context=context)
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    smtp.starttls(context=context)
            password = os.environ.get(self.password_env) if self.password_env else None
            if self.username and password:
                _login(smtp, self.username, password)
        except smtplib.SMTPAuthenticationError as exc:
            self._connect_error = SendFailure(
                f"máy chủ thư {self._where()} từ chối đăng nhập tài khoản {self.username} "
                f"(mã {exc.smtp_code}); kiểm tra biến môi trường {self.password_env}")
            raise self._connect_error from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            self._connect_error = SendFailure(
                f"không kết nối được máy chủ thư {self._where()} ({_reason(exc)})")
            raise self._connect_error from None
        self._smtp = smtp
        return smtp

    def send(self, item: Outgoing) -> str:
        for attempt in range(2):
            smtp = self._connect()
            try:
                smtp.sendmail(item.sender, [item.recipient], item.raw)
                return item.message_id
            except smtplib.SMTPRecipientsRefused as exc:
                code, _ = next(iter(exc.recipients.values()))
                raise SendFailure(f"máy chủ thư từ chối người nhận {item.recipient} (mã {code})",
                                  permanent=code >= 500) from None
            except smtplib.SMTPResponseException as exc:
                raise SendFailure(f"máy chủ thư từ chối thư (mã {exc.smtp_code})",
                                  permanent=exc.smtp_code >= 500) from None
            except UnicodeError:  # an address smtplib cannot write: this one fails for good
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    smtp.rset()  # leave the connection ready for the next message
                raise SendFailure(f"địa chỉ {item.recipient!r} không gửi được qua SMTP",
                                  permanent=True) from None
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._smtp = None  # dropped mid-batch: reconnect once, then give up
                if attempt:
                    raise SendFailure(f"mất kết nối máy chủ thư {self._where()} "
                                      f"({_reason(exc)})") from None
        raise AssertionError("unreachable")


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """`smtplib.login`, except that a non-ASCII user or password (which smtplib cannot encode)
    goes as AUTH PLAIN in UTF-8, as RFC 4616 defines it."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth") or "PLAIN" not in smtp.esmtp_features.get("auth", "").upper():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "máy chủ không nhận kết nối"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "hết thời gian chờ"
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS: {exc.reason or exc}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "máy chủ không hỗ trợ STARTTLS"
    return type(exc).__name__


class GmailTransport:
    """Gmail API as a Workspace user, through the service account's domain-wide delegation."""

    name = "gmail"

    def __init__(self, config: Config) -> None:
        if not config.email.gmail_user:
            raise ConfigError(
                f"{config.path}: [email] transport = \"gmail\" cần khoá [email] gmail_user — "
                "địa chỉ Workspace mà tài khoản dịch vụ gửi thay (ủy quyền toàn miền)."
            )
        self.config = config
        self.user = config.email.gmail_user
        self._api: Any = None  # sync.backends.google_http.GoogleApi, built on first send

    def __enter__(self) -> GmailTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._api is not None:
            self._api.session.close()
            self._api = None

    def _client(self) -> Any:
        from sync.backends.google_http import (
            GMAIL_SCOPES,
            GoogleApi,
            GoogleApiError,
            build_session,
            load_credentials,
        )

        if self._api is None:
            google = self.config.google
            try:
                credentials = load_credentials(google.credentials, scopes=GMAIL_SCOPES,
                                               subject=self.user)
                session = build_session(credentials,
                                        requests_per_minute=google.requests_per_minute,
                                        timeout=(10.0, google.timeout_s),
                                        max_attempts=google.max_attempts)
            except GoogleApiError as exc:
                raise SendFailure(f"Gmail: {exc.detail}") from None
            self._api = GoogleApi(session)
        return self._api

    def send(self, item: Outgoing) -> str:
        from sync.backends.google_http import GoogleApiError

        api = self._client()
        try:
            reply = api.send_mail(item.raw, user_id="me")
        except GoogleApiError as exc:
            permanent = exc.status is not None and 400 <= exc.status < 500 and exc.status not in (
                401, 408, 429)
            raise SendFailure(f"Gmail: {exc.detail}", permanent=permanent) from None
        except Exception as exc:  # google-auth/requests failures outside the session's retries
            raise SendFailure(f"Gmail: lỗi khi gửi ({type(exc).__name__})") from None
        return str(reply.get("id", item.message_id))


def make_transport(config: Config) -> Transport:
    email = config.email
    if email.transport == "smtp":
        smtp = email.smtp
        return SmtpTransport(smtp.host, smtp.port, smtp.security, smtp.username,
                             smtp.password_env, timeout=smtp.timeout_s)
    if email.transport == "gmail":
        return GmailTransport(config)
    return OutboxTransport(email.outbox)
