"""The transparency log: RFC 9162 Merkle hashing and proofs, log events, signed tree heads.

Pure code, no I/O: the server appends and serves the log (:mod:`hotlist.server.log`); the
edge and ``hotlist log verify`` check heads and proofs with the functions here.
"""
