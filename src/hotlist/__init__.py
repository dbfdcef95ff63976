"""hotlist: open infrastructure for hotlines and voluntary blocking.

The stable public surface for members is :mod:`hotlist.urls` and :mod:`hotlist.edge`;
everything else is internal to the hotline's server and the command line.
"""

__version__ = "0.1.0"
