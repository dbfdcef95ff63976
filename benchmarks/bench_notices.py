"""Notice and takedown throughput: entries drafted and sent per second through a real SMTP
server on loopback (aiosmtpd), grouping included.

10,000 active entries on 1,000 hosts, the hosts spread over 96 networks (each its own abuse
contact), all at home (GB). One tick of the notices job at the start routes every entry (its
removal case, one hosting lookup per host, the draft of its contact); a second tick after the
grouping window sends each draft: every host re-resolved first, the e-mail composed with one
XARF v4 report per URL (each validated with the ``xarf`` package) and delivered over SMTP. The
figures: entries routed and drafted per second, entries (URLs) sent per second, notices per
second, and the whole run; then it checks what the server received.

    .venv/bin/python benchmarks/bench_notices.py                 # SQLite, 10,000 entries
    .venv/bin/python benchmarks/bench_notices.py --postgres      # a new database, dropped after
    .venv/bin/python benchmarks/bench_notices.py --entries 1000 --hosts 100   # quick
"""

from __future__ import annotations

import argparse
import ipaddress
import secrets
import socket
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.db.upgrade import upgrade
from hotlist.server.kit.lookups import HostingData, NetworkRecord, offline_sources
from hotlist.server.kit.mailer import SmtpMailer
from hotlist.server.notices.jobs import run_once
from hotlist.server.notices.models import Notice, NoticeItem
from hotlist.server.notices.service import Outbox
from seeded_entries import seed_entries

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
RANGES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")


class Count:
    """An aiosmtpd handler that counts messages, bytes and attachments (parts)."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0
        self.parts = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        self.parts += envelope.content.count(b"Content-Type: application/json")
        return "250 OK"


@contextmanager
def _postgres_database() -> Iterator[str]:
    """A new PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"hotlist_bench_{secrets.token_hex(4)}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield "postgresql+psycopg://postgres@127.0.0.1:5432/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hosting(hosts: int) -> tuple[HostingData, list[str]]:
    """``hosts`` host names on the documentation ranges, in /29 networks (96 contacts)."""
    addresses = [str(a) for r in RANGES for a in ipaddress.ip_network(r)]
    networks = tuple(
        NetworkRecord(
            net,
            64500 + i,
            f"Example Hosting {i}",
            "GB",
            (f"abuse@net{i}.example",),
        )
        for i, net in enumerate(
            n for r in RANGES for n in ipaddress.ip_network(r).subnets(new_prefix=29)
        )
    )
    names = [f"h{i:04d}.files.example" for i in range(hosts)]
    data = HostingData(
        hosts={name: (addresses[i % len(addresses)],) for i, name in enumerate(names)},
        networks=networks,
    )
    return data, names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=1_000)
    parser.add_argument("--postgres", action="store_true", help="default: SQLite in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        url = f"sqlite:///{Path(tmp) / 'hotlist.db'}"
        if args.postgres:
            url = stack.enter_context(_postgres_database())
        upgrade(url)
        engine = make_engine(url)
        sessions = session_factory(engine)
        data, names = hosting(args.hosts)
        seed_entries(sessions, names, args.entries)
        handler = Count()
        port = _free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            outbox = Outbox(
                mailer=SmtpMailer("127.0.0.1", port, starttls=False, timeout=30),
                sources=offline_sources(data),
                sender_address="hotline@hotline.example",
                window_s=900.0,
            )
            began = time.perf_counter()
            routed = run_once(sessions, outbox, now=START, window_s=outbox.window_s)
            drafted_s = time.perf_counter() - began
            began_send = time.perf_counter()
            sent = run_once(
                sessions, outbox, now=START + timedelta(seconds=901), window_s=outbox.window_s
            )
            sent_s = time.perf_counter() - began_send
        finally:
            controller.stop()
        with sessions() as session:
            notices = session.scalar(select(func.count()).select_from(Notice)) or 0
            items = session.scalar(select(func.count()).select_from(NoticeItem)) or 0
        engine.dispose()
    total = drafted_s + sent_s
    backend = url.split(":", 1)[0]
    print(f"database: {backend}; {args.entries:,} entries on {args.hosts:,} hosts")
    print(
        f"routed and drafted: {routed.drafted:,} entries into {notices:,} notices in "
        f"{drafted_s:.2f} s = {routed.drafted / drafted_s:,.0f} entries/s"
    )
    print(
        f"sent: {sent.sent:,} notices covering {items:,} URLs in {sent_s:.2f} s = "
        f"{items / sent_s:,.0f} URLs/s, {sent.sent / sent_s:,.1f} notices/s "
        f"(failed {sent.send_failed})"
    )
    print(f"whole run: {args.entries / total:,.0f} entries/s drafted and sent ({total:.2f} s)")
    print(
        f"SMTP server received {handler.messages:,} messages, {handler.parts:,} XARF parts, "
        f"{handler.bytes / 1e6:.1f} MB"
    )
    if handler.messages != sent.sent or handler.parts != items:
        raise SystemExit("the server did not receive what was sent")


if __name__ == "__main__":
    main()
