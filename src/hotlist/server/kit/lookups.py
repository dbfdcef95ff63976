"""Where content is hosted and who is told, a seam: the host's addresses, the network an address
belongs to, and the abuse contacts of the network and of the domain's registrar.

Three small Protocols, each answering one question:

- :class:`Resolver`: a host's addresses (A and AAAA);
- :class:`NetworkDirectory`: the network an address belongs to (ASN, name, country);
- :class:`AbuseDirectory`: an address's abuse contacts, and a domain's registrar with its own.

The offline implementations read one operator-provided data file (:class:`HostingData`, YAML or
JSON; see docs/removal.md) and take the country from ``iptocc``'s shipped registry data when the
file gives none; they never touch the network (tests, the demo, a hotline without outside
access). The real ones live in :mod:`hotlist.server.kit.lookups_live` (DNS through dnspython,
RDAP through whoisit, the Abusix zone). :func:`hosting_sources` picks a set from the settings.

Every implementation raises :class:`~hotlist.errors.LookupFailed` when its directory did not
answer; "nothing found" is an empty answer, never an error.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import iptocc
import yaml

from hotlist.errors import ConfigError, LookupFailed

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Network:
    """The network an address belongs to; any part may be unknown (None)."""

    asn: int | None
    name: str | None
    country: str | None
    source: str
    """Where the answer came from (``file``, ``rdap``, ``iptocc``...)."""


@dataclass(frozen=True)
class Contacts:
    """Where abuse of an address is reported; empty when the directory knows none."""

    emails: list[str]
    source: str


@dataclass(frozen=True)
class RegistrarContacts:
    """The registrar a domain is registered with and its abuse contacts (None, []: unknown)."""

    registrar: str | None
    emails: list[str]
    source: str


class Resolver(Protocol):
    """A host name's addresses."""

    source: str

    def addresses(self, host: str) -> list[str]:
        """The host's IPv4 then IPv6 addresses; ``[]`` when the name does not exist or has
        none; LookupFailed when the DNS did not answer."""
        ...


class NetworkDirectory(Protocol):
    """The network an IP address belongs to."""

    def network(self, ip: str) -> Network:
        """ASN, network name and country of ``ip`` (parts unknown are None)."""
        ...


class AbuseDirectory(Protocol):
    """Who to tell: the abuse contacts of an address, and a domain's registrar."""

    def ip_contacts(self, ip: str) -> Contacts:
        """The abuse contacts of the network ``ip`` belongs to."""
        ...

    def upstream_contacts(self, ip: str) -> Contacts:
        """The abuse contacts of the network above the one holding ``ip`` (the upstream that
        gave the host its addresses), where a notice escalates; ``[]`` when none is known."""
        ...

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        """The registrar of the domain ``domain`` is (or is under), and its abuse contacts."""
        ...


@dataclass(frozen=True)
class HostingSources:
    """The directories one hosting lookup asks, chosen once by the settings."""

    resolver: Resolver
    networks: NetworkDirectory
    abuse: AbuseDirectory
    name: str = "offline"
    """``offline`` or ``live``: which set this is (shown with each lookup's sources)."""


def parent_domains(name: str) -> list[str]:
    """``name`` and each name above it down to two labels (``a.b.example.com``, ``b.example.com``,
    ``example.com``): where a registration covering ``name`` may be."""
    labels = name.strip(".").split(".")
    return [".".join(labels[index:]) for index in range(max(len(labels) - 1, 1))]


def plain_ip(host: str) -> str | None:
    """The address a host is when it is an IP literal (``[2001:db8::1]`` -> ``2001:db8::1``)."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def country_of(ip: str) -> str | None:
    """The country ``ip`` is registered to in the RIRs' delegation files ``iptocc`` ships
    (None for reserved ranges, such as the documentation ones)."""
    try:
        return iptocc.country_code(ip)
    except (ValueError, TypeError) as exc:
        raise LookupFailed(f"{ip!r} is not an IP address") from exc


@dataclass(frozen=True)
class NetworkRecord:
    """One network of the hosting data file."""

    prefix: IPNetwork
    asn: int | None = None
    name: str | None = None
    country: str | None = None
    abuse: tuple[str, ...] = ()


@dataclass(frozen=True)
class DomainRecord:
    """One domain of the hosting data file: its registrar and the registrar's abuse contacts."""

    registrar: str | None = None
    abuse: tuple[str, ...] = ()


