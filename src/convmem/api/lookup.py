"""/v1/Stores/{storeId}/Profiles/Lookup"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.profiles import Identifier, LookupResponse
from convmem.services import identifiers

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/Lookup", tags=["Retrieval"], responses=ERROR_RESPONSES)


@router.post("", response_model=LookupResponse, summary="CreateProfilesLookup")
def lookup(ctx: Context, account: Account, storeId: str, body: Identifier) -> JSONResponse:
    found = identifiers.lookup(ctx.db, account, storeId, body.idType, body.value, ctx.settings.default_phone_region)
    return JSONResponse({"normalizedValue": found.normalized_value, "profiles": found.profiles})
