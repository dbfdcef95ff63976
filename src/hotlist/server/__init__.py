"""The hotline's server: storage, domain services and the HTTP API (``hotlist[server]``).

Each feature is a package of its own (``accounts``, ``access_log``, ``reports``, ...) holding
``models.py``, ``service.py``, ``schemas.py`` and ``api.py``; the domain rules live in the
services, the API and the storage stay thin. What features share is in :mod:`hotlist.server.kit`,
which imports no feature; features import each other downwards only (``docs/server.md``, "How
the code is laid out"; ``tests/test_architecture.py``).
"""
