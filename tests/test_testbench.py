"""The testbench behaves like Google for unmodified gspread and google-auth, over real HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import gspread
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fixtures_testbench import DRIVE, SHEETS, seed, stats
from google.auth import crypt, jwt
from google.auth.exceptions import RefreshError
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from sync.backends import google_http as gh
from sync.testbench import Testbench


def raw(
    tb: Testbench, method: str, path: str, body: Any = None, headers: dict | None = None
) -> tuple[int, Any]:
    """A request without our session layer (no token unless given)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(tb.url + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as err:
        payload = err.read()
        try:
            return err.code, json.loads(payload)
        except ValueError:
            return err.code, payload.decode()


# --- gspread end to end ----------------------------------------------------------------------


def test_gspread_raw_keeps_text_user_entered_parses(google_session_factory: Any) -> None:
    session = google_session_factory()
    gc = gh.gspread_client(session)
    sh = gc.create("Công đoàn XD01")
    ws = sh.sheet1
    row = ['=IMPORTXML("http://x.example","//a")', "007", "2024-03-05", "TRUE", "1.500.000"]
    ws.update([row], "A1", value_input_option="RAW")
    ws.update([row], "A2", value_input_option="USER_ENTERED")
    meta = sh.fetch_sheet_metadata(
        {
            "includeGridData": "true",
            "ranges": "Sheet1!A1:E2",
            "fields": "sheets(data(rowData(values(userEnteredValue,effectiveValue,formattedValue))))",
        }
    )
    raw_row, typed_row = (r["values"] for r in meta["sheets"][0]["data"][0]["rowData"])
    assert raw_row[0]["userEnteredValue"] == {"stringValue": row[0]}
    assert raw_row[1]["userEnteredValue"] == {"stringValue": "007"}
    assert raw_row[3]["userEnteredValue"] == {"stringValue": "TRUE"}
    assert typed_row[0]["userEnteredValue"] == {"formulaValue": row[0]}
    assert typed_row[0]["formattedValue"] == "#N/A"  # no network for IMPORTXML
    assert typed_row[1]["userEnteredValue"] == {"numberValue": 7}
    assert typed_row[2]["effectiveValue"] == {"numberValue": 45356}  # 2024-03-05 as a serial
    assert typed_row[2]["formattedValue"] == "2024-03-05"
    assert typed_row[3]["userEnteredValue"] == {"boolValue": True}
    assert typed_row[4]["userEnteredValue"] == {"stringValue": "1.500.000"}  # en_US: not a number
    # Formulas render per valueRenderOption.
    got = ws.get("A2:B2", value_render_option="FORMULA")
    assert got == [[row[0], 7]]
    assert ws.get("A2:B2", value_render_option="UNFORMATTED_VALUE") == [["#N/A", 7]]


def test_gspread_opens_seeded_sheet_and_reads_vietnamese_tab(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(
        fresh_testbench,
        title="Đơn vị",
        sheets=[
            {"title": "Hướng dẫn", "values": [["Đọc kỹ"]]},
            {"title": "Sáng kiến", "values": [["Tên sáng kiến", "Tác giả"], ["Máy trộn", "Nguyễn Văn A"]]},
        ],
        role="reader",
    )
    gc = gh.gspread_client(google_session_factory(gh.READONLY_SCOPES))
    ws = gc.open_by_key(sid).worksheet("Sáng kiến")
    assert ws.get_all_values() == [["Tên sáng kiến", "Tác giả"], ["Máy trộn", "Nguyễn Văn A"]]
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1")  # read-only token
    assert err.value.code == 403


def test_values_batch_get_is_one_request(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(
        fresh_testbench,
        sheets=[
            {"title": "Sáng kiến", "values": [["a", "b"], ["c", "d"]]},
            {"title": "Tiến độ", "values": [["1"]]},
        ],
    )
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES))
    api.session.get(f"{SHEETS}/{sid}", params={"fields": "spreadsheetId"})  # token fetched here
    fresh_testbench.call("POST", "/_testbench/reset")
    sid = seed(
        fresh_testbench,
        sheets=[
            {"title": "Sáng kiến", "values": [["a", "b"], ["c", "d"]]},
            {"title": "Tiến độ", "values": [["1"]]},
        ],
    )
    ranges = api.values_batch_get(sid, ["'Sáng kiến'!A:Z", "'Tiến độ'", "'Sáng kiến'!A1"])
    s = stats(fresh_testbench)
    assert s["total"] == 1
    assert s["by_method"] == {"sheets.spreadsheets.values.batchGet": 1}
    assert s["by_spreadsheet"] == {sid: {"sheets.spreadsheets.values.batchGet": 1}}
    assert [r["range"] for r in ranges] == ["'Sáng kiến'!A1:Z1000", "'Tiến độ'!A1:Z1000", "'Sáng kiến'!A1"]
    assert ranges[0]["values"] == [["a", "b"], ["c", "d"]]
    assert api.session.api_counts == {"reads": 2, "writes": 0}


def test_trimming_rules(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(
        fresh_testbench,
        sheets=[
            {
                "title": "Sheet1",
                "rows": 10,
                "cols": 6,
                "values": [
                    ["a", "", "c", "", ""],
                    ["", "", "", "", ""],
                    ["", "x", "", "", ""],
                    ["", "", "", "", ""],
                ],
            }
        ],
        input="RAW",
    )
    session = google_session_factory(gh.READONLY_SCOPES)
    whole = session.get(f"{SHEETS}/{sid}/values/Sheet1").json()
    assert whole == {
        "range": "Sheet1!A1:F10",
        "majorDimension": "ROWS",
        "values": [["a", "", "c"], [], ["", "x"]],
    }
    empty = session.get(f"{SHEETS}/{sid}/values/Sheet1!D5:E6").json()
    assert empty == {"range": "Sheet1!D5:E6", "majorDimension": "ROWS"}
    cols = session.get(f"{SHEETS}/{sid}/values/Sheet1!A1:C3", params={"majorDimension": "COLUMNS"}).json()
    assert cols["values"] == [["a"], ["", "", "x"], ["c"]]
    clamped = session.get(f"{SHEETS}/{sid}/values/Sheet1!B2:Z99").json()
    assert clamped["range"] == "Sheet1!B2:F10"
    beyond = session.get(f"{SHEETS}/{sid}/values/Sheet1!A20:B21")
    assert beyond.status_code == 400
    assert beyond.json()["error"]["message"] == (
        "Range (Sheet1!A20:B21) exceeds grid limits. Max rows: 10, max columns: 6"
    )


def test_serial_dates_and_render_options(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench, sheets=[{"title": "S", "values": [["2020-01-01", "=1/3", "12%"]]}])
    session = google_session_factory(gh.READONLY_SCOPES)

    def get(**params: str) -> list:
        return session.get(f"{SHEETS}/{sid}/values/S!A1:C1", params=params).json()["values"][0]

    assert get(valueRenderOption="UNFORMATTED_VALUE") == [43831, pytest.approx(1 / 3), 0.12]
    assert (
        get(valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING")[0] == "2020-01-01"
    )
    assert get(valueRenderOption="FORMULA") == [43831, "=1/3", 0.12]
    assert get() == ["2020-01-01", "0.3333333333", "12.00%"]


def test_writes_past_the_grid_and_outside_the_range_are_rejected(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench, sheets=[{"title": "Sheet1", "rows": 5, "cols": 3}])
    session = google_session_factory()
    r = session.put(
        f"{SHEETS}/{sid}/values/Sheet1!A5",
        params={"valueInputOption": "RAW"},
        json={"values": [["a"], ["b"]]},
    )
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Range (Sheet1!A5:A6) exceeds grid limits. Max rows: 5, max columns: 3",
    }
    r = session.put(
        f"{SHEETS}/{sid}/values/Sheet1!A1:B1",
        params={"valueInputOption": "RAW"},
        json={"values": [["a", "b", "c"]]},
    )
    assert r.json()["error"]["message"] == (
        "Requested writing within range [Sheet1!A1:B1], but tried writing to column [C]"
    )
    # values.append grows rows (not columns) like the API.
    for i in range(7):
        r = session.post(
            f"{SHEETS}/{sid}/values/Sheet1:append",
            params={"valueInputOption": "RAW"},
            json={"values": [[f"r{i}"]]},
        )
        assert r.status_code == 200, r.text
    assert r.json()["updates"]["updatedRange"] == "Sheet1!A7"
    meta = session.get(f"{SHEETS}/{sid}", params={"fields": "sheets.properties.gridProperties"})
    assert meta.json()["sheets"][0]["properties"]["gridProperties"]["rowCount"] == 7


def test_batch_update_is_atomic(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench, title="Tổng hợp")
    session = google_session_factory()
    before = fresh_testbench.call("GET", f"/_testbench/spreadsheets/{sid}")
    r = session.post(
        f"{SHEETS}/{sid}:batchUpdate",
        json={
            "requests": [
                {"addSheet": {"properties": {"title": "Tiến độ"}}},
                {"deleteSheet": {"sheetId": 424242}},
            ]
        },
    )
    assert r.status_code == 400
    assert r.json()["error"] == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "Invalid requests[1].deleteSheet: No grid with id: 424242",
    }
    after = fresh_testbench.call("GET", f"/_testbench/spreadsheets/{sid}")
    assert [s["title"] for s in after["sheets"]] == ["Sheet1"]
    assert after["modifiedTime"] == before["modifiedTime"] and after["version"] == before["version"]


def test_provisioning_requests(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    """The batchUpdate kinds `provision` sends, applied and visible through spreadsheets.get."""
    sid = seed(fresh_testbench, sheets=[{"title": "Sáng kiến", "values": [["Tên sáng kiến"]]}])
    session = google_session_factory()
    rng = {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}
    r = session.post(
        f"{SHEETS}/{sid}:batchUpdate",
        json={
            "requests": [
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                        "fields": "gridProperties.frozenRowCount",
                    }
                },
                {
                    "repeatCell": {
                        "range": rng,
                        "cell": {
                            "userEnteredFormat": {
                                "textFormat": {"bold": True},
                                "backgroundColor": {"red": 0.8, "green": 0.9},
                            }
                        },
                        "fields": "userEnteredFormat(textFormat,backgroundColor)",
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                        "properties": {"pixelSize": 320},
                        "fields": "pixelSize",
                    }
                },
                {"addProtectedRange": {"protectedRange": {"range": rng, "warningOnly": True}}},
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 1,
                            "endRowIndex": 100,
                            "startColumnIndex": 1,
                            "endColumnIndex": 2,
                        },
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": "Giải pháp kỹ thuật"}],
                            },
                            "strict": True,
                            "showCustomUi": True,
                        },
                    }
                },
                {
                    "addConditionalFormatRule": {
                        "rule": {
                            "ranges": [rng],
                            "booleanRule": {
                                "condition": {"type": "BLANK"},
                                "format": {"textFormat": {"italic": True}},
                            },
                        }
                    }
                },
                {"addSheet": {"properties": {"title": "Hướng dẫn", "hidden": False}}},
                {
                    "updateSpreadsheetProperties": {
                        "properties": {"title": "XD01 – Sáng kiến"},
                        "fields": "title",
                    }
                },
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert set(r.json()["replies"][3]) == {"addProtectedRange"}
    meta = session.get(
        f"{SHEETS}/{sid}", params={"includeGridData": "true", "ranges": "'Sáng kiến'!A1:B2"}
    ).json()
    sheet = meta["sheets"][0]
    assert sheet["properties"]["gridProperties"]["frozenRowCount"] == 1
    cell = sheet["data"][0]["rowData"][0]["values"][0]
    assert cell["userEnteredFormat"]["textFormat"] == {"bold": True}
    assert cell["userEnteredFormat"]["backgroundColorStyle"] == {"rgbColor": {"red": 0.8, "green": 0.8980392}}
    assert sheet["data"][0]["columnMetadata"][0] == {"pixelSize": 320}
    assert sheet["protectedRanges"][0]["warningOnly"] is True
    assert "dataValidation" in sheet["data"][0]["rowData"][1]["values"][1]
    assert len(sheet["conditionalFormats"]) == 1
    assert meta["properties"]["title"] == "XD01 – Sáng kiến"
    files = session.get(f"{DRIVE}/{sid}", params={"fields": "name"}).json()
    assert files == {"name": "XD01 – Sáng kiến"}


