"""Command line: ``convmem serve | migrate | accounts create | keys create``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from convmem.config import Settings

app = typer.Typer(help="convmem: a self-hostable Conversation Memory server (Twilio Memory v1 API).",
                  no_args_is_help=True, add_completion=False)
accounts_app = typer.Typer(help="Manage accounts.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Directory of the embedded SQLite database.")]
DatabaseUrl = Annotated[str | None, typer.Option("--database-url",
                                                 help="sqlite:///path or postgresql://user@host/db")]


def _settings(data_dir: Path | None, database_url: str | None) -> Settings:
    # Options become environment variables so that uvicorn worker processes, which build their
    # own Settings, see exactly what the parent saw.
    if data_dir is not None:
        os.environ["CONVMEM_DATA_DIR"] = str(data_dir.resolve())
    if database_url is not None:
        os.environ["CONVMEM_DATABASE_URL"] = database_url
    return Settings()


def _open(settings: Settings):  # type: ignore[no-untyped-def]
    from convmem.storage import migrate
    from convmem.storage.db import Database

    db = Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous)
    migrate.upgrade(db)
    return db


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8080,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
) -> None:
    """Run the HTTP server (migrating the database first)."""
    import uvicorn

    from convmem.auth import service as auth
    from convmem.domain.errors import DomainError

    settings = _settings(data_dir, database_url)
    db = _open(settings)
    try:
        if settings.account_sid and settings.auth_token:
            auth.ensure_account(db, settings.account_sid, settings.auth_token)
        elif (issued := auth.create_first_account(db)) is not None:
            typer.echo("Created the first account. Keep these credentials; the token is not shown again:")
            typer.echo(json.dumps({"accountSid": issued.account_sid, "authToken": issued.auth_token}))
            sys.stdout.flush()
    except DomainError as exc:
        _fail(exc.message)
    finally:
        is_sqlite = db.is_sqlite
        db.dispose()
    if workers > 1 and is_sqlite and settings.rate_limit_per_second > 0:
        _share_rate_limit(settings, workers)
    uvicorn.run("convmem.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_config=None, access_log=False, proxy_headers=False, server_header=False,
                # uvicorn's h11 protocol (which writes header names as the app spells them;
                # httptools lower-cases them) with convmem's connection limits on top.
                http="convmem.api.http_protocol:GuardedH11Protocol",
                timeout_keep_alive=settings.keep_alive_seconds,  # type: ignore[arg-type]
                h11_max_incomplete_event_size=settings.max_header_bytes)


def _share_rate_limit(settings: Settings, workers: int) -> None:
    """On SQLite each server process keeps its rate buckets in memory (a bucket in the database
    would put a write transaction on every request). So that ``--workers N`` does not multiply
    the configured per-account limit by N, each process gets 1/N of the rate and of the burst."""
    rate, burst = settings.rate_limit_per_second / workers, max(1, settings.rate_limit_burst // workers)
    os.environ["CONVMEM_RATE_LIMIT_PER_SECOND"] = repr(rate)
    os.environ["CONVMEM_RATE_LIMIT_BURST"] = str(burst)
    typer.echo(f"SQLite with {workers} workers: each process allows {rate:g} requests/s per account "
               f"(burst {burst}), {settings.rate_limit_per_second:g}/s in all", err=True)


@app.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the database schema."""
    _open(_settings(data_dir, database_url)).dispose()
    typer.echo("database schema is up to date")


@accounts_app.command("create")
def accounts_create(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create an account and print its credentials as JSON."""
    from convmem.auth import service as auth

    db = _open(_settings(data_dir, database_url))
    try:
        issued = auth.create_account(db)
    finally:
        db.dispose()
    typer.echo(json.dumps({"accountSid": issued.account_sid, "authToken": issued.auth_token}))


@keys_app.command("create")
def keys_create(
    account: Annotated[str, typer.Option("--account", help="Account SID (AC...) the key belongs to.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key for an account and print it as JSON."""
    from convmem.auth import service as auth
    from convmem.domain.errors import DomainError

    db = _open(_settings(data_dir, database_url))
    try:
        issued = auth.create_api_key(db, account)
    except DomainError as exc:
        _fail(exc.message)
    finally:
        db.dispose()
    typer.echo(json.dumps({"sid": issued.sid, "secret": issued.secret}))
