"""The real hosting directories: DNS and the Abusix zone against a name server on loopback (made
of dnspython's own message pieces), RDAP's answers and errors through whoisit's calls swapped
for the test (no test reaches a real registry)."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest
import requests
import whoisit
import whoisit.errors

from hotlist.errors import ConfigError, LookupFailed
from hotlist.server.config import Settings
from hotlist.server.hosting.service import probe
from hotlist.server.kit import lookups_live
from hotlist.server.kit.lookups import Contacts, RegistrarContacts
from hotlist.server.kit.lookups_live import (
    AbusixDirectory,
    DnsResolver,
    FirstAnswer,
    RdapDirectory,
    hosting_sources,
)

ZONE = "abuse.test"
RECORDS: Mapping[tuple[str, str], list[str]] = {
    ("files.example.", "A"): ["192.0.2.10", "192.0.2.9"],
    ("files.example.", "AAAA"): ["2001:db8::10"],
    ("v4only.example.", "A"): ["198.51.100.7"],
    ("10.2.0.192.abuse.test.", "TXT"): ['"abuse@hosting.example"'],
    ("7.100.51.198.abuse.test.", "TXT"): ['"a@one.example, b@two.example"'],
}
EXISTING = {name for name, _type in RECORDS}
SILENT = {"silent.example."}
BROKEN = {"broken.example."}


class LoopbackDns:
    """A UDP name server on 127.0.0.1 answering from :data:`RECORDS` (NXDOMAIN for other
    names, SERVFAIL for :data:`BROKEN`, no answer at all for :data:`SILENT`)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.asked: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                wire, peer = self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            query = dns.message.from_wire(wire)
            question = query.question[0]
            name, rdtype = question.name.to_text(), dns.rdatatype.to_text(question.rdtype)
            self.asked.append((name, rdtype))
            if name in SILENT:
                continue
            response = dns.message.make_response(query)
            if name in BROKEN:
                response.set_rcode(dns.rcode.SERVFAIL)
            elif name not in EXISTING:
                response.set_rcode(dns.rcode.NXDOMAIN)
            elif (name, rdtype) in RECORDS:
                response.answer.append(
                    dns.rrset.from_text_list(name, 60, "IN", rdtype, RECORDS[(name, rdtype)])
                )
            self.sock.sendto(response.to_wire(), peer)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture(scope="module")
def name_server() -> Iterator[LoopbackDns]:
    server = LoopbackDns()
    yield server
    server.close()


def test_the_resolver_answers_a_then_aaaa(name_server: LoopbackDns) -> None:
    resolver = DnsResolver(timeout=2, nameservers=["127.0.0.1"], port=name_server.port)
    assert resolver.addresses("files.example") == ["192.0.2.10", "192.0.2.9", "2001:db8::10"]
    assert resolver.addresses("v4only.example") == ["198.51.100.7"]
    assert resolver.addresses("missing.example") == []


def test_a_name_server_that_fails_or_stays_silent_is_lookup_failed(
    name_server: LoopbackDns,
) -> None:
    resolver = DnsResolver(timeout=0.3, nameservers=["127.0.0.1"], port=name_server.port)
    with pytest.raises(LookupFailed, match=r"the DNS did not answer for broken\.example"):
        resolver.addresses("broken.example")
    with pytest.raises(LookupFailed, match=r"the DNS did not answer for silent\.example"):
        resolver.addresses("silent.example")


def test_the_abusix_zone_is_asked_at_the_reversed_address(name_server: LoopbackDns) -> None:
    zone = AbusixDirectory(ZONE, timeout=2, nameservers=["127.0.0.1"], port=name_server.port)
    assert zone.ip_contacts("192.0.2.10") == Contacts(["abuse@hosting.example"], "abusix")
    assert zone.ip_contacts("198.51.100.7").emails == ["a@one.example", "b@two.example"]
    assert zone.ip_contacts("203.0.113.1").emails == []
    assert ("1.113.0.203.abuse.test.", "TXT") in name_server.asked
    six = zone.query_name("2001:db8::1").to_text()
    assert six == "1." + "0." * 23 + "8.b.d.0.1.0.0.2.abuse.test."


def test_a_silent_zone_is_lookup_failed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:
        quiet.bind(("127.0.0.1", 0))  # bound, never read: every query goes unanswered
        zone = AbusixDirectory(
            ZONE, timeout=0.3, nameservers=["127.0.0.1"], port=quiet.getsockname()[1]
        )
        silent = re.escape("the Abusix zone did not answer for 192.0.2.1")
        with pytest.raises(LookupFailed, match=silent):
            zone.ip_contacts("192.0.2.1")


