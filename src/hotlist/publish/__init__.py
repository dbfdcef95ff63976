"""List versions on the wire: records, snapshots and deltas, the TUF repository, the publisher.

The wire format lives in :mod:`hotlist.publish.format` (no third-party imports, shared with the
edge); signing and the repository on disk in :mod:`hotlist.publish.repository` and
:mod:`hotlist.publish.publisher`.
"""
