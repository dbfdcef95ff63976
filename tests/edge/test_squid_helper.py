"""The Squid helper process: the pipe loop, keeping the list current, fail modes, the command."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from hotlist.edge import store as store_module
from hotlist.edge.config import EdgeConfig
from hotlist.edge.matcher import Matcher
from hotlist.edge.squid import BlockPage, SquidResponder
from hotlist.edge.squid_helper import MAX_LINE_BYTES, ListWatcher, serve
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.publish.format import KIND_SNAPSHOT, Column, Snapshot
from hotlist.publish.records import ListRecord
from hotlist.urls import Scope

from .test_squid import ENTRIES, PAGE_URL, TEMPLATE, record
from .test_store import corrupt_an_entry_id

HELPER = (sys.executable, "-m", "hotlist", "edge", "squid-helper")
BLOCKED = "OK status=302 url=http://block.example/blocked?entry=0000000000000abc&c=2"
CORRUPT = 'BH message="snapshot checksum mismatch: the file is corrupt or truncated"'


def run_serve(responder: SquidResponder, chunks: list[bytes]) -> list[str]:
    """Feed ``chunks`` to :func:`serve` through a real pipe; the answer lines it wrote."""
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    received: list[bytes] = []

    def feed() -> None:
        for chunk in chunks:
            os.write(in_write, chunk)
            time.sleep(0.001)  # separate reads, so lines arrive cut at chunk boundaries
        os.close(in_write)

    def drain() -> None:
        while data := os.read(out_read, 1 << 16):
            received.append(data)

    threads = [threading.Thread(target=feed), threading.Thread(target=drain)]
    for thread in threads:
        thread.start()
    try:
        count = serve(responder, in_read, out_write)
    finally:
        os.close(out_write)
        os.close(in_read)
        for thread in threads:
            thread.join()
        os.close(out_read)
    answers = b"".join(received).decode("ascii").split("\n")
    assert answers.pop() == ""
    assert count == len(answers)
    return answers


@pytest.fixture
def responder() -> SquidResponder:
    return SquidResponder(
        Matcher(Snapshot.from_records("main", 1, list(ENTRIES))), BlockPage(TEMPLATE)
    )


# -- The pipe loop ----------------------------------------------------------------------------


def test_lines_cut_anywhere_get_one_answer_each_in_order(responder: SquidResponder) -> None:
    stream = (
        f"0 {PAGE_URL} 127.0.0.1/- - GET\n1 http://www.example.com/ -\n"
        f"{PAGE_URL}\nhttp://x.example/\n"
    ).encode()
    chunks = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    assert run_serve(responder, chunks) == ["0 " + BLOCKED, "1 ERR", BLOCKED, "ERR"]


def test_a_last_line_without_newline_is_answered(responder: SquidResponder) -> None:
    assert run_serve(responder, [b"4 http://a.example/\n5 ", PAGE_URL.encode()]) == [
        "4 ERR",
        "5 " + BLOCKED,
    ]


def test_bytes_that_are_not_utf8_get_an_answer(responder: SquidResponder) -> None:
    answers = run_serve(responder, [b"3 http://www.example.com/\xff\xfe\n\xff\n"])
    assert answers[0] == "3 ERR"
    assert len(answers) == 2


def test_an_overlong_line_gets_bh_and_the_next_lines_are_answered(
    responder: SquidResponder,
) -> None:
    huge = b"9 http://www.example.com/" + b"a" * (3 * MAX_LINE_BYTES)
    chunks = [huge[i : i + 50_000] for i in range(0, len(huge), 50_000)]
    answers = run_serve(
        responder, [b"8 http://a.example/\n", *chunks, f"\n10 {PAGE_URL}\n".encode()]
    )
    assert answers[0] == "8 ERR"
    assert answers[1].startswith('9 BH message="request line longer than')
    assert answers[2] == "10 " + BLOCKED
    assert len(answers) == 3


def test_an_overlong_last_line_is_answered(responder: SquidResponder) -> None:
    answers = run_serve(responder, [b"2 http://x.example/" + b"b" * (MAX_LINE_BYTES + 10)])
    assert answers == [f'2 BH message="request line longer than {MAX_LINE_BYTES} bytes"']


def test_an_unexpected_error_answers_bh_for_each_line_and_serving_goes_on(
    responder: SquidResponder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    calls = []
    real = responder.answer_data

    def flaky(data: memoryview) -> bytes:
        calls.append(bytes(data))
        if len(calls) == 1:
            raise RuntimeError("boom")
        return real(data)

    monkeypatch.setattr(responder, "answer_data", flaky)
    answers = run_serve(responder, [b"1 http://a.example/\n2 http://b.example/\n"])
    assert answers == [
        "1 BH message=\"internal error: RuntimeError('boom')\"",
        "2 BH message=\"internal error: RuntimeError('boom')\"",
    ]
    assert "answering 2 request lines failed" in caplog.text
    assert run_serve(responder, [b"3 x.test\n"]) == ["3 ERR"]


# -- Keeping the list current -----------------------------------------------------------------


StoreFactory = Callable[..., Store]


@pytest.fixture
def make_store(tmp_path: Path) -> StoreFactory:
    """An edge store that never syncs here: lists are installed as a sync would."""

    def make(**config: object) -> Store:
        settings = {"server": "http://127.0.0.1:9/", "key": "env:HOTLIST_TEST_KEY", **config}
        return Store.create(tmp_path / "store", EdgeConfig(**settings), root=b"{}")  # type: ignore[arg-type]

    return make


def install(
    store: Store, records: list[ListRecord], version: int, synced_ago: timedelta = timedelta()
) -> None:
    """Put a list in force as ``hotlist edge sync`` would, last confirmed ``synced_ago``."""
    snapshot = Snapshot.from_records("main", version, records)
    synced_at = (utc_now() - synced_ago).isoformat()
    store.install(snapshot, StoreState(version=version, count=len(records), synced_at=synced_at))


def watched(store: Store) -> tuple[SquidResponder, ListWatcher]:
    responder = SquidResponder(None, BlockPage(TEMPLATE))
    return responder, ListWatcher(store.path, responder)


def test_before_the_first_sync_lines_get_bh_then_the_list_applies(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    responder, watcher = watched(store)
    watcher.refresh()
    assert responder.answer(f"1 {PAGE_URL}").startswith('1 BH message="the edge store')
    install(store, list(ENTRIES), 1)
    watcher.refresh()
    assert responder.answer(f"1 {PAGE_URL}") == "1 " + BLOCKED


def test_a_new_version_is_put_in_force(make_store: StoreFactory) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    responder, watcher = watched(store)
    watcher.refresh()
    assert responder.answer(PAGE_URL) == BLOCKED
    install(store, [record("http://new.example/", Scope.HOST, 77)], 2)
    watcher.refresh()
    assert responder.answer(PAGE_URL) == "ERR"
    assert "entry=000000000000004d" in responder.answer("http://new.example/x")


def test_a_bad_new_list_is_logged_and_the_old_one_stays(
    make_store: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    responder, watcher = watched(store)
    watcher.refresh()
    install(store, [], 2)
    store.current_path.write_bytes(store.current_path.read_bytes()[:-10])
    with caplog.at_level(logging.ERROR, logger="hotlist.edge.squid_helper"):
        watcher.refresh()
    assert "the new list was not put in force" in caplog.text
    assert responder.answer(PAGE_URL) == BLOCKED


def test_the_helper_answers_before_the_checksum_and_refuses_once_it_fails(
    make_store: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    corrupt_an_entry_id(store)  # corrupted on disk after the sync installed it
    responder = SquidResponder(None, BlockPage(TEMPLATE))
    watcher = ListWatcher(store.path, responder, checksum_later=True)
    watcher.refresh()
    assert responder.answer(f"1 {PAGE_URL}") == "1 " + BLOCKED  # in force, not yet verified
    with caplog.at_level(logging.ERROR):
        watcher.verify_checksum()
    assert responder.answer(f"1 {PAGE_URL}") == f"1 {CORRUPT}"
    assert "list main version 1 failed its checksum and is no longer in force" in caplog.text
    assert "not enforcing the list (requests pass unchanged)" in caplog.text
    watcher.refresh()  # read again, verified: still refused
    assert responder.answer(PAGE_URL).startswith('BH message="snapshot checksum mismatch')
    install(store, list(ENTRIES), 2)  # a sync replaces it
    watcher.refresh()
    assert responder.answer(PAGE_URL) == BLOCKED


def test_without_checksum_later_a_corrupt_list_is_refused_at_once(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    corrupt_an_entry_id(store)
    responder, watcher = watched(store)
    watcher.refresh()
    assert responder.answer(PAGE_URL).startswith('BH message="snapshot checksum mismatch')


def test_the_checksum_is_verified_once_per_loaded_file_in_the_watchers_thread(
    make_store: StoreFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    checked: list[str] = []
    verify = store_module.verify_checksum

    def counted(data: Column, kind: int = KIND_SNAPSHOT) -> None:
        checked.append(threading.current_thread().name)
        verify(data, kind)

    monkeypatch.setattr(store_module, "verify_checksum", counted)
    responder = SquidResponder(None, BlockPage(TEMPLATE))
    watcher = ListWatcher(store.path, responder, checksum_later=True)
    watcher.refresh()
    assert checked == []  # the first answer does not wait for it
    watcher.start(interval_s=0.01)
    try:
        deadline = time.monotonic() + 10
        while not checked and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # ten refreshes or so
        assert checked == ["hotlist-list-watcher"]
        install(store, [], 2)  # a new list is verified whole as it loads, before going in force
        while responder.answer(PAGE_URL) != "ERR" and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
    finally:
        watcher.stop()
    assert responder.answer(PAGE_URL) == "ERR"
    assert checked == ["hotlist-list-watcher"]


def test_a_stale_list_under_fail_closed_gets_bh(make_store: StoreFactory) -> None:
    store = make_store(max_age_s=60, fail_mode="closed")
    install(store, list(ENTRIES), 1, synced_ago=timedelta(minutes=5))
    responder, watcher = watched(store)
    watcher.refresh()
    answer = responder.answer(f"6 {PAGE_URL}")
    assert answer.startswith('6 BH message="list main version 1 is stale')
    assert "fail mode closed" in answer
    install(store, list(ENTRIES), 1)  # a sync confirmed it again
    watcher.refresh()
    assert responder.answer(f"6 {PAGE_URL}") == "6 " + BLOCKED


def test_a_stale_list_under_fail_open_is_enforced_with_one_warning(
    make_store: StoreFactory, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(max_age_s=60, fail_mode="open")
    install(store, list(ENTRIES), 1, synced_ago=timedelta(minutes=5))
    responder, watcher = watched(store)
    with caplog.at_level(logging.WARNING, logger="hotlist.edge.squid_helper"):
        watcher.refresh()
        watcher.refresh()
    assert responder.answer(PAGE_URL) == BLOCKED
    assert caplog.text.count("the stale list stays in force") == 1


def test_an_unreadable_state_gets_bh(make_store: StoreFactory) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    responder, watcher = watched(store)
    watcher.refresh()
    store.state_path.write_text("{not json")
    watcher.refresh()
    assert responder.answer("2 http://x.example/").startswith(
        "2 BH message=\"cannot read the store's state"
    )


def test_the_watcher_thread_swaps_in_a_new_version(make_store: StoreFactory) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    responder, watcher = watched(store)
    watcher.refresh()
    watcher.start(interval_s=0.02)
    try:
        install(store, [], 2)
        deadline = time.monotonic() + 10
        while responder.answer(PAGE_URL) != "ERR" and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        watcher.stop()
    assert responder.matcher is not None
    assert responder.matcher.version == 2


# -- The command ------------------------------------------------------------------------------


@contextmanager
def running_helper(store: Store) -> Iterator[subprocess.Popen[bytes]]:
    """``hotlist edge squid-helper`` over ``store``, checking it every 50 ms; killed at the end
    if it is still running."""
    process = subprocess.Popen(
        [*HELPER, "--store", str(store.path), "--interval", "0.05"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "HOTLIST_BLOCK_PAGE_URL": TEMPLATE},
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout, process.stderr):
            if pipe is not None and not pipe.closed:
                pipe.close()


@pytest.fixture
def helper_process(make_store: StoreFactory) -> Iterator[tuple[Store, subprocess.Popen[bytes]]]:
    """``hotlist edge squid-helper`` over a store with ENTRIES in force."""
    store = make_store()
    install(store, list(ENTRIES), 1)
    with running_helper(store) as process:
        yield store, process


def ask(process: subprocess.Popen[bytes], line: str) -> str:
    """Send one request line, as Squid without concurrency does, and read its answer."""
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(line.encode() + b"\n")
    process.stdin.flush()
    return process.stdout.readline().decode().rstrip("\n")


def test_the_command_answers_and_picks_up_a_sync_without_restarting(
    helper_process: tuple[Store, subprocess.Popen[bytes]],
) -> None:
    store, process = helper_process
    assert ask(process, f"0 {PAGE_URL} 127.0.0.1/- - GET") == "0 " + BLOCKED
    assert ask(process, "http://www.example.com/") == "ERR"
    install(store, [record("http://www.example.com/", Scope.HOST, 5)], 2)
    deadline = time.monotonic() + 20
    while ask(process, f"1 {PAGE_URL}") != "1 ERR":
        assert time.monotonic() < deadline, "the new list was not picked up"
        time.sleep(0.02)
    assert "entry=0000000000000005" in ask(process, "http://www.example.com/")
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=20) == 0
    assert process.stderr is not None
    assert b"list main version 1 in force" in process.stderr.read()


def test_the_command_answers_at_once_and_refuses_a_list_that_fails_its_checksum(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    corrupt_an_entry_id(store)
    with running_helper(store) as process:
        deadline = time.monotonic() + 20
        while not (answer := ask(process, f"1 {PAGE_URL}")).startswith("1 BH"):
            assert answer == "1 " + BLOCKED  # the list, in force until its checksum failed
            assert time.monotonic() < deadline, "the checksum was not verified"
            time.sleep(0.02)
        assert answer == f"1 {CORRUPT}"
        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=20) == 0
        assert process.stderr is not None
        log = process.stderr.read()
        assert b"list main version 1 failed its checksum and is no longer in force" in log


def test_the_command_without_a_block_page_says_what_to_give(make_store: StoreFactory) -> None:
    store = make_store()
    env = {key: value for key, value in os.environ.items() if key != "HOTLIST_BLOCK_PAGE_URL"}
    result = subprocess.run(
        [*HELPER, "--store", str(store.path)],
        input=b"",
        capture_output=True,
        env=env,
        check=False,
        timeout=60,
    )
    assert result.returncode == 4
    assert b"--block-page" in result.stderr


def test_the_command_starts_without_importing_the_rest_of_the_cli(
    make_store: StoreFactory,
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    # The console script's own way in, with a report of what was imported once it has answered.
    program = (
        "import atexit, sys\n"
        "atexit.register(lambda: print(sorted(m for m in sys.modules"
        " if m.startswith(('hotlist.cli', 'typer', 'rich', 'pydantic', 'ada_url', 'cffi',"
        " 'shutil', 'dataclasses', 'inspect'))), file=sys.stderr))\n"
        "sys.argv[0] = 'hotlist'\n"
        "from hotlist.cli.entry import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program, "edge", "squid-helper", "--store", str(store.path)],
        input=f"3 {PAGE_URL}\n".encode(),
        capture_output=True,
        env={**os.environ, "HOTLIST_BLOCK_PAGE_URL": TEMPLATE},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"3 {BLOCKED}\n"
    imported = result.stderr.decode().strip().splitlines()[-1]
    # No Typer, Rich or Pydantic: tens of milliseconds and megabytes for every helper Squid starts;
    # no ada_url (with cffi, 2 MB) before an internationalised name, no shutil before an install;
    # no dataclasses, which imports inspect, ast, dis and tokenize: 1.2 MB in every helper
    # (the values on the helper's path are NamedTuples or hotlist.values.Value).
    assert imported == repr(["hotlist.cli", "hotlist.cli.edge_squid_lean", "hotlist.cli.entry"])


@pytest.mark.parametrize(
    "options",
    [
        ["--block-page", TEMPLATE, "--interval", "0.5", "--cache-size", "0"],
        [f"--block-page={TEMPLATE}", "--interval=0.5", "--cache-size=0"],
    ],
)
def test_the_lean_parser_reads_options_as_typer_does(
    make_store: StoreFactory, options: list[str]
) -> None:
    store = make_store()
    install(store, list(ENTRIES), 1)
    result = subprocess.run(
        [*HELPER, *options],
        input=f"3 {PAGE_URL}\n".encode(),
        capture_output=True,
        env={**os.environ, "HOTLIST_EDGE_STORE": str(store.path)},
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == f"3 {BLOCKED}\n"


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--interval", "soon"], b"Invalid value for '--interval'"),
        (["--cache-size"], b"requires an argument"),
        (["--cache", "5"], b"No such option: --cache"),
        (["extra"], b"unexpected extra argument(s) (extra)"),
    ],
)
def test_a_mistake_gets_the_full_commands_message(options: list[str], said: bytes) -> None:
    result = subprocess.run(
        [*HELPER, "--block-page", TEMPLATE, *options],
        input=b"",
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith((b"Error: ", b"Usage: hotlist edge squid-helper"))
    assert said in result.stderr


def test_the_lean_command_has_the_full_commands_help() -> None:
    lean = subprocess.run([*HELPER, "--help"], capture_output=True, check=True, timeout=60)
    assert b"--block-page" in lean.stdout
    assert b"--cache-size" in lean.stdout
    assert b"Usage: hotlist edge squid-helper" in lean.stdout
