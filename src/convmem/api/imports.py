"""/v1/Stores/{storeId}/Profiles/Imports, and the upload target its URLs point at."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.requests import ClientDisconnect

from convmem.api.deps import Account, BaseUrl, Context, Paging, page_request
from convmem.api.errors import error_response
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.profiles import ImportCreated, ImportList, ImportRequest, ImportStatus
from convmem.domain.timefmt import format_ts
from convmem.services import imports

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/Imports", tags=["Profile"], responses=ERROR_RESPONSES)
# No Basic auth here: the signed token in the URL is the credential, as with a pre-signed URL.
upload_router = APIRouter(prefix=imports.UPLOAD_PREFIX, tags=["Uploads"], responses=ERROR_RESPONSES)
UPLOAD_PREFIX = imports.UPLOAD_PREFIX
_CAP = 100
MAX_UPLOAD = 104857600


@router.get("", response_model=ImportList, summary="ListProfileImportsV2")
def list_imports(ctx: Context, account: Account, storeId: str, paging: Paging) -> JSONResponse:
    scope = f"imports:{storeId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_CAP)
    page = imports.list_page(ctx.db, account, storeId, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "imports", [row.id for row in page.items], page))


@router.post("", status_code=201, response_model=ImportCreated, summary="CreateProfilesImportV2")
def create_import(ctx: Context, account: Account, base: BaseUrl, storeId: str, body: ImportRequest) -> JSONResponse:
    created = imports.create(ctx.db, account, storeId, filename=body.filename, file_size=body.fileSize,
                             mappings=[m.model_dump() for m in body.columnMappings],
                             region=ctx.settings.default_phone_region,
                             ttl_seconds=ctx.settings.import_upload_ttl_seconds)
    return JSONResponse({"importId": created.import_id, "url": f"{base}{created.upload_path}"}, status_code=201)


@router.get("/{importId}", response_model=ImportStatus, summary="FetchProfileImportV2")
def fetch_import(ctx: Context, account: Account, storeId: str, importId: str) -> JSONResponse:
    row = imports.fetch(ctx.db, account, storeId, importId)
    summary = {"errors": row.errors, "warnings": row.warnings, "processedRows": row.rows_done,
               "details": row.details}
    if row.failure:
        summary["failure"] = row.failure
    return JSONResponse({"status": row.status, "filename": row.filename, "createdAt": format_ts(row.created_at),
                         "updatedAt": format_ts(row.updated_at), "fileSize": row.file_size,
                         "columnMappings": row.column_mappings, "summary": summary})


@upload_router.put("/{importId}", response_class=Response,
                   responses={200: {"description": "The CSV was stored (an empty body); the import starts"}},
                   summary="Upload the CSV of an import (the URL CreateProfilesImportV2 returned)")
async def upload_csv(request: Request, importId: str,
                     expires: Annotated[str | None, Query()] = None,
                     signature: Annotated[str | None, Query()] = None) -> Response:
    ctx = request.app.state.context
    upload = await run_in_threadpool(imports.begin_upload, ctx.db, importId, expires, signature)
    limit = min(upload.declared_size, MAX_UPLOAD)
    chunk_size = imports.UPLOAD_CHUNK_BYTES
    size = 0
    pending = bytearray()
    try:
        # Streamed into the database a chunk at a time, each chunk its own transaction: at most
        # one chunk (plus one network read) is in memory, and no write lock is held between them.
        async for piece in request.stream():
            size += len(piece)
            if size > limit:
                raise OverflowError
            pending += piece
            while len(pending) >= chunk_size:
                await run_in_threadpool(imports.write_chunk, ctx.db, upload, bytes(pending[:chunk_size]))
                del pending[:chunk_size]
        if pending:
            await run_in_threadpool(imports.write_chunk, ctx.db, upload, bytes(pending))
    except OverflowError:
        await run_in_threadpool(imports.abort_upload, ctx.db, upload)
        return error_response(413, 20413, f"The upload is larger than the import's declared fileSize ({limit} bytes)")
    except imports.UploadSuperseded as exc:
        await run_in_threadpool(imports.abort_upload, ctx.db, upload)
        return error_response(exc.status, exc.code, exc.message)
    except ClientDisconnect:
        # Nobody reads this response; the URL is usable again for a retry.
        await run_in_threadpool(imports.abort_upload, ctx.db, upload)
        return error_response(400, 520046, "The client disconnected before the upload was complete")
    except BaseException:
        await run_in_threadpool(imports.abort_upload, ctx.db, upload)
        raise
    if size == 0:
        await run_in_threadpool(imports.abort_upload, ctx.db, upload)
        return error_response(400, 520046, "The upload is empty")
    await run_in_threadpool(imports.finish_upload, ctx.db, upload)
    return Response(status_code=200)