@dataclass(frozen=True)
class HostingData:
    """What the operator knows about hosting, from one file (see :meth:`load`)::

    hosts:                      # host -> its addresses
      files.example: [192.0.2.10, "2001:db8::10"]
    networks:                   # the most specific prefix holding an address wins
      - prefix: 192.0.2.0/24
        asn: 64500
        name: Example Hosting Ltd
        country: GB             # optional: iptocc's answer when missing
        abuse: [abuse@hosting.example]
    domains:                    # a host is under the longest domain listed
      files.example: {registrar: Example Registrar, abuse: [abuse@registrar.example]}
    """

    hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    networks: tuple[NetworkRecord, ...] = ()
    domains: Mapping[str, DomainRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> HostingData:
        """The data in ``path`` (``.json``: JSON, otherwise YAML); ConfigError naming the
        file and what is wrong in it."""
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the hosting data file {path}: {exc}") from exc
        try:
            raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"the hosting data file {path} is not valid: {exc}") from exc
        try:
            return cls.parse(raw or {})
        except ConfigError as exc:
            raise ConfigError(f"the hosting data file {path}: {exc.message}") from exc

    @classmethod
    def parse(cls, raw: Any) -> HostingData:
        """The data from its parsed form; ConfigError for a part that is not as documented."""
        if not isinstance(raw, dict):
            raise ConfigError("the top level must be a mapping of hosts, networks and domains")
        unknown = set(raw) - {"hosts", "networks", "domains"}
        if unknown:
            raise ConfigError(f"unknown part {sorted(unknown)[0]!r} (hosts, networks, domains)")
        hosts = {
            _name(host): tuple(_address(a, f"hosts.{host}") for a in _list(v, f"hosts.{host}"))
            for host, v in _mapping(raw.get("hosts"), "hosts").items()
        }
        networks = tuple(
            _network(item, f"networks[{index}]")
            for index, item in enumerate(_list(raw.get("networks"), "networks"))
        )
        domains = {
            _name(name): _domain(value, f"domains.{name}")
            for name, value in _mapping(raw.get("domains"), "domains").items()
        }
        return cls(hosts=hosts, networks=networks, domains=domains)

    def network_of(self, ip: str) -> NetworkRecord | None:
        """The most specific network holding ``ip``."""
        holding = self.networks_holding(ip)
        return holding[0] if holding else None

    def networks_holding(self, ip: str) -> list[NetworkRecord]:
        """Every network holding ``ip``, the most specific first (then the ones above it)."""
        address = ipaddress.ip_address(ip)
        holding = [n for n in self.networks if n.prefix.version == address.version]
        holding = [n for n in holding if address in n.prefix]
        return sorted(holding, key=lambda n: n.prefix.prefixlen, reverse=True)

    def domain_of(self, name: str) -> tuple[str, DomainRecord] | None:
        """The longest listed domain ``name`` is or is under."""
        labels = _name(name).split(".")
        for index in range(len(labels)):
            candidate = ".".join(labels[index:])
            if candidate in self.domains:
                return candidate, self.domains[candidate]
        return None


def _name(value: Any) -> str:
    return str(value).strip().strip(".").lower()


