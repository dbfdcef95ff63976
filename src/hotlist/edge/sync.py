"""Fetch, verify and install the newest list version: the member's only way to change its list.

The steps, each failing closed with the list in force untouched:

1. python-tuf's ngclient refreshes root, timestamp, snapshot and targets metadata against the
   trusted root in the store: signatures, thresholds, expiry (freeze), version rollback and
   mix-and-match are its checks.
2. ``list.json``, a signed target (:class:`hotlist.publish.wire.Manifest`), names version N,
   its record count and content digest, and the available deltas. A version older than the one
   in force is a rollback; the same version with another digest is a mix-and-match: both are
   refused.
3. The chain of deltas from the version in force to N is applied with ``apply_delta`` when it
   is complete and smaller than the snapshot; otherwise snapshot N is downloaded, and so it is
   when a delta fails verification (a corrupt file must not stop every member that is behind;
   a delta for another base, another history, is refused). Every file is
   verified by ngclient (length, SHA-256) and by our decoder (checksum, order, counts).
4. The result's count and digest must equal ``list.json``'s; then the store installs it
   atomically, keeping the previous version.

Any failure is raised as a HotlistError whose message ends with what stays in force (the list
that was, or none before the first sync), and recorded as ``last_error`` in ``state.json``. It
is not logged here: the caller reports it once (the command prints it, :func:`run` logs it).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tuf.api import exceptions as tuf_errors
from tuf.ngclient.config import UpdaterConfig
from tuf.ngclient.updater import Updater

from hotlist import __version__
from hotlist.edge.config import EdgeConfig
from hotlist.edge.extras import ExtraContext, ExtraRule, run_checks
from hotlist.edge.fetcher import KeyFetcher, Limits, ProgressHook
from hotlist.edge.log_head import LOG_HEAD_RULE
from hotlist.edge.store import Store, StoreState, utc_now
from hotlist.errors import (
    HotlistError,
    PermissionDenied,
    StorageError,
    SyncError,
    VerificationError,
    WrongBase,
)
from hotlist.publish.format import Snapshot, apply_delta, decode_delta, decode_snapshot
from hotlist.publish.wire import HOSTS_EXTRA, LOG_HEAD_EXTRA, MANIFEST, Manifest

logger = logging.getLogger(__name__)

WITHHELD_EXTRAS = frozenset({HOSTS_EXTRA})
"""Extras the server may refuse to a key without the grant they need (host names in clear, to
an observer without a plaintext grant): the version is installed without them. Any other extra
refused fails the sync."""
EXTRA_RULES: Mapping[str, ExtraRule] = MappingProxyType({LOG_HEAD_EXTRA: LOG_HEAD_RULE})
"""The checks a sync runs on a new version's extras, by name: every one the edge knows."""


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: ``method`` is ``delta``, ``snapshot`` or ``current`` (nothing new)."""

    version: int
    previous_version: int | None
    count: int
    method: str
    deltas_applied: int
    bytes_downloaded: int
    seconds: float


def sync(
    store: Store,
    *,
    progress: ProgressHook | None = None,
    timeout: float = 15.0,
    rules: Mapping[str, ExtraRule] = EXTRA_RULES,
) -> SyncResult:
    """Bring ``store`` to the newest verified list version, or raise and keep the old one.

    ``timeout`` bounds each wait for the server; the store's configuration bounds each file,
    the whole sync and the slowest transfer accepted (:class:`hotlist.edge.fetcher.Limits`).
    ``rules`` are the checks run on the new version's extras before it is installed.
    """
    config = store.config()
    with store.lock():
        fetcher = None
        try:
            fetcher = KeyFetcher(
                store.api_key(), timeout=timeout, progress=progress, limits=Limits.of(config)
            )
            return _sync(store, config, fetcher, rules)
        except HotlistError as exc:
            # Only here is it known whether a list stays in force; the raise sites cannot say.
            exc.message = f"{exc.message}; {in_force_note(store)}"
            exc.args = (exc.message,)
            store.record_error(exc.message)
            raise
        finally:
            if fetcher is not None:
                fetcher.close()
            shutil.rmtree(store.path / ".incoming", ignore_errors=True)


def _sync(
    store: Store, config: EdgeConfig, fetcher: KeyFetcher, rules: Mapping[str, ExtraRule]
) -> SyncResult:
    started = time.perf_counter()
    try:
        current = store.load_current()
    except VerificationError as exc:
        logger.error("the list in %s is corrupt (%s): fetching a full snapshot", store.path, exc)
        current = None
    with _tuf_errors():
        updater = Updater(
            metadata_dir=str(store.trusted_dir),
            metadata_base_url=config.metadata_url,
            target_base_url=config.targets_url,
            fetcher=fetcher,
            config=UpdaterConfig(app_user_agent=f"hotlist-edge/{__version__}"),
            bootstrap=None,
        )
        updater.refresh()
    incoming = store.path / ".incoming"
    index = _manifest(_download(updater, incoming, MANIFEST), config)
    version = index.version
    previous_version = None if current is None else current.version
    method = "current"
    applied = 0
    # The newest version this store ever held: the list in force, or the state's record of it
    # when the list file was lost or corrupted.
    floor = current.version if current is not None else store.state().version
    if floor is not None and version < floor:
        raise VerificationError(
            f"the server offers version {version}, older than version {floor} already "
            "verified here: refusing a rollback"
        )
    if current is not None and version == current.version:
        new = current
    else:
        chain = None if current is None else _chain(index, current.version)
        from_deltas = None
        if current is not None and chain is not None:
            from_deltas = _apply_chain(updater, incoming, current, chain, index, config)
        if from_deltas is not None:
            new, method, applied = from_deltas, "delta", len(chain or ())
        else:
            new = decode_snapshot(_download(updater, incoming, index.snapshot.path))
            method = "snapshot"
    _check_against_index(new, index, config)
    extras = None if new is current else _extras(updater, incoming, index, store, config, rules)
    now = utc_now().isoformat()
    state = StoreState(
        version=new.version,
        count=new.count,
        digest=new.digest.hex(),
        published_at=index.published_at,
        synced_at=now,
        last_attempt_at=now,
    )
    if new is current:
        store.write_state(state)
    else:
        store.install(new, state, extras)
    result = SyncResult(
        version=new.version,
        previous_version=previous_version,
        count=new.count,
        method=method,
        deltas_applied=applied,
        bytes_downloaded=fetcher.bytes_received,
        seconds=time.perf_counter() - started,
    )
    entries = "1 entry" if new.count == 1 else f"{new.count:,} entries"
    logger.info("list %s version %d (%s) via %s", config.list_name, new.version, entries, method)
    return result


def _apply_chain(
    updater: Updater,
    incoming: Path,
    current: Snapshot,
    chain: list[str],
    index: Manifest,
    config: EdgeConfig,
) -> Snapshot | None:
    """``current`` brought to the index's version by ``chain``; None when a delta fails
    verification (corrupt on the server or on the way): the snapshot is taken instead, so one
    bad file does not stop every member that is behind. A delta for another base is not
    corruption but another history, and is refused (WrongBase)."""
    new = current
    path = ""
    try:
        for path in chain:
            new = apply_delta(new, decode_delta(_download(updater, incoming, path), new))
        _check_against_index(new, index, config)
    except WrongBase:
        raise
    except VerificationError as exc:
        logger.warning(
            "delta %s failed verification (%s): taking snapshot %d instead",
            path,
            exc.message,
            index.version,
        )
        return None
    return new


def _download(updater: Updater, incoming: Path, name: str) -> bytes:
    with _tuf_errors():
        info = updater.get_targetinfo(name)
        if info is None:
            raise SyncError(f"the server's signed targets do not list {name}: try again later")
        incoming.mkdir(exist_ok=True)
        path = Path(updater.download_target(info, str(incoming / name.replace("/", "_"))))
    try:
        return path.read_bytes()
    finally:
        with contextlib.suppress(OSError):
            path.unlink()


def _extras(
    updater: Updater,
    incoming: Path,
    index: Manifest,
    store: Store,
    config: EdgeConfig,
    rules: Mapping[str, ExtraRule],
) -> dict[str, bytes]:
    """Download the version's extras (TUF-verified) and run their checks."""
    extras: dict[str, bytes] = {}
    for name, info in sorted(index.extras.items()):
        try:
            data = _download(updater, incoming, info.path)
        except PermissionDenied:
            if name not in WITHHELD_EXTRAS:
                raise
            logger.info(
                "the server withholds %s from this key (it needs a grant): not installed", name
            )
            continue
        if hashlib.sha256(data).hexdigest() != info.sha256:
            raise VerificationError(f"the extra {name} does not match its signed index")
        extras[name] = data
    context = ExtraContext(store=store, api_base=config.api_base, api_key=store.api_key())
    run_checks(context, extras, rules)
    return extras


