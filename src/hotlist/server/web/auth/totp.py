"""Time-based one-time codes (RFC 6238: SHA-1, 6 digits, 30-second steps), as authenticator apps
make them. A code of the step before or after is accepted too (clock drift), never twice."""

from __future__ import annotations

import base64
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from hotlist.errors import ConfigError

DIGITS = 6
STEP_S = 30
SECRET_BYTES = 20
ISSUER = "hotlist"
DRIFT_STEPS = 1


def new_secret() -> str:
    """A new random TOTP key, base32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    try:
        return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    except ValueError as exc:
        raise ConfigError("the stored TOTP secret is not base32; enroll the person again") from exc


def _totp(secret: str) -> TOTP:
    # SHA-1 is what RFC 6238 and every authenticator app use for TOTP (HMAC-SHA1 is not broken).
    return TOTP(_key(secret), DIGITS, SHA1(), STEP_S, enforce_key_length=False)  # noqa: S303


def code_at(secret: str, at: float) -> str:
    """The code for time ``at`` (seconds since the epoch)."""
    return _totp(secret).generate(int(at)).decode("ascii")


def provisioning_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """The ``otpauth://`` URI an authenticator app reads (as a QR code or pasted)."""
    return _totp(secret).get_provisioning_uri(account, issuer)


def accepted_step(secret: str, code: str, at: float, last_step: int | None) -> int | None:
    """The time step ``code`` is valid for near ``at``, or None: wrong, malformed, or a step at or
    before ``last_step`` (already used)."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp = _totp(secret)
    now_step = int(at) // STEP_S
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        try:
            totp.verify(code.encode("ascii"), step * STEP_S)
        except InvalidToken:
            continue
        return step
    return None
