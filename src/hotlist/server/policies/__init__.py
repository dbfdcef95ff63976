"""Policy versions: every policy the hotline has decided under, kept for good."""
