"""The URL checker against a real HTTP origin on loopback: what it concludes for pages that
serve, move, go away, refuse HEAD, hang or fail, and the addresses it refuses to ask."""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import pytest

from hotlist import __version__
from hotlist.server.config import Settings
from hotlist.server.kit.checker import (
    CheckResult,
    HttpChecker,
    OfflineChecker,
    Outcome,
    StaticResolver,
    SystemResolver,
    changed_fields,
    not_public,
    user_agent,
)
from server.certificates import self_signed
from server.kit.http_origin import Origin, origin

__all__ = ["origin"]


def loopback_checker(**options: object) -> HttpChecker:
    """A checker allowed to ask loopback (where the test origin is), with short timeouts."""
    made: dict[str, object] = {
        "allow_loopback": True,
        "connect_timeout_s": 2.0,
        "read_timeout_s": 2.0,
        "user_agent": user_agent("https://hotline.example/checks"),
    }
    made.update(options)
    return HttpChecker(**made)  # type: ignore[arg-type]


def test_a_page_that_serves_is_present_with_its_headers(origin: Origin) -> None:
    origin.route(
        "/a/page.html",
        headers={"Content-Type": "image/jpeg", "ETag": '"v1"', "Last-Modified": "Mon, 1 Jun 2026"},
    )
    result = loopback_checker().check(origin.url("/a/page.html"))
    assert result.outcome is Outcome.PRESENT
    assert (result.status, result.content_type, result.etag) == (200, "image/jpeg", '"v1"')
    assert result.last_modified == "Mon, 1 Jun 2026"
    assert result.content_length == len(b"<html>listed content</html>")
    assert (result.ip, result.method, result.hops, result.moved) == ("127.0.0.1", "HEAD", (), False)
    assert [seen.method for seen in origin.requests()] == ["HEAD"]


def test_the_user_agent_names_hotlist_its_version_and_the_contact(origin: Origin) -> None:
    origin.route("/p")
    loopback_checker().check(origin.url("/p"))
    agent = origin.requests()[0].user_agent or ""
    assert f"hotlist/{__version__}" in agent
    assert "+https://hotline.example/checks" in agent


def test_from_settings_takes_the_contact_else_the_public_url(tmp_path: object) -> None:
    base = Settings(database_url="sqlite://", public_url="https://hotline.example")
    assert "+https://hotline.example)" in HttpChecker.from_settings(base).user_agent
    own = base.with_changes(check_user_agent_contact="mailto:abuse@hotline.example")
    checker = HttpChecker.from_settings(own)
    assert "+mailto:abuse@hotline.example" in checker.user_agent
    assert checker.allow_loopback is False
    assert HttpChecker.from_settings(base.with_changes(unsafe_loopback_checks=True)).allow_loopback


@pytest.mark.parametrize("status", [404, 410, 451])
def test_a_page_that_went_away_is_gone(origin: Origin, status: int) -> None:
    origin.route("/removed.jpg", status)
    result = loopback_checker().check(origin.url("/removed.jpg"))
    assert (result.outcome, result.status, result.error) == (Outcome.GONE, status, None)


@pytest.mark.parametrize("status", [500, 502, 503, 403, 429])
def test_a_server_error_or_refusal_counts_neither_way(origin: Origin, status: int) -> None:
    origin.route("/busy", status)
    result = loopback_checker().check(origin.url("/busy"))
    assert (result.outcome, result.status, result.error) == (
        Outcome.FAILED,
        status,
        f"HTTP {status}",
    )


@pytest.mark.parametrize("refusal", [405, 501])
def test_head_refused_is_asked_with_a_get_whose_body_is_never_read(
    origin: Origin, refusal: int
) -> None:
    origin.route("/nohead", head_status=refusal, hold_body=True, headers={"ETag": '"g"'})
    started = time.monotonic()
    result = loopback_checker(read_timeout_s=5.0).check(origin.url("/nohead"))
    took = time.monotonic() - started
    assert (result.outcome, result.status, result.method) == (Outcome.PRESENT, 200, "GET")
    assert result.content_length == 10**12
    assert result.etag == '"g"'
    # The body never comes: reading any of it would have waited for the 5 s read timeout.
    assert took < 2.0
    assert [seen.method for seen in origin.requests()] == ["HEAD", "GET"]
    deadline = time.monotonic() + 3
    while not origin.closed_early and time.monotonic() < deadline:
        time.sleep(0.02)
    assert origin.closed_early == ["/nohead"]


