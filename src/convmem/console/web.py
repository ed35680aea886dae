"""The console's web plumbing: the Jinja2 environment (autoescaping on), page rendering, the
security headers every console response carries, and the route class that turns the service
layer's errors into HTML pages (the API's handlers answer JSON)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from convmem.console import charts
from convmem.console.sessions import CSRF_FIELD, CsrfRejected, Session, SignInRequired
from convmem.domain.errors import DomainError, ProfileMoved, RateLimited
from convmem.domain.timefmt import format_ts

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
# No inline script or style anywhere: the charts are SVG with presentation classes, and the one
# script (live import progress) is a file of ours.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
log = logging.getLogger("convmem.console")


def _ts(value: datetime | None) -> str:
    return (format_ts(value) or "") if value is not None else ""


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(enabled_extensions=("html",), default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["ts"] = _ts
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True)
    env.filters["urlpart"] = lambda value: quote(str(value), safe="")
    env.globals["score_bar"] = charts.score_bar
    env.globals["csrf_field"] = CSRF_FIELD
    return env


TEMPLATES = _environment()


def render(request: Request, template: str, session: Session | None = None, *, status: int = 200,
           **values: Any) -> HTMLResponse:
    page = TEMPLATES.get_template(template).render(request=request, session=session, csrf_field=CSRF_FIELD,
                                                   **values)
    return HTMLResponse(page, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """After a POST: 303, so that reloading the next page does not resend the form."""
    return RedirectResponse(url, status_code=303)


def _moved_url(request: Request, exc: ProfileMoved) -> str:
    return str(request.url.path).replace(exc.requested_id, exc.canonical_id)


class ConsoleRoute(APIRoute):
    """Console routes answer HTML whatever happens: sign-in redirects, 403 for a CSRF failure,
    the service's own status and message for a domain error; and every answer carries the
    security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired:
                response = RedirectResponse("/console/login", status_code=303)
            except CsrfRejected:
                response = render(request, "error.html", status=403, title="Forbidden",
                                  message="The form's CSRF token is missing or wrong: nothing was changed. "
                                          "Reload the page and try again.")
            except ProfileMoved as exc:
                response = RedirectResponse(_moved_url(request, exc), status_code=303)
            except DomainError as exc:
                response = render(request, "error.html", status=exc.status,
                                  title="Not found" if exc.status == 404 else "Request refused",
                                  message=exc.message)
                if isinstance(exc, RateLimited):
                    response.headers["Retry-After"] = str(exc.retry_after)
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return route
