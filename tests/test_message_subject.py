"""Long Vietnamese subjects keep every space after folding (RFC 2047 encoded words)."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default

import pytest

from sync.report.message import outgoing, sender_address
from sync.report.render import Rendered


@pytest.mark.parametrize("subject", [
    "[Sáng kiến] Công đoàn Công ty CP Xi măng Bỉm Sơn: 1 lỗi cần sửa",
    "[Sáng kiến] Tháng 10/2026: 5/12 đơn vị đạt chỉ tiêu — Công đoàn ngành Xây dựng Việt Nam",
    "[Sáng kiến] Cảm ơn Công đoàn Trường Cao đẳng Xây dựng số 1 đã nhập đúng và đủ",
])
def test_a_folded_subject_decodes_to_the_same_words(subject: str) -> None:
    rendered = Rendered(kind="unit", subject=subject, html="<p>x</p>", text="x")
    item = outgoing(rendered, sender=sender_address("Ban Tuyên giáo <sk@congdoan.example>"),
                    recipients=["a@donvi.example"], period_key="month:2026-10", kind="unit:X",
                    now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))[0]
    header = item.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
    start = next(i for i, line in enumerate(header) if line.startswith(b"Subject:"))
    continued = [line for line in header[start + 1:] if line[:1] == b" "][:10]
    subject_lines = [header[start], *continued]
    assert all(len(line) <= 78 for line in subject_lines)
    assert sum(line.startswith(b"Subject:") for line in header) == 1
    parsed = message_from_bytes(item.raw, policy=default)
    assert str(parsed["Subject"]) == subject
    assert parsed.get_body(("plain",)).get_content().strip() == "x"
