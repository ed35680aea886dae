"""MCP over stdin/stdout for one account: what ``convmem mcp`` runs, so that a desktop agent can
start convmem as a subprocess.

It opens the database ``convmem serve`` with the same options uses (SQLite's WAL mode lets a
running server keep it open meanwhile; PostgreSQL is shared anyway) and acts for the one account
named on the command line, which must exist there. Like a server process it

- watches for other processes' erasures, so its Recall caches never serve an erased memory;
- runs a job worker, so that what ``remember`` writes is embedded even when no server runs (the
  jobs' leases keep it and a running server from doing one job twice).

stdout carries protocol messages only: logs go to stderr (``logs.configure``), and while the
SDK's stdio transport serves, it points file descriptor 1 at stderr, so that a stray print of any
library cannot corrupt the stream either."""

from __future__ import annotations

import logging
import sys

import anyio
from mcp.server.stdio import stdio_server

from convmem import logs
from convmem.agent_tools.server import build_server
from convmem.agent_tools.tools import Caller
from convmem.api.errors import infrastructure_failure
from convmem.auth.credentials import ACCOUNT_SID_RE
from convmem.config import Settings
from convmem.jobs.worker import JobWorker
from convmem.runtime import Runtime
from convmem.services import erasure
from convmem.storage import accounts, migrate

log = logging.getLogger("convmem.mcp")


class StartupError(Exception):
    """A reason not to serve, told to the user on stderr."""


def check_account(runtime: Runtime, account_sid: str) -> None:
    if not ACCOUNT_SID_RE.match(account_sid):
        raise StartupError(f"{account_sid!r} is not an Account SID (AC followed by 32 lowercase hex digits)")
    with runtime.db.read() as conn:
        exists = accounts.account_exists(conn, account_sid)
    if not exists:
        where = runtime.db.url.render_as_string(hide_password=True)
        raise StartupError(f"account {account_sid} does not exist in the database at {where}; create one with "
                           "`convmem accounts create` (same --data-dir or --database-url), or use the account "
                           "`convmem serve` printed")


async def _serve(runtime: Runtime, caller: Caller) -> None:
    server = build_server(runtime, lambda _ctx: caller)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def serve(settings: Settings, account_sid: str) -> int:
    """Serve until the client closes stdin; the exit status (2: could not start)."""
    logs.configure(settings.log_level)
    runtime = Runtime.build(settings)
    worker: JobWorker | None = None
    try:
        try:
            # As every other command does: the schema is brought up to date (a no-op when a
            # server already did; migrations take a lock, so a concurrent start is safe).
            migrate.upgrade(runtime.db)
            check_account(runtime, account_sid)
        except StartupError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except Exception as exc:
            if infrastructure_failure(exc) is None:
                raise
            where = runtime.db.url.render_as_string(hide_password=True)
            print(f"error: the database at {where} cannot be opened or reached: {exc}", file=sys.stderr)
            return 2
        erasure.watch(runtime.db, runtime.recall)
        runtime.recall.queries.warm_up()  # the query model loads before the first recall needs it
        if settings.run_jobs:
            worker = JobWorker(runtime)
            worker.start()
        log.info("serving MCP over stdio", extra={"fields": {"account": account_sid}})
        anyio.run(_serve, runtime, Caller(account_sid=account_sid, credential_sid=account_sid))
        return 0
    finally:
        if worker is not None:
            worker.stop()
        runtime.close()
