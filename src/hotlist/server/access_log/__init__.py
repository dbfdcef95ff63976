"""The access log: who saw which plaintext URL, and when."""
