"""No report lost under load: ``hotlist serve --workers 2`` takes a wave from 16 connections,
and every receipt it gave is a row, with one open original per URL (the benchmark's check,
benchmarks/bench_intake.py, at small scale)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hotlist.server.reports.models import Report
from server.loops import run_on_new_loop

HOTLIST = str(Path(sys.executable).parent / "hotlist")
CONNECTIONS = 16
REPORTS = 400
URLS = 40  # so most reports are duplicates, as in a wave


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"hotlist serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"hotlist serve did not answer: {log.read_text(errors='replace')[-2000:]}")


async def _wave(base: str) -> Counter[int]:
    statuses: Counter[int] = Counter()
    receipts: list[str] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(REPORTS):
        queue.put_nowait(number)
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def sender() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                body = {"url": f"http://host{number % URLS}.example/page.html"}
                if number % 4 == 0:
                    body["comment"] = "seen in a wave"
                response = await client.post("/v1/reports", json=body)
                statuses[response.status_code] += 1
                if response.status_code == 201:
                    receipts.append(response.json()["receipt"])

        await asyncio.gather(*(sender() for _ in range(CONNECTIONS)))
    statuses[0] = len(set(receipts))  # distinct receipts, kept under 0
    return statuses


@pytest.mark.slow
def test_a_wave_of_reports_loses_none(
    db_url: str, tmp_path: Path, sessions: sessionmaker[Session]
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLIST_")}
    env.update(HOTLIST_PUBLIC_URL="https://hotline.example", HOTLIST_DATABASE_URL=db_url)
    command = [
        *(HOTLIST, "serve", "--data-dir", str(tmp_path / "data"), "--port", str(port)),
        *("--workers", "2", "--rate-limit", "0", "--log-level", "warning"),
    ]
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        try:
            _wait_for(base, process, log)
            statuses = run_on_new_loop(lambda: _wave(base))
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert statuses[201] == REPORTS, statuses
    assert statuses[0] == REPORTS  # every receipt distinct
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == REPORTS
        originals = session.execute(
            select(Report.canonical_hash, func.count())
            .where(Report.duplicate_of.is_(None))
            .group_by(Report.canonical_hash)
        ).all()
    assert len(originals) == URLS
    assert all(count == 1 for _, count in originals)
