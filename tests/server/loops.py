"""Running a coroutine from a test on an event loop of its own.

Some tests (the browser tests' Playwright) leave an event loop running in the main thread, where
``asyncio.run`` refuses to start another; a thread of its own always has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_on_new_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """``main()`` run to its end by ``asyncio.run`` in a new thread; its result or its error."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(lambda: asyncio.run(main())).result()
