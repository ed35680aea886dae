"""Errors on the wire: the TwilioError shape, field-naming 400s for bad bodies and parameters,
authentication failures, and request-body screening (compression, NaN, NUL, surrogates, deep
nesting, huge numbers, oversized strings, odd Content-Types) — all 4xx, never a 500."""

from __future__ import annotations

import gzip
import json
import zlib

import httpx
import pytest

from tests.support.credentials import Credentials
from tests.support.wire import STORES, assert_accepted, assert_error, fetch_group, groups_path

JSON = {"Content-Type": "application/json"}


def _post_raw(http: httpx.Client, path: str, content: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return http.post(path, content=content, headers={**JSON, **(headers or {})})


# --- validation messages name the field -------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"displayName": "ok", "colour": "red"}, "colour"),
    ({"displayName": 5}, "displayName"),
    ({"displayName": True}, "displayName"),
    ({"displayName": ["a"]}, "displayName"),
    ({"displayName": None}, "displayName"),
    ({}, "displayName"),
    ({"displayName": "x" * 65}, "displayName"),
    ({"displayName": "under_score"}, "displayName"),
    ({"displayName": "ok", "description": ""}, "description"),
    ({"displayName": "ok", "description": "d" * 129}, "description"),
    ({"displayName": "ok", "description": 7}, "description"),
])
def test_store_body_errors_name_the_field(http: httpx.Client, body: dict[str, object], field: str) -> None:
    assert_error(http.post(STORES, json=body), 400, 520046, field)
    assert http.get(STORES).json()["stores"] == []


def test_nested_body_errors_name_the_path(http: httpx.Client, store_id: str) -> None:
    irs = f"{STORES}/{store_id}/IdentityResolutionSettings"
    for body, field in [
        ({"identifierConfigs": [{"idType": "email", "limit": "5"}], "matchingRules": ["email"]},
         "identifierConfigs.0.limit"),  # strict: "5" is not 5
        ({"identifierConfigs": [{"idType": "email", "limit": 101}], "matchingRules": ["email"]},
         "identifierConfigs.0.limit"),
        ({"identifierConfigs": [{"idType": "email", "matchingAlgo": "approximate"}], "matchingRules": ["email"]},
         "identifierConfigs.0.matchingAlgo"),
        ({"identifierConfigs": [{"idType": "email", "extra": 1}], "matchingRules": ["email"]},
         "identifierConfigs.0.extra"),
        ({"identifierConfigs": [], "matchingRules": ["email"]}, "identifierConfigs"),
        ({"identifierConfigs": [{"idType": "email"}]}, "matchingRules"),
        ({"identifierConfigs": [{"idType": "email"}], "matchingRules": ["m" * 31]}, "matchingRules.0"),
    ]:
        assert_error(http.put(irs, json=body), 400, 520046, field)
    assert http.get(irs).json()["version"] == 1
    mapping = {"displayName": "m", "mappingTo": {"mappings": [{"expression": "e", "traitGroup": "Contact",
                                                              "traitName": "Email"}]},
               "mappingFrom": {"type": "INGRESS", "columns": ["e"]}}
    assert_error(http.post(f"{STORES}/{store_id}/DataMappings", json=mapping), 400, 520046,
                 "mappingTo.mappings.0.traitName")
    mapping["mappingFrom"] = {"type": "DATASET_WAREHOUSE", "datasetId": "tdi_dataset_nope"}
    assert_error(http.post(f"{STORES}/{store_id}/DataMappings", json=mapping), 400, 520046, "datasetId")


def test_unknown_query_parameters_are_ignored(http: httpx.Client, store_id: str) -> None:
    params = {"Accept-Encoding": "gzip", "Page": "2", "whatever": "x", "includeTraitz": "maybe"}
    assert http.get(STORES, params=params).status_code == 200
    assert http.get(f"{STORES}/{store_id}", params=params).status_code == 200
    assert http.get(groups_path(store_id), params=params).status_code == 200
    assert_accepted(http.patch(f"{STORES}/{store_id}", json={}, params=params))


# --- authentication ---------------------------------------------------------------------------

