"""Organisations, people, API keys, roles and the permissions each role holds."""
