"""The four-eyes rule: a person other than the entry's analyst decides."""

from __future__ import annotations

import pytest

from hotlist.errors import PermissionDenied
from hotlist.server.entries.models import Entry
from hotlist.server.kit.four_eyes import check_decider
from hotlist.server.kit.principal import Principal


def test_a_decision_needs_a_person_other_than_the_entrys_analyst() -> None:
    entry = Entry(public_id=1, decided_by=7)
    machine = Principal(user_id=None, org_id=1, role=None, is_person=False, key_id=3)
    with pytest.raises(PermissionDenied, match="person's API key"):
        check_decider(entry, machine, "objection 1")
    analyst = Principal(user_id=7, org_id=1, role=None, is_person=True)
    with pytest.raises(PermissionDenied, match="another supervisor"):
        check_decider(entry, analyst, "objection 1")
    other = Principal(user_id=8, org_id=1, role=None, is_person=True)
    assert check_decider(entry, other, "objection 1") == 8
