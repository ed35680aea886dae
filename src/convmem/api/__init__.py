"""HTTP layer: thin routers, wire schemas, middleware and error rendering."""
