"""Assessments: an analyst's append-only decision on a report, and the entry it makes."""
