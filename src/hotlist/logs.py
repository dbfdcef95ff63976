"""hotlist's logging, configured here and nowhere else (standard library only: the edge uses it).

Every logger is named by its module (``logging.getLogger(__name__)``: ``hotlist.edge.sync``,
``hotlist.server.publishing.jobs``, ...). A line is the level, the message for a person, then
the facts a machine greps for as ``key=value`` pairs with the names of :data:`FIELDS`, the same
names in every module::

    INFO:     published list version 7: 120 entries (+1 -0 ~0) job=publish pid=4242 version=7

Attach them with ``extra=fields(version=7)``; an unknown name is a programming error.
Commands call :func:`configure` once (the edge's daemons, the sync loop, the Squid helper);
``hotlist serve`` hands :func:`uvicorn_log_config` to uvicorn, whose own lines keep their form.
No client address is ever a field.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import IO, Any

FIELDS = frozenset(
    {
        "job",  # a background job: publish, retention
        "pid",  # the process that wrote the line (several workers share one log)
        "list",  # a list's name
        "version",  # a list version
        "entries",  # how many entries
        "failures",  # failed attempts in a row
        "expires",  # when a published timestamp expires (ISO 8601)
        "store",  # an edge store's directory
    }
)
"""The names a log line's facts may have."""

_EXTRA = "hotlist_fields"
_OURS = "_hotlist_handler"


def fields(**values: object) -> dict[str, Any]:
    """``extra=`` for a log call: the facts of the line, by the names of :data:`FIELDS`."""
    unknown = set(values) - FIELDS
    if unknown:
        raise ValueError(f"not log field names: {sorted(unknown)} (hotlist.logs.FIELDS)")
    return {_EXTRA: {k: v for k, v in values.items() if v is not None}}


def _value(value: object) -> str:
    text = str(value)
    return f'"{text}"' if not text or any(c in text for c in ' ="') else text


class Formatter(logging.Formatter):
    """``[time ][program: ]LEVEL message key=value ...``; without a program, the level is
    written as uvicorn writes its own (``ERROR:    ...``), so ``serve``'s lines read as one."""

    def __init__(self, program: str | None = None, *, timestamps: bool = False) -> None:
        super().__init__()
        self.program = program
        self.timestamps = timestamps

    def format(self, record: logging.LogRecord) -> str:
        if self.program is None:
            head = f"{record.levelname}:".ljust(9) + " "
        else:
            head = f"{self.program}: {record.levelname} "
        if self.timestamps:
            head = f"{self.formatTime(record)} {head}"
        line = head + record.getMessage()
        facts: Mapping[str, object] = getattr(record, _EXTRA, {})
        if facts:
            line += " " + " ".join(f"{k}={_value(v)}" for k, v in facts.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


def configure(
    program: str | None,
    *,
    level: int | str = logging.INFO,
    timestamps: bool = True,
    stream: IO[str] | None = None,
) -> None:
    """Send every log line of this process (ours and the libraries') to ``stream`` (standard
    error) in our form. Called again, it replaces the handler it installed before; like
    :func:`logging.basicConfig`, it leaves alone a process whose logging someone else set up
    (a test runner capturing the logs, an application embedding hotlist)."""
    root = logging.getLogger()
    ours = [handler for handler in root.handlers if getattr(handler, _OURS, False)]
    if len(ours) < len(root.handlers):
        return
    for handler in ours:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(Formatter(program, timestamps=timestamps))
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(level)


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration with hotlist's loggers added, each line with its level
    (without this Python prints only warnings, bare). uvicorn's access log stays off."""
    import uvicorn.config  # the server's dependency; only serve calls this

    config: dict[str, Any] = {
        **uvicorn.config.LOGGING_CONFIG,
        "formatters": dict(uvicorn.config.LOGGING_CONFIG["formatters"]),
        "handlers": dict(uvicorn.config.LOGGING_CONFIG["handlers"]),
        "loggers": dict(uvicorn.config.LOGGING_CONFIG["loggers"]),
    }
    config["formatters"]["hotlist"] = {"()": f"{__name__}.Formatter"}
    config["handlers"]["hotlist"] = {
        "formatter": "hotlist",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["hotlist"] = {
        "handlers": ["hotlist"],
        "level": level.upper(),
        "propagate": False,
    }
    return config
