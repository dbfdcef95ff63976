"""The real hosting directories (see :mod:`hotlist.server.kit.lookups` for the seam).

- :class:`DnsResolver`: A and AAAA through dnspython, the system's name servers or given ones;
- :class:`RdapDirectory`: RDAP through whoisit, for an address's network (name, country, the
  origin ASN where the registry gives it) and abuse contact, and for a domain's registrar;
- :class:`AbusixDirectory`: the Abusix abuse-contact DNS zone (``<reversed ip>.<zone>`` TXT);
- :class:`FirstAnswer`: asks abuse directories in order, the first with contacts wins.

Each has a timeout, and every library error becomes :class:`~hotlist.errors.LookupFailed`.
Either set may take its networks from MaxMind-format files first
(:mod:`hotlist.server.kit.lookups_maxmind`, the setting ``hosting_maxmind_files``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
import dns.reversename
import requests
import whoisit  # type: ignore[import-untyped]
import whoisit.errors  # type: ignore[import-untyped]
import whoisit.utils  # type: ignore[import-untyped]

from hotlist.errors import ConfigError, LookupFailed
from hotlist.server.config import Settings
from hotlist.server.kit.lookups import (
    AbuseDirectory,
    Contacts,
    HostingData,
    HostingSources,
    Network,
    RegistrarContacts,
    country_of,
    offline_sources,
    parent_domains,
)
from hotlist.server.kit.lookups_maxmind import MaxMindNetworks

ABUSIX_ZONE = "abuse-contacts.abusix.zone"
Answer = TypeVar("Answer", Contacts, RegistrarContacts)


class DnsResolver:
    """A and AAAA records through dnspython, each query bounded by ``timeout`` seconds."""

    source = "dns"

    def __init__(
        self, *, timeout: float = 5.0, nameservers: Sequence[str] = (), port: int = 53
    ) -> None:
        self._resolver = make_dns_resolver(timeout=timeout, nameservers=nameservers, port=port)

    def addresses(self, host: str) -> list[str]:
        """The host's IPv4 then IPv6 addresses; ``[]`` when the name does not exist."""
        found: list[str] = []
        for rdtype in ("A", "AAAA"):
            try:
                answer = self._resolver.resolve(host, rdtype, search=False)
            except dns.resolver.NXDOMAIN:
                return []
            except dns.resolver.NoAnswer:
                continue
            except dns.exception.DNSException as exc:
                raise LookupFailed(f"the DNS did not answer for {host} ({rdtype}): {exc}") from exc
            found.extend(sorted(str(record) for record in answer))
        return found


def make_dns_resolver(
    *, timeout: float, nameservers: Sequence[str] = (), port: int = 53
) -> dns.resolver.Resolver:
    """A dnspython resolver whose every query gives up after ``timeout`` seconds; it asks
    ``nameservers`` (``ADDRESS``, ``ADDRESS:PORT``, ``[IPv6]:PORT``; ``port`` where none is
    given), or the system's when there are none."""
    try:
        resolver = dns.resolver.Resolver(configure=not nameservers)
    except dns.exception.DNSException as exc:
        raise LookupFailed(f"no name server to ask: {exc}") from exc
    if nameservers:
        resolver.nameservers = [_nameserver(text, port) for text in nameservers]
    resolver.port = port
    resolver.lifetime = timeout
    resolver.timeout = timeout
    return resolver


def _nameserver(text: str, default_port: int) -> dns.nameserver.Nameserver:
    """A name server from ``ADDRESS``, ``ADDRESS:PORT`` or ``[IPv6]:PORT``; ConfigError if it
    is none of them."""
    address, port = text.strip(), str(default_port)
    if address.startswith("["):
        address, _, rest = address[1:].partition("]")
        port = rest.removeprefix(":") or port
    elif address.count(":") == 1:
        address, port = address.split(":")
    try:
        return dns.nameserver.Do53Nameserver(str(ipaddress.ip_address(address)), int(port))
    except ValueError as exc:
        raise ConfigError(
            f"name server {text!r} is not an address (ADDRESS, ADDRESS:PORT or [IPv6]:PORT)"
        ) from exc