IP_RECORD = {
    "name": "EXAMPLE-NET",
    "country": "gb",
    "entities": {
        "abuse": [{"name": "Abuse desk", "email": "abuse@net.example"}],
        "registrant": [{"name": "Example Net Ltd"}],
    },
    "raw": {"arin_originas0_originautnums": [64500]},
}
DOMAIN_RECORD = {
    "entities": {
        "registrar": [{"name": "Example Registrar, Inc."}],
        "abuse": [{"emails": ["abuse@registrar.example", "abuse@registrar.example"]}],
    }
}


@pytest.fixture
def rdap(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """whoisit's calls replaced by answers (or errors) the test sets in the returned dict."""
    answers: dict[str, Any] = {}
    monkeypatch.setattr(whoisit, "is_bootstrapped", lambda: True)

    def answer(key: str, value: str, **_kwargs: Any) -> Any:
        result = answers[key]
        if callable(result):
            return result(value)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(whoisit, "ip", lambda ip, **kw: answer("ip", ip, **kw))
    monkeypatch.setattr(whoisit, "domain", lambda name, **kw: answer("domain", name, **kw))
    return answers


def test_rdap_gives_the_network_its_origin_asn_and_abuse_contact(rdap: dict[str, Any]) -> None:
    rdap["ip"] = IP_RECORD
    directory = RdapDirectory(timeout=1)
    network = directory.network("192.0.2.1")
    assert (network.asn, network.name, network.country, network.source) == (
        64500,
        "EXAMPLE-NET",
        "GB",
        "rdap",
    )
    assert directory.ip_contacts("192.0.2.1") == Contacts(["abuse@net.example"], "rdap")
    rdap["ip"] = {"name": "NO-COUNTRY"}
    bare = directory.network("192.0.2.1")
    assert (bare.asn, bare.country, bare.source) == (None, None, "rdap+iptocc")


def test_rdap_finds_the_upstream_by_asking_for_the_block_one_bit_wider(
    rdap: dict[str, Any],
) -> None:
    asked: list[object] = []
    own = {
        "parent_handle": "NET-192-0-0-0-1",
        "cidrs": [ipaddress.ip_network("192.0.2.0/24")],
        "entities": {"abuse": [{"email": "abuse@host.example"}]},
    }
    above = {"entities": {"abuse": [{"email": "abuse@host.example"}, {"email": "noc@up.example"}]}}

    def answer(query: object) -> dict[str, Any]:
        asked.append(query)
        return own if query == "192.0.2.7" else above

    rdap["ip"] = answer
    directory = RdapDirectory(timeout=1)
    assert directory.upstream_contacts("192.0.2.7") == Contacts(["noc@up.example"], "rdap")
    assert asked == ["192.0.2.7", ipaddress.ip_network("192.0.2.0/23")]
    rdap["ip"] = {**own, "parent_handle": ""}
    assert directory.upstream_contacts("192.0.2.7").emails == []
    rdap["ip"] = {"parent_handle": "X", "cidrs": []}
    assert directory.upstream_contacts("192.0.2.7").emails == []


def test_rdap_walks_up_to_the_registered_domain(rdap: dict[str, Any]) -> None:
    asked: list[str] = []

    def domain(name: str) -> Any:
        asked.append(name)
        if name != "files.example":
            raise whoisit.errors.ResourceDoesNotExist("404")
        return DOMAIN_RECORD

    rdap["domain"] = domain
    found = RdapDirectory(timeout=1).domain_contacts("cdn.a.files.example")
    assert found == RegistrarContacts(
        "Example Registrar, Inc.", ["abuse@registrar.example"], "rdap"
    )
    assert asked == ["cdn.a.files.example", "a.files.example", "files.example"]
    rdap["domain"] = whoisit.errors.ResourceDoesNotExist("404")
    assert RdapDirectory(timeout=1).domain_contacts("x.example").registrar is None


@pytest.mark.parametrize(
    "error",
    [
        whoisit.errors.QueryError("Failed to make a GET request: timed out"),
        whoisit.errors.RateLimitedError("429"),
        whoisit.errors.RemoteServerError("503"),
        requests.ConnectionError("refused"),
        ValueError("not JSON"),
    ],
)
def test_every_rdap_error_is_lookup_failed(rdap: dict[str, Any], error: Exception) -> None:
    rdap["ip"] = rdap["domain"] = error
    directory = RdapDirectory(timeout=1)
    with pytest.raises(LookupFailed, match=re.escape("RDAP did not answer for 192.0.2.1")):
        directory.network("192.0.2.1")
    with pytest.raises(LookupFailed, match=re.escape("RDAP did not answer for files.example")):
        directory.domain_contacts("files.example")


def test_an_unknown_address_is_an_empty_answer(rdap: dict[str, Any]) -> None:
    rdap["ip"] = whoisit.errors.ResourceDoesNotExist("404")
    assert RdapDirectory(timeout=1).ip_contacts("192.0.2.1").emails == []


def test_a_failed_bootstrap_is_lookup_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whoisit, "is_bootstrapped", lambda: False)

    def bootstrap() -> None:
        raise whoisit.errors.BootstrapError("no network")

    monkeypatch.setattr(whoisit, "bootstrap", bootstrap)
    with pytest.raises(LookupFailed, match="bootstrap data could not be fetched"):
        RdapDirectory(timeout=1).network("192.0.2.1")


