"""Rows by id and pages of rows after an id, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotlist.errors import NotFound
from hotlist.server.accounts.models import Organisation, OrgKind
from hotlist.server.db.rows import get_or_missing, page_after, where_given


def _orgs(session: Session) -> list[Organisation]:
    kinds = [OrgKind.HOTLINE, OrgKind.ISP, OrgKind.ISP, OrgKind.OBSERVER, OrgKind.ISP]
    rows = [Organisation(name=f"org {n}.example", kind=kind.value) for n, kind in enumerate(kinds)]
    session.add_all(rows)
    session.flush()
    return rows


def test_a_row_by_id_or_not_found_saying_which(session: Session) -> None:
    first = _orgs(session)[0]
    assert get_or_missing(session, Organisation, first.id, "unused") is first
    with pytest.raises(NotFound, match="no organisation 999999"):
        get_or_missing(session, Organisation, 999_999, "no organisation 999999")


def test_pages_after_an_id_in_id_order_narrowed_by_the_filters_given(session: Session) -> None:
    rows = _orgs(session)
    ids = [row.id for row in rows]
    every = select(Organisation)
    assert [r.id for r in page_after(session, every, Organisation.id, 0, 2)] == ids[:2]
    assert [r.id for r in page_after(session, every, Organisation.id, ids[1], 10)] == ids[2:]
    isps = where_given(every, (Organisation.kind, OrgKind.ISP.value), (Organisation.name, None))
    assert [r.id for r in page_after(session, isps, Organisation.id, ids[1], 10)] == [
        ids[2],
        ids[4],
    ]
