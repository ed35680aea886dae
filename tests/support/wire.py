"""Helpers for the tests that speak HTTP directly (httpx): the control plane's 202 + Operation,
the TwilioError shape, stores and trait groups."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx

STORES = "/v1/ControlPlane/Stores"
OPERATIONS = "/v1/ControlPlane/Operations"
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
STORE_ID_RE = re.compile(r"^mem_store_[0-7][0-9a-z]{25}$")
OPERATION_ID_RE = re.compile(r"^mem_operation_[0-7][0-9a-z]{25}$")
ERROR_KEYS = {"code", "message", "more_info", "status"}


def assert_error(resp: httpx.Response, status: int, code: int | None = None, *mentions: str) -> dict[str, Any]:
    """The response is a TwilioError of this status (and code), whose message names ``mentions``."""
    assert resp.status_code == status, f"{resp.status_code}: {resp.text[:500]}"
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status"] == status
    assert isinstance(body["code"], int) and isinstance(body["message"], str) and body["message"]
    assert body["more_info"] == f"https://www.twilio.com/docs/api/errors/{body['code']}"
    if code is not None:
        assert body["code"] == code, body
    for word in mentions:
        assert word in body["message"], (word, body["message"])
    return body


def assert_accepted(resp: httpx.Response, base_url: str | None = None) -> str:
    """A control-plane 202: ``{message, statusUrl}`` plus Operation-Id, Location and Retry-After.
    Returns the operation id."""
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert set(body) == {"message", "statusUrl"}, body
    assert isinstance(body["message"], str) and 0 < len(body["message"]) <= 512
    op_id = resp.headers["Operation-Id"]
    assert OPERATION_ID_RE.match(op_id), op_id
    url = resp.request.url
    base = base_url if base_url is not None else f"{url.scheme}://{url.netloc.decode()}"
    assert body["statusUrl"] == f"{base}{OPERATIONS}/{op_id}"
    assert resp.headers["Location"] == body["statusUrl"]
    assert re.fullmatch(r"[0-9]+", resp.headers["Retry-After"])
    return op_id


def operation(http: httpx.Client, op_id: str) -> dict[str, Any]:
    resp = http.get(f"{OPERATIONS}/{op_id}")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Operation-Id"] == op_id
    return dict(resp.json())


def result_id(http: httpx.Client, resp: httpx.Response) -> str:
    """The id a control-plane write's operation reports."""
    op = operation(http, assert_accepted(resp))
    assert op["status"] == "COMPLETED", op
    assert op["result"]["type"] == "RESOURCE_ID"
    return str(op["result"]["id"])


def new_store(http: httpx.Client, name: str | None = None) -> str:
    return result_id(http, http.post(STORES, json={"displayName": name or f"wire-{secrets.token_hex(4)}"}))


def create_mapping(http: httpx.Client, store_id: str, name: str, group: str, trait: str) -> str:
    """An INGRESS data mapping of one column ``c`` onto ``group``.``trait``; its id."""
    return result_id(http, http.post(f"{STORES}/{store_id}/DataMappings", json={
        "displayName": name, "mappingFrom": {"type": "INGRESS", "columns": ["c"]},
        "mappingTo": {"type": "TRAITS", "mappings": [{"expression": "c", "traitGroup": group, "traitName": trait}]}}))


def operation_id(status_url: str) -> str:
    return status_url.rstrip("/").rsplit("/", 1)[1]


def create_store(http: httpx.Client, name: str | None = None) -> str:
    """Create a store through the API and return its id (read from the operation)."""
    name = name or f"store-{secrets.token_hex(4)}"
    resp = http.post(STORES, json={"displayName": name})
    assert resp.status_code == 202, resp.text
    op = http.get(resp.json()["statusUrl"])
    assert op.json()["status"] == "COMPLETED", op.text
    return str(op.json()["result"]["id"])


def groups_path(store_id: str) -> str:
    return f"{STORES}/{store_id}/TraitGroups"


def create_group(http: httpx.Client, store_id: str, name: str, traits: dict[str, Any] | None = None,
                 description: str | None = None) -> None:
    body: dict[str, Any] = {"displayName": name}
    if traits is not None:
        body["traits"] = traits
    if description is not None:
        body["description"] = description
    assert_accepted(http.post(groups_path(store_id), json=body))


def fetch_group(http: httpx.Client, store_id: str, name: str) -> tuple[dict[str, Any], str]:
    """(traitGroup, ETag) with every trait on one page."""
    resp = http.get(f"{groups_path(store_id)}/{name}", params={"pageSize": 100})
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["traitGroup"]), resp.headers["ETag"]


def string_traits(*names: str) -> dict[str, dict[str, str]]:
    return {name: {"dataType": "STRING"} for name in names}
