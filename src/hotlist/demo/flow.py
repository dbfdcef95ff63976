"""The demo flow: one report walked through the hotline and out to a member's edge.

Every step uses what a real deployment uses: the server runs as ``hotlist serve`` in its own
process, people and machines talk to it over HTTP with their API keys, and the member's edge is
driven with the ``hotlist edge`` commands. Only reserved names (RFC 2606) appear.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

import urllib3
from rich.console import Console
from rich.markup import escape

from hotlist.demo.removal import ABUSE_CONTACT, World
from hotlist.errors import ConfigError, HotlistError
from hotlist.text import plural

T = TypeVar("T")

LISTED_URL = "http://www.blocked.example/gallery/Set%2042/index.html?page=2"
UNLISTED_URL = "http://www.example.com/news/today.html"
LISTED_HOST = "www.blocked.example"
LISTED_PATH = "/gallery/Set%2042/index.html"
SERVER_START_TIMEOUT_S = 60.0
JOB_WAIT_S = 30.0
"""How long the demo waits for the server's background jobs (they tick every second)."""


class DemoFailed(HotlistError):
    """A step of the demo did not do what it should."""

    exit_code = 20


@dataclass
class Keys:
    """The demo's API keys, as ``hotlist admin issue-key`` would print them."""

    analyst: str = ""
    supervisor: str = ""
    member: str = ""
    member_file: Path = field(default_factory=Path)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hotlist_command(*args: str) -> list[str]:
    """The ``hotlist`` command line with ``args``, run by this same Python."""
    return [sys.executable, "-m", "hotlist", *args]


