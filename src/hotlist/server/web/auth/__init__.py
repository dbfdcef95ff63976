"""Staff sign-in: a password (Argon2id) and a TOTP code per person, with lock-out after repeated
failures. The credentials live in their own table beside ``users``, so the rest of the server never
loads a password hash with a user."""
