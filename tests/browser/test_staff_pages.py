"""The staff pages in the system's Chromium: an analyst signs in (password + TOTP computed
here), takes a report from the public form through the queue, reveals its address (logged) and
assesses it into an entry that the published list then blocks at a member's edge; a supervisor
decides an appeal that the public status page then shows; an observer reaches no write action;
every staff page passes axe-core and is photographed."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from hotlist.demo.flow import hotlist_command
from hotlist.server.access_log.models import AccessLog
from hotlist.server.accounts import service as accounts
from hotlist.server.accounts.models import OrgKind, User
from hotlist.server.kit.permissions import Role
from hotlist.server.kit.principal import Principal
from hotlist.server.observers import service as observers
from hotlist.server.web.auth import service as auth
from hotlist.server.web.auth import totp

from .conftest import WebServer

Axe = Callable[[Any], list[dict[str, Any]]]
Shot = Callable[[Any, str], Path]
PASSWORD = "correct horse battery staple"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
COMMAND_TIMEOUT_S = 120


@dataclass
class Person:
    """Someone who signs in: id, login name, TOTP secret, and the last time step used (never
    reused)."""

    user_id: int
    login: str
    secret: str
    last_step: int = 0

    def next_code(self) -> str:
        """A code the server accepts now and has not seen (waits for the next step if needed).

        The step before the current one is taken only early in the current step: late in it,
        the server may check the code after the clock has moved on, when it is two steps old.
        """
        now = time.time()
        now_step = int(now) // totp.STEP_S
        early = now - now_step * totp.STEP_S < totp.STEP_S - 10
        step = max(now_step - 1 if early else now_step, self.last_step + 1)
        if step > now_step + 1:
            time.sleep((step - 1) * totp.STEP_S - time.time() + 0.5)
        self.last_step = step
        return totp.code_at(self.secret, step * totp.STEP_S)


@pytest.fixture(scope="module")
def people(web_server: WebServer) -> dict[str, Person]:
    """The demo's analyst and supervisor, an observer and an admin, each able to sign in."""
    made: dict[str, Person] = {}
    with web_server.db() as session:
        users = {u.name: u for u in session.scalars(select(User))}
        hotline = users["Ada Analyst"].org
        observers = accounts.create_org(session, "Example Observatory", OrgKind.OBSERVER)
        wanted = {
            "analyst": users["Ada Analyst"],
            "supervisor": users["Sam Supervisor"],
            "observer": accounts.create_user(session, observers, "Olu Observer", "observer"),
            "admin": accounts.create_user(session, hotline, "Ash Admin", "admin"),
        }
        for role, user in wanted.items():
            login = auth.set_password(session, user, PASSWORD, FAST)
            made[role] = Person(user.id, login, auth.enroll_totp(session, user).secret)
    return made


def sign_in(page: Any, person: Person, to: str = "/staff") -> None:
    """Sign in through the form, landing on ``to``."""
    page.goto(f"/login?next={to}")
    page.get_by_label("Login name").fill(person.login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app").fill(person.next_code())
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(to) + r"$"))


def look(page: Any, name: str, axe_check: Axe, screenshot: Shot) -> None:
    """axe-core on the page as it is, then its screenshot."""
    axe_check(page)
    screenshot(page, f"staff-{name}")


def run(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # our own command with fixed arguments
        hotlist_command(*args), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, env=env
    )
    assert result.returncode == 0, f"hotlist {' '.join(args)}: {result.stderr[-2000:]}"
    return result.stdout


def report_through_the_form(page: Any, url: str) -> None:
    page.goto("/report")
    page.get_by_label("Address of the page").fill(url)
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url(re.compile(r"/report/status\?"))


def test_the_login_page(page: Any, axe_check: Axe, screenshot: Shot) -> None:
    page.goto("/staff/queue")
    page.wait_for_url(re.compile(r"/login\?next="))
    look(page, "login", axe_check, screenshot)
    page.get_by_label("Login name").fill("nobody.abcdefghjk")
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert "wrong" in page.get_by_role("alert").inner_text()
    look(page, "login-failed", axe_check, screenshot)


