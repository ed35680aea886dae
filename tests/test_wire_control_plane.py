"""Wire details of the control plane over plain HTTP: 202 + Operation, statusUrl behind proxies,
operation retention, TTIDs, store rules (names, quota, ETag/If-Match, account isolation),
token pagination, timestamps, probes and the OpenAPI document."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from convmem.domain.timefmt import utcnow
from convmem.storage.db import Database
from convmem.storage.tables import operations, stores
from tests.support.credentials import new_account
from tests.support.inprocess import AppServer
from tests.support.wire import (
    OPERATIONS,
    STORE_ID_RE,
    STORES,
    TIMESTAMP_RE,
    assert_accepted,
    assert_error,
    create_group,
    groups_path,
    new_store,
    operation,
    result_id,
    string_traits,
)

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


@pytest.fixture
def other_http(server: AppServer, db: Database) -> Iterator[httpx.Client]:
    with server.http(new_account(db)) as c:
        yield c


def _mapping_body(name: str, trait: str = "firstName") -> dict[str, object]:
    return {"displayName": name,
            "mappingTo": {"type": "TRAITS", "mappings": [{"expression": "col", "traitGroup": "Contact",
                                                          "traitName": trait}]},
            "mappingFrom": {"type": "INGRESS", "columns": ["col"]}}


# --- 202 + Operation ----------------------------------------------------------------------

def test_every_control_plane_write_answers_202_with_an_operation(http: httpx.Client) -> None:
    """All ten control-plane writes: 202 {message, statusUrl} + Operation-Id, Location,
    Retry-After; the operation is COMPLETED with a RESOURCE_ID result."""
    create = http.post(STORES, json={"displayName": "ops-all", "description": "d"})
    store_id = result_id(http, create)
    store = f"{STORES}/{store_id}"
    mappings = f"{store}/DataMappings"
    writes = [
        ("store", http.patch(store, json={"description": "changed"})),
        ("irs", http.put(f"{store}/IdentityResolutionSettings",
                         json={"identifierConfigs": [{"idType": "email"}, {"idType": "phone"}],
                               "matchingRules": ["email", "phone"]})),
        ("group", http.post(groups_path(store_id), json={"displayName": "Extra"})),
        ("group", http.patch(f"{groups_path(store_id)}/Extra", json={"description": "x"})),
        ("mapping", http.post(mappings, json=_mapping_body("m1"))),
    ]
    mapping_id = operation(http, writes[-1][1].headers["Operation-Id"])["result"]["id"]
    writes += [
        ("mapping", http.patch(f"{mappings}/{mapping_id}", json={"isEnabled": False})),
        ("mapping", http.delete(f"{mappings}/{mapping_id}")),
        ("group", http.delete(f"{groups_path(store_id)}/Extra")),
        ("store", http.delete(store)),
    ]
    expected_ids = {"store": store_id, "irs": store_id, "group": "Extra", "mapping": mapping_id}
    for kind, resp in writes:
        op = operation(http, assert_accepted(resp))
        assert op["status"] == "COMPLETED", op
        assert op["result"] == {"type": "RESOURCE_ID", "id": expected_ids[kind]}
        assert TIMESTAMP_RE.match(op["createdAt"]) and TIMESTAMP_RE.match(op["completedAt"])
        assert op["statusUrl"] == resp.json()["statusUrl"]
        assert "error" not in op


def test_operation_body_and_headers(http: httpx.Client, server: AppServer) -> None:
    resp = http.post(STORES, json={"displayName": "op-shape"})
    op_id = assert_accepted(resp, server.url)
    op_resp = http.get(f"{OPERATIONS}/{op_id}")
    assert op_resp.status_code == 200
    assert op_resp.headers["Operation-Id"] == op_id
    assert "Retry-After" not in op_resp.headers  # only while PENDING or RUNNING
    op = op_resp.json()
    assert set(op) <= {"operationId", "status", "createdAt", "statusUrl", "completedAt", "result", "error",
                       "resultUrl"}
    assert op["operationId"] == op_id and op["status"] == "COMPLETED"
    assert op["resultUrl"] == f"{server.url}{STORES}/{op['result']['id']}"
    assert http.get(op["resultUrl"]).status_code == 200


def test_status_url_honours_host_but_not_untrusted_forwarded_headers(http: httpx.Client) -> None:
    resp = http.post(STORES, json={"displayName": "via-host"}, headers={"Host": "memory.example.test:8443"})
    assert_accepted(resp, "http://memory.example.test:8443")

    # No trusted proxy is configured on this server: X-Forwarded-* are anyone's to forge
    # (tests/test_edge.py covers a trusted proxy).
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.test"}
    resp = http.post(STORES, json={"displayName": "via-proxy"}, headers={"Host": "memory.example.test", **proxied})
    op_id = assert_accepted(resp, "http://memory.example.test")
    # The operation's own URLs are built the same way.
    op = http.get(f"{OPERATIONS}/{op_id}", headers={"Host": "memory.example.test", **proxied}).json()
    assert op["statusUrl"] == f"http://memory.example.test{OPERATIONS}/{op_id}"
    assert op["resultUrl"].startswith("http://memory.example.test/v1/ControlPlane/Stores/mem_store_")


def test_garbage_forwarding_headers_are_not_echoed(http: httpx.Client, server: AppServer) -> None:
    for headers in ({"X-Forwarded-Proto": "javascript"}, {"X-Forwarded-Host": "evil.test/phish?x="},
                    {"X-Forwarded-Host": "user@evil.test"}, {"X-Forwarded-Host": "a b"}):
        resp = http.post(STORES, json={"displayName": f"fwd-{secrets.token_hex(3)}"}, headers=headers)
        assert_accepted(resp, server.url)
    resp = http.post(STORES, json={"displayName": "ipv6"}, headers={"Host": "[::1]:9000"})
    assert_accepted(resp, "http://[::1]:9000")
    resp = http.post(STORES, json={"displayName": "svc"}, headers={"Host": "docker_svc:8080"})
    assert_accepted(resp, "http://docker_svc:8080")


def test_operations_are_kept_seven_days(http: httpx.Client, db: Database) -> None:
    op_id = assert_accepted(http.post(STORES, json={"displayName": "retention"}))

    def age(days: float) -> None:
        then = utcnow() - timedelta(days=days)
        with db.write() as conn:
            conn.execute(update(operations).where(operations.c.id == op_id).values(created_at=then,
                                                                                  completed_at=then))

    age(6.9)
    assert operation(http, op_id)["status"] == "COMPLETED"
    age(7.01)
    assert_error(http.get(f"{OPERATIONS}/{op_id}"), 404, 520052, op_id)


def test_operation_ids_are_validated_and_private(http: httpx.Client, other_http: httpx.Client) -> None:
    op_id = assert_accepted(http.post(STORES, json={"displayName": "private-op"}))
    assert_error(other_http.get(f"{OPERATIONS}/{op_id}"), 404, 520052)
    assert_error(http.get(f"{OPERATIONS}/mem_operation_{'0' * 26}"), 404, 520052)
    for bad in ("abc", f"mem_store_{'0' * 26}", f"mem_operation_{'8' * 26}", "x" * 600):
        assert_error(http.get(f"{OPERATIONS}/{bad}"), 400, 520051)


# --- IDs --------------------------------------------------------------------------------------

def _ttid_millis(ttid: str) -> int:
    value = 0
    for ch in ttid.rsplit("_", 1)[1]:
        value = value * 32 + _ALPHABET.index(ch)
    return value >> 80


def test_ttids_are_time_ordered(http: httpx.Client) -> None:
    before = int(time.time() * 1000)
    created = [new_store(http, f"ordered-{i}") for i in range(5)]
    after = int(time.time() * 1000)
    assert all(STORE_ID_RE.match(s) for s in created)
    assert created == sorted(created)
    assert all(before - 1000 <= _ttid_millis(s) <= after + 1000 for s in created)
    assert http.get(STORES, params={"orderBy": "ASC"}).json()["stores"] == created
    assert http.get(STORES).json()["stores"] == created[::-1]  # default DESC, newest first


@pytest.mark.parametrize("bad_id", [
    "mem_store_bad", f"mem_store_{'8' * 26}", f"mem_store_{'0' * 25}", f"mem_store_{'A' * 26}",
    f"mem_profile_{'0' * 26}", f"mem_store_{'0' * 26}x", "x" * 300,
])
def test_malformed_store_ids_are_520049(http: httpx.Client, bad_id: str) -> None:
    base = f"{STORES}/{bad_id}"
    for resp in (http.get(base), http.patch(base, json={}), http.delete(base),
                 http.get(f"{base}/TraitGroups"), http.get(f"{base}/TraitGroups/Contact"),
                 http.post(f"{base}/TraitGroups", json={"displayName": "g"}),
                 http.get(f"{base}/IdentityResolutionSettings"), http.get(f"{base}/DataMappings")):
        assert_error(resp, 400, 520049)


def test_unknown_store_is_520041(http: httpx.Client) -> None:
    base = f"{STORES}/mem_store_{'0' * 26}"
    for resp in (http.get(base), http.patch(base, json={}), http.delete(base),
                 http.get(f"{base}/TraitGroups"), http.get(f"{base}/TraitGroups/Contact"),
                 http.patch(f"{base}/TraitGroups/Contact", json={}),
                 http.get(f"{base}/IdentityResolutionSettings"), http.get(f"{base}/DataMappings")):
        assert_error(resp, 404, 520041)
    # The legacy mem_service_ prefix is a well-formed store id.
    assert_error(http.get(f"{STORES}/mem_service_{'0' * 26}"), 404, 520041)


# --- stores -------------------------------------------------------------------------------------

def test_store_display_names_are_unique_per_account(http: httpx.Client, other_http: httpx.Client) -> None:
    first = new_store(http, "same-name")
    assert_error(http.post(STORES, json={"displayName": "same-name"}), 400, 520045, "same-name")
    new_store(other_http, "same-name")  # another account may use it
    second = new_store(http, "other-name")
    assert_error(http.patch(f"{STORES}/{second}", json={"displayName": "same-name"}), 400, 520045)
    # Keeping one's own name is not a conflict.
    assert_accepted(http.patch(f"{STORES}/{first}", json={"displayName": "same-name"}))
    assert http.get(f"{STORES}/{second}").json()["displayName"] == "other-name"


def test_store_quota_is_15_per_account(http: httpx.Client, other_http: httpx.Client) -> None:
    for i in range(15):
        assert_accepted(http.post(STORES, json={"displayName": f"quota-{i}"}))
    assert_error(http.post(STORES, json={"displayName": "quota-15"}), 400, 520044, "15")
    assert len(http.get(STORES, params={"pageSize": 100}).json()["stores"]) == 15
    new_store(other_http)  # the quota is per account
    victim = http.get(STORES).json()["stores"][0]
    assert_accepted(http.delete(f"{STORES}/{victim}"))
    assert_accepted(http.post(STORES, json={"displayName": "quota-15"}))


def test_store_fetch_shape_etag_and_if_match(http: httpx.Client) -> None:
    store_id = new_store(http, "etag-store")
    resp = http.get(f"{STORES}/{store_id}")
    body, etag = resp.json(), resp.headers["ETag"]
    assert body == {"id": store_id, "displayName": "etag-store", "status": "ACTIVE", "intelligenceServiceId": None,
                    "version": 1, "dataAsOf": body["dataAsOf"]}
    assert TIMESTAMP_RE.match(body["dataAsOf"])
    assert etag.startswith('"') and etag.endswith('"') and len(etag) <= 512

    stale = etag
    assert_accepted(http.patch(f"{STORES}/{store_id}", json={"description": "one"}, headers={"If-Match": etag}))
    resp = http.get(f"{STORES}/{store_id}")
    assert resp.json()["version"] == 2 and resp.json()["description"] == "one"
    assert resp.headers["ETag"] != stale
    current = resp.headers["ETag"]

    assert_error(http.patch(f"{STORES}/{store_id}", json={"description": "lost"}, headers={"If-Match": stale}),
                 412, 520043)
    unchanged = http.get(f"{STORES}/{store_id}")
    assert unchanged.json()["description"] == "one" and unchanged.headers["ETag"] == current

    # Weak form, a list, "*", and an empty header (the client sends one) all behave per RFC 9110.
    for make_header in (lambda tag: f"W/{tag}", lambda tag: f'"nope", {tag}'):
        assert_accepted(http.patch(f"{STORES}/{store_id}", json={}, headers={"If-Match": make_header(current)}))
        current = http.get(f"{STORES}/{store_id}").headers["ETag"]
    for header in ("*", ""):
        assert_accepted(http.patch(f"{STORES}/{store_id}", json={}, headers={"If-Match": header}))
    assert http.get(f"{STORES}/{store_id}").json()["version"] == 6
    assert_error(http.patch(f"{STORES}/{store_id}", json={}, headers={"If-Match": "x" * 101}), 400, 520046,
                 "If-Match")


def test_another_accounts_store_is_404_never_403(http: httpx.Client, other_http: httpx.Client) -> None:
    store_id = new_store(http)
    create_group(http, store_id, "Mine")
    base = f"{STORES}/{store_id}"
    for resp in (other_http.get(base), other_http.patch(base, json={"description": "x"}), other_http.delete(base),
                 other_http.get(f"{base}/TraitGroups"), other_http.get(f"{base}/TraitGroups/Mine"),
                 other_http.patch(f"{base}/TraitGroups/Mine", json={"description": "x"}),
                 other_http.delete(f"{base}/TraitGroups/Mine"),
                 other_http.post(f"{base}/TraitGroups", json={"displayName": "Theirs"}),
                 other_http.get(f"{base}/IdentityResolutionSettings"), other_http.get(f"{base}/DataMappings")):
        assert_error(resp, 404, 520041)
    assert other_http.get(STORES).json()["stores"] == []
    assert http.get(base).json()["version"] == 1


# --- pagination -----------------------------------------------------------------------------

def test_token_pagination_of_stores(http: httpx.Client) -> None:
    empty = http.get(STORES)
    # An empty page reports the page size in effect (the default, 50), as the specification does.
    assert empty.json() == {"stores": [], "meta": {"key": "stores", "pageSize": 50}}
    created = [new_store(http, f"page-{i}") for i in range(5)]

    seen: list[str] = []
    page = http.get(STORES, params={"pageSize": 2, "orderBy": "ASC"}).json()
    while True:
        assert page["meta"]["key"] == "stores" and page["meta"]["pageSize"] == 2
        seen += page["stores"]
        token = page["meta"].get("nextToken")
        if not token:
            break
        # Only the token on later pages (as *_with_http_info sends): it carries the order.
        page = http.get(STORES, params={"pageSize": 2, "pageToken": token}).json()
    assert seen == created
    assert "previousToken" in page["meta"]
    back = http.get(STORES, params={"pageSize": 2, "pageToken": page["meta"]["previousToken"]}).json()
    assert back["stores"] == created[2:4]

    # Clamped above the cap, unknown parameters ignored, PageSize/PageToken aliases accepted.
    assert http.get(STORES, params={"pageSize": 100000, "foo": "bar", "Page": 3}).json()["stores"] == created[::-1]
    assert http.get(STORES, params={"PageSize": 1}).json()["stores"] == [created[-1]]


def test_page_size_is_clamped_to_the_list_cap(http: httpx.Client) -> None:
    store_id = new_store(http)
    mappings = f"{STORES}/{store_id}/DataMappings"
    for i in range(101):
        assert http.post(mappings, json=_mapping_body(f"m{i}")).status_code == 202
    page = http.get(mappings, params={"pageSize": 1000}).json()
    assert len(page["dataMappings"]) == 100 and page["meta"]["pageSize"] == 100
    assert page["meta"]["key"] == "dataMappings" and page["meta"]["nextToken"]
    rest = http.get(mappings, params={"pageSize": 1000, "pageToken": page["meta"]["nextToken"]}).json()
    assert len(rest["dataMappings"]) == 1 and "nextToken" not in rest["meta"]
    item = rest["dataMappings"][0]
    assert TIMESTAMP_RE.match(item["createdAt"]) and TIMESTAMP_RE.match(item["updatedAt"])


def test_page_parameters_are_checked(http: httpx.Client, store_id: str) -> None:
    for value in ("0", "-5"):
        assert_error(http.get(STORES, params={"pageSize": value}), 400, 520046, "pageSize")
    assert_error(http.get(STORES, params={"pageSize": "ten"}), 400, 520046, "pageSize")
    assert_error(http.get(STORES, params={"orderBy": "SIDEWAYS"}), 400, 520046, "orderBy")
    assert_error(http.get(STORES, params={"pageToken": "not-a-token"}), 400, 520046, "pageToken")
    assert_error(http.get(STORES, params={"pageToken": "x" * 5000}), 400, 520046, "pageToken")
    # A genuine token of another list is refused too.
    create_group(http, store_id, "Second")
    token = http.get(groups_path(store_id), params={"pageSize": 1}).json()["meta"]["nextToken"]
    assert_error(http.get(STORES, params={"pageToken": token}), 400, 520046, "pageToken")
    assert_error(http.get(groups_path(store_id), params={"includeTraits": "perhaps"}), 400, 520046,
                 "includeTraits")


def test_every_list_sends_meta_key(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Paged", string_traits("a", "b", "c"))
    groups = http.get(groups_path(store_id), params={"pageSize": 1, "includeTraits": "TRUE"}).json()
    assert groups["meta"]["key"] == "traitGroups" and len(groups["traitGroups"]) == 1
    assert "traits" in groups["traitGroups"][0]
    assert "traits" not in http.get(groups_path(store_id)).json()["traitGroups"][0]
    fetched = http.get(f"{groups_path(store_id)}/Paged", params={"pageSize": 2, "orderBy": "ASC"}).json()
    assert fetched["meta"]["key"] == "traits" and list(fetched["traitGroup"]["traits"]) == ["a", "b"]
    last = http.get(f"{groups_path(store_id)}/Paged", params={"pageToken": fetched["meta"]["nextToken"]}).json()
    assert list(last["traitGroup"]["traits"]) == ["c"] and "nextToken" not in last["meta"]
    mappings = http.get(f"{STORES}/{store_id}/DataMappings", params={"type": "INGRESS"}).json()
    assert mappings == {"dataMappings": [], "meta": {"key": "dataMappings", "pageSize": 50}}


# --- probes and the OpenAPI document ----------------------------------------------------------

def test_probes_need_no_credentials(anon: httpx.Client) -> None:
    assert anon.get("/healthz").json() == {"status": "ok"}
    assert anon.get("/readyz").json() == {"status": "ready"}
    assert_error(anon.get(STORES), 401, 20003)


def test_openapi_document_describes_the_control_plane(anon: httpx.Client) -> None:
    doc = anon.get("/openapi.json").json()
    paths = doc["paths"]
    for path, methods in {
        STORES: {"get", "post"}, f"{STORES}/{{storeId}}": {"get", "patch", "delete"},
        f"{STORES}/{{storeId}}/IdentityResolutionSettings": {"get", "put"},
        f"{STORES}/{{storeId}}/TraitGroups": {"get", "post"},
        f"{STORES}/{{storeId}}/TraitGroups/{{traitGroupName}}": {"get", "patch", "delete"},
        f"{STORES}/{{storeId}}/DataMappings": {"get", "post"},
        f"{STORES}/{{storeId}}/DataMappings/{{dataMappingId}}": {"get", "patch", "delete"},
        f"{OPERATIONS}/{{operationId}}": {"get"},
    }.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            op = paths[path][method]
            # Validation failures are 400 in this API; FastAPI's default 422 is never sent.
            assert "422" not in op["responses"], (method, path)
            assert {"400", "401", "404", "429"} <= set(op["responses"]), (method, path)
            assert op.get("security") != []
            if method != "get":
                accepted = op["responses"]["202"]
                assert {"Operation-Id", "Location", "Retry-After"} <= set(accepted.get("headers", {}))
    store_param = next(p for p in paths[f"{STORES}/{{storeId}}"]["get"]["parameters"] if p["name"] == "storeId")
    assert store_param["schema"]["pattern"] == "^mem_(store|service)_[0-7][0-9a-z]{25}$"
    schemes = doc["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"] == "basic" for s in schemes.values())
    assert paths["/healthz"]["get"].get("security") == []


def test_unknown_routes_and_methods_use_the_error_shape(http: httpx.Client) -> None:
    assert_error(http.get("/v1/ControlPlane/Nothing"), 404, 20404)
    resp = http.put(STORES, json={})
    assert_error(resp, 405, 20405)
    assert resp.headers["Allow"] == "GET, POST"
    resp = http.request("OPTIONS", f"{STORES}/mem_store_{'0' * 26}/TraitGroups/Contact")
    assert_error(resp, 405, 20405)
    assert resp.headers["Allow"] == "DELETE, GET, PATCH"
    resp = http.post(f"{OPERATIONS}/mem_operation_{'0' * 26}", json={})
    assert_error(resp, 405, 20405)
    assert resp.headers["Allow"] == "GET"



# --- the remaining Memory error codes -----------------------------------------------------------

def test_data_mapping_codes_and_if_match(http: httpx.Client, store_id: str) -> None:
    mappings = f"{STORES}/{store_id}/DataMappings"
    mapping_id = result_id(http, http.post(mappings, json=_mapping_body("crm")))
    assert_error(http.post(mappings, json=_mapping_body("crm")), 409, 520056, "crm")
    missing = f"{mappings}/mem_datamapping_{'0' * 26}"
    for resp in (http.get(missing), http.patch(missing, json={}), http.delete(missing)):
        assert_error(resp, 404, 520048)
    assert_error(http.get(f"{mappings}/mem_store_{'0' * 26}"), 400, 520046, "data mapping")
    fetched = http.get(f"{mappings}/{mapping_id}")
    etag = fetched.headers["ETag"]
    assert_accepted(http.patch(f"{mappings}/{mapping_id}", json={"isEnabled": False}, headers={"If-Match": etag}))
    assert_error(http.patch(f"{mappings}/{mapping_id}", json={"isEnabled": True}, headers={"If-Match": etag}),
                 412, 520043)
    after = http.get(f"{mappings}/{mapping_id}").json()
    assert after["isEnabled"] is False and after["version"] == 2
    assert after["updatedAt"] >= fetched.json()["updatedAt"]


def test_identity_settings_if_match(http: httpx.Client, store_id: str) -> None:
    irs = f"{STORES}/{store_id}/IdentityResolutionSettings"
    fetched = http.get(irs)
    body = {"identifierConfigs": [{"idType": "email"}, {"idType": "phone"}, {"idType": "userId"}],
            "matchingRules": ["email", "phone"]}
    assert_accepted(http.put(irs, json=body, headers={"If-Match": fetched.headers["ETag"]}))
    assert_error(http.put(irs, json=body, headers={"If-Match": fetched.headers["ETag"]}), 412, 520043)
    current = http.get(irs)
    assert current.json()["version"] == 2 and current.headers["ETag"] != fetched.headers["ETag"]
    assert [c["idType"] for c in current.json()["identifierConfigs"]] == ["email", "phone", "userId"]


def test_a_store_that_is_not_active_is_520042(http: httpx.Client, store_id: str, db: Database) -> None:
    with db.write() as conn:
        conn.execute(update(stores).where(stores.c.id == store_id).values(status="PROVISIONING"))
    assert http.get(f"{STORES}/{store_id}").json()["status"] == "PROVISIONING"
    for resp in (http.get(groups_path(store_id)), http.post(groups_path(store_id), json={"displayName": "g"}),
                 http.get(f"{STORES}/{store_id}/IdentityResolutionSettings")):
        assert_error(resp, 400, 520042, "ACTIVE")


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def test_bodies_are_camel_case_json(http: httpx.Client, store_id: str) -> None:
    base = f"{STORES}/{store_id}"
    mapping_id = result_id(http, http.post(f"{base}/DataMappings", json=_mapping_body("camel")))
    op_id = http.patch(base, json={}).headers["Operation-Id"]
    responses = [http.get(STORES), http.get(base), http.get(f"{base}/IdentityResolutionSettings"),
                 http.get(groups_path(store_id), params={"includeTraits": "true"}),
                 http.get(f"{groups_path(store_id)}/Contact"), http.get(f"{base}/DataMappings"),
                 http.get(f"{base}/DataMappings/{mapping_id}"), http.get(f"{OPERATIONS}/{op_id}")]
    camel = re.compile(r"^[a-z][a-zA-Z0-9]*$")
    for resp in responses:
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/json", resp.text
        assert all(camel.match(key) for key in _keys(resp.json())), resp.text
