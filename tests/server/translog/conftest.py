"""Fixtures of the report -> assessment -> entry flow (see server/reports/factories.py)."""

from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry"]
