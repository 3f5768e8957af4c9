"""Replay gspread's recordings of the real Sheets v4 / Drive v3 APIs against the testbench.

Each recorded request (method, path + query, body) is sent over HTTP with a valid bearer token.
Ids the recording's create calls returned are mapped to the ids the testbench returns (file ids,
sheet ids, protected-range ids, in URIs and bodies), then status codes and JSON bodies are
compared. Ignored: values of `*Time` fields (timestamps; their presence is still compared) and the
recording account's service-account e-mail (mapped to ours). Everything else, including
`spreadsheetUrl`, locale/timeZone defaults, theme and default format, must be equal.

Run `python tests/test_testbench_cassettes.py` to print the markdown table for docs/testbench.md.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
CASSETTES = SHARED / "reference" / "gspread-cassettes"

# The recordings that exercise what the product does: open/create, read values (batchGet,
# render options, trimming), write RAW/USER_ENTERED, clear, append, add/delete/rename tabs,
# freeze, validation, protection, notes, Drive listing and modifiedTime, error bodies.
CHOSEN = [
    "SpreadsheetTest.test_values_batch_get",
    "SpreadsheetTest.test_values_get",
    "SpreadsheetTest.test_add_del_worksheet",
    "SpreadsheetTest.test_get_lastUpdateTime",
    "SpreadsheetTest.test_update_title",
    "SpreadsheetTest.test_worksheets_exclude_hidden",
    "ClientTest.test_access_non_existing_spreadsheet",
    "ClientTest.test_access_private_spreadsheet",
    "ClientTest.test_list_spreadsheet_files",
    "ClientTest.test_create",
    "ClientTest.test_open_by_name_has_metadata",
    "WorksheetTest.test_batch_update",
    "WorksheetTest.test_update_and_get",
    "WorksheetTest.test_batch_clear",
    "WorksheetTest.test_clear",
    "WorksheetTest.test_get_all_values_date_time_render_options",
    "WorksheetTest.test_get_all_records_with_all_values_blank",
    "WorksheetTest.test_add_validation",
    "WorksheetTest.test_add_protected_range_normal",
    "WorksheetTest.test_freeze",
    "WorksheetTest.test_append_row",
    "WorksheetTest.test_append_row_with_empty_value_and_table_range",
    "WorksheetTest.test_get_notes",
    "WorksheetTest.test_update_title",
    "WorksheetTest.test_hide_show_worksheet",
    "WorksheetTest.test_resize",
    "WorksheetTest.test_get_all_values",
]
THRESHOLD = 0.95

# Ids that recordings use without creating them (the recording account's world): the replay
# creates them first, as the recorder had them.
WORLD = {
    "ClientTest.test_access_private_spreadsheet": [
        {"id": "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc", "title": "private", "private": True}
    ],
}
ID_KEYS = {"id", "spreadsheetId", "sheetId", "protectedRangeId", "namedRangeId", "permissionId"}
SA_EMAIL = re.compile(r"[\w.-]+@[\w-]+\.iam\.gserviceaccount\.com")


@dataclass
class Outcome:
    method: str
    path: str
    ok: bool
    why: str = ""


def _learn(recorded: Any, actual: Any, ids: dict[Any, Any]) -> None:
    """Walk recorded and actual responses together; differing id fields become mappings."""
    if isinstance(recorded, dict) and isinstance(actual, dict):
        for key, value in recorded.items():
            if key not in actual:
                continue
            if key in ID_KEYS and not isinstance(value, (dict, list)):
                if value != actual[key] and value not in ids:
                    ids[value] = actual[key]
                    ids[str(value)] = str(actual[key])
            else:
                _learn(value, actual[key], ids)
    elif isinstance(recorded, list) and isinstance(actual, list):
        for a, b in zip(recorded, actual, strict=False):
            _learn(a, b, ids)


def _map(value: Any, ids: dict[Any, Any], sa: str) -> Any:
    if isinstance(value, dict):
        return {k: _map(v, ids, sa) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, ids, sa) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)) and value in ids:
        return ids[value]
    if isinstance(value, str):
        value = SA_EMAIL.sub(sa, value)
        for old, new in ids.items():
            if isinstance(old, str) and len(old) > 20 and old in value:
                value = value.replace(old, str(new))
    return value


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("<time>" if k.endswith("Time") else _normalise(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a:
                return f"{path}.{key}: unexpected {json.dumps(b[key], ensure_ascii=False)[:80]}"
            if key not in b:
                return f"{path}.{key}: missing (recorded {json.dumps(a[key], ensure_ascii=False)[:80]})"
            diff = _first_difference(a[key], b[key], f"{path}.{key}")
            if diff:
                return diff
        return ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items recorded, {len(b)} served"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            diff = _first_difference(x, y, f"{path}[{i}]")
            if diff:
                return diff
        return ""
    return "" if a == b else f"{path}: recorded {a!r}, served {b!r}"


def replay(name: str, bench: Any, session: Any) -> list[Outcome]:
    bench.call("POST", "/_testbench/reset")
    for spec in WORLD.get(name, []):
        bench.call("POST", "/_testbench/spreadsheets", spec)
    data = json.loads((CASSETTES / f"{name}.json").read_text(encoding="utf-8"))
    ids: dict[Any, Any] = {}
    sa = bench.service_account_email
    outcomes = []
    for item in data["interactions"]:
        req, res = item["request"], item["response"]
        uri = _map(req["uri"], ids, sa)
        body = req["body"]
        headers = {}
        if body:
            try:
                body = json.dumps(_map(json.loads(body), ids, sa)).encode()
                headers["Content-Type"] = "application/json"
            except ValueError:
                body = body.encode() if isinstance(body, str) else body
        resp = session.request(req["method"], uri, data=body or None, headers=headers)
        path = urlsplit(req["uri"]).path
        expected_status = res["status"]["code"]
        text = res["body"]["string"]
        try:
            recorded = json.loads(text) if text else None
        except ValueError:
            recorded = text
        try:
            served = resp.json() if resp.content else None
        except ValueError:
            served = resp.text
        if resp.status_code == expected_status and isinstance(recorded, dict) and isinstance(served, dict):
            _learn(recorded, served, ids)
        if resp.status_code != expected_status:
            outcomes.append(
                Outcome(req["method"], path, False, f"status {resp.status_code}, recorded {expected_status}")
            )
            continue
        want = _normalise(_map(recorded, ids, sa))
        got = _normalise(served)
        diff = _first_difference(want, got)
        outcomes.append(Outcome(req["method"], path, not diff, diff))
    return outcomes


def _session_for(bench: Any) -> Any:
    from sync.backends import google_http as gh

    creds = gh.load_credentials(bench.credentials_path, scopes=gh.SHARE_SCOPES)
    return gh.build_session(
        creds,
        emulator=bench.url,
        rate_limiter=gh.RateLimiter(100_000),
        retry=gh.RetryPolicy(max_attempts=1),
    )


def run_all(names: list[str]) -> dict[str, list[Outcome]]:
    from sync.testbench import start

    with start() as bench:
        session = _session_for(bench)
        try:
            return {name: replay(name, bench, session) for name in names}
        finally:
            session.close()


def table(results: dict[str, list[Outcome]]) -> str:
    lines = ["| recording | interactions | matched | rate |", "|---|---:|---:|---:|"]
    total = matched = 0
    for name, outcomes in results.items():
        ok = sum(o.ok for o in outcomes)
        total += len(outcomes)
        matched += ok
        lines.append(f"| `{name}` | {len(outcomes)} | {ok} | {ok / len(outcomes):.0%} |")
    lines.append(f"| **overall** | **{total}** | **{matched}** | **{matched / total:.1%}** |")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def results() -> dict[str, list[Outcome]]:
    if not CASSETTES.is_dir():
        pytest.skip(f"recordings not available ({CASSETTES})")
    missing = [n for n in CHOSEN if not (CASSETTES / f"{n}.json").exists()]
    if missing:
        pytest.skip(f"recordings missing: {missing}")
    return run_all(CHOSEN)


def test_cassettes_match_the_real_api(results: dict[str, list[Outcome]]) -> None:
    print("\n" + table(results))
    for name, outcomes in results.items():
        for o in outcomes:
            if not o.ok:
                print(f"  {name}: {o.method} {o.path}: {o.why}")
    total = sum(len(v) for v in results.values())
    matched = sum(o.ok for v in results.values() for o in v)
    assert len(results) >= 15
    assert matched / total >= THRESHOLD, f"{matched}/{total} interactions match"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    names = sys.argv[1:] or CHOSEN
    if names == ["all"]:
        names = sorted(p.stem for p in CASSETTES.glob("*.json"))
    res = run_all(names)
    print(table(res))
    for name, outcomes in res.items():
        for o in outcomes:
            if not o.ok:
                print(f"  {name}: {o.method} {o.path}: {o.why}", file=sys.stderr)
