"""Browser tests: the real server (``hotlist serve``) and the system's Chromium, driven by
Playwright's sync API.

- ``web_server`` (session): a fresh data directory seeded like the demo (policy, the hotline and
  an ISP, an analyst and a supervisor with API keys, the list's signing keys), served by
  ``hotlist serve`` on a free loopback port; plain HTTP on loopback, so the session cookie is
  allowed without Secure (``HOTLIST_UNSAFE_HTTP_SESSIONS=1``). ``web_server.db()`` gives a
  session on its database for checks and for steps done through the services.
- ``browser`` (session): ``/usr/bin/chromium``, headless; no browser is ever downloaded. The tests
  skip when it is missing, and fail under ``CI=true``.
- ``page``: a new browser context (no cookies) and page on the server, per test.
- ``screenshot(page, name)`` writes ``test-artifacts/screenshots/<name>.png``;
  ``axe_check(page)`` runs axe-core in the page and fails on any serious or critical violation.
"""

from __future__ import annotations

import functools
import io
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import urllib3
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hotlist.demo.flow import Demo, Keys, free_port, hotlist_command
from hotlist.server.config import Settings
from hotlist.server.db.session import make_engine, session_factory

CHROMIUM = Path(os.environ.get("HOTLIST_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
SERVER_START_TIMEOUT_S = 60.0
PAGE_TIMEOUT_MS = 15_000


@dataclass
class WebServer:
    """The running server: its address, data directory, settings and the demo's API keys."""

    base_url: str
    data_dir: Path
    settings: Settings
    keys: Keys
    engine: Engine
    log: Path
    env: dict[str, str]
    """The server's environment: commands run with it (``hotlist publish``) see its settings."""

    def url(self, path: str) -> str:
        """The full address of ``path`` on the server."""
        return self.base_url + path

    @contextmanager
    def db(self) -> Iterator[Session]:
        """A session on the server's database, committed when the block ends without error."""
        with session_factory(self.engine)() as session:
            yield session
            session.commit()

    def log_tail(self) -> str:
        """The end of the server's log (for failure messages)."""
        return self.log.read_text(errors="replace")[-3000:]


def _server_env(data_dir: Path, base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env.update(
        {
            "HOTLIST_DATA_DIR": str(data_dir),
            "HOTLIST_UNSAFE_HTTP_SESSIONS": "1",
            "HOTLIST_RATE_LIMIT_PER_SECOND": "0",
            "HOTLIST_PUBLISH_INTERVAL_S": "0",
            "HOTLIST_PUBLIC_URL": base_url,
            # The block pages' appeal link is this loopback server: allowed, for the tests.
            "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL": "1",
        }
    )
    return env


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=1, read=5), retries=False)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"hotlist serve exited with {process.returncode}:\n{tail}")
        try:
            if http.request("GET", base_url + "/healthz").status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"hotlist serve did not answer on {base_url} within {SERVER_START_TIMEOUT_S}s")


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """``hotlist serve`` on a fresh, demo-seeded data directory (see the module docstring)."""
    data_dir = tmp_path_factory.mktemp("web") / "data"
    port = free_port()
    demo = Demo(data_dir, port, Console(file=io.StringIO(), width=120))
    saved = os.environ.pop("HOTLIST_DATABASE_URL", None)
    try:
        demo.prepare()
    finally:
        if saved is not None:
            os.environ["HOTLIST_DATABASE_URL"] = saved
    settings = Settings.load(data_dir, environ={})
    log = data_dir / "server.log"
    base_url = f"http://127.0.0.1:{port}"
    env = _server_env(data_dir, base_url)
    with log.open("wb") as output:
        process = subprocess.Popen(  # our own command with fixed arguments
            hotlist_command("serve", "--data-dir", str(data_dir), "--port", str(port)),
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )
        engine = make_engine(settings.database_url)
        try:
            _wait_until_up(process, base_url, log)
            yield WebServer(base_url, data_dir, settings, demo.keys, engine, log, env)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """The system's Chromium under Playwright (skipped when absent, a failure under CI)."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests need Chromium under CI=true: {reason}")
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, web_server: WebServer) -> Iterator[Any]:
    """A fresh browser context (English, no cookies) with one page on the server."""
    context = browser.new_context(
        base_url=web_server.base_url, locale="en-GB", viewport={"width": 1024, "height": 800}
    )
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def take_screenshot(page: Any, name: str) -> Path:
    """Write a full-page screenshot to ``test-artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every impact)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # add_script_tag would be an inline script, which the pages' CSP rightly refuses;
        # the DevTools protocol's evaluation is not subject to it.
        page.evaluate(_axe_source() + "\n;typeof window.axe")
    result: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def check_axe(page: Any) -> list[dict[str, Any]]:
    """Fail on a serious or critical axe-core violation; return the lesser ones."""
    violations = run_axe(page)
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:3])
        for v in blocking
    ]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(details)
    return [v for v in violations if v not in blocking]


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, name)``: see :func:`take_screenshot`."""
    return take_screenshot


@pytest.fixture
def axe_check() -> Callable[[Any], list[dict[str, Any]]]:
    """``axe_check(page)``: see :func:`check_axe`."""
    return check_axe