def _manifest(data: bytes, config: EdgeConfig) -> Manifest:
    manifest = Manifest.decode(data)
    if manifest.list_name != config.list_name:
        raise VerificationError(
            f"the server publishes list {manifest.list_name!r}, this store follows "
            f"{config.list_name!r}"
        )
    return manifest


def _chain(index: Manifest, start: int) -> list[str] | None:
    """Delta paths from ``start`` to the index's version, if complete and worth it."""
    by_base = {delta.base: delta for delta in index.deltas}
    chain: list[str] = []
    size = 0
    version = start
    while version < index.version:
        delta = by_base.get(version)
        if delta is None:
            return None
        chain.append(delta.path)
        size += delta.length
        version = delta.version
    if version != index.version or size >= index.snapshot.length:
        return None
    return chain


def _check_against_index(new: Snapshot, index: Manifest, config: EdgeConfig) -> None:
    if new.list_name != config.list_name or new.version != index.version:
        raise VerificationError(
            f"the list built is {new.list_name!r} version {new.version}, list.json names "
            f"{index.list_name!r} version {index.version}: refusing it"
        )
    if new.count != index.count or new.digest.hex() != index.digest:
        raise VerificationError(
            f"list version {new.version} does not match its signed index (count {new.count} "
            f"vs {index.count}, or its digest): refusing it"
        )