@pytest.mark.parametrize("authorization", [
    None, "", "Basic", "Basic !!!", "Bearer abc", "Basic " + "QUJD" * 3000,
    "Basic bm9jb2xvbg==",  # "nocolon"
    "Basic //79AA==",  # not UTF-8
])
def test_bad_credentials_are_401(anon: httpx.Client, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_error(anon.get(STORES, headers=headers), 401, 20003)


def test_wrong_secret_is_401(anon: httpx.Client, account: Credentials) -> None:
    assert_error(anon.get(STORES, auth=(account.account_sid, "wrong")), 401, 20003)
    assert_error(anon.post(STORES, auth=(account.account_sid, "wrong"), json={"displayName": "nope"}), 401, 20003)
    assert anon.get(STORES, auth=(account.account_sid, account.auth_token)).json()["stores"] == []


# --- body screening -----------------------------------------------------------------------------

def test_gzip_bodies_are_inflated_and_fake_gzip_is_accepted(http: httpx.Client, store_id: str) -> None:
    body = json.dumps({"displayName": "Zipped", "traits": {"a": {"dataType": "STRING"}}}).encode()
    assert_accepted(_post_raw(http, groups_path(store_id), gzip.compress(body), {"Content-Encoding": "gzip"}))
    assert fetch_group(http, store_id, "Zipped")[0]["traits"] == {"a": {"dataType": "STRING"}}
    # What the official client sends with content_encoding="gzip": the header over plain JSON.
    assert_accepted(_post_raw(http, groups_path(store_id), b'{"displayName": "Plain"}', {"Content-Encoding": "gzip"}))
    assert_accepted(_post_raw(http, groups_path(store_id), zlib.compress(b'{"displayName": "Deflated"}'),
                              {"Content-Encoding": "deflate"}))
    assert_accepted(_post_raw(http, groups_path(store_id), b'{"displayName": "Brotli"}', {"Content-Encoding": "br"}))
    assert_error(_post_raw(http, groups_path(store_id), b"\x1f\x8b\x08\x00garbage", {"Content-Encoding": "gzip"}),
                 400, 520046, "gzip")
    assert_error(_post_raw(http, groups_path(store_id), b"\x78\x9cnot-deflate", {"Content-Encoding": "deflate"}),
                 400, 520046)
    names = {g["displayName"] for g in http.get(groups_path(store_id)).json()["traitGroups"]}
    assert names == {"Contact", "Zipped", "Plain", "Deflated", "Brotli"}


def test_a_gzip_bomb_is_refused(http: httpx.Client) -> None:
    bomb = gzip.compress(b'{"displayName": "' + b"a" * (40 * 1024 * 1024) + b'"}', compresslevel=9)
    assert len(bomb) < 200_000
    resp = _post_raw(http, STORES, bomb, {"Content-Encoding": "gzip"})
    assert_error(resp, 413)


@pytest.mark.parametrize(("content", "mention"), [
    (b'{"displayName": "ok", "description": NaN}', "NaN"),
    (b'{"displayName": "ok", "description": Infinity}', "Infinity"),
    (b'{"displayName": "ok", "description": -Infinity}', "Infinity"),
    (b'{"displayName": "ok\\u0000"}', "NUL"),
    (b'{"displayName": "ok", "descr\\u0000iption": "x"}', "NUL"),
    (b'{"displayName": "\\ud800"}', "surrogate"),
    (b'{"displayName": "ok", "description": "\\udfff tail"}', "surrogate"),
    (b'{"displayName": ', "JSON"),
    (b"{'displayName': 'single'}", "JSON"),
    (b'{"displayName": "ok",}', "JSON"),
    (b'{"displayName": "ok"} trailing', "JSON"),
    (b'{"displayName": "\xff\xfe"}', "JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    (b'{"a":' * 5000 + b"1" + b"}" * 5000, ""),
    (b'{"displayName": "ok", "description": 1e400}', "description"),
    (b'{"displayName": ' + b"9" * 5000 + b"}", ""),
    (b'{"displayName": 123456789012345678901234567890}', "displayName"),
    (b"", "body"),
    (b"   ", ""),
    (b"null", "body"),
    (b"[]", "body"),
    (b'"displayName"', "body"),
    (b"42", "body"),
])
def test_malformed_bodies_are_400(http: httpx.Client, content: bytes, mention: str) -> None:
    assert_error(_post_raw(http, STORES, content), 400, 520046, mention)
    assert http.get(STORES).json()["stores"] == []


def test_two_megabyte_strings_are_400_naming_the_field(http: httpx.Client, store_id: str) -> None:
    big = "x" * (2 * 1024 * 1024)
    assert_error(http.post(STORES, json={"displayName": big}), 400, 520046, "displayName")
    assert_error(http.post(groups_path(store_id), json={"displayName": "ok", "description": big}), 400, 520046,
                 "description")
    assert_error(http.post(groups_path(store_id), json={"displayName": "ok", "traits": {big: {"dataType": "STRING"}}}),
                 400, 520046, "traits")
    assert_error(http.patch(f"{STORES}/{store_id}", json={"description": big}), 400, 520046, "description")


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
])
def test_wrong_content_type_is_4xx(http: httpx.Client, content_type: str) -> None:
    resp = http.post(STORES, content=b'{"displayName": "typed"}', headers={"Content-Type": content_type})
    assert 400 <= resp.status_code < 500
    body = assert_error(resp, resp.status_code)
    assert "Content-Type" in body["message"], body
    assert http.get(STORES).json()["stores"] == []


