"""Replies by e-mail: each message is matched to its notice by the reference in its subject and
kept as a ``reply`` event (and, when it says so, an acknowledgement). A message whose subject
names no notice we know is reported back, never dropped silently.

Reads one RFC 5322 message (``email`` with the default policy) or a Maildir folder
(``mailbox.Maildir``); a Maildir message that was read is marked seen (flag ``S``), so a second
run skips it.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError
from hotlist.server.notices import service
from hotlist.server.notices.message import reference_in
from hotlist.server.notices.models import NoticeState

ACKNOWLEDGING = re.compile(
    r"\b(acknowledg\w*|received your (notice|report)|we (are|will be) (looking|investigat)\w*|"
    r"removed|taken down|deleted|suspended)\b",
    re.IGNORECASE,
)
"""Words that make a reply to a sent notice an acknowledgement."""
DETAIL_CHARS = 2000


@dataclass
class Ingested:
    """What a run read."""

    matched: list[str] = field(default_factory=list)
    """References a reply was recorded for."""
    acknowledged: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Subjects (and Message-IDs) that name no notice we know."""


def parse(data: bytes) -> EmailMessage:
    """One message from its bytes (RFC 5322, the default policy)."""
    parsed = message_from_bytes(data, policy=policy.default)
    assert isinstance(parsed, EmailMessage)  # the default policy's message class
    return parsed


def body_text(message: EmailMessage) -> str:
    """The message's plain text (the first text/plain part), without quoted lines."""
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, ValueError):
        return ""
    kept = [line for line in str(text).splitlines() if not line.lstrip().startswith(">")]
    return "\n".join(kept).strip()


def ingest_message(
    session: Session, message: EmailMessage, *, now: datetime, into: Ingested
) -> None:
    """Record ``message`` against the notice its subject names (see the module)."""
    subject = str(message.get("Subject", ""))
    message_id = str(message.get("Message-ID", "")) or None
    reference = reference_in(subject)
    notice = service.by_reference(session, reference) if reference else None
    if notice is None:
        into.unknown.append(f"{subject!r} ({message_id or 'no Message-ID'})")
        return
    text = body_text(message)
    sender = str(message.get("From", ""))
    detail = f"from {sender}: {text}"[:DETAIL_CHARS]
    service.record_reply(session, notice, now=now, detail=detail, message_id=message_id)
    into.matched.append(notice.reference)
    if notice.state == NoticeState.SENT and ACKNOWLEDGING.search(f"{subject}\n{text}"):
        service.acknowledge(session, notice, now=now, detail=detail[:200], message_id=message_id)
        into.acknowledged.append(notice.reference)


def ingest_bytes(
    factory: sessionmaker[Session], messages: Iterable[bytes], *, now: datetime
) -> Ingested:
    """Ingest each message, one transaction each."""
    result = Ingested()
    for data in messages:
        with factory() as session, session.begin():
            ingest_message(session, parse(data), now=now, into=result)
    return result


def ingest_maildir(factory: sessionmaker[Session], folder: Path, *, now: datetime) -> Ingested:
    """Ingest every message of the Maildir ``folder`` not yet seen, then mark it seen."""
    if not (folder / "cur").is_dir() or not (folder / "new").is_dir():
        raise ConfigError(f"{folder} is not a Maildir folder (it needs cur/ and new/)")
    box = mailbox.Maildir(folder, factory=None, create=False)
    result = Ingested()
    for key in list(box.keys()):
        stored = box.get_message(key)
        if "S" in stored.get_flags():
            continue
        with factory() as session, session.begin():
            ingest_message(session, parse(stored.as_bytes()), now=now, into=result)
        stored.add_flag("S")
        stored.set_subdir("cur")
        box[key] = stored
    return result
