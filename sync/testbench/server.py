"""HTTP front end of the testbench: routing, counting, faults, quotas, auth; `start`, `serve`.

Stdlib `ThreadingHTTPServer` on loopback: no extra dependency, HTTP/1.1 keep-alive for requests'
connection pool, and a stall (`delay_s`) only blocks the one thread serving that request.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sync.testbench import auth, batch, control, drive, gmail, sheets
from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import ApiError, error_for_status, google_error, quota_exceeded
from sync.testbench.state import PROJECT_NUMBER, SERVICE_ACCOUNT_EMAIL, Store

Handler = Callable[[ApiRequest], Response]

# Google's front end refuses very long request URLs with an HTML 414 page. The exact limit is not
# documented; 16 KiB is what we observed being cited for the Sheets API and keeps us honest
# about not sending unbounded GET URLs (googleapiclient switches to POST above 2 KiB).
MAX_URL_LENGTH = 16384
HTML_414 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    "  <title>Error 414 (Request-URI Too Large)!!1</title>\n"
    "  <p><b>414.</b> <ins>That’s an error.</ins>\n"
    "  <p>The requested URL is too large to process.  <ins>That’s all we know.</ins>\n"
)
HTML_404 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    "  <title>Error 404 (Not Found)!!1</title>\n"
    "  <p><b>404.</b> <ins>That’s an error.</ins>\n"
    "  <p>The requested URL <code>{path}</code> was not found on this server.  "
    "<ins>That’s all we know.</ins>\n"
)


@dataclass(frozen=True)
class Route:
    http_method: str
    pattern: re.Pattern[str]
    name: str  # method id as in Google's discovery documents
    service: str  # sheets | drive | gmail | oauth2 | iamcredentials | control
    handler: Handler
    kind: str = ""  # "read" | "write" for the Sheets quota


def _r(method: str, path: str, name: str, service: str, handler: Handler, kind: str = "") -> Route:
    return Route(method, re.compile("^" + path + "$"), name, service, handler, kind)


_SS = r"/v4/spreadsheets/(?P<id>[^/:]+)"
_FILE = r"/drive/v3/files/(?P<id>[^/]+)"
ROUTES: list[Route] = [
    # Sheets v4
    _r(
        "POST",
        r"/v4/spreadsheets",
        "sheets.spreadsheets.create",
        "sheets",
        sheets.create_spreadsheet,
        "write",
    ),
    _r(
        "GET",
        _SS + r"/values:batchGet",
        "sheets.spreadsheets.values.batchGet",
        "sheets",
        sheets.values_batch_get,
        "read",
    ),
    _r(
        "POST",
        _SS + r"/values:batchGetByDataFilter",
        "sheets.spreadsheets.values.batchGetByDataFilter",
        "sheets",
        sheets.values_batch_get_by_data_filter,
        "read",
    ),
    _r(
        "POST",
        _SS + r"/values:batchUpdate",
        "sheets.spreadsheets.values.batchUpdate",
        "sheets",
        sheets.values_batch_update,
        "write",
    ),
    _r(
        "POST",
        _SS + r"/values:batchClear",
        "sheets.spreadsheets.values.batchClear",
        "sheets",
        sheets.values_batch_clear,
        "write",
    ),
    _r(
        "POST",
        _SS + r"/values/(?P<range>.+):append",
        "sheets.spreadsheets.values.append",
        "sheets",
        sheets.values_append,
        "write",
    ),
    _r(
        "POST",
        _SS + r"/values/(?P<range>.+):clear",
        "sheets.spreadsheets.values.clear",
        "sheets",
        sheets.values_clear,
        "write",
    ),
    _r(
        "GET",
        _SS + r"/values/(?P<range>.+)",
        "sheets.spreadsheets.values.get",
        "sheets",
        sheets.values_get,
        "read",
    ),
    _r(
        "PUT",
        _SS + r"/values/(?P<range>.+)",
        "sheets.spreadsheets.values.update",
        "sheets",
        sheets.values_update,
        "write",
    ),
    _r(
        "POST",
        _SS + r":batchUpdate",
        "sheets.spreadsheets.batchUpdate",
        "sheets",
        batch.batch_update,
        "write",
    ),
    _r("GET", _SS, "sheets.spreadsheets.get", "sheets", sheets.get_spreadsheet, "read"),
    # Drive v3
    _r("GET", r"/drive/v3/files", "drive.files.list", "drive", drive.list_files),
    _r("POST", r"/drive/v3/files", "drive.files.create", "drive", drive.create_file),
    _r("POST", r"/upload/drive/v3/files", "drive.files.create", "drive", drive.create_file),
    _r("POST", _FILE + r"/copy", "drive.files.copy", "drive", drive.copy_file),
    _r("GET", _FILE + r"/permissions", "drive.permissions.list", "drive", drive.list_permissions),
    _r(
        "POST",
        _FILE + r"/permissions",
        "drive.permissions.create",
        "drive",
        drive.create_permission,
    ),
    _r(
        "GET",
        _FILE + r"/permissions/(?P<permission>[^/]+)",
        "drive.permissions.get",
        "drive",
        drive.get_permission,
    ),
    _r(
        "DELETE",
        _FILE + r"/permissions/(?P<permission>[^/]+)",
        "drive.permissions.delete",
        "drive",
        drive.delete_permission,
    ),
    _r("GET", _FILE, "drive.files.get", "drive", drive.get_file),
    _r("PATCH", _FILE, "drive.files.update", "drive", drive.update_file),
    _r("DELETE", _FILE, "drive.files.delete", "drive", drive.delete_file),
    # Gmail v1
    _r(
        "POST",
        r"/gmail/v1/users/(?P<user>[^/]+)/messages/send",
        "gmail.users.messages.send",
        "gmail",
        gmail.send_message,
    ),
    _r(
        "POST",
        r"/upload/gmail/v1/users/(?P<user>[^/]+)/messages/send",
        "gmail.users.messages.send",
        "gmail",
        gmail.send_message,
    ),
    # OAuth 2.0 and IAM credentials (counted under "auth", not in "total")
    _r("POST", r"/token", "oauth2.token", "oauth2", auth.token_endpoint),
    _r("POST", r"/oauth2/v4/token", "oauth2.token", "oauth2", auth.token_endpoint),
    _r("POST", r"/o/oauth2/token", "oauth2.token", "oauth2", auth.token_endpoint),
    _r(
        "GET",
        r"/v1/projects/(?P<project>[^/]+)/serviceAccounts/(?P<email>[^/]+)/allowedLocations",
        "iamcredentials.projects.serviceAccounts.getAllowedLocations",
        "iamcredentials",
        auth.allowed_locations,
    ),
    # Control
    _r("GET", r"/_testbench/health", "health", "control", control.health),
    _r("GET", r"/_testbench/stats", "stats", "control", control.stats),
    _r("POST", r"/_testbench/reset", "reset", "control", control.reset),
    _r("POST", r"/_testbench/faults", "faults", "control", control.add_fault),
    _r("GET", r"/_testbench/faults", "faults", "control", control.list_faults),
    _r("DELETE", r"/_testbench/faults", "faults", "control", control.clear_faults),
    _r("POST", r"/_testbench/quota", "quota", "control", control.set_quota),
    _r("GET", r"/_testbench/mail", "mail", "control", control.mail),
    _r("GET", r"/_testbench/tokens", "tokens", "control", control.tokens),
    _r("GET", r"/_testbench/clock", "clock", "control", control.clock),
    _r("POST", r"/_testbench/clock", "clock", "control", control.clock),
    _r("GET", r"/_testbench/settings", "settings", "control", control.settings),
    _r("POST", r"/_testbench/settings", "settings", "control", control.settings),
    _r("POST", r"/_testbench/oauth/authorized-user", "oauth", "control", control.authorized_user),
    _r("POST", r"/_testbench/spreadsheets", "seed", "control", control.seed_spreadsheet),
    _r("POST", r"/_testbench/files", "seed_file", "control", control.seed_file),
    _r(
        "GET",
        r"/_testbench/(?:spreadsheets|files)/(?P<id>[^/]+)",
        "dump",
        "control",
        control.dump_spreadsheet,
    ),
    _r(
        "POST",
        r"/_testbench/spreadsheets/(?P<id>[^/]+)/edit",
        "edit",
        "control",
        control.edit_as_person,
    ),
    _r(
        "POST",
        r"/_testbench/(?:spreadsheets|files)/(?P<id>[^/]+)/access",
        "access",
        "control",
        control.set_access,
    ),
    _r(
        "DELETE",
        r"/_testbench/(?:spreadsheets|files)/(?P<id>[^/]+)",
        "delete",
        "control",
        control.delete_file,
    ),
]

API_SERVICES = ("sheets", "drive", "gmail")
DISCONNECT = "disconnect"


class App:
    """Routing and the cross-cutting steps every API call goes through, in this order:
    count → injected fault (stall and/or error) → bearer token and scope → quota → handler."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()

    def route(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        path_matched = False
        for route in ROUTES:
            m = route.pattern.match(path)
            if m:
                path_matched = True
                if route.http_method == method:
                    return route, {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
        if path_matched:
            return None
        return None

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response | str:
        store = self.store
        if len(target) > MAX_URL_LENGTH:
            return Response(414, HTML_414, {"Content-Type": "text/html; charset=UTF-8"})
        parts = urlsplit(target)
        params = parse_qs(parts.query, keep_blank_values=True)
        override = headers.get("x-http-method-override")
        if method == "POST" and override:
            method = override.upper()
            if "application/x-www-form-urlencoded" in headers.get("content-type", ""):
                for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
                body = b""
        found = self.route(method, parts.path)
        if found is None:
            return Response(
                404, HTML_404.format(path=parts.path), {"Content-Type": "text/html; charset=UTF-8"}
            )
        route, match = found
        req = ApiRequest(
            method=method,
            path=parts.path,
            params=params,
            body=body,
            headers=headers,
            store=store,
            match=match,
            api_method=route.name,
        )
        if route.service == "control":
            with store.lock:
                return self._run(route, req)
        resource = match.get("id")
        with store.lock:
            if route.service in API_SERVICES:
                store.count(route.name, resource)
            else:
                store.auth_calls[route.name] += 1
            fault = store.take_fault(route.name, resource, route.service in API_SERVICES)
            generation = store.generation
        if fault is not None:
            if fault.delay_s:
                time.sleep(fault.delay_s)
                if store.generation != generation:
                    # Reset while stalled (the client gave up, a new test began): drop it.
                    return DISCONNECT
            if fault.action == DISCONNECT:
                return DISCONNECT
            if fault.status is not None:
                if fault.body is not None:
                    return self._finish(route, Response(fault.status, fault.body, fault.headers))
                err = error_for_status(route.service, fault.status, PROJECT_NUMBER, route.name)
                return self._finish(route, Response(err.status, err.body, {**err.headers, **fault.headers}))
        with store.lock:
            try:
                if route.service in API_SERVICES:
                    req.token = auth.authenticate(req, route.service)
                    self._check_quota(route, req)
            except ApiError as err:
                return self._finish(route, Response(err.status, err.body, err.headers))
            return self._finish(route, self._run(route, req))

    def _check_quota(self, route: Route, req: ApiRequest) -> None:
        quota = self.store.quota
        if route.service != "sheets" or not route.kind or not quota:
            return
        limit = quota.get(f"{route.kind}s_per_minute")
        if not limit:
            return
        window = int(self.store.clock.now() // float(quota.get("window_s", 60.0)))
        key = (req.principal, route.kind, window)
        if self.store.quota_windows[key] >= int(limit):
            raise quota_exceeded(route.kind, int(limit), PROJECT_NUMBER, route.name)
        self.store.quota_windows[key] += 1

    def _run(self, route: Route, req: ApiRequest) -> Response:
        try:
            return route.handler(req)
        except ApiError as err:
            return Response(err.status, err.body, err.headers)
        except Exception as exc:  # a testbench bug must still answer like a server would
            traceback.print_exc(file=sys.stderr)
            err = google_error(500, f"testbench internal error: {type(exc).__name__}: {exc}")
            return Response(err.status, err.body)

    def _finish(self, route: Route, response: Response) -> Response:
        if route.service in API_SERVICES:
            self.store.by_status[str(response.status)] += 1
        return response


class _HTTPHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""
    app: App
    verbose = False

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
        # and the client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if self.verbose or os.environ.get("SANGKIEN_TESTBENCH_LOG"):
            super().log_message(format, *args)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        result = self.app.handle(self.command, self.path, headers, body)
        if result == DISCONNECT:
            self.close_connection = True
            return
        assert isinstance(result, Response)
        payload: bytes
        ctype = result.headers.get("Content-Type")
        if result.body is None:
            payload = b""
        elif isinstance(result.body, bytes):
            payload = result.body
        elif isinstance(result.body, str):
            payload = result.body.encode("utf-8")
            ctype = ctype or "text/plain; charset=UTF-8"
        else:
            payload = json.dumps(result.body, ensure_ascii=False).encode("utf-8")
            ctype = ctype or "application/json; charset=UTF-8"
        try:
            self.send_response(result.status)
            if ctype and result.status != 204:
                self.send_header("Content-Type", ctype)
            for key, value in result.headers.items():
                if key != "Content-Type":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (its timeout fired during an injected stall).
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True


class Testbench:
    """A running testbench (see `start`). Use as a context manager or call `stop()`."""

    __test__ = False  # not a pytest test class

    def __init__(self, server: _Server, app: App, credentials_path: Path, tmpdir: str | None) -> None:
        self._server = server
        self.app = app
        self.store = app.store
        self.credentials_path = credentials_path
        self.service_account_email = SERVICE_ACCOUNT_EMAIL
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"
        self._tmpdir = tmpdir
        self._thread: threading.Thread | None = None

    def call(self, method: str, path: str, payload: dict | None = None) -> Any:
        """Call a control endpoint over HTTP (`tb.call("POST", "/_testbench/reset")`)."""
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> Testbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Testbench(url={self.url!r}, service_account={self.service_account_email!r})"


def _make(host: str, port: int, credentials_out: Path | None, verbose: bool = False) -> Testbench:
    app = App()
    key = auth.new_service_account_key(app.store, SERVICE_ACCOUNT_EMAIL)
    tmpdir = None
    if credentials_out is None:
        tmpdir = tempfile.mkdtemp(prefix="sangkien-testbench-")
        credentials_out = Path(tmpdir) / "service-account.json"
    credentials_out = Path(credentials_out)
    credentials_out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(credentials_out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(key, fh, indent=2)
    handler = type("Handler", (_HTTPHandler,), {"app": app, "verbose": verbose})
    server = _Server((host, port), handler)
    return Testbench(server, app, credentials_out, tmpdir)


def start(port: int = 0, credentials_out: Path | None = None, host: str = "127.0.0.1") -> Testbench:
    """Start a testbench in a background thread (port 0 = any free port)."""
    bench = _make(host, port, credentials_out)
    thread = threading.Thread(
        target=bench._server.serve_forever,
        kwargs={"poll_interval": 0.05},  # a quick stop() in tests
        name="sangkien-testbench",
        daemon=True,
    )
    thread.start()
    bench._thread = thread
    return bench


def serve(host: str, port: int, credentials_out: Path | None, verbose: bool = False) -> None:
    """Run the testbench in the foreground until interrupted; prints where it listens.
    `verbose` logs every request line to stderr (also `SANGKIEN_TESTBENCH_LOG=1`)."""
    bench = _make(host, port, credentials_out, verbose)
    print(f"Testbench đang chạy tại {bench.url}", flush=True)
    print(f"Khoá tài khoản dịch vụ: {bench.credentials_path}", flush=True)
    print(
        f"Dùng: SANGKIEN_GOOGLE_EMULATOR={bench.url} GOOGLE_APPLICATION_CREDENTIALS={bench.credentials_path}",
        flush=True,
    )
    try:
        bench._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        bench.stop()
