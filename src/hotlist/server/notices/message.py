"""A notice as an e-mail: ``multipart/report`` with a plain-text part a person can act on and
one XARF v4 JSON attachment per URL (RFC 6522's shape; ``report-type=xarf``).

The subject carries the reference (``[hotlist N-XXXXXXXX]``), which replies keep and
:mod:`~hotlist.server.notices.ingest` matches on. A category with no XARF type gets the text
part only. Nothing in a notice is content: the URL, where it resolved, what it was assessed
as and under which law.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from hotlist.server.notices import xarf
from hotlist.server.notices.models import ContactRole

SUBJECT_TAG = "hotlist"
REFERENCE = re.compile(r"\[hotlist (N-[0-9A-Z]{4,16})\]", re.IGNORECASE)
"""How a subject carries a reference; replies add ``Re:`` and the like around it."""

_INTRO = {
    ContactRole.HOST: (
        "Our records show that the content at the address(es) below is hosted on your network. "
        "An analyst of {operator} assessed it as {category}, which is illegal. Please remove it "
        "and reply to tell us when it is gone."
    ),
    ContactRole.UPSTREAM: (
        "We notified the network hosting the content below and it is still online. You provide "
        "that network's connectivity. An analyst of {operator} assessed it as {category}, which "
        "is illegal. Please act on it and reply to tell us what was done."
    ),
    ContactRole.REGISTRAR: (
        "We notified the network hosting the content below and it is still online. The domain "
        "is registered through you. An analyst of {operator} assessed it as {category}, which "
        "is illegal. Please act on it and reply to tell us what was done."
    ),
    ContactRole.PARTNER: (
        "The content below was assessed by an analyst of {operator} as {category}. Its host and "
        "upstream were notified and did not remove it. We refer it to you."
    ),
    ContactRole.POLICE: (
        "The content below was assessed by an analyst of {operator} as {category}. Its host and "
        "upstream were notified and did not remove it. We refer it to you."
    ),
}


@dataclass(frozen=True)
class Item:
    """One URL a notice covers."""

    url: str
    host: str
    ip: str | None
    assessed_at: datetime


@dataclass(frozen=True)
class Draft:
    """What one notice says, to whom."""

    reference: str
    to: str
    role: ContactRole
    sender: xarf.Sender
    category_name: str
    legal_basis: str
    xarf_type: str | None
    items: Sequence[Item]
    send_number: int = 1
    """1 for the first notice; 2 and up for each reminder."""


def subject(draft: Draft) -> str:
    """The subject: the reference first, then what it is about (no URL, no host)."""
    reminder = f"Reminder {draft.send_number - 1}: " if draft.send_number > 1 else ""
    return (
        f"[{SUBJECT_TAG} {draft.reference}] {reminder}Notice of illegal content "
        f"({draft.category_name}, {len(draft.items)} URL{'s' if len(draft.items) != 1 else ''})"
    )


def text_part(draft: Draft) -> str:
    """The part a person reads: what, where, the legal basis, our reference, how to reply."""
    intro = _INTRO[draft.role].format(operator=draft.sender.org, category=draft.category_name)
    lines = [intro, ""]
    if draft.send_number > 1:
        lines += [
            f"This is reminder {draft.send_number - 1}: we sent this notice before and the "
            "content is still online.",
            "",
        ]
    lines.append("Where (each address, where it resolved, when it was assessed):")
    for item in draft.items:
        at = item.assessed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines.append(f"  - {item.url}")
        lines.append(f"    host {item.host}, address {item.ip or 'unknown'}, assessed {at}")
    lines += ["", "Legal basis:"]
    lines += [f"  {line}" for line in draft.legal_basis.splitlines() if line.strip()]
    lines += [
        "",
        f"Our reference: {draft.reference}",
        "",
        "How to reply: answer this message and keep the reference "
        f"[{SUBJECT_TAG} {draft.reference}] in the subject. Tell us when the content is removed, "
        "or why it cannot be. We check the addresses again ourselves and stop the reminders "
        "once they are gone.",
        "",
        "This message holds no copy of the content, and you should not send us one.",
    ]
    if draft.xarf_type is not None:
        lines += ["", "A machine-readable XARF v4 report for each address is attached."]
    lines += ["", f"-- {draft.sender.org} <{draft.sender.contact}>"]
    return "\n".join(lines) + "\n"


def compose(draft: Draft, *, now: datetime) -> EmailMessage:
    """The e-mail for ``draft`` as of ``now`` (its Date); XARF validated before it is added."""
    message = EmailMessage()
    message["From"] = f"{draft.sender.org} <{draft.sender.contact}>"
    message["To"] = draft.to
    message["Subject"] = subject(draft)
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Reply-To"] = draft.sender.contact
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text_part(draft))
    if draft.xarf_type is None:
        return message
    for index, item in enumerate(draft.items, start=1):
        facts = xarf.ReportFacts(
            url=item.url,
            host=item.host,
            ip=item.ip,
            xarf_type=draft.xarf_type,
            reference=draft.reference,
            assessed_at=item.assessed_at,
            legal_basis=draft.legal_basis,
        )
        report = xarf.build_report(facts, draft.sender)
        message.add_attachment(
            xarf.encode(report),
            maintype="application",
            subtype="json",
            filename=f"xarf-{draft.reference}-{index}.json",
        )
    message.set_type("multipart/report")
    message.set_param("report-type", "xarf")
    return message


def reference_in(subject_line: str) -> str | None:
    """The reference a subject carries (upper case), or None."""
    found = REFERENCE.search(subject_line or "")
    return found.group(1).upper() if found else None
