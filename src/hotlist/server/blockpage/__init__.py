"""The hotline's own block page, ``GET /blocked/{entry_id}``: public, from the database."""
