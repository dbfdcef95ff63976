"""Turn the entries in force into list records and publish them as the next list version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from hotlist.errors import ConfigError
from hotlist.publish.keys import KeyRing
from hotlist.publish.publisher import Publisher, PublishResult
from hotlist.publish.records import ListRecord
from hotlist.publish.repository import PublishSettings, Repository
from hotlist.publish.wire import FLAG_DISPUTED
from hotlist.server.config import Settings
from hotlist.server.entries.service import ActiveEntry, active_entries, expire_due
from hotlist.server.kit.paths import RepositoryPaths, repository_paths
from hotlist.server.log.signing import head_extras
from hotlist.server.publishing.edge_extras import edge_extras
from hotlist.server.publishing.publishers import ListPublisher
from hotlist.urls import host_hash, is_loopback_url


def to_record(entry: ActiveEntry) -> ListRecord:
    """One entry as the member receives it: hashes, category, opaque id, flags; no plaintext."""
    return ListRecord(
        expression_hash=entry.expression_hash,
        host_hash=host_hash(entry.host),
        category=entry.category_wire_id,
        entry_id=entry.public_id,
        flags=FLAG_DISPUTED if entry.disputed else 0,
    )


def list_records(session: Session) -> list[ListRecord]:
    """Every entry in force as a list record."""
    return [to_record(entry) for entry in active_entries(session)]


def ensure_keys(paths: RepositoryPaths) -> None:
    """Create the signing keys on first use (the embedded default): only when there is no key
    at all and no repository (root.pem kept offline is the normal state, docs/keys.md)."""
    Repository(paths.repository, KeyRing(paths.keys)).create_keys_if_none()


def make_publisher(settings: Settings, *, create_keys: bool = False) -> Publisher:
    """The publisher for the server's list; ``create_keys`` makes keys when there are none at
    all (see :func:`ensure_keys`)."""
    paths = repository_paths(settings)
    if create_keys:
        ensure_keys(paths)
    publish_settings = PublishSettings(
        timestamp_expiry=timedelta(seconds=settings.timestamp_expiry_s),
        keep_deltas=settings.keep_deltas,
        interval=timedelta(seconds=settings.publish_interval_s or 300),
    )
    return Publisher(paths.repository, paths.keys, settings.list_name, publish_settings)


UNSAFE_LOOPBACK_ENV = "HOTLIST_UNSAFE_LOOPBACK_PUBLIC_URL"


def checked_public_url(public_url: str | None, *, allow_loopback: bool = False) -> str:
    """The public URL every member's block page will link appeals to, once it is one people can
    open: refused when unset, or loopback unless ``allow_loopback`` (tests, the demo)."""
    if public_url is None:
        raise ConfigError(
            "no public URL for the block pages' appeal link: start the server with --public-url "
            "(or set HOTLIST_PUBLIC_URL) to the address people reach it at, "
            "e.g. https://hotline.example.org"
        )
    if is_loopback_url(public_url) and not allow_loopback:
        raise ConfigError(
            f"not published: the public URL {public_url} is a loopback address, so the appeal "
            "link on every member's block page would lead nowhere; set --public-url (or "
            "HOTLIST_PUBLIC_URL) to the address people reach the server at, or, for a test on "
            f"one machine only, {UNSAFE_LOOPBACK_ENV}=1"
        )
    return public_url


def publish(
    factory: sessionmaker[Session],
    publisher: ListPublisher,
    *,
    public_url: str | None,
    allow_loopback: bool = False,
) -> PublishResult:
    """Expire entries past re-verification, then publish what is in force (one transaction),
    with the log's signed tree head and public key as extras (``log/head.json``, ``log/key.pub``),
    and the members' enforcement extras (``policy.json``, appeals at ``public_url``, and
    ``hosts.json``; see :mod:`hotlist.server.publishing.edge_extras`).

    Every way of publishing comes here, so this is where a ``public_url`` members' users
    cannot reach is refused (:func:`checked_public_url`) before anything changes.
    """
    public_url = checked_public_url(public_url, allow_loopback=allow_loopback)
    with factory() as session, session.begin():
        expire_due(session)
        records: Sequence[ListRecord] = list_records(session)
        extras = head_extras(session, publisher.keys_dir)
        extras.update(edge_extras(session, public_url))
    return publisher.publish(records, extras)
