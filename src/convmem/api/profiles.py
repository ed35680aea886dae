"""/v1/Stores/{storeId}/Profiles and /Profiles/{profileId}"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, Credential, Paging, page_request
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES, Redirect
from convmem.api.schemas.profiles import Message, Profile, ProfileCreated, ProfileData, ProfileList, ProfilePatch
from convmem.domain.timefmt import format_ts
from convmem.services import profiles

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles", tags=["Profile"], responses=ERROR_RESPONSES)
_LIST_CAP = 1000
TraitGroupsParam = Annotated[str | None, Query(alias="traitGroups", max_length=256)]
MOVED: dict[int | str, dict[str, Any]] = {
    301: {"model": Redirect, "description": "The profile was merged into another"},
    308: {"model": Redirect, "description": "The profile was merged into another"},
}


@router.get("", response_model=ProfileList, summary="ListProfiles")
def list_profiles(ctx: Context, account: Account, storeId: str, paging: Paging) -> JSONResponse:
    scope = f"profiles:{storeId}"
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_LIST_CAP)
    page = profiles.list_page_of(ctx.db, account, storeId, req.cursor, req.size)
    return JSONResponse(page_body(ctx, scope, "profiles", [row.id for row in page.items], page))


@router.post("", status_code=202, response_model=ProfileCreated, summary="CreateProfile")
def create_profile(ctx: Context, account: Account, storeId: str, body: ProfileData) -> JSONResponse:
    result = profiles.create(ctx.db, account, storeId, body.traits, ctx.settings.default_phone_region)
    return JSONResponse({"id": result.profile_id, "message": "Profile resolved and accepted for processing."},
                        status_code=202)


@router.get("/{profileId}", response_model=Profile, summary="FetchProfile", responses=MOVED)
def fetch_profile(ctx: Context, account: Account, storeId: str, profileId: str,
                  trait_groups: TraitGroupsParam = None) -> JSONResponse:
    view = profiles.fetch(ctx.db, account, storeId, profileId, profiles.parse_groups(trait_groups))
    body = {"id": view.row.id, "createdAt": format_ts(view.row.created_at), "traits": view.traits}
    return JSONResponse(body, headers={CANONICAL_HEADER: view.row.id})


@router.patch("/{profileId}", status_code=202, response_model=Message, summary="PatchProfileTraits",
              responses=MOVED)
def patch_profile(ctx: Context, account: Account, storeId: str, profileId: str, body: ProfilePatch) -> JSONResponse:
    profiles.patch(ctx.db, account, storeId, profileId, body.traits, ctx.settings.default_phone_region)
    return JSONResponse({"message": "Trait modifications accepted for processing."}, status_code=202)


@router.delete("/{profileId}", status_code=202, response_model=Message, summary="DeleteProfile", responses=MOVED)
def delete_profile(ctx: Context, account: Account, credential: Credential, storeId: str,
                   profileId: str) -> JSONResponse:
    profiles.delete(ctx.db, account, storeId, profileId, credential,
                    ctx.runtime.recall)
    return JSONResponse({"message": "Profile accepted for deletion."}, status_code=202)
