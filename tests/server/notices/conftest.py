"""Factories for the notices tests: the demo policy, entries made directly, hosting data the
offline sources answer from, and a loopback SMTP server that keeps what it received."""

from __future__ import annotations

import ipaddress
import itertools
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.accounts.models import User
from hotlist.server.entries import service as entries
from hotlist.server.entries.models import Entry
from hotlist.server.hosting.models import HostingLookup
from hotlist.server.kit.lookups import DomainRecord, HostingData, NetworkRecord, offline_sources
from hotlist.server.kit.mailer import MemoryMailer
from hotlist.server.notices.service import Outbox
from hotlist.server.policies import service as policies
from hotlist.server.policies.models import PolicyVersion
from hotlist.urls import Scope, entry_expression

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_paths = itertools.count(1)


@pytest.fixture
def policy_version(sessions: sessionmaker[Session]) -> PolicyVersion:
    """The demo policy (home country GB), loaded."""
    with sessions() as session, session.begin():
        row = policies.ensure_policy(session)
        session.expunge(row)
    return row


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user("analyst")


@pytest.fixture
def make_entries(
    sessions: sessionmaker[Session], policy_version: PolicyVersion, analyst: User
) -> Callable[..., list[int]]:
    """``make_entries(host, n=1, category="csam")``: ``n`` active page entries on ``host``;
    their row ids."""

    def make(host: str, n: int = 1, category: str = "csam") -> list[int]:
        policy = policies.policy_of(policy_version)
        decisions = [
            entries.Decision(
                expression=entry_expression(f"http://{host}/p/{next(_paths)}.html", Scope.PAGE),
                scope=Scope.PAGE,
                category=policy.category(category),
                policy_version_id=policy_version.id,
                facts="Assessed by an analyst.",
                scope_reason="One page.",
                decided_by=analyst.id,
                report_id=None,
            )
            for _ in range(n)
        ]
        with sessions() as session, session.begin():
            public_ids = entries.create_many(session, decisions)
            ids = session.scalars(select(Entry.id).where(Entry.public_id.in_(public_ids))).all()
        return sorted(ids)

    return make


@dataclass
class Hosting:
    """What the offline sources know: hosts -> addresses, networks, domains (editable)."""

    hosts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    networks: list[NetworkRecord] = field(default_factory=list)
    domains: dict[str, DomainRecord] = field(default_factory=dict)

    def network(self, prefix: str, country: str, abuse: str, asn: int = 64500) -> None:
        self.networks.append(
            NetworkRecord(ipaddress.ip_network(prefix), asn, f"Net {asn}", country, (abuse,))
        )

    def upstream(self, prefix: str, abuse: str, asn: int = 64496) -> None:
        """A larger network above some of the others (where their notices escalate)."""
        self.networks.append(
            NetworkRecord(ipaddress.ip_network(prefix), asn, f"Transit {asn}", None, (abuse,))
        )

    def host(self, name: str, *addresses: str) -> None:
        self.hosts[name] = tuple(addresses)

    def registrar(self, domain: str, abuse: str) -> None:
        self.domains[domain] = DomainRecord("Example Registrar", (abuse,))

    def data(self) -> HostingData:
        return HostingData(
            hosts=dict(self.hosts), networks=tuple(self.networks), domains=dict(self.domains)
        )


@pytest.fixture
def hosting_data() -> Hosting:
    """A GB network (192.0.2.0/24, abuse@net.example) and a DE one (198.51.100.0/24)."""
    data = Hosting()
    data.network("192.0.2.0/24", "GB", "abuse@net.example", 64500)
    data.network("198.51.100.0/24", "DE", "abuse@de.example", 64501)
    return data


class LiveSources:
    """Offline sources re-made from :class:`Hosting` at each use (a test edits the data)."""

    def __init__(self, data: Hosting) -> None:
        self._data = data

    def __getattr__(self, name: str) -> Any:
        return getattr(offline_sources(self._data.data()), name)


@pytest.fixture
def outbox(hosting_data: Hosting) -> Outbox:
    """An outbox over a MemoryMailer and the editable hosting data, 15 minutes' window."""
    return Outbox(
        mailer=MemoryMailer(),
        sources=LiveSources(hosting_data),  # type: ignore[arg-type]
        sender_address="hotline@hotline.example",
        window_s=900.0,
        police_contact="police@police.example",
    )


@pytest.fixture
def insert_lookup(sessions: sessionmaker[Session]) -> Callable[..., HostingLookup]:
    """``insert_lookup(host, **columns)``: a HostingLookup row, as A's service would write."""

    def insert(host: str, **columns: Any) -> HostingLookup:
        values: dict[str, Any] = {
            "host": host,
            "ip": "192.0.2.10",
            "addresses": ["192.0.2.10"],
            "country": "GB",
            "abuse_contacts": ["abuse@net.example"],
            "sources": {"addresses": "file"},
            "looked_up_at": START,
        }
        values.update(columns)
        with sessions() as session, session.begin():
            row = HostingLookup(**values)
            session.add(row)
            session.flush()
            session.expunge(row)
        return row

    return insert


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Keep:
    """An aiosmtpd handler keeping each message's envelope and bytes."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            message_from_bytes(data, policy=policy.default)  # type: ignore[misc]
            for _f, _t, data in self.received
        ]


@dataclass
class SmtpSink:
    host: str
    port: int
    handler: _Keep
    controller: Controller


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback (aiosmtpd) keeping what it receives."""
    handler = _Keep()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink("127.0.0.1", port, handler, controller)
    finally:
        controller.stop()
