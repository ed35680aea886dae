"""Dependencies and form helpers shared by the console's route modules."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from convmem.api.deps import ServerContext
from convmem.api.errors import describe_validation_errors
from convmem.console.sessions import Session, current_session, require_csrf
from convmem.domain.errors import InvalidRequest

SignedIn = Annotated[Session, Depends(current_session)]


async def _posting_session(request: Request, session: SignedIn) -> Session:
    """The session of a state-changing request, after its CSRF token was checked: a route that
    takes this changes nothing unless the token is right."""
    await require_csrf(request, session)
    return session


Posting = Annotated[Session, Depends(_posting_session)]


def ctx_of(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


Ctx = Annotated[ServerContext, Depends(ctx_of)]


def text(form: FormData, name: str, max_length: int = 4096) -> str:
    value = form.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidRequest(f"{name} must be text")
    if len(value) > max_length:
        raise InvalidRequest(f"{name} may be at most {max_length} characters")
    return value


def validation_message(exc: ValidationError) -> str:
    """The API's own wording for a body its wire models refuse."""
    return describe_validation_errors(list(exc.errors()))  # type: ignore[arg-type]


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic errors by the trait they concern (loc ``traits.<name>...``), for the editor."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc: tuple[Any, ...] = tuple(err.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "traits":
            out.setdefault(str(loc[1]), describe_validation_errors([dict(err)]).removeprefix("Invalid request: "))
    return out
