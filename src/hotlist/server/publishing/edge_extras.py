"""The extras every list version carries for the members' enforcement: ``policy.json`` (the
public part of the policy in force, for block pages) and ``hosts.json`` (the host-scope entries'
host names, for DNS). See :mod:`hotlist.publish.public_policy` and :mod:`hotlist.publish.hosts`.

Both are encoded deterministically, so an unchanged policy and unchanged host entries make
unchanged extras, and no new list version.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.policy import Policy
from hotlist.publish.hosts import HostEntry, encode_hosts
from hotlist.publish.public_policy import PublicCategory, PublicPolicy, encode_public_policy
from hotlist.publish.wire import HOSTS_EXTRA, POLICY_EXTRA
from hotlist.server.entries.models import Entry, EntryState
from hotlist.server.policies import service as policies
from hotlist.urls import Scope


def appeal_url(public_url: str) -> str:
    """The hotline's appeal form: ``<public_url>/appeal`` (block pages add ``?entry=<id>``)."""
    return public_url.rstrip("/") + "/appeal"


def public_policy(policy: Policy, version: int, public_url: str) -> PublicPolicy:
    """What block pages show of ``policy`` (version ``version``): no definitions, no people."""
    return PublicPolicy(
        operator=policy.operator,
        policy_id=policy.policy_id,
        policy_version=version,
        title=policy.title,
        appeal_url=appeal_url(public_url),
        categories=tuple(
            PublicCategory.of(c.wire_id, c.code, c.name, c.legal_basis, c.legal_order)
            for c in policy.categories
        ),
    )


def host_entries(session: Session) -> list[HostEntry]:
    """The host-scope entries in force: canonical host, public id, category wire id."""
    rows = session.execute(
        select(Entry.host, Entry.public_id, Entry.category_wire_id).where(
            Entry.state == EntryState.ACTIVE, Entry.scope == Scope.HOST.value
        )
    ).all()
    return [HostEntry(row.host, row.public_id, row.category_wire_id) for row in rows]


def edge_extras(session: Session, public_url: str) -> dict[str, bytes]:
    """``hosts.json`` always; ``policy.json`` once a policy is loaded."""
    extras = {HOSTS_EXTRA: encode_hosts(host_entries(session))}
    row = policies.current_or_none(session)
    if row is not None:
        policy = public_policy(policies.policy_of(row), row.version, public_url)
        extras[POLICY_EXTRA] = encode_public_policy(policy)
    return extras
