"""A list built the way a hotline builds one, for the benchmarks that need a list in force.

:func:`store_via_hotline` takes the benchmark's expressions (``host/path`` forms: pages, folders
and hosts) and runs the real commands, each in its own process: a fresh SQLite data directory
with a hotline, an analyst and a member ISP with an API key (``hotlist admin``), one file of URLs
per scope through ``hotlist entries import`` (the statements of reasons, the scope rules and the
shared-hosting checks of an assessment), ``hotlist publish`` (the signed TUF repository), then
``hotlist serve`` on a loopback port and the member's ``hotlist edge init`` and ``hotlist edge
sync`` against it. What the benchmark then measures is the store a member's edge holds.

Its timings are printed (``say``); they are not the benchmark's figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

PUBLIC_URL = "https://hotline.example"
REASON = "Listed by the hotline's previous system after assessment (benchmark list)."
CATEGORY = "csam"
HOST_REASON = "The whole host is dedicated to the material (benchmark list)."


def scope_of(expression: str) -> str:
    """``page``, ``folder`` or ``host``: what an expression covers."""
    path = expression.partition("/")[2]
    if not path:
        return "host"
    return "folder" if path.endswith("/") else "page"


def _hotlist(*args: str, env: dict[str, str] | None = None) -> str:
    command = [sys.executable, "-m", "hotlist", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"hotlist {' '.join(args[:2])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hotlist serve exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"hotlist serve did not answer:\n{log.read_text(errors='replace')[-3000:]}")


def add_direct_store(parser: argparse.ArgumentParser) -> None:
    """The ``--direct-store`` option of the benchmarks that use a list."""
    parser.add_argument(
        "--direct-store",
        action="store_true",
        help="write the list straight into the edge store instead of importing, publishing and "
        "syncing it (fast, for iterating; the README's figures take the hotline's path)",
    )


def store_via_hotline(
    folder: Path, expressions: Sequence[str], *, say: Callable[[str], None] = print
) -> Path:
    """An edge store holding ``expressions``' entries, made by import, publish and sync."""
    data = folder / "hotline"
    started = time.perf_counter()
    _hotlist("db", "upgrade", "--data-dir", str(data))
    for org, kind in (("Example Hotline", "hotline"), ("Example ISP", "isp")):
        _hotlist("admin", "create-org", org, "--kind", kind, "--data-dir", str(data))
    _hotlist(
        *("admin", "create-user", "Ada Analyst", "--org", "Example Hotline"),
        *("--role", "analyst", "--data-dir", str(data)),
    )
    issued = _hotlist(
        *("admin", "issue-key", "--org", "Example ISP", "--role", "member"),
        *("--label", "benchmark edge", "--data-dir", str(data), "--json"),
    )
    key_file = folder / "member.key"
    key_file.write_text(json.loads(issued)["key"] + "\n", encoding="utf-8")
    key_file.chmod(0o600)

    by_scope: dict[str, list[str]] = {"page": [], "folder": [], "host": []}
    for expression in expressions:
        by_scope[scope_of(expression)].append(f"https://{expression}")
    added = 0
    for scope, urls in by_scope.items():
        if not urls:
            continue
        listed = folder / f"{scope}s.txt"
        listed.write_text("\n".join(urls) + "\n", encoding="utf-8")
        host_reason = ("--scope-reason", HOST_REASON) if scope == "host" else ()
        result = json.loads(
            _hotlist(
                *("entries", "import", str(listed), "--scope", scope, "--category", CATEGORY),
                *("--reason", REASON, "--as", "Ada Analyst", "--data-dir", str(data), "--json"),
                *host_reason,
            )
        )
        if result["refused"]:
            first = result["refused"][0]
            raise RuntimeError(f"import refused {len(result['refused'])} {scope} lines: {first}")
        added += int(result["added"])
    imported = time.perf_counter()
    _hotlist("publish", "--data-dir", str(data), "--public-url", PUBLIC_URL)
    published = time.perf_counter()

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env.update(HOTLIST_PUBLIC_URL=PUBLIC_URL, HOTLIST_PUBLISH_INTERVAL_S="0")
    log = folder / "serve.log"
    store = folder / "edge"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "hotlist", "serve", "--data-dir", str(data)),
                *("--port", str(port), "--log-level", "warning"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", server, log)
        _hotlist(
            *("edge", "init", "--server", f"http://127.0.0.1:{port}/v1/tuf/"),
            *("--key", f"file:{key_file}", "--store", str(store)),
            *("--root", str(data / "repository" / "metadata" / "1.root.json")),
        )
        _hotlist("edge", "sync", "--store", str(store), "--quiet")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    synced = time.perf_counter()
    say(
        f"  list via the hotline: {added:,} entries imported in {imported - started:.1f} s, "
        f"published in {published - imported:.1f} s, synced to the edge in "
        f"{synced - published:.1f} s"
    )
    if added != len(expressions):
        raise RuntimeError(f"{len(expressions):,} expressions but {added:,} entries imported")
    return store
