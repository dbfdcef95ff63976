"""``hotlist admin set-password`` and ``enroll-totp``: what a person needs to sign in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hotlist.cli.admin import totp_qr
from hotlist.cli.main import app
from hotlist.errors import HotlistError
from hotlist.server.db.session import make_engine, session_factory
from hotlist.server.web.auth import service, totp

PASSWORD = "a long enough password"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HOTLIST_DATABASE_URL", raising=False)
    directory = tmp_path / "data"
    assert CliRunner().invoke(app, ["db", "upgrade", "--data-dir", str(directory)]).exit_code == 0
    return directory


def admin(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    """Exit code and output (a HotlistError's message as main() would print it)."""
    result = CliRunner().invoke(app, ["admin", *args, "--data-dir", str(data_dir)], input=stdin)
    if isinstance(result.exception, HotlistError):
        return result.exception.exit_code, result.exception.message
    return result.exit_code, result.output


def test_password_and_totp_let_the_person_sign_in(data_dir: Path) -> None:
    admin(data_dir, "create-org", "Example Hotline", "--kind", "hotline")
    _, out = admin(
        data_dir, "create-user", "Ana", "--org", "Example Hotline", "--role", "analyst", "--json"
    )
    user_id = int(json.loads(out)["id"])
    code, out = admin(
        data_dir,
        "set-password",
        "--user",
        str(user_id),
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, out
    login = json.loads(out)["login_name"]
    assert login.startswith("ana.")
    code, out = admin(data_dir, "enroll-totp", "--user", str(user_id), "--json")
    assert code == 0, out
    enrolled = json.loads(out)
    assert enrolled["uri"].startswith("otpauth://totp/")
    assert enrolled["login_name"] == login
    engine = make_engine(f"sqlite:///{data_dir / 'hotlist.db'}")
    try:
        with session_factory(engine)() as session:
            now = service.utcnow()
            current = totp.code_at(enrolled["secret"], now.timestamp())
            assert service.sign_in(session, login, PASSWORD, current).id == user_id
    finally:
        engine.dispose()


def test_prompted_passwords_must_match(data_dir: Path) -> None:
    admin(data_dir, "create-org", "Example Hotline", "--kind", "hotline")
    admin(data_dir, "create-user", "Ana", "--org", "Example Hotline", "--role", "analyst")
    code, out = admin(data_dir, "set-password", "--user", "1", stdin=f"{PASSWORD}\n{PASSWORD}x\n")
    assert code != 0
    assert "differ" in out


def test_short_password_and_unknown_user_are_clear_errors(data_dir: Path) -> None:
    admin(data_dir, "create-org", "Example Hotline", "--kind", "hotline")
    admin(data_dir, "create-user", "Ana", "--org", "Example Hotline", "--role", "analyst")
    code, out = admin(data_dir, "set-password", "--user", "1", "--password-stdin", stdin="short\n")
    assert code != 0
    assert "shorter than 12" in out
    code, out = admin(data_dir, "enroll-totp", "--user", "99")
    assert code != 0
    assert "no user with id 99" in out


def test_enrolment_prints_the_uri_as_a_qr_code_to_scan(data_dir: Path) -> None:
    import segno

    admin(data_dir, "create-org", "Example Hotline", "--kind", "hotline")
    admin(data_dir, "create-user", "Ana", "--org", "Example Hotline", "--role", "analyst")
    code, out = admin(data_dir, "enroll-totp", "--user", "1")
    assert code == 0, out
    uri = next(line.split(None, 1)[1] for line in out.splitlines() if line.startswith("uri:"))
    assert totp_qr(uri, "utf-8") in out
    assert segno.make(uri, error="m").designator.endswith("-M")
    _, bare = admin(data_dir, "enroll-totp", "--user", "1", "--no-qr")
    assert "▀" not in bare
    assert "▄" not in bare
    assert "█" in out or "▀" in out


def test_a_terminal_that_cannot_show_blocks_gets_words_not_a_crash() -> None:
    said = totp_qr("otpauth://totp/Example:ana?secret=JBSWY3DPEHPK3PXP", "ascii")
    assert said.startswith("(no QR code: this terminal's ascii cannot show it")