def test_a_slow_server_times_out_as_failed(origin: Origin) -> None:
    origin.route("/slow", delay_s=3.0)
    started = time.monotonic()
    result = loopback_checker(read_timeout_s=0.3).check(origin.url("/slow"))
    assert result.outcome is Outcome.FAILED
    assert result.error == "timed out"
    assert time.monotonic() - started < 2.0


def test_a_closed_port_is_failed() -> None:
    with Origin() as stopped:
        url = stopped.url("/p")
    result = loopback_checker().check(url)
    assert result.outcome is Outcome.FAILED
    assert result.error


def test_redirects_are_followed_and_each_hop_recorded(origin: Origin) -> None:
    origin.redirect("/old", "/older", 301)
    origin.redirect("/older", origin.url("/new/page.html"), 302)
    origin.route("/new/page.html", headers={"Content-Type": "text/html"})
    result = loopback_checker().check(origin.url("/old"))
    assert result.outcome is Outcome.PRESENT
    assert result.moved
    assert result.final_url == origin.url("/new/page.html")
    assert [(hop.url, hop.status) for hop in result.hops] == [
        (origin.url("/old"), 301),
        (origin.url("/older"), 302),
    ]


@pytest.mark.parametrize("status", [303, 307, 308])
def test_every_redirect_status_is_followed(origin: Origin, status: int) -> None:
    origin.redirect("/r", "/there", status)
    origin.route("/there")
    result = loopback_checker().check(origin.url("/r"))
    assert (result.outcome, result.final_url) == (Outcome.PRESENT, origin.url("/there"))


def test_a_redirect_to_the_sites_root_is_gone(origin: Origin) -> None:
    origin.redirect("/deleted/photo.jpg", "/", 302)
    origin.route("/")
    result = loopback_checker().check(origin.url("/deleted/photo.jpg"))
    assert (result.outcome, result.status) == (Outcome.GONE, 200)
    assert result.final_url == origin.url("/")


def test_a_redirect_to_another_hosts_root_is_gone(origin: Origin) -> None:
    origin.redirect("/deleted", origin.url("/", host="other.test"), 301)
    origin.route("/")
    resolver = StaticResolver({"other.test": ["127.0.0.1"]})
    result = loopback_checker(resolver=resolver).check(origin.url("/deleted"))
    assert result.outcome is Outcome.GONE
    assert origin.requests()[-1].host == f"other.test:{origin.port}"


def test_a_root_url_redirected_to_another_root_is_present(origin: Origin) -> None:
    origin.redirect("/", "/index.html", 301)
    origin.route("/index.html")
    assert loopback_checker().check(origin.url("/")).outcome is Outcome.PRESENT


def test_a_redirect_loop_fails(origin: Origin) -> None:
    origin.redirect("/ping", "/pong", 302)
    origin.redirect("/pong", "/ping", 302)
    result = loopback_checker().check(origin.url("/ping"))
    assert result.outcome is Outcome.FAILED
    assert result.error is not None
    assert "loop" in result.error
    assert len(result.hops) == 2


def test_more_redirects_than_allowed_fail(origin: Origin) -> None:
    for step in range(6):
        origin.redirect(f"/hop{step}", f"/hop{step + 1}", 302)
    origin.route("/hop6")
    result = loopback_checker(max_redirects=5).check(origin.url("/hop0"))
    assert (result.outcome, result.error) == (Outcome.FAILED, "more than 5 redirects")
    assert len(result.hops) == 6
    followed = loopback_checker(max_redirects=6).check(origin.url("/hop0"))
    assert (followed.outcome, len(followed.hops)) == (Outcome.PRESENT, 6)


