"""Rendered digests → MIME messages, one per recipient.

Structure (what every mail client understands, and what Gmail shows best):

```
multipart/alternative
├── text/plain; charset=utf-8            the same content as text
└── multipart/related                    (only when there is an image)
    ├── text/html; charset=utf-8         CSS inlined, 600 px table layout
    └── image/png; Content-ID: <trend…>  the trend chart, referenced as cid:…
```

Headers never carry raw unit text: every header value goes through `header_text` (control
characters, CR and LF removed, spaces collapsed) and addresses through `Address`, and
`email.policy.SMTP` encodes non-ASCII (RFC 2047) — a unit named "X\r\nBcc: y" cannot add a header.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from email.header import Header
from email.headerregistry import Address, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP as _SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from sync.addresses import is_email, recipients_once
from sync.errors import ConfigError
from sync.report.context import one_line
from sync.report.render import Rendered


class _CachedHeaderRegistry(HeaderRegistry):
    """The stdlib registry builds a new header class on every lookup (≈25 µs each, a dozen per
    message); the classes depend only on the header name, so build each once."""

    @functools.lru_cache(maxsize=256)  # noqa: B019 - one registry for the process, never freed
    def __getitem__(self, name: str) -> type:
        return super().__getitem__(name)


# `email.policy.SMTP` (CRLF, RFC 2047 encoding of non-ASCII headers) with the cached registry.
SMTP = _SMTP.clone(header_factory=_CachedHeaderRegistry())
MAX_SUBJECT_CHARS = 200
_ID_SAFE = re.compile(r"[^A-Za-z0-9.\-]")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to one recipient, ready for any transport. `kind` is the ledger's kind
    (`leaders`, `unit:<code>`); `raw` the RFC 5322 bytes (CRLF)."""

    period_key: str
    kind: str
    recipient: str
    sender: str
    subject: str
    message_id: str
    raw: bytes


def header_text(value: str, limit: int = MAX_SUBJECT_CHARS) -> str:
    """A header-safe single line: no control characters (CR, LF, NUL, …), spaces collapsed."""
    return one_line(value, limit)


def is_address(value: str) -> bool:
    return is_email(value, dotted=False)


def sender_address(value: str) -> Address:
    """`[email] from` ("Tên <addr@domain>" or "addr@domain") as an `Address`."""
    name, addr = parseaddr(header_text(value, 400))
    if not is_address(addr):
        raise ConfigError(
            f"Khoá [email] from = {value!r} không phải địa chỉ thư hợp lệ "
            "(ví dụ: \"Ban Tuyên giáo <sangkien@congdoan.vn>\")."
        )
    local, domain = addr.split("@", 1)
    return Address(display_name=header_text(name, 100), username=local, domain=domain)


def recipient_address(value: str) -> Address:
    addr = header_text(value, 320)
    if not is_address(addr):
        raise ValueError(f"địa chỉ người nhận không hợp lệ: {addr!r}")
    local, domain = addr.split("@", 1)
    return Address(username=local, domain=domain)


def build_message(rendered: Rendered, *, sender: Address, recipient: str, period_key: str,
                  kind: str, now: dt.datetime) -> EmailMessage:
    to = recipient_address(recipient)
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = header_text(rendered.subject)
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(now if now.tzinfo else now.astimezone())
    idstring = _ID_SAFE.sub("-", f"{period_key}.{kind}")[:60]
    msg["Message-ID"] = make_msgid(idstring=idstring, domain=sender.domain or "localhost")
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Sangkien-Digest"] = _ID_SAFE.sub("-", f"{period_key} {kind}")[:120]
    msg.set_content(rendered.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    if rendered.images:
        html_part = msg.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, EmailMessage)
        for image in rendered.images:
            html_part.add_related(image.data, maintype="image", subtype=image.subtype,
                                  cid=f"<{image.cid}>", disposition="inline",
                                  filename=f"{image.cid.split('@', 1)[0]}.{image.subtype}")
    return msg


def with_subject(raw: bytes, subject: str) -> bytes:
    """The message with its Subject encoded by `email.header.Header`: when the modern policy
    folds a long non-ASCII subject it can drop the space at the fold (`Xi măng` arrives as
    `Ximăng`, since spaces between encoded words do not count); `Header` keeps each space inside
    an encoded word."""
    if subject.isascii():
        return raw
    head, blank, body = raw.partition(b"\r\n\r\n")
    encoded = Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")
    lines, replacing = [], False
    for line in head.split(b"\r\n"):
        if line[:8].lower() == b"subject:":
            lines.append(b"Subject: " + encoded.encode("ascii"))
            replacing = True
        elif replacing and line[:1] in (b" ", b"\t"):
            continue  # the old subject's folded lines
        else:
            replacing = False
            lines.append(line)
    return b"\r\n".join(lines) + blank + body


def outgoing(rendered: Rendered, *, sender: Address, recipients: list[str], period_key: str,
             kind: str, now: dt.datetime) -> list[Outgoing]:
    """One message per recipient (never a list in To: contacts of one unit do not see each
    other's addresses, and a bad address fails alone)."""
    items = []
    for recipient in recipients_once(recipients):
        msg = build_message(rendered, sender=sender, recipient=recipient, period_key=period_key,
                            kind=kind, now=now)
        items.append(Outgoing(period_key, kind, recipient, sender.addr_spec,
                              str(msg["Subject"]), str(msg["Message-ID"]),
                              with_subject(msg.as_bytes(policy=SMTP), str(msg["Subject"]))))
    return items
