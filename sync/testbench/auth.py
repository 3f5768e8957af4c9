"""OAuth 2.0 token endpoint, bearer-token checks and the IAM `allowedLocations` lookup.

The testbench owns a real RSA key pair and writes a real service-account key file; the token
endpoint verifies the RS256 JWT-bearer assertion against that public key, checks `aud`, `iat` and
`exp` the way Google does and records the requested scopes, so tests can assert least privilege.
Authorized-user (OAuth) refresh tokens are issued through a control endpoint. Access tokens are
opaque; every API call must carry one with a scope its method accepts.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import ApiError
from sync.testbench.state import PROJECT_ID, Store, TokenInfo

TOKEN_AUDIENCES = (
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
)
TOKEN_LIFETIME_S = 3600
_AUTH = "https://www.googleapis.com/auth/"

_SHEETS_READ = ("drive", "drive.file", "drive.readonly", "spreadsheets", "spreadsheets.readonly")
_SHEETS_WRITE = ("drive", "drive.file", "spreadsheets")
_DRIVE_META_READ = (
    "drive",
    "drive.appdata",
    "drive.file",
    "drive.meet.readonly",
    "drive.metadata",
    "drive.metadata.readonly",
    "drive.photos.readonly",
    "drive.readonly",
)
_DRIVE_PERM_READ = (
    "drive",
    "drive.file",
    "drive.meet.readonly",
    "drive.metadata",
    "drive.metadata.readonly",
    "drive.photos.readonly",
    "drive.readonly",
)

# Scopes each method accepts, from Google's discovery documents (sheets v4, drive v3, gmail v1).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "sheets.spreadsheets.get": _SHEETS_READ,
    "sheets.spreadsheets.values.get": _SHEETS_READ,
    "sheets.spreadsheets.values.batchGet": _SHEETS_READ,
    "sheets.spreadsheets.create": _SHEETS_WRITE,
    "sheets.spreadsheets.batchUpdate": _SHEETS_WRITE,
    "sheets.spreadsheets.getByDataFilter": _SHEETS_WRITE,
    "sheets.spreadsheets.values.batchGetByDataFilter": _SHEETS_WRITE,
    "sheets.spreadsheets.values.update": _SHEETS_WRITE,
    "sheets.spreadsheets.values.batchUpdate": _SHEETS_WRITE,
    "sheets.spreadsheets.values.append": _SHEETS_WRITE,
    "sheets.spreadsheets.values.clear": _SHEETS_WRITE,
    "sheets.spreadsheets.values.batchClear": _SHEETS_WRITE,
    "drive.files.get": _DRIVE_META_READ,
    "drive.files.list": _DRIVE_META_READ,
    "drive.files.create": ("drive", "drive.appdata", "drive.file"),
    "drive.files.copy": ("drive", "drive.appdata", "drive.file", "drive.photos.readonly"),
    "drive.files.update": (
        "drive",
        "drive.appdata",
        "drive.file",
        "drive.metadata",
        "drive.scripts",
    ),
    "drive.files.delete": ("drive", "drive.appdata", "drive.file"),
    "drive.permissions.create": ("drive", "drive.file"),
    "drive.permissions.delete": ("drive", "drive.file"),
    "drive.permissions.list": _DRIVE_PERM_READ,
    "drive.permissions.get": _DRIVE_PERM_READ,
    "gmail.users.messages.send": (
        "https://mail.google.com/",
        "gmail.addons.current.action.compose",
        "gmail.compose",
        "gmail.modify",
        "gmail.send",
    ),
}


def full_scope(short: str) -> str:
    return short if short.startswith("https://") else _AUTH + short


# --- keys ------------------------------------------------------------------------------------


def new_service_account_key(store: Store, email: str) -> dict[str, Any]:
    """A real service-account key (fresh RSA 2048) whose public half the token endpoint trusts."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    kid = secrets.token_hex(20)
    store.service_accounts[email] = {"kid": kid, "public_key": key.public_key()}
    client_id = str(100000000000000000000 + secrets.randbelow(10**20))
    return {
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": kid,
        "private_key": pem,
        "client_email": email,
        "client_id": client_id,
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": (
            "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40")
        ),
        "universe_domain": "googleapis.com",
    }


def new_authorized_user(store: Store, email: str, scopes: list[str] | None = None) -> dict:
    """An OAuth user's `authorized_user` JSON (client id/secret + refresh token)."""
    client_id = f"{secrets.randbelow(10**12):012d}-testbench.apps.googleusercontent.com"
    secret = "GOCSPX-" + secrets.token_urlsafe(21)
    refresh = "1//0tb-" + secrets.token_urlsafe(40)
    store.oauth_clients[client_id] = secret
    store.refresh_tokens[refresh] = {
        "email": email,
        "client_id": client_id,
        "scopes": [full_scope(s) for s in (scopes or [])],
    }
    return {
        "type": "authorized_user",
        "client_id": client_id,
        "client_secret": secret,
        "refresh_token": refresh,
        "account": email,
        "universe_domain": "googleapis.com",
    }


# --- token endpoint --------------------------------------------------------------------------


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return ApiError(status, {"error": error, "error_description": description})


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _issue(store: Store, email: str, scopes: list[str], grant: str, subject: str | None) -> dict:
    token = "ya29.tb-" + secrets.token_urlsafe(48)
    info = TokenInfo(
        token=token,
        email=email,
        scopes=tuple(scopes),
        expires_at=store.clock.now() + TOKEN_LIFETIME_S,
        grant=grant,
        subject=subject,
    )
    store.tokens[token] = info
    store.token_log.append(info.public())
    return {
        "access_token": token,
        "expires_in": TOKEN_LIFETIME_S - 1,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }


