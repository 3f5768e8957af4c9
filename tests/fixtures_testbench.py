"""Fixtures for anything that talks to Google: a running testbench and sessions against it.

- `testbench` (session): one testbench for the whole run, with its service-account key file.
- `fresh_testbench`: the same testbench, emptied (state, counters, faults, quotas) for this test.
- `emulator_env`: sets `SANGKIEN_GOOGLE_EMULATOR` and `GOOGLE_APPLICATION_CREDENTIALS` so product
  code built with defaults talks to the testbench; yields the (fresh) testbench.
- `google_session_factory`: builds `GoogleSession`s against the testbench with compressed
  backoff (tests stay fast) and closes them afterwards.
- `SHEETS`, `DRIVE` (the real API bases the emulator answers for), `seed` (a spreadsheet from a
  spec) and `stats` (the request counters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from sync.backends import google_http as gh
from sync.testbench import Testbench, start

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"


def seed(tb: Testbench, **spec: Any) -> str:
    return str(tb.call("POST", "/_testbench/spreadsheets", spec)["spreadsheetId"])


def stats(tb: Testbench) -> dict[str, Any]:
    return dict(tb.call("GET", "/_testbench/stats"))


@pytest.fixture(scope="session")
def testbench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Testbench]:
    key = tmp_path_factory.mktemp("testbench") / "service-account.json"
    with start(credentials_out=key) as bench:
        yield bench


@pytest.fixture
def fresh_testbench(testbench: Testbench) -> Testbench:
    testbench.call("POST", "/_testbench/reset")
    return testbench


@pytest.fixture
def emulator_env(fresh_testbench: Testbench, monkeypatch: pytest.MonkeyPatch) -> Testbench:
    monkeypatch.setenv(gh.EMULATOR_ENV, fresh_testbench.url)
    monkeypatch.setenv(gh.CREDENTIALS_ENV, str(fresh_testbench.credentials_path))
    return fresh_testbench


@pytest.fixture
def google_session_factory(
    fresh_testbench: Testbench,
) -> Iterator[Callable[..., gh.GoogleSession]]:
    sessions: list[gh.GoogleSession] = []

    def make(
        scopes: Sequence[str] = gh.SHARE_SCOPES,
        *,
        subject: str | None = None,
        credentials: Any = None,
        max_attempts: int = 4,
        timeout: float | tuple[float, float] = (2.0, 5.0),
        rate_limiter: gh.RateLimiter | None = None,
        base_s: float = 0.01,
    ) -> gh.GoogleSession:
        creds = credentials or gh.load_credentials(
            fresh_testbench.credentials_path, scopes=scopes, subject=subject
        )
        session = gh.build_session(
            creds,
            emulator=fresh_testbench.url,
            timeout=timeout,
            rate_limiter=rate_limiter or gh.RateLimiter(100_000),
            retry=gh.RetryPolicy(max_attempts=max_attempts, base_s=base_s, cap_s=0.2),
        )
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
