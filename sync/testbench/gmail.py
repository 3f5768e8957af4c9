"""Gmail API `users.messages.send`: messages are kept for `/_testbench/mail`, never delivered.

A service account can send only as a Workspace user through domain-wide delegation (a token whose
JWT carried `sub`); without it Gmail answers 400 `FAILED_PRECONDITION` "Precondition check
failed.", which is what a real service account gets.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from email import message_from_bytes
from email.policy import default as default_policy

from sync.testbench.context import ApiRequest, Response
from sync.testbench.errors import google_error, invalid_argument
from sync.testbench.state import rfc3339


def _decode_raw(raw: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        raise invalid_argument("Invalid value for ByteString: " + raw[:40]) from None


def send_message(req: ApiRequest) -> Response:
    token = req.token
    assert token is not None
    user_id = req.match["user"]
    if token.grant == "jwt-bearer" and not token.subject:
        raise google_error(400, "Precondition check failed.", "FAILED_PRECONDITION")
    sender = token.principal
    if user_id not in ("me", sender):
        raise google_error(403, f"Delegation denied for {sender}", "PERMISSION_DENIED")
    if req.param("uploadType") == "media" or req.path.startswith("/upload/"):
        data = req.body
        thread_id = None
    else:
        body = req.json()
        raw = body.get("raw")
        if not raw:
            raise invalid_argument(
                "'raw' RFC822 payload message string or uploading message via /upload/* URL required"
            )
        data = _decode_raw(raw)
        thread_id = body.get("threadId")
    msg = message_from_bytes(data, policy=default_policy)
    recipients = [a for h in ("To", "Cc", "Bcc") for a in msg.get_all(h, []) if a]
    if not recipients:
        raise invalid_argument("Recipient address required")
    message_id = secrets.token_hex(8)
    thread_id = thread_id or message_id
    req.store.mail.append(
        {
            "id": message_id,
            "threadId": thread_id,
            "userId": sender,
            "from": str(msg.get("From", "")),
            "to": [str(a) for a in recipients],
            "subject": str(msg.get("Subject", "")),
            "sent_at": rfc3339(req.store.clock.now_ms()),
            "raw": base64.urlsafe_b64encode(data).decode(),
        }
    )
    return Response(200, {"id": message_id, "threadId": thread_id, "labelIds": ["SENT"]})
