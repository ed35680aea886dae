"""Stores and operations through the official Python SDK against the live server.

Also holds the small helpers the other ``test_sdk_*`` control-plane suites share."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client
from twilio.rest.memory.v1.store import StoreList

from convmem.auth import service as auth
from convmem.storage.db import Database
from tests.support.live import LiveServer
from tests.support.wire import operation_id

# End to end: the official Python SDK against a real server process (the contract).
pytestmark = pytest.mark.e2e

ETAG_412 = 520043


def completed(v1: Any, accepted: Any) -> Any:
    """The operation behind a control-plane 202 (an instance with ``status_url``, or an
    ``ApiResponse`` of one); asserts it COMPLETED and returns it."""
    instance = getattr(accepted, "data", accepted)
    url = instance["statusUrl"] if isinstance(instance, dict) else instance.status_url
    op = v1.operations(operation_id(url)).fetch()
    assert op.status == "COMPLETED", (op.status, op.error)
    assert op.status_url == url
    return op


def rest_error(call: Any, *args: Any, **kwargs: Any) -> TwilioRestException:
    with pytest.raises(TwilioRestException) as caught:
        call(*args, **kwargs)
    return caught.value


def page_error(call: Any, *args: Any, **kwargs: Any) -> tuple[int, int]:
    """(HTTP status, Twilio code) of a refused list request: the client's pages raise a plain
    TwilioException carrying the response rather than a TwilioRestException."""
    with pytest.raises(TwilioException) as caught:
        call(*args, **kwargs)
    response = caught.value.args[1]
    return response.status_code, json.loads(response.text)["code"]


def header(response: Any, name: str) -> str:
    """A response header from ``*_with_http_info``. The client returns them in a plain dict keyed
    as they came off the wire, and uvicorn sends names in lower case."""
    return str({k.lower(): v for k, v in response.headers.items()}[name.lower()])


def has_header(response: Any, name: str) -> bool:
    return name.lower() in {k.lower() for k in response.headers}


def new_store(v1: Any, name: str | None = None, description: str | None = None) -> str:
    body = {"displayName": name or f"store-{secrets.token_hex(4)}"}
    if description:
        body["description"] = description
    return str(completed(v1, v1.stores.create(StoreList.ServiceRequest(body))).result["id"])


def test_create_store_reports_through_operation(v1: Any, server: LiveServer) -> None:
    created = v1.stores.create_with_http_info(
        StoreList.ServiceRequest({"displayName": "support-eu", "description": "EU support desk"}))
    assert created.status_code == 202
    accepted = created.data
    assert accepted.message == "Memory Store creation accepted for processing."
    assert accepted.id is None  # the 202 never carries the new id
    op_id = header(created, "Operation-Id")
    assert accepted.status_url == f"{server.url}/v1/ControlPlane/Operations/{op_id}"
    assert header(created, "Location") == accepted.status_url
    assert header(created, "Retry-After") == "1"

    op_response = v1.operations(op_id).fetch_with_http_info()
    op = op_response.data
    assert header(op_response, "Operation-Id") == op_id
    assert not has_header(op_response, "Retry-After")  # only while PENDING/RUNNING
    assert (op.operation_id, op.status) == (op_id, "COMPLETED")
    assert op.result["type"] == "RESOURCE_ID" and op.result["id"].startswith("mem_store_")
    store_id = op.result["id"]
    assert op.result_url == f"{server.url}/v1/ControlPlane/Stores/{store_id}"
    assert isinstance(op.created_at, datetime) and isinstance(op.completed_at, datetime)
    assert op.error is None

    store = v1.stores(store_id).fetch()
    assert (store.id, store.display_name, store.description) == (store_id, "support-eu", "EU support desk")
    assert (store.status, store.version, store.intelligence_service_id) == ("ACTIVE", 1, None)
    assert isinstance(store.data_as_of, datetime)


def test_patch_store_with_if_match(v1: Any) -> None:
    store_id = new_store(v1, "billing", "Billing line")
    ctx = v1.stores(store_id)
    first = ctx.fetch_with_http_info()
    etag_v1 = header(first, "ETag")
    assert first.data.version == 1 and etag_v1.startswith('"')

    patched = ctx.patch_with_http_info(StoreList.PatchStoreRequest({"description": "Billing, all regions"}),
                                       if_match=etag_v1)
    assert patched.status_code == 202
    assert patched.data.message == "Memory Store update request accepted for processing."
    op = completed(v1, patched)
    assert op.result == {"type": "RESOURCE_ID", "id": store_id}

    second = ctx.fetch_with_http_info()
    assert second.data.version == 2
    assert (second.data.display_name, second.data.description) == ("billing", "Billing, all regions")
    etag_v2 = header(second, "ETag")
    assert etag_v2 != etag_v1

    stale = rest_error(ctx.patch, StoreList.PatchStoreRequest({"displayName": "hijacked"}), if_match=etag_v1)
    assert (stale.status, stale.code) == (412, ETAG_412)
    after = ctx.fetch_with_http_info()
    assert (after.data.display_name, after.data.version, header(after, "ETag")) == ("billing", 2, etag_v2)

    # Quotes and a W/ prefix are ignored when comparing tags.
    completed(v1, ctx.patch(StoreList.PatchStoreRequest({}), if_match="W/" + etag_v2.strip('"')))
    assert ctx.fetch().version == 3  # an empty PATCH is still an update

    # Without If-Match the write is unconditional; only the fields sent change.
    completed(v1, ctx.patch(StoreList.PatchStoreRequest({"displayName": "billing-global"})))
    store = ctx.fetch()
    assert (store.display_name, store.description, store.version) == ("billing-global", "Billing, all regions", 4)


def test_delete_store(v1: Any) -> None:
    keep, doomed = new_store(v1), new_store(v1)
    deleted = v1.stores(doomed).delete_with_http_info()
    assert deleted.status_code == 202
    assert deleted.data["message"] == "Memory Store deletion request accepted for processing."
    op = completed(v1, deleted)
    assert op.result == {"type": "RESOURCE_ID", "id": doomed} and op.result_url is None

    gone = rest_error(v1.stores(doomed).fetch)
    assert (gone.status, gone.code) == (404, 520041)
    again = rest_error(v1.stores(doomed).delete)
    assert (again.status, again.code) == (404, 520041)
    assert v1.stores.list() == [keep]


def test_list_stores_pages(v1: Any) -> None:
    created = [new_store(v1, f"page-{i}") for i in range(5)]
    newest_first = list(reversed(created))

    assert v1.stores.list() == newest_first  # bare id strings, DESC by default
    assert all(isinstance(item, str) for item in v1.stores.list())
    assert v1.stores.list(order_by="ASC") == created
    assert v1.stores.list(page_size=2) == newest_first  # three pages
    assert v1.stores.list(order_by="ASC", page_size=2, limit=3) == created[:3]
    assert v1.stores.list(limit=3) == newest_first[:3]
    assert v1.stores.list(limit=500) == newest_first  # pageSize=500 is clamped, not refused

    first = v1.stores.page(page_size=2)
    assert list(first) == newest_first[:2]
    assert first.key == "stores" and first.page_size == 2 and first.next_token and first.previous_token is None
    second = first.next_page()
    assert list(second) == newest_first[2:4] and second.previous_token
    third = second.next_page()
    assert list(third) == newest_first[4:] and third.next_token is None and third.next_page() is None
    assert list(third.previous_page()) == newest_first[2:4]

    # The *_with_http_info variants send PageSize (capitalised) first and then only pageToken,
    # so the order must travel inside the token.
    listed = v1.stores.list_with_http_info(order_by="ASC", page_size=2)
    assert (listed.status_code, listed.data) == (200, created)
    page = v1.stores.page_with_http_info(page_size=2, order_by="ASC")
    assert list(page.data) == created[:2]
    assert list(page.data.next_page()) == created[2:]  # later pages take the default size
    generator, status, _ = v1.stores.stream_with_http_info(page_size=2, limit=4)
    assert (status, list(generator)) == (200, newest_first[:4])

    assert page_error(v1.stores.list, page_token="not-a-token") == (400, 520046)
    assert page_error(v1.stores.page, page_size=0) == (400, 520046)  # list() drops a 0


def test_stores_are_private_to_their_account(v1: Any, server: LiveServer, db: Database) -> None:
    mine = new_store(v1, "mine")
    other = auth.create_account(db)
    stranger = Client(other.account_sid, other.auth_token)
    stranger.memory.base_url = server.url
    theirs = stranger.memory.v1
    assert theirs.stores.list() == []
    assert rest_error(theirs.stores(mine).fetch).status == 404
    assert rest_error(theirs.stores(mine).patch, StoreList.PatchStoreRequest({"description": "x"})).status == 404
    assert rest_error(theirs.stores(mine).delete).status == 404
    # Operations belong to the account that started them.
    op_id = operation_id(v1.stores(mine).patch(StoreList.PatchStoreRequest({"description": "y"})).status_url)
    assert rest_error(theirs.operations(op_id).fetch).code == 520052
    assert v1.stores(mine).fetch().version == 2  # the stranger's writes changed nothing


def test_store_errors(v1: Any) -> None:
    new_store(v1, "taken")
    duplicate = rest_error(v1.stores.create, StoreList.ServiceRequest({"displayName": "taken"}))
    assert (duplicate.status, duplicate.code) == (400, 520045)
    invalid = rest_error(v1.stores.create, StoreList.ServiceRequest({"displayName": "no spaces allowed"}))
    assert (invalid.status, invalid.code) == (400, 520046)
    assert "displayName" in invalid.msg
    missing = rest_error(v1.stores.create, StoreList.ServiceRequest({"description": "no name"}))
    assert (missing.status, missing.code) == (400, 520046)

    other = new_store(v1, "other")
    renamed = rest_error(v1.stores(other).patch, StoreList.PatchStoreRequest({"displayName": "taken"}))
    assert (renamed.status, renamed.code) == (400, 520045)
    assert v1.stores(other).fetch().version == 1

    malformed = rest_error(v1.stores("mem_store_nope").fetch)
    assert (malformed.status, malformed.code) == (400, 520049)
    unknown = rest_error(v1.stores("mem_store_" + "0" * 26).fetch)
    assert (unknown.status, unknown.code) == (404, 520041)
    assert rest_error(v1.stores("mem_store_" + "0" * 26).patch, StoreList.PatchStoreRequest({})).code == 520041


def test_operation_errors(v1: Any) -> None:
    unknown = rest_error(v1.operations("mem_operation_" + "0" * 26).fetch)
    assert (unknown.status, unknown.code) == (404, 520052)
    malformed = rest_error(v1.operations("not-an-operation").fetch)
    assert (malformed.status, malformed.code) == (400, 520051)