def _mapping(value: Any, where: str) -> Mapping[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be a list")
    return value


def _address(value: Any, where: str) -> str:
    try:
        return str(ipaddress.ip_address(str(value)))
    except ValueError as exc:
        raise ConfigError(f"{where}: {value!r} is not an IP address") from exc


def _emails(value: Any, where: str) -> tuple[str, ...]:
    emails = tuple(str(item).strip() for item in _list(value, where))
    for email in emails:
        if "@" not in email:
            raise ConfigError(f"{where}: {email!r} is not an email address")
    return emails


def _network(item: Any, where: str) -> NetworkRecord:
    if not isinstance(item, dict) or "prefix" not in item:
        raise ConfigError(f"{where} must be a mapping with a prefix (like 192.0.2.0/24)")
    try:
        prefix = ipaddress.ip_network(str(item["prefix"]), strict=False)
    except ValueError as exc:
        raise ConfigError(f"{where}: {item['prefix']!r} is not an address prefix") from exc
    asn = item.get("asn")
    if asn is not None and (not isinstance(asn, int) or isinstance(asn, bool) or asn < 0):
        raise ConfigError(f"{where}: asn must be a whole number")
    country = item.get("country")
    if country is not None and (not isinstance(country, str) or len(country) != 2):
        raise ConfigError(f"{where}: country must be a two-letter code (like GB)")
    name = item.get("name")
    return NetworkRecord(
        prefix=prefix,
        asn=asn,
        name=None if name is None else str(name),
        country=None if country is None else country.upper(),
        abuse=_emails(item.get("abuse"), f"{where}.abuse"),
    )


def _domain(value: Any, where: str) -> DomainRecord:
    value = _mapping(value, where)
    registrar = value.get("registrar")
    return DomainRecord(
        registrar=None if registrar is None else str(registrar),
        abuse=_emails(value.get("abuse"), f"{where}.abuse"),
    )


class FileResolver:
    """Addresses from the hosting data file; a host it does not list does not exist."""

    source = "file"

    def __init__(self, data: HostingData) -> None:
        self._data = data

    def addresses(self, host: str) -> list[str]:
        """The addresses the file gives ``host`` (IPv4 first)."""
        found = self._data.hosts.get(_name(host), ())
        return sorted(found, key=lambda a: ipaddress.ip_address(a).version)


class FileNetworkDirectory:
    """Networks from the hosting data file; the country from iptocc when the file gives none."""

    def __init__(self, data: HostingData) -> None:
        self._data = data

    def network(self, ip: str) -> Network:
        """The file's most specific network holding ``ip``, else iptocc's country alone."""
        record = self._data.network_of(_address(ip, "ip"))
        if record is None:
            return Network(asn=None, name=None, country=country_of(ip), source="iptocc")
        if record.country is not None:
            return Network(record.asn, record.name, record.country, source="file")
        return Network(record.asn, record.name, country_of(ip), source="file+iptocc")


class FileAbuseDirectory:
    """Abuse contacts of networks and registrars from the hosting data file."""

    def __init__(self, data: HostingData) -> None:
        self._data = data

    def ip_contacts(self, ip: str) -> Contacts:
        """The abuse contacts of the file's network holding ``ip`` (none: ``[]``)."""
        record = self._data.network_of(_address(ip, "ip"))
        return Contacts(list(record.abuse) if record else [], source="file")

    def upstream_contacts(self, ip: str) -> Contacts:
        """The abuse contacts of the nearest network above the one holding ``ip`` that names
        contacts other than its own (the file lists an upstream as a larger prefix)."""
        holding = self._data.networks_holding(_address(ip, "ip"))
        own = set(holding[0].abuse) if holding else set()
        for record in holding[1:]:
            if record.abuse and set(record.abuse) != own:
                return Contacts(list(record.abuse), source="file")
        return Contacts([], source="file")

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        """The registrar of the longest listed domain ``domain`` is under."""
        found = self._data.domain_of(domain)
        if found is None:
            return RegistrarContacts(None, [], source="file")
        return RegistrarContacts(found[1].registrar, list(found[1].abuse), source="file")


def offline_sources(data: HostingData | None = None) -> HostingSources:
    """The offline set over ``data`` (none: nothing known but iptocc's countries)."""
    data = data or HostingData()
    return HostingSources(
        resolver=FileResolver(data),
        networks=FileNetworkDirectory(data),
        abuse=FileAbuseDirectory(data),
        name="offline",
    )
