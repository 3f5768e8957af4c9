"""Digests sent through real transports, once per period (issue 6): a real SMTP server on
loopback (aiosmtpd), the real CLI (in-process and as `python -m sync`), real `.xlsx` projects."""

from __future__ import annotations

import datetime as dt
import json
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures_project import Project, run_cli
from fixtures_report import LEADERS, SCRIPT_NAME, add_past_history, set_email
from fixtures_smtp import SmtpServer

from sync.cli import main
from sync.report.period import last_completed
from sync.report.transports import file_stem
from sync.state import State

UNIT_CONTACTS = 4  # A1 has two contacts, B1 and C1 one each
EXPECTED = len(LEADERS) + UNIT_CONTACTS


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def this_period() -> str:
    return last_completed("month", dt.date.today()).ledger_key


def synced_with_history(project: Project) -> None:
    """One sync, plus an older snapshot before the period began (chart, change since)."""
    assert invoke("sync", "--config", str(project.config))[0] == 0
    start = last_completed("month", dt.date.today()).start
    add_past_history(project, dt.datetime.combine(start - dt.timedelta(days=10), dt.time(8))
                     .astimezone())


def test_run_sends_each_digest_once_per_recipient(digest_project: Project,
                                                  smtp_server: SmtpServer) -> None:
    set_email(digest_project, smtp_server.config())
    synced_with_history(digest_project)
    code, out, err = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0, (out, err)
    summary = json.loads(out)
    assert summary["status"] == "ok" and summary["sources"]  # the sync's summary is all there
    assert summary["digests"]["sent"] == EXPECTED and summary["digests"]["failed"] == 0
    assert summary["digests"]["periods"] == [this_period()]

    received = smtp_server.messages
    assert len(received) == EXPECTED
    assert all(len(r.rcpt_tos) == 1 for r in received)  # one recipient per message
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(
        [*LEADERS, "a1@donvi.example", "tohotro.a1@donvi.example", "b1@donvi.example",
         "c1@donvi.example"])
    for r in received:
        assert r.mail_from == "sangkien@congdoan.example"
        assert r.message["To"] == r.rcpt_tos[0]

    # The leaders' digest: alternative(text, related(html, png)), subject decoded.
    leader = next(r.message for r in received if r.rcpt_tos[0] == LEADERS[0])
    assert leader.get_content_type() == "multipart/alternative"
    text, related = leader.get_payload()
    assert text.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html" and image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()
    assert image.get_content().startswith(b"\x89PNG") and len(image.get_content()) < 40_000
    period = last_completed("month", dt.date.today())
    subject = str(make_header(decode_header(leader["Subject"])))
    assert subject == f"[Sáng kiến] Tháng {period.start.month}/{period.start.year}: " \
                      "2/4 đơn vị đạt chỉ tiêu"
    assert "=?utf-8?" in r.raw.decode("ascii").split("\r\n\r\n")[0]  # encoded on the wire
    body = html.get_content()
    assert "còn thiếu" in body and "1.500.000&nbsp;₫" in body  # CLDR: no-break space
    assert "&lt;script&gt;" in body and "<script>" not in body
    plain = text.get_content()
    assert "Tiến độ các đơn vị" in plain and "120.000.000\u00a0₫/năm" in plain
    assert "điểm %" in plain  # change since the end of the previous period

    # A unit's feedback: its findings row by row, the unit's name escaped.
    a1 = next(r.message for r in received if r.rcpt_tos[0] == "a1@donvi.example")
    assert a1["Subject"] == "[Sáng kiến] Công đoàn Công ty Xây lắp số 1: 2 lỗi cần sửa"
    assert a1.get_content_type() == "multipart/alternative"
    a1_text = a1.get_body(("plain",)).get_content()
    assert "Dòng 6, cột «Ngày áp dụng», giá trị «31/02/2022»" in a1_text
    b1 = next(r.message for r in received if r.rcpt_tos[0] == "b1@donvi.example")
    assert b1["Subject"].startswith(f"[Sáng kiến] {SCRIPT_NAME}: ")  # decoded, as people see it
    b1_html = b1.get_body(("html",)).get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in b1_html and "<script" not in b1_html
    c1 = next(r.message for r in received if r.rcpt_tos[0] == "c1@donvi.example")
    assert "cảm ơn" in c1["Subject"]

    # Recorded: a second run sends nothing; --force sends the period again.
    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0
    again = json.loads(out)["digests"]
    assert (again["sent"], again["skipped"]) == (0, EXPECTED)
    assert len(smtp_server.messages) == EXPECTED
    code, _, _ = invoke("report", "--config", str(digest_project.config), "--send")
    assert code == 0 and len(smtp_server.messages) == EXPECTED
    code, out, _ = invoke("report", "--config", str(digest_project.config))  # listing only
    period_words = f"Tháng {period.start.month}/{period.start.year}"
    assert code == 0 and f"{EXPECTED} đã gửi trước đó" in out and period_words in out
    assert "sẽ gửi" not in out and len(smtp_server.messages) == EXPECTED
    code, out, _ = invoke("report", "--config", str(digest_project.config), "--send", "--force")
    assert code == 0, out
    assert len(smtp_server.messages) == 2 * EXPECTED
    with State(digest_project.state) as state:
        entries = state.digest_entries(this_period())
    assert len(entries) == EXPECTED
    assert all(e["status"] == "sent" and e["attempts"] == 2 for e in entries)


