"""Sending e-mail, a seam: notices to hosts go out through a :class:`Mailer`.

:class:`SmtpMailer` is the real one (``smtplib``: STARTTLS when set, a login when a user name is
set, a timeout); :class:`MemoryMailer` keeps what it was given (tests, the demo without a mail
server). Every failure to deliver is a :class:`~hotlist.errors.DeliveryError`: the caller keeps
the message as a draft and tries again later.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

from hotlist.errors import ConfigError, DeliveryError
from hotlist.server.config import Settings


class Mailer(Protocol):
    """Delivers one message; its Message-ID, or DeliveryError when it was not delivered."""

    def send(self, message: EmailMessage) -> str:
        """Send ``message`` (a Message-ID is added when it has none); the Message-ID."""
        ...


def _message_id(message: EmailMessage, sender: str) -> str:
    """The message's Message-ID, made (in the sender's domain) when it has none."""
    existing = message["Message-ID"]
    if existing:
        return str(existing)
    domain = sender.rpartition("@")[2] or "hotline.invalid"
    made = make_msgid(domain=domain)
    message["Message-ID"] = made
    return made


class SmtpMailer:
    """Sends through one SMTP server, a new connection per message (notices are few).

    ``starttls`` switches to TLS before login (``context`` the TLS settings, the system's
    trusted certificates by default); ``username`` logs in (with ``password``).
    """

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        starttls: bool = True,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        sender: str = "hotline@hotline.invalid",
        context: ssl.SSLContext | None = None,
    ) -> None:
        if not host:
            raise ConfigError(
                "no mail server for notices: set HOTLIST_SMTP_HOST (and HOTLIST_SMTP_PORT)"
            )
        if username and password is None:
            raise ConfigError("HOTLIST_SMTP_USERNAME is set without HOTLIST_SMTP_PASSWORD")
        self.host = host
        self.port = port
        self.starttls = starttls
        self.username = username
        self._password = password
        self.timeout = timeout
        self.sender = sender
        self._context = context

    def send(self, message: EmailMessage) -> str:
        """Deliver ``message`` to its recipients; DeliveryError naming the server and why."""
        if message["From"] is None:
            message["From"] = self.sender
        message_id = _message_id(message, self.sender)
        where = f"{self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=self._context or ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self._password or "")
                refused = smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"the mail server {where} refused the login of {self.username!r}: "
                f"{_reply(exc)}; check HOTLIST_SMTP_USERNAME and HOTLIST_SMTP_PASSWORD"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(
                f"the mail server {where} does not offer what was asked ({exc}); "
                "check HOTLIST_SMTP_STARTTLS and HOTLIST_SMTP_USERNAME"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            refused_all = ", ".join(sorted(exc.recipients))
            raise DeliveryError(
                f"the mail server {where} refused every recipient: {refused_all}"
            ) from exc
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            raise DeliveryError(
                f"the message could not be delivered through {where}: {_reply(exc)}"
            ) from exc
        if refused:
            raise DeliveryError(
                f"the mail server {where} refused {', '.join(sorted(refused))}; "
                "the others got the message"
            )
        return message_id


def _reply(exc: BaseException) -> str:
    """What the server (or the network) said, in one line."""
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        return f"{exc.smtp_code} {text}".strip()
    return str(exc) or type(exc).__name__


class MemoryMailer:
    """Keeps every message it is given, in order (tests; nothing leaves the process).

    ``fail_with`` makes every send raise DeliveryError with that text (a server that is away)."""

    def __init__(self, sender: str = "hotline@hotline.invalid") -> None:
        self.sender = sender
        self.sent: list[EmailMessage] = []
        self.fail_with: str | None = None
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> str:
        """Keep ``message``; its Message-ID."""
        if self.fail_with is not None:
            raise DeliveryError(f"the message could not be delivered: {self.fail_with}")
        if message["From"] is None:
            message["From"] = self.sender
        message_id = _message_id(message, self.sender)
        with self._lock:
            self.sent.append(message)
        return message_id


class UnconfiguredMailer:
    """What a server without a mail server has: every send fails, saying what to set, so a
    notice stays a draft (with a ``send_failed`` event) instead of vanishing."""

    def send(self, message: EmailMessage) -> str:
        """Always DeliveryError."""
        raise DeliveryError("no mail server is configured for notices: set HOTLIST_SMTP_HOST")


def mailer_from_settings(settings: Settings) -> Mailer:
    """The server's mailer: SMTP when ``smtp_host`` is set, else :class:`UnconfiguredMailer`."""
    if not settings.smtp_host:
        return UnconfiguredMailer()
    return SmtpMailer(
        settings.smtp_host,
        settings.smtp_port,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_s,
        sender=settings.notice_from,
    )
