"""The hosting service on both databases: snapshots appended and read back, failing sources
recorded beside what the others found, and the intermediaries list."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from hotlist.errors import Conflict, InvalidRequest, NotFound
from hotlist.server.hosting import service
from hotlist.server.hosting.models import HostingLookup, IntermediaryKind
from hotlist.server.kit.lookups import HostingSources
from server.hosting.conftest import Failing

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def test_a_lookup_fills_every_part_from_the_sources(
    session: Session, sources: HostingSources
) -> None:
    lookup = service.look_up(session, sources, "WWW.Example.COM.", now=NOW)
    session.commit()
    assert lookup.host == "www.example.com"
    assert (lookup.ip, lookup.addresses) == ("192.0.2.10", ["192.0.2.10", "2001:db8::10"])
    assert (lookup.asn, lookup.network_name, lookup.country) == (64500, "Example Hosting Ltd", "GB")
    assert lookup.abuse_contacts == ["abuse@hosting.example"]
    assert (lookup.registrar, lookup.registrar_contacts) == (
        "Example Registrar",
        ["abuse@registrar.example"],
    )
    assert lookup.sources == {
        "set": "offline",
        "addresses": "file",
        "network": "file",
        "abuse": "file",
        "registrar": "file",
    }
    assert lookup.error is None
    assert lookup.looked_up_at == NOW


def test_an_ip_literal_is_its_own_address_and_has_no_registrar(
    session: Session, sources: HostingSources
) -> None:
    lookup = service.look_up(session, sources, "2001:DB8::10", now=NOW)
    assert lookup.host == "[2001:db8::10]"
    assert lookup.addresses == ["2001:db8::10"]
    assert lookup.sources["addresses"] == "literal"
    assert lookup.registrar is None
    assert "registrar" not in lookup.sources


def test_a_name_that_does_not_exist_is_said_in_error(
    session: Session, sources: HostingSources
) -> None:
    lookup = service.look_up(session, sources, "gone.example", now=NOW)
    assert lookup.ip is None
    assert lookup.error == "addresses: gone.example has no address (the name does not exist)"


def test_a_failing_source_is_recorded_and_the_others_still_answer(
    session: Session, sources: HostingSources
) -> None:
    down = replace(sources, networks=Failing("RDAP did not answer for 192.0.2.10: timed out"))
    lookup = service.look_up(session, down, "www.example.com", now=NOW)
    assert lookup.asn is None
    assert lookup.abuse_contacts == ["abuse@hosting.example"]
    assert lookup.registrar == "Example Registrar"
    assert lookup.error == "network: RDAP did not answer for 192.0.2.10: timed out"

    dark = replace(sources, resolver=Failing("the DNS did not answer"))
    unresolved = service.look_up(session, dark, "www.example.com", now=NOW)
    assert unresolved.ip is None
    assert unresolved.registrar == "Example Registrar"
    assert unresolved.error == "addresses: the DNS did not answer"

    everything = Failing("down")
    failing_all = HostingSources(everything, everything, everything, name="live")
    nothing = service.look_up(session, failing_all, "www.example.com", now=NOW)
    assert nothing.error == "addresses: down; registrar: down"


def test_latest_and_history_read_the_snapshots_newest_first(
    session: Session, sources: HostingSources
) -> None:
    assert service.latest(session, "www.example.com") is None
    first = service.look_up(session, sources, "www.example.com", now=NOW, entry_id=None)
    moved = replace(sources, resolver=Failing("x"))
    second = service.look_up(session, moved, "www.example.com", now=NOW + timedelta(hours=1))
    service.look_up(session, sources, "files.example", now=NOW + timedelta(hours=2))
    session.commit()
    assert service.latest(session, "WWW.EXAMPLE.COM") is second
    assert [row.id for row in service.history(session, "www.example.com")] == [
        second.id,
        first.id,
    ]


def test_snapshots_are_never_changed_nor_deleted(session: Session, sources: HostingSources) -> None:
    lookup = service.look_up(session, sources, "www.example.com", now=NOW)
    session.commit()
    lookup.country = "DE"
    with pytest.raises(Conflict, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(session.get_one(HostingLookup, lookup.id))
    with pytest.raises(Conflict, match="append-only"):
        session.flush()


def test_not_a_host_is_refused(session: Session, sources: HostingSources) -> None:
    with pytest.raises(InvalidRequest, match="is not a host name"):
        service.look_up(session, sources, "...", now=NOW)


def test_intermediaries_cover_their_names_and_everything_under(session: Session) -> None:
    service.add_intermediary(
        session, "Short.Example", IntermediaryKind.SHORTENER, note=" links ", now=NOW
    )
    service.add_intermediary(session, "https://img.search.example/x", "image_search", now=NOW)
    session.commit()
    found = service.intermediary_for(session, "a.b.short.example")
    assert found is not None
    assert (found.host, found.kind, found.note) == ("short.example", "shortener", "links")
    assert service.intermediary_for(session, "img.search.example") is not None
    assert service.intermediary_for(session, "search.example") is None
    assert service.intermediary_for(session, "notshort.example") is None
    assert [row.host for row in service.intermediaries(session)] == [
        "img.search.example",
        "short.example",
    ]


def test_the_most_specific_intermediary_is_named(session: Session) -> None:
    service.add_intermediary(session, "example.net", "other", now=NOW)
    service.add_intermediary(session, "echo.example.net", "link_echo", now=NOW)
    found = service.intermediary_for(session, "x.echo.example.net")
    assert found is not None
    assert found.host == "echo.example.net"


def test_removing_keeps_the_row_and_a_host_can_be_added_again(session: Session) -> None:
    service.add_intermediary(session, "short.example", "shortener", now=NOW)
    with pytest.raises(Conflict, match=r"short\.example is on the intermediaries list already"):
        service.add_intermediary(session, "SHORT.example", "shortener", now=NOW)
    removed = service.remove_intermediary(session, "short.example", now=NOW + timedelta(days=1))
    session.commit()
    assert removed.removed_at == NOW + timedelta(days=1)
    assert service.intermediary_for(session, "short.example") is None
    with pytest.raises(NotFound, match=r"short\.example is not on the intermediaries list"):
        service.remove_intermediary(session, "short.example", now=NOW)
    again = service.add_intermediary(session, "short.example", "shortener", now=NOW)
    session.commit()
    assert again.id != removed.id
    everything = service.intermediaries(session, include_removed=True)
    assert [(row.id, row.removed_at is None) for row in everything] == [
        (again.id, True),
        (removed.id, False),
    ]


def test_an_unknown_kind_names_the_kinds(session: Session) -> None:
    with pytest.raises(InvalidRequest, match="one of: image_search, link_echo, shortener, other"):
        service.add_intermediary(session, "short.example", "cdn", now=NOW)