class AbusixDirectory:
    """Abuse contacts from the Abusix DNS zone: TXT records at the reversed address under
    ``zone`` (``10.2.0.192.abuse-contacts.abusix.zone`` for 192.0.2.10; nibbles for IPv6)."""

    source = "abusix"

    def __init__(
        self,
        zone: str = ABUSIX_ZONE,
        *,
        timeout: float = 5.0,
        nameservers: Sequence[str] = (),
        port: int = 53,
    ) -> None:
        self._zone = dns.name.from_text(zone)
        self._resolver = make_dns_resolver(timeout=timeout, nameservers=nameservers, port=port)

    def query_name(self, ip: str) -> dns.name.Name:
        """Where the zone keeps the contacts of ``ip``."""
        reverse = dns.reversename.from_address(str(ipaddress.ip_address(ip)))
        # Drop "in-addr.arpa." / "ip6.arpa." and hang the reversed labels under the zone.
        return dns.name.Name(reverse.labels[:-3]).concatenate(self._zone)

    def ip_contacts(self, ip: str) -> Contacts:
        """The zone's contacts for ``ip``; ``[]`` when it lists none."""
        try:
            name = self.query_name(ip)
            answer = self._resolver.resolve(name, "TXT", search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return Contacts([], source=self.source)
        except ValueError as exc:
            raise LookupFailed(f"{ip!r} is not an IP address") from exc
        except dns.exception.DNSException as exc:
            raise LookupFailed(f"the Abusix zone did not answer for {ip}: {exc}") from exc
        emails: list[str] = []
        for record in answer:
            text = b"".join(record.strings).decode("utf-8", "replace")
            for part in text.replace(",", " ").split():
                if "@" in part and part not in emails:
                    emails.append(part)
        return Contacts(emails, source=self.source)

    def upstream_contacts(self, ip: str) -> Contacts:
        """The zone knows the address's own contacts only."""
        return Contacts([], source=self.source)

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        """The zone knows addresses only."""
        return RegistrarContacts(None, [], source=self.source)


class _TimedSession(requests.Session):
    """A requests session whose every request gives up after ``timeout`` seconds."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self.timeout
        return super().request(*args, **kwargs)


class RdapDirectory:
    """RDAP through whoisit: the registries' own answers, each request bounded by ``timeout``.

    The first use fetches IANA's RDAP bootstrap files (which registry serves what), once per
    process."""

    source = "rdap"

    def __init__(self, *, timeout: float = 10.0) -> None:
        self._timeout = timeout
        self._session = _TimedSession(timeout)

    def _ready(self) -> None:
        if whoisit.is_bootstrapped():
            return
        # The bootstrap uses whoisit's own session and module-wide timeout: ours bounds it too.
        whoisit.utils.http_timeout = self._timeout
        try:
            whoisit.bootstrap()
        except (whoisit.errors.WhoisItError, requests.RequestException, ValueError) as exc:
            raise LookupFailed(f"RDAP's bootstrap data could not be fetched: {exc}") from exc

    def _ip(self, ip: str | ipaddress.IPv4Network | ipaddress.IPv6Network) -> dict[str, Any]:
        self._ready()
        try:
            result: dict[str, Any] = whoisit.ip(ip, session=self._session)
        except whoisit.errors.ResourceDoesNotExist:
            return {}
        except (whoisit.errors.WhoisItError, requests.RequestException, ValueError) as exc:
            raise LookupFailed(f"RDAP did not answer for {ip}: {exc}") from exc
        return result

    def network(self, ip: str) -> Network:
        """The registry's network record holding ``ip``; country from iptocc if it gives none."""
        record = self._ip(ip)
        name = str(record.get("name") or "") or None
        country = str(record.get("country") or "").upper() or None
        source = self.source
        if country is None:
            country, source = country_of(ip), "rdap+iptocc"
        return Network(asn=_origin_asn(record), name=name, country=country, source=source)

    def ip_contacts(self, ip: str) -> Contacts:
        """The emails of the network record's ``abuse`` entities."""
        return Contacts(_emails(self._ip(ip), "abuse"), source=self.source)

    def upstream_contacts(self, ip: str) -> Contacts:
        """The ``abuse`` emails of the network above the record holding ``ip``: RDAP answers a
        query for a block with the most specific network holding all of it, so asking for the
        record's block one bit wider gives a network strictly above it (RFC 9082, 3.1.1).
        Empty when the record has no parent (``parentHandle``) or no block."""
        record = self._ip(ip)
        blocks = [
            block
            for block in record.get("cidrs") or []
            if isinstance(block, ipaddress.IPv4Network | ipaddress.IPv6Network)
        ]
        if not record.get("parent_handle") or not blocks or blocks[0].prefixlen == 0:
            return Contacts([], source=self.source)
        own = set(_emails(record, "abuse"))
        above = self._ip(blocks[0].supernet())
        emails = [email for email in _emails(above, "abuse") if email not in own]
        return Contacts(emails, source=self.source)

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        """The registrar of the first of ``domain`` and the names above it RDAP knows, with the
        abuse contacts it gives (the registrar's own ``abuse`` entity)."""
        self._ready()
        for name in parent_domains(domain):
            try:
                record: dict[str, Any] = whoisit.domain(name, session=self._session)
            except whoisit.errors.ResourceDoesNotExist:
                continue
            except whoisit.errors.UnsupportedError:
                return RegistrarContacts(None, [], source=self.source)
            except (whoisit.errors.WhoisItError, requests.RequestException, ValueError) as exc:
                raise LookupFailed(f"RDAP did not answer for {name}: {exc}") from exc
            registrars = _entities(record, "registrar")
            registrar = str(registrars[0].get("name") or "") or None if registrars else None
            return RegistrarContacts(registrar, _emails(record, "abuse"), source=self.source)
        return RegistrarContacts(None, [], source=self.source)


def _entities(record: dict[str, Any], role: str) -> list[dict[str, Any]]:
    entities = record.get("entities") or {}
    found = entities.get(role) if isinstance(entities, dict) else None
    return [item for item in found or [] if isinstance(item, dict)]


def _emails(record: dict[str, Any], role: str) -> list[str]:
    emails: list[str] = []
    for entity in _entities(record, role):
        for email in [entity.get("email"), *(entity.get("emails") or [])]:
            if isinstance(email, str) and "@" in email and email not in emails:
                emails.append(email)
    return emails


def _origin_asn(record: dict[str, Any]) -> int | None:
    """The origin AS some registries put in the network record (ARIN's ``originautnums``)."""
    raw = record.get("raw") or {}
    numbers = raw.get("arin_originas0_originautnums") if isinstance(raw, dict) else None
    if isinstance(numbers, list) and numbers and isinstance(numbers[0], int):
        return numbers[0]
    return None


class FirstAnswer:
    """Several abuse directories asked in order: the first that names a contact wins. One
    that fails is passed over, but when none names a contact and one failed, LookupFailed
    says which (an empty answer then may only mean a directory was down)."""

    def __init__(self, directories: Sequence[AbuseDirectory]) -> None:
        self._directories = list(directories)

    def ip_contacts(self, ip: str) -> Contacts:
        """The first directory's contacts for ``ip`` that are not empty."""
        return self._first(lambda d: d.ip_contacts(ip), lambda c: bool(c.emails))

    def upstream_contacts(self, ip: str) -> Contacts:
        """The first directory's upstream contacts for ``ip`` that are not empty."""
        return self._first(lambda d: d.upstream_contacts(ip), lambda c: bool(c.emails))

    def domain_contacts(self, domain: str) -> RegistrarContacts:
        """The first directory's registrar of ``domain`` that names one."""
        return self._first(
            lambda d: d.domain_contacts(domain), lambda c: bool(c.registrar or c.emails)
        )

    def _first(
        self, ask: Callable[[AbuseDirectory], Answer], found: Callable[[Answer], bool]
    ) -> Answer:
        failures: list[str] = []
        empty: Answer | None = None
        for directory in self._directories:
            try:
                answer = ask(directory)
            except LookupFailed as exc:
                failures.append(exc.message)
                continue
            if found(answer):
                return answer
            empty = empty or answer
        if failures or empty is None:
            raise LookupFailed("; ".join(failures) or "no abuse directory is configured")
        return empty


def live_sources(
    *,
    timeout: float = 5.0,
    nameservers: Sequence[str] = (),
    abusix_zone: str = ABUSIX_ZONE,
) -> HostingSources:
    """The real set: DNS, RDAP, then the Abusix zone (unless ``abusix_zone`` is empty)."""
    rdap = RdapDirectory(timeout=timeout)
    abuse: list[AbuseDirectory] = [rdap]
    if abusix_zone:
        abuse.append(AbusixDirectory(abusix_zone, timeout=timeout, nameservers=nameservers))
    return HostingSources(
        resolver=DnsResolver(timeout=timeout, nameservers=nameservers),
        networks=rdap,
        abuse=FirstAnswer(abuse),
        name="live",
    )


def hosting_sources(settings: Settings) -> HostingSources:
    """The set ``settings.hosting_sources`` names: ``offline`` over the hosting data file (if
    any), or ``live``."""
    sources = sources_for(
        settings.hosting_sources,
        data_file=settings.hosting_data_file,
        timeout=settings.hosting_timeout_s,
        nameservers=settings.hosting_nameservers,
        abusix_zone=settings.abusix_zone,
    )
    networks = MaxMindNetworks.from_setting(settings.hosting_maxmind_files, sources.networks)
    return replace(sources, networks=networks)


def sources_for(
    kind: str,
    *,
    data_file: Path | None = None,
    timeout: float = 5.0,
    nameservers: str = "",
    abusix_zone: str = ABUSIX_ZONE,
) -> HostingSources:
    """``offline`` sources over ``data_file`` (none: nothing known but countries) or ``live``
    ones (``nameservers``: comma-separated addresses, empty for the system's)."""
    if kind == "live":
        servers = [server.strip() for server in nameservers.split(",") if server.strip()]
        return live_sources(timeout=timeout, nameservers=servers, abusix_zone=abusix_zone)
    if kind != "offline":
        raise ConfigError(f"unknown hosting sources {kind!r}: offline or live")
    return offline_sources(HostingData.load(data_file) if data_file is not None else None)
