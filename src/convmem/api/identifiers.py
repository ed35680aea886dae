"""/v1/Stores/{storeId}/Profiles/{profileId}/Identifiers"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, parse_bool
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.profiles import MOVED
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.profiles import Identifier, IdentifierList, IdentifierSet, IdentifierUpdate, Message
from convmem.services import identifiers

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/{profileId}/Identifiers", tags=["Identifiers"],
                   responses=ERROR_RESPONSES)


@router.get("", response_model=IdentifierList, summary="ListProfileIdentifiers", responses=MOVED)
def list_identifiers(ctx: Context, account: Account, storeId: str, profileId: str) -> JSONResponse:
    # No ``meta``: the list is a single top-level key, which the official client accepts.
    return JSONResponse({"identifiers": identifiers.list_sets(ctx.db, account, storeId, profileId)},
                        headers={CANONICAL_HEADER: profileId})


@router.post("", status_code=202, response_model=Message, summary="CreateProfileIdentifier", responses=MOVED)
def create_identifier(ctx: Context, account: Account, storeId: str, profileId: str,
                      body: Identifier) -> JSONResponse:
    identifiers.add(ctx.db, account, storeId, profileId, body.idType, body.value, ctx.settings.default_phone_region)
    return JSONResponse({"message": "Identifier accepted for processing."}, status_code=202)


@router.get("/{idType}", response_model=IdentifierSet, summary="FetchProfileIdentifier", responses=MOVED)
def fetch_identifier(ctx: Context, account: Account, storeId: str, profileId: str, idType: str) -> JSONResponse:
    return JSONResponse(identifiers.fetch_set(ctx.db, account, storeId, profileId, idType),
                        headers={CANONICAL_HEADER: profileId})


@router.patch("/{idType}", status_code=202, response_model=Message, summary="PatchProfileIdentifier",
              responses=MOVED)
def patch_identifier(ctx: Context, account: Account, storeId: str, profileId: str, idType: str,
                     body: IdentifierUpdate) -> JSONResponse:
    identifiers.replace(ctx.db, account, storeId, profileId, idType, body_id_type=body.idType,
                        old_value=body.oldValue, new_value=body.newValue, region=ctx.settings.default_phone_region)
    return JSONResponse({"message": "Identifier update accepted."}, status_code=202)


@router.delete("/{idType}", status_code=202, response_model=Message, summary="DeleteProfileIdentifier",
               responses=MOVED)
def delete_identifier(ctx: Context, account: Account, storeId: str, profileId: str, idType: str,
                      remove_all: Annotated[str | None, Query(alias="removeAll")] = None) -> JSONResponse:
    identifiers.remove(ctx.db, account, storeId, profileId, idType,
                       remove_all=parse_bool(remove_all, "removeAll", False), region=ctx.settings.default_phone_region)
    return JSONResponse({"message": "Identifier removal accepted."}, status_code=202)