class Demo:
    """Runs the steps in order, printing each; any failure raises :class:`DemoFailed`."""

    def __init__(
        self, data_dir: Path, port: int, console: Console, world: World | None = None
    ) -> None:
        self.data_dir = data_dir
        self.port = port
        self.world = world
        self.notice_id: int | None = None
        self.console = console
        self.base = f"http://127.0.0.1:{port}"
        self.keys = Keys()
        self.people: list[tuple[int, str, str]] = []
        """The demo's people as ``(id, name, role)``, one of each staff role and an observer."""
        self.http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=30), retries=False)
        self.edge_store = data_dir / "edge"
        self._step = 0

    def env(self) -> dict[str, str]:
        """The environment of the demo's commands: the server's public URL is its loopback
        address, allowed by the unsafe setting (the demo runs on one machine only)."""
        env = {
            **os.environ,
            "HOTLIST_PUBLIC_URL": self.base,
            "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL": "1",
        }
        if self.world is not None:
            env.update(self.world.server_env())
        return env

    # -- output ---------------------------------------------------------------------------
    def step(self, title: str) -> None:
        """Print the next step's heading."""
        self._step += 1
        self.console.rule(f"[bold]{self._step}. {title}", align="left")

    def say(self, text: str) -> None:
        """Print a line of the demo's narration."""
        self.console.print(text, highlight=False)

    # -- helpers --------------------------------------------------------------------------
    def api(
        self, method: str, path: str, key: str | None = None, body: Any = None, expect: int = 200
    ) -> Any:
        """Call the server's API; a status other than ``expect`` fails the demo."""
        headers = {"Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        try:
            response = self.http.request(method, self.base + path, body=data, headers=headers)
        except urllib3.exceptions.HTTPError as exc:
            raise DemoFailed(f"{method} {path}: the server did not answer ({exc})") from exc
        if response.status != expect:
            raise DemoFailed(
                f"{method} {path} answered {response.status}, expected {expect}: "
                f"{response.data.decode(errors='replace')[:500]}"
            )
        return json.loads(response.data) if response.data else None

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``hotlist ARGS`` as a user would, echoing the command and its output."""
        shown = " ".join(args)
        self.say(f"[dim]$ hotlist {shown}[/]")
        # The command's own tables fit the demo's indented output.
        env = {**self.env(), "COLUMNS": str(max(60, self.console.width - 2))}
        result = subprocess.run(  # noqa: S603  # our own command with fixed arguments
            hotlist_command(*args), capture_output=True, text=True, check=False, env=env
        )
        for line in (result.stdout + result.stderr).rstrip().splitlines():
            self.say(f"  {line}")
        return result

    def must_run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """:meth:`run`, failing the demo on a non-zero exit."""
        result = self.run(*args)
        if result.returncode != 0:
            raise DemoFailed(f"`hotlist {' '.join(args)}` exited {result.returncode}")
        return result

    # -- the steps ------------------------------------------------------------------------
    def prepare(self) -> None:
        """Data directory, migrations, demo policy, organisations, people, keys."""
        from hotlist.server.accounts import service as accounts
        from hotlist.server.accounts.models import OrgKind
        from hotlist.server.config import Settings
        from hotlist.server.db.session import make_engine, session_factory
        from hotlist.server.db.upgrade import upgrade
        from hotlist.server.kit.paths import repository_paths
        from hotlist.server.policies import service as policies
        from hotlist.server.publishing.service import ensure_keys

        self.step("Create the data directory and apply the migrations")
        settings = Settings.load(self.data_dir)
        settings.prepare_data_dir()
        revision = upgrade(settings.database_url)
        self.say(f"SQLite database {self.data_dir / 'hotlist.db'} at revision {revision}")

        self.step("Load the demo policy")
        engine = make_engine(settings.database_url)
        try:
            with session_factory(engine)() as session, session.begin():
                version = policies.ensure_policy(session)
                _row, policy = policies.current_policy(session)
                self.say(f"policy {policy.policy_id!r} version {version.version}, kept by ")
                self.say(f"  {policy.operator}; categories:")
                for category in policy.categories:
                    host = "host scope allowed" if category.host_scope_allowed else "no host scope"
                    self.say(f"  - {category.code}: {category.name} ({host})")

            self.step("Create the demo organisations, people and their API keys")
            with session_factory(engine)() as session, session.begin():
                hotline = accounts.create_org(session, "Example Hotline", OrgKind.HOTLINE)
                isp = accounts.create_org(session, "Example ISP", OrgKind.ISP)
                watchers = accounts.create_org(session, "Example Observers", OrgKind.OBSERVER)
                analyst = accounts.create_user(session, hotline, "Ada Analyst", "analyst")
                supervisor = accounts.create_user(session, hotline, "Sam Supervisor", "supervisor")
                admin = accounts.create_user(session, hotline, "Alex Admin", "admin")
                observer = accounts.create_user(session, watchers, "Olu Observer", "observer")
                self.people = [
                    (person.id, person.name, person.role)
                    for person in (analyst, supervisor, admin, observer)
                ]
                _, self.keys.analyst = accounts.issue_key(session, user=analyst, label="demo")
                _, self.keys.supervisor = accounts.issue_key(session, user=supervisor, label="demo")
                _, self.keys.member = accounts.issue_key(
                    session, org=isp, role="member", label="demo edge"
                )
        finally:
            engine.dispose()
        for user_id, name, role in self.people:
            self.say(f"user {user_id}: {name} ({role})")
        keys_dir = self.data_dir / "demo-keys"
        keys_dir.mkdir(mode=0o700, exist_ok=True)
        self.keys.member_file = keys_dir / "member.key"
        for name, secret in (
            ("analyst", self.keys.analyst),
            ("supervisor", self.keys.supervisor),
            ("member", self.keys.member),
        ):
            path = keys_dir / f"{name}.key"
            path.write_text(secret + "\n", encoding="utf-8")
            path.chmod(0o600)
            self.say(f"{name:<10} {secret}   (also in {path})")

        self.step("Create the list's signing keys (TUF root, targets, snapshot, timestamp)")
        paths = repository_paths(settings)
        ensure_keys(paths)
        self.say(f"keys in {paths.keys} (mode 0600); the list will be published in")
        self.say(f"  {paths.repository}")

    @contextmanager
    def server(self) -> Iterator[subprocess.Popen[bytes]]:
        """``hotlist serve`` in its own process, stopped when the block ends."""
        self.step("Start the hotline's server")
        args = (
            "serve",
            *("--data-dir", str(self.data_dir), "--port", str(self.port)),
            *("--public-url", self.base),
        )
        self.say(f"[dim]$ HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL=1 hotlist {' '.join(args)}[/]")
        self.say("the demo's block pages link appeals to this machine only, which the unsafe")
        self.say("  setting allows; a real server gets the address people reach it at")
        log = (self.data_dir / "server.log").open("wb")
        process = subprocess.Popen(  # noqa: S603  # our own command with fixed arguments
            hotlist_command(*args), stdout=log, stderr=subprocess.STDOUT, env=self.env()
        )
        try:
            self._wait_until_up(process)
            self.say(f"serving on {self.base} (log: {self.data_dir / 'server.log'})")
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()

    def _wait_until_up(self, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = (self.data_dir / "server.log").read_text(errors="replace")[-2000:]
                raise DemoFailed(f"the server exited with {process.returncode}:\n{tail}")
            try:
                if self.http.request("GET", self.base + "/healthz", retries=False).status == 200:
                    return
            except urllib3.exceptions.HTTPError:
                pass
            time.sleep(0.2)
        raise DemoFailed(
            f"the server did not answer on {self.base} within {SERVER_START_TIMEOUT_S}s"
        )

    def report_to_entry(self) -> str:
        """Report, triage, assessment, entry; returns the entry's public id."""
        self.step("A member of the public reports a URL (anonymous, no IP address stored)")
        reported = self.world.url(LISTED_URL.split(LISTED_HOST, 1)[1]) if self.world else LISTED_URL
        self.say(f"POST /v1/reports  url={reported}")
        receipt = self.api("POST", "/v1/reports", body={"url": reported}, expect=201)["receipt"]
        status = self.api("GET", f"/v1/reports/{receipt}/status")["status"]
        self.say(f"receipt {receipt}; status: {status}")

        self.step("The analyst opens the queue and the report (the URL view is logged)")
        queue = self.api("GET", "/v1/reports?status=received", key=self.keys.analyst)["items"]
        self.say(f"{plural(len(queue), 'report', 'reports')} waiting; the queue shows no URL")
        if not queue:
            raise DemoFailed("the report is not in the analysts' queue")
        report = self.api("GET", f"/v1/reports/{queue[0]['id']}", key=self.keys.analyst)
        self.say(f"report {report['id']}: {report['url']}")
        self.say(f"canonical: {report.get('canonical_url', '')}")

        self.step("The analyst assesses it: actionable, category csam, page scope")
        assessment = self.api(
            "POST",
            f"/v1/reports/{report['id']}/assessments",
            key=self.keys.analyst,
            body={
                "actionable": True,
                "category": "csam",
                "scope": "page",
                "reason": "Demo: the page shows material the policy's csam definition covers.",
            },
            expect=201,
        )
        entry_id: str = assessment["entry_public_id"]
        self.say(f"entry {entry_id} created under policy version {assessment['policy_version']}")

        self.step("The entry's statement of reasons (what members and observers see)")
        entry = self.api("GET", f"/v1/entries/{entry_id}", key=self.keys.member)
        for name in ("category", "scope", "state", "legal_basis", "expression_hash", "expires_at"):
            if name in entry:
                self.say(f"  {name:<16} {entry[name]}")
        self.say(
            f"reporter's status now: {self.api('GET', f'/v1/reports/{receipt}/status')['status']}"
        )
        return entry_id

    def publish_and_enforce(self, entry_id: str) -> None:
        """Publish, set up and sync a member's edge, check a listed and an unlisted URL."""
        self.step("Publish the list: a signed snapshot and delta in the TUF repository")
        self.must_run("publish", "--data-dir", str(self.data_dir))

        self.step("The member sets up its edge store, trusting the root it got out of band")
        root = self.data_dir / "repository" / "metadata" / "1.root.json"
        self.must_run(
            "edge",
            "init",
            "--server",
            f"{self.base}/v1/tuf/",
            "--key",
            f"file:{self.keys.member_file}",
            "--root",
            str(root),
            "--store",
            str(self.edge_store),
        )

        self.step("The member syncs: verified with TUF, applied atomically")
        self.must_run("edge", "sync", "--store", str(self.edge_store), "--quiet")
        self.must_run("edge", "status", "--store", str(self.edge_store))

        self.step("Enforcement: the listed URL is blocked, an unlisted one is not")
        store = str(self.edge_store)
        self.must_run("edge", "check", "--store", store, LISTED_URL, UNLISTED_URL)
        result = subprocess.run(  # noqa: S603  # our own command with fixed arguments
            hotlist_command("edge", "check", "--store", store, "--json", LISTED_URL, UNLISTED_URL),
            capture_output=True,
            text=True,
            check=False,
            env=self.env(),
        )
        self._expect_verdicts(result.stdout, entry_id)

    def _expect_verdicts(self, output: str, entry_id: str) -> None:
        try:
            document = json.loads(output)
        except ValueError as exc:
            raise DemoFailed(
                f"`hotlist edge check --json` printed no JSON: {output[:300]}"
            ) from exc
        verdicts: Sequence[dict[str, Any]] = (
            document["results"] if isinstance(document, dict) else document
        )
        listed, unlisted = verdicts[0], verdicts[1]
        if not listed.get("blocked") or listed.get("entry_id") != entry_id:
            raise DemoFailed(f"the listed URL was not blocked by entry {entry_id}: {listed}")
        if unlisted.get("blocked"):
            raise DemoFailed(f"the unlisted URL was blocked: {unlisted}")
        self.say(f"[green]blocked[/]  {LISTED_URL}  (entry {entry_id})")
        self.say(f"[green]allowed[/]  {UNLISTED_URL}")

    # -- removal at source ----------------------------------------------------------------
    def wait_for(self, what: str, probe: Callable[[], T | None]) -> T:
        """``probe()``'s first answer that is not None, asked every 0.2 s (the server's jobs
        tick every second in the demo); fails the demo after :data:`JOB_WAIT_S`."""
        deadline = time.monotonic() + JOB_WAIT_S
        while time.monotonic() < deadline:
            found = probe()
            if found is not None:
                return found
            time.sleep(0.2)
        raise DemoFailed(f"{what} did not happen within {JOB_WAIT_S:.0f}s")

    def where_hosted(self, entry_id: str) -> None:
        """The notices job looked the new entry's host up: show what it found."""
        self.step("Where it is hosted: address, network, country, abuse contact (a snapshot)")
        path = f"/v1/entries/{entry_id}/hosting"
        latest: dict[str, Any] = self.wait_for(
            "the hosting lookup", lambda: self.api("GET", path, key=self.keys.analyst)["latest"]
        )
        self.say(f"GET {path}  (the notices job looked it up when the entry was made)")
        self.say(f"  address     {latest['ip']}")
        self.say(f"  network     {latest['network_name']} (AS{latest['asn']})")
        self.say(f"  country     {latest['country']}: the hotline's own, so a notice goes")
        self.say(f"  abuse       {', '.join(latest['abuse_contacts'])}")
        self.say(f"  registrar   {latest['registrar']}")
        self.say("the demo's hosting data is a file (offline); a real server asks the DNS, RDAP")
        self.say("  and the Abusix zone (HOTLIST_HOSTING_SOURCES=live)")

    def notice_sent(self) -> None:
        """The notice reaches the provider's mailbox: show what it holds."""
        assert self.world is not None
        world = self.world
        self.step("A XARF notice to the host's abuse desk, by e-mail (a loopback SMTP server)")
        message: EmailMessage = self.wait_for(
            "the notice e-mail", lambda: next(iter(world.mailbox.received()), None)
        )
        self.say(f"To:       {message['To']}")
        self.say(f"Subject:  {escape(str(message['Subject']))}")
        self.say(f"type:     {message.get_content_type()} ({message.get_param('report-type')})")
        xarf_parts = 0
        for part in message.walk():
            if part.is_multipart():
                continue
            name = part.get_filename() or ""
            self.say(f"  part    {part.get_content_type()} {name}".rstrip())
            if part.get_content_type() == "application/json":
                report = json.loads(part.get_content())
                xarf_parts += 1
                self.say(
                    f"          XARF {report['xarf_version']} {report['category']}/"
                    f"{report['type']}, url {report['url']}"
                )
        if message["To"] != ABUSE_CONTACT or not xarf_parts:
            raise DemoFailed(f"the notice went to {message['To']} with {xarf_parts} XARF parts")
        queue = self.api("GET", "/v1/notices", key=self.keys.analyst)
        for notice in queue["next_out"] + queue["overdue"]:
            self.notice_id = int(notice["id"])
            self.say(
                f"notice {notice['reference']}: {notice['state']}, re-sent on the policy's "
                f"ladder from {notice['due_at']} unless the content goes"
            )

    def removal_at_source(self, entry_id: str) -> None:
        """The host takes the page down; the checker sees it gone; the entry leaves the list;
        the time to removal is counted."""
        assert self.world is not None
        self.step("The host takes the page down (the origin now answers 404)")
        self.world.origin.take_down()
        self.say(f"origin {self.world.url(LISTED_PATH)}: 404 Not Found")

        self.step("The checker finds it gone twice (HEAD only: it never downloads content)")
        self.say("two checks must be 12 hours apart; the demo's server is set to 1 second and")
        self.say("  the analyst asks for the checks now instead of waiting the policy's schedule")
        for _ in range(2):
            time.sleep(1.1)
            check = self.api(
                "POST", f"/v1/entries/{entry_id}/checks", key=self.keys.analyst, expect=201
            )
            self.say(f"  {check['at']}  {check['outcome']:<8} HTTP {check['status']}")

        def removed() -> dict[str, Any] | None:
            entry: dict[str, Any] = self.api("GET", f"/v1/entries/{entry_id}", key=self.keys.member)
            return entry if entry["state"] == "removed" else None

        self.wait_for("the entry's removal", removed)
        self.say(f'entry {entry_id}: removed, reason "content removed at source" (logged)')
        if self.notice_id is not None:
            thread = self.api("GET", f"/v1/notices/{self.notice_id}", key=self.keys.analyst)
            if thread["state"] != "removed":
                raise DemoFailed(f"the notice stayed {thread['state']} after the removal")
            self.say(f"notice {thread['reference']}: removed; the ladder stops")

        self.step("The entry leaves the next list version; the member's edge lets the URL through")
        self.must_run("publish", "--data-dir", str(self.data_dir))
        store = str(self.edge_store)
        self.must_run("edge", "sync", "--store", store, "--quiet")
        result = subprocess.run(  # noqa: S603  # our own command with fixed arguments
            hotlist_command("edge", "check", "--store", store, "--json", LISTED_URL),
            capture_output=True,
            text=True,
            check=False,
            env=self.env(),
        )
        verdicts = json.loads(result.stdout)
        verdict = (verdicts["results"] if isinstance(verdicts, dict) else verdicts)[0]
        if verdict.get("blocked"):
            raise DemoFailed(f"the removed entry still blocks {LISTED_URL}: {verdict}")
        self.say(f"[green]allowed[/]  {LISTED_URL}  (content removed at source)")

        self.step("Time to removal, as the transparency figures count it")
        today = datetime.now(UTC).date().isoformat()
        period = f"/v1/transparency?from={today}&to={today}"
        figures = self.api("GET", period, key=self.keys.analyst)
        counted = figures["removal"]["all"]
        if not counted["removed"]:
            raise DemoFailed(f"the transparency figures count no removal: {counted}")
        minutes = counted["median_minutes_notice_to_removal"]
        self.say(f"removed: {counted['removed']} of {counted['cases']} case(s) today")
        self.say(f"notice -> removal: {minutes:.1f} minutes (median)")
        self.say("per category, provider and period: /transparency and GET /v1/transparency")

    def where_to_look(self) -> None:
        """Point the user at what the demo left behind."""
        self.step("Where to look")
        self.say(f"data directory    {self.data_dir}")
        self.say(f"API keys          {self.data_dir / 'demo-keys'}")
        self.say(f"signed list       {self.data_dir / 'repository'}")
        self.say(f"member's store    {self.edge_store}")
        self.say(f"run the server    hotlist serve --data-dir {self.data_dir}")
        self.say("then open         http://127.0.0.1:8000/ (the public report form),")
        self.say("                  /docs (the API), /transparency, /login (staff)")
        self.say("staff sign-in     hotlist admin set-password --user ID (prints the login name),")
        self.say("                  then hotlist admin enroll-totp --user ID (with --data-dir)")
        self.say("                  for one of the demo's people (hotlist admin list-users):")
        for user_id, name, role in self.people:
            self.say(f"                  --user {user_id:<3} {name} ({role})")


def run_demo(data_dir: Path, port: int | None, console: Console, *, keep: bool = True) -> None:
    """Run every step in ``data_dir`` (which must be new or empty); ``keep``: it stays after."""
    if data_dir.exists() and any(data_dir.iterdir()):
        raise ConfigError(
            f"{data_dir} is not empty: the demo starts from a fresh data directory "
            "(remove it, or give another --data-dir)"
        )
    data_dir = data_dir.resolve()
    os.environ.pop("HOTLIST_DATABASE_URL", None)  # the demo always runs on the embedded default
    with World(data_dir, LISTED_HOST, LISTED_PATH, free_port()) as world:
        demo = Demo(data_dir, port or free_port(), console, world)
        demo.prepare()
        with demo.server():
            entry_id = demo.report_to_entry()
            demo.where_hosted(entry_id)
            demo.notice_sent()
            demo.publish_and_enforce(entry_id)
            demo.removal_at_source(entry_id)
    if keep:
        demo.where_to_look()