def test_loopback_is_refused_without_the_setting(origin: Origin) -> None:
    origin.route("/p")
    result = loopback_checker(allow_loopback=False).check(origin.url("/p"))
    assert result.outcome is Outcome.REFUSED
    assert result.error is not None
    assert "loopback" in result.error
    assert origin.requests() == []


def test_a_name_resolving_to_loopback_is_refused_without_the_setting(origin: Origin) -> None:
    origin.route("/p")
    resolver = StaticResolver({"sneaky.test": ["127.0.0.1"]})
    checker = loopback_checker(allow_loopback=False, resolver=resolver)
    result = checker.check(origin.url("/p", host="sneaky.test"))
    assert (result.outcome, result.ip) == (Outcome.REFUSED, "127.0.0.1")
    assert origin.requests() == []


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/", "http://[fd00::1]/"]
)
def test_a_redirect_hop_to_a_private_address_is_refused(origin: Origin, target: str) -> None:
    origin.redirect("/jump", target, 302)
    result = loopback_checker().check(origin.url("/jump"))
    assert result.outcome is Outcome.REFUSED
    assert [(hop.url, hop.status) for hop in result.hops] == [(origin.url("/jump"), 302)]
    assert result.final_url == target


def test_a_hop_to_a_name_of_a_private_address_is_refused(origin: Origin) -> None:
    origin.redirect("/jump", "http://intranet.test/admin", 302)
    resolver = StaticResolver({"intranet.test": ["10.1.2.3"]})
    result = loopback_checker(resolver=resolver).check(origin.url("/jump"))
    assert (result.outcome, result.ip) == (Outcome.REFUSED, "10.1.2.3")
    assert result.error is not None
    assert "private" in result.error


def test_the_checker_connects_to_the_address_it_checked(origin: Origin) -> None:
    class Rebinding:
        """Answers loopback once, a private address after (a rebinding attack)."""

        def __init__(self) -> None:
            self.calls = 0

        def addresses(self, host: str) -> list[str]:
            self.calls += 1
            return ["127.0.0.1"] if self.calls == 1 else ["10.0.0.1"]

    origin.route("/p")
    resolver = Rebinding()
    result = loopback_checker(resolver=resolver).check(origin.url("/p", host="site.test"))
    assert (result.outcome, result.ip, resolver.calls) == (Outcome.PRESENT, "127.0.0.1", 1)
    assert origin.requests()[0].host == f"site.test:{origin.port}"


def test_a_name_that_does_not_resolve_is_gone() -> None:
    checker = loopback_checker(resolver=StaticResolver({}))
    result = checker.check("http://nothing.invalid/page")
    assert result.outcome is Outcome.GONE
    assert result.error == "the name nothing.invalid does not resolve"


def test_a_dns_failure_is_failed() -> None:
    class Broken:
        def addresses(self, host: str) -> list[str]:
            raise OSError(f"the DNS did not answer for {host}")

    result = loopback_checker(resolver=Broken()).check("http://site.test/")
    assert result.outcome is Outcome.FAILED
    assert result.error == "the DNS did not answer for site.test"


def test_a_scheme_other_than_http_is_refused() -> None:
    result = loopback_checker().check("ftp://files.example/x")
    assert result.outcome is Outcome.REFUSED


@pytest.mark.parametrize(
    ("ip", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:127.0.0.1", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),  # noqa: S104
        ("240.0.0.1", "a private address"),
        ("100.64.0.1", "an address that is not public"),
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
    ],
)
def test_which_addresses_are_not_public(ip: str, why: str | None) -> None:
    assert not_public(ip) == why


def test_loopback_may_be_allowed_but_nothing_else() -> None:
    assert not_public("127.0.0.1", allow_loopback=True) is None
    assert not_public("10.0.0.1", allow_loopback=True) == "a private address"