def test_server_down_fails_the_run_and_the_next_run_sends_exactly_once(
        digest_project: Project, smtp_server: SmtpServer) -> None:
    set_email(digest_project, smtp_server.config())
    smtp_server.stop()
    code, out, err = invoke("run", "--config", str(digest_project.config))
    assert code == 1, (out, err)
    assert "Lỗi gửi" in out and "không kết nối được máy chủ thư" in out
    assert "gửi lỗi (sẽ thử lại)" in out
    assert digest_project.master.is_file()  # the sync itself went through
    with State(digest_project.state) as state:
        entries = state.digest_entries()
    assert len(entries) == EXPECTED and {e["status"] for e in entries} == {"failed"}

    smtp_server.start()
    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0, out
    assert json.loads(out)["digests"]["sent"] == EXPECTED
    assert len(smtp_server.messages) == EXPECTED
    assert len({r.message["Message-ID"] for r in smtp_server.messages}) == EXPECTED
    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0 and json.loads(out)["digests"]["sent"] == 0
    assert len(smtp_server.messages) == EXPECTED


def test_starttls_with_login_from_an_environment_variable(
        digest_project: Project, smtp_server_factory, monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_server_factory(tls=True, users={"sangkien": "mật-khẩu-bí-mật"})
    monkeypatch.setenv("SANGKIEN_TEST_SMTP_PASSWORD", "mật-khẩu-bí-mật")
    set_email(digest_project, server.config("starttls", "sangkien", "SANGKIEN_TEST_SMTP_PASSWORD"))
    code, out, err = invoke("run", "--config", str(digest_project.config), "-v")
    assert code == 0, (out, err)
    assert len(server.messages) == EXPECTED
    assert {r.login for r in server.messages} == {"sangkien"}
    assert "mật-khẩu-bí-mật" not in out + err

    # A wrong password: the run fails, says so, never prints the password.
    monkeypatch.setenv("SANGKIEN_TEST_SMTP_PASSWORD", "sai-mat-khau")
    code, out, err = invoke("report", "--config", str(digest_project.config), "--send",
                            "--force")
    assert code == 1
    assert "từ chối đăng nhập" in out and "sai-mat-khau" not in out + err


def test_preview_writes_files_and_sends_nothing(digest_project: Project, smtp_server: SmtpServer,
                                                tmp_path: Path) -> None:
    set_email(digest_project, smtp_server.config())
    synced_with_history(digest_project)
    preview = tmp_path / "xem-truoc"
    code, out, _ = invoke("report", "--config", str(digest_project.config), "--period", "month",
                          "--preview", str(preview))
    assert code == 0, out
    assert smtp_server.messages == []
    folder = preview / last_completed("month", dt.date.today()).slug
    names = sorted(p.name for p in folder.iterdir())
    stem = file_stem("leaders", LEADERS[0])
    assert stem.startswith(f"leaders-{LEADERS[0]}-")
    assert {f"{stem}.html", f"{stem}.txt", f"{stem}.eml"} <= set(names)
    assert f"{file_stem('unit:B1', 'b1@donvi.example')}.html" in names
    html = (folder / f"{stem}.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in html  # the chart is visible in a browser
    assert len(html.encode()) < 200_000
    with State(digest_project.state) as state:
        assert state.digest_entries() == []  # a preview is not a send


def test_report_without_a_sync_says_what_to_do(digest_project: Project) -> None:
    code, _, err = invoke("report", "--config", str(digest_project.config), "--send")
    assert code == 1
    assert "sangkien sync" in err


def test_preview_and_send_together_is_a_usage_error(digest_project: Project,
                                                    tmp_path: Path) -> None:
    code, _, err = invoke("report", "--config", str(digest_project.config), "--send",
                          "--preview", str(tmp_path))
    assert code == 2 and "--preview" in err


def test_run_in_a_subprocess_on_the_embedded_outbox(digest_project: Project) -> None:
    """`python -m sync run --json` with the default outbox transport and `SANGKIEN_TODAY`;
    `write_back` on, with only `.xlsx` units: nothing is written to them."""
    text = digest_project.config.read_text(encoding="utf-8")
    digest_project.config.write_text(text.replace('period = "month"',
                                                  'period = "month"\nwrite_back = true'),
                                     encoding="utf-8")
    before = {p.name: p.read_bytes() for p in digest_project.unit_file("A1").parent.iterdir()}
    result = run_cli("run", "--config", str(digest_project.config), "--json",
                     env={"SANGKIEN_TODAY": "2027-01-15"})
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["digests"]["transport"] == "outbox"
    assert summary["digests"]["periods"] == ["month:2026-12"]
    assert summary["digests"]["sent"] == EXPECTED
    outbox = digest_project.root / "out" / "outbox" / "month-2026-12"
    emls = sorted(p.name for p in outbox.glob("*.eml"))
    assert len(emls) == EXPECTED and len(list(outbox.glob("*.html"))) == EXPECTED
    assert f"{file_stem('leaders', LEADERS[0])}.eml" in emls
    assert summary["write_back"] == {"units": 0, "written": [], "unchanged": [], "errors": {}}
    assert {p.name: p.read_bytes()
            for p in digest_project.unit_file("A1").parent.iterdir()} == before
    # the next day: nothing new is due
    result = run_cli("run", "--config", str(digest_project.config), "--json",
                     env={"SANGKIEN_TODAY": "2027-01-16"})
    assert result.returncode == 0
    assert json.loads(result.stdout)["digests"]["sent"] == 0


def test_several_periods_leaders_get_each_units_get_the_most_frequent(
        digest_project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    text = digest_project.config.read_text(encoding="utf-8")
    digest_project.config.write_text(text.replace(
        'period = "month"', 'period = "month"\nperiods = ["year", "month", "quarter"]'),
        encoding="utf-8")
    monkeypatch.setenv("SANGKIEN_TODAY", "2027-01-01")
    code, out, _ = invoke("run", "--config", str(digest_project.config), "--json")
    assert code == 0, out
    digests = json.loads(out)["digests"]
    assert digests["periods"] == ["month:2026-12", "quarter:2026-Q4", "year:2026"]
    sent = [(m["period"], m["kind"]) for m in digests["messages"] if m["status"] == "sent"]
    assert sorted({k for p, k in sent if p == "year:2026"}) == ["leaders"]
    assert sorted({k for p, k in sent if p == "quarter:2026-Q4"}) == ["leaders"]
    assert {k for p, k in sent if p == "month:2026-12"} == {"leaders", "unit:A1", "unit:B1",
                                                             "unit:C1"}
    subjects = {m["subject"].split(":")[0] for m in digests["messages"] if m["kind"] == "leaders"}
    assert subjects == {"[Sáng kiến] Tháng 12/2026", "[Sáng kiến] Quý 4/2026",
                        "[Sáng kiến] Năm 2026"}


def test_bad_periods_key_is_a_config_error(digest_project: Project) -> None:
    text = digest_project.config.read_text(encoding="utf-8")
    digest_project.config.write_text(text.replace(
        'period = "month"', 'period = "month"\nperiods = ["month", "fortnight"]'),
        encoding="utf-8")
    code, _, err = invoke("run", "--config", str(digest_project.config))
    assert code == 2 and "periods" in err and "fortnight" in err


def test_the_first_collection_is_not_called_new(digest_project: Project, tmp_path: Path) -> None:
    """Before any earlier sync, every initiative is "first seen" now: the digest says it is the
    first collection instead of listing them all as new; with history it lists the new ones."""
    assert invoke("sync", "--config", str(digest_project.config))[0] == 0
    period = last_completed("month", dt.date.today())
    code, _, _ = invoke("report", "--config", str(digest_project.config), "--preview",
                        str(tmp_path / "first"))
    assert code == 0
    text = (tmp_path / "first" / period.slug / f"{file_stem('leaders', LEADERS[0])}.txt"
            ).read_text(encoding="utf-8")
    assert "Lần tổng hợp đầu tiên" in text and "Sáng kiến mới từ" not in text
    add_past_history(digest_project, dt.datetime.combine(period.start - dt.timedelta(days=10),
                                                         dt.time(8)).astimezone())
    assert invoke("report", "--config", str(digest_project.config), "--preview",
                  str(tmp_path / "later"))[0] == 0
    text = (tmp_path / "later" / period.slug / f"{file_stem('leaders', LEADERS[0])}.txt"
            ).read_text(encoding="utf-8")
    assert "Sáng kiến mới từ" in text and "Lần tổng hợp đầu tiên" not in text
