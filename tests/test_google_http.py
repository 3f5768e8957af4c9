"""The Google HTTP session layer: routing, pacing, bounded retries, timeouts, error mapping."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import gspread
import pytest
from fixtures_testbench import DRIVE, SHEETS, seed, stats

from sync.backends import google_http as gh
from sync.testbench import Testbench

# --- routing ---------------------------------------------------------------------------------


def test_adapter_rewrites_google_hosts_and_refuses_others() -> None:
    adapter = gh.GoogleRoutingAdapter("http://127.0.0.1:9")
    for host in gh.GOOGLE_HOSTS:
        assert adapter.route(f"https://{host}/some/path?x=1") == "http://127.0.0.1:9/some/path?x=1"
    assert adapter.route("http://127.0.0.1:9/_testbench/stats").endswith("/_testbench/stats")
    for url in (
        "https://example.com/",
        "https://evil.googleapis.com.example.com/",
        "https://storage.googleapis.com/b",
        "http://127.0.0.1:10/",
    ):
        with pytest.raises(gh.HostNotAllowed):
            adapter.route(url)
    direct = gh.GoogleRoutingAdapter(None)
    assert direct.route("https://sheets.googleapis.com/v4/x") == "https://sheets.googleapis.com/v4/x"
    with pytest.raises(gh.HostNotAllowed):
        direct.route("https://example.com/")
    with pytest.raises(gh.HostNotAllowed):
        direct.route("http://sheets.googleapis.com/v4/x")
    # google-auth deep-copies its refresh transport for a background lookup: keep the route.
    assert copy.deepcopy(adapter).emulator == "http://127.0.0.1:9"


def test_env_var_sends_everything_to_the_emulator(emulator_env: Testbench) -> None:
    sid = seed(emulator_env)
    creds = gh.load_credentials(scopes=gh.READONLY_SCOPES)  # GOOGLE_APPLICATION_CREDENTIALS
    session = gh.build_session(creds, max_attempts=1)  # SANGKIEN_GOOGLE_EMULATOR
    try:
        assert session.emulator == emulator_env.url
        assert session.get(f"{SHEETS}/{sid}").status_code == 200
        assert session.get(f"https://drive.googleapis.com/drive/v3/files/{sid}").status_code == 200
        s = stats(emulator_env)
        assert s["by_method"] == {"sheets.spreadsheets.get": 1, "drive.files.get": 1}
        assert s["auth"]["oauth2.token"] == 1
        with pytest.raises(gh.HostNotAllowed):
            session.get("https://example.com/")
    finally:
        session.close()


def test_without_emulator_nothing_leaves_the_machine(
    testbench: Testbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(gh.EMULATOR_ENV, raising=False)
    creds = gh.load_credentials(testbench.credentials_path, scopes=gh.READONLY_SCOPES)
    session = gh.build_session(creds, max_attempts=1)
    try:
        assert session.emulator is None
        # Real Google is the target: name resolution or the test socket guard stops it.
        with pytest.raises(gh.GoogleApiError) as err:
            session.get(f"{SHEETS}/abc")
        assert err.value.reason == "unavailable"
    finally:
        session.close()


def test_bad_emulator_value_is_a_clear_error() -> None:
    with pytest.raises(gh.GoogleApiError) as err:
        gh.emulator_from_env({gh.EMULATOR_ENV: "127.0.0.1:8080"})
    assert gh.EMULATOR_ENV in err.value.detail
    assert gh.emulator_from_env({gh.EMULATOR_ENV: "http://127.0.0.1:8080/"}) == "http://127.0.0.1:8080"
    assert gh.emulator_from_env({}) is None


# --- pacing ----------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_rate_limiter_sliding_window_with_fake_clock() -> None:
    clock = FakeClock()
    limiter = gh.RateLimiter(60, clock=clock.time, sleep=clock.sleep)
    stamps = []
    for _ in range(150):
        limiter.acquire()
        stamps.append(clock.now)
    assert stamps[59] == 1000.0  # the first 60 go at once
    for i in range(60, 150):
        assert stamps[i] - stamps[i - 60] >= 60.0  # never 61 in any minute
    assert 120 <= clock.now - 1000.0 < 125


def test_rate_limiter_paces_real_traffic_under_a_testbench_quota(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    """100 reads at 60/min against a 60/min quota, both with the minute compressed to 1 s."""
    sid = seed(fresh_testbench)
    warm = google_session_factory(gh.READONLY_SCOPES)
    warm.get(f"{SHEETS}/{sid}")  # token fetched outside the measured part
    fresh_testbench.call("POST", "/_testbench/quota", {"reads_per_minute": 60, "window_s": 1.0})
    paced = google_session_factory(
        credentials=warm.credentials,
        max_attempts=1,
        # The minute is compressed 60×, the time a request takes to reach the server is not:
        # the default margin (2 % of the window: 20 ms here) lost to a loaded machine's latency
        # under a parallel test run. 500 ms keeps room for it (250 ms still lost one run in
        # about ten with both cores busy); in real use 2 % is 1.2 s.
        rate_limiter=gh.RateLimiter(60, window_s=1.0, margin=0.5),
    )
    start = time.monotonic()
    codes = [paced.get(f"{SHEETS}/{sid}/values/A1").status_code for _ in range(100)]
    elapsed = time.monotonic() - start
    assert codes.count(429) == 0
    assert elapsed >= 1.0
    assert paced.api_counts == {"reads": 100, "writes": 0}
    # Control: the same burst without pacing is throttled by the quota.
    fresh_testbench.call("POST", "/_testbench/quota", {"reads_per_minute": 60, "window_s": 1.0})
    burst = google_session_factory(credentials=warm.credentials, max_attempts=1)
    assert [burst.get(f"{SHEETS}/{sid}/values/A1").status_code for _ in range(100)].count(429) > 0


# --- retries ---------------------------------------------------------------------------------


def test_backoff_formula_and_cap() -> None:
    policy = gh.RetryPolicy(base_s=1.0, cap_s=32.0, random=lambda: 0.5)
    assert [policy.delay(n) for n in range(7)] == [1.5, 2.5, 4.5, 8.5, 16.5, 32.0, 32.0]
    assert policy.delay(0, retry_after=7.0) == 7.0
    assert policy.delay(0, retry_after=600.0) == 32.0


def test_retry_after_is_honoured(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    slept: list[float] = []
    session = google_session_factory(gh.READONLY_SCOPES)
    session.retry.sleep = slept.append
    session.retry.cap_s = 10.0
    fresh_testbench.call(
        "POST",
        "/_testbench/faults",
        {"method": "sheets.spreadsheets.get", "status": 503, "headers": {"Retry-After": "3"}},
    )
    assert session.get(f"{SHEETS}/{sid}").status_code == 200
    assert slept == [3.0]


def test_permanent_503_ends_after_n_attempts(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    fresh_testbench.call(
        "POST",
        "/_testbench/faults",
        {"method": "sheets.spreadsheets.values.batchGet", "status": 503, "times": 100},
    )
    api = gh.GoogleApi(
        google_session_factory(gh.READONLY_SCOPES, max_attempts=3),
        service_account=fresh_testbench.service_account_email,
    )
    with pytest.raises(gh.GoogleApiError) as err:
        api.values_batch_get(sid, ["A1"])
    assert (err.value.status, err.value.reason) == (503, "unavailable")
    assert "sau 3 lần thử" in err.value.detail
    assert stats(fresh_testbench)["by_method"]["sheets.spreadsheets.values.batchGet"] == 3


def test_quota_429_exhausted_maps_to_quota_error(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench)
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES, max_attempts=2))
    fresh_testbench.call("POST", "/_testbench/faults", {"status": 429, "times": 10})
    with pytest.raises(gh.GoogleApiError) as err:
        api.values_batch_get(sid, ["A1"])
    assert err.value.reason == "quota_exhausted" and "Quota exceeded" in err.value.message


def test_stall_hits_the_timeout_then_is_retried(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench, sheets=[{"title": "S", "values": [["v"]]}])
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES, timeout=(1.0, 0.3)))
    api.session.get(f"{SHEETS}/{sid}")  # token first
    fresh_testbench.call(
        "POST",
        "/_testbench/faults",
        {"method": "sheets.spreadsheets.values.batchGet", "delay_s": 1.5, "times": 1},
    )
    start = time.monotonic()
    assert api.values_batch_get(sid, ["S!A1"])[0]["values"] == [["v"]]
    assert time.monotonic() - start < 1.2
    assert stats(fresh_testbench)["by_method"]["sheets.spreadsheets.values.batchGet"] == 2


def test_endless_stall_ends_in_a_timeout_error(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench)
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES, timeout=(1.0, 0.2), max_attempts=2))
    api.session.get(f"{SHEETS}/{sid}")
    fresh_testbench.call("POST", "/_testbench/faults", {"delay_s": 0.6, "times": 5})
    with pytest.raises(gh.GoogleApiError) as err:
        api.values_batch_get(sid, ["A1"])
    assert err.value.reason == "timeout" and "sau 2 lần thử" in err.value.detail


def test_dropped_connection_is_retried(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    session = google_session_factory(gh.READONLY_SCOPES)
    session.get(f"{SHEETS}/{sid}")
    fresh_testbench.call("POST", "/_testbench/faults", {"action": "disconnect", "times": 1})
    assert session.get(f"{SHEETS}/{sid}").status_code == 200
    assert session.retries == 1


def test_gspread_over_our_session_is_bounded_too(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    """gspread's own client never loops forever over our session: the last 503 surfaces."""
    sid = seed(fresh_testbench)
    session = google_session_factory(gh.READONLY_SCOPES, max_attempts=2)
    gc = gh.gspread_client(session)
    assert gc.http_client.timeout == session.timeout
    fresh_testbench.call("POST", "/_testbench/faults", {"status": 503, "times": 10})
    with pytest.raises(gspread.exceptions.APIError) as err:
        gc.open_by_key(sid)
    mapped = gh.error_from_exception(err.value, sid)
    assert (mapped.status, mapped.reason) == (503, "unavailable")


