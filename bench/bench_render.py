"""Benchmark: rendering unit feedback digests (a script, not a test).

Builds a synthetic sector of N units (default 1,000) with 0–40 findings each, then times the whole
path a `run` takes per unit: context (`unit_feedbacks`), rendering (jinja2 HTML + text, css-inline)
and the MIME message. Also renders the leaders' digest of a 60-unit sector and reports its HTML
size against the 100 KB budget.

    .venv/bin/python bench/bench_render.py [--units N] [--seed S]
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import sys
import time
from fractions import Fraction
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sync import catalog
from sync.config import ProgramConfig
from sync.model import Unit
from sync.report.chart import trend_png
from sync.report.context import Results, leaders_digest, unit_feedbacks
from sync.report.message import outgoing, sender_address
from sync.report.period import period_containing
from sync.report.render import Renderer

PROGRAM = ProgramConfig("01 triệu sáng kiến", Fraction(1, 10), dt.date(2021, 9, 1),
                        dt.date(2027, 9, 1), catalog.DEFAULT_COUNTED_STATUSES)
CODES = [("invalid_date", "applied_on", "Ngày áp dụng", "31/02/2022"),
         ("title_too_short", "title", "Tên sáng kiến", "Máy hàn"),
         ("unknown_solution_type", "solution_type", "Loại giải pháp", "KT-QL"),
         ("suspicious_author", "authors", "Tác giả", "Phòng Kỹ thuật"),
         ("invalid_money", "benefit", "Giá trị làm lợi (đồng/năm)", "khoảng 2 tỷ")]


def sector(n_units: int, rng: random.Random, max_findings: int = 40) -> tuple[Results, list[Unit]]:
    units, progress, findings, initiatives = [], [], [], []
    for i in range(n_units):
        code = f"U{i:04d}"
        members = rng.randint(40, 3000)
        target = -(-members // 10)
        people = rng.randint(0, target + target // 3)
        name = f"Công đoàn Công ty Cổ phần Xây dựng và Đầu tư số {i + 1}"
        units.append(Unit(code, name, None, members, f"gsheet:sheet{code}",
                          (f"{code.lower()}@donvi.example",)))
        progress.append({"code": code, "name": name, "parent": None, "depth": 0,
                         "members": members, "target": target, "participants": people,
                         "rate": people / members, "met": people >= target,
                         "missing": max(0, target - people), "initiatives": people,
                         "benefit_vnd": rng.randint(0, 10**10), "findings": 0})
        for k in range(rng.randint(0, max_findings)):
            kind, field, column, value = rng.choice(CODES)
            findings.append({"unit_code": code, "tab": "Sáng kiến", "row": 4 + k,
                             "field": field, "column": column, "value": value, "code": kind,
                             "severity": "warning" if kind in ("suspicious_author",
                                                               "invalid_money") else "error",
                             "message": catalog.FINDING_BY_CODE[kind].message.format(
                                 value=value, column=column, today="01/12/2026", start="",
                                 deadline="", choices="", min_chars=10, reading="", detail=""),
                             "hint": "Sửa theo đúng mẫu của chương trình, ví dụ 05/03/2023."})
        initiatives.append({
            "id": f"SK{i:06d}", "first_seen": "2026-11-20T08:00:00+07:00", "unit_code": code,
            "tab": "Sáng kiến", "row": 4, "title": "Cải tiến bộ gá hàn cốt thép dầm cầu",
            "authors": "Nguyễn Văn An, Trần Thị Bình", "workplace": None,
            "solution_type": "Giải pháp kỹ thuật", "field": None,
            "applied_on": pd.Timestamp(2022, 3, 5), "status": "Đã đăng ký",
            "summary": "Giảm thời gian thi công", "effect": None,
            "benefit_vnd": rng.choice([None, 90_000_000, 5_000_000]),
            "benefit_not_computable": False, "social": rng.random() < 0.1, "note": None,
            "counted": True})
    members = sum(p["members"] for p in progress)
    people = sum(p["participants"] for p in progress)
    progress.append({"code": catalog.SECTOR_CODE, "name": "Toàn ngành", "parent": None,
                     "depth": -1, "members": members, "target": -(-members // 10),
                     "participants": people, "rate": people / members,
                     "met": people * 10 >= members, "missing": max(0, -(-members // 10) - people),
                     "initiatives": len(initiatives), "benefit_vnd": 0, "findings": 0})
    frames = {
        "progress": pd.DataFrame(progress),
        "initiatives": pd.DataFrame(initiatives).astype({"benefit_vnd": "Int64"}),
        "findings": pd.DataFrame(findings, columns=["unit_code", "tab", "row", "field", "column",
                                                    "value", "code", "severity", "message",
                                                    "hint"]),
        "duplicates": pd.DataFrame(columns=["Mã CĐ", "Kết luận"]),
        "sources": pd.DataFrame([{"code": u.code, "status": "ok", "rows": 1, "valid": 1,
                                  "errors": 0, "warnings": 0, "message": "",
                                  "fetched_at": "2026-11-30T08:00:00+07:00"} for u in units]),
    }
    return Results.from_frames(None, frames), units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    results, units = sector(args.units, rng)
    november = period_containing("month", dt.date(2026, 11, 1))
    sender = sender_address("Ban Tuyên giáo <sangkien@congdoan.example>")
    now = dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)

    started, cpu_started = time.perf_counter(), time.process_time()
    renderer = Renderer()
    contexts = list(unit_feedbacks(results, units, PROGRAM, period=november,
                                   today=dt.date(2026, 12, 1), write_back=True))
    context_s = time.perf_counter() - started
    sizes, findings, render_s, mime_s = [], 0, 0.0, 0.0
    for feedback in contexts:
        t0 = time.perf_counter()
        rendered = renderer.render(feedback)
        t1 = time.perf_counter()
        outgoing(rendered, sender=sender, recipients=list(feedback.emails),
                 period_key=november.ledger_key, kind=f"unit:{feedback.code}", now=now)
        render_s += t1 - t0
        mime_s += time.perf_counter() - t1
        sizes.append(rendered.html_bytes)
        findings += feedback.findings.total
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started

    small, small_units = sector(60, random.Random(args.seed))
    history = pd.DataFrame([{"run_id": "a", "at": "2026-10-20T08:00:00+07:00",
                             "unit_code": catalog.SECTOR_CODE, "rate": 0.05, "participants": 0,
                             "initiatives": 0}, {"run_id": "b", "at": "2026-11-30T08:00:00+07:00",
                             "unit_code": catalog.SECTOR_CODE, "rate": 0.07, "participants": 0,
                             "initiatives": 0}])
    t0 = time.perf_counter()
    digest = leaders_digest(small, history, PROGRAM, period=november,
                            today=dt.date(2026, 12, 1), units=small_units)
    chart = trend_png(digest.trend, 0.1)
    leaders = renderer.render(digest, chart)
    leaders_s = time.perf_counter() - t0

    print(f"machine: {platform.processor() or platform.machine()}, {platform.system()}, "
          f"Python {platform.python_version()}")
    print(f"unit feedback: {len(sizes):,} messages ({findings:,} findings) rendered with MIME in "
          f"{elapsed:.2f} s wall ({cpu:.2f} s CPU) — {1000 * elapsed / max(len(sizes), 1):.2f} ms "
          f"each; "
          f"HTML {min(sizes):,}–{max(sizes):,} bytes")
    print(f"  of which: contexts {context_s:.2f} s, jinja2 + css-inline {render_s:.2f} s, "
          f"MIME {mime_s:.2f} s")
    print(f"leaders' digest, 60 units: HTML {leaders.html_bytes:,} bytes (budget 100,000), "
          f"chart PNG {len(chart or b''):,} bytes, {leaders_s:.2f} s")


if __name__ == "__main__":
    main()
