"""Error bodies shaped like the real Google APIs.

Sheets, Gmail and IAM answer `{"error": {"code", "message", "status", "details"?}}`; Drive v3 adds
`errors: [{domain, reason, message, location?, locationType?}]` (and clients such as gspread break
when `error.code` is missing). Faults injected through `/_testbench/faults` reuse these bodies, so a
client under test cannot tell an injected 503 from a real one.
"""

from __future__ import annotations

from typing import Any

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_MESSAGES = {
    400: "Request contains an invalid argument.",
    401: "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project.",
    403: "The caller does not have permission",
    404: "Requested entity was not found.",
    409: "The operation was aborted.",
    500: "Internal error encountered.",
    501: "Operation is not implemented, or supported, or enabled.",
    503: "The service is currently unavailable.",
    504: "The request timed out. Please try again.",
}

DRIVE_REASONS = {
    400: ("global", "badRequest", "Bad Request"),
    401: ("global", "authError", "Invalid Credentials"),
    403: ("global", "forbidden", "Forbidden"),
    404: ("global", "notFound", "Not Found"),
    429: ("usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("global", "backendError", "Internal Error"),
    503: ("global", "backendError", "Backend Error"),
    504: ("global", "backendError", "Backend Error"),
}

# Google's front end answers a 502 with an HTML page, not JSON: clients must cope with that.
HTML_502 = (
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n"
    "  <title>Error 502 (Server Error)!!1</title>\n"
    "  <p><b>502.</b> <ins>That’s an error.</ins>\n"
    "  <p>The server encountered a temporary error and could not complete your request."
    "<p>Please try again in 30 seconds.  <ins>That’s all we know.</ins>\n"
)


class ApiError(Exception):
    """An HTTP error response: raise it anywhere in a handler; the server writes it."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def google_error(
    code: int, message: str | None = None, status: str | None = None, details: list | None = None
) -> ApiError:
    err: dict[str, Any] = {
        "code": code,
        "message": message if message is not None else DEFAULT_MESSAGES.get(code, "Error"),
        "status": status or STATUS_NAMES.get(code, "UNKNOWN"),
    }
    if details:
        err["details"] = details
    return ApiError(code, {"error": err})


def drive_error(
    code: int,
    message: str | None = None,
    reason: str | None = None,
    domain: str | None = None,
    location: str | None = None,
    location_type: str | None = None,
) -> ApiError:
    d_domain, d_reason, d_message = DRIVE_REASONS.get(code, ("global", "unknown", "Error"))
    message = message or d_message
    item: dict[str, Any] = {
        "message": message,
        "domain": domain or d_domain,
        "reason": reason or d_reason,
    }
    if location:
        item["location"] = location
        item["locationType"] = location_type or "parameter"
    return ApiError(code, {"error": {"code": code, "message": message, "errors": [item]}})


def invalid_argument(message: str) -> ApiError:
    return google_error(400, message, "INVALID_ARGUMENT")


def sheets_not_found() -> ApiError:
    return google_error(404, "Requested entity was not found.", "NOT_FOUND")


def sheets_forbidden() -> ApiError:
    return google_error(403, "The caller does not have permission", "PERMISSION_DENIED")


def not_a_spreadsheet() -> ApiError:
    """What Sheets says for an uploaded .xlsx that was never converted to a Google Sheet."""
    return google_error(400, "This operation is not supported for this document", "FAILED_PRECONDITION")


def drive_file_not_found(file_id: str) -> ApiError:
    return drive_error(
        404, f"File not found: {file_id}.", "notFound", location="fileId", location_type="parameter"
    )


def drive_invalid_value(parameter: str) -> ApiError:
    return drive_error(400, "Invalid Value", "invalid", location=parameter)


def quota_exceeded(kind: str, limit: int, project_number: str, method: str) -> ApiError:
    """The 429 body of the Sheets API when a per-minute per-user quota is used up."""
    metric = "Read requests" if kind == "read" else "Write requests"
    limit_name = "ReadRequestsPerMinutePerUser" if kind == "read" else "WriteRequestsPerMinutePerUser"
    message = (
        f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' of "
        f"service 'sheets.googleapis.com' for consumer 'project_number:{project_number}'."
    )
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_limit": limit_name,
                "quota_limit_value": str(limit),
                "quota_location": "global",
                "quota_metric": f"sheets.googleapis.com/{kind}_requests",
                "quota_unit": "1/min/{project}/{user}",
                "service": "sheets.googleapis.com",
                "consumer": f"projects/{project_number}",
                "method": method,
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return google_error(429, message, "RESOURCE_EXHAUSTED", details)


def error_for_status(service: str, status: int, project_number: str, method: str) -> ApiError:
    """The body a real `service` ("sheets", "drive", "gmail", …) sends for an HTTP status."""
    if status == 502:
        return ApiError(502, HTML_502, {"Content-Type": "text/html; charset=UTF-8"})
    if status == 429 and service == "sheets":
        return quota_exceeded("read", 60, project_number, method)
    if service == "drive":
        if status == 403:
            return drive_error(
                403, "User rate limit exceeded.", "userRateLimitExceeded", domain="usageLimits"
            )
        return drive_error(status)
    if status == 429:
        return google_error(429, "Resource has been exhausted (e.g. check quota).")
    return google_error(status)