# --- errors ----------------------------------------------------------------------------------


def test_errors_are_mapped_to_clear_vietnamese(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    email = fresh_testbench.service_account_email
    private = seed(fresh_testbench, private=True)
    xlsx = fresh_testbench.call("POST", "/_testbench/files", {"name": "XD03.xlsx"})["id"]
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES), service_account=email)
    cases = {
        private: ("permission_denied", f"chưa được chia sẻ cho {email}"),
        "khongco": ("not_found", "không tìm thấy bảng tính khongco"),
        xlsx: ("not_a_google_sheet", "chưa chuyển sang Google Sheets"),
    }
    for sid, (reason, text) in cases.items():
        with pytest.raises(gh.GoogleApiError) as err:
            api.values_batch_get(sid, ["A1"])
        assert err.value.reason == reason and text in err.value.detail
        assert str(err.value) == err.value.detail
    gc = gh.gspread_client(api.session)
    with pytest.raises(PermissionError) as perm:
        gc.open_by_key(private)
    assert gh.error_from_exception(perm.value.__cause__, private, email).reason == "permission_denied"


def test_no_secrets_in_repr_or_messages(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench, private=True)
    session = google_session_factory(gh.READONLY_SCOPES)
    session.get(DRIVE).raise_for_status()
    token = session.credentials.token
    key = json.loads(fresh_testbench.credentials_path.read_text())
    assert token
    texts = [repr(session), str(session), repr(session.rate_limiter), repr(session.retry)]
    with pytest.raises(gh.GoogleApiError) as err:
        gh.GoogleApi(session).values_batch_get(sid, ["A1"])
    texts += [str(err.value), repr(err.value), err.value.message]
    for adapter in session.adapters.values():
        texts.append(repr(adapter))
    for text in texts:
        assert token not in text
        assert "PRIVATE KEY" not in text and key["private_key_id"] not in text


