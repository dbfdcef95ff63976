"""The TUF roles that sign the list (no third-party imports: the command line loads it)."""

from __future__ import annotations

from typing import Literal, get_args

from hotlist.errors import ConfigError

Role = Literal["root", "targets", "snapshot", "timestamp"]
ROLES: tuple[Role, ...] = get_args(Role)


def check_role(name: str) -> Role:
    """``name`` as a Role, or a ConfigError listing the roles."""
    if name not in ROLES:
        raise ConfigError(f"unknown role {name!r}: use one of {', '.join(ROLES)}")
    return name
