"""Networks from MaxMind-format databases the operator provides (GeoLite2 or GeoIP2 Country,
City and ASN, or any MMDB file with the same fields), read with MaxMind's own ``maxminddb``.

:class:`MaxMindNetworks` answers what its files know (the ASN and its organisation, the
country) and asks the directory it wraps for what they lack, so a Country file alone still gets
the network's name from the hosting data file or RDAP. The files are opened once, memory-mapped
where the C extension is there; a file that is missing or not a MaxMind database is a
ConfigError when the server starts, not at the first lookup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import maxminddb
from maxminddb.errors import InvalidDatabaseError

from hotlist.errors import ConfigError, LookupFailed
from hotlist.server.kit.lookups import Network, NetworkDirectory

SOURCE = "maxmind"


def _country(record: Mapping[str, Any]) -> str | None:
    """Where the address is (``country``), else where its block is registered."""
    for key in ("country", "registered_country"):
        part = record.get(key)
        if isinstance(part, Mapping) and isinstance(part.get("iso_code"), str):
            return str(part["iso_code"]).upper()
    return None


class MaxMindNetworks:
    """A :class:`~hotlist.server.kit.lookups.NetworkDirectory` over MMDB files, the parts they
    do not give asked of ``then``."""

    def __init__(self, paths: Sequence[Path], then: NetworkDirectory) -> None:
        self._then = then
        self._readers: list[Any] = []
        for path in paths:
            try:
                self._readers.append(maxminddb.open_database(str(path)))
            except FileNotFoundError as exc:
                raise ConfigError(f"the MaxMind database {path} does not exist") from exc
            except (InvalidDatabaseError, OSError, ValueError) as exc:
                raise ConfigError(
                    f"{path} is not a MaxMind-format database (a .mmdb file): {exc}"
                ) from exc

    @classmethod
    def from_setting(cls, value: str, then: NetworkDirectory) -> NetworkDirectory:
        """The directory the comma-separated paths in ``value`` name (empty: ``then``)."""
        paths = [Path(part.strip()) for part in value.split(",") if part.strip()]
        return cls(paths, then) if paths else then

    def network(self, ip: str) -> Network:
        """The ASN, its organisation and the country from the files; the rest from ``then``."""
        asn: int | None = None
        name: str | None = None
        country: str | None = None
        for reader in self._readers:
            try:
                record = reader.get(ip)
            except (ValueError, InvalidDatabaseError) as exc:
                raise LookupFailed(f"the MaxMind database cannot answer for {ip!r}: {exc}") from exc
            if not isinstance(record, Mapping):
                continue
            number = record.get("autonomous_system_number")
            if asn is None and isinstance(number, int) and not isinstance(number, bool):
                asn = number
            organisation = record.get("autonomous_system_organization")
            if name is None and isinstance(organisation, str) and organisation:
                name = organisation
            country = country or _country(record)
        if asn is not None and name is not None and country is not None:
            return Network(asn, name, country, source=SOURCE)
        if asn is None and name is None and country is None:
            return self._then.network(ip)
        rest = self._then.network(ip)
        return Network(
            asn if asn is not None else rest.asn,
            name if name is not None else rest.name,
            country if country is not None else rest.country,
            source=f"{SOURCE}+{rest.source}",
        )

    def close(self) -> None:
        """Close the files (the server keeps them open while it runs)."""
        for reader in self._readers:
            reader.close()
