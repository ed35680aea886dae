"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from convmem.api.deps import Context
from convmem.api.schemas.common import Health, Readiness
from convmem.storage.migrate import is_current

router = APIRouter(tags=["Health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


def free_disk_bytes(path: Path) -> int | None:
    """Free space on the volume holding ``path`` (or its nearest existing parent)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return None


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready: the database is unavailable, its schema "
                                                                  "is not current or the data volume is low on space"}},
            summary="Readiness: the database answers, its schema is current and the data volume has room")
def readyz(ctx: Context) -> JSONResponse:
    if ctx.db.is_sqlite and ctx.db.url.database:
        free = free_disk_bytes(Path(ctx.db.url.database).parent)
        floor = ctx.settings.min_free_disk_mb * 1024 * 1024
        if free is not None and free < floor:
            return JSONResponse({"status": "low disk space", "detail": f"{free // 2**20} MB free, "
                                 f"at least {ctx.settings.min_free_disk_mb} MB required"}, status_code=503)
    try:
        with ctx.db.read() as conn:
            conn.execute(text("SELECT 1"))
        if not is_current(ctx.db):
            return JSONResponse({"status": "migrations pending"}, status_code=503)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JSONResponse({"status": "database unavailable", "detail": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ready"})
