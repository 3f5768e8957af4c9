"""How the product talks to Google: one HTTP session with routing, a timeout on every request, a
client-side rate limit, bounded retries, request counting and errors people can act on.

- `GoogleRoutingAdapter` lets requests reach Google's hosts only; with `SANGKIEN_GOOGLE_EMULATOR`
  set it sends them (same paths) to the emulator instead, and refuses every other host. It is
  mounted on the API session *and* on the session google-auth refreshes tokens with, so token,
  IAM and API traffic all go the same way.
- `GoogleSession` is google-auth's `AuthorizedSession` plus a sliding-window `RateLimiter` and a
  `RetryPolicy` (429, 500/502/503/504, timeouts, dropped connections; `min(2**n + random, cap)`
  backoff; `Retry-After` honoured; at most N attempts) — never gspread's endless backoff.
- `gspread_client()` gives an unmodified `gspread.Client` over that session.
- `GoogleApi` holds the read paths the sync needs in as few requests as possible.
- `GoogleApiError` carries `status`, `reason` and a short Vietnamese `detail`.

Nothing here logs or prints keys or tokens; `repr()` of every object is free of them.
"""

from __future__ import annotations

import collections
import email.utils
import json
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import AuthorizedSession, Request
from requests.adapters import HTTPAdapter

from sync.errors import SangkienError

EMULATOR_ENV = "SANGKIEN_GOOGLE_EMULATOR"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"

# Every host the product's Google traffic may use (Sheets, Drive, OAuth token, IAM, Gmail).
GOOGLE_HOSTS = frozenset(
    {
        "sheets.googleapis.com",
        "www.googleapis.com",
        "drive.googleapis.com",
        "oauth2.googleapis.com",
        "accounts.google.com",
        "iamcredentials.googleapis.com",
        "gmail.googleapis.com",
    }
)

_AUTH = "https://www.googleapis.com/auth/"
SCOPE_SHEETS_READONLY = _AUTH + "spreadsheets.readonly"
SCOPE_SHEETS = _AUTH + "spreadsheets"
SCOPE_DRIVE_METADATA_READONLY = _AUTH + "drive.metadata.readonly"
SCOPE_DRIVE = _AUTH + "drive"
SCOPE_GMAIL_SEND = _AUTH + "gmail.send"
# Least privilege: reading units needs only these two.
READONLY_SCOPES: tuple[str, ...] = (SCOPE_SHEETS_READONLY, SCOPE_DRIVE_METADATA_READONLY)
# Writing the master (values, tabs, formats) — Drive stays read-only.
READWRITE_SCOPES: tuple[str, ...] = (SCOPE_SHEETS, SCOPE_DRIVE_METADATA_READONLY)
# Sharing unit sheets (`provision --share`) needs Drive permissions.create.
SHARE_SCOPES: tuple[str, ...] = (SCOPE_SHEETS, SCOPE_DRIVE)
GMAIL_SCOPES: tuple[str, ...] = (SCOPE_GMAIL_SEND,)

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
GMAIL_URL = "https://gmail.googleapis.com/gmail/v1/users"

