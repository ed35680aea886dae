"""Liveness under an unauthenticated flood: /healthz latency while N clients without
credentials post large JSON bodies in a loop, against /healthz on the same quiet server in the
same run; and how fast each flooding request is refused.

    .venv/bin/python bench/unauthenticated_flood.py [--clients 4] [--body-mb 30] [--seconds 20]

Each flooding client opens a connection, sends the head of a POST with a body of --body-mb MB
and then streams the body until the server answers (or closes), and starts over. Before the
authentication gate, the server read and parsed every body before refusing it."""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import launch, stop


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _healthz_latencies(url: str, seconds: float) -> list[float]:
    latencies = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=60) as client:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.02)
    return latencies


def _flood(port: int, body_bytes: int, stop_at: float, refusals: list[tuple[float, int]]) -> None:
    head = (b"POST /v1/ControlPlane/Stores HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(body_bytes).encode() + b"\r\n\r\n")
    chunk = b"[" + b"1," * 32767 + b"1"
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                sock.sendall(head)
                sock.setblocking(False)
                sent, answer = 0, b""
                while sent < body_bytes and not answer:
                    try:
                        sent += sock.send(chunk[: body_bytes - sent])
                    except BlockingIOError:
                        time.sleep(0.001)
                    except OSError:
                        break
                    try:
                        answer = sock.recv(4096)
                    except BlockingIOError:
                        pass
                    except OSError:
                        break
                sock.setblocking(True)
                if not answer:
                    try:
                        answer = sock.recv(4096)
                    except OSError:
                        answer = b""
            status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
            refusals.append(((time.perf_counter() - started) * 1000, status))
        except OSError:
            refusals.append(((time.perf_counter() - started) * 1000, 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--body-mb", type=float, default=30)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url, proc = launch({"CONVMEM_DATA_DIR": tmp}, Path(tmp) / "server.log")
        try:
            port = int(url.rsplit(":", 1)[1])
            quiet = _healthz_latencies(url, min(args.seconds, 10))
            refusals: list[tuple[float, int]] = []
            stop_at = time.monotonic() + args.seconds
            threads = [threading.Thread(target=_flood, args=(port, int(args.body_mb * 2**20), stop_at, refusals))
                       for _ in range(args.clients)]
            for thread in threads:
                thread.start()
            time.sleep(1)
            loaded = _healthz_latencies(url, args.seconds - 2)
            for thread in threads:
                thread.join()
        finally:
            stop(proc)
    print(f"/healthz quiet:        p50 {statistics.median(quiet):.1f} ms, p95 {_percentile(quiet, 0.95):.1f} ms "
          f"({len(quiet)} requests)")
    print(f"/healthz under flood:  p50 {statistics.median(loaded):.1f} ms, p95 {_percentile(loaded, 0.95):.1f} ms "
          f"({len(loaded)} requests; {args.clients} clients posting {args.body_mb:g} MB bodies without credentials)")
    times = [ms for ms, _ in refusals]
    statuses: dict[int, int] = {}
    for _, status in refusals:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"flooding requests: {len(refusals)}, refused after p50 {statistics.median(times):.1f} ms, "
          f"p95 {_percentile(times, 0.95):.1f} ms; statuses {dict(sorted(statuses.items()))} (0 = no answer)")


if __name__ == "__main__":
    main()
