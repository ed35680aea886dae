"""convmem's memory as tools for AI agents, over the Model Context Protocol (the official ``mcp`` SDK).

Two transports serve the same six tools (``list_stores``, ``find_profile``, ``get_profile``,
``recall``, ``remember``, ``forget``):

- streamable HTTP at ``/mcp`` in the API server's own process and port (``http.py``), behind the
  same Basic authentication as the REST API, acting for the account of each request's credentials;
- stdio (``stdio.py``, the ``convmem mcp`` command), on the database ``convmem serve`` uses, acting
  for the one account named on the command line.

The layers, top down: ``server.py`` is the SDK's low-level server (tool list, dispatch, errors as
``isError`` results); ``tools.py`` runs each tool over the same services the REST routers call;
``arguments.py`` holds the tools' argument models and their JSON schemas; ``rendering.py`` turns
recalled memories into text a model reads as quoted data, never as instructions."""
