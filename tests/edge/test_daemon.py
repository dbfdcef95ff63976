"""The lookup daemon over real HTTP on loopback: routes, limits, JSON errors, keep-alive."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotlist.edge.daemon import LookupServer, make_server
from hotlist.edge.lookup import MAX_BATCH, LookupService
from hotlist.errors import ConfigError

from .conftest import World
from .listed import HOST_ENTRY, PAGE_ENTRY, publish_entries

BLOCKED = "http://www.blocked.example/gallery/page.html"


def raw_exchange(server: LookupServer, data: bytes) -> str:
    """Send raw bytes, read the answer until the server closes the connection."""
    chunks = []
    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=10) as sock:
        sock.sendall(data)
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


@pytest.fixture
def daemon(world: World) -> Iterator[LookupServer]:
    publish_entries(world, [HOST_ENTRY, PAGE_ENTRY])
    server = make_server(LookupService(world.store), "127.0.0.1", 0, max_body=64 * 1024)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def conn(daemon: LookupServer) -> Iterator[http.client.HTTPConnection]:
    connection = http.client.HTTPConnection("127.0.0.1", daemon.server_address[1], timeout=10)
    try:
        yield connection
    finally:
        connection.close()


def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    sent = {"Content-Type": "application/json"} if data is not None else {}
    sent.update(headers or {})
    conn.request(method, path, body=data, headers=sent)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_check_answers_in_order_on_one_connection(conn: http.client.HTTPConnection) -> None:
    for _ in range(3):  # keep-alive: the same connection serves every request
        status, headers, body = call(
            conn, "POST", "/v1/check", {"urls": ["http://www.example.com/", BLOCKED]}
        )
        assert status == 200
        assert headers["Content-Type"] == "application/json"
        document = json.loads(body)
        assert [r["blocked"] for r in document["results"]] == [False, True]
        assert document["results"][1]["category"] == 2
        assert document["version"] == 2
    assert conn.sock is not None


def test_a_compact_answer_over_http(conn: http.client.HTTPConnection) -> None:
    urls = ["http://www.example.com/", BLOCKED, "http://[zz/", "http://www.example.com/x"]
    status, _, body = call(conn, "POST", "/v1/check", {"urls": urls, "answer": "compact"})
    assert status == 200
    document = json.loads(body)
    assert document["count"] == 4
    listed = document["blocked_or_invalid"]
    assert [(r["index"], r["blocked"], r["error"] is None) for r in listed] == [
        (1, True, True),
        (2, False, False),
    ]
    status, _, body = call(conn, "POST", "/v1/check", {"urls": urls, "answer": "short"})
    assert status == 400
    assert '"compact"' in json.loads(body)["error"]["message"]


def test_a_full_batch(daemon: LookupServer, world: World) -> None:
    big = make_server(LookupService(world.store), "127.0.0.1", 0)
    thread = threading.Thread(target=big.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", big.server_address[1], timeout=30)
        urls = [f"http://h{i}.example.com/p?{i}" for i in range(MAX_BATCH - 1)] + [BLOCKED]
        status, _, body = call(conn, "POST", "/v1/check", {"urls": urls})
        assert status == 200
        results = json.loads(body)["results"]
        assert len(results) == MAX_BATCH
        assert [i for i, r in enumerate(results) if r["blocked"]] == [MAX_BATCH - 1]
        status, _, body = call(conn, "POST", "/v1/check", {"urls": [*urls, BLOCKED]})
        assert status == 413
        assert "at most 10000" in json.loads(body)["error"]["message"]
        conn.close()
    finally:
        big.shutdown()
        big.server_close()
        thread.join()


@pytest.mark.parametrize(
    ("body", "headers", "status", "message"),
    [
        (b"{", {}, 400, "not JSON"),
        (b"\xff", {}, 400, "not JSON"),
        ({"url": []}, {}, 400, '{"urls"'),
        ([BLOCKED], {}, 400, '{"urls"'),
        ({"urls": [1]}, {}, 400, "not a string"),
        ({"urls": []}, {"Content-Type": "text/plain"}, 415, "application/json"),
    ],
)
def test_bad_requests_get_json_errors(
    conn: http.client.HTTPConnection,
    body: Any,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, answer_headers, data = call(conn, "POST", "/v1/check", body, headers)
    assert got == status
    assert answer_headers["Content-Type"] == "application/json"
    error = json.loads(data)["error"]
    assert error["status"] == status
    assert message in error["message"]
    # The connection still serves.
    assert call(conn, "GET", "/healthz")[0] == 200


def test_an_oversized_body_is_refused_unread(daemon: LookupServer) -> None:
    answer = raw_exchange(
        daemon,
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 99999999\r\n\r\n{",
    )
    assert answer.startswith("HTTP/1.1 413")
    assert "Connection: close" in answer
    assert "larger than 65536 bytes" in answer


@pytest.mark.parametrize(
    ("request_head", "status"),
    [
        (b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n", 411),
        (b"POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
        (b"BREW /v1/check HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_malformed_requests(daemon: LookupServer, request_head: bytes, status: int) -> None:
    answer = raw_exchange(daemon, request_head)
    assert answer.startswith((f"HTTP/1.1 {status}", f"HTTP/1.0 {status}"))
    body = answer.split("\r\n\r\n", 1)[1]
    assert json.loads(body)["error"]["status"] == status


def test_unknown_route_and_wrong_method(conn: http.client.HTTPConnection) -> None:
    status, _, body = call(conn, "GET", "/v2/nothing")
    assert status == 404
    assert "no route" in json.loads(body)["error"]["message"]
    status, headers, _ = call(conn, "GET", "/v1/check")
    assert (status, headers["Allow"]) == (405, "POST")
    status, headers, _ = call(conn, "POST", "/healthz", {"x": 1})
    assert (status, headers["Allow"]) == (405, "GET")


def test_healthz_and_metrics(conn: http.client.HTTPConnection) -> None:
    status, _, body = call(conn, "GET", "/healthz")
    health = json.loads(body)
    assert (status, health["status"], health["version"], health["stale"]) == (200, "ok", 2, False)
    call(conn, "POST", "/v1/check", {"urls": [BLOCKED]})
    status, headers, body = call(conn, "GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = body.decode().splitlines()
    assert "hotlist_list_version 2" in lines
    assert 'hotlist_hits_total{category="2"} 1' in lines


def test_block_page_over_http(conn: http.client.HTTPConnection) -> None:
    status, headers, body = call(
        conn, "GET", "/blocked?entry=00000000000000be", headers={"Accept-Language": "de"}
    )
    assert status == 403
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Language"] == "de"
    assert headers["Cache-Control"] == "no-store"
    assert "Zugriff gesperrt" in body.decode()
    status, headers, body = call(conn, "GET", "/blocked?entry=0000000000c0ffee&lang=en")
    assert (status, headers["Content-Language"]) == (451, "en")
    assert b"entry=0000000000c0ffee" in body
    assert call(conn, "GET", "/blocked?entry=nope")[0] == 400
    status, _, body = call(conn, "HEAD", "/blocked?entry=0000000000c0ffee")
    assert (status, body) == (451, b"")


def test_bad_limits_are_config_errors(world: World) -> None:
    publish_entries(world, [PAGE_ENTRY])
    with pytest.raises(ConfigError, match="positive"):
        make_server(LookupService(world.store), "127.0.0.1", 0, max_body=0)


def test_a_busy_port_is_a_config_error(daemon: LookupServer, world: World) -> None:
    with pytest.raises(ConfigError, match="cannot listen"):
        make_server(LookupService(world.store), "127.0.0.1", daemon.server_address[1])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


def test_no_body_makes_a_server_error(conn: http.client.HTTPConnection) -> None:
    """Any body, JSON or not, any shape: an answer of ours, never a 500; the connection lives."""

    @settings(max_examples=80, deadline=None)
    @given(
        st.one_of(
            st.binary(max_size=200),
            json_values.map(lambda value: json.dumps(value).encode()),
            st.lists(json_values, max_size=5).map(lambda urls: json.dumps({"urls": urls}).encode()),
        )
    )
    def post(body: bytes) -> None:
        status, headers, data = call(conn, "POST", "/v1/check", body)
        assert status in (200, 400), data
        assert headers["Content-Type"] == "application/json"
        document = json.loads(data)
        assert ("results" in document) == (status == 200)

    post()


def test_deeply_nested_json_is_a_client_error(conn: http.client.HTTPConnection) -> None:
    depth = 30_000  # within the body limit, far past the JSON parser's recursion limit
    body = b'{"urls": ' + b"[" * depth + b"]" * depth + b"}"
    status, _, data = call(conn, "POST", "/v1/check", body)
    assert status == 400
    assert "nested" in json.loads(data)["error"]["message"]
    assert call(conn, "GET", "/healthz")[0] == 200


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a client that crashes or gives up does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@pytest.mark.parametrize(
    "sent",
    [
        b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 5000\r\n\r\n{"urls": [',
        b"GET /heal",
    ],
)
def test_a_dropped_client_is_one_log_line(
    daemon: LookupServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    sent: bytes,
) -> None:
    caplog.set_level(logging.DEBUG, logger="hotlist.edge")
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", daemon.server_address[1]), timeout=10)
        sock.sendall(sent)
        time.sleep(0.1)  # let the server start reading
        _reset(sock)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and len(_daemon_records(caplog)) < 3:
        time.sleep(0.05)
    records = _daemon_records(caplog)
    assert len(records) == 3  # one line per client
    assert all(r.exc_info is None and r.levelno == logging.INFO for r in records)
    assert "went away" in records[0].getMessage()
    assert "Traceback" not in capsys.readouterr().err
    conn = http.client.HTTPConnection("127.0.0.1", daemon.server_address[1], timeout=10)
    try:
        assert call(conn, "GET", "/healthz")[0] == 200
    finally:
        conn.close()


def _daemon_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "hotlist.edge.daemon"]


def test_json_the_fast_parser_refuses_is_answered_as_before(
    conn: http.client.HTTPConnection,
) -> None:
    # A lone surrogate escape (orjson refuses it) is read as before: that URL is not valid text.
    body = b'{"urls": ["http://www.example.com/\\ud800", "http://www.example.com/\xc3\xa9"]}'
    status, _, data = call(conn, "POST", "/v1/check", body)
    assert status == 200
    results = json.loads(data)["results"]
    assert len(results) == 2
    assert [r["blocked"] for r in results] == [False, False]
    assert "lone surrogate" in results[0]["error"]
    assert results[1]["error"] is None