def _jwt_grant(store: Store, assertion: str) -> dict:
    try:
        head_b64, body_b64, sig_b64 = assertion.split(".")
        header = json.loads(_b64(head_b64))
        claims = json.loads(_b64(body_b64))
        signature = _b64(sig_b64)
    except (ValueError, json.JSONDecodeError):
        raise _oauth_error(400, "invalid_grant", "Invalid JWT: malformed assertion.") from None
    if header.get("alg") != "RS256":
        raise _oauth_error(400, "invalid_grant", "Invalid JWT Signature.")
    account = store.service_accounts.get(str(claims.get("iss", "")))
    if account is None:
        raise _oauth_error(400, "invalid_grant", "Invalid grant: account not found")
    try:
        account["public_key"].verify(
            signature,
            f"{head_b64}.{body_b64}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise _oauth_error(400, "invalid_grant", "Invalid JWT Signature.") from None
    if claims.get("aud") not in TOKEN_AUDIENCES:
        raise _oauth_error(
            400,
            "invalid_grant",
            "Invalid JWT: Failed audience check. The right audience is https://oauth2.googleapis.com/token",
        )
    # JWTs are signed with the client's real clock: check them against real time, not the
    # testbench's adjustable clock.
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if (
        not isinstance(iat, (int, float))
        or not isinstance(exp, (int, float))
        or exp <= now
        or iat > now + 300
        or exp - iat > TOKEN_LIFETIME_S
    ):
        raise _oauth_error(
            400,
            "invalid_grant",
            "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
            "timeframe. Check your iat and exp values in the JWT claim.",
        )
    scopes = str(claims.get("scope", "")).split()
    if not scopes:
        raise _oauth_error(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    subject = claims.get("sub")
    if subject and not store.settings.get("delegation_enabled", True):
        raise _oauth_error(
            401,
            "unauthorized_client",
            "Client is unauthorized to retrieve access tokens using this method, or client not "
            "authorized for any of the scopes requested.",
        )
    return _issue(store, claims["iss"], scopes, "jwt-bearer", subject)


def _refresh_grant(store: Store, form: dict[str, str]) -> dict:
    client_id = form.get("client_id", "")
    if store.oauth_clients.get(client_id) != form.get("client_secret"):
        raise _oauth_error(401, "invalid_client", "The OAuth client was not found.")
    entry = store.refresh_tokens.get(form.get("refresh_token", ""))
    if entry is None or entry["client_id"] != client_id:
        raise _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
    requested = form.get("scope", "").split()
    granted = entry["scopes"]
    if requested and granted and not set(requested) <= set(granted):
        raise _oauth_error(400, "invalid_scope", "Bad Request")
    return _issue(store, entry["email"], requested or granted, "refresh_token", None)


def token_endpoint(req: ApiRequest) -> Response:
    form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
    grant = form.get("grant_type", "")
    if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
        return Response(200, _jwt_grant(req.store, form.get("assertion", "")))
    if grant == "refresh_token":
        return Response(200, _refresh_grant(req.store, form))
    raise _oauth_error(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")


def allowed_locations(req: ApiRequest) -> Response:
    """IAM credentials' regional access boundary lookup: a global service account."""
    return Response(200, {"locations": [], "encodedLocations": "0x0"})


# --- bearer checks ---------------------------------------------------------------------------

_HELP = "See https://developers.google.com/identity/sign-in/web/devconsole-project."


def _unauthenticated(service: str, reason: str, message: str, method: str) -> ApiError:
    err: dict[str, Any] = {
        "code": 401,
        "message": message,
        "status": "UNAUTHENTICATED",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": f"{service}.googleapis.com", "method": method},
            }
        ],
    }
    if service == "drive":
        err["errors"] = [
            {
                "message": "Invalid Credentials",
                "domain": "global",
                "reason": "authError",
                "location": "Authorization",
                "locationType": "header",
            }
        ]
    return ApiError(401, {"error": err}, {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'})


def authenticate(req: ApiRequest, service: str) -> TokenInfo:
    header = req.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthenticated(
            service,
            "CREDENTIALS_MISSING",
            "Request is missing required authentication credential. Expected OAuth 2 access "
            "token, login cookie or other valid authentication credential. " + _HELP,
            req.api_method,
        )
    info = req.store.tokens.get(header[7:].strip())
    if info is None or info.expires_at <= req.store.clock.now():
        raise _unauthenticated(
            service,
            "ACCESS_TOKEN_EXPIRED" if info else "ACCESS_TOKEN_TYPE_UNSUPPORTED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential. " + _HELP,
            req.api_method,
        )
    accepted = {full_scope(s) for s in METHOD_SCOPES.get(req.api_method, ())}
    if accepted and not accepted & set(info.scopes):
        err: dict[str, Any] = {
            "code": 403,
            "message": "Request had insufficient authentication scopes.",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": {"service": f"{service}.googleapis.com", "method": req.api_method},
                }
            ],
        }
        if service == "drive":
            err["errors"] = [
                {
                    "message": "Insufficient Permission",
                    "domain": "global",
                    "reason": "insufficientPermissions",
                }
            ]
        raise ApiError(403, {"error": err})
    return info
