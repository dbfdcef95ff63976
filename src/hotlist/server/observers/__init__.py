"""Observers: plaintext grants per organisation, audit samples and reviews, the request log."""
