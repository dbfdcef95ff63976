"""Report services called directly: intake without a cipher, settling, purging contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from hotlist.errors import InvalidURL, PolicyError
from hotlist.server.db.base import utcnow
from hotlist.server.kit.contacts import FernetContactCipher
from hotlist.server.policies import service as policies
from hotlist.server.reports import intake, service
from hotlist.server.reports.models import ReportStatus

URL = "http://www.example.com/page.html"


def test_contact_without_a_cipher_is_refused(session: Session) -> None:
    with pytest.raises(PolicyError, match="takes no contact"):
        intake.submit(session, URL, contact="x@example.org")


def test_invalid_url_raises_invalid_url(session: Session) -> None:
    with pytest.raises(InvalidURL):
        intake.submit(session, "http://")


def test_hint_is_free_before_any_policy_then_checked(session: Session) -> None:
    assert intake.submit(session, URL, category_hint="anything").category_hint == "anything"
    policies.ensure_policy(session)
    with pytest.raises(PolicyError, match="not a category"):
        intake.submit(session, URL, category_hint="anything")


def test_settle_closes_the_report_and_its_open_duplicates(session: Session) -> None:
    first = intake.submit(session, URL)
    second = intake.submit(session, "http://WWW.example.com/page.html")
    assert second.duplicate_of == first.id
    settled = service.settle(session, first, ReportStatus.CLOSED, None)
    assert settled == [second.id]
    session.refresh(second)
    assert second.status == ReportStatus.CLOSED
    assert service.status_of(session, second.receipt) is ReportStatus.CLOSED


def test_purge_contacts_after_retention(session: Session) -> None:
    cipher = FernetContactCipher(Fernet.generate_key())
    old = intake.submit(session, URL, contact="old@example.org", cipher=cipher)
    new = intake.submit(session, URL, contact="new@example.org", cipher=cipher)
    old.received_at = utcnow() - timedelta(days=91)
    session.flush()
    assert service.purge_contacts(session) == 1
    session.refresh(old)
    session.refresh(new)
    assert old.contact is None
    assert old.contact_purged_at is not None
    assert new.contact is not None
    assert service.purge_contacts(session) == 0
