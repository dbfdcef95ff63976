"""TOTP codes: RFC 6238's vectors, drift of one step, no reuse, malformed codes refused."""

from __future__ import annotations

import base64

from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.server.web.auth import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode().rstrip("=")


def test_rfc_6238_sha1_vectors() -> None:
    # RFC 6238 appendix B (8 digits there; ours are the last 6 of the same HOTP value).
    assert totp.code_at(RFC_SECRET, 59) == "287082"
    assert totp.code_at(RFC_SECRET, 1111111109) == "081804"
    assert totp.code_at(RFC_SECRET, 20000000000) == "353130"


def test_current_and_neighbouring_steps_are_accepted() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    step = int(now) // 30
    assert totp.accepted_step(secret, totp.code_at(secret, now), now, None) == step
    assert totp.accepted_step(secret, totp.code_at(secret, now - 30), now, None) == step - 1
    assert totp.accepted_step(secret, totp.code_at(secret, now + 30), now, None) == step + 1
    assert totp.accepted_step(secret, totp.code_at(secret, now - 90), now, None) is None


def test_a_code_is_never_accepted_twice() -> None:
    secret = totp.new_secret()
    now = 1_800_000_000.0
    code = totp.code_at(secret, now)
    step = totp.accepted_step(secret, code, now, None)
    assert step is not None
    assert totp.accepted_step(secret, code, now + 5, step) is None


def test_spaces_in_a_code_are_ignored() -> None:
    secret = totp.new_secret()
    code = totp.code_at(secret, 1_800_000_000)
    assert totp.accepted_step(secret, f" {code[:3]} {code[3:]} ", 1_800_000_000, None) is not None


@settings(max_examples=60, deadline=None)
@given(code=st.text(max_size=12))
def test_odd_input_is_refused_not_an_error(code: str) -> None:
    secret = totp.new_secret()
    real = totp.code_at(secret, 1_800_000_000)
    if code.strip().replace(" ", "") not in {
        totp.code_at(secret, 1_800_000_000 + d) for d in (-30, 0, 30)
    }:
        assert totp.accepted_step(secret, code, 1_800_000_000, None) is None
    assert len(real) == 6


def test_provisioning_uri_names_the_issuer_and_secret() -> None:
    secret = totp.new_secret()
    uri = totp.provisioning_uri(secret, "user 1 (Ana)")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    assert "issuer=hotlist" in uri
