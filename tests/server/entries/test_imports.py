"""``hotlist entries import`` on SQLite and PostgreSQL: entries with their statement of reasons,
the assessment's checks line by line, duplicates, reruns, batches, the log and the next list."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient
from typer.testing import CliRunner, Result

from hotlist.cli.main import app
from hotlist.errors import HotlistError, NotFound, PermissionDenied, PolicyError, StorageError
from hotlist.policy import SharedHostingList
from hotlist.publish.log.events import LogEventKind
from hotlist.server.accounts.models import User
from hotlist.server.config import Settings
from hotlist.server.db.base import utcnow
from hotlist.server.entries import imports
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry, EntryEvent, EntryState
from hotlist.server.log import service as log_service
from hotlist.server.policies import service as policies
from hotlist.server.publishing.service import make_publisher, publish
from hotlist.server.reports.service import first_report_id
from hotlist.urls import Scope, expression_hash

Auth = Callable[[str], dict[str, str]]
MakeUser = Callable[..., User]
REASON = "Listed by the hotline's previous system after assessment."

PUBLIC_URL = "https://hotline.example"


@pytest.fixture(autouse=True)
def _no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HOTLIST_DATA_DIR", "HOTLIST_DATABASE_URL", "HOTLIST_POLICY_FILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def analyst(make_user: MakeUser) -> User:
    return make_user("analyst", name="Ada Analyst")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(*lines)``: a list file holding ``lines``, each ended by a newline."""

    def make(*lines: str) -> Path:
        path = tmp_path / "list.txt"
        path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return path

    return make


@pytest.fixture
def run(db_url: str, analyst: User) -> Callable[..., Result]:
    """``run(file, *options)``: the command on the test database as the analyst, page scope,
    category csam, JSON output; ``options`` add to or replace those."""

    def invoke(file: Path, *options: str) -> Result:
        given = {"--scope": "page", "--category": "csam", "--reason": REASON}
        given["--as"] = str(analyst.id)
        flags = []
        rest = list(options)
        while rest:
            name = rest.pop(0)
            if name.startswith("--") and rest and not rest[0].startswith("--"):
                given[name] = rest.pop(0)
            else:
                flags.append(name)
        args = [arg for pair in given.items() for arg in pair]
        return CliRunner().invoke(
            app, ["entries", "import", str(file), *args, *flags, "--database-url", db_url]
        )

    return invoke


