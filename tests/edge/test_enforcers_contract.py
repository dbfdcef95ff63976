"""The enforcers' contract: every way a member enforces the list gives the same verdict for the
same list and URL, in every fail mode and staleness state.

:class:`EnforcerContract` is the abstract test: it builds a store for each (fail mode, state)
pair, asks the enforcer for its outcome on every URL of :data:`CASES`, and compares the answers
with the table of :func:`expected`. Each enforcer's test class inherits it and says only how to
ask: the library (:class:`~hotlist.edge.in_force.ListInForce`, both engines), the Squid helper
over its pipes, the lookup daemon over HTTP, the RPZ zone (host entries only: DNS sees no path)
and ``hotlist edge check``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

import pytest
from typer.testing import CliRunner

from hotlist.cli.main import app
from hotlist.edge.config import EdgeConfig
from hotlist.edge.daemon import make_server
from hotlist.edge.in_force import ListInForce
from hotlist.edge.lookup import LookupService
from hotlist.edge.matcher import Engine
from hotlist.edge.rpz import zone_for_store
from hotlist.edge.squid import BlockPage, SquidResponder
from hotlist.edge.squid_helper import ListWatcher, serve
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.errors import HotlistError
from hotlist.publish.format import Snapshot
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.public_policy import encode_public_policy
from hotlist.publish.wire import HOSTS_EXTRA, POLICY_EXTRA
from hotlist.urls import canonical_parts

from .listed import HOST_ENTRY, PAGE_ENTRY, POLICY

FailMode = Literal["open", "closed"]
State = Literal["fresh", "stale", "never_synced"]
Outcome = tuple[str, str | None]
"""("blocked", entry id), ("not blocked", None), or ("refused", None): no verdict given."""

REFUSED: Outcome = ("refused", None)
NOT_BLOCKED: Outcome = ("not blocked", None)
MAX_AGE_S = 3600
VERSION = 7


@dataclass(frozen=True)
class Case:
    """A URL, the verdict the list gives it, and whether that verdict depends on its host alone
    (what a DNS enforcer can see)."""

    url: str
    verdict: Outcome
    by_host: bool


CASES = (
    Case("http://host.blocked.example/any/path?q=1", ("blocked", "00000000000000be"), True),
    Case("https://a.b.host.blocked.example/", ("blocked", "00000000000000be"), True),
    Case("http://www.blocked.example/gallery/page.html", ("blocked", "0000000000c0ffee"), False),
    Case("http://www.blocked.example/gallery/other.html", NOT_BLOCKED, False),
    Case("http://blocked.example/", NOT_BLOCKED, True),
    Case("http://www.example.com/", NOT_BLOCKED, True),
)


def expected(case: Case, fail_mode: FailMode, state: State) -> Outcome:
    """The contract: no verdict before the first sync, nor from a stale list under fail mode
    closed; otherwise the list's verdict, stale or not."""
    if state == "never_synced" or (state == "stale" and fail_mode == "closed"):
        return REFUSED
    return case.verdict


def make_store(path: Path, fail_mode: FailMode, state: State) -> Store:
    """A store following list "main" with the two entries in force, in ``state``."""
    config = EdgeConfig(
        server="http://127.0.0.1:9/",
        key="env:UNUSED",
        max_age_s=MAX_AGE_S,
        fail_mode=fail_mode,  # type: ignore[arg-type]  # EdgeConfig takes the text too
    )
    store = Store.create(path, config, b"{}")
    if state == "never_synced":
        return store
    entries = [HOST_ENTRY, PAGE_ENTRY]
    snapshot = Snapshot.from_records("main", VERSION, [entry.record() for entry in entries])
    age = timedelta(seconds=2 * MAX_AGE_S if state == "stale" else 10)
    hosts = [HostEntry(e.host, e.entry_id, e.category) for e in entries if e.host_scope]
    store.install(
        snapshot,
        StoreState(version=VERSION, count=snapshot.count, synced_at=(utc_now() - age).isoformat()),
        {HOSTS_EXTRA: encode_hosts(hosts), POLICY_EXTRA: encode_public_policy(POLICY)},
    )
    return store


