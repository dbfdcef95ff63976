"""Type stub for the compiled core (rust/python/src/lib.rs); see hotlist.urls.core."""

from collections.abc import Callable, Iterable
from typing import TypeVar

_T = TypeVar("_T")

MAX_URL_BYTES: int
HASH_SIZE: int
HOST_KEY_SIZE: int
FLAG_DISPUTED: int

class CoreURLError(ValueError):
    """A URL the core cannot canonicalize; ``args`` is ``(code, detail)``."""

_Failure = tuple[int, object]
_Parts = tuple[str, str, str, str | None]
_Url = str | bytes | bytearray | memoryview

def canonical_parts(url: object) -> _Parts: ...
def canonical_parts_many(urls: Iterable[object]) -> list[_Parts | _Failure]: ...
def canonicalize(url: object) -> str: ...
def expressions(url: object) -> list[str]: ...
def expression_hashes(url: object) -> list[bytes]: ...
def expression_hashes_from_parts(host: str, path: str, query: str | None) -> list[bytes]: ...
def expression_hashes_many(urls: Iterable[object]) -> list[list[bytes] | _Failure]: ...
def expression_hashes_flat(
    urls: Iterable[object],
) -> tuple[bytes, bytes, list[tuple[int, int, object]]]: ...
def sha256(data: bytes | memoryview) -> bytes: ...

class Index:
    """The matcher's two stages over a snapshot's columns, held without a copy."""

    def __init__(
        self,
        hashes: bytes | memoryview,
        flags: bytes | memoryview,
        host_keys: bytes | memoryview | None,
        suspend_disputed: bool,
        filter: bytes | memoryview | None = None,
    ) -> None: ...
    @property
    def count(self) -> int: ...
    @property
    def filter_shared(self) -> bool: ...
    def nbytes(self) -> int: ...
    def candidate_hosts(self, host: str) -> list[str] | None: ...
    def lookup_parts(self, host: str, path: str, query: str | None) -> int | None: ...
    def answer_squid_lines(
        self, lines: Iterable[str], hit: Callable[[int], str], empty: str, no_url: str
    ) -> list[str | None]: ...
    def answer_squid_block(
        self, lines: Iterable[str], hit: Callable[[int], str], empty: str, no_url: str
    ) -> bytes | None: ...
    def answer_squid_data(
        self, data: bytes | memoryview, hit: Callable[[int], str], empty: str, no_url: str
    ) -> bytes | None: ...
    def check_sparse(
        self,
        urls: Iterable[object],
        hit: Callable[[int], _T],
        invalid: Callable[[int, object], _T],
    ) -> list[tuple[int, _T]]: ...
    def check_many(
        self,
        urls: Iterable[object],
        miss: _T,
        hit: Callable[[int], _T],
        invalid: Callable[[int, object], _T],
    ) -> list[_T]: ...

def host_filter_table(host_keys: bytes | memoryview) -> bytes: ...
def snapshot_problem(
    hashes: bytes | memoryview,
    categories: bytes | memoryview,
    entry_ids: bytes | memoryview,
    flags: bytes | memoryview,
    known_flags: int,
) -> str | None: ...
