"""Networks from MaxMind-format databases: what the files know first, the rest from the
directory they wrap; a bad file refused when the server starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from hotlist.errors import ConfigError, LookupFailed
from hotlist.server.config import Settings
from hotlist.server.kit.lookups import FileNetworkDirectory, HostingData, Network
from hotlist.server.kit.lookups_live import hosting_sources
from hotlist.server.kit.lookups_maxmind import MaxMindNetworks

DATA = HostingData.parse(
    {
        "networks": [
            {"prefix": "192.0.2.0/24", "asn": 64999, "name": "From The File", "country": "NL"},
            {"prefix": "2001:db8::/32", "name": "Example Six"},
        ]
    }
)


def mmdb(path: Path, kind: str, networks: dict[str, dict[str, Any]]) -> Path:
    """A MaxMind-format database of ``kind`` holding ``networks`` (prefix -> record)."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=kind)
    for prefix, record in networks.items():
        writer.insert_network(IPSet([prefix]), record)
    writer.to_db_file(str(path))
    return path


@pytest.fixture
def asn_file(tmp_path: Path) -> Path:
    record = {"autonomous_system_number": 64500, "autonomous_system_organization": "Example Ltd"}
    return mmdb(tmp_path / "GeoLite2-ASN.mmdb", "GeoLite2-ASN", {"192.0.2.0/25": record})


@pytest.fixture
def country_file(tmp_path: Path) -> Path:
    return mmdb(
        tmp_path / "GeoLite2-Country.mmdb",
        "GeoLite2-Country",
        {
            "192.0.2.0/24": {"country": {"iso_code": "gb"}},
            "198.51.100.0/24": {"registered_country": {"iso_code": "DE"}},
            "2001:db8::/32": {"country": {"iso_code": "FR"}},
        },
    )


def directory(*paths: Path) -> MaxMindNetworks:
    return MaxMindNetworks(list(paths), FileNetworkDirectory(DATA))


def test_the_files_answer_asn_organisation_and_country(asn_file: Path, country_file: Path) -> None:
    assert directory(asn_file, country_file).network("192.0.2.7") == Network(
        64500, "Example Ltd", "GB", source="maxmind"
    )


def test_what_the_files_lack_comes_from_the_wrapped_directory(
    asn_file: Path, country_file: Path
) -> None:
    found = directory(country_file).network("192.0.2.200")
    assert found == Network(64999, "From The File", "GB", source="maxmind+file")
    six = directory(asn_file, country_file).network("2001:db8::5")
    assert (six.name, six.country, six.source) == ("Example Six", "FR", "maxmind+file+iptocc")


def test_the_registered_country_stands_in_for_a_missing_country(country_file: Path) -> None:
    assert directory(country_file).network("198.51.100.9").country == "DE"


def test_an_address_no_file_holds_is_asked_of_the_wrapped_directory(asn_file: Path) -> None:
    assert directory(asn_file).network("203.0.113.5").source == "iptocc"


def test_a_malformed_address_is_a_lookup_failure(asn_file: Path) -> None:
    with pytest.raises(LookupFailed, match="cannot answer"):
        directory(asn_file).network("not-an-address")


def test_a_missing_or_broken_file_is_refused_at_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        directory(tmp_path / "absent.mmdb")
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"not a database")
    with pytest.raises(ConfigError, match="not a MaxMind-format database"):
        directory(broken)


@pytest.mark.parametrize("kind", ["offline", "live"])
def test_the_setting_puts_the_files_first_in_either_set(
    kind: str, asn_file: Path, country_file: Path
) -> None:
    base = Settings(database_url="sqlite://", hosting_sources=kind)
    settings = base.with_changes(hosting_maxmind_files=f"{asn_file}, {country_file}")
    networks = hosting_sources(settings).networks
    assert isinstance(networks, MaxMindNetworks)
    assert networks.network("192.0.2.9") == Network(64500, "Example Ltd", "GB", source="maxmind")
    assert not isinstance(hosting_sources(base).networks, MaxMindNetworks)