def test_content_type_is_ignored_without_a_body(http: httpx.Client, store_id: str) -> None:
    # The official client sends form Content-Type on bodiless GETs and Accept: */* on DELETE.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert http.get(STORES, headers=form).status_code == 200
    assert http.get(f"{STORES}/{store_id}/IdentityResolutionSettings", headers=form).status_code == 200
    assert_accepted(http.delete(f"{STORES}/{store_id}", headers={"Accept": "*/*", **form}))


@pytest.mark.parametrize("path", [
    f"{STORES}/mem_store_{'0' * 26}%00", f"{STORES}/%00", f"{STORES}/mem_store_{'0' * 26}/TraitGroups/a%00b",
    "/v1/ControlPlane/Operations/%00", f"{STORES}?pageToken=%00", f"{STORES}?orderBy=AS%00C",
])
def test_nul_in_the_url_is_400(http: httpx.Client, path: str) -> None:
    assert_error(http.get(path), 400, 520046)
    if "?" not in path:
        assert_error(http.patch(path, json={}), 400, 520046)


@pytest.mark.parametrize("segment", ["%ff%fe", "%ed%a0%80", "%2F%2F", "..%2F..", "%20", "%E2%80%AE", "\\"])
def test_odd_path_segments_are_never_500(http: httpx.Client, store_id: str, segment: str) -> None:
    for path in (f"{STORES}/{segment}", f"{groups_path(store_id)}/{segment}",
                 f"/v1/ControlPlane/Operations/{segment}", f"{STORES}/{store_id}/DataMappings/{segment}"):
        for method in ("GET", "PATCH", "DELETE"):
            resp = http.request(method, path, json={} if method == "PATCH" else None)
            # A segment that decodes to slashes may meet Starlette's trailing-slash redirect.
            assert 300 <= resp.status_code < 500, (method, path, resp.status_code, resp.text)
            if resp.status_code >= 400:
                assert_error(resp, resp.status_code)


# --- a transaction the database rolled back against a concurrent one --------------------------

@pytest.mark.parametrize("error", ["DeadlockDetected", "SerializationFailure"])
def test_a_deadlock_or_serialization_failure_is_503_to_retry_not_500(
        http: httpx.Client, monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    import psycopg.errors
    from sqlalchemy.exc import OperationalError

    from convmem.services import stores

    def rolled_back(*args: object, **kwargs: object) -> None:
        raise OperationalError("UPDATE ...", {}, getattr(psycopg.errors, error)("rolled back"))

    monkeypatch.setattr(stores, "create", rolled_back)
    resp = http.post(STORES, json={"displayName": "contended"})
    body = assert_error(resp, 503, 20503, "retry")
    assert resp.headers["Retry-After"] == "1"
    assert "concurrent" in body["message"]
