"""Fixtures for the block page: the report -> entry flow."""

from __future__ import annotations

from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry"]
