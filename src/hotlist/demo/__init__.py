"""``hotlist demo``: the whole flow, report to enforcement, on the embedded SQLite default."""
