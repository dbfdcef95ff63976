"""``python -m hotlist``: the same as the ``hotlist`` command."""

from hotlist.cli.main import main

main()
