"""ASGI middleware: request ids, access logs and the body timeout; and request-body screening.

Body screening runs before routing (and after ``api.gate``'s authentication, so that nobody
without credentials gets a body read or parsed) so that every endpoint gets the same guarantees:
compressed bodies are inflated (and a body that merely *claims* gzip but is plain JSON, which
is what the official client sends, is accepted as is); malformed JSON, NaN/Infinity, NUL
characters and lone surrogates are refused with a 400 rather than reaching the database."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import logging
import re
import time
import uuid
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

from convmem.api.errors import BODY_TIMEOUT_MESSAGE, BodyTimeout, error_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 32 * 1024 * 1024
_ENCODING_LIST = re.compile(r"^[a-zA-Z0-9, .-]{1,200}$")  # the contract's Accept-Encoding pattern
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
access_log = logging.getLogger("convmem.access")


# Header names as Twilio spells them. Frameworks lower-case names; the official client's
# *_with_http_info methods hand headers back in a plain dict keyed as they arrived, so users
# write headers["ETag"] and would get a KeyError from lower-cased names.
_HEADER_SPELLING = {"etag": b"ETag", "www-authenticate": b"WWW-Authenticate", "x-request-id": b"X-Request-Id"}


def canonical_header(name: bytes) -> bytes:
    text = name.decode("latin-1").lower()
    return _HEADER_SPELLING.get(text) or "-".join(p[:1].upper() + p[1:] for p in text.split("-")).encode("latin-1")


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _reject_constant(name: str) -> Any:
    raise BodyError(400, f"Invalid request: {name} is not a valid JSON number")


def _check_strings(value: Any) -> None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for k, v in item.items():
                _check_text(k)
                stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise BodyError(400, "Invalid request: strings may not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(400, "Invalid request: strings may not contain unpaired surrogates") from None


def _inflate(body: bytes, encoding: str) -> bytes:
    """Decode a body that says it is compressed; keep it as is when it is not."""
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as stream:
                data = stream.read(MAX_BODY + 1)
        except (OSError, EOFError, zlib.error):
            raise BodyError(400, "Invalid request: the gzip body could not be decoded") from None
        if len(data) > MAX_BODY:
            raise BodyError(413, "Request body too large once decompressed")
        return data
    if encoding == "deflate" and body[:1] not in (b"{", b"[", b" ", b"\n", b"\r", b"\t"):
        try:
            inflater = zlib.decompressobj()
            data = inflater.decompress(body, MAX_BODY + 1)
        except zlib.error:
            raise BodyError(400, "Invalid request: the deflate body could not be decoded") from None
        if len(data) > MAX_BODY:
            raise BodyError(413, "Request body too large once decompressed")
        return data
    return body


def screen_json(body: bytes, content_encoding: str) -> bytes:
    if content_encoding:
        body = _inflate(body, content_encoding.strip().lower())
    if not body.strip():
        return body
    try:
        parsed = json.loads(body, parse_constant=_reject_constant)
    except BodyError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BodyError(400, "Invalid request: the body is not valid JSON") from None
    _check_strings(parsed)
    return body


def _accept_encoding_from_query(scope: Scope) -> None:
    """The official client names the wanted response encoding in an ``Accept-Encoding`` query
    parameter as well as the header (sometimes only there); fold it into the header so the
    app's one compressor (GZipMiddleware) honours both."""
    query = scope.get("query_string", b"")
    if b"Accept-Encoding=" not in query:
        return
    wanted = [v for k, v in parse_qsl(query.decode("latin-1"))
              if k == "Accept-Encoding" and _ENCODING_LIST.match(v)]
    if not wanted:
        return
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
    current = [v.decode("latin-1") for k, v in scope["headers"] if k.lower() == b"accept-encoding"]
    merged = ", ".join(part for part in [*current, *wanted] if part)
    scope["headers"] = [*headers, (b"accept-encoding", merged.encode("latin-1"))]


def _with_body_deadline(receive: Receive, seconds: float) -> Receive:
    """``receive`` that gives up (BodyTimeout) when the body pauses for longer than ``seconds``:
    a client trickling its body (slowloris) cannot hold a request open. Once the body is
    complete, later calls (a streaming response listening for a disconnect) wait as long as
    they need."""
    done = False

    async def receive_body() -> Message:
        nonlocal done
        if done:
            return await receive()
        try:
            message = await asyncio.wait_for(receive(), seconds)
        except TimeoutError:
            raise BodyTimeout from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            done = True
        return message

    return receive_body


class RequestContextMiddleware:
    """Assigns a request id, logs one structured line per request, refuses NULs in the URL,
    and bounds how long a request body may pause."""

    def __init__(self, app: ASGIApp, *, body_timeout: float = 30.0) -> None:
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = [(canonical_header(k), v) for k, v in message.get("headers", [])]
                message["headers"] = [*headers, (b"X-Request-Id", request_id.encode())]
            await send(message)

        _accept_encoding_from_query(scope)
        try:
            problem = self._check_target(scope)
            if problem is not None:
                await error_response(problem.status, 520046, problem.message)(scope, receive, send_with_id)
            else:
                await self.app(scope, _with_body_deadline(receive, self.body_timeout), send_with_id)
        finally:
            state = scope.get("state", {})
            access_log.info("request", extra={"fields": {
                "request_id": request_id, "method": scope["method"], "path": scope["path"],
                "status": status_holder["status"], "account": state.get("account_sid"),
                "duration_ms": round((time.perf_counter() - started) * 1000, 2)}})

    @staticmethod
    def _check_target(scope: Scope) -> BodyError | None:
        query = scope.get("query_string", b"").decode("latin-1")
        if "\x00" in scope["path"] or "\x00" in unquote(query):
            return BodyError(400, "Invalid request: the URL may not contain NUL characters")
        return None


class BodyScreenMiddleware:
    """Reads and screens JSON request bodies (see the module docstring); paths that take raw
    bytes (the CSV upload target) are passed through untouched."""

    def __init__(self, app: ASGIApp, *, raw_body_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.raw_body_paths = raw_body_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE") \
                or (self.raw_body_paths and scope["path"].startswith(self.raw_body_paths)):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "").strip()
        try:
            if declared.isdigit() and int(declared) > MAX_BODY:
                problem: BodyError | None = BodyError(413, "Request body too large")  # refused unread
            else:
                receive, problem = await self._screen_body(receive, headers)
        except BodyTimeout:
            problem = BodyError(408, BODY_TIMEOUT_MESSAGE)
        if problem is None:
            await self.app(scope, receive, send)
            return
        code = {400: 520046, 408: 20408}.get(problem.status, 20000 + problem.status)
        # A body we stopped reading may still be on the wire: do not keep the connection.
        extra = {"Connection": "close"} if problem.status in (408, 413) else None
        await error_response(problem.status, code, problem.message, extra)(scope, receive, send)

    @staticmethod
    async def _screen_body(receive: Receive, headers: dict[str, str]) -> tuple[Receive, BodyError | None]:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return receive, BodyError(400, "client disconnected")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return receive, BodyError(413, "Request body too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            body = screen_json(body, headers.get("content-encoding", ""))
        except BodyError as exc:
            return receive, exc
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay, None
