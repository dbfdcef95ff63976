"""Fixtures of the report -> assessment -> entry flow, and of a live server with edge stores."""

from server.objections.edge_fixtures import live_server, member_store, publish_now
from server.reports.factories import assess, file_report, listed_entry

__all__ = ["assess", "file_report", "listed_entry", "live_server", "member_store", "publish_now"]
