"""The transparency log on the server: leaves appended in the caller's transaction; proofs."""
