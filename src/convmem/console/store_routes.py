"""Console pages: sign-in and sign-out, the store list, a store's overview and its trait group
editor. Thin: parse the form, call a service (or console/data.py), render a template."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from convmem.api.schemas.control_plane import PatchTraitGroupRequest, ServiceRequest, TraitGroupRequest
from convmem.console import charts, data, sessions
from convmem.console.deps import Ctx, Posting, SignedIn, field_errors, text, validation_message
from convmem.console.web import ConsoleRoute, redirect, render
from convmem.domain.errors import DomainError, PreconditionFailed
from convmem.domain.etag import make_etag
from convmem.services import stores, trait_groups

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
DATA_TYPES = ("STRING", "NUMBER", "BOOLEAN", "ARRAY")


@router.get("")
def console_root() -> Response:
    return RedirectResponse("/console/", status_code=308)


# ---- sign-in ----------------------------------------------------------------------------------

def _login_page(request: Request, *, error: str | None = None, status: int = 200, account_sid: str = "",
                headers: dict[str, str] | None = None) -> Response:
    token = sessions.login_token(request)
    response = render(request, "login.html", status=status, error=error, login_token=token, account_sid=account_sid)
    sessions.set_cookie(request, response, sessions.LOGIN_COOKIE, token, sessions.LOGIN_TOKEN_LIFETIME_SECONDS)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    sessions.check_login_token(request, form.get(sessions.CSRF_FIELD))
    account_sid, token = text(form, "accountSid", 256), text(form, "authToken", 256)
    try:
        signed = await sessions.sign_in(request, account_sid, token)
    except sessions.SignInThrottled as exc:
        return _login_page(request, status=429, account_sid=account_sid, headers={"Retry-After": str(exc.retry_after)},
                           error=f"Too many failed sign-ins from this address. Try again in {exc.retry_after} s.")
    if signed is None:
        return _login_page(request, status=401, account_sid=account_sid,
                           error="Those credentials were not accepted. Use an Account SID and its auth token, "
                                 "or an API key SID (SK…) and its secret.")
    _, cookie = signed
    response = redirect("/console/")
    sessions.set_cookie(request, response, sessions.SESSION_COOKIE, cookie,
                        int(sessions.SESSION_LIFETIME.total_seconds()))
    sessions.clear_cookie(request, response, sessions.LOGIN_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request, session: Posting) -> Response:
    await run_in_threadpool(sessions.sign_out, request, session)
    response = redirect("/console/login")
    sessions.clear_cookie(request, response, sessions.SESSION_COOKIE)
    return response


# ---- stores -----------------------------------------------------------------------------------

def _store_list(request: Request, ctx: Ctx, session: sessions.Session, *, error: str | None = None,
                status: int = 200, name: str = "", description: str = "") -> Response:
    return render(request, "stores.html", session, status=status, stores=data.store_list(ctx.db, session.account_sid),
                  error=error, name=name, description=description)


@router.get("/")
def store_list(request: Request, ctx: Ctx, session: SignedIn) -> Response:
    return _store_list(request, ctx, session)


@router.post("/stores")
async def create_store(request: Request, ctx: Ctx, session: Posting) -> Response:
    form = await request.form()
    name, description = text(form, "displayName", 200), text(form, "description", 300)
    try:
        body = ServiceRequest.model_validate({"displayName": name, "description": description or None})
        accepted = await run_in_threadpool(stores.create, ctx.db, session.account_sid, display_name=body.displayName,
                                           description=body.description, quota=ctx.settings.store_quota)
    except ValidationError as exc:
        return await run_in_threadpool(_store_list, request, ctx, session, error=validation_message(exc),
                                       status=400, name=name, description=description)
    except DomainError as exc:
        return await run_in_threadpool(_store_list, request, ctx, session, error=exc.message, status=exc.status,
                                       name=name, description=description)
    del accepted
    return redirect("/console/")


@router.get("/stores/{store_id}")
def store_overview(request: Request, ctx: Ctx, session: SignedIn, store_id: str, q: str = "") -> Response:
    overview = data.store_overview(ctx.db, session.account_sid, store_id)
    hits = data.search_profiles(ctx.db, session.account_sid, store_id, q, ctx.settings.default_phone_region) \
        if q.strip() else None
    per_day = charts.bar_chart("Observations added per day, last 30 days", overview.per_day, label_every=5)
    outcomes = charts.horizontal_bars("Extraction outcomes", overview.outcomes)
    counts = charts.horizontal_bars("Profiles and conversations", [("profiles", overview.profiles),
                                                                  ("conversations", overview.conversations)])
    return render(request, "store.html", session, o=overview, q=q[:255], hits=hits, per_day_chart=per_day,
                  outcomes_chart=outcomes, counts_chart=counts)


# ---- trait groups -----------------------------------------------------------------------------

@router.post("/stores/{store_id}/trait-groups")
async def create_group(request: Request, ctx: Ctx, session: Posting, store_id: str) -> Response:
    form = await request.form()
    name, description = text(form, "displayName", 200), text(form, "description", 2000)
    try:
        body = TraitGroupRequest.model_validate({"displayName": name, "description": description or None})
        await run_in_threadpool(trait_groups.create, ctx.db, session.account_sid, store_id, name=body.displayName,
                                description=body.description, traits={})
    except ValidationError as exc:
        return render(request, "error.html", session, status=400, title="Trait group not created",
                      message=validation_message(exc))
    return redirect(f"/console/stores/{store_id}/trait-groups/{name}")


def _definitions_from_form(form: Any, current: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The PATCH body's traits: each changed or deleted trait (complete new definition, as the
    PATCH semantics require; a validationRule the form does not show is kept), and the new one."""
    changes: dict[str, dict[str, Any]] = {}
    for name, definition in current.items():
        if text(form, f"delete.{name}") == "on":
            changes[name] = {"dataType": ""}
            continue
        if f"dataType.{name}" not in form:
            continue  # not in the form: unchanged
        wanted: dict[str, Any] = {"dataType": text(form, f"dataType.{name}", 16) or definition.get("dataType")}
        description = text(form, f"description.{name}", 2000)
        promotion = text(form, f"idTypePromotion.{name}", 64)
        if description:
            wanted["description"] = description
        if promotion:
            wanted["idTypePromotion"] = promotion
        if definition.get("validationRule") is not None and wanted["dataType"] == definition.get("dataType"):
            wanted["validationRule"] = definition["validationRule"]
        if wanted != definition:
            changes[name] = wanted
    new_name = text(form, "newName", 200).strip()
    if new_name:
        added: dict[str, Any] = {"dataType": text(form, "newDataType", 16)}
        if text(form, "newDescription", 2000):
            added["description"] = text(form, "newDescription", 2000)
        if text(form, "newIdTypePromotion", 64):
            added["idTypePromotion"] = text(form, "newIdTypePromotion", 64)
        changes[new_name] = added
    return changes


