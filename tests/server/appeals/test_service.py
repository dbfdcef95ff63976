"""Appeal rules outside the API: contacts purged after retention, overdue, the setting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import ConfigError
from hotlist.server.appeals import service
from hotlist.server.appeals.models import Appeal, AppealState, Relation
from hotlist.server.config import Settings
from hotlist.server.db.base import utcnow
from hotlist.server.entries.models import Entry
from hotlist.server.kit.contacts import FernetContactCipher


def test_is_overdue_only_while_open_and_late() -> None:
    now = utcnow()
    late = Appeal(state=AppealState.OPEN, created_at=now - timedelta(days=8))
    assert service.is_overdue(late, 7, now)
    assert not service.is_overdue(late, 9, now)
    late.state = AppealState.DECIDED
    assert not service.is_overdue(late, 7, now)


def test_appeal_decide_days_setting() -> None:
    env = {"HOTLIST_APPEAL_DECIDE_DAYS": "3"}
    settings = Settings.load(database_url="sqlite://", environ=env)
    assert settings.appeal_decide_days == 3
    assert settings.to_env()["HOTLIST_APPEAL_DECIDE_DAYS"] == "3"
    assert Settings(database_url="sqlite://").appeal_decide_days == 7
    with pytest.raises(ConfigError, match="appeal_decide_days"):
        Settings(database_url="sqlite://", appeal_decide_days=0)


def test_contacts_are_purged_after_retention(
    session: Session, listed_entry: Callable[..., str]
) -> None:
    listed_entry()
    entry = session.scalars(select(Entry)).one()
    cipher = FernetContactCipher(Fernet.generate_key())
    old = service.submit(session, entry, Relation.USER, "why", "a@example.org", cipher)
    new = service.submit(session, entry, Relation.USER, "why", "b@example.org", cipher)
    old.created_at = utcnow() - timedelta(days=91)
    session.flush()
    assert service.purge_contacts(session) == 1
    session.refresh(old)
    session.refresh(new)
    assert old.contact is None
    assert old.contact_purged_at is not None
    assert new.contact is not None
    assert cipher.decrypt(new.contact) == "b@example.org"
