"""From the config to a `GoogleApi`: scopes per job, one rate limiter per account, locators.

Every Google client of a run is built here, so they all share the same pacing: Google's quota is
"60 requests per minute per user", and the sources' reader, the master's writer and `provision`
act as the same user. One `RateLimiter` per (credentials file, requests_per_minute) lives for the
process, so two sessions never add up to more than the configured rate.

Scopes (least privilege):
- reading units, the registry, `doctor`: `spreadsheets.readonly` + `drive.metadata.readonly`;
- writing the master: `spreadsheets` + `drive.metadata.readonly`;
- `provision`: `spreadsheets`, plus `drive` only with `--share` (Drive permissions).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from sync.backends import google_http as gh
from sync.config import GSHEET_PREFIX, Config
from sync.errors import ConfigError, SourceError

# The quota window. Tests compress it (with the testbench's `window_s`) to test pacing for real.
RATE_WINDOW_S = 60.0
# Backoff of the bounded retries: min(base·2ⁿ + base·random, cap). Tests shrink them.
RETRY_BASE_S = 1.0
RETRY_CAP_S = 32.0
CONNECT_TIMEOUT_S = 10.0

_LIMITERS: dict[tuple[str, int, float], gh.RateLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def shared_limiter(config: Config) -> gh.RateLimiter:
    """The process-wide limiter of this account at this rate."""
    key = (str(config.google.credentials or ""), config.google.requests_per_minute, RATE_WINDOW_S)
    with _LIMITERS_LOCK:
        limiter = _LIMITERS.get(key)
        if limiter is None:
            limiter = gh.RateLimiter(config.google.requests_per_minute, window_s=RATE_WINDOW_S)
            _LIMITERS[key] = limiter
        return limiter


def make_api(config: Config, scopes: Sequence[str]) -> gh.GoogleApi:
    """A `GoogleApi` with its own session (scopes) and the account's shared limiter.

    Missing or unreadable credentials are a configuration error (exit 2) naming the key."""
    google = config.google
    try:
        credentials = gh.load_credentials(google.credentials, scopes=scopes)
        account = gh.service_account_email(google.credentials)
        session = gh.build_session(
            credentials,
            timeout=(CONNECT_TIMEOUT_S, google.timeout_s),
            rate_limiter=shared_limiter(config),
            retry=gh.RetryPolicy(max_attempts=google.max_attempts, base_s=RETRY_BASE_S,
                                 cap_s=RETRY_CAP_S),
        )
    except gh.GoogleApiError as exc:
        if exc.reason == "no_credentials" or exc.reason == "invalid_request":
            raise ConfigError(f"{config.path}: {exc.detail} (khoá [google] credentials).") from None
        raise
    return gh.GoogleApi(session, account)


def account_label(api: gh.GoogleApi) -> str:
    return api.service_account or "tài khoản Google đang dùng"


# --- locators --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SheetLocator:
    """`gsheet:<id>`, `gsheet:<id>#<tab>` or `gsheet:<URL>` (a `#gid=N` fragment names a tab by
    its sheet id)."""

    spreadsheet_id: str
    tab: str | None = None
    gid: int | None = None

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"


def parse_locator(locator: str) -> SheetLocator:
    if not locator.startswith(GSHEET_PREFIX):
        raise SourceError("source_unreachable", f"«{locator}» không phải gsheet:<mã bảng tính>")
    value = locator[len(GSHEET_PREFIX):].strip()
    fragment = ""
    if "#" in value:
        value, fragment = value.split("#", 1)
    if "/d/" in value:
        value = value.split("/d/", 1)[1]
    sid = value.split("/", 1)[0].split("?", 1)[0].strip()
    if not sid or not all(c.isalnum() or c in "-_" for c in sid):
        raise SourceError("source_unreachable",
                          f"«{locator}» không chứa mã bảng tính Google hợp lệ")
    fragment = unquote(fragment).strip()
    if fragment.startswith("gid="):
        digits = fragment[4:].split("&", 1)[0]
        return SheetLocator(sid, gid=int(digits) if digits.isdigit() else None)
    return SheetLocator(sid, tab=fragment or None)


def quote_tab(title: str) -> str:
    """A tab title as an A1 range (always quoted; `'` doubled)."""
    return "'" + title.replace("'", "''") + "'"


def source_error(exc: gh.GoogleApiError) -> SourceError:
    """A failed read as a source-level finding of SPEC §4."""
    code = "permission_denied" if exc.reason == "permission_denied" else "source_unreachable"
    return SourceError(code, exc.detail, reason=exc.reason)