@contextlib.contextmanager
def _tuf_errors() -> Any:
    """Turn python-tuf's exceptions into ours, each with what to do about it."""
    try:
        yield
    except tuf_errors.ExpiredMetadataError as exc:
        raise VerificationError(
            f"the list's signed metadata has expired ({exc}): the server may be replaying old "
            "files (freeze attack) or has stopped refreshing them"
        ) from exc
    except tuf_errors.BadVersionNumberError as exc:
        raise VerificationError(
            f"the server offers older metadata than already trusted ({exc}): refusing a rollback"
        ) from exc
    except tuf_errors.UnsignedMetadataError as exc:
        raise VerificationError(
            f"signature check failed ({exc}): the metadata was tampered with or signed by an "
            "unknown key"
        ) from exc
    except tuf_errors.LengthOrHashMismatchError as exc:
        raise VerificationError(
            f"a downloaded file does not match its signed hash ({exc}): tampered or corrupt"
        ) from exc
    except tuf_errors.RepositoryError as exc:
        raise VerificationError(f"the list's metadata failed verification ({exc})") from exc
    except tuf_errors.DownloadHTTPError as exc:
        if exc.status_code in (401, 403):
            raise PermissionDenied(
                f"the list server refused this member's API key (HTTP {exc.status_code}): "
                "check the key given to `hotlist edge init`"
            ) from exc
        raise SyncError(str(exc)) from exc
    except tuf_errors.DownloadError as exc:
        message = str(exc) or type(exc).__name__
        if message.startswith("Failed to download") and exc.__cause__ is not None:
            message = f"{message}: {exc.__cause__}"
        raise SyncError(message) from exc
    except OSError as exc:
        raise StorageError(f"cannot write the trusted metadata: {exc}") from exc


def in_force_note(store: Store) -> str:
    """What a failed sync leaves in force in ``store``, as the end of its message."""
    try:
        version = store.state().version if store.current_path.exists() else None
    except HotlistError:
        return "the list in force, if any, stays"
    if version is None:
        return "no list is in force: this store has never synced successfully"
    return f"the list in force (version {version}) stays"


def next_wait(interval: float, failures: int, jitter: float, rng: random.Random) -> float:
    """Seconds until the next sync: the interval, doubled per consecutive failure (at most
    64 times, capped at a day), plus a random share ``jitter`` of it so that thousands of
    members spread their requests instead of arriving in the same second."""
    base = min(interval * 2 ** min(failures, 6), 86_400.0) if failures else interval
    return base + rng.uniform(0, jitter * base)


def run(
    store: Store,
    *,
    max_cycles: int | None = None,
    jitter: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_sync: Callable[[SyncResult], None] | None = None,
) -> int:
    """Sync ``store`` on its schedule until ``max_cycles`` syncs (forever when None).

    A failed sync is logged and retried with exponential backoff; the list in force stays.
    A stale list is logged as a warning each cycle. ``on_sync`` is called after each
    successful sync (e.g. to rewrite an RPZ zone); its errors are logged, never fatal.
    Returns the number of failed syncs.
    """
    from hotlist.edge.status import read_status

    rng = rng or random.Random()
    interval = float(store.config().interval_s)
    if max_cycles != 1:
        # Start at a random point of the first interval: members restarted together spread out.
        sleep(rng.uniform(0, jitter * interval))
    failures = 0
    consecutive = 0
    cycle = 0
    while max_cycles is None or cycle < max_cycles:
        cycle += 1
        try:
            result = sync(store)
            consecutive = 0
        except HotlistError as exc:
            logger.error("sync of %s failed: %s", store.path, exc.message)
            failures += 1
            consecutive += 1
        else:
            if on_sync is not None:
                try:
                    on_sync(result)
                except Exception:  # a hook's failure must not stop the list's updates
                    logger.exception("the after-sync step failed; syncing goes on")
        status = read_status(store)
        if not status.synced:
            logger.warning("list %s: never synced, no list in force yet", status.list_name)
        elif status.stale:
            logger.warning(
                "list %s is stale (version %s, fail mode %s)",
                status.list_name,
                status.version,
                status.fail_mode,
            )
        if max_cycles is not None and cycle >= max_cycles:
            break
        sleep(next_wait(interval, consecutive, jitter, rng))
    return failures
