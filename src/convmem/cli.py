"""Command line: ``convmem serve | worker | migrate | accounts create | keys create | screen | mcp``."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
    from convmem.progress import migration_bar
    from convmem.storage import migrate
    from convmem.storage.db import Database

    db = Database(settings.resolved_database_url(), sqlite_synchronous=settings.sqlite_synchronous)
    with migration_bar() as bar:  # on stderr, and only when there is something to migrate
        migrate.upgrade(db, bar)
    return db


_MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_OWN_METRICS_DIR = "convmem-metrics-"


@contextmanager
def _metrics_directory(workers: int) -> Iterator[None]:
    """prometheus-client's multi-process directory, so that /metrics of any of ``workers``
    server processes reports them all (metrics.py). The operator's PROMETHEUS_MULTIPROC_DIR is
    used when set (e.g. shared with a `convmem worker` on this host), emptied at start of the
    files of processes no longer running; otherwise `serve --workers N` (N > 1) makes a
    temporary one and removes it on exit. Set before any process imports prometheus-client,
    which reads it then."""
    from convmem.metrics import clean_directory

    given = os.environ.get(_MULTIPROC_ENV)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        clean_directory(Path(given))
        yield
        return
    if workers <= 1:
        yield
        return
    _remove_stale_metrics_directories()
    made = tempfile.mkdtemp(prefix=f"{_OWN_METRICS_DIR}{os.getpid()}-")
    os.environ[_MULTIPROC_ENV] = made
    try:
        yield
    finally:
        shutil.rmtree(made, ignore_errors=True)


def _remove_stale_metrics_directories() -> None:
    """Directories a killed `serve` (SIGKILL: no clean-up) left behind: its pid is in the name."""
    from convmem.metrics import pid_alive

    for path in Path(tempfile.gettempdir()).glob(f"{_OWN_METRICS_DIR}*-*"):
        pid = path.name.removeprefix(_OWN_METRICS_DIR).partition("-")[0]
        try:
            ours = path.stat().st_uid == os.getuid()
        except OSError:  # removed meanwhile (another server starting)
            continue
        if pid.isdigit() and ours and not pid_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


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
    no_jobs: Annotated[bool, typer.Option("--no-jobs", help="Serve HTTP only: no job workers and no conversation "
                                          "timers (run `convmem worker` processes for them).")] = False,
) -> None:
    """Run the HTTP server (migrating the database first), with the background work (jobs and
    conversation timers) in each server process unless --no-jobs."""
    import uvicorn

    from convmem.auth import service as auth
    from convmem.domain.errors import DomainError

    if no_jobs:  # through the environment, so that every uvicorn worker process sees it
        os.environ["CONVMEM_RUN_JOBS"] = "false"
        os.environ["CONVMEM_RUN_CONVERSATION_TIMERS"] = "false"
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
    with _metrics_directory(workers):
        uvicorn.run("convmem.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_config=None, access_log=False, proxy_headers=False, server_header=False,
                    # uvicorn's h11 protocol (which writes header names as the app spells them;
                    # httptools lower-cases them) with convmem's connection limits on top.
                    http="convmem.api.http_protocol:GuardedH11Protocol",
                    timeout_keep_alive=settings.keep_alive_seconds,  # type: ignore[arg-type]
                    h11_max_incomplete_event_size=settings.max_header_bytes)


@app.command()
def worker(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    concurrency: Annotated[int | None, typer.Option(min=1, max=64, help="Worker threads (default "
                                                    "CONVMEM_JOB_CONCURRENCY, 1).")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve GET /metrics on this port (same token as "
                                                     "the API's).")] = None,
    metrics_host: Annotated[str, typer.Option(help="Interface of the /metrics port.")] = "127.0.0.1",
) -> None:
    """Run the background work without HTTP: every job kind (bulk upserts, CSV imports,
    embeddings, conversation extraction, erasure reclaim) and the conversation lifecycle timers,
    until SIGTERM or SIGINT (running jobs finish, or are released for another worker)."""
    from convmem import logs, tracing
    from convmem.background import run_worker
    from convmem.metrics import serve_metrics
    from convmem.progress import StartupSteps
    from convmem.runtime import Runtime

    settings = _settings(data_dir, database_url)
    with _metrics_directory(1):
        _open(settings).dispose()
        logs.configure(settings.log_level)
        runtime = Runtime.build(settings)
        tracing.instrument_worker(runtime)
        exporter = serve_metrics(runtime.metrics, metrics_host, metrics_port, settings.metrics_token) \
            if metrics_port is not None else None
        try:
            code = run_worker(runtime, concurrency or settings.job_concurrency, StartupSteps())
        finally:
            if exporter is not None:
                exporter.shutdown()
            runtime.close()
    raise typer.Exit(code)


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


@app.command("mcp")
def mcp_command(
    account: Annotated[str, typer.Option("--account", help="Account SID (AC...) whose memory the tools use.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Serve the memory tools to an AI agent over MCP on stdin/stdout (logs on stderr), on the
    database `convmem serve` uses with the same options."""
    from convmem.agent_tools import stdio

    # Given to Settings directly (they win over CONVMEM_* variables), not through the
    # environment: this process starts no workers that would need to inherit them.
    options: dict[str, object] = {}
    if data_dir is not None:
        options["data_dir"] = data_dir.resolve()
    if database_url is not None:
        options["database_url"] = database_url
    raise typer.Exit(stdio.serve(Settings(**options), account))  # type: ignore[arg-type]


@app.command("screen")
def screen_command(
    input_file: Annotated[Path | None, typer.Option("--input", help="JSON lines file; default standard input.")] = None,
) -> None:
    """Screen texts for GDPR special-category data: JSON lines {"text": ...} in, one JSON line
    {"sensitive", "category", "score"} out per input, in order. Exits 2 on malformed input."""
    from convmem.extract.screening import SpecialCategoryScreen, read_texts, verdict_json
    from convmem.search.embedding import EmbeddingModels

    try:
        lines = (input_file.read_text(encoding="utf-8") if input_file else sys.stdin.read()).splitlines()
        texts = read_texts(lines)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _fail(f"{input_file or 'stdin'}: {exc}")
    settings = Settings()
    screen = SpecialCategoryScreen.for_models(EmbeddingModels(settings.embedding_model,
                                                              settings.resolved_model_cache_dir()))
    for result in screen.screen_many(texts):
        typer.echo(verdict_json(result))
