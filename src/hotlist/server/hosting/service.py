"""Hosting lookups and the intermediaries list.

:func:`look_up` asks the :class:`~hotlist.server.kit.lookups.HostingSources` where a host is
(addresses, network, country, abuse contacts, registrar) and appends one dated snapshot; a part
whose directory failed is named in the snapshot's ``error`` and the rest is kept. Snapshots are
never changed: :func:`latest` and :func:`history` read them back.

Intermediaries (reverse-image search, link echoes, shorteners) are never the host of what they
show: :func:`intermediary_for` says whether a host is one, or under one. Admins add and remove
them; a removal keeps the row (``removed_at``), so the list's history stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, InvalidURL, LookupFailed, NotFound
from hotlist.server.db.rows import get_or_missing
from hotlist.server.hosting.models import HostingLookup, Intermediary, IntermediaryKind
from hotlist.server.kit.lookups import HostingSources, Network, plain_ip
from hotlist.urls import authority_host, canonical_parts


def canonical_host(raw: str) -> str:
    """The canonical form of a host name, an IP address or a URL's host (``hotlist.urls``'s
    rules: lower case, Punycode, IP literals normalised); InvalidRequest when there is none."""
    text = raw.strip()
    if ":" in text and "[" not in text and plain_ip(text) is not None:
        text = f"[{text}]"  # a bare IPv6 address
    try:
        if "://" in text:
            return canonical_parts(text).host
        return authority_host(text)
    except InvalidURL as exc:
        raise InvalidRequest(f"{raw!r} is not a host name: {exc.message}") from exc


def look_up(
    session: Session,
    sources: HostingSources,
    host: str,
    *,
    now: datetime,
    entry_id: int | None = None,
    report_id: int | None = None,
    actor_id: int | None = None,
) -> HostingLookup:
    """Look ``host`` up now and append the snapshot (flushed, not committed).

    An IP-literal host is its own address and has no registrar. A source that fails leaves its
    part empty and its message in ``error``; the other parts are still asked."""
    lookup = HostingLookup(
        **probe(sources, host),
        entry_id=entry_id,
        report_id=report_id,
        looked_up_by=actor_id,
        looked_up_at=now,
    )
    session.add(lookup)
    session.flush()
    return lookup


def probe(sources: HostingSources, host: str) -> dict[str, Any]:
    """What the sources say about ``host``, as the fields of a :class:`HostingLookup` (host,
    ip, addresses, asn, network_name, country, abuse_contacts, upstream_contacts, registrar,
    registrar_contacts,
    sources, error); stores nothing (``hotlist hosting lookup`` prints it)."""
    name = canonical_host(host)
    errors: list[str] = []
    sources_used: dict[str, str] = {"set": sources.name}
    literal = plain_ip(name)
    addresses: list[str] = []
    if literal is not None:
        addresses = [literal]
        sources_used["addresses"] = "literal"
    else:
        try:
            addresses = sources.resolver.addresses(name)
            sources_used["addresses"] = sources.resolver.source
        except LookupFailed as exc:
            errors.append(f"addresses: {exc.message}")
        else:
            if not addresses:
                errors.append(f"addresses: {name} has no address (the name does not exist)")
    ip = addresses[0] if addresses else None
    network = Network(None, None, None, source="")
    abuse: list[str] = []
    upstream: list[str] = []
    if ip is not None:
        try:
            network = sources.networks.network(ip)
            sources_used["network"] = network.source
        except LookupFailed as exc:
            errors.append(f"network: {exc.message}")
        try:
            contacts = sources.abuse.ip_contacts(ip)
            abuse = contacts.emails
            sources_used["abuse"] = contacts.source
        except LookupFailed as exc:
            errors.append(f"abuse contacts: {exc.message}")
        try:
            upstream = sources.abuse.upstream_contacts(ip).emails
        except LookupFailed as exc:
            errors.append(f"upstream contacts: {exc.message}")
    registrar: str | None = None
    registrar_contacts: list[str] = []
    if literal is None:
        try:
            found = sources.abuse.domain_contacts(name)
            registrar, registrar_contacts = found.registrar, found.emails
            sources_used["registrar"] = found.source
        except LookupFailed as exc:
            errors.append(f"registrar: {exc.message}")
    return {
        "host": name,
        "ip": ip,
        "addresses": addresses,
        "asn": network.asn,
        "network_name": network.name[:255] if network.name else None,
        "country": network.country,
        "abuse_contacts": abuse,
        "upstream_contacts": upstream,
        "registrar": registrar[:255] if registrar else None,
        "registrar_contacts": registrar_contacts,
        "sources": sources_used,
        "error": "; ".join(errors) or None,
    }


def latest(session: Session, host: str) -> HostingLookup | None:
    """The newest snapshot of ``host`` (None: never looked up)."""
    return session.scalars(
        select(HostingLookup)
        .where(HostingLookup.host == canonical_host(host))
        .order_by(HostingLookup.looked_up_at.desc(), HostingLookup.id.desc())
        .limit(1)
    ).first()


def history(session: Session, host: str, *, limit: int = 100) -> Sequence[HostingLookup]:
    """Every snapshot of ``host``, newest first (at most ``limit``)."""
    return session.scalars(
        select(HostingLookup)
        .where(HostingLookup.host == canonical_host(host))
        .order_by(HostingLookup.looked_up_at.desc(), HostingLookup.id.desc())
        .limit(limit)
    ).all()


def _suffixes(host: str) -> list[str]:
    """``host`` and every name above it (``a.b.example`` -> itself, ``b.example``, ``example``)."""
    if plain_ip(host) is not None:
        return [host]
    labels = host.split(".")
    return [".".join(labels[index:]) for index in range(len(labels))]


def intermediary_for(session: Session, host: str) -> Intermediary | None:
    """The active intermediary ``host`` is, or is under (the most specific one); None if none."""
    suffixes = _suffixes(canonical_host(host))
    found = session.scalars(
        select(Intermediary)
        .where(Intermediary.host.in_(suffixes))
        .where(Intermediary.removed_at.is_(None))
    ).all()
    return max(found, key=lambda row: len(row.host), default=None)


def intermediaries(session: Session, *, include_removed: bool = False) -> Sequence[Intermediary]:
    """The intermediaries list by host (removed ones too when asked, after the active)."""
    query = select(Intermediary)
    if not include_removed:
        query = query.where(Intermediary.removed_at.is_(None))
    rows = session.scalars(query.order_by(Intermediary.host, Intermediary.id)).all()
    return sorted(rows, key=lambda row: row.removed_at is not None)


def intermediary(session: Session, intermediary_id: int) -> Intermediary:
    """The intermediaries list's row ``intermediary_id`` (removed or not)."""
    return get_or_missing(
        session, Intermediary, intermediary_id, f"no intermediary {intermediary_id}"
    )


