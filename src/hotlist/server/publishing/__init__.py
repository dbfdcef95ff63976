"""Publishing from the server: entries in force -> list records -> a signed list version.

The list format and the TUF repository live in :mod:`hotlist.publish`; this package only maps the
server's entries to records, runs the publish on schedule, and serves the repository to members.
"""
