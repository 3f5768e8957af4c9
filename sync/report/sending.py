"""Send once: the digests ledger (state table `digests`) between planned digests and a transport.

Each message is one ledger row, keyed by (period, kind, recipient):

- not in the ledger → render, record `pending` with the message bytes, hand it to the transport,
  then record `sent`, or `failed` (transient: the next run retries it) or `rejected` (the server
  refused it for good: not retried; `--force` sends again);
- `sent` → skipped, unless `--force` (then rendered afresh and sent again);
- `failed` or `pending` (a run that died mid-send) → the kept bytes are sent again, so the retry
  is the same message with the same Message-ID; `run` also retries those of earlier periods.

Rendering is lazy: a digest whose recipients have all been served is never rendered, so a daily
`run` with nothing due costs a few SQL reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.parser import BytesParser
from email.policy import default as default_policy
from typing import Any

from sync.addresses import recipients_once
from sync.report.message import Outgoing, outgoing
from sync.report.render import Rendered
from sync.report.transports import SendFailure, Transport
from sync.state import State

RETRY_STATUSES = ("failed", "pending")


@dataclass(slots=True)
class Planned:
    """A digest to deliver: who gets it and how to render it (called only if someone needs it)."""

    period_key: str
    kind: str  # "leaders" | "unit:<code>"
    recipients: list[str]
    render: Callable[[], Rendered]
    label: str = ""  # who it is about, for the coordinator's summary


@dataclass(slots=True)
class Outcome:
    period_key: str
    kind: str
    recipient: str
    status: str  # sent | failed | rejected | skipped | previewed
    detail: str = ""
    subject: str = ""
    message_id: str = ""
    attempts: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period_key, "kind": self.kind, "recipient": self.recipient,
                "status": self.status, "detail": self.detail, "subject": self.subject}


@dataclass(slots=True)
class DeliveryReport:
    transport: str
    periods: list[str] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)  # notes for the coordinator (Vietnamese)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> int:
        """Messages that could not be sent *in this call* (failed now or rejected now)."""
        return self.count("failed") + self.count("rejected")

    def as_json(self) -> dict[str, Any]:
        return {
            "transport": self.transport, "periods": list(self.periods),
            "sent": self.count("sent"), "failed": self.count("failed"),
            "rejected": self.count("rejected"), "skipped": self.count("skipped"),
            "previewed": self.count("previewed"),
            "messages": [o.as_json() for o in self.outcomes],
            "notes": list(self.messages),
        }


def _stored(period_key: str, kind: str, recipient: str, raw: bytes) -> Outgoing:
    headers = BytesParser(policy=default_policy).parsebytes(raw, headersonly=True)
    sender = headers.get("From")
    addresses = getattr(sender, "addresses", ()) if sender is not None else ()
    addr = addresses[0].addr_spec if addresses else ""
    return Outgoing(period_key, kind, recipient, addr, str(headers.get("Subject", "")),
                    str(headers.get("Message-ID", "")), raw)


class Ledger:
    """Sends planned digests through one transport, recording every attempt in the state."""

    def __init__(self, state: State, transport: Transport, sender: Address,
                 now: Callable[[], dt.datetime]) -> None:
        self.state = state
        self.transport = transport
        self.sender = sender
        self.now = now
        self.entries = {(e["period_key"], e["kind"], e["recipient"]): e
                        for e in state.digest_entries()}

    def _at(self) -> str:
        return self.now().isoformat(timespec="seconds")

    def deliver(self, planned: Sequence[Planned], *, force: bool = False,
                retry_earlier: bool = False) -> DeliveryReport:
        report = DeliveryReport(self.transport.name,
                                sorted({p.period_key for p in planned}))
        handled: set[tuple[str, str, str]] = set()
        with self.transport:
            for plan in planned:
                fresh: list[str] = []
                for recipient in recipients_once(plan.recipients):
                    key = (plan.period_key, plan.kind, recipient)
                    handled.add(key)
                    entry = self.entries.get(key)
                    status = entry["status"] if entry else None
                    if force or status is None:
                        fresh.append(recipient)
                    elif status in RETRY_STATUSES:
                        self._retry(key, report)
                    else:  # sent, or rejected earlier: nothing to do without --force
                        assert entry is not None
                        detail = "" if status == "sent" else f"đã bị từ chối: {entry['last_error']}"
                        report.outcomes.append(Outcome(*key, status="skipped", detail=detail,
                                                       attempts=int(entry["attempts"])))
                if fresh:
                    rendered = plan.render()
                    for recipient in fresh:  # one at a time: a bad address fails alone
                        try:
                            items = outgoing(rendered, sender=self.sender, recipients=[recipient],
                                             period_key=plan.period_key, kind=plan.kind,
                                             now=self.now())
                        except (ValueError, UnicodeError) as exc:
                            key = (plan.period_key, plan.kind, recipient)
                            self.state.digest_failed(*key, str(exc), self._at(), permanent=True)
                            report.outcomes.append(Outcome(*key, status="rejected",
                                                           detail=str(exc)))
                            continue
                        for item in items:
                            self._send(item, report)
            if retry_earlier:
                for key, entry in sorted(self.entries.items()):
                    if key not in handled and entry["status"] in RETRY_STATUSES:
                        self._retry(key, report)
        return report

    def _retry(self, key: tuple[str, str, str], report: DeliveryReport) -> None:
        raw = self.state.digest_payload(*key)
        if raw is None:  # should not happen: a pending row always has its bytes
            report.outcomes.append(Outcome(*key, status="failed",
                                           detail="không còn nội dung thư để gửi lại"))
            return
        self._send(_stored(*key, raw), report)

    def _send(self, item: Outgoing, report: DeliveryReport) -> None:
        key = (item.period_key, item.kind, item.recipient)
        self.state.digest_pending(*key, item.message_id, item.raw, self._at())
        try:
            self.transport.send(item)
        except SendFailure as exc:
            self.state.digest_failed(*key, exc.detail, self._at(), permanent=exc.permanent)
            report.outcomes.append(Outcome(*key, status="rejected" if exc.permanent else "failed",
                                           detail=exc.detail, subject=item.subject,
                                           message_id=item.message_id))
            return
        self.state.digest_sent(*key, self._at())
        report.outcomes.append(Outcome(*key, status="sent", subject=item.subject,
                                       message_id=item.message_id))
