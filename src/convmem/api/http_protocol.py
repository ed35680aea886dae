"""The HTTP/1.1 connection protocol uvicorn runs for convmem: uvicorn's h11 protocol with the
limits a public server needs and uvicorn leaves out.

* The request head (request line and headers) must arrive within ``header_timeout_seconds`` of
  the connection opening or of the previous response (slowloris), or the connection gets 408
  and is closed; a connection that never sends a byte is closed at the same deadline.
* A head larger than ``max_header_bytes`` gets 431 in the API's error shape (uvicorn answers
  any malformed head with a plain-text 400).
* At most ``max_connections`` connections per process: a new one past the limit closes the
  longest-idle keep-alive connection, or is itself refused with 503 when none is idle.
* Closing a connection whose request was not read to the end (a refused upload, an oversized
  head) half-closes it and discards what keeps arriving for a moment (at most
  ``_LINGER_BYTES``, ``_LINGER_SECONDS``) so the client reads our answer instead of a reset.

Uvicorn builds the protocol from an import string with its own config only, so the limits come
from the process's ``Settings`` (the CLI hands options to every worker process through the
environment)."""

from __future__ import annotations

import asyncio
import functools
import http
import json
import time
from dataclasses import dataclass
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from convmem.config import Settings

_LINGER_BYTES = 2 * 1024 * 1024
_LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float
    max_header_bytes: int
    max_connections: int


@functools.cache
def connection_limits() -> ConnectionLimits:
    settings = Settings()
    return ConnectionLimits(settings.header_timeout_seconds, settings.max_header_bytes, settings.max_connections)


def _error_bytes(status: int, code: int, message: str) -> bytes:
    return json.dumps({"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/api/errors/{code}",
                       "status": status}).encode()


class _LingeringTransport:
    """The connection's transport as the protocol's request cycles see it: ``close`` lingers
    when the client may still be sending (see the module docstring)."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedH11Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    def close(self) -> None:
        self._protocol.close_lingering()

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedH11Protocol(H11Protocol):
    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.limits = connection_limits()
        self.lingering = False
        self._raw: asyncio.Transport | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._discarded = 0
        self.last_active = time.monotonic()

    # -- connection lifecycle --------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._raw = transport
        self.transport = _LingeringTransport(transport, self)  # type: ignore[assignment]
        if not self._make_room():
            self._refuse_overload()
            return
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self._discarded += len(data)
            if self._discarded > _LINGER_BYTES and self._raw is not None:
                self._raw.close()
            return
        self.last_active = time.monotonic()
        super().data_received(data)
        if self._awaiting_head():
            if self._head_timer is None:
                self._arm_head_timer()
        else:
            self._cancel_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.last_active = time.monotonic()
        if self._awaiting_head() and not self.transport.is_closing():
            self._arm_head_timer()

    # -- the head deadline --------------------------------------------------------------------
    def _awaiting_head(self) -> bool:
        """Between requests, or discarding the unread body of a request already answered: no
        application code is waiting on this connection, so nothing else bounds it."""
        return self.conn.their_state is h11.IDLE or self.conn.our_state is h11.DONE

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._awaiting_head():
            return
        pending = bool(self.conn.trailing_data[0])
        if pending and self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE:
            self._send_error(408, 20408, "Request Timeout: the request head did not arrive in time")
        else:
            # Idle keep-alive, or a connection that never sent anything: nothing to answer.
            self._raw_close()

    # -- refusing what h11 cannot parse ---------------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        # h11 refuses a head that outgrows its buffer with "Receive buffer too long"; the buffer
        # then holds more than the limit and no complete head.
        if len(self.conn.trailing_data[0]) > self.limits.max_header_bytes:
            self._send_error(431, 20431, "Request Header Fields Too Large: the request head exceeds "
                                         f"{self.limits.max_header_bytes} bytes")
        else:
            self._send_error(400, 520046, "Invalid request: malformed HTTP request")

    def _send_error(self, status: int, code: int, message: str) -> None:
        body = _error_bytes(status, code, message)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        try:
            self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers,
                                                                reason=http.HTTPStatus(status).phrase)) or b"")
            self.transport.write(self.conn.send(h11.Data(data=body)) or b"")
            self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            pass  # the state machine cannot send a response now: just close
        self.transport.close()

    # -- connection limit ---------------------------------------------------------------------
    def _idle(self) -> bool:
        return (self.cycle is None or self.cycle.response_complete) and self.conn.their_state is h11.IDLE

    def _make_room(self) -> bool:
        """False when this connection is over the limit and no idle one could make way."""
        if len(self.connections) <= self.limits.max_connections:
            return True
        idle = [c for c in self.connections if c is not self and isinstance(c, GuardedH11Protocol) and c._idle()]
        if not idle:
            return False
        min(idle, key=lambda c: c.last_active)._raw_close()
        return True

    def _refuse_overload(self) -> None:
        body = _error_bytes(503, 20503, "Service Unavailable: too many open connections")
        head = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
                b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n")
        if self._raw is not None:
            self._raw.write(head + body)
        self.close_lingering()

    # -- closing --------------------------------------------------------------------------------
    def _raw_close(self) -> None:
        self._cancel_head_timer()
        if self._raw is not None and not self._raw.is_closing():
            self._raw.close()

    def close_lingering(self) -> None:
        raw = self._raw
        if raw is None or raw.is_closing() or self.lingering:
            return
        if self.conn.their_state in (h11.IDLE, h11.DONE, h11.MUST_CLOSE, h11.CLOSED) and not self.conn.trailing_data[0]:
            self._raw_close()
            return
        self.lingering = True
        self._cancel_head_timer()
        self._unset_keepalive_if_required()
        raw.resume_reading()
        if raw.can_write_eof():
            raw.write_eof()
        self.loop.call_later(_LINGER_SECONDS, self._raw_close)
