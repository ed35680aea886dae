"""/v1/ControlPlane/Stores/{storeId}/IdentityResolutionSettings"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, BaseUrl, Context, IfMatch
from convmem.api.responses import accepted, with_etag
from convmem.api.schemas.common import ERROR_RESPONSES, AsyncAccepted
from convmem.api.schemas.control_plane import IdentityResolutionSettings, IdentityResolutionSettingsCore
from convmem.domain.etag import make_etag
from convmem.services import identity_settings

router = APIRouter(prefix="/v1/ControlPlane/Stores/{storeId}/IdentityResolutionSettings",
                   tags=["IdentityResolutionSettings"], responses=ERROR_RESPONSES)


@router.get("", response_model=IdentityResolutionSettings, summary="FetchIdentityResolutionSettings")
def fetch_settings(ctx: Context, account: Account, storeId: str) -> JSONResponse:
    row = identity_settings.fetch(ctx.db, account, storeId)
    body = {"identifierConfigs": row.identifier_configs, "matchingRules": row.matching_rules,
            "version": row.version}
    return with_etag(body, make_etag(identity_settings.etag_id(storeId), row.version))


@router.put("", status_code=202, response_model=AsyncAccepted, summary="UpdateIdentityResolutionSettings")
def update_settings(ctx: Context, account: Account, base: BaseUrl, storeId: str,
                    body: IdentityResolutionSettingsCore, if_match: IfMatch = None) -> JSONResponse:
    configs = [c.model_dump(exclude_none=True) for c in body.identifierConfigs]
    result = identity_settings.replace(ctx.db, account, storeId, configs, list(body.matchingRules), if_match)
    return accepted(base, result, "Identity Resolution Settings accepted for processing.")
