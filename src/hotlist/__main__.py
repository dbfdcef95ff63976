"""``python -m hotlist``: the same as the ``hotlist`` command."""

from hotlist.cli.entry import main

main()