def test_changed_fields_compare_with_the_baseline() -> None:
    baseline = {
        "url": "http://site.test/p",
        "status": 200,
        "final_url": None,
        "content_type": "image/jpeg",
        "content_length": 10,
        "etag": '"a"',
        "last_modified": None,
        "ip": "192.0.2.1",
    }
    same = CheckResult(
        url="http://site.test/p",
        outcome=Outcome.PRESENT,
        status=200,
        final_url="http://site.test/p",
        content_type="image/jpeg",
        content_length=10,
        etag='"a"',
        ip="192.0.2.1",
    )
    assert changed_fields(same, baseline) == []
    moved = CheckResult(
        url="http://site.test/p",
        outcome=Outcome.PRESENT,
        status=200,
        final_url="http://cdn.test/p",
        content_type="image/jpeg",
        content_length=11,
        etag='"b"',
        ip="198.51.100.2",
    )
    assert changed_fields(moved, baseline) == ["final_url", "content_length", "etag", "ip"]


def test_the_offline_checker_answers_what_it_was_given() -> None:
    checker = OfflineChecker()
    checker.set("http://site.test/p", "present", status=200)
    assert checker.check("http://site.test/p").outcome is Outcome.PRESENT
    checker.set("http://site.test/p", Outcome.GONE, status=404)
    assert checker.check("http://site.test/p").status == 404
    other = checker.check("http://site.test/q")
    assert (other.outcome, other.error) == (Outcome.FAILED, "no answer set for this URL")
    assert checker.asked == ["http://site.test/p"] * 2 + ["http://site.test/q"]


@pytest.fixture
def tls_origin(origin: Origin, tmp_path: Path) -> tuple[Origin, Path]:
    """The origin over TLS with a certificate for ``secure.test`` (and that certificate)."""
    cert, key = self_signed(tmp_path, "secure.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    origin.server.socket = context.wrap_socket(origin.server.socket, server_side=True)
    return origin, cert


def test_https_connects_to_the_checked_address_with_the_name_for_sni_and_the_certificate(
    tls_origin: tuple[Origin, Path],
) -> None:
    origin, cert = tls_origin
    origin.route("/p", headers={"ETag": '"tls"'})
    resolver = StaticResolver({"secure.test": ["127.0.0.1"]})
    checker = loopback_checker(resolver=resolver, ca_certs=str(cert))
    result = checker.check(f"https://secure.test:{origin.port}/p")
    assert (result.outcome, result.etag, result.ip) == (Outcome.PRESENT, '"tls"', "127.0.0.1")
    assert origin.requests()[0].host == f"secure.test:{origin.port}"


def test_https_with_a_certificate_for_another_name_fails(
    tls_origin: tuple[Origin, Path],
) -> None:
    origin, cert = tls_origin
    origin.route("/p")
    resolver = StaticResolver({"other.test": ["127.0.0.1"]})
    checker = loopback_checker(resolver=resolver, ca_certs=str(cert))
    result = checker.check(f"https://other.test:{origin.port}/p")
    assert result.outcome is Outcome.FAILED
    assert result.error is not None
    assert "certificate" in result.error.lower() or "hostname" in result.error.lower()
    assert origin.requests() == []


def test_the_system_resolver_answers_from_the_system() -> None:
    assert "127.0.0.1" in SystemResolver().addresses("localhost")
    assert SystemResolver().addresses("127.0.0.1") == ["127.0.0.1"]


def test_the_system_resolver_is_the_default_and_checks_by_name(origin: Origin) -> None:
    origin.route("/p")
    result = loopback_checker().check(origin.url("/p", host="localhost"))
    assert (result.outcome, result.ip) == (Outcome.PRESENT, "127.0.0.1")
    assert origin.requests()[0].host == f"localhost:{origin.port}"


def test_a_name_not_in_ascii_is_asked_in_its_idna_form(origin: Origin) -> None:
    origin.route("/p")
    resolver = StaticResolver({"xn--bcher-kva.test": ["127.0.0.1"]})
    result = loopback_checker(resolver=resolver).check(origin.url("/p", host="bücher.test"))
    assert result.outcome is Outcome.PRESENT
    assert origin.requests()[0].host == f"xn--bcher-kva.test:{origin.port}"


def test_an_unexpected_error_is_a_failed_check_not_a_crash() -> None:
    class Broken:
        def addresses(self, host: str) -> list[str]:
            raise RuntimeError("resolver bug")

    result = loopback_checker(resolver=Broken()).check("http://site.test/")
    assert result.outcome is Outcome.FAILED
    assert result.error == "unexpected RuntimeError: resolver bug"
