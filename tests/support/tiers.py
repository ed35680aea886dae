"""The two test tiers, and the guard between them.

Tests marked ``e2e`` drive a real ``convmem serve`` process (``make test`` runs them); every other
test runs in-process (``make test-fast``). Starting a server process from a test that is not
marked ``e2e`` fails that test, so a server process cannot slip into the fast tier unnoticed:
``start_server`` checks, and so does every ``subprocess.Popen`` of ``convmem serve`` or uvicorn."""

from __future__ import annotations

import os
import shlex
import subprocess
from typing import Any

import pytest

E2E = "e2e"
_server_processes_allowed = False


# Session fixtures that are a server process: refused up front to tests outside the tier (a
# failure inside a session fixture would be cached, and fail the e2e tests that use it next).
LIVE_FIXTURES = ("live_server",)


def enter(item: pytest.Item) -> None:
    """Called for each test before its fixtures are set up (tests/conftest.py)."""
    global _server_processes_allowed
    _server_processes_allowed = item.get_closest_marker(E2E) is not None
    live = [name for name in LIVE_FIXTURES if name in getattr(item, "fixturenames", ())]
    if live and not _server_processes_allowed:
        check_server_process(f"the {live[0]} fixture")


def check_server_process(command: str) -> None:
    if not _server_processes_allowed:
        pytest.fail(f"{command} starts a server process, which only tests marked @pytest.mark.{E2E} may do: "
                    "use the in-process server (the `server`, `http`, `v1` fixtures or "
                    "tests.support.inprocess.serve_in_process), or mark the test e2e", pytrace=False)


def is_server_command(args: Any) -> bool:
    if isinstance(args, (str, bytes, os.PathLike)):
        argv = shlex.split(os.fsdecode(args))
    else:
        argv = [os.fsdecode(a) for a in args]
    words = [os.path.basename(a) for a in argv]
    return ("convmem" in words and "serve" in words) or any(w == "uvicorn" or w.startswith("uvicorn.")
                                                            for w in words)


class _GuardedPopen(subprocess.Popen):  # type: ignore[type-arg]
    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        if is_server_command(args):
            command = os.fsdecode(args) if isinstance(args, (str, bytes, os.PathLike)) else \
                " ".join(shlex.quote(os.fsdecode(a)) for a in args)
            check_server_process(f"`{command}`")
        super().__init__(args, *rest, **kwargs)


def install_popen_guard() -> None:
    """``subprocess.Popen`` (and so ``subprocess.run``) refuses server commands outside e2e tests."""
    if subprocess.Popen is not _GuardedPopen:
        subprocess.Popen = _GuardedPopen  # type: ignore[misc]
