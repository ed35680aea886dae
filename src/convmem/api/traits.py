"""/v1/Stores/{storeId}/Profiles/{profileId}/Traits"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from convmem.api.deps import Account, Context, Paging, page_request
from convmem.api.errors import CANONICAL_HEADER
from convmem.api.profiles import MOVED, TraitGroupsParam
from convmem.api.responses import page_body
from convmem.api.schemas.common import ERROR_RESPONSES
from convmem.api.schemas.profiles import TraitList
from convmem.domain.timefmt import format_ts
from convmem.services import profiles

router = APIRouter(prefix="/v1/Stores/{storeId}/Profiles/{profileId}/Traits", tags=["Traits"],
                   responses=ERROR_RESPONSES)
_CAP = 100


@router.get("", response_model=TraitList, summary="ListProfileTraits", responses=MOVED)
def list_traits(ctx: Context, account: Account, storeId: str, profileId: str, paging: Paging,
                trait_groups: TraitGroupsParam = None) -> JSONResponse:
    scope = f"traits:{storeId}:{profileId}"
    groups = profiles.parse_groups(trait_groups)
    req = page_request(ctx, scope, page_size=paging.page_size, page_token=paging.page_token,
                       order_by=paging.order_by, cap=_CAP, filters={"g": groups} if groups else None)
    canonical, page = profiles.traits_page(ctx.db, account, storeId, profileId, req.cursor.filters.get("g"),
                                           req.cursor, req.size)
    items = [{"name": t.trait_name, "value": t.value, "traitGroup": t.group_name,
              "timestamp": format_ts(t.updated_at)} for t in page.items]
    return JSONResponse(page_body(ctx, scope, "traits", items, page), headers={CANONICAL_HEADER: canonical})
