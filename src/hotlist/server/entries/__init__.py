"""List entries: what the list holds, each with its statement of reasons and its history."""
