"""Liveness and readiness probes (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from convmem.api.deps import Context
from convmem.storage.migrate import is_current

router = APIRouter(tags=["Health"])


@router.get("/healthz", summary="Liveness")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the database answers and its schema is current")
def readyz(ctx: Context) -> JSONResponse:
    try:
        with ctx.db.read() as conn:
            conn.execute(text("SELECT 1"))
        if not is_current(ctx.db):
            return JSONResponse({"status": "migrations pending"}, status_code=503)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return JSONResponse({"status": "database unavailable", "detail": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ready"})