DEFAULT_TIMEOUT: tuple[float, float] = (10.0, 60.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


# --- errors ----------------------------------------------------------------------------------


class GoogleApiError(SangkienError):
    """A Google call that failed for good. `reason` is a stable code the product maps to a
    finding (`not_found`, `permission_denied`, `not_a_google_sheet`, `quota_exhausted`,
    `unavailable`, `timeout`, `unauthenticated`, `insufficient_scope`, `auth_failed`,
    `no_credentials`, `invalid_request`); `detail` is Vietnamese text for people."""

    def __init__(self, status: int | None, reason: str, detail: str, message: str = "") -> None:
        super().__init__(detail)
        self.status = status
        self.reason = reason
        self.detail = detail
        self.message = message  # Google's own (English) message, for logs

    def __repr__(self) -> str:
        return f"GoogleApiError(status={self.status!r}, reason={self.reason!r}, detail={self.detail!r})"


class HostNotAllowed(RuntimeError):
    """A request to a host that is not Google's (or, with the emulator, not the emulator)."""


def _google_message(resp: requests.Response) -> tuple[str, str]:
    try:
        err = resp.json().get("error", {})
    except ValueError:
        return "", ""
    if not isinstance(err, dict):
        return str(err), ""
    return str(err.get("message", "")), str(err.get("status", ""))


def error_from_response(
    resp: requests.Response,
    resource: str | None = None,
    service_account: str | None = None,
    attempts: int | None = None,
) -> GoogleApiError:
    """Turn a final (non-retried) error response into a GoogleApiError."""
    status = resp.status_code
    message, grpc_status = _google_message(resp)
    what = f" {resource}" if resource else ""
    who = service_account or "tài khoản dịch vụ"
    tries = f" sau {attempts} lần thử" if attempts else ""
    if status == 404:
        return GoogleApiError(status, "not_found", f"không tìm thấy bảng tính{what}", message)
    if status == 403 and "insufficient authentication scopes" in message:
        return GoogleApiError(
            status,
            "insufficient_scope",
            "quyền truy cập Google (scope) không đủ cho thao tác này",
            message,
        )
    if status == 403 and ("rate" in message.lower() and "limit" in message.lower()):
        return GoogleApiError(status, "quota_exhausted", f"vượt hạn mức gọi Google API{tries}", message)
    if status == 403:
        return GoogleApiError(
            status,
            "permission_denied",
            f"bảng tính{what} chưa được chia sẻ cho {who}",
            message,
        )
    if status == 400 and (
        grpc_status == "FAILED_PRECONDITION" or "not supported for this document" in message
    ):
        return GoogleApiError(
            status,
            "not_a_google_sheet",
            f"tệp{what} là .xlsx tải lên, chưa chuyển sang Google Sheets "
            "(mở tệp, chọn Tệp → Lưu dưới dạng Google Trang tính)",
            message,
        )
    if status == 401:
        return GoogleApiError(
            status,
            "unauthenticated",
            "Google từ chối thông tin xác thực (khoá tài khoản dịch vụ không hợp lệ hoặc đã bị thu hồi)",
            message,
        )
    if status == 429:
        return GoogleApiError(status, "quota_exhausted", f"vượt hạn mức gọi Google API{tries}", message)
    if status >= 500:
        return GoogleApiError(
            status,
            "unavailable",
            f"máy chủ Google tạm thời không phản hồi (HTTP {status}){tries}",
            message,
        )
    return GoogleApiError(
        status, "invalid_request", f"Google từ chối yêu cầu (HTTP {status}): {message}", message
    )


def error_from_exception(
    exc: BaseException, resource: str | None = None, service_account: str | None = None
) -> GoogleApiError:
    """Map what gspread, google-auth or requests raised to a GoogleApiError."""
    if isinstance(exc, GoogleApiError):
        return exc
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        return error_from_response(response, resource, service_account)
    if isinstance(exc, RefreshError):
        # google-auth puts the OAuth error code first; never the assertion or a token.
        reason = str(exc.args[0]) if exc.args else "refresh failed"
        return GoogleApiError(
            None, "auth_failed", f"không lấy được mã truy cập Google: {reason[:200]}", reason
        )
    if isinstance(exc, (requests.Timeout, TimeoutError)):
        return GoogleApiError(None, "timeout", "Google không trả lời kịp (hết thời gian chờ)")
    if isinstance(exc, (requests.ConnectionError, TransportError)):
        return GoogleApiError(None, "unavailable", "không kết nối được tới Google")
    return GoogleApiError(None, "invalid_request", f"lỗi khi gọi Google: {type(exc).__name__}")


# --- routing ---------------------------------------------------------------------------------


def emulator_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    value = (environ if environ is not None else os.environ).get(EMULATOR_ENV, "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise GoogleApiError(
            None,
            "invalid_request",
            f"{EMULATOR_ENV} phải có dạng http://HOST:PORT (đang là {value!r})",
        )
    if parts.hostname not in ("127.0.0.1", "::1", "localhost"):
        # Signed token requests and access tokens go wherever this points: only this machine.
        raise GoogleApiError(
            None,
            "invalid_request",
            f"{EMULATOR_ENV} chỉ được trỏ tới máy này (127.0.0.1, ::1, localhost), "
            f"không phải {parts.hostname!r}",
        )
    return f"{parts.scheme}://{parts.netloc}"


class GoogleRoutingAdapter(HTTPAdapter):
    """Allows Google hosts only; with an emulator, rewrites scheme+host of Google URLs to it.

    `__attrs__` includes `emulator` so the adapter survives the deep copy google-auth makes of
    its token-refresh transport for the background regional-access-boundary lookup."""

    __attrs__ = [*HTTPAdapter.__attrs__, "emulator"]  # noqa: RUF012 - requests' own convention

    def __init__(self, emulator: str | None = None, **kwargs: Any) -> None:
        self.emulator = emulator
        super().__init__(**kwargs)

    def route(self, url: str) -> str:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in GOOGLE_HOSTS:
            if self.emulator is None:
                if parts.scheme != "https":
                    raise HostNotAllowed(f"Google must be reached over https: {host}")
                return url
            target = urlsplit(self.emulator)
            return urlunsplit((target.scheme, target.netloc, parts.path, parts.query, ""))
        if self.emulator is not None:
            target = urlsplit(self.emulator)
            if (parts.scheme, parts.netloc) == (target.scheme, target.netloc):
                return url
        raise HostNotAllowed(f"refusing to send a request to a non-Google host: {host or url!r}")

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        request.url = self.route(request.url or "")
        request.headers.pop("Host", None)
        return super().send(request, **kwargs)

    def __repr__(self) -> str:
        return f"GoogleRoutingAdapter(emulator={self.emulator!r})"


def mount_routing(session: requests.Session, emulator: str | None) -> requests.Session:
    adapter = GoogleRoutingAdapter(emulator)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# --- pacing and retries ----------------------------------------------------------------------


class RateLimiter:
    """At most `per_minute` requests in any sliding `window_s` (60 s; smaller in tests).

    A sliding window never lets more than N requests land in any fixed minute either, which is
    how Google counts; `margin` widens the window slightly so clock skew between us and the
    server cannot tip a request into the previous server minute."""

    def __init__(
        self,
        per_minute: int = 60,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.02,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be ≥ 1")
        self.per_minute = per_minute
        self.window_s = window_s * (1 + margin)
        self.clock = clock
        self.sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def acquire(self) -> float:
        """Block until a request may go; returns how long it waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                while self._sent and self._sent[0] <= now - self.window_s:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    self.waited_s += waited
                    return waited
                pause = self._sent[0] + self.window_s - now
            self.sleep(max(pause, 0.001))
            waited += max(pause, 0.001)

    def __repr__(self) -> str:
        return f"RateLimiter(per_minute={self.per_minute}, window_s={self.window_s:.3g})"


@dataclass
class RetryPolicy:
    """Bounded retries: attempt n (0-based) waits `min(base·2**n + base·random(), cap)`, or the
    server's `Retry-After` (capped); at most `max_attempts` requests in all."""

    max_attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 32.0
    statuses: frozenset[int] = RETRY_STATUSES
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = random.random

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap_s)
        return min(self.base_s * (2**attempt) + self.base_s * self.random(), self.cap_s)


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        moment = email.utils.parsedate_to_datetime(value)
        return max(moment.timestamp() - time.time(), 0.0) if moment else None


def request_kind(method: str, url: str) -> str:
    """Classify a request as the Sheets quota does: `read` or `write` (batch reads are POSTs)."""
    path = urlsplit(url).path
    if method.upper() in ("GET", "HEAD"):
        return "read"
    if path.endswith((":batchGetByDataFilter", ":getByDataFilter")):
        return "read"
    return "write"


# --- session ---------------------------------------------------------------------------------


class GoogleSession(AuthorizedSession):
    """`AuthorizedSession` with routing, timeouts, pacing, bounded retries and counters."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        emulator: str | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        rate_limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        auth_session = mount_routing(requests.Session(), emulator)
        super().__init__(credentials, auth_request=Request(auth_session))
        self._auth_session_for_close = auth_session
        mount_routing(self, emulator)
        self.emulator = emulator
        self.timeout = timeout
        self.rate_limiter = rate_limiter or RateLimiter()
        self.retry = retry or RetryPolicy()
        self.counts: collections.Counter[str] = collections.Counter()
        self.retries = 0
        self._count_lock = threading.Lock()

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        data: Any = None,
        headers: Any = None,
        max_allowed_time: float | None = None,
        timeout: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        if "_credential_refresh_attempt" in kwargs:
            # google-auth re-sends after refreshing a token: that is its own loop, not ours,
            # but the re-sent request still counts.
            with self._count_lock:
                self.counts[request_kind(method, url)] += 1
            return super().request(
                method,
                url,
                data=data,
                headers=headers,
                max_allowed_time=max_allowed_time,
                timeout=timeout or self.timeout,
                **kwargs,
            )
        timeout = timeout or self.timeout
        kind = request_kind(method, url)
        attempts = self.retry.max_attempts
        # A request that must not happen twice (sending a mail) is retried only when the server
        # surely did not act on it: a 429, or no connection at all.
        idempotent = kwargs.pop("idempotent", True)
        statuses = self.retry.statuses if idempotent else (429,)
        retried: tuple[type[BaseException], ...] = (
            (requests.Timeout, requests.ConnectionError, TransportError) if idempotent
            else (requests.ConnectTimeout, TransportError))
        for attempt in range(attempts):
            self.rate_limiter.acquire()
            with self._count_lock:
                self.counts[kind] += 1
            try:
                resp = super().request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    max_allowed_time=max_allowed_time,
                    timeout=timeout,
                    **kwargs,
                )
            except (requests.Timeout, requests.ConnectionError, TransportError) as exc:
                # TransportError: google-auth could not reach the token endpoint.
                if attempt + 1 >= attempts or not isinstance(exc, retried):
                    err = error_from_exception(exc)
                    err.detail += f" sau {attempts} lần thử"
                    err.args = (err.detail,)
                    raise err from None
                self._pause(attempt, None)
                continue
            if resp.status_code in statuses and attempt + 1 < attempts:
                self._pause(attempt, _retry_after(resp))
                resp.close()
                continue
            resp.attempts = attempt + 1  # type: ignore[attr-defined]
            return resp
        raise AssertionError("unreachable")

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        with self._count_lock:
            self.retries += 1
        self.retry.sleep(self.retry.delay(attempt, retry_after))

    @property
    def api_counts(self) -> dict[str, int]:
        """`{"reads": n, "writes": n}` for the run summary (every HTTP request sent)."""
        return {"reads": self.counts["read"], "writes": self.counts["write"]}

    def close(self) -> None:
        super().close()
        self._auth_session_for_close.close()

    def __repr__(self) -> str:
        return (
            f"GoogleSession(emulator={self.emulator!r}, timeout={self.timeout!r}, "
            f"{self.rate_limiter!r}, max_attempts={self.retry.max_attempts})"
        )


# --- credentials -----------------------------------------------------------------------------


def credentials_path(configured: str | os.PathLike[str] | None = None) -> Path:
    """`[google] credentials` from the config, else `GOOGLE_APPLICATION_CREDENTIALS`."""
    value = configured or os.environ.get(CREDENTIALS_ENV)
    if not value:
        raise GoogleApiError(
            None,
            "no_credentials",
            f"chưa có khoá Google: đặt [google] credentials trong cấu hình hoặc biến {CREDENTIALS_ENV}",
        )
    return Path(value)


def _read_key(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GoogleApiError(None, "no_credentials", f"không tìm thấy tệp khoá Google {path}") from None
    except (OSError, ValueError):
        raise GoogleApiError(
            None, "no_credentials", f"tệp khoá Google {path} không đọc được (không phải JSON)"
        ) from None
    if not isinstance(info, dict):
        raise GoogleApiError(None, "no_credentials", f"tệp khoá Google {path} không đúng định dạng")
    return info


def load_credentials(
    path: str | os.PathLike[str] | None = None,
    *,
    scopes: Sequence[str] = READONLY_SCOPES,
    subject: str | None = None,
) -> Credentials:
    """Service-account key or OAuth `authorized_user` JSON, with the caller's scopes.
    `subject` asks for domain-wide delegation (service accounts only; needed for Gmail)."""
    from google.oauth2 import credentials as user_credentials
    from google.oauth2 import service_account

    key_path = credentials_path(path)
    info = _read_key(key_path)
    kind = info.get("type")
    try:
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(info, scopes=list(scopes))
            return creds.with_subject(subject) if subject else creds
        if kind == "authorized_user":
            return user_credentials.Credentials.from_authorized_user_info(info, scopes=list(scopes))
    except (ValueError, KeyError) as exc:
        raise GoogleApiError(
            None, "no_credentials", f"tệp khoá Google {key_path} thiếu trường: {exc}"
        ) from None
    raise GoogleApiError(
        None,
        "no_credentials",
        f"tệp khoá Google {key_path} có loại {kind!r}; cần 'service_account' hoặc 'authorized_user'",
    )


def service_account_email(path: str | os.PathLike[str] | None = None) -> str | None:
    """The address units must share their sheets with (None for OAuth user credentials)."""
    info = _read_key(credentials_path(path))
    email_addr = info.get("client_email")
    return str(email_addr) if email_addr else None


def build_session(
    credentials: Credentials,
    *,
    requests_per_minute: int = 60,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    max_attempts: int = 5,
    emulator: str | None = None,
    rate_limiter: RateLimiter | None = None,
    retry: RetryPolicy | None = None,
) -> GoogleSession:
    """The one session every Google call of a run goes through. `emulator` defaults to
    `SANGKIEN_GOOGLE_EMULATOR`."""
    return GoogleSession(
        credentials,
        emulator=emulator if emulator is not None else emulator_from_env(),
        timeout=timeout,
        rate_limiter=rate_limiter or RateLimiter(requests_per_minute),
        retry=retry or RetryPolicy(max_attempts=max_attempts),
    )


def gspread_client(session: GoogleSession) -> Any:
    """An unmodified `gspread.Client` over our session (gspread 6: `Client(auth=None,
    session=…)`; it keeps our retries, and its own timeout is set to ours)."""
    import gspread

    client = gspread.Client(auth=None, session=session)  # type: ignore[arg-type]
    client.set_timeout(session.timeout)
    return client


# --- read paths ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriveFileInfo:
    id: str
    modified_time: str
    version: str
    mime_type: str = SPREADSHEET_MIME
    name: str = ""


@dataclass
class GoogleApi:
    """The few calls the sync makes, each in as few requests as the API allows."""

    session: GoogleSession
    service_account: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _check(self, resp: requests.Response, resource: str | None = None) -> Any:
        if resp.status_code >= 400:
            raise error_from_response(resp, resource, self.service_account, getattr(resp, "attempts", None))
        return resp.json() if resp.content else None

    def values_batch_get(
        self,
        spreadsheet_id: str,
        ranges: Sequence[str],
        *,
        value_render: str = "UNFORMATTED_VALUE",
        date_render: str = "SERIAL_NUMBER",
        major_dimension: str = "ROWS",
    ) -> list[dict[str, Any]]:
        """All `ranges` of one spreadsheet in exactly one request; ValueRanges in order."""
        params: list[tuple[str, str]] = [("ranges", r) for r in ranges]
        params += [
            ("valueRenderOption", value_render),
            ("dateTimeRenderOption", date_render),
            ("majorDimension", major_dimension),
        ]
        resp = self.session.get(f"{SHEETS_URL}/{spreadsheet_id}/values:batchGet", params=params)
        return list(self._check(resp, spreadsheet_id).get("valueRanges", []))

    def sheet_titles(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Tab properties (title, id, index, hidden, grid size) in one small request."""
        resp = self.session.get(
            f"{SHEETS_URL}/{spreadsheet_id}",
            params={"fields": "sheets.properties(sheetId,title,index,hidden,gridProperties)"},
        )
        return [s["properties"] for s in self._check(resp, spreadsheet_id).get("sheets", [])]

    def file_info(self, file_id: str) -> DriveFileInfo:
        resp = self.session.get(
            f"{DRIVE_FILES_URL}/{file_id}",
            params={"fields": "id,name,mimeType,modifiedTime,version", "supportsAllDrives": "true"},
        )
        data = self._check(resp, file_id)
        return DriveFileInfo(
            data["id"],
            data["modifiedTime"],
            data["version"],
            data.get("mimeType", ""),
            data.get("name", ""),
        )

    def list_files(
        self, ids: Iterable[str], *, modified_after: str | None = None, page_size: int = 1000
    ) -> dict[str, DriveFileInfo]:
        """Drive metadata of the wanted ids, in bulk.

        Drive's `q` cannot search by file id (`id` is not a query term), so instead of ORing ids
        we list every spreadsheet the account can see — 1000 per request — and keep the ones we
        want. With `modified_after` only files changed since then come back (the rest are known
        unchanged). Ids that never show up (not shared, deleted, an uploaded .xlsx) are simply
        absent: reading them later yields the precise error."""
        wanted = set(ids)
        found: dict[str, DriveFileInfo] = {}
        if not wanted:
            return found
        q = f"mimeType = '{SPREADSHEET_MIME}' and trashed = false"
        if modified_after:
            q += f" and modifiedTime > '{modified_after}'"
        token: str | None = None
        while True:
            params = {
                "q": q,
                "pageSize": str(page_size),
                "fields": "nextPageToken,files(id,name,mimeType,modifiedTime,version)",
                "supportsAllDrives": "true",
                "includeItemsFromAllDrives": "true",
                # Sources may live in a Shared Drive the service account is a member of: those
                # files are not "shared with me", only the allDrives corpus lists them.
                "corpora": "allDrives",
            }
            if token:
                params["pageToken"] = token
            data = self._check(self.session.get(DRIVE_FILES_URL, params=params))
            for item in data.get("files", []):
                if item["id"] in wanted:
                    found[item["id"]] = DriveFileInfo(
                        item["id"],
                        item["modifiedTime"],
                        item["version"],
                        item.get("mimeType", ""),
                        item.get("name", ""),
                    )
            token = data.get("nextPageToken")
            if not token or len(found) == len(wanted):
                return found

    def list_files_modified(
        self, ids: Iterable[str], *, modified_after: str | None = None
    ) -> dict[str, tuple[str, str]]:
        """`{id: (modifiedTime, version)}` for the ids Drive shows us (see `list_files`)."""
        return {
            fid: (info.modified_time, info.version)
            for fid, info in self.list_files(ids, modified_after=modified_after).items()
        }

    def send_mail(self, raw_message: bytes, user_id: str = "me") -> dict[str, Any]:
        """Gmail `users.messages.send` with a base64url RFC 822 message."""
        import base64

        body = {"raw": base64.urlsafe_b64encode(raw_message).decode("ascii")}
        resp = self.session.post(f"{GMAIL_URL}/{user_id}/messages/send", json=body,
                                 idempotent=False)
        return dict(self._check(resp))
