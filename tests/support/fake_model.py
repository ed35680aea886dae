"""An OpenAI-compatible chat-completions server on loopback (a thread of the test process) that
answers from a script: the LLM extraction backend's counterpart in the tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Responder = Callable[[dict[str, Any]], tuple[int, dict[str, str], bytes, float]]


@dataclass
class FakeModelServer:
    """Speaks POST /v1/chat/completions; each request pops the next responder (the last one repeats)."""

    responders: list[Responder] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


@contextmanager
def model_server() -> Iterator[FakeModelServer]:
    state = FakeModelServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            responder = state.responders.pop(0) if len(state.responders) > 1 else state.responders[0]
            status, headers, payload, delay = responder(body)
            if delay:
                time.sleep(delay)
            try:
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def completion(content: str | dict[str, Any], delay: float = 0.0) -> Responder:
    text = content if isinstance(content, str) else json.dumps(content)
    envelope = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
    }
    return lambda _body: (200, {}, json.dumps(envelope).encode(), delay)


def status(code: int, headers: dict[str, str] | None = None) -> Responder:
    return lambda _body: (code, headers or {}, b'{"error": {"message": "busy"}}', 0.0)