def _editor(request: Request, session: sessions.Session, store_id: str, group: Any, *, status: int = 200,
            errors: dict[str, str] | None = None, error: str | None = None, conflict: dict[str, Any] | None = None,
            submitted: dict[str, Any] | None = None) -> Response:
    return render(request, "trait_group.html", session, status=status, store_id=store_id, group=group,
                  etag=make_etag(group.id, group.version), data_types=DATA_TYPES, errors=errors or {}, error=error,
                  conflict=conflict, submitted=submitted or {})


@router.get("/stores/{store_id}/trait-groups/{name}")
def group_editor(request: Request, ctx: Ctx, session: SignedIn, store_id: str, name: str) -> Response:
    return _editor(request, session, store_id, data.group_of(ctx.db, session.account_sid, store_id, name))


@router.post("/stores/{store_id}/trait-groups/{name}")
async def patch_group(request: Request, ctx: Ctx, session: Posting, store_id: str, name: str) -> Response:
    form = await request.form()
    if_match = text(form, "ifMatch", 100)
    shown_version = text(form, "version", 20)
    group = await run_in_threadpool(data.group_of, ctx.db, session.account_sid, store_id, name)
    # The changes are computed against the definitions the form showed, sent in the form.
    try:
        shown = json.loads(text(form, "shown", 200_000) or "{}")
        if not isinstance(shown, dict):
            raise ValueError
    except ValueError:
        shown = dict(group.traits)
    changes = _definitions_from_form(form, shown)
    description = text(form, "groupDescription", 2000)
    changed_description = description if description != text(form, "shownDescription", 2000) else None
    try:
        body = PatchTraitGroupRequest.model_validate({"description": changed_description,
                                                      "traits": changes or None})
    except ValidationError as exc:
        return _editor(request, session, store_id, group, status=400, errors=field_errors(exc),
                       error=validation_message(exc), submitted=changes)
    traits = {k: v.model_dump(exclude_none=True) for k, v in (body.traits or {}).items()} if body.traits else None
    try:
        await run_in_threadpool(trait_groups.patch, ctx.db, session.account_sid, store_id, name,
                                description=body.description, traits=traits, if_match=if_match)
    except PreconditionFailed as exc:
        current = await run_in_threadpool(data.group_of, ctx.db, session.account_sid, store_id, name)
        return _editor(request, session, store_id, current, status=409, error=exc.message, submitted=changes,
                       conflict={"yours": {"version": shown_version, "traits": shown, "changes": changes,
                                           "description": description},
                                 "theirs": {"version": current.version, "traits": current.traits,
                                            "description": current.description}})
    except DomainError as exc:
        if exc.status == 404:
            raise
        errors = {trait: exc.message for trait in changes if f"'{trait}'" in exc.message
                  or f".{trait} " in exc.message}
        return _editor(request, session, store_id, group, status=exc.status, errors=errors, error=exc.message,
                       submitted=changes)
    return redirect(f"/console/stores/{store_id}/trait-groups/{name}")