def test_a_public_report_is_assessed_into_an_entry_the_edge_blocks(
    page: Any,
    web_server: WebServer,
    people: dict[str, Person],
    tmp_path: Path,
    axe_check: Axe,
    screenshot: Shot,
) -> None:
    url = "http://www.staff-flow.example/gallery/page.html"
    report_through_the_form(page, url)
    sign_in(page, people["analyst"])
    look(page, "home-analyst", axe_check, screenshot)

    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/staff/queue"))
    look(page, "queue", axe_check, screenshot)
    assert url not in page.content()
    page.get_by_role("link", name=re.compile(r"^#\d+$")).last.click()
    page.wait_for_url(re.compile(r"/staff/reports/\d+$"))
    report_id = int(page.url.rsplit("/", 1)[1])
    assert url not in page.content()
    look(page, "report", axe_check, screenshot)

    page.get_by_role("button", name="Reveal the address").click()
    assert page.locator("#report-url .url").inner_text() == url
    assert page.url.endswith(f"/staff/reports/{report_id}")  # htmx swapped the fragment in
    with web_server.db() as session:
        logged = session.scalars(
            select(AccessLog).where(AccessLog.subject_id == str(report_id))
        ).all()
        assert [(a.action, a.user_id) for a in logged] == [
            ("report.open", people["analyst"].user_id)
        ]
    look(page, "report-revealed", axe_check, screenshot)

    page.get_by_role("link", name="Assess this report").click()
    look(page, "assess", axe_check, screenshot)
    page.get_by_label("Actionable: illegal under a category of the policy").check()
    page.get_by_label("Category", exact=True).select_option("csam")
    page.get_by_label("Scope", exact=True).select_option("page")
    page.get_by_label("Facts the decision relies on").fill("Images of the sexual abuse of a child.")
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(re.compile(r"/staff/entries/[0-9a-f]{16}\?new=1"))
    entry_id = urlsplit(page.url).path.rsplit("/", 1)[1]
    look(page, "entry", axe_check, screenshot)
    page.get_by_role("button", name="Reveal the expression").click()
    assert (
        page.locator("#entry-expression .url").inner_text()
        == "www.staff-flow.example/gallery/page.html"
    )
    page.get_by_role("link", name="Entries").click()
    look(page, "entries", axe_check, screenshot)

    run("publish", "--data-dir", str(web_server.data_dir), env=web_server.env)
    store = tmp_path / "edge"
    run(
        "edge",
        "init",
        "--server",
        web_server.url("/v1/tuf/"),
        "--key",
        f"file:{web_server.keys.member_file}",
        "--root",
        str(web_server.data_dir / "repository" / "metadata" / "1.root.json"),
        "--store",
        str(store),
    )
    run("edge", "sync", "--store", str(store), "--quiet")
    document = json.loads(run("edge", "check", "--store", str(store), "--json", url))
    verdicts = document["results"] if isinstance(document, dict) else document
    assert verdicts[0]["blocked"] is True
    assert verdicts[0]["entry_id"] == entry_id