def _json(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    loaded: dict[str, Any] = json.loads(result.stdout)
    return loaded


def _error(result: Result, kind: type[HotlistError]) -> str:
    """The message of the error of ``kind`` the command stopped with."""
    assert isinstance(result.exception, kind), result.output
    return result.exception.message


def _count(sessions: sessionmaker[Session], model: type[Entry | EntryEvent]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_each_line_becomes_an_entry_with_its_statement_of_reasons(
    run: Callable[..., Result],
    write: Callable[..., Path],
    analyst: User,
    client: TestClient,
    auth: Auth,
    sessions: sessionmaker[Session],
) -> None:
    urls = ["http://www.example.com/a/b.html", "https://Gallery.Example/set/", "shop.test/x?id=1"]
    summary = _json(run(write(*urls), "--json"))
    assert (summary["lines"], summary["added"], summary["duplicates"]) == (3, 3, 0)
    assert summary["refused"] == []
    listed = client.get("/v1/entries", headers=auth("analyst")).json()["items"]
    assert len(listed) == 3
    with sessions() as session:
        hashes = {entry.expression_hash for entry in session.scalars(select(Entry))}
    wanted = {"www.example.com/a/b.html", "gallery.example/set/", "shop.test/x?id=1"}
    assert hashes == {expression_hash(expression) for expression in wanted}
    for shown in listed:
        reasons = shown["statement_of_reasons"]
        assert (shown["state"], shown["scope"], shown["category"]) == ("active", "page", "csam")
        assert reasons["facts"] == REASON
        assert reasons["policy_version"] == 1
        assert reasons["decided_by"] == analyst.id
        assert reasons["scope_reason"].startswith("page scope")
        assert reasons["legal_basis"]
        assert reasons["territorial_scope"]
        events = client.get(f"/v1/entries/{shown['public_id']}/events", headers=auth("analyst"))
        [created] = events.json()["items"]
        assert (created["kind"], created["reason"]) == ("created", imports.IMPORT_NOTE)
        assert created["actor_id"] == analyst.id
    with sessions() as session:
        logged = log_service.events_of_kind(session, LogEventKind.ENTRY_ADDED)
    assert sorted(leaf.event.fields["entry_id"] for leaf in logged) == sorted(
        shown["public_id"] for shown in listed
    )
    assert {leaf.event.fields["policy_version"] for leaf in logged} == {1}


def test_refused_lines_are_reported_with_their_numbers_and_the_rest_go_in(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    file = write(
        "# exported 2026-11-30",
        "http://www.example.com/ok.html",
        "",
        "javascript:alert(1)",
        "http://site.example/a page.html",
        "http://",
        "https://user1.pages.example/",
        "http://www.example.com/also-ok/",
    )
    summary = _json(run(file, "--json"))
    assert (summary["lines"], summary["added"], summary["duplicates"]) == (6, 2, 0)
    refused = {item["line"]: item["reason"] for item in summary["refused"]}
    assert set(refused) == {4, 5, 6, 7}
    assert "unsupported scheme 'javascript'" in refused[4]
    assert "one URL a line" in refused[5]
    assert "no host" in refused[6]
    # The page http://host/ lists the whole host: host scope's rules apply to it.
    assert "the whole host" in refused[7]
    assert "shared-hosting" in refused[7] or "scope_reason" in refused[7]
    assert _count(sessions, Entry) == 2


def test_host_scope_meets_the_assessments_rules(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    file = write("http://bad.example/x/y.html", "https://user1.pages.example/a.html")
    assert "give a scope_reason" in _error(run(file, "--scope", "host"), PolicyError)
    terror = run(file, "--scope", "host", "--scope-reason", "all of it", "--category", "terror")
    assert "host_scope_allowed" in _error(terror, PolicyError)
    assert _count(sessions, Entry) == 0
    summary = _json(run(file, "--scope", "host", "--scope-reason", "the site is for it", "--json"))
    assert summary["added"] == 1
    [(line, reason)] = [(item["line"], item["reason"]) for item in summary["refused"]]
    assert line == 2
    assert "shared-hosting warning list (rule 'pages.example')" in reason
    with sessions() as session:
        entry = session.scalars(select(Entry)).one()
    assert (entry.expression, entry.scope, entry.scope_reason) == (
        "bad.example/",
        "host",
        "the site is for it",
    )


def test_a_category_the_policy_lacks_imports_nothing(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    result = run(write("http://www.example.com/a.html"), "--category", "spam")
    assert "'spam' is not in policy" in _error(result, PolicyError)
    assert _count(sessions, Entry) == 0


def test_duplicates_in_the_file_and_in_the_list_are_skipped_and_counted(
    run: Callable[..., Result],
    write: Callable[..., Path],
    listed_entry: Callable[..., str],
    sessions: sessionmaker[Session],
) -> None:
    listed_entry("http://www.example.com/listed.html")
    file = write(
        "http://www.example.com/listed.html",
        "http://www.example.com/new.html",
        "HTTP://WWW.EXAMPLE.COM/new.html#top",
        "http://www.example.com/other.html",
    )
    summary = _json(run(file, "--json"))
    assert (summary["added"], summary["duplicates"]) == (2, 2)
    assert _count(sessions, Entry) == 3


def test_a_second_run_adds_nothing_and_logs_nothing(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    file = write(*(f"http://site{n}.example/page.html" for n in range(7)), "not a url at all")
    first = _json(run(file, "--batch-size", "3", "--json"))
    assert (first["added"], first["duplicates"], len(first["refused"])) == (7, 0, 1)
    with sessions() as session:
        leaves = log_service.size(session)
    second = _json(run(file, "--batch-size", "3", "--json"))
    assert (second["added"], second["duplicates"], len(second["refused"])) == (0, 7, 1)
    with sessions() as session:
        assert log_service.size(session) == leaves
    assert _count(sessions, Entry) == 7
    assert _count(sessions, EntryEvent) == 7


def test_a_removed_entry_is_listed_again_by_a_new_import(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    file = write("http://www.example.com/a.html")
    _json(run(file, "--json"))
    with sessions() as session:
        entry = session.scalars(select(Entry)).one()
        entries.transition(session, entry, EntryState.REMOVED, "content gone", None)
        session.commit()
    assert _json(run(file, "--json"))["added"] == 1
    with sessions() as session:
        states = sorted(session.scalars(select(Entry.state)))
    assert states == ["active", "removed"]


@pytest.mark.parametrize("role", ["admin", "member", "observer"])
def test_only_a_person_allowed_to_make_entries_imports(
    run: Callable[..., Result],
    write: Callable[..., Path],
    make_user: MakeUser,
    sessions: sessionmaker[Session],
    role: str,
) -> None:
    other = make_user(role)
    result = run(write("http://www.example.com/a.html"), "--as", str(other.id))
    assert "needs the permission reports:assess" in _error(result, PermissionDenied)
    assert _count(sessions, Entry) == 0


def test_the_person_by_name_and_a_supervisor_too(
    run: Callable[..., Result], write: Callable[..., Path], make_user: MakeUser
) -> None:
    make_user("supervisor", name="Sam Supervisor")
    file = write("http://www.example.com/a.html", "http://www.example.com/b.html")
    assert _json(run(file, "--as", "Ada Analyst", "--json"))["added"] == 2
    assert _json(run(file, "--as", "Sam Supervisor", "--json"))["duplicates"] == 2
    unknown = run(file, "--as", "Nobody Here")
    assert "no user called 'Nobody Here'" in _error(unknown, NotFound)


def test_a_disabled_person_cannot_import(
    run: Callable[..., Result],
    write: Callable[..., Path],
    analyst: User,
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        session.get_one(User, analyst.id).disabled_at = utcnow()
        session.commit()
    result = run(write("http://www.example.com/a.html"))
    assert "is disabled" in _error(result, PermissionDenied)


def _plan(sessions: sessionmaker[Session], analyst: User, count: int) -> imports.Plan:
    lines = [imports.Line(n, f"http://site{n}.example/page.html") for n in range(1, count + 1)]
    request = imports.ImportRequest(scope=Scope.PAGE, category="csam", reason=REASON)
    with sessions() as session:
        policies.ensure_policy(session)
        session.commit()
        by = imports.importer(session, analyst.id)
        return imports.plan_import(session, lines, request, by, SharedHostingList.default())


def test_an_interrupted_import_keeps_whole_batches_and_a_rerun_completes_it(
    sessions: sessionmaker[Session], analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = _plan(sessions, analyst, 10)
    real = entries.create_many
    calls: list[int] = []

    def fail_on_the_third(session: Session, decisions: Any) -> list[int]:
        calls.append(len(decisions))
        if len(calls) == 3:
            real(session, decisions)  # written, then the batch fails: rolled back whole
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(session, decisions)

    monkeypatch.setattr(entries, "create_many", fail_on_the_third)
    with pytest.raises(StorageError, match=r"from line 7.*run the same import again"):
        imports.apply_import(sessions, plan, batch_size=3)
    assert _count(sessions, Entry) == 6
    assert _count(sessions, EntryEvent) == 6
    with sessions() as session:
        assert log_service.size(session) == 1 + 6  # the policy version, then the entries
    monkeypatch.setattr(entries, "create_many", real)
    summary = imports.apply_import(sessions, plan, batch_size=3)
    assert (summary.added, summary.duplicates) == (4, 6)
    assert _count(sessions, Entry) == 10


def test_an_entry_made_meanwhile_is_a_duplicate_on_the_retry(
    sessions: sessionmaker[Session],
    analyst: User,
    listed_entry: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan(sessions, analyst, 3)
    listed_entry("http://site2.example/page.html")  # listed after the plan's lookups...
    real = entries.active_hashes
    looked: list[int] = []

    def stale_once(session: Session, digests: Any) -> set[bytes]:
        looked.append(1)
        return set() if len(looked) == 1 else real(session, digests)  # ...and missed once

    monkeypatch.setattr(entries, "active_hashes", stale_once)
    summary = imports.apply_import(sessions, plan)
    assert (summary.added, summary.duplicates, len(looked)) == (2, 1, 2)
    assert _count(sessions, Entry) == 3


def test_imported_entries_are_in_the_next_list_version(
    run: Callable[..., Result],
    write: Callable[..., Path],
    sessions: sessionmaker[Session],
    settings: Settings,
) -> None:
    publisher = make_publisher(settings, create_keys=True)
    _json(run(write(*(f"http://www.example.com/{n}.html" for n in range(5))), "--json"))
    result = publish(sessions, publisher, public_url=PUBLIC_URL)
    assert (result.published, result.count, result.added) == (True, 5, 5)


def test_an_imported_entry_can_change_scope_without_a_report(
    run: Callable[..., Result],
    write: Callable[..., Path],
    make_user: MakeUser,
    sessions: sessionmaker[Session],
) -> None:
    _json(run(write("http://www.example.com/gallery/1.html"), "--json"))
    supervisor = make_user("supervisor")
    with sessions() as session:
        entry = session.scalars(select(Entry)).one()
        new = entries.rescope(
            session,
            entry,
            Scope.FOLDER,
            "the whole gallery",
            supervisor.id,
            report_id=first_report_id(session, entry.id),
        )
        session.commit()
        assert (new.expression, new.scope, new.facts) == (
            "www.example.com/gallery/",
            "folder",
            REASON,
        )
        [created] = entries.events(session, new)
    assert created.report_id is None


def test_many_lines_in_several_batches(
    run: Callable[..., Result], write: Callable[..., Path], sessions: sessionmaker[Session]
) -> None:
    file = write(*(f"https://site{n}.test/p/{n}.html" for n in range(2_500)))
    summary = _json(run(file, "--batch-size", "1000", "--json"))
    assert summary["added"] == 2_500
    assert _count(sessions, EntryEvent) == 2_500
    with sessions() as session:
        assert len(log_service.events_of_kind(session, LogEventKind.ENTRY_ADDED)) == 2_500
        assert len(entries.active_entries(session)) == 2_500
