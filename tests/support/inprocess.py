"""The in-process server: the FastAPI app of ``convmem.app.create_app`` over a ``Runtime`` of its
own, its lifespan (job worker, conversation timers, erasure watch) running in the test process
on an event loop thread, and requests handed to it without a socket.

Three clients reach it: httpx (``AppServer.http``, through ``AppTransport``), the official twilio
client (``AppServer.twilio``: its own ``TwilioHttpClient``, whose ``requests`` session gets an
adapter to the app, so the SDK builds its requests exactly as against a real server) and plain
``requests`` sessions (``AppServer.requests_session``, for schemathesis).

What this server does not have is uvicorn's HTTP layer (header and connection limits, slow
clients, a body streamed over a socket) and a process of its own (logs on stderr, kill and
restart): the end-to-end tier (tests/support/live.py) covers those."""

from __future__ import annotations

import gc
import io
import logging
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx
import requests
import requests.adapters
import urllib3
from anyio.from_thread import BlockingPortal, start_blocking_portal
from fastapi import FastAPI
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from convmem.app import create_app
from convmem.auth import service as auth
from convmem.config import Settings
from convmem.runtime import Runtime
from convmem.storage import migrate
from tests.support.credentials import AccountCredentials, basic_auth

URL = "http://testserver"
# The address the app sees requests come from (as from a client on loopback).
CLIENT = ("127.0.0.1", 50000)
# What every test server runs with unless a test says otherwise (as tests/support/live.py).
TEST_SETTINGS: dict[str, Any] = {"rate_limit_per_second": 0, "auth_failure_burst": 1_000_000, "log_level": "WARNING"}
REQUEST_TIMEOUT = 60.0

log = logging.getLogger("tests.inprocess")


class AppTransport(httpx.BaseTransport):
    """An httpx transport that runs each request through the ASGI app on the server's event loop.
    Whatever the URL's host, the request goes to this app (absolute URLs the server returned,
    such as ``statusUrl``, work as they are)."""

    def __init__(self, app: FastAPI, portal: BlockingPortal) -> None:
        self._portal = portal
        self._asgi = httpx.ASGITransport(app=_logging_errors(app), raise_app_exceptions=False, client=CLIENT)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.stream = httpx.ByteStream(request.read())
        timeout = (request.extensions.get("timeout") or {}).get("read") or REQUEST_TIMEOUT

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            with anyio.fail_after(timeout):
                response = await self._asgi.handle_async_request(request)
                body = b"".join([part async for part in response.aiter_raw()])  # as sent (gzip included)
                return response.status_code, response.headers.raw, body

        try:
            status, headers, body = self._portal.call(call)
        except TimeoutError:
            raise httpx.ReadTimeout(f"no response from the in-process app within {timeout} s",
                                    request=request) from None
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body), request=request)

    def close(self) -> None:
        """Clients come and go; the server owns the transport."""


def _logging_errors(app: FastAPI) -> Any:
    """The app, logging what it raises as uvicorn would (the client gets the app's 500)."""
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        try:
            await app(scope, receive, send)
        except Exception:
            log.exception("Exception in ASGI application")
            raise
    return wrapped


class AppAdapter(requests.adapters.HTTPAdapter):
    """A ``requests`` transport adapter that sends to the in-process app. The answer comes back as
    from the network: a urllib3 response over the bytes the app sent (``requests`` decodes a
    gzipped body itself, header names keep the app's spelling)."""

    def __init__(self, transport: AppTransport) -> None:
        super().__init__()
        self._transport = transport

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Any = None) -> requests.Response:
        body = request.body.encode() if isinstance(request.body, str) else request.body or b""
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        sent = httpx.Request(request.method or "GET", request.url or "", headers=dict(request.headers),
                             content=body, extensions={"timeout": {"read": read_timeout}} if read_timeout else {})
        answer = self._transport.handle_request(sent)
        headers = urllib3.HTTPHeaderDict()
        for name, value in answer.headers.raw:
            headers.add(name.decode("latin-1"), value.decode("latin-1"))
        raw = urllib3.HTTPResponse(body=io.BytesIO(b"".join(answer.iter_raw())), headers=headers,
                                   status=answer.status_code, reason=answer.reason_phrase, version=11,
                                   preload_content=False, decode_content=True, request_method=request.method)
        return self.build_response(request, raw)


