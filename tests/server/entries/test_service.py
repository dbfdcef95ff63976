"""Entry services called directly: expiry, the publisher's query, append-only rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import Conflict
from hotlist.server.entries import service
from hotlist.server.entries.models import Entry, EntryEvent, EntryState
from hotlist.urls import expression_hash

ListedEntry = Callable[..., str]


def _entry(session: Session, public_id: str) -> Entry:
    return service.get_by_public_id(session, int(public_id, 16))


def test_expire_due_expires_past_entries_with_a_server_event(
    listed_entry: ListedEntry, sessions: sessionmaker[Session]
) -> None:
    due = listed_entry("http://www.example.com/1.html")
    fresh = listed_entry("http://www.example.com/2.html")
    with sessions() as session:
        later = _entry(session, due).expires_at + timedelta(seconds=1)
        _entry(session, fresh).expires_at = later + timedelta(days=1)
        expired = service.expire_due(session, now=later)
        session.commit()
        assert [entry.public_ref for entry in expired] == [due]
        assert _entry(session, due).state == EntryState.EXPIRED
        assert _entry(session, fresh).state == EntryState.ACTIVE
        [event] = service.events(session, _entry(session, due))[-1:]
        assert (event.kind, event.actor_id) == ("expired", None)
        assert service.expire_due(session, now=later) == []


def test_reactivating_restarts_the_reverification_period(
    listed_entry: ListedEntry, sessions: sessionmaker[Session]
) -> None:
    public_id = listed_entry("http://www.example.com/1.html")
    with sessions() as session:
        entry = _entry(session, public_id)
        now = entry.expires_at + timedelta(days=1)
        service.expire_due(session, now=now)
        service.transition(session, entry, EntryState.ACTIVE, "still online", None, now=now)
        assert entry.expires_at == now + timedelta(days=30)


def test_active_entries_are_what_the_publisher_lists(
    listed_entry: ListedEntry, sessions: sessionmaker[Session]
) -> None:
    kept = listed_entry("http://www.example.com/a/", scope="folder")
    dropped = listed_entry("http://www.example.org/b.html", category="terror")
    with sessions() as session:
        service.transition(session, _entry(session, dropped), EntryState.REMOVED, "gone", None)
        session.commit()
        [active] = service.active_entries(session)
    assert active.public_id == int(kept, 16)
    assert active.expression_hash == expression_hash("www.example.com/a/")
    assert active.host == "www.example.com"
    assert active.category_wire_id == 1
    assert active.disputed is False


def test_entries_are_never_deleted_and_events_never_change(
    listed_entry: ListedEntry, sessions: sessionmaker[Session]
) -> None:
    public_id = listed_entry("http://www.example.com/1.html")
    with sessions() as session:
        entry = _entry(session, public_id)
        session.delete(entry)
        with pytest.raises(Conflict, match="never deleted"):
            session.flush()
    with sessions() as session:
        event = session.scalars(select(EntryEvent)).first()
        assert event is not None
        event.reason = "rewritten"
        with pytest.raises(Conflict, match="append-only"):
            session.flush()


def test_public_ids_are_positive_63_bit() -> None:
    ids = {service.new_public_id() for _ in range(1_000)}
    assert len(ids) == 1_000
    assert all(0 < value <= service.MAX_PUBLIC_ID for value in ids)
