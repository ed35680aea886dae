"""The OpenAPI document served at /openapi.json, refined so that it describes what the server
really does: HTTP Basic security, the id patterns the server checks itself (so that it can
answer with the Memory error codes such as 520049 rather than a generic validation error),
the headers of 202/200/429 responses, and no FastAPI 422 (validation failures are 400 here)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

SECURITY_SCHEME = "accountSid_authToken"
UNAUTHENTICATED_PATHS = frozenset({"/healthz", "/readyz"})

# Checked by the services, not by FastAPI, so they are documented here rather than declared.
PATH_PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "storeId": {"type": "string", "pattern": r"^mem_(store|service)_[0-7][0-9a-z]{25}$"},
    "dataMappingId": {"type": "string", "pattern": r"^mem_datamapping_[0-7][0-9a-z]{25}$"},
    "traitGroupName": {"type": "string", "minLength": 1, "maxLength": 64},
    "operationId": {"type": "string", "maxLength": 512},
}
QUERY_PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "pageSize": {"type": "integer", "minimum": 1,
                 "description": "Items per page; values above the list's cap are clamped to it"},
    "orderBy": {"type": "string", "enum": ["ASC", "DESC"], "description": "Creation order (default DESC)"},
    "includeTraits": {"type": "boolean"},
}


def _header(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "required": True, "schema": schema}


OPERATION_HEADERS = {
    "Operation-Id": _header("Id of the operation reporting this write", {"type": "string", "maxLength": 512}),
    "Location": _header("Absolute URL of the operation", {"type": "string", "maxLength": 512}),
    "Retry-After": _header("Seconds to wait before polling the operation", {"type": "integer"}),
}
ETAG_HEADER = {"ETag": _header("Current version of the resource, for If-Match", {"type": "string", "maxLength": 512})}
RETRY_AFTER = {"Retry-After": _header("Seconds to wait before retrying", {"type": "string", "pattern": "^[0-9]+$"})}
VERSIONED_FETCHES = frozenset({"FetchStore", "FetchIdentityResolutionSettings", "FetchTraitGroup",
                               "FetchDataMapping"})


def _refine_operation(path: str, method: str, op: dict[str, Any]) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    responses.pop("422", None)
    if path in UNAUTHENTICATED_PATHS:
        op["security"] = []
        if path == "/readyz":
            responses.setdefault("503", {"description": "The database is unavailable or its schema is not current"})
        return
    for param in op.get("parameters", []):
        if param["in"] == "path" and param["name"] in PATH_PARAMETER_SCHEMAS:
            param["schema"] = dict(PATH_PARAMETER_SCHEMAS[param["name"]])
        elif param["in"] == "query" and param["name"] in QUERY_PARAMETER_SCHEMAS:
            param["schema"] = dict(QUERY_PARAMETER_SCHEMAS[param["name"]])
    if "202" in responses and path.startswith("/v1/ControlPlane/"):
        responses["202"].setdefault("headers", {}).update(OPERATION_HEADERS)
    if "200" in responses and op.get("summary") in VERSIONED_FETCHES:
        responses["200"].setdefault("headers", {}).update(ETAG_HEADER)
    if "200" in responses and op.get("summary") == "FetchOperation":
        # Retry-After only while the operation is PENDING or RUNNING.
        responses["200"].setdefault("headers", {}).update(
            {"Operation-Id": OPERATION_HEADERS["Operation-Id"],
             "Retry-After": {**OPERATION_HEADERS["Retry-After"], "required": False}})
    if "429" in responses:
        responses["429"].setdefault("headers", {}).update(RETRY_AFTER)


def refine(doc: dict[str, Any]) -> dict[str, Any]:
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
        "type": "http", "scheme": "basic",
        "description": "Account SID (or API key SID) as the username, auth token (or key secret) as the password"}
    doc["security"] = [{SECURITY_SCHEME: []}]
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and method in ("get", "put", "post", "patch", "delete"):
                _refine_operation(path, method, op)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.get("schemas", {}).pop(unused, None)
    return doc


def install(app: FastAPI) -> None:
    """Serve the refined document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = refine(get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version,
                description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
