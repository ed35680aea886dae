"""What the tests share (fixtures live in tests/conftest.py and use these):

- ``databases``: the test backend (SQLite or PostgreSQL) and empty databases of it;
- ``credentials``: accounts and Basic credentials;
- ``inprocess``: the in-process server (the FastAPI app over a Runtime, its lifespan running in
  the test process) and the transports that put httpx, the official twilio client and
  ``requests`` (schemathesis) on it without a socket;
- ``live``: a ``convmem serve`` subprocess on loopback, for the end-to-end tier only;
- ``tiers``: the guard that keeps server processes out of the in-process tier;
- ``wire``, ``profiles``: request helpers of the API tests (httpx and the official client);
- ``fake_model``: an OpenAI-compatible chat-completions server on loopback (a thread);
- ``tcp_proxy``: a TCP proxy a test can cut (a database outage)."""
