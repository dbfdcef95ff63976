"""Factories for edge tests that need a list with extras: host and page entries, the public
policy and the host names, published and synced as the hotline's server does it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hotlist.edge.sync import sync
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.public_policy import PublicCategory, PublicPolicy, encode_public_policy
from hotlist.publish.records import ListRecord
from hotlist.publish.wire import HOSTS_EXTRA, POLICY_EXTRA

from .conftest import World

POLICY = PublicPolicy(
    operator="Example Hotline",
    policy_id="example-hotline-demo",
    policy_version=1,
    title="Demo policy",
    appeal_url="http://127.0.0.1:8000/appeal",
    categories=(
        PublicCategory.of(1, "csam", "Child sexual abuse material", {"GB": "PCA 1978"}, False),
        PublicCategory.of(2, "terror", "Terrorist content", {"EU": "Reg 2021/784"}, True),
    ),
)


@dataclass(frozen=True)
class Entry:
    """A list entry as a test writes it: its plaintext expression, id and category."""

    expression: str
    entry_id: int
    category: int = 1

    @property
    def host(self) -> str:
        return self.expression.split("/", 1)[0]

    @property
    def host_scope(self) -> bool:
        return self.expression == f"{self.host}/"

    def record(self) -> ListRecord:
        return ListRecord(
            hashlib.sha256(self.expression.encode()).digest(),
            hashlib.sha256(f"{self.host}/".encode()).digest(),
            self.category,
            self.entry_id,
        )


HOST_ENTRY = Entry("host.blocked.example/", 0xBE, 1)
PAGE_ENTRY = Entry("www.blocked.example/gallery/page.html", 0xC0FFEE, 2)


def publish_entries(
    world: World, entries: list[Entry], policy: PublicPolicy | None = POLICY
) -> None:
    """Publish ``entries`` with the policy and host names extras, then sync the store."""
    hosts = [HostEntry(e.host, e.entry_id, e.category) for e in entries if e.host_scope]
    extras = {HOSTS_EXTRA: encode_hosts(hosts)}
    if policy is not None:
        extras[POLICY_EXTRA] = encode_public_policy(policy)
    world.publisher.publish([e.record() for e in entries], extras=extras)
    sync(world.store)