def test_the_session_forces_our_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def request(_self: Any, *_args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise requests.Timeout("slow")

    monkeypatch.setattr(requests.Session, "request", request)
    session = lookups_live._TimedSession(0.25)
    with pytest.raises(requests.Timeout):
        session.request("GET", "https://rdap.invalid/ip/192.0.2.1", timeout=10)
    assert seen["timeout"] == 0.25


class _Fixed:
    def __init__(self, contacts: Contacts | Exception) -> None:
        self.contacts = contacts

    def ip_contacts(self, ip: str) -> Contacts:
        if isinstance(self.contacts, Exception):
            raise self.contacts
        return self.contacts

    def upstream_contacts(self, ip: str) -> Contacts:
        return self.ip_contacts(ip)

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        return RegistrarContacts(None, [], "fixed")


def test_first_answer_passes_over_empty_and_failing_directories() -> None:
    failing, empty = _Fixed(LookupFailed("rdap down")), _Fixed(Contacts([], "rdap"))
    found = _Fixed(Contacts(["abuse@hosting.example"], "abusix"))
    assert FirstAnswer([failing, empty, found]).ip_contacts("192.0.2.1").source == "abusix"
    assert FirstAnswer([empty, empty]).ip_contacts("192.0.2.1") == Contacts([], "rdap")
    with pytest.raises(LookupFailed, match="rdap down"):
        FirstAnswer([failing, empty]).ip_contacts("192.0.2.1")
    with pytest.raises(LookupFailed, match="no abuse directory"):
        FirstAnswer([]).ip_contacts("192.0.2.1")


def test_the_settings_choose_the_set(tmp_path: Any) -> None:
    base = Settings(database_url="sqlite://")
    assert hosting_sources(base).name == "offline"
    live = hosting_sources(base.with_changes(hosting_sources="live", hosting_nameservers="::1"))
    assert live.name == "live"
    assert isinstance(live.resolver, DnsResolver)
    with pytest.raises(ConfigError, match="cannot read the hosting data file"):
        hosting_sources(base.with_changes(hosting_data_file=tmp_path / "none.yaml"))
    with pytest.raises(ConfigError, match="hosting_sources"):
        base.with_changes(hosting_sources="online")


def test_the_live_set_from_settings_asks_the_configured_name_server(
    name_server: LoopbackDns, rdap: dict[str, Any]
) -> None:
    rdap["ip"] = {"name": "EXAMPLE-NET", "country": "GB"}  # RDAP names no abuse contact
    rdap["domain"] = DOMAIN_RECORD
    settings = Settings(
        database_url="sqlite://",
        hosting_sources="live",
        hosting_nameservers=f"127.0.0.1:{name_server.port}",
        abusix_zone=ZONE,
        hosting_timeout_s=2,
    )
    found = probe(hosting_sources(settings), "files.example")
    assert found["addresses"] == ["192.0.2.10", "192.0.2.9", "2001:db8::10"]
    assert (found["network_name"], found["country"]) == ("EXAMPLE-NET", "GB")
    assert found["abuse_contacts"] == ["abuse@hosting.example"]  # from the Abusix zone
    assert found["registrar"] == "Example Registrar, Inc."
    assert found["sources"] == {
        "set": "live",
        "addresses": "dns",
        "network": "rdap",
        "abuse": "abusix",
        "registrar": "rdap",
    }
    assert found["error"] is None


def test_a_name_server_that_is_not_an_address_is_a_config_error() -> None:
    settings = Settings(
        database_url="sqlite://", hosting_sources="live", hosting_nameservers="ns.example"
    )
    with pytest.raises(ConfigError, match=r"name server 'ns\.example' is not an address"):
        hosting_sources(settings)
