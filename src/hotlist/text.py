"""Counts in what hotlist prints, said plainly: ``1 entry``, ``2 entries``, never ``1 entries``
or ``report(s)``. The one home for English plurals in output, logs and the staff pages (the
public pages translate theirs with ``ngettext``)."""

from __future__ import annotations


def plural(count: int, one: str, many: str) -> str:
    """``count`` and the noun that fits it: ``plural(1, "entry", "entries")`` is ``1 entry``,
    ``plural(0, "entry", "entries")`` is ``0 entries``."""
    return f"{count} {one if count == 1 else many}"
