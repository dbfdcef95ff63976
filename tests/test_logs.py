"""One logging configuration: the line's form, the field names, loggers named by module."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hotlist.logs import FIELDS, Formatter, configure, fields, uvicorn_log_config

SRC = Path(__file__).parents[1] / "src" / "hotlist"


def _record(level: int, message: str, **facts: object) -> logging.LogRecord:
    record = logging.LogRecord("hotlist.test", level, __file__, 1, message, (), None)
    for key, value in fields(**facts).items():
        setattr(record, key, value)
    return record


def test_serve_lines_read_like_uvicorn_s_with_the_facts_after_the_message() -> None:
    line = Formatter().format(
        _record(logging.ERROR, "scheduled publish failed", job="publish", failures=2)
    )
    assert line == "ERROR:    scheduled publish failed job=publish failures=2"
    assert Formatter().format(_record(logging.INFO, "x")) == "INFO:     x"


def test_a_command_s_lines_name_it_and_quote_values_with_spaces() -> None:
    line = Formatter("hotlist edge run").format(
        _record(logging.WARNING, "stale", store="/srv/my store", version=3, list=None)
    )
    assert line == 'hotlist edge run: WARNING stale store="/srv/my store" version=3'
    stamped = Formatter("hotlist edge serve", timestamps=True).format(_record(logging.INFO, "up"))
    time = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
    assert re.fullmatch(time + " hotlist edge serve: INFO up", stamped)


def test_only_the_shared_field_names_are_accepted() -> None:
    assert {"job", "pid", "version"} <= FIELDS
    with pytest.raises(ValueError, match="not log field names"):
        fields(ip="192.0.2.1")


@pytest.fixture
def bare_root() -> Iterator[Callable[[], None]]:
    """``bare_root()``: the root logger without handlers, as in a command's process (pytest adds
    its own for each test's body); put back afterwards."""
    root = logging.getLogger()
    saved: list[logging.Handler] = []
    level = root.level

    def bare() -> None:
        saved.extend(root.handlers)
        root.handlers.clear()

    yield bare
    root.handlers[:] = saved
    root.setLevel(level)


def test_configure_once_more_replaces_its_handler_and_covers_libraries(
    bare_root: Callable[[], None],
) -> None:
    bare_root()
    first, second = io.StringIO(), io.StringIO()
    configure("hotlist test", stream=first, timestamps=False)
    configure("hotlist test", stream=second, timestamps=False)
    logging.getLogger("hotlist.edge.sync").info("list main version 4 in force")
    logging.getLogger("tuf.ngclient").warning("a library speaks")
    assert first.getvalue() == ""
    assert second.getvalue().splitlines() == [
        "hotlist test: INFO list main version 4 in force",
        "hotlist test: WARNING a library speaks",
    ]


def test_configure_leaves_logging_someone_else_set_up_alone(
    bare_root: Callable[[], None],
) -> None:
    bare_root()
    theirs, mine = io.StringIO(), io.StringIO()
    logging.getLogger().addHandler(logging.StreamHandler(theirs))
    configure("hotlist test", stream=mine)
    logging.getLogger("hotlist.edge.sync").warning("said once")
    assert mine.getvalue() == ""
    assert theirs.getvalue() == "said once\n"


def test_serve_s_configuration_adds_hotlist_to_uvicorn_s() -> None:
    config = uvicorn_log_config("debug")
    assert config["loggers"]["hotlist"]["level"] == "DEBUG"
    assert "uvicorn.error" in config["loggers"]
    assert "hotlist" not in uvicorn_log_config("info")["formatters"]["default"]


def test_every_logger_is_named_by_its_module_and_configured_here_only() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for argument in re.findall(r"getLogger\(([^)]*)\)", text):
            assert argument in ("__name__", ""), f"{path}: getLogger({argument})"
        if path.name != "logs.py":
            assert "basicConfig" not in text, path
            assert "dictConfig" not in text, path
