"""Staff pages: server time of the pages an analyst opens all day, in process, on SQLite.

Fills a fresh database with N reports (a tenth of them assessed into entries), signs an analyst
in with a session cookie, then times each page with Starlette's test client (no network): the
queue's first page, a filtered queue page far down (paged by id), a report, the assessment form,
the entry list and an entry's timeline, and a sign-in (Argon2id + TOTP). Prints the median and
95th percentile per page.

    .venv/bin/python benchmarks/bench_staff_pages.py            # 20,000 reports, 50 rounds
    .venv/bin/python benchmarks/bench_staff_pages.py --quick    # 2,000 reports, 10 rounds
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from hotlist.policy import SharedHostingList
from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import OrgKind
from hotlist.server.app import create_app
from hotlist.server.assessments import service as assessments
from hotlist.server.config import Settings
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.db.upgrade import upgrade
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal
from hotlist.server.policies import service as policies
from hotlist.server.reports import intake
from hotlist.server.web.auth import service as auth
from hotlist.server.web.auth import totp
from hotlist.server.web.security import PLAIN_COOKIE, WebSession
from hotlist.urls import Scope

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from starlette.testclient import TestClient

PASSWORD = "a long enough password"  # noqa: S105  # a throwaway account in a temporary database


def _fill(settings: Settings, count: int) -> tuple[int, str, str, str]:
    """``count`` reports, every tenth assessed; the analyst's id, login name, TOTP secret, an
    entry ref."""
    engine = make_engine(settings.database_url)
    entry_ref = ""
    try:
        with session_factory(engine)() as session, session.begin():
            policies.ensure_policy(session)
            org = accounts.create_org(session, "Example Hotline", OrgKind.HOTLINE)
            analyst = accounts.create_user(session, org, "Ada Analyst", "analyst")
            login = auth.set_password(session, analyst, PASSWORD)
            secret = auth.enroll_totp(session, analyst).secret
            analyst_id = analyst.id
        by = Principal(analyst_id, org.id, Role.ANALYST, is_person=True)
        with session_factory(engine)() as session, session.begin():
            for number in range(count):
                hint = "csam" if number % 3 == 0 else None
                url = f"http://www{number % 97}.example/gallery/{number}/page.html"
                report = intake.submit(session, url, category_hint=hint)
                if number % 10 == 0:
                    decision = assessments.AssessmentInput(
                        actionable=True, reason="As defined.", category="csam", scope=Scope.PAGE
                    )
                    outcome = assessments.assess(
                        session, report.id, decision, by, SharedHostingList(())
                    )
                    if outcome.entry is not None:
                        entry_ref = outcome.entry.public_ref
        return analyst_id, login, secret, entry_ref
    finally:
        engine.dispose()


def _time(client: TestClient, path: str, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95) - 1] * 1000


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run")
    args = parser.parse_args()
    count, rounds = (2_000, 10) if args.quick else (20_000, 50)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        settings = Settings.load(data, environ={}).with_changes(
            rate_limit_per_second=0.0, publish_interval_s=0.0, unsafe_http_sessions=True
        )
        settings.prepare_data_dir()
        upgrade(settings.database_url)
        started = time.perf_counter()
        analyst_id, login, secret, entry_ref = _fill(settings, count)
        print(f"{count} reports filled in {time.perf_counter() - started:.1f} s")
        app = create_app(settings)
        with TestClient(
            app, base_url="http://127.0.0.1", headers={"accept": "text/html"}
        ) as client:
            token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
            start = time.perf_counter()
            signed = client.post(
                "/login",
                data={
                    "csrf_token": token,
                    "login": login,
                    "password": PASSWORD,
                    "code": totp.code_at(secret, time.time()),
                },
                follow_redirects=False,
            )
            assert signed.status_code == 303, signed.text[:500]
            print(
                f"{'sign-in (Argon2id + TOTP)':<34} {(time.perf_counter() - start) * 1000:7.1f} ms"
            )
            codec = app.state.web.security.codec
            now = codec.clock()
            client.cookies.set(
                PLAIN_COOKIE, codec.encode(WebSession.new(now).signed_in(analyst_id, now))
            )
            deep = max(1, count - 200)
            pages = {
                "queue, first page": "/staff/queue",
                "queue, hint filter, paged deep": (
                    f"/staff/queue?status=any&category=csam&after={deep}"
                ),
                "report": f"/staff/reports/{count - 1}",
                "assessment form": f"/staff/reports/{count - 1}/assess",
                "entries, first page": "/staff/entries",
                "entry and timeline": f"/staff/entries/{entry_ref}",
            }
            print(f"{'page':<34} {'median':>9} {'p95':>9}")
            for name, path in pages.items():
                median, p95 = _time(client, path, rounds)
                print(f"{name:<34} {median:7.1f} ms {p95:7.1f} ms")


if __name__ == "__main__":
    main()
