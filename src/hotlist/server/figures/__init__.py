"""Transparency reports: the issue's figures for a period, as JSON, CSV and an HTML page."""
