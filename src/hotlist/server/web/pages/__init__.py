"""The pages, one module per audience: ``public``, ``login``, ``analyst``, ``supervisor``,
``observer``, ``admin``. Each holds a ``router`` listed in
:data:`hotlist.server.app.WEB_ROUTERS`."""
