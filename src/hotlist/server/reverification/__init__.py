"""Re-verification: whether listed content is still there, checked on the category's schedule
by a checker that never downloads content; content gone at source leaves the next list version."""