class EnforcerContract(ABC):
    """The abstract test every enforcer's test class inherits."""

    dns_only = False
    """True for an enforcer that sees host names only: it is held to the cases decided by host."""

    @abstractmethod
    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        """The enforcer's outcome for each URL, in order, from the list in ``store``."""

    @pytest.mark.parametrize("state", ["fresh", "stale", "never_synced"])
    @pytest.mark.parametrize("fail_mode", ["open", "closed"])
    def test_the_same_verdicts_as_every_enforcer(
        self, tmp_path: Path, fail_mode: FailMode, state: State
    ) -> None:
        store = make_store(tmp_path / "store", fail_mode, state)
        cases = [case for case in CASES if case.by_host or not self.dns_only]
        found = self.outcomes(store, [case.url for case in cases])
        assert found == [expected(case, fail_mode, state) for case in cases]


class TestLibrary(EnforcerContract):
    """``ListInForce.verdicts``: what a platform's own code calls."""

    engine: Engine = "core"

    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        try:
            verdicts = ListInForce(store, engine=self.engine).verdicts(urls)
        except HotlistError:
            return [REFUSED] * len(urls)
        return [("blocked", v.entry_ref) if v.blocked else NOT_BLOCKED for v in verdicts]


class TestLibraryReference(TestLibrary):
    """The same with the Python reference engine."""

    engine: Engine = "python"


class TestSquidHelper(EnforcerContract):
    """The Squid helper: request lines in on a pipe, answers out, as Squid runs it."""

    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        responder = SquidResponder(None, BlockPage("http://block.example/blocked?e={entry_id}"))
        ListWatcher(store.path, responder).refresh()
        lines = [f"{channel} {url}" for channel, url in enumerate(urls)]
        answers = _through_pipes(responder, lines)
        outcomes = []
        for channel, answer in enumerate(answers):
            number, result = answer.split(" ", 1)
            assert number == str(channel)
            if result.startswith("OK status=302 "):
                found = re.search(r"e=([0-9a-f]{16})", result)
                assert found is not None
                outcomes.append(("blocked", found.group(1)))
            elif result == "ERR":
                outcomes.append(NOT_BLOCKED)
            else:
                assert result.startswith("BH "), result
                outcomes.append(REFUSED)
        return outcomes


def _through_pipes(responder: SquidResponder, lines: list[str]) -> list[str]:
    read_in, write_in = os.pipe()
    read_out, write_out = os.pipe()
    with os.fdopen(write_in, "w") as squid:
        squid.write("".join(f"{line}\n" for line in lines))
    try:
        serve(responder, read_in, write_out)
    finally:
        os.close(read_in)
        os.close(write_out)
    with os.fdopen(read_out) as answers:
        return answers.read().splitlines()


class TestLookupDaemon(EnforcerContract):
    """``hotlist edge serve``: one batch over HTTP on loopback."""

    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        server = make_server(LookupService(store), "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
        try:
            body = json.dumps({"urls": urls})
            connection.request(
                "POST", "/v1/check", body, headers={"Content-Type": "application/json"}
            )
            response = connection.getresponse()
            document = json.loads(response.read())
        finally:
            connection.close()
            server.shutdown()
            server.server_close()
            thread.join()
        if response.status == 503:
            return [REFUSED] * len(urls)
        assert response.status == 200, document
        return [
            ("blocked", result["entry_id"]) if result["blocked"] else NOT_BLOCKED
            for result in document["results"]
        ]


class TestRpzZone(EnforcerContract):
    """The RPZ zone a resolver loads: a name is blocked when an owner of the zone covers it."""

    dns_only = True

    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        try:
            zone = zone_for_store(store)
        except HotlistError:
            return [REFUSED] * len(urls)
        owners = {}
        for line in zone.text.splitlines():
            found = re.match(r"(\S+) CNAME \S+ ; entry ([0-9a-f]{16}) ", line)
            if found is not None:
                owners[found.group(1)] = found.group(2)
        outcomes: list[Outcome] = []
        for url in urls:
            labels = canonical_parts(url).host.split(".")
            below = [f"*.{'.'.join(labels[i:])}" for i in range(1, len(labels))]
            names = [".".join(labels), *below]
            entry = next((owners[name] for name in names if name in owners), None)
            outcomes.append(NOT_BLOCKED if entry is None else ("blocked", entry))
        return outcomes


class TestEdgeCheck(EnforcerContract):
    """``hotlist edge check --json``: every URL in one command."""

    def outcomes(self, store: Store, urls: list[str]) -> list[Outcome]:
        result = CliRunner().invoke(
            app, ["edge", "check", "--json", "--store", str(store.path), *urls]
        )
        if result.exit_code != 0:
            assert isinstance(result.exception, HotlistError), result.output
            return [REFUSED] * len(urls)
        document = json.loads(result.stdout)
        return [
            ("blocked", item["entry_id"]) if item["blocked"] else NOT_BLOCKED
            for item in document["results"]
        ]