def add_intermediary(
    session: Session,
    host: str,
    kind: IntermediaryKind | str,
    *,
    note: str = "",
    now: datetime,
    actor_id: int | None = None,
) -> Intermediary:
    """Put ``host`` (and every name under it) on the list; Conflict if it is on it already."""
    name = canonical_host(host)
    try:
        kind = IntermediaryKind(kind)
    except ValueError as exc:
        kinds = ", ".join(k.value for k in IntermediaryKind)
        raise InvalidRequest(f"unknown intermediary kind {kind!r}; one of: {kinds}") from exc
    if _active(session, name) is not None:
        raise Conflict(f"{name} is on the intermediaries list already")
    row = Intermediary(
        host=name, kind=kind.value, note=note.strip(), added_by=actor_id, added_at=now
    )
    session.add(row)
    session.flush()
    return row


def remove_intermediary(
    session: Session, host: str, *, now: datetime, actor_id: int | None = None
) -> Intermediary:
    """Take ``host`` off the list (the row stays, marked removed); NotFound if it is not on it."""
    name = canonical_host(host)
    row = _active(session, name)
    if row is None:
        raise NotFound(f"{name} is not on the intermediaries list")
    row.removed_at = now
    row.removed_by = actor_id
    session.flush()
    return row


def _active(session: Session, host: str) -> Intermediary | None:
    return session.scalars(
        select(Intermediary)
        .where(Intermediary.host == host)
        .where(Intermediary.removed_at.is_(None))
    ).first()
