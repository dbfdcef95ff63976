"""Free text that leaves the hotline names no address: the one rule, for every such field.

Statements of reasons (an assessment's facts and scope reason), the reasons of an entry's
changes of state, the decisions on objections and appeals (public on ``/v1/appeals/{receipt}``),
and later the free text of referrals and notices are read by members, observers, appellants or
partners, who must never receive a plaintext URL (DESIGN.md, invariant 2). A person writing them
knows the address and may paste it; :func:`check_free_text` refuses the text before anything is
stored, naming the field, and says what to write instead.

Refused: the case's URL or expression, the case's host (with or without ``www.``, in ASCII or
Unicode form), and any text that looks like an address: a scheme (``http://``, ``hxxp://``), a
name starting ``www.``, or a domain or IPv4 address followed by a path (``example.com/page``),
dots written ``[.]`` or ``(.)`` included. A bare domain without a path is not refused (it may be
a hosting provider named as a fact), unless it is the case's host.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable

from hotlist.errors import InvalidField

_DOT = r"(?:\.|\[\.\]|\(\.\)|\{\.\})"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_TLD = r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})"
_PORT = r"(?::\d{1,5})?"
_ADDRESS_SHAPES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[a-z][a-z0-9+.\-]{1,15}://", re.IGNORECASE), "a web address (scheme://)"),
    (re.compile(rf"(?<![\w.-])www\d{{0,3}}{_DOT}{_LABEL}", re.IGNORECASE), "a name starting www."),
    (
        re.compile(rf"(?<![\w@.-])(?:{_LABEL}{_DOT})+{_TLD}{_PORT}/", re.IGNORECASE),
        "a domain followed by a path",
    ),
    (
        re.compile(rf"(?<![\w.])\d{{1,3}}(?:{_DOT}\d{{1,3}}){{3}}{_PORT}/"),
        "an IP address followed by a path",
    ),
)
INSTEAD = "refer to the entry by its id, not its address"


def _host_forms(host: str) -> set[str]:
    """The ways a text may write ``host``: as given, without ``www.``, and in Unicode."""
    host = host.strip().lower().rstrip(".")
    forms = {host, host.removeprefix("www.")}
    for form in list(forms):
        with contextlib.suppress(UnicodeError, ValueError):
            forms.add(form.encode("ascii").decode("idna"))
    return {form for form in forms if form}


def address_in(text: str, urls: Iterable[str] = (), hosts: Iterable[str] = ()) -> str | None:
    """What in ``text`` names an address (a short description, never the address itself), or
    None when it names none. ``urls`` and ``hosts`` are the case's own."""
    folded = text.casefold()
    for url in urls:
        if url and url.casefold() in folded:
            return "the case's address"
    for host in hosts:
        for form in _host_forms(host):
            if re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", folded):
                return "the case's host name"
    for pattern, what in _ADDRESS_SHAPES:
        if pattern.search(text):
            return what
    return None


def check_free_text(
    field: str, text: str, *, urls: Iterable[str] = (), hosts: Iterable[str] = ()
) -> str:
    """``text`` if it names no address; InvalidField naming ``field`` otherwise."""
    found = address_in(text, urls, hosts)
    if found is not None:
        raise InvalidField(
            field,
            f"{field} holds {found}; this text is shown outside the hotline (to members, "
            f"observers or the appellant), where no address may appear: {INSTEAD}",
        )
    return text
