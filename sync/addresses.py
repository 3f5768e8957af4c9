"""What counts as an email address: one rule for the registry, the config and the mail sender.

ASCII only (SMTPUTF8 is not something a union's mail server can be assumed to speak), a dotted
domain of letters, digits and hyphens. An address the registry accepts can always be sent to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@" + _LABEL + r"(?:\." + _LABEL + r")*$")


def is_email(value: str | None, dotted: bool = True) -> bool:
    """True for `tohotro.xd01@example.org`; False for `a@b..vn`, `x@côngđoàn.vn`,
    `lienhe@cong_doan.vn`, `nguyễn@cd.vn`, and (unless `dotted=False`, as for a sender on
    `localhost`) for a domain without a dot."""
    text = value or ""
    if not text or EMAIL.match(text) is None or ".." in text:
        return False
    return not dotted or "." in text.rsplit("@", 1)[1]


def recipients_once(values: Iterable[str]) -> list[str]:
    """Each address once, as mail is sent and recorded: trimmed, lower case, in the order given,
    blanks dropped (`A@X.vn` and `a@x.vn ` are one recipient, sent one message)."""
    return list(dict.fromkeys(v.strip().lower() for v in values if v.strip()))
