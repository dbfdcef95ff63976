"""The project's one error base and its subclasses.

Every error a user can cause or meet carries a message that says what is wrong and what to do.
Third-party errors are wrapped at the boundary (``raise ... from exc``); the command line
catches :class:`HotlistError` once and exits with the subclass's ``exit_code``.
"""

from __future__ import annotations

from hotlist.text import plural


class HotlistError(Exception):
    """Base of every error hotlist raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidURL(HotlistError, ValueError):
    """A URL that cannot be canonicalized: empty, not a URL, too long, no usable host..."""

    exit_code = 3


class ConfigError(HotlistError):
    """A setting, file or directory that is missing or wrong."""

    exit_code = 4


class PolicyError(HotlistError):
    """A policy file that does not validate, or a category the policy does not define."""

    exit_code = 5


class StorageError(HotlistError):
    """The database or a store on disk could not be read or written."""

    exit_code = 6


class NotFound(HotlistError):
    """The thing asked for does not exist."""

    exit_code = 7


class PermissionDenied(HotlistError):
    """The caller lacks the named permission."""

    exit_code = 8


class Conflict(HotlistError):
    """The request contradicts the current state (a decision already made, a duplicate)."""

    exit_code = 9


class PublishError(HotlistError):
    """Building or signing a list version failed; nothing was published."""

    exit_code = 10


class VerificationError(HotlistError):
    """A list, its metadata or a log proof failed verification: fail closed."""

    exit_code = 11


class WrongBase(VerificationError):
    """A delta made for another base than the list it is applied to: another list, version or
    contents under the same version (the server's history is not this list's)."""


class SyncError(HotlistError):
    """Fetching the list failed (server down, truncated download); the previous list stays."""

    exit_code = 12


class StaleList(HotlistError):
    """The list in force is older than the configured maximum age."""

    exit_code = 13


class InvalidPolicy(PolicyError):
    """A policy file with one or more mistakes; ``problems`` lists each with its location."""

    def __init__(self, origin: str, problems: list[str]) -> None:
        lines = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{origin} is not valid ({plural(len(problems), 'problem', 'problems')}):\n{lines}"
        )
        self.problems = tuple(problems)


class InvalidRequest(HotlistError):
    """A request the server cannot act on as sent: a malformed cursor, header or parameter."""

    exit_code = 14


class Unauthenticated(PermissionDenied):
    """No credentials, or credentials the server does not know (a missing or revoked API key)."""


class RateLimited(HotlistError):
    """Too many requests from one client; ``retry_after`` says how many seconds to wait."""

    exit_code = 15

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidLogEvent(HotlistError, ValueError):
    """A transparency-log event with a field its kind does not allow, or a malformed value."""

    exit_code = 16


class InvalidField(HotlistError):
    """A field the request's schema accepted but a rule of the domain refuses; ``field`` names
    it, so that the API's problem and a web form can put the message beside it."""

    exit_code = 17

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CsrfRejected(InvalidRequest):
    """A form sent without this browser session's CSRF token, or from another site."""


class LoginRequired(Unauthenticated):
    """A staff page asked for by a browser with no signed-in session (pages send it to login)."""


class LoginFailed(Unauthenticated):
    """A sign-in with a wrong user, password or code (which one is never said)."""


class AccountLocked(RateLimited):
    """A person's sign-in is locked after repeated failures; ``retry_after`` says for how long."""


class LookupFailed(HotlistError):
    """An outside directory (DNS, RDAP, the Abusix zone, a hosting data file) did not answer,
    or answered what cannot be read: the lookup may be tried again later."""

    exit_code = 18


class DeliveryError(HotlistError):
    """The mail server refused a message or could not be reached: nothing was delivered, and
    the message may be sent again later."""

    exit_code = 19
