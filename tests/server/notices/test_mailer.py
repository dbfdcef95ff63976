"""The mailer seam against a real SMTP server on loopback (aiosmtpd): what arrives is a
multipart/report whose XARF parts parse; STARTTLS and login; a server that went away."""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import xarf
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError, DeliveryError
from hotlist.server.config import Settings
from hotlist.server.kit.clock import ManualClock
from hotlist.server.kit.mailer import (
    MemoryMailer,
    SmtpMailer,
    UnconfiguredMailer,
    mailer_from_settings,
)
from hotlist.server.notices.jobs import run_once
from hotlist.server.notices.message import Draft, Item, compose, reference_in
from hotlist.server.notices.models import ContactRole, Notice, NoticeEvent, NoticeState
from hotlist.server.notices.service import Outbox
from hotlist.server.notices.xarf import Sender
from server.certificates import self_signed

from .conftest import START, Hosting, SmtpSink, _Keep, free_port

SENDER = Sender("Example Hotline", "hotline@hotline.example")


def draft(xarf_type: str | None = "csam", n: int = 2) -> Draft:
    return Draft(
        reference="N-7K2M9Q4X",
        to="abuse@net.example",
        role=ContactRole.HOST,
        sender=SENDER,
        category_name="Child sexual abuse material",
        legal_basis="GB: Protection of Children Act 1978, s. 1",
        xarf_type=xarf_type,
        items=[
            Item(f"https://files.example/p/{i}.html", "files.example", "192.0.2.10", START)
            for i in range(n)
        ],
    )


def test_a_notice_arrives_as_multipart_report_with_parsing_xarf(smtp_sink: SmtpSink) -> None:
    mailer = SmtpMailer(smtp_sink.host, smtp_sink.port, starttls=False, sender=SENDER.contact)
    message_id = mailer.send(compose(draft(), now=START))
    [(mail_from, rcpt, _data)] = smtp_sink.handler.received
    assert mail_from == "hotline@hotline.example"
    assert rcpt == ["abuse@net.example"]
    [got] = smtp_sink.handler.messages()
    assert got["Message-ID"] == message_id
    assert got.get_content_type() == "multipart/report"
    assert got.get_param("report-type") == "xarf"
    assert reference_in(str(got["Subject"])) == "N-7K2M9Q4X"
    text = got.get_body(preferencelist=("plain",))
    assert text is not None
    body = text.get_content()
    for needed in ("https://files.example/p/0.html", "Protection of Children Act", "N-7K2M9Q4X"):
        assert needed in body
    assert "keep the reference" in body
    parts = list(got.iter_attachments())
    assert [p.get_content_type() for p in parts] == ["application/json"] * 2
    for part in parts:
        report = json.loads(part.get_content())
        parsed = xarf.parse(report)
        assert parsed.errors == []
        assert parsed.report is not None
        assert report["type"] == "csam"


def test_a_category_without_xarf_type_gets_the_text_only(smtp_sink: SmtpSink) -> None:
    mailer = SmtpMailer(smtp_sink.host, smtp_sink.port, starttls=False)
    mailer.send(compose(draft(xarf_type=None), now=START))
    [got] = smtp_sink.handler.messages()
    assert got.get_content_type() == "text/plain"
    assert "XARF" not in got.get_content()


def test_a_server_that_is_not_there_is_a_delivery_error() -> None:
    mailer = SmtpMailer("127.0.0.1", free_port(), starttls=False, timeout=2)
    with pytest.raises(DeliveryError, match=r"could not be delivered through 127\.0\.0\.1"):
        mailer.send(compose(draft(), now=START))


def test_a_refused_recipient_is_a_delivery_error() -> None:
    class Refuse(_Keep):
        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            return "550 no such mailbox"

    port = free_port()
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(DeliveryError, match="refused every recipient"):
            SmtpMailer("127.0.0.1", port, starttls=False).send(compose(draft(), now=START))
    finally:
        controller.stop()


@pytest.fixture
def tls_sink(tmp_path: Path) -> Any:
    cert, key = self_signed(tmp_path, "127.0.0.1")
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"notices",
            b"s3cret-for-tests",
        )
        return AuthResult(success=ok, handled=False)

    handler = _Keep()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    client_context = ssl.create_default_context(cafile=str(cert))
    yield port, handler, client_context
    controller.stop()


def test_starttls_and_login(tls_sink: Any) -> None:
    port, handler, context = tls_sink
    mailer = SmtpMailer(
        "127.0.0.1", port, username="notices", password="s3cret-for-tests", context=context
    )
    mailer.send(compose(draft(), now=START))
    assert len(handler.received) == 1


def test_a_wrong_password_is_a_delivery_error_naming_the_settings(tls_sink: Any) -> None:
    port, handler, context = tls_sink
    mailer = SmtpMailer(
        "127.0.0.1", port, username="notices", password="wrong", context=context, timeout=5
    )
    with pytest.raises(DeliveryError, match="HOTLIST_SMTP_PASSWORD"):
        mailer.send(compose(draft(), now=START))
    assert handler.received == []


def test_without_starttls_the_server_refuses(tls_sink: Any) -> None:
    port, handler, _context = tls_sink
    with pytest.raises(DeliveryError):
        SmtpMailer("127.0.0.1", port, starttls=False).send(compose(draft(), now=START))
    assert handler.received == []


def test_the_settings_choose_the_mailer(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    assert isinstance(mailer_from_settings(base), UnconfiguredMailer)
    with pytest.raises(DeliveryError, match="HOTLIST_SMTP_HOST"):
        UnconfiguredMailer().send(EmailMessage())
    smtp = mailer_from_settings(base.with_changes(smtp_host="mail.example", smtp_port=2525))
    assert isinstance(smtp, SmtpMailer)
    assert (smtp.host, smtp.port, smtp.starttls) == ("mail.example", 2525, True)
    with pytest.raises(ConfigError, match="without HOTLIST_SMTP_PASSWORD"):
        mailer_from_settings(base.with_changes(smtp_host="mail.example", smtp_username="u"))
    assert "s3cret" not in repr(base.with_changes(smtp_password="s3cret"))


def test_the_job_retries_through_a_server_that_came_back(
    sessions: sessionmaker[Session],
    make_entries: Callable[..., list[int]],
    hosting_data: Hosting,
    outbox: Outbox,
) -> None:
    hosting_data.host("files.example", "192.0.2.10")
    make_entries("files.example", 3)
    port = free_port()
    smtp = Outbox(
        SmtpMailer("127.0.0.1", port, starttls=False, timeout=2),
        outbox.sources,
        outbox.sender_address,
        outbox.window_s,
    )
    clock = ManualClock(START)
    run_once(sessions, smtp, now=clock.now(), window_s=smtp.window_s)
    clock.advance(smtp.window_s)
    assert run_once(sessions, smtp, now=clock.now(), window_s=smtp.window_s).send_failed == 1
    with sessions() as session:
        notice = session.scalars(select(Notice)).one()
        assert notice.state == NoticeState.DRAFTED
        failed = session.scalars(select(NoticeEvent).where(NoticeEvent.kind == "send_failed")).one()
        assert f"127.0.0.1:{port}" in failed.detail
    handler = _Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        clock.advance(smtp.retry_s)
        assert run_once(sessions, smtp, now=clock.now(), window_s=smtp.window_s).sent == 1
    finally:
        controller.stop()
    [got] = handler.messages()
    assert len(list(got.iter_attachments())) == 3
    assert isinstance(outbox.mailer, MemoryMailer)
