"""Digest content without sending: periods, the template context, rendering (escaping, formats,
size budget, truncation) and MIME building (header safety). Pure or in-memory: fast."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy
from fractions import Fraction

import pandas as pd
import pytest

from sync import catalog, fmt
from sync.config import ProgramConfig
from sync.model import Unit
from sync.report.chart import trend_png
from sync.report.context import (
    Results,
    leaders_digest,
    one_line,
    sheet_link,
    spreadsheet_id,
    unit_feedbacks,
)
from sync.report.message import header_text, outgoing, sender_address
from sync.report.period import last_completed, parse_ledger_key, period_containing
from sync.report.render import HTML_BUDGET, Renderer

PROGRAM = ProgramConfig("01 triệu sáng kiến", Fraction(1, 10), dt.date(2021, 9, 1),
                        dt.date(2027, 9, 1), catalog.DEFAULT_COUNTED_STATUSES)


# -- periods --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "day", "key", "label", "start", "end"), [
    ("week", dt.date(2026, 11, 18), "2026-W47", "Tuần 47/2026", dt.date(2026, 11, 16),
     dt.date(2026, 11, 22)),
    ("month", dt.date(2026, 11, 30), "2026-11", "Tháng 11/2026", dt.date(2026, 11, 1),
     dt.date(2026, 11, 30)),
    ("month", dt.date(2024, 2, 10), "2024-02", "Tháng 2/2024", dt.date(2024, 2, 1),
     dt.date(2024, 2, 29)),
    ("quarter", dt.date(2026, 11, 2), "2026-Q4", "Quý 4/2026", dt.date(2026, 10, 1),
     dt.date(2026, 12, 31)),
    ("year", dt.date(2026, 6, 1), "2026", "Năm 2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ("week", dt.date(2027, 1, 2), "2026-W53", "Tuần 53/2026", dt.date(2026, 12, 28),
     dt.date(2027, 1, 3)),
])
def test_period_keys_labels_and_bounds(kind: str, day: dt.date, key: str, label: str,
                                       start: dt.date, end: dt.date) -> None:
    period = period_containing(kind, day)
    assert (period.key, period.label, period.start, period.end) == (key, label, start, end)
    assert parse_ledger_key(period.ledger_key) == period
    assert period.next().previous() == period


def test_due_is_the_last_completed_period() -> None:
    assert last_completed("month", dt.date(2026, 12, 1)).key == "2026-11"
    assert last_completed("month", dt.date(2026, 11, 30)).key == "2026-10"
    assert last_completed("quarter", dt.date(2027, 1, 1)).key == "2026-Q4"
    assert last_completed("year", dt.date(2027, 3, 1)).key == "2026"
    assert last_completed("week", dt.date(2026, 11, 23)).key == "2026-W47"  # a Monday


# -- a sector in memory ---------------------------------------------------------------------------

def sector_results(n_units: int = 60, new_per_unit: int = 2, findings_per_unit: int = 3,
                   day: str = "2026-11-20") -> tuple[Results, list[Unit], pd.DataFrame]:
    units, progress, initiatives, findings = [], [], [], []
    for i in range(n_units):
        code = f"U{i:03d}"
        members = 100 + 37 * i
        target = -(-members // 10)
        participants = (i * 7) % (target + 5)
        units.append(Unit(code, f"Công đoàn Công ty Xây dựng số {i + 1} <b>", None, members,
                          f"gsheet:sheet-{code}", (f"{code.lower()}@donvi.example",)))
        progress.append({"code": code, "name": units[-1].name, "parent": None, "depth": 0,
                         "members": members, "target": target, "participants": participants,
                         "rate": participants / members, "met": participants >= target,
                         "missing": max(0, target - participants),
                         "initiatives": new_per_unit, "benefit_vnd": 10_000_000 * i,
                         "findings": findings_per_unit})
        for j in range(new_per_unit):
            initiatives.append({
                "id": f"SK{i:04d}{j}", "first_seen": f"{day}T08:00:00+07:00", "unit_code": code,
                "tab": "Sáng kiến", "row": 4 + j,
                "title": f"Cải tiến quy trình thi công hạng mục {j} <script>x</script>",
                "authors": f"Nguyễn Văn A{i}, Trần Thị B{j}", "workplace": None,
                "solution_type": "Giải pháp kỹ thuật", "field": None,
                "applied_on": pd.Timestamp("2022-03-05"), "status": "Đã đăng ký",
                "summary": "Giảm thời gian thi công " * 5, "effect": None,
                "benefit_vnd": 100_000_000 if j == 0 else None,
                "benefit_not_computable": False, "social": j == 1, "note": None, "counted": True})
        for k in range(findings_per_unit):
            findings.append({"unit_code": code, "tab": "Sáng kiến", "row": 10 + k,
                             "field": "applied_on", "column": "Ngày áp dụng",
                             "value": "31/02/2022\r\nBcc: x@y", "code": "invalid_date",
                             "severity": "error" if k else "warning",
                             "message": "Không đọc được ngày «31/02/2022».",
                             "hint": "Ghi đủ ngày, tháng, năm theo dạng dd/mm/yyyy."})
    total_members = sum(p["members"] for p in progress)
    total_people = sum(p["participants"] for p in progress)
    sector_target = -(-total_members // 10)
    progress.append({"code": catalog.SECTOR_CODE, "name": "Toàn ngành", "parent": None,
                     "depth": -1, "members": total_members, "target": sector_target,
                     "participants": total_people, "rate": total_people / total_members,
                     "met": total_people >= sector_target,
                     "missing": max(0, sector_target - total_people),
                     "initiatives": len(initiatives), "benefit_vnd": 0, "findings": 0})
    frames = {
        "progress": pd.DataFrame(progress),
        "initiatives": pd.DataFrame(initiatives).astype({"benefit_vnd": "Int64"}),
        "findings": pd.DataFrame(findings),
        "duplicates": pd.DataFrame(columns=["Nhóm", "Mã sáng kiến giữ lại", "Mã CĐ", "Tab",
                                            "Dòng", "Tên sáng kiến", "Tác giả", "Độ giống",
                                            "Kết luận", "Lý do"]),
        "sources": pd.DataFrame([{"code": u.code, "status": "stale" if i == 3 else "ok",
                                  "rows": 5, "valid": 4, "errors": 1, "warnings": 1,
                                  "message": "không đọc được" if i == 3 else "",
                                  "fetched_at": f"{day}T08:00:00+07:00"}
                                 for i, u in enumerate(units)]),
    }
    sector_row = frames["progress"].iloc[-1]
    history = pd.DataFrame([
        {"run_id": "r1", "at": "2026-10-20T08:00:00+07:00", "unit_code": catalog.SECTOR_CODE,
         "name": "Toàn ngành", "members": total_members, "target": sector_target,
         "participants": total_people // 2, "rate": total_people / 2 / total_members,
         "initiatives": len(initiatives) // 2, "benefit_vnd": 0},
        {"run_id": "r2", "at": f"{day}T08:00:00+07:00", "unit_code": catalog.SECTOR_CODE,
         "name": "Toàn ngành", "members": total_members, "target": sector_target,
         "participants": int(sector_row["participants"]), "rate": float(sector_row["rate"]),
         "initiatives": len(initiatives), "benefit_vnd": 0},
    ])
    return Results.from_frames("r2", frames, history), units, history


NOVEMBER = period_containing("month", dt.date(2026, 11, 1))


def test_leaders_context_orders_units_and_measures_change() -> None:
    results, units, history = sector_results(n_units=12)
    digest = leaders_digest(results, history, PROGRAM, period=NOVEMBER,
                            today=dt.date(2026, 12, 1), units=units)
    shown = digest.units.items
    behind = [u for u in shown if not u.met]
    assert shown[: len(behind)] == behind  # behind target first
    assert [u.rate for u in behind] == sorted(u.rate for u in behind)
    assert digest.subject == f"[Sáng kiến] Tháng 11/2026: {digest.units_met}/12 đơn vị đạt chỉ tiêu"
    h = digest.headline
    assert h.baseline_at == dt.date(2026, 10, 20)
    assert h.delta_participants == h.participants - h.participants // 2
    assert h.days_left == (dt.date(2027, 9, 1) - dt.date(2026, 12, 1)).days
    assert len(digest.new.items) == 24 and digest.notable.total == 24
    assert digest.notable.items[0].benefit_vnd == 100_000_000
    assert [q.code for q in digest.stale] == ["U003"]
    assert digest.quality.items[0].code == "U003"  # stale sources first
    assert len(digest.trend) == 2


def test_sixty_units_fit_the_budget_and_long_lists_are_truncated() -> None:
    results, units, history = sector_results(n_units=60, new_per_unit=4)
    digest = leaders_digest(results, history, PROGRAM, period=NOVEMBER,
                            today=dt.date(2026, 12, 1), units=units,
                            master_url="https://docs.google.com/spreadsheets/d/m/edit")
    chart = trend_png(digest.trend, 0.1)
    assert chart is not None and len(chart) < 40_000
    rendered = Renderer().render(digest, chart)
    assert rendered.html_bytes < HTML_BUDGET
    html = rendered.html
    assert html.count('bgcolor="#e3e6ea"') >= 55  # every unit not yet at target has a bar
    assert "và 220 mục khác" in html  # 240 new initiatives, 20 shown
    assert "và 220 mục khác" in rendered.text
    assert 'href="https://docs.google.com/spreadsheets/d/m/edit"' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;" in html  # a unit's name with markup is shown, not interpreted
    assert "<style" not in html and 'style="' in html  # CSS inlined
    assert 'width="600"' in html
    assert f"cid:{rendered.images[0].cid}" in html


def test_an_oversized_digest_is_cut_down_to_the_budget() -> None:
    results, units, history = sector_results(n_units=60, new_per_unit=4)
    digest = leaders_digest(results, history, PROGRAM, period=NOVEMBER,
                            today=dt.date(2026, 12, 1), units=units)
    renderer = Renderer(budget=40_000)
    rendered = renderer.render(digest)
    assert rendered.html_bytes <= 40_000 and rendered.truncated
    assert "mục khác" in rendered.html


def test_unit_feedback_lists_findings_row_by_row_and_thanks_clean_units() -> None:
    results, units, _ = sector_results(n_units=3, findings_per_unit=2)
    results.findings = results.findings[results.findings["unit_code"] != "U002"]
    feedbacks = {f.code: f for f in unit_feedbacks(results, units, PROGRAM, period=NOVEMBER,
                                                   today=dt.date(2026, 12, 1), write_back=True)}
    renderer = Renderer()
    u0 = renderer.render(feedbacks["U000"])
    assert u0.subject.endswith(": 1 lỗi cần sửa")
    assert "Dòng 10" in u0.text and "Dòng 11" in u0.text
    assert u0.text.index("Dòng 11") < u0.text.index("Dòng 10")  # errors before warnings
    assert "tab «Kiểm tra»" in u0.text
    assert 'href="https://docs.google.com/spreadsheets/d/sheet-U000/edit"' in u0.html
    assert "31/02/2022 Bcc: x@y" in u0.text  # a value on one line, whatever was typed
    u2 = renderer.render(feedbacks["U002"])
    assert "cảm ơn" in u2.subject and "Cảm ơn đơn vị" in u2.text


def test_formats_are_vietnamese() -> None:
    assert fmt.money(1_500_000) == "1.500.000\u00a0₫"
    assert fmt.percent(0.105) == "10,5 %"
    assert fmt.date(dt.date(2024, 3, 5)) == "05/03/2024"
    assert fmt.percent_points(0.012) == "+1,2 điểm %"
    assert fmt.signed(-3) == "−3"


def test_headers_cannot_be_injected_and_are_encoded() -> None:
    results, units, _ = sector_results(n_units=1)
    feedback = next(unit_feedbacks(results, units, PROGRAM, period=NOVEMBER,
                                   today=dt.date(2026, 12, 1)))
    rendered = Renderer().render(feedback)
    rendered.subject = "[Sáng kiến] Công đoàn X\r\nBcc: victim@example.org\x00: 2 lỗi"
    sender = sender_address("Ban Tuyên giáo\r\nX-Evil: 1 <sangkien@congdoan.example>")
    [item] = outgoing(rendered, sender=sender, recipients=["A@Donvi.example", "a@donvi.example"],
                      period_key="month:2026-11", kind="unit:U000",
                      now=dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC))
    head = item.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = {line.split(":", 1)[0] for line in head.split("\r\n") if line[:1] not in (" ", "\t")}
    assert names == {"Subject", "From", "To", "Date", "Message-ID", "Auto-Submitted",
                     "X-Sangkien-Digest", "MIME-Version", "Content-Type"}
    msg = message_from_bytes(item.raw, policy=default_policy)
    assert msg["Subject"] == "[Sáng kiến] Công đoàn X Bcc: victim@example.org : 2 lỗi"
    assert msg["To"] == "a@donvi.example"  # one recipient, duplicates folded
    assert msg.get_all("Bcc") is None
    assert header_text("a\nb\tc") == "a b c"


def test_small_helpers() -> None:
    assert spreadsheet_id("gsheet:https://docs.google.com/spreadsheets/d/AbC-1_x/edit#gid=0") \
        == "AbC-1_x"
    assert sheet_link("/srv/units/A1.xlsx") == ("", "A1.xlsx")
    assert one_line("x" * 50, 10) == "xxxxxxxxx…"


def test_a_parents_feedback_names_the_unions_its_figures_include() -> None:
    """A parent's progress rolls up its children's: its feedback says which they are."""
    import dataclasses

    results, units, _ = sector_results(n_units=3)
    units = [units[0], *(dataclasses.replace(u, parent="U000") for u in units[1:])]
    feedbacks = {f.code: f for f in unit_feedbacks(results, units, PROGRAM, period=NOVEMBER,
                                                   today=dt.date(2026, 12, 1))}
    renderer = Renderer()
    parent, child = renderer.render(feedbacks["U000"]), renderer.render(feedbacks["U001"])
    assert "Tiến độ của đơn vị (kể cả các công đoàn cấp dưới: U001, U002)" in parent.text
    assert "kể cả các công đoàn cấp dưới: U001, U002" in parent.html
    assert "cấp dưới" not in child.text
