"""The ``hotlist`` command: thin Typer layers over the domain packages."""
