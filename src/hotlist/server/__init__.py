"""The hotline's server: storage, domain services and the HTTP API (``hotlist[server]``).

Each feature is a package of its own (``accounts``, ``access_log``, ``reports``, ...) holding
``models.py``, ``service.py``, ``schemas.py`` and ``api.py``; the domain rules live in the
services, the API and the storage stay thin.
"""
