"""The offline hosting sources: the data file's format, its mistakes, and what each directory
answers from it (documentation address ranges only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotlist.errors import ConfigError
from hotlist.server.kit.lookups import (
    Contacts,
    HostingData,
    country_of,
    offline_sources,
    parent_domains,
    plain_ip,
)

DATA = {
    "hosts": {
        "files.example": ["2001:db8::10", "192.0.2.10"],
        "Other.Example.": "198.51.100.7",
    },
    "networks": [
        {"prefix": "192.0.2.0/24", "asn": 64500, "name": "Example Hosting", "country": "gb"},
        {
            "prefix": "192.0.2.0/28",
            "asn": 64501,
            "name": "Example Reseller",
            "abuse": ["abuse@reseller.example"],
        },
        {"prefix": "2001:db8::/32", "asn": 64502, "name": "Example Six", "abuse": "ab@six.example"},
    ],
    "domains": {
        "example": {"registrar": "Top Registrar"},
        "files.example": {"registrar": "Example Registrar", "abuse": ["abuse@registrar.example"]},
    },
}


@pytest.fixture
def data() -> HostingData:
    return HostingData.parse(DATA)


def test_the_resolver_answers_the_file_s_addresses_ipv4_first(data: HostingData) -> None:
    resolver = offline_sources(data).resolver
    assert resolver.addresses("files.example") == ["192.0.2.10", "2001:db8::10"]
    assert resolver.addresses("other.example") == ["198.51.100.7"]
    assert resolver.addresses("missing.example") == []


def test_the_most_specific_network_wins_and_iptocc_fills_a_missing_country(
    data: HostingData,
) -> None:
    networks = offline_sources(data).networks
    wide = networks.network("192.0.2.200")
    assert (wide.asn, wide.name, wide.country, wide.source) == (
        64500,
        "Example Hosting",
        "GB",
        "file",
    )
    narrow = networks.network("192.0.2.3")
    assert (narrow.asn, narrow.name) == (64501, "Example Reseller")
    # Documentation ranges are in no registry's delegations: iptocc knows no country for them.
    assert (narrow.country, narrow.source) == (None, "file+iptocc")
    unknown = networks.network("203.0.113.5")
    assert (unknown.asn, unknown.name, unknown.source) == (None, None, "iptocc")


def test_abuse_contacts_of_networks_and_of_the_longest_listed_domain(data: HostingData) -> None:
    abuse = offline_sources(data).abuse
    assert abuse.ip_contacts("192.0.2.3").emails == ["abuse@reseller.example"]
    assert abuse.ip_contacts("192.0.2.200").emails == []
    assert abuse.ip_contacts("2001:db8::10").emails == ["ab@six.example"]
    deep = abuse.domain_contacts("cdn.files.example")
    assert (deep.registrar, deep.emails) == ("Example Registrar", ["abuse@registrar.example"])
    assert abuse.domain_contacts("other.example").registrar == "Top Registrar"
    assert abuse.domain_contacts("nowhere.test").registrar is None


def test_the_upstream_is_the_nearest_larger_network_with_other_contacts() -> None:
    nested = HostingData.parse(
        {
            "networks": [
                {"prefix": "192.0.0.0/16", "abuse": ["abuse@transit.example"]},
                {"prefix": "192.0.2.0/24", "abuse": ["abuse@upstream.example"]},
                {"prefix": "192.0.2.0/26", "abuse": ["abuse@upstream.example"]},
                {"prefix": "192.0.2.0/28", "abuse": ["abuse@host.example"]},
            ]
        }
    )
    abuse = offline_sources(nested).abuse
    assert abuse.upstream_contacts("192.0.2.3") == Contacts(["abuse@upstream.example"], "file")
    # The /26 names the same desk as the /24: the upstream of its addresses is the /16.
    assert abuse.upstream_contacts("192.0.2.40").emails == ["abuse@transit.example"]
    assert abuse.upstream_contacts("192.0.9.1").emails == []
    assert abuse.upstream_contacts("198.51.100.1").emails == []


def test_without_a_file_nothing_is_known_but_countries() -> None:
    sources = offline_sources()
    assert sources.resolver.addresses("files.example") == []
    assert sources.networks.network("192.0.2.1").asn is None


def test_iptocc_knows_countries_of_delegated_ranges_only() -> None:
    # 193.0.0.0/21 is the RIPE NCC's own delegation (NL); documentation ranges have none.
    assert country_of("193.0.0.1") == "NL"
    assert country_of("198.51.100.1") is None


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_the_file_is_read_as_yaml_or_json(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"hosting{suffix}"
    path.write_text(json.dumps(DATA), encoding="utf-8")  # JSON is YAML too
    loaded = HostingData.load(path)
    assert loaded.hosts["other.example"] == ("198.51.100.7",)
    assert loaded.domain_of("a.files.example") is not None


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ([1, 2], "top level must be a mapping"),
        ({"servers": {}}, "unknown part 'servers'"),
        ({"hosts": {"a.example": ["not-an-ip"]}}, "hosts.a.example: 'not-an-ip'"),
        ({"networks": [{"asn": 1}]}, "networks[0] must be a mapping with a prefix"),
        ({"networks": [{"prefix": "192.0.2.0/33"}]}, "is not an address prefix"),
        ({"networks": [{"prefix": "192.0.2.0/24", "asn": "AS1"}]}, "asn must be a whole"),
        ({"networks": [{"prefix": "192.0.2.0/24", "country": "GBR"}]}, "two-letter code"),
        ({"networks": [{"prefix": "192.0.2.0/24", "abuse": ["nobody"]}]}, "not an email"),
        ({"domains": {"a.example": ["x"]}}, "domains.a.example must be a mapping"),
    ],
)
def test_each_mistake_in_the_file_is_named(raw: object, named: str) -> None:
    with pytest.raises(ConfigError, match=r".*" + named.replace("[", r"\[").replace("]", r"\]")):
        HostingData.parse(raw)


def test_an_unreadable_or_broken_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the hosting data file"):
        HostingData.load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("hosts: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{broken} is not valid"):
        HostingData.load(broken)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("networks: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"{wrong}: networks must be a list"):
        HostingData.load(wrong)


@given(st.ip_addresses())
def test_any_address_is_found_in_a_network_that_covers_everything(address: object) -> None:
    data = HostingData.parse(
        {"networks": [{"prefix": "0.0.0.0/0", "asn": 1}, {"prefix": "::/0", "asn": 2}]}
    )
    record = data.network_of(str(address))
    assert record is not None
    assert record.asn == (1 if ":" not in str(address) else 2)


@given(st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), min_size=1, max_size=6))
def test_parent_domains_walk_up_to_two_labels(labels: list[str]) -> None:
    name = ".".join(labels)
    parents = parent_domains(name)
    assert parents[0] == name
    assert all(parent.count(".") >= 1 for parent in parents[1:])
    assert len(parents) == max(len(labels) - 1, 1)


def test_plain_ip_reads_literals_only() -> None:
    assert plain_ip("[2001:db8::1]") == "2001:db8::1"
    assert plain_ip("192.0.2.1") == "192.0.2.1"
    assert plain_ip("files.example") is None