class InProcessTwilioHttpClient(TwilioHttpClient):
    """The official client's own HTTP client (request building, JSON or form bodies, the
    ``_test_only_last_request``/``_test_only_last_response`` it keeps), its session sending to
    the in-process app."""

    def __init__(self, transport: AppTransport, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        assert self.session is not None
        adapter = AppAdapter(transport)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.trust_env = False  # no proxies from the environment: there is no network


@dataclass
class AppServer:
    url: str
    database_url: str
    settings: Settings
    runtime: Runtime
    app: FastAPI
    transport: AppTransport

    def http(self, creds: AccountCredentials | None = None, **options: Any) -> httpx.Client:
        """An httpx client on this server, with ``creds`` as Basic credentials when given."""
        return httpx.Client(base_url=self.url, transport=self.transport, auth=basic_auth(creds),
                            **{"timeout": 30, **options})

    def twilio(self, creds: AccountCredentials) -> Client:
        """The official client, its Memory and Conversations domains pointed at this server."""
        client = Client(creds.account_sid, creds.auth_token, http_client=InProcessTwilioHttpClient(self.transport))
        client.memory.base_url = client.conversations.base_url = self.url
        return client

    def requests_session(self) -> requests.Session:
        session = requests.Session()
        session.trust_env = False
        adapter = AppAdapter(self.transport)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session


def settings_from_env(env: dict[str, str]) -> dict[str, str]:
    """``CONVMEM_*`` variables as ``Settings`` fields (pydantic parses the strings)."""
    return {name.removeprefix("CONVMEM_").lower(): value for name, value in env.items()}


@contextmanager
def serve_in_process(database_url: str, data_dir: Path, *, env: dict[str, str] | None = None,
                     **settings: Any) -> Iterator[AppServer]:
    """The app on ``database_url``, started as ``convmem serve`` starts it (schema migrated, the
    bootstrap account of CONVMEM_ACCOUNT_SID/CONVMEM_AUTH_TOKEN ensured) with ``TEST_SETTINGS``,
    then ``env`` (``CONVMEM_*`` names) and ``settings`` (field names) on top; stopped (lifespan
    shut down: timers, job worker, database) on exit.

    Two in-process servers share one process: give a second server on a database whose first
    server runs jobs ``run_jobs=False``, as a starting worker takes back the jobs that its
    process's earlier incarnations (same pid) left running."""
    config = Settings(**{**TEST_SETTINGS, "database_url": database_url, "data_dir": data_dir,
                         **settings_from_env(env or {}), **settings})
    runtime = Runtime.build(config)
    migrate.upgrade(runtime.db)
    if config.account_sid and config.auth_token:
        auth.ensure_account(runtime.db, config.account_sid, config.auth_token)
    app = _create_app_keeping_test_logging(runtime)
    try:
        with start_blocking_portal(backend="asyncio") as portal, portal.wrap_async_context_manager(_lifespan(app)):
            yield AppServer(URL, database_url, config, runtime, app, AppTransport(app, portal))
    finally:
        runtime.close()
        gc.unfreeze()  # the lifespan froze everything alive at start-up (a server process lives once)


def _create_app_keeping_test_logging(runtime: Runtime) -> FastAPI:
    """``create_app`` configures the process's logging (JSON lines on stderr, the settings' level)
    for a server process; here the test process keeps its own (pytest's capture) instead."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        return create_app(runtime=runtime)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The ASGI lifespan protocol, as a server speaks it: startup before the first request,
    shutdown after the last."""
    to_app_send, to_app = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
    from_app_send, from_app = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}

    async def run() -> None:
        try:
            await app(scope, to_app.receive, from_app_send.send)
        finally:
            await from_app_send.send({"type": "lifespan.stopped"})

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(run)
        await to_app_send.send({"type": "lifespan.startup"})
        started = await from_app.receive()
        if started["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"the app did not start: {started}")
        try:
            yield
        finally:
            await to_app_send.send({"type": "lifespan.shutdown"})
            stopped = await from_app.receive()
            if stopped["type"] != "lifespan.shutdown.complete":
                raise RuntimeError(f"the app did not stop cleanly: {stopped}")
