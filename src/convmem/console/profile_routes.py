"""Console pages of one profile: identifiers, editable traits, observations (paged) with their
provenance and revision history, summaries, the Recall playground, and the two erasures
(an observation; the whole profile, after a confirmation naming what goes)."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from convmem.console import data
from convmem.console.deps import Ctx, Posting, SignedIn, text
from convmem.console.sessions import Session
from convmem.console.web import ConsoleRoute, redirect, render
from convmem.domain.errors import DomainError, InvalidRequest
from convmem.services import observations, profiles, recall
from convmem.services.recall import RecallRequest

router = APIRouter(prefix="/console/stores/{store_id}/profiles/{profile_id}", route_class=ConsoleRoute,
                   include_in_schema=False)


def shown_value(value: Any) -> str:
    """A stored trait value as the form shows it (and reads it back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def parse_value(key: str, raw: str, data_type: str) -> Any:
    """A form field as a value of the trait's dataType; the service validates it further."""
    raw = raw.strip()
    if data_type == "NUMBER":
        try:
            number = float(raw)
        except ValueError:
            raise InvalidRequest(f"Trait {key} must be a number") from None
        return int(number) if number.is_integer() and "." not in raw and "e" not in raw.lower() else number
    if data_type == "BOOLEAN":
        if raw.lower() not in ("true", "false"):
            raise InvalidRequest(f"Trait {key} must be true or false")
        return raw.lower() == "true"
    if data_type == "ARRAY":
        if raw.startswith("["):
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise InvalidRequest(f"Trait {key} must be a JSON array or comma-separated values") from None
            if not isinstance(parsed, list):
                raise InvalidRequest(f"Trait {key} must be a JSON array or comma-separated values")
            return parsed
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _page(request: Request, ctx: Ctx, session: Session, store_id: str, profile_id: str, *, after: str | None = None,
          query: str = "", conversation_id: str = "", status: int = 200, trait_errors: dict[str, str] | None = None,
          trait_error: str | None = None, submitted: dict[str, str] | None = None) -> Response:
    view = data.profile_view(ctx.db, session.account_sid, store_id, profile_id, after)
    result, recall_error, elapsed_ms = None, None, None
    if query.strip() or conversation_id.strip():
        started = time.perf_counter()
        try:
            result = recall.recall(ctx.db, ctx.runtime.recall, session.account_sid, store_id, view.profile.id,
                                   RecallRequest(query=query.strip() or None,
                                                 conversation_id=conversation_id.strip() or None))
        except DomainError as exc:
            if exc.status == 404 and "Profile" in exc.message:
                raise
            recall_error = exc.message
        elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    return render(request, "profile.html", session, status=status, v=view, store_id=store_id, shown_value=shown_value,
                  query=query, conversation_id=conversation_id, result=result, recall_error=recall_error,
                  elapsed_ms=elapsed_ms, trait_errors=trait_errors or {}, trait_error=trait_error,
                  submitted=submitted or {})


@router.get("")
def profile_page(request: Request, ctx: Ctx, session: SignedIn, store_id: str, profile_id: str,
                 after: str | None = None, query: str = "", conversationId: str = "") -> Response:
    return _page(request, ctx, session, store_id, profile_id, after=after, query=query[:2000],
                 conversation_id=conversationId[:64])


@router.post("/traits")
async def edit_traits(request: Request, ctx: Ctx, session: Posting, store_id: str, profile_id: str) -> Response:
    form = await request.form()
    view = await run_in_threadpool(data.profile_view, ctx.db, session.account_sid, store_id, profile_id, None)
    changes: dict[str, dict[str, Any]] = {}
    submitted: dict[str, str] = {}
    errors: dict[str, str] = {}
    for group, definitions in view.schema.items():
        for name, definition in definitions.items():
            key = f"{group}.{name}"
            if f"trait.{key}" not in form:
                continue
            raw = text(form, f"trait.{key}", 65536)
            submitted[key] = raw
            current = view.traits.get(group, {}).get(name)
            if raw == shown_value(current):
                continue
            try:
                changes.setdefault(group, {})[name] = None if raw.strip() == "" else \
                    parse_value(key, raw, definition.get("dataType", "STRING"))
            except InvalidRequest as exc:
                errors[key] = exc.message
    if errors:
        return await run_in_threadpool(lambda: _page(request, ctx, session, store_id, profile_id, status=400,
                                                     trait_errors=errors, trait_error="Some values were not saved.",
                                                     submitted=submitted))
    if changes:
        try:
            await run_in_threadpool(profiles.patch, ctx.db, session.account_sid, store_id, view.profile.id, changes,
                                    ctx.settings.default_phone_region)
        except DomainError as exc:
            if exc.status == 404:
                raise
            failure = exc
            changed = [f"{group}.{name}" for group, values in changes.items() for name in values]
            named = [key for key in changed if key in failure.message
                     or repr(submitted.get(key, "")) in failure.message]
            # The service names the trait or quotes the value; failing that, every changed field.
            field_errors = {key: failure.message for key in (named or changed)}
            return await run_in_threadpool(lambda: _page(request, ctx, session, store_id, profile_id,
                                                         status=failure.status, trait_errors=field_errors,
                                                         trait_error=failure.message, submitted=submitted))
    return redirect(f"/console/stores/{store_id}/profiles/{view.profile.id}#traits")


@router.get("/observations/{observation_id}")
def observation_page(request: Request, ctx: Ctx, session: SignedIn, store_id: str, profile_id: str,
                     observation_id: str) -> Response:
    observations.check_observation_id(observation_id)
    row, revisions, provenance = data.observation_history(ctx.db, session.account_sid, store_id, profile_id,
                                                          observation_id)
    return render(request, "observation.html", session, store_id=store_id, profile_id=row.profile_id, o=row,
                  revisions=revisions, provenance=provenance)


@router.post("/observations/{observation_id}/delete")
async def delete_observation(request: Request, ctx: Ctx, session: Posting, store_id: str, profile_id: str,
                             observation_id: str) -> Response:
    await run_in_threadpool(observations.delete, ctx.db, session.account_sid, store_id, profile_id, observation_id,
                            session.credential_sid, ctx.runtime.recall)
    return redirect(f"/console/stores/{store_id}/profiles/{profile_id}#observations")


@router.get("/delete")
def confirm_delete(request: Request, ctx: Ctx, session: SignedIn, store_id: str, profile_id: str) -> Response:
    preview = data.erasure_preview(ctx.db, session.account_sid, store_id, profile_id)
    return render(request, "profile_delete.html", session, store_id=store_id, profile_id=profile_id, p=preview)


@router.post("/delete")
async def delete_profile(request: Request, ctx: Ctx, session: Posting, store_id: str, profile_id: str) -> Response:
    form = await request.form()
    if text(form, "confirm", 100) != profile_id:
        return render(request, "error.html", session, status=400, title="Not erased",
                      message="Type the profile id to confirm the erasure.")
    await run_in_threadpool(profiles.delete, ctx.db, session.account_sid, store_id, profile_id,
                            session.credential_sid, ctx.runtime.recall)
    return redirect(f"/console/stores/{store_id}")
