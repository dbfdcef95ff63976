"""``require_program``: a missing system program skips a test, or fails it under CI=true."""

from __future__ import annotations

import pytest

from .conftest import require_program

MISSING = "hotlist-no-such-program"


def test_a_present_program_is_found() -> None:
    assert require_program("sh").endswith("/sh")


def test_a_missing_program_skips_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=f"{MISSING} is not installed"):
        require_program(MISSING)


def test_a_missing_program_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires it"):
        require_program(MISSING)
