"""The web console under /console/: server-rendered pages (Jinja2, one template per page, a
shared layout) over the same services as the REST API, for support leads and operators.

``install(app)`` adds its routes and its static files; the app passes console form bodies
through unscreened (they are forms, not JSON) and leaves authentication to the console's own
sessions (console/sessions.py), which reuse the API's credential checks and failed-auth throttle."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from convmem.console import activity_routes, profile_routes, store_routes
from convmem.console.web import STATIC_DIR

PREFIX = "/console"


def install(app: FastAPI) -> None:
    app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    for module in (store_routes, profile_routes, activity_routes):
        app.include_router(module.router)