# --- Drive -----------------------------------------------------------------------------------


def test_drive_modified_time_and_version_move(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    ids = [seed(fresh_testbench, title=f"Đơn vị {i}") for i in range(3)]
    seed(fresh_testbench, title="riêng tư", private=True)
    api = gh.GoogleApi(google_session_factory(gh.READWRITE_SCOPES))
    before = api.list_files_modified(ids)
    assert set(before) == set(ids)
    assert all(t.endswith("Z") and len(t) == 24 for t, _ in before.values())
    api.session.put(
        f"{SHEETS}/{ids[0]}/values/A1", params={"valueInputOption": "RAW"}, json={"values": [["x"]]}
    ).raise_for_status()
    fresh_testbench.call(
        "POST", f"/_testbench/spreadsheets/{ids[1]}/edit", {"range": "Sheet1!B2", "values": [["người sửa"]]}
    )
    after = api.list_files_modified(ids)
    assert after[ids[0]][0] > before[ids[0]][0] and int(after[ids[0]][1]) > int(before[ids[0]][1])
    assert after[ids[1]][0] > before[ids[1]][0]
    assert after[ids[2]] == before[ids[2]]
    changed = api.list_files_modified(ids, modified_after=before[ids[2]][0])
    assert set(changed) == {ids[0], ids[1]}


def test_drive_list_query_language_and_paging(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    folder = fresh_testbench.call(
        "POST", "/_testbench/files", {"name": "Nguồn", "mimeType": "application/vnd.google-apps.folder"}
    )["id"]
    for i in range(5):
        seed(fresh_testbench, title=f"Sáng kiến {i}", parents=[folder] if i % 2 else None)
    fresh_testbench.call("POST", "/_testbench/files", {"name": "XD09.xlsx"})
    session = google_session_factory(gh.READONLY_SCOPES)

    def names(q: str, **extra: str) -> list[str]:
        r = session.get(DRIVE, params={"q": q, "fields": "files(name)", **extra})
        assert r.status_code == 200, r.text
        return sorted(f["name"] for f in r.json()["files"])

    assert names(f"'{folder}' in parents") == ["Sáng kiến 1", "Sáng kiến 3"]
    assert names("name contains 'kiến' and trashed = false") == [f"Sáng kiến {i}" for i in range(5)]
    assert names("name = 'Sáng kiến 2' or name = \"Sáng kiến 4\"") == ["Sáng kiến 2", "Sáng kiến 4"]
    assert names("not mimeType = 'application/vnd.google-apps.spreadsheet'") == ["Nguồn", "XD09.xlsx"]
    bad = session.get(DRIVE, params={"q": "id = 'abc'"})
    assert bad.status_code == 400
    assert bad.json() == {
        "error": {
            "code": 400,
            "message": "Invalid Value",
            "errors": [
                {
                    "message": "Invalid Value",
                    "domain": "global",
                    "reason": "invalid",
                    "location": "q",
                    "locationType": "parameter",
                }
            ],
        }
    }
    assert session.get(DRIVE, params={"pageSize": "1001"}).status_code == 400
    # Paging, and the POST + X-HTTP-Method-Override form Google's clients use for long URLs.
    api = gh.GoogleApi(session)
    all_ids = [f["id"] for f in session.get(DRIVE, params={"fields": "files(id)"}).json()["files"]]
    before = stats(fresh_testbench)["by_method"]["drive.files.list"]
    assert len(api.list_files(all_ids, page_size=2)) == 5
    assert stats(fresh_testbench)["by_method"]["drive.files.list"] - before == 3
    r = session.post(
        DRIVE,
        data={"q": "name contains 'Sáng'", "fields": "files(name)"},
        headers={"X-HTTP-Method-Override": "GET"},
    )
    assert r.status_code == 200 and len(r.json()["files"]) == 5


def test_access_errors_match_the_real_api(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    private = seed(fresh_testbench, private=True)
    xlsx = fresh_testbench.call("POST", "/_testbench/files", {"name": "XD02.xlsx"})["id"]
    session = google_session_factory(gh.READONLY_SCOPES)
    r = session.get(f"{SHEETS}/{private}")
    assert (r.status_code, r.json()) == (
        403,
        {
            "error": {
                "code": 403,
                "message": "The caller does not have permission",
                "status": "PERMISSION_DENIED",
            }
        },
    )
    r = session.get(f"{SHEETS}/doesnotexist")
    assert (r.status_code, r.json()["error"]["status"]) == (404, "NOT_FOUND")
    r = session.get(f"{SHEETS}/{xlsx}/values:batchGet", params={"ranges": "A1"})
    assert (r.status_code, r.json()["error"]) == (
        400,
        {
            "code": 400,
            "message": "This operation is not supported for this document",
            "status": "FAILED_PRECONDITION",
        },
    )
    r = session.get(f"{DRIVE}/{private}")
    assert r.status_code == 404
    assert r.json()["error"]["errors"][0]["reason"] == "notFound"
    assert r.json()["error"]["message"] == f"File not found: {private}."
    fresh_testbench.call("POST", f"/_testbench/files/{xlsx}/access", {"forbidden": True})
    assert session.get(f"{SHEETS}/{xlsx}").status_code == 403


def test_permissions_create_list_delete(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    gc = gh.gspread_client(google_session_factory())
    sh = gc.create("Mẫu")
    sh.share("to.ho.tro@congdoan.example", perm_type="user", role="writer", notify=False)
    perms = sh.list_permissions()
    assert {p["emailAddress"]: p["role"] for p in perms} == {
        fresh_testbench.service_account_email: "owner",
        "to.ho.tro@congdoan.example": "writer",
    }
    pid = next(p["id"] for p in perms if p["role"] == "writer")
    sh.remove_permissions("to.ho.tro@congdoan.example")
    assert all(p["id"] != pid for p in sh.list_permissions())
    assert "drive.permissions.create" in stats(fresh_testbench)["by_method"]


# --- tokens ----------------------------------------------------------------------------------


def _key_info(tb: Testbench) -> dict[str, Any]:
    return json.loads(tb.credentials_path.read_text())


def test_token_scopes_are_recorded_and_enforced(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench)
    session = google_session_factory(gh.READONLY_SCOPES)
    assert session.get(f"{SHEETS}/{sid}/values/A1").status_code == 200
    r = session.put(f"{SHEETS}/{sid}/values/A1", params={"valueInputOption": "RAW"}, json={"values": [["x"]]})
    assert r.status_code == 403
    err = r.json()["error"]
    assert err["message"] == "Request had insufficient authentication scopes."
    assert err["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    tokens = fresh_testbench.call("GET", "/_testbench/tokens")["tokens"]
    assert tokens[-1]["scopes"] == list(gh.READONLY_SCOPES)
    assert "access_token" not in json.dumps(tokens)


def test_missing_and_unknown_tokens_are_401(fresh_testbench: Testbench) -> None:
    sid = seed(fresh_testbench)
    status, body = raw(fresh_testbench, "GET", f"/v4/spreadsheets/{sid}")
    assert status == 401 and body["error"]["status"] == "UNAUTHENTICATED"
    assert body["error"]["details"][0]["reason"] == "CREDENTIALS_MISSING"
    status, body = raw(
        fresh_testbench, "GET", f"/drive/v3/files/{sid}", headers={"Authorization": "Bearer ya29.made-up"}
    )
    assert status == 401 and body["error"]["errors"][0]["reason"] == "authError"


def test_bad_signature_is_invalid_grant(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    info = _key_info(fresh_testbench)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    info["private_key"] = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    creds = service_account.Credentials.from_service_account_info(info, scopes=gh.READONLY_SCOPES)
    session = google_session_factory(credentials=creds)
    with pytest.raises(RefreshError) as err:
        session.get(f"{DRIVE}")
    assert "invalid_grant" in str(err.value) and "Invalid JWT Signature" in str(err.value)
    mapped = gh.error_from_exception(err.value)
    assert mapped.reason == "auth_failed" and "PRIVATE KEY" not in str(mapped)


def test_expired_or_long_lived_jwt_is_refused(fresh_testbench: Testbench) -> None:
    info = _key_info(fresh_testbench)
    signer = crypt.RSASigner.from_service_account_info(info)
    now = int(time.time())
    for iat, exp in ((now - 7200, now - 3600), (now, now + 7200)):
        assertion = jwt.encode(
            signer,
            {
                "iss": info["client_email"],
                "aud": "https://oauth2.googleapis.com/token",
                "scope": gh.SCOPE_SHEETS_READONLY,
                "iat": iat,
                "exp": exp,
            },
        ).decode()
        r = requests.post(
            fresh_testbench.url + "/token",
            data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion},
            timeout=5,
        )
        assert r.status_code == 400
        assert r.json()["error"] == "invalid_grant"
        assert "short-lived token" in r.json()["error_description"]
    wrong_aud = jwt.encode(
        signer,
        {
            "iss": info["client_email"],
            "aud": "https://example.com",
            "scope": "x",
            "iat": now,
            "exp": now + 600,
        },
    ).decode()
    r = requests.post(
        fresh_testbench.url + "/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": wrong_aud},
        timeout=5,
    )
    assert r.json()["error"] == "invalid_grant" and "audience" in r.json()["error_description"]


def test_authorized_user_refresh_grant(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    who = "can.bo@congdoan.example"
    sid = seed(fresh_testbench, shared_with=[who], role="reader", sheets=[{"title": "S", "values": [["ok"]]}])
    info = fresh_testbench.call("POST", "/_testbench/oauth/authorized-user", {"email": who})
    creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=list(gh.READONLY_SCOPES))
    api = gh.GoogleApi(google_session_factory(credentials=creds))
    assert api.values_batch_get(sid, ["S!A1"])[0]["values"] == [["ok"]]
    assert fresh_testbench.call("GET", "/_testbench/tokens")["tokens"][-1]["email"] == who
    assert stats(fresh_testbench)["auth"]["oauth2.token"] >= 1
    # The service account cannot see the user's spreadsheet: it was not shared with it.
    sa = google_session_factory(gh.READONLY_SCOPES)
    assert sa.get(f"{SHEETS}/{sid}").status_code == 403


def test_expired_access_token_is_refreshed_transparently(
    fresh_testbench: Testbench, google_session_factory: Any
) -> None:
    sid = seed(fresh_testbench)
    session = google_session_factory(gh.READONLY_SCOPES)
    assert session.get(f"{SHEETS}/{sid}").status_code == 200
    fresh_testbench.call("POST", "/_testbench/clock", {"advance_s": 7200})
    try:
        assert session.get(f"{SHEETS}/{sid}").status_code == 200
        assert stats(fresh_testbench)["by_status"].get("401") == 1
    finally:
        fresh_testbench.call("POST", "/_testbench/clock", {"offset_s": 0})


# --- faults and quotas -----------------------------------------------------------------------


def test_injected_429_twice_then_success(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench, sheets=[{"title": "S", "values": [["v"]]}])
    fresh_testbench.call(
        "POST",
        "/_testbench/faults",
        {"method": "sheets.spreadsheets.values.batchGet", "spreadsheet": sid, "status": 429, "times": 2},
    )
    api = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES))
    assert api.values_batch_get(sid, ["S!A1"])[0]["values"] == [["v"]]
    s = stats(fresh_testbench)
    assert s["by_method"]["sheets.spreadsheets.values.batchGet"] == 3
    assert s["by_status"] == {"429": 2, "200": 1}
    assert api.session.retries == 2


def test_fault_bodies_are_the_real_ones(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    session = google_session_factory(gh.READONLY_SCOPES, max_attempts=1)
    for status, grpc in ((429, "RESOURCE_EXHAUSTED"), (500, "INTERNAL"), (503, "UNAVAILABLE")):
        fresh_testbench.call(
            "POST", "/_testbench/faults", {"method": "sheets.spreadsheets.get", "status": status}
        )
        r = session.get(f"{SHEETS}/{sid}")
        assert r.status_code == status and r.json()["error"]["status"] == grpc
    fresh_testbench.call("POST", "/_testbench/faults", {"method": "drive.files.get", "status": 503})
    r = session.get(f"{DRIVE}/{sid}")
    assert r.json()["error"]["errors"][0]["reason"] == "backendError"
    fresh_testbench.call("POST", "/_testbench/faults", {"method": "sheets.*", "status": 502})
    r = session.get(f"{SHEETS}/{sid}")
    assert r.status_code == 502 and r.headers["Content-Type"].startswith("text/html")
    err = gspread.exceptions.APIError(r)
    assert err.code == -1


def test_quota_gives_real_429_bodies(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    sid = seed(fresh_testbench)
    fresh_testbench.call("POST", "/_testbench/quota", {"reads_per_minute": 3})
    session = google_session_factory(gh.READONLY_SCOPES, max_attempts=1)
    codes = [session.get(f"{SHEETS}/{sid}/values/A1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    err = session.get(f"{SHEETS}/{sid}/values/A1").json()["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute "
        "per user' of service 'sheets.googleapis.com' for consumer 'project_number:"
    )
    assert err["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    # Drive calls do not use the Sheets quota.
    assert session.get(f"{DRIVE}/{sid}").status_code == 200


def test_method_not_found_is_googles_html_404(fresh_testbench: Testbench) -> None:
    status, body = raw(fresh_testbench, "GET", "/v4/nothing-here")
    assert status == 404 and "Error 404" in body


def test_gmail_send_needs_delegation(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    import base64

    message = (
        b"From: bao.cao@congdoan.example\r\nTo: lanh.dao@congdoan.example\r\n"
        b"Subject: =?utf-8?b?" + base64.b64encode("Báo cáo tháng".encode()) + b"?=\r\n\r\nXin chao\r\n"
    )
    delegated = gh.GoogleApi(google_session_factory(gh.GMAIL_SCOPES, subject="bao.cao@congdoan.example"))
    sent = delegated.send_mail(message)
    assert sent["labelIds"] == ["SENT"] and sent["id"]
    mail = fresh_testbench.call("GET", "/_testbench/mail")["messages"]
    assert mail[0]["subject"] == "Báo cáo tháng"
    assert mail[0]["to"] == ["lanh.dao@congdoan.example"]
    assert mail[0]["userId"] == "bao.cao@congdoan.example"
    plain = gh.GoogleApi(google_session_factory(gh.GMAIL_SCOPES))
    with pytest.raises(gh.GoogleApiError) as err:
        plain.send_mail(message)
    assert err.value.status == 400 and "Precondition check failed" in err.value.message
    readonly = gh.GoogleApi(google_session_factory(gh.READONLY_SCOPES, subject="bao.cao@congdoan.example"))
    with pytest.raises(gh.GoogleApiError) as err:
        readonly.send_mail(message)
    assert err.value.reason == "insufficient_scope"
    assert stats(fresh_testbench)["by_method"]["gmail.users.messages.send"] == 3


def test_iam_allowed_locations_is_answered_and_counted_as_auth(
    fresh_testbench: Testbench, google_session_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # google-auth 2.63 made the lookup opt-in (it was always on before); the testbench must
    # answer it either way, for whoever turns it on.
    monkeypatch.setenv("GOOGLE_SDK_EXPERIMENTAL_PYTHON_REGIONAL_ACCESS_BOUNDARY_LOOKUP_ENABLED", "1")
    session = google_session_factory(gh.READONLY_SCOPES)
    session.get(DRIVE).raise_for_status()
    deadline = time.monotonic() + 3
    name = "iamcredentials.projects.serviceAccounts.getAllowedLocations"
    while name not in stats(fresh_testbench)["auth"] and time.monotonic() < deadline:
        time.sleep(0.05)  # google-auth looks it up in a background thread
    s = stats(fresh_testbench)
    assert s["auth"].get(name, 0) >= 1
    assert s["total"] == 1 and s["by_method"] == {"drive.files.list": 1}


def test_atomic_tab_swap_in_one_batch(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    """The master's swap: fill a staging tab, then delete the old tab and rename the staging one
    in a single batchUpdate."""
    sid = seed(fresh_testbench, sheets=[{"title": "Sáng kiến", "values": [["cũ"]]}])
    session = google_session_factory()
    add = session.post(
        f"{SHEETS}/{sid}:batchUpdate",
        json={"requests": [{"addSheet": {"properties": {"title": "Sáng kiến (mới)"}}}]},
    ).json()
    new_id = add["replies"][0]["addSheet"]["properties"]["sheetId"]
    session.put(
        f"{SHEETS}/{sid}/values/'Sáng kiến (mới)'!A1",
        params={"valueInputOption": "RAW"},
        json={"values": [["=1+1", "mới"]]},
    ).raise_for_status()
    r = session.post(
        f"{SHEETS}/{sid}:batchUpdate",
        json={
            "requests": [
                {"deleteSheet": {"sheetId": 0}},
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": new_id, "title": "Sáng kiến", "index": 0},
                        "fields": "title,index",
                    }
                },
            ]
        },
    )
    assert r.status_code == 200, r.text
    got = session.get(
        f"{SHEETS}/{sid}/values/'Sáng kiến'", params={"valueRenderOption": "UNFORMATTED_VALUE"}
    ).json()
    assert got["values"] == [["=1+1", "mới"]]  # RAW: text, not a formula (which would give 2)
    dump = fresh_testbench.call("GET", f"/_testbench/spreadsheets/{sid}")
    assert [(s["title"], s["properties"]["index"]) for s in dump["sheets"]] == [("Sáng kiến", 0)]


def test_spreadsheet_error_values(fresh_testbench: Testbench, google_session_factory: Any) -> None:
    """What a unit's broken formulas look like to a reader (the product's `formula_error`)."""
    sid = seed(
        fresh_testbench,
        sheets=[{"title": "S", "values": [["=1/0", "=NA()", "='Đã xoá'!A1", "=FOO()", "=2*3"]]}],
    )
    session = google_session_factory(gh.READONLY_SCOPES)
    got = session.get(
        f"{SHEETS}/{sid}/values/S!A1:E1", params={"valueRenderOption": "UNFORMATTED_VALUE"}
    ).json()
    assert got["values"] == [["#DIV/0!", "#N/A", "#REF!", "#NAME?", 6]]


def test_serve_entry_point_prints_url_and_writes_key(tmp_path: Any) -> None:
    """`sangkien testbench` calls `serve(host, port, credentials_out)`: blocking, prints the URL."""
    import signal
    import subprocess
    import sys

    key = tmp_path / "sa.json"
    code = (
        "from pathlib import Path; from sync.testbench.server import serve; "
        f"serve('127.0.0.1', 0, Path({str(key)!r}))"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline() if proc.stdout else ""
        url = first.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "/_testbench/health", timeout=5) as resp:
            assert json.loads(resp.read())["ok"] is True
        info = json.loads(key.read_text())
        assert info["type"] == "service_account"
        assert info["token_uri"] == "https://oauth2.googleapis.com/token"
        assert info["client_email"].endswith(".iam.gserviceaccount.com")
        assert oct(key.stat().st_mode & 0o777) == "0o600"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
