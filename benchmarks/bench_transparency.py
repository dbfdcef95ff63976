"""Transparency figures: the pure computation, and a period's report from a SQLite database.

Prints the time to compute every figure from N reports (with an assessment each, an entry for
every second one, objections and appeals for a few percent, a removal case per entry on 1,000
hosts, 80 % of them removed, one hosting lookup per case), then, on a fresh SQLite database
holding the same volume, the time to fetch the period's rows, compute and render the report.

    .venv/bin/python benchmarks/bench_transparency.py            # 200,000 reports
    .venv/bin/python benchmarks/bench_transparency.py --quick    # 10,000 reports
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 1, 1, tzinfo=UTC)
END = START + timedelta(days=90)
HOSTS = 1_000
PROVIDERS = 200


def _timed(label: str, action: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = action()
    print(f"  {label:<46} {(time.perf_counter() - started) * 1000:10.1f} ms")
    return result


def _moment(rng: random.Random) -> datetime:
    return START + timedelta(seconds=rng.randrange(90 * 24 * 3600))


def _removal(i: int, reported: datetime) -> dict[str, Any]:
    """Case ``i``'s timestamps: noticed an hour after entry (6 h after the report; every 7th
    referred abroad instead), 80 % removed within 0-10 days of the notice."""
    noticed = reported + timedelta(hours=6)
    removed = noticed + timedelta(minutes=(i * 7919) % (10 * 24 * 60)) if i % 5 else None
    return {
        "opened_at": reported + timedelta(hours=5),
        "report_received_at": reported,
        "notice_sent_at": noticed if i % 7 else None,
        "referral_sent_at": None if i % 7 else noticed,
        "removed_at": removed,
        "outcome": "removed" if removed else "open",
    }


def pure(count: int) -> None:
    """compute() over rows made in memory."""
    from hotlist.server.figures.compute import (
        AssessmentRow,
        CaseRow,
        EntryEndRow,
        EntryRow,
        PeriodRows,
        ReportRow,
        compute,
    )
    from hotlist.server.figures.removal import Provider, RemovalCaseRow

    rng = random.Random(6)
    categories = ["csam", "terror", "ncii"]
    received = [_moment(rng) for _ in range(count)]
    rows = PeriodRows(
        START,
        END,
        reports=[ReportRow(at) for at in received],
        assessments=[
            AssessmentRow(i, i % 2 == 0, at + timedelta(hours=5)) for i, at in enumerate(received)
        ],
        entries_added=[
            EntryRow(categories[i % 3], at + timedelta(hours=5), at)
            for i, at in enumerate(received[::2])
        ],
        entries_ended=[
            EntryEndRow(categories[i % 3], "removed", at, at + timedelta(days=20))
            for i, at in enumerate(received[::10])
        ],
        objections=[CaseRow(at, at + timedelta(days=3), "rejected") for at in received[::50]],
        appeals=[CaseRow(at, None, None) for at in received[::40]],
        removal_cases=[
            RemovalCaseRow(
                categories[i % 3],
                provider=Provider(f"Net {i % PROVIDERS}", 64500 + i % PROVIDERS),
                **_removal(i, at),
            )
            for i, at in enumerate(received[::2])
        ],
    )
    print(f"pure figures over {count:,} reports, {len(rows.removal_cases):,} removal cases")
    _timed("compute()", lambda: compute(rows))


def database(count: int) -> None:
    """period_rows() + compute() + to_html() on a SQLite database with ``count`` reports."""
    from sqlalchemy import insert

    from hotlist.server.accounts import service as accounts
    from hotlist.server.assessments.models import Assessment
    from hotlist.server.db.session import make_engine, session_factory
    from hotlist.server.db.upgrade import upgrade
    from hotlist.server.entries.models import Entry
    from hotlist.server.figures.compute import compute
    from hotlist.server.figures.query import period_rows, removal_rows
    from hotlist.server.figures.report import to_html
    from hotlist.server.hosting.models import HostingLookup
    from hotlist.server.notices.models import RemovalCase
    from hotlist.server.policies.service import ensure_policy
    from hotlist.server.reports.models import Report

    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'hotlist.db'}"
        upgrade(url)
        engine = make_engine(url)
        with session_factory(engine)() as session:
            version = ensure_policy(session)
            org = accounts.create_org(session, "Bench Hotline", "hotline")
            user = accounts.create_user(session, org, "Bench Analyst", "analyst")
            session.commit()
            received = [_moment(rng) for _ in range(count)]
            entries = [
                {
                    "id": i + 1,
                    "public_id": i + 1,
                    "expression": f"h{i}.example/",
                    "expression_hash": i.to_bytes(32, "big"),
                    "host": f"h{i % HOSTS}.example",
                    "scope": "host",
                    "category_code": "csam",
                    "category_wire_id": 1,
                    "policy_version_id": version.id,
                    "legal_basis": "x",
                    "legal_order": False,
                    "territorial_scope": "EU",
                    "facts": "x",
                    "scope_reason": "x",
                    "decided_by": user.id,
                    "decided_at": at + timedelta(hours=5),
                    "state": "active",
                    "disputed": False,
                    "expires_at": END + timedelta(days=30),
                    "created_at": at + timedelta(hours=5),
                    "state_changed_at": at + timedelta(hours=5),
                }
                for i, at in enumerate(received[::2])
            ]
            session.execute(insert(Entry), entries)
            session.execute(
                insert(Report),
                [
                    {
                        "receipt": f"r{i}",
                        "url": f"http://h{i}.example/",
                        "canonical_url": f"http://h{i}.example/",
                        "canonical_hash": i.to_bytes(32, "big"),
                        "status": "assessed",
                        "entry_id": i // 2 + 1 if i % 2 == 0 else None,
                        "received_at": at,
                    }
                    for i, at in enumerate(received)
                ],
            )
            session.execute(
                insert(Assessment),
                [
                    {
                        "report_id": i + 1,
                        "actionable": i % 2 == 0,
                        "policy_version_id": version.id,
                        "reason": "x",
                        "decided_by": user.id,
                        "decided_at": at + timedelta(hours=5),
                    }
                    for i, at in enumerate(received)
                ],
            )
            session.execute(
                insert(RemovalCase),
                [
                    {
                        "entry_id": entry["id"],
                        "category_code": "csam",
                        "host": entry["host"],
                        **_removal(i, received[2 * i]),
                    }
                    for i, entry in enumerate(entries)
                ],
            )
            session.execute(
                insert(HostingLookup),
                [
                    {
                        "host": entry["host"],
                        "ip": "192.0.2.1",
                        "addresses": ["192.0.2.1"],
                        "asn": 64500 + i % PROVIDERS,
                        "network_name": f"Net {i % PROVIDERS}",
                        "sources": {},
                        "abuse_contacts": [],
                        "registrar_contacts": [],
                        "entry_id": entry["id"],
                        "looked_up_at": received[2 * i] + timedelta(hours=5),
                    }
                    for i, entry in enumerate(entries)
                ],
            )
            session.commit()
        print(
            f"SQLite, {count:,} reports, {len(entries):,} entries and removal cases on "
            f"{HOSTS:,} hosts, a 90-day period"
        )
        with session_factory(engine)() as session:
            _timed("period_rows(), first call", lambda: period_rows(session, START, END))
            rows = _timed("period_rows(), again", lambda: period_rows(session, START, END))
            _timed("  of which removal_rows()", lambda: removal_rows(session, START, END))
        figures = _timed("compute()", lambda: compute(rows))
        _timed("to_html()", lambda: to_html(figures))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (10,000 reports)")
    args = parser.parse_args()
    count = 10_000 if args.quick else 200_000
    pure(count)
    database(count)


if __name__ == "__main__":
    main()