def test_credentials_loading(
    tmp_path: Any, fresh_testbench: Testbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(gh.CREDENTIALS_ENV, raising=False)
    with pytest.raises(gh.GoogleApiError) as err:
        gh.load_credentials()
    assert err.value.reason == "no_credentials" and gh.CREDENTIALS_ENV in err.value.detail
    with pytest.raises(gh.GoogleApiError, match="không tìm thấy tệp khoá"):
        gh.load_credentials(tmp_path / "missing.json")
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"type": "external_account"}))
    with pytest.raises(gh.GoogleApiError, match="external_account"):
        gh.load_credentials(odd)
    monkeypatch.setenv(gh.CREDENTIALS_ENV, str(fresh_testbench.credentials_path))
    assert gh.service_account_email() == fresh_testbench.service_account_email
    creds = gh.load_credentials(scopes=gh.READONLY_SCOPES, subject="a@congdoan.example")
    assert creds.scopes == list(gh.READONLY_SCOPES)
    user = tmp_path / "user.json"
    user.write_text(
        json.dumps(
            fresh_testbench.call("POST", "/_testbench/oauth/authorized-user", {"email": "a@congdoan.example"})
        )
    )
    assert gh.service_account_email(user) is None
    assert gh.load_credentials(user).refresh_token


def test_reads_and_writes_are_counted(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    session = google_session_factory()
    gc = gh.gspread_client(session)
    ws = gc.open_by_key(sid).sheet1
    ws.update([["a"]], "A1")
    ws.get_all_values()
    by_method = stats(fresh_testbench)["by_method"]
    reads = sum(n for m, n in by_method.items() if m.endswith((".get", "batchGet")))
    assert session.api_counts == {"reads": reads, "writes": by_method["sheets.spreadsheets.values.update"]}
    assert session.api_counts["writes"] == 1
    assert gh.request_kind("POST", f"{SHEETS}/x/values:batchGetByDataFilter") == "read"


def test_a_mail_send_is_never_repeated_after_the_server_may_have_acted(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    """Gmail send is not idempotent: a 503 or a stall may come after Gmail accepted the mail, so
    only a 429 (not processed) is retried at once; the rest is left to the next run's ledger."""
    session = google_session_factory(gh.GMAIL_SCOPES, subject="sangkien@congdoan.example")
    api = gh.GoogleApi(session, service_account=fresh_testbench.service_account_email)
    raw = b"From: a@congdoan.example\r\nTo: b@donvi.example\r\nSubject: x\r\n\r\nhello\r\n"
    fresh_testbench.call("POST", "/_testbench/faults",
                         {"method": "gmail.users.messages.send", "status": 503, "times": 1})
    with pytest.raises(gh.GoogleApiError):
        api.send_mail(raw)
    assert stats(fresh_testbench)["by_method"]["gmail.users.messages.send"] == 1
    fresh_testbench.call("POST", "/_testbench/faults",
                         {"method": "gmail.users.messages.send", "status": 429, "times": 1})
    assert api.send_mail(raw)["id"]
    assert stats(fresh_testbench)["by_method"]["gmail.users.messages.send"] == 3
    assert len(fresh_testbench.call("GET", "/_testbench/mail")["messages"]) == 1


def test_the_emulator_can_only_be_this_machine() -> None:
    assert gh.emulator_from_env({gh.EMULATOR_ENV: "http://127.0.0.1:8089"}) == \
        "http://127.0.0.1:8089"
    with pytest.raises(gh.GoogleApiError, match="chỉ được trỏ tới máy này"):
        gh.emulator_from_env({gh.EMULATOR_ENV: "http://attacker.example:80"})
