"""Console pages of what happens over time: conversations (list with filters; one conversation
with its participants, messages and what extraction made of it), operations, and CSV imports
(upload from the browser, live progress until the import completes or fails)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from convmem.console import data
from convmem.console.deps import Ctx, SignedIn
from convmem.console.sessions import Session, require_csrf
from convmem.console.web import ConsoleRoute, redirect, render
from convmem.domain.errors import DomainError, InvalidRequest
from convmem.domain.trait_schema import CONTACT_GROUP, normalize_trait_name
from convmem.services import imports

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
MAX_UPLOAD = 104857600  # the API's limit for an import (ImportRequest.fileSize)


# ---- conversations ----------------------------------------------------------------------------

@router.get("/conversations")
def conversation_list(request: Request, ctx: Ctx, session: SignedIn, status: str = "", storeId: str = "",
                      after: str = "") -> Response:
    rows = data.conversation_list(ctx.db, session.account_sid, status=status, store_id=storeId[:64],
                                  after=after or None)
    return render(request, "conversations.html", session, rows=rows, status_filter=status, store_id=storeId[:64],
                  next_after=rows[-1].id if len(rows) == 50 else None)


@router.get("/conversations/{conversation_id}")
def conversation_page(request: Request, ctx: Ctx, session: SignedIn, conversation_id: str) -> Response:
    view = data.conversation_view(ctx.db, session.account_sid, conversation_id)
    names = {p.id: (p.name or p.type) for p, _ in view.participants}
    return render(request, "conversation.html", session, v=view, names=names)


# ---- operations -------------------------------------------------------------------------------

@router.get("/operations")
def operation_list(request: Request, ctx: Ctx, session: SignedIn) -> Response:
    stores = data.store_list(ctx.db, session.account_sid)
    recent = {s["row"].id: data.imports_of(ctx.db, session.account_sid, s["row"].id)[1][:10] for s in stores}
    return render(request, "operations.html", session,
                  operations=data.operations(ctx.db, session.account_sid, ctx.settings.operation_retention_days),
                  stores=stores, imports=recent)


# ---- imports ----------------------------------------------------------------------------------

def _imports_page(request: Request, ctx: Ctx, session: Session, store_id: str, *, error: str | None = None,
                  status: int = 200) -> Response:
    store, rows = data.imports_of(ctx.db, session.account_sid, store_id)
    return render(request, "imports.html", session, status=status, store=store, rows=rows, error=error)


@router.get("/stores/{store_id}/imports")
def import_list(request: Request, ctx: Ctx, session: SignedIn, store_id: str) -> Response:
    return _imports_page(request, ctx, session, store_id)


def column_mappings(header: list[str], schema: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Columns named ``Group.trait``, or a trait's name (Contact's first, then any group's)."""
    out = []
    for column in header:
        group, _, trait = column.partition(".")
        if trait and group in schema:
            out.append({"columnName": column, "traitGroup": group, "traitName": trait})
            continue
        try:
            name = normalize_trait_name(column.strip())
        except InvalidRequest:
            continue
        owners = sorted((g for g, traits in schema.items() if name in traits), key=lambda g: g != CONTACT_GROUP)
        if owners:
            out.append({"columnName": column, "traitGroup": owners[0], "traitName": name})
    return out


def _header_and_rows(raw: Any) -> tuple[list[str], int]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, [])
        rows = sum(1 for _ in reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidRequest(f"The file is not a UTF-8 CSV file ({exc})") from None
    finally:
        text.detach()
    raw.seek(0)
    return header, rows


def _upload(ctx: Ctx, session: Session, store_id: str, upload: UploadFile) -> tuple[str, int]:
    """The API's import flow, in process: create the import (with column mappings from the
    header), then store the file through the upload service, chunk by chunk, and queue it."""
    raw = upload.file
    raw.seek(0, io.SEEK_END)
    size = raw.tell()
    raw.seek(0)
    if size == 0:
        raise InvalidRequest("The file is empty")
    if size > MAX_UPLOAD:
        raise InvalidRequest(f"The file is larger than {MAX_UPLOAD} bytes")
    header, rows = _header_and_rows(raw)
    mappings = column_mappings(header, data.trait_schema(ctx.db, session.account_sid, store_id))
    if len(mappings) < 2:
        raise InvalidRequest("At least two columns must name traits of this store (e.g. email and firstName, or "
                             "Contact.email); found: " + ", ".join(header[:20]))
    created = imports.create(ctx.db, session.account_sid, store_id, filename=(upload.filename or "upload.csv")[:255],
                             file_size=size, mappings=mappings, region=ctx.settings.default_phone_region,
                             ttl_seconds=ctx.settings.import_upload_ttl_seconds)
    query = parse_qs(urlsplit(created.upload_path).query)
    attempt = imports.begin_upload(ctx.db, created.import_id, query["expires"][0], query["signature"][0])
    try:
        while chunk := raw.read(imports.UPLOAD_CHUNK_BYTES):
            imports.write_chunk(ctx.db, attempt, chunk)
    except BaseException:
        imports.abort_upload(ctx.db, attempt)
        raise
    imports.finish_upload(ctx.db, attempt)
    return created.import_id, rows


@router.post("/stores/{store_id}/imports")
async def upload_import(request: Request, ctx: Ctx, session: SignedIn, store_id: str) -> Response:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_UPLOAD + 65536:
        return await run_in_threadpool(_imports_page, request, ctx, session, store_id, status=413,
                                       error=f"The upload must declare its length and be at most {MAX_UPLOAD} bytes")
    form = await request.form(max_files=1)
    await require_csrf(request, session)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return await run_in_threadpool(_imports_page, request, ctx, session, store_id, status=400,
                                       error="Choose a CSV file to upload.")
    try:
        import_id, rows = await run_in_threadpool(_upload, ctx, session, store_id, upload)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await run_in_threadpool(_imports_page, request, ctx, session, store_id, status=exc.status,
                                       error=exc.message)
    return redirect(f"/console/stores/{store_id}/imports/{import_id}?rows={rows}")


def _status(row: Any, total: int | None) -> dict[str, Any]:
    return {"status": row.status, "processedRows": row.rows_done, "errors": row.errors, "warnings": row.warnings,
            "totalRows": total, "done": row.status in ("COMPLETED", "FAILED"), "failure": row.failure}


@router.get("/stores/{store_id}/imports/{import_id}")
def import_page(request: Request, ctx: Ctx, session: SignedIn, store_id: str, import_id: str,
                rows: int | None = None) -> Response:
    row = imports.fetch(ctx.db, session.account_sid, store_id, import_id[:64])
    total = rows if rows is not None and rows >= 0 else None
    return render(request, "import.html", session, store_id=store_id, row=row, s=_status(row, total), total=total)


@router.get("/stores/{store_id}/imports/{import_id}/progress")
def import_progress(request: Request, ctx: Ctx, session: SignedIn, store_id: str, import_id: str,
                    rows: int | None = None) -> Response:
    row = imports.fetch(ctx.db, session.account_sid, store_id, import_id[:64])
    return JSONResponse(_status(row, rows))


# Last of the console's routes: any other path under /console/ is an HTML 404, not the API's JSON one.
@router.get("/{rest:path}")
def not_found(request: Request, rest: str) -> Response:
    return render(request, "error.html", status=404, title="Not found",
                  message="There is no console page at this address.")
