"""Streamable HTTP at ``/mcp``, inside the REST API's FastAPI app (same process, same port).

Authentication is the app's: ``/mcp`` is among the authentication gate's protected prefixes
(api/gate.py), so a request reaches the SDK only with valid Basic credentials (an Account SID
and its token, or an API key), and the gate leaves the account in the request's state. Each tool
call reads the account from *its own* HTTP request (there is no session state that could carry
one account's identity into another's requests).

The session manager runs stateless with JSON responses:

- stateless, because ``convmem serve --workers N`` runs N processes on one port and a client's
  next request may reach another process, which would not know an in-memory session; nothing
  here needs one (the tools never call back into the client, and 2026-07-28 clients keep no
  session anyway);
- JSON rather than SSE responses: a tool call is one answer, and a plain JSON body is the
  cheapest to produce and to read.

The SDK's DNS-rebinding check (a Host/Origin allow-list) stays off: every request already needs
credentials a browser page cannot supply, and an allow-list of host names would break every
deployment behind a proxy or under another name, which the REST API serves as is."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from mcp.server import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_REQUEST
from starlette.requests import Request

from convmem.agent_tools.server import build_server
from convmem.agent_tools.tools import Caller
from convmem.runtime import Runtime

MCP_PATH = "/mcp"
# In stateless mode the SDK logs "Terminating session: None" at INFO after every request of a
# 2025-era client: a second line per request beside our access log, saying nothing.
logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)


def caller_of_request(ctx: ServerRequestContext[Any, Any]) -> Caller:
    """The account the authentication gate found for this call's HTTP request."""
    request = ctx.request
    state = request.scope.get("state") if isinstance(request, Request) else None
    if not isinstance(state, dict) or not state.get("account_sid"):
        # Unreachable behind the gate; refuse rather than guess should the endpoint ever be
        # mounted without it.
        raise MCPError(INVALID_REQUEST, "This request carries no authenticated account")
    account = str(state["account_sid"])
    return Caller(account_sid=account, credential_sid=str(state.get("credential_sid") or account))


class McpEndpoint:
    """The ``/mcp`` route of one app and the session manager behind it (one per process)."""

    def __init__(self, runtime: Runtime) -> None:
        self.server = build_server(runtime, caller_of_request)
        self.manager = StreamableHTTPSessionManager(app=self.server, json_response=True, stateless=True)

    def install(self, app: FastAPI) -> None:
        """Add the ``/mcp`` route. An ASGI endpoint (not a function): the route passes every
        method through and the SDK answers each as the protocol says (405 for GET when
        stateless)."""
        app.add_route(MCP_PATH, StreamableHTTPASGIApp(self.manager), include_in_schema=False)  # type: ignore[arg-type]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The session manager's task group; entered by the app's lifespan (app.py)."""
        async with self.manager.run():
            yield
