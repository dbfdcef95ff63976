"""``hotlist edge serve`` as a process: it listens on loopback, answers, and stops on Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from hotlist.edge.config import EdgeConfig
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.publish.format import Snapshot
from hotlist.publish.records import ListRecord

EXPRESSION = "www.blocked.example/page.html"


def make_store(path: Path) -> Store:
    """A store holding a one-entry list, as a sync would have left it."""
    config = EdgeConfig(server="http://127.0.0.1:9/", key="file:key")
    store = Store.create(path, config, b"{}", api_key="unused")
    record = ListRecord(
        hashlib.sha256(EXPRESSION.encode()).digest(),
        hashlib.sha256(b"www.blocked.example/").digest(),
        1,
        0xBE,
    )
    snapshot = Snapshot.from_records("main", 3, [record])
    now = utc_now().isoformat()
    state = StoreState(version=3, count=1, digest=snapshot.digest.hex(), synced_at=now)
    store.install(snapshot, state)
    return store


def test_serve_answers_until_interrupted(tmp_path: Path) -> None:
    store = make_store(tmp_path / "store")
    command = [sys.executable, "-m", "hotlist", "edge", "serve", "--store", str(store.path)]
    with subprocess.Popen(
        [*command, "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    ) as process:
        try:
            assert process.stderr is not None
            line = ""
            while "listening on" not in line:
                line = process.stderr.readline()
                assert line, "the daemon exited before listening"
            base = line.split("listening on ", 1)[1].split(" ", 1)[0]
            assert base.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(f"{base}/healthz", timeout=10) as response:  # noqa: S310
                assert json.load(response)["version"] == 3
            request = urllib.request.Request(  # noqa: S310  # loopback, our own daemon
                f"{base}/v1/check",
                data=json.dumps({"urls": [f"http://{EXPRESSION}"]}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                assert json.load(response)["results"][0]["entry_id"] == "00000000000000be"
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=20) == 0


def test_serve_refuses_a_missing_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hotlist", "edge", "serve", "--store", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 4
    assert "not an edge store" in result.stderr
