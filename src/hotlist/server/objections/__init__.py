"""Members' objections to list entries, decided by a supervisor who did not make the entry."""
