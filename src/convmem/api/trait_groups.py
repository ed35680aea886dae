"""/v1/ControlPlane/Stores/{storeId}/TraitGroups"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse
from sqlalchemy import Row

from convmem.api.deps import Account, BaseUrl, Context, IfMatch, Paging, page_request, parse_bool
from convmem.api.responses import accepted, page_body, page_meta, with_etag
from convmem.api.schemas.common import ERROR_RESPONSES, AsyncAccepted
from convmem.api.schemas.control_plane import (
    PatchTraitGroupRequest,
    TraitGroupFetch,
    TraitGroupList,
    TraitGroupRequest,
)
from convmem.domain.etag import make_etag
from convmem.services import trait_groups
from convmem.storage.paging import list_page

router = APIRouter(prefix="/v1/ControlPlane/Stores/{storeId}/TraitGroups", tags=["TraitGroup"],
                   responses=ERROR_RESPONSES)
_LIST_CAP = 50
_TRAITS_CAP = 100
IncludeTraits = Annotated[str | None, Query(alias="includeTraits")]


def _traits_dump(traits: dict[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    if traits is None:
        return None
    return {name: definition.model_dump(exclude_none=True) for name, definition in traits.items()}


def group_to_wire(row: Row[Any], traits: dict[str, Any] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"displayName": row.name}
    if row.description is not None:
        body["description"] = row.description
    if traits is not None:
        body["traits"] = traits
    body["version"] = row.version
    return body


@router.get("", response_model=TraitGroupList, summary="ListTraitGroups")
def list_groups(ctx: Context, account: Account, storeId: str, paging: Paging,
                include_traits: IncludeTraits = None) -> JSONResponse:
    scope = f"traitGroups:{storeId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_LIST_CAP,
                       filters={"t": parse_bool(include_traits, "includeTraits", False)})
    page = trait_groups.list_page(ctx.db, account, storeId, req.cursor, req.size)
    with_traits = bool(req.cursor.filters.get("t"))
    items = [group_to_wire(r, r.traits if with_traits else None) for r in page.items]
    return JSONResponse(page_body(ctx, scope, "traitGroups", items, page))


@router.post("", status_code=202, response_model=AsyncAccepted, summary="CreateTraitGroup")
def create_group(ctx: Context, account: Account, base: BaseUrl, storeId: str,
                 body: TraitGroupRequest) -> JSONResponse:
    result = trait_groups.create(ctx.db, account, storeId, name=body.displayName, description=body.description,
                                 traits=_traits_dump(body.traits) or {})
    return accepted(base, result, "TraitGroup creation request accepted.")


@router.get("/{traitGroupName}", response_model=TraitGroupFetch, summary="FetchTraitGroup")
def fetch_group(ctx: Context, account: Account, storeId: str, traitGroupName: str, paging: Paging,
                include_traits: IncludeTraits = None) -> JSONResponse:
    row = trait_groups.fetch(ctx.db, account, storeId, traitGroupName)
    scope = f"traits:{row.id}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_TRAITS_CAP,
                       filters={"t": parse_bool(include_traits, "includeTraits", True)})
    names = list(row.traits)
    # Definitions are paged in the order they were added (orderBy DESC: newest first).
    page = list_page(names, req.cursor, req.size)
    traits = {n: row.traits[n] for n in page.items} if req.cursor.filters.get("t") else None
    response = {"traitGroup": group_to_wire(row, traits), "meta": page_meta(ctx, scope, "traits", page)}
    return with_etag(response, make_etag(row.id, row.version))


@router.patch("/{traitGroupName}", status_code=202, response_model=AsyncAccepted, summary="PatchTraitGroup")
def patch_group(ctx: Context, account: Account, base: BaseUrl, storeId: str, traitGroupName: str,
                if_match: IfMatch = None, body: PatchTraitGroupRequest | None = Body(default=None)) -> JSONResponse:
    body = body or PatchTraitGroupRequest()
    result = trait_groups.patch(ctx.db, account, storeId, traitGroupName, description=body.description,
                                traits=_traits_dump(body.traits), if_match=if_match)
    return accepted(base, result, "TraitGroup update request accepted.")


@router.delete("/{traitGroupName}", status_code=202, response_model=AsyncAccepted, summary="DeleteTraitGroup")
def delete_group(ctx: Context, account: Account, base: BaseUrl, storeId: str, traitGroupName: str) -> JSONResponse:
    result = trait_groups.delete(ctx.db, account, storeId, traitGroupName)
    return accepted(base, result, "TraitGroup deletion request accepted.")
