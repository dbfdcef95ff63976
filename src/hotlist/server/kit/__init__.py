"""The server's shared kit: what every feature package builds on, defined once.

- :mod:`~hotlist.server.kit.types`: the constrained text and id types of the API's schemas
  (``Reason``, ``Comment``, ``Contact``, ``EntryRef``, ``CategoryCode``, ...).
- :mod:`~hotlist.server.kit.permissions` and :mod:`~hotlist.server.kit.principal`: roles, named
  permissions, and who is calling.
- :mod:`~hotlist.server.kit.deps`: the FastAPI dependencies (the app's :class:`Services`, the
  request's database session, ``require(permission)``, the seams), and
  :mod:`~hotlist.server.kit.pagination`.
- :mod:`~hotlist.server.kit.services`: the typed container of services ``create_app`` builds once.
- :mod:`~hotlist.server.kit.four_eyes`: the rule that someone other than an entry's analyst decides
  objections and appeals against it.

The kit imports no feature package (``tests/test_architecture.py`` checks it), so any feature may
import it without making a cycle; see ``docs/adr/0001-server-kit-and-feature-packages.md``.
"""
