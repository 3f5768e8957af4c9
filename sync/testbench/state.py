"""Everything the testbench remembers, behind one lock.

State is kept apart from HTTP routing (the idea of googleapis/storage-testbench): handlers take the
store, change it, and return JSON. Spreadsheets are grids of `Cell`s; every Drive file (a Google
Sheet, an uploaded .xlsx) has metadata whose `modifiedTime` and `version` move on every change.
Batch requests run on a copy-on-write transaction so a failing sub-request leaves nothing behind.
"""

from __future__ import annotations

import copy
import datetime as dt
import secrets
import string
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from sync.testbench import a1
from sync.testbench.errors import ApiError, invalid_argument
from sync.testbench.values import Cell

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROJECT_NUMBER = "123456789012"
PROJECT_ID = "testbench-project"
SERVICE_ACCOUNT_EMAIL = f"sangkien-sync@{PROJECT_ID}.iam.gserviceaccount.com"

_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


def new_file_id() -> str:
    """Drive ids of Google Sheets look like `1yXHRaUTFlGV-Axis4vLHtoPvGUj3C_-awA_5sLK8k6g`."""
    return "1" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(43))


def rfc3339(ms: int) -> str:
    moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_rfc3339(text: str) -> int:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


class Clock:
    """Wall clock with an adjustable offset (`/_testbench/clock`): timestamps, token expiry and
    quota windows all read it, so tests can jump ahead instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def now_ms(self) -> int:
        return int(self.now() * 1000)


# --- spreadsheets ----------------------------------------------------------------------------


def _rgb(r: float, g: float, b: float) -> dict:
    return {"rgbColor": {k: v for k, v in (("red", r), ("green", g), ("blue", b)) if v}}


def default_spreadsheet_properties(title: str, locale: str = "en_US", tz: str = "Etc/GMT") -> dict:
    """The properties a new spreadsheet gets (locale and time zone of the creating account)."""
    theme = [
        ("TEXT", (0, 0, 0)),
        ("BACKGROUND", (1, 1, 1)),
        ("ACCENT1", (0.25882354, 0.52156866, 0.95686275)),
        ("ACCENT2", (0.91764706, 0.2627451, 0.20784314)),
        ("ACCENT3", (0.9843137, 0.7372549, 0.015686275)),
        ("ACCENT4", (0.20392157, 0.65882355, 0.3254902)),
        ("ACCENT5", (1, 0.42745098, 0.003921569)),
        ("ACCENT6", (0.27450982, 0.7411765, 0.7764706)),
        ("LINK", (0.06666667, 0.33333334, 0.8)),
    ]
    return {
        "title": title,
        "locale": locale,
        "autoRecalc": "ON_CHANGE",
        "timeZone": tz,
        "defaultFormat": {
            "backgroundColor": {"red": 1, "green": 1, "blue": 1},
            "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
            "verticalAlignment": "BOTTOM",
            "wrapStrategy": "OVERFLOW_CELL",
            "textFormat": {
                "foregroundColor": {},
                "fontFamily": "arial,sans,sans-serif",
                "fontSize": 10,
                "bold": False,
                "italic": False,
                "strikethrough": False,
                "underline": False,
                "foregroundColorStyle": {"rgbColor": {}},
            },
            "backgroundColorStyle": _rgb(1, 1, 1),
        },
        "spreadsheetTheme": {
            "primaryFontFamily": "Arial",
            "themeColors": [{"colorType": k, "color": _rgb(*c)} for k, c in theme],
        },
    }


@dataclass
class Sheet:
    props: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[dict] = field(default_factory=list)
    protected: list[dict] = field(default_factory=list)
    cond_formats: list[dict] = field(default_factory=list)
    basic_filter: dict | None = None
    row_meta: dict[int, dict] = field(default_factory=dict)
    col_meta: dict[int, dict] = field(default_factory=dict)

    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return int(self.props["gridProperties"]["columnCount"])

    def copy(self) -> Sheet:
        """Cells are never mutated in place (see `set_cell`), so a shallow copy of the grid is a
        safe snapshot; everything else is small and deep-copied."""
        return Sheet(
            props=copy.deepcopy(self.props),
            cells=dict(self.cells),
            merges=copy.deepcopy(self.merges),
            protected=copy.deepcopy(self.protected),
            cond_formats=copy.deepcopy(self.cond_formats),
            basic_filter=copy.deepcopy(self.basic_filter),
            row_meta=copy.deepcopy(self.row_meta),
            col_meta=copy.deepcopy(self.col_meta),
        )

    def set_cell(self, r: int, c: int, **changes: Any) -> None:
        old = self.cells.get((r, c))
        cell = replace(old, **changes) if old is not None else Cell(**changes)
        if cell.is_empty() and not cell.extra:
            self.cells.pop((r, c), None)
        else:
            self.cells[(r, c)] = cell

    def data_extent(self) -> tuple[int, int]:
        """(rows, cols) up to the last cell holding a value."""
        rows = cols = 0
        for (r, c), cell in self.cells.items():
            if cell.user is not None:
                rows = max(rows, r + 1)
                cols = max(cols, c + 1)
        return rows, cols


def new_sheet(sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> Sheet:
    return Sheet(
        props={
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
    )


@dataclass
class Spreadsheet:
    id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    named_ranges: list[dict] = field(default_factory=list)

    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def first_visible(self) -> Sheet:
        ordered = sorted(self.sheets, key=lambda s: s.props["index"])
        return next((s for s in ordered if not s.props.get("hidden")), ordered[0])

    def reindex(self) -> None:
        self.sheets.sort(key=lambda s: s.props["index"])
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    def resolve(self, text: str) -> tuple[Sheet, a1.CellRange | None]:
        """`Sheet1!A1:B2` → (sheet, cells); a whole sheet → (sheet, None). Named ranges too."""
        try:
            title, cells = a1.split_range(text)
        except a1.RangeSyntaxError:
            raise invalid_argument(f"Unable to parse range: {text}") from None
        if title is None:
            assert cells is not None
            sheet = self.sheet_by_title(cells)
            if sheet is not None:
                return sheet, None
            named = next((n for n in self.named_ranges if n["name"] == cells), None)
            if named is not None:
                g = named["range"]
                sheet = self.sheet_by_id(int(g.get("sheetId", 0)))
                if sheet is not None:
                    return sheet, a1.CellRange(
                        g.get("startRowIndex"),
                        g.get("endRowIndex"),
                        g.get("startColumnIndex"),
                        g.get("endColumnIndex"),
                    )
            if not a1.looks_like_cells(cells):
                raise invalid_argument(f"Unable to parse range: {text}")
            return self.first_visible(), a1.parse_cells(cells)
        sheet = self.sheet_by_title(title)
        if sheet is None:
            raise invalid_argument(f"Unable to parse range: {text}")
        if cells is None:
            return sheet, None
        try:
            return sheet, a1.parse_cells(cells)
        except a1.RangeSyntaxError:
            named = next((n for n in self.named_ranges if n["name"] == cells), None)
            if named is not None and int(named["range"].get("sheetId", 0)) == sheet.sheet_id:
                g = named["range"]
                return sheet, a1.CellRange(
                    g.get("startRowIndex"),
                    g.get("endRowIndex"),
                    g.get("startColumnIndex"),
                    g.get("endColumnIndex"),
                )
            raise invalid_argument(f"Unable to parse range: {text}") from None


def bounds(sheet: Sheet, rng: a1.CellRange | None) -> tuple[int, int, int, int]:
    """Concrete (r0, c0, r1, c1) of a range on a sheet; open ends run to the grid edge."""
    if rng is None:
        return 0, 0, sheet.rows, sheet.cols
    r0 = rng.start_row or 0
    c0 = rng.start_col or 0
    r1 = rng.end_row if rng.end_row is not None else sheet.rows
    c1 = rng.end_col if rng.end_col is not None else sheet.cols
    return r0, c0, r1, c1


def grid_limit_error(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> ApiError:
    where = a1.format_range(sheet.title, r0, c0, max(r1, r0 + 1), max(c1, c0 + 1))
    return invalid_argument(
        f"Range ({where}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
    )


# --- drive -----------------------------------------------------------------------------------


@dataclass
class DriveFile:
    id: str
    name: str
    mime_type: str
    owner: str
    created_ms: int
    modified_ms: int
    version: int = 1
    parents: list[str] = field(default_factory=list)
    trashed: bool = False
    starred: bool = False
    description: str | None = None
    permissions: list[dict] = field(default_factory=list)
    content: bytes | None = None
    forbidden: bool = False  # control flag: every API call on it answers 403
    last_modifying: str | None = None


ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 3,
    "organizer": 4,
    "owner": 5,
}


def access_rank(file: DriveFile, email: str | None) -> int:
    """The strongest role `email` holds on the file (0 = none)."""
    best = 0
    domain = email.split("@", 1)[1].lower() if email and "@" in email else None
    for perm in file.permissions:
        kind = perm.get("type")
        if (
            (kind in ("user", "group") and email and perm.get("emailAddress", "").lower() == email.lower())
            or kind == "anyone"
            or (kind == "domain" and domain and perm.get("domain", "").lower() == domain)
        ):
            best = max(best, ROLE_RANK.get(perm.get("role", ""), 0))
    return best


# --- the store -------------------------------------------------------------------------------


@dataclass
class TokenInfo:
    token: str
    email: str
    scopes: tuple[str, ...]
    expires_at: float
    grant: str  # "jwt-bearer" | "refresh_token"
    subject: str | None = None  # domain-wide delegation: the user the service account acts as

    @property
    def principal(self) -> str:
        return self.subject or self.email

    def public(self) -> dict:
        """What `/_testbench/tokens` shows: never the token itself."""
        return {
            "email": self.email,
            "subject": self.subject,
            "scopes": list(self.scopes),
            "grant": self.grant,
            "expires_at": self.expires_at,
        }


@dataclass
class Fault:
    method: str | None
    spreadsheet: str | None
    status: int | None
    times: int
    delay_s: float = 0.0
    body: Any = None
    action: str | None = None  # "disconnect": close the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"Retry-After": "2"}

    def matches(self, method: str, resource: str | None, api: bool = True) -> bool:
        """A fault without a method (or `*`) hits API calls only; token and IAM calls are
        faulted by naming them (`oauth2.token`)."""
        if self.times <= 0:
            return False
        if self.method in (None, "*"):
            return api and (self.spreadsheet is None or self.spreadsheet == resource)
        if self.method != method and not (self.method.endswith("*") and method.startswith(self.method[:-1])):
            return False
        return self.spreadsheet is None or self.spreadsheet == resource


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        # Keys and OAuth clients survive a reset: the credentials file stays valid.
        self.service_accounts: dict[str, dict] = {}  # email → {"kid", "public_pem"}
        self.oauth_clients: dict[str, str] = {}  # client_id → secret
        self.refresh_tokens: dict[str, dict] = {}  # token → {"email","client_id","scopes"}
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.generation = getattr(self, "generation", 0) + 1
            self.files: dict[str, DriveFile] = {}
            self.spreadsheets: dict[str, Spreadsheet] = {}
            self.tokens: dict[str, TokenInfo] = getattr(self, "tokens", {})
            self.token_log: list[dict] = []
            self.mail: list[dict] = []
            self.faults: list[Fault] = []
            self.quota: dict[str, Any] = {}
            self.quota_windows: Counter[tuple[str, str, int]] = Counter()
            self.settings = {"delegation_enabled": True, "service_account_can_own": True}
            self.total = 0
            self.by_method: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.by_spreadsheet: dict[str, Counter[str]] = {}
            self.auth_calls: Counter[str] = Counter()

    # counters
    def count(self, method: str, resource: str | None) -> None:
        self.total += 1
        self.by_method[method] += 1
        if resource:
            self.by_spreadsheet.setdefault(resource, Counter())[method] += 1

    def stats(self) -> dict:
        return {
            "total": self.total,
            "by_method": dict(self.by_method),
            "by_spreadsheet": {k: dict(v) for k, v in self.by_spreadsheet.items()},
            "by_status": dict(self.by_status),
            "auth": dict(self.auth_calls),
        }

    # faults
    def take_fault(self, method: str, resource: str | None, api: bool = True) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, resource, api):
                fault.times -= 1
                return fault
        return None

    # files
    def touch(self, file: DriveFile, actor: str | None = None, content: bool = True) -> None:
        """A change: `version` goes up by one; a change of the file itself (not of its sharing)
        also moves `modifiedTime`, strictly increasing at millisecond precision."""
        file.version += 1
        if not content:
            return
        file.modified_ms = max(self.clock.now_ms(), file.modified_ms + 1)
        if actor:
            file.last_modifying = actor

    def create_file(
        self,
        name: str,
        mime_type: str,
        owner: str,
        parents: list[str] | None = None,
        file_id: str | None = None,
    ) -> DriveFile:
        now = self.clock.now_ms()
        file = DriveFile(
            id=file_id or new_file_id(),
            name=name,
            mime_type=mime_type,
            owner=owner,
            created_ms=now,
            modified_ms=now,
            parents=list(parents or []),
        )
        file.permissions.append(
            {
                "kind": "drive#permission",
                "id": permission_id_for(owner),
                "type": "user",
                "emailAddress": owner,
                "role": "owner",
                "displayName": owner.split("@", 1)[0],
                "deleted": False,
                "pendingOwner": False,
            }
        )
        self.files[file.id] = file
        if mime_type == SPREADSHEET_MIME:
            self.spreadsheets[file.id] = Spreadsheet(
                id=file.id,
                props=default_spreadsheet_properties(name),
                sheets=[new_sheet(0, "Sheet1", 0)],
            )
        return file


def permission_id_for(email: str) -> str:
    """Stable numeric permission ids per e-mail, as Drive gives (`anyoneWithLink` for anyone)."""
    digest = sum((i + 1) * ord(ch) for i, ch in enumerate(email.lower()))
    return str(10**19 + digest * 7919 % (10**19))