def test_a_supervisor_decides_an_appeal_the_public_then_sees(
    page: Any,
    browser: Any,
    web_server: WebServer,
    people: dict[str, Person],
    axe_check: Axe,
    screenshot: Shot,
) -> None:
    report_through_the_form(page, "http://www.appealed.example/page.html")
    sign_in(page, people["analyst"], "/staff/queue")
    page.get_by_role("link", name=re.compile(r"^#\d+$")).last.click()
    page.get_by_role("link", name="Assess this report").click()
    page.get_by_label("Actionable: illegal under a category of the policy").check()
    page.get_by_label("Category", exact=True).select_option("csam")
    page.get_by_label("Scope", exact=True).select_option("page")
    page.get_by_label("Facts the decision relies on").fill("As the policy defines it.")
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url(re.compile(r"/staff/entries/[0-9a-f]{16}"))
    entry_id = urlsplit(page.url).path.rsplit("/", 1)[1]

    public = browser.new_context(base_url=web_server.base_url, locale="en-GB")
    try:
        visitor = public.new_page()
        visitor.goto(f"/blocked/{entry_id}")
        visitor.locator("a.appeal").click()
        visitor.wait_for_url(re.compile(r"/appeal\?entry="))
        visitor.get_by_label("I run the site or own its content").check()
        visitor.get_by_label("Why is the entry wrong?").fill("These are my own drawings.")
        visitor.get_by_role("button", name="Send the appeal").click()
        visitor.wait_for_url(re.compile(r"/appeal/status\?"))
        receipt = parse_qs(urlsplit(visitor.url).query)["receipt"][0]

        sign_in(page, people["supervisor"], "/staff/appeals")
        look(page, "appeals", axe_check, screenshot)
        page.get_by_role("row", name=re.compile(entry_id)).get_by_role("link").first.click()
        page.wait_for_url(re.compile(r"/staff/appeals/\d+$"))
        look(page, "appeal", axe_check, screenshot)
        page.get_by_label("Rejected: the entry stays").check()
        page.get_by_label("Reason (shown to the appellant and logged)").fill(
            "The drawings depict abuse as the policy defines it."
        )
        page.get_by_role("button", name="Record the decision").click()
        page.wait_for_url(re.compile(r"\?decided=1"))
        look(page, "appeal-decided", axe_check, screenshot)

        visitor.goto(f"/appeal/status?receipt={receipt}")
        status = visitor.locator("#appeal-status")
        assert status.get_attribute("data-outcome") == "rejected"
        assert "The drawings depict abuse as the policy defines it." in status.inner_text()
    finally:
        public.close()

    for name, path in (
        ("review", "/staff/review"),
        ("objections", "/staff/objections"),
        ("audit", "/staff/audit"),
        ("log", "/staff/log"),
    ):
        page.goto(path)
        look(page, name, axe_check, screenshot)


def test_an_observer_reads_but_reaches_no_write_action(
    page: Any, web_server: WebServer, people: dict[str, Person], axe_check: Axe, screenshot: Shot
) -> None:
    with web_server.db() as session:
        supervisor = session.get_one(User, people["supervisor"].user_id)
        by = Principal(supervisor.id, supervisor.org_id, Role.SUPERVISOR, is_person=True)
        now = datetime.now(UTC)
        sample = observers.draw_sample(session, now - timedelta(days=1), now, 3, by)
        sample_id = sample.id
    sign_in(page, people["observer"])
    look(page, "home-observer", axe_check, screenshot)
    page.goto(f"/staff/audit/{sample_id}")
    look(page, "audit-sample", axe_check, screenshot)
    page.get_by_label("agree", exact=True).first.check()
    page.get_by_role("button", name="Record my review").first.click()
    page.wait_for_url(re.compile(r"\?reviewed=1"))
    assert "Your review is recorded." in page.get_by_role("status").first.inner_text()
    page.goto("/staff/queue?status=any")
    page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    assert page.get_by_role("button", name="Reveal the address").count() == 0
    assert page.get_by_role("link", name="Assess this report").count() == 0
    report_path = urlsplit(page.url).path
    denied = page.goto(f"{report_path}/assess")
    assert denied.status == 403
    assert page.locator("main form").count() == 0
    look(page, "forbidden-observer", axe_check, screenshot)
    for path in ("/staff/admin/keys", "/staff/review"):
        assert page.goto(path).status == 403


def test_the_admin_pages(
    page: Any, people: dict[str, Person], axe_check: Axe, screenshot: Shot
) -> None:
    sign_in(page, people["admin"])
    for name, path in (
        ("admin-orgs", "/staff/admin/orgs"),
        ("admin-people", "/staff/admin/people"),
        ("admin-keys", "/staff/admin/keys"),
    ):
        page.goto(path)
        look(page, name, axe_check, screenshot)
    page.get_by_label("For a person: their user id").fill(str(people["admin"].user_id))
    page.get_by_role("button", name="Issue the key").click()
    assert page.locator("#issued-key").inner_text().startswith("hk_")
    look(page, "admin-key-issued", axe_check, screenshot)
