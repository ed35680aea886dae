"""Conversations v2 on the wire: bad input gets a clear 4xx in the error shape (never a 5xx),
pagination edge cases, and the headers of asynchronous writes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

CONFIGS = "/v2/ControlPlane/Configurations"
SMS_PARTY = {"address": "+18005550100", "channel": "SMS"}


def error_of(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"code", "message", "more_info", "status"} and body["status"] == status
    return body


@pytest.fixture
def config_id(http: httpx.Client, store_id: str) -> str:
    resp = http.post(CONFIGS, json={"displayName": "wire", "description": "", "memoryStoreId": store_id,
                                    "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES"})
    assert resp.status_code == 202, resp.text
    assert resp.headers["Operation-Id"] and resp.headers["Location"] == resp.json()["statusUrl"]
    assert resp.headers["Retry-After"] == "1" and resp.json()["id"] == resp.json()["related"]["configurationId"]
    return str(resp.json()["id"])


@pytest.fixture
def conversation_id(http: httpx.Client, config_id: str) -> str:
    resp = http.post("/v2/Conversations", json={"configurationId": config_id})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_auth_is_required(anon: httpx.Client) -> None:
    for path in (CONFIGS, "/v2/Conversations", "/v2/ControlPlane/Operations/x"):
        assert error_of(anon.get(path), 401)["code"] == 20003
        assert anon.get(path, auth=("ACx", "nope")).status_code == 401


@pytest.mark.parametrize("body", [
    {"displayName": 5},
    {"description": "x" * 513},
    {"conversationGroupingType": "GROUP_BY_MOOD"},
    {"memoryStoreId": ""},
    {"channelSettings": {"SMS": {"statusTimeouts": {"inactive": "10"}}}},
    {"channelSettings": {"FAX": {}}},
    {"channelSettings": {"SMS": {"captureRules": [{"from": "*"}]}}},
    {"statusCallbacks": [{"url": "https://a.example/1"}] * 3},
    {"statusCallbacks": [{"url": "not a url"}]},
    {"intelligenceConfigurationIds": ["a"] * 6},
    {"conversationsV1Bridge": {"serviceId": "IS123"}},
    {"surprise": True},
])
def test_configuration_validation(http: httpx.Client, store_id: str, body: dict[str, Any]) -> None:
    full = {"displayName": "v", "description": "d", "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": store_id, **body}
    error_of(http.post(CONFIGS, json=full), 400)


def test_configuration_patch_nulls_limits_and_bridge(http: httpx.Client, config_id: str, store_id: str) -> None:
    error_of(http.patch(f"{CONFIGS}/{config_id}", json={"displayName": None}), 400)
    cleared = http.patch(f"{CONFIGS}/{config_id}", json={"statusCallbacks": [{"url": "https://a.example/h"}]})
    assert cleared.json()["statusCallbacks"] == [{"url": "https://a.example/h", "method": "POST"}]
    assert http.patch(f"{CONFIGS}/{config_id}", json={"statusCallbacks": None}).json()["statusCallbacks"] == []
    assert http.patch(f"{CONFIGS}/{config_id}").status_code == 202  # empty body: nothing changes but the version
    bridge = {"conversationsV1Bridge": {"serviceId": "IS" + "a" * 32}}
    assert http.patch(f"{CONFIGS}/{config_id}", json=bridge).status_code == 202
    other = {"displayName": "two", "description": "", "conversationGroupingType": "GROUP_BY_PROFILE",
             "memoryStoreId": store_id, **bridge}
    error_of(http.post(CONFIGS, json=other), 409)
    for _ in range(9):
        other["conversationsV1Bridge"] = None
        http.post(CONFIGS, json=other)
    assert error_of(http.post(CONFIGS, json=other), 409)["code"] == 20409  # ten per account
    error_of(http.get(f"{CONFIGS}/{'x' * 300}"), 404)
    error_of(http.get("/v2/ControlPlane/Operations/proc_job_00000000000000000000000001"), 404)
    error_of(http.get("/v2/ControlPlane/Operations/mem_operation_00000000000000000000000001"), 404)


def test_idempotency_key_conflicting_reuse(http: httpx.Client, store_id: str) -> None:
    key = {"Idempotency-Key": "0f8fad5b-d9cb-469f-a165-70867728950e"}
    body = {"displayName": "idem", "description": "", "conversationGroupingType": "GROUP_BY_PROFILE",
            "memoryStoreId": store_id}
    first = http.post(CONFIGS, json=body, headers=key)
    replay = http.post(CONFIGS, json=body, headers=key)
    assert first.status_code == replay.status_code == 202 and first.json() == replay.json()
    assert replay.headers["Operation-Id"] == first.headers["Operation-Id"]
    assert len(http.get(CONFIGS).json()["configurations"]) == 1
    error_of(http.post(CONFIGS, json={**body, "description": "other"}, headers=key), 409)


@pytest.mark.parametrize("body", [
    {"author": SMS_PARTY, "recipients": [], "content": {"type": "TEXT", "text": "x"}},
    {"author": SMS_PARTY, "recipients": [SMS_PARTY], "content": {"type": "HTML", "text": "x"}},
    {"author": SMS_PARTY, "recipients": [SMS_PARTY], "content": {"type": "TEXT"}},
    {"author": {**SMS_PARTY, "channel": "FAX"}, "recipients": [SMS_PARTY], "content": {"type": "TEXT", "text": "x"}},
    {"author": SMS_PARTY, "recipients": [SMS_PARTY], "content": {"type": "TEXT", "text": "x"}, "occurredAt": "noon"},
    {"author": SMS_PARTY, "recipients": [SMS_PARTY], "content": {"type": "TEXT", "text": "x"},
     "occurredAt": "2026-01-01T00:00:00"},
    {"author": {**SMS_PARTY, "participantId": "conv_participant_00000000000000000000000001"},
     "recipients": [SMS_PARTY], "content": {"type": "TEXT", "text": "x"}},
    {"author": SMS_PARTY, "recipients": [SMS_PARTY], "content": {"type": "TEXT", "text": "x"}, "resourceId": ""},
])
def test_communication_validation(http: httpx.Client, conversation_id: str, body: dict[str, Any]) -> None:
    error_of(http.post(f"/v2/Conversations/{conversation_id}/Communications", json=body), 400)


def test_conversation_and_participant_validation(http: httpx.Client, conversation_id: str) -> None:
    error_of(http.post("/v2/Conversations", json={"configurationId": 5}), 400)
    error_of(http.post("/v2/Conversations", content=b"{not json", headers={"Content-Type": "application/json"}), 400)
    error_of(http.post("/v2/Conversations", json={"configuration": {"memoryStoreId": "m"},
                                                  "metadata": {"bad key!": "v"}}), 400)
    error_of(http.post("/v2/Conversations", json={"configuration": {"memoryStoreId": "m"},
                                                  "participants": [{"type": "ROBOT"}]}), 400)
    error_of(http.put(f"/v2/Conversations/{conversation_id}", json={"name": "no status"}), 400)
    error_of(http.patch(f"/v2/Conversations/{conversation_id}", json={"status": "PAUSED"}), 400)
    error_of(http.post(f"/v2/Conversations/{conversation_id}/Participants", json={"type": "CUSTOMER"}), 400)
    error_of(http.post(f"/v2/Conversations/{conversation_id}/Participants", json={
        "addresses": [{"channel": "SMS"}]}), 400)
    error_of(http.get(f"/v2/Conversations/{conversation_id}/Participants/conv_participant_x"), 404)
    error_of(http.get(f"/v2/Conversations/{conversation_id}/Communications/{'c' * 200}"), 404)
    error_of(http.get("/v2/Conversations/conv_conversation_00000000000000000000000001/Participants"), 404)
    error_of(http.delete("/v2/Conversations/nope", headers={"Accept": "*/*"}), 404)
    # TRANSCRIPTION content with its details is accepted as given.
    said = http.post(f"/v2/Conversations/{conversation_id}/Communications", json={
        "author": {"address": "+18005550100", "channel": "VOICE"}, "recipients": [SMS_PARTY],
        "content": {"type": "TRANSCRIPTION", "text": "hello",
                    "transcription": {"channel": 0, "confidence": 0.9, "engine": "x"}}})
    assert said.status_code == 201 and said.json()["content"]["transcription"]["confidence"] == 0.9


def test_pagination_edges(http: httpx.Client, conversation_id: str) -> None:
    for i in range(3):
        resp = http.post(f"/v2/Conversations/{conversation_id}/Communications", json={
            "author": SMS_PARTY, "recipients": [{"address": "+18005550199", "channel": "SMS"}],
            "content": {"type": "TEXT", "text": f"m{i}"}})
        assert resp.status_code == 201
    path = f"/v2/Conversations/{conversation_id}/Communications"
    first = http.get(path, params={"pageSize": 2}, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert first.json()["meta"]["key"] == "communications" and first.json()["meta"]["pageSize"] == 2
    token = first.json()["meta"]["nextToken"]
    second = http.get(path, params={"PageToken": token}).json()
    assert [c["content"]["text"] for c in second["communications"]] == ["m2"] and "nextToken" not in second["meta"]
    assert http.get(path, params={"pageSize": 5000}).status_code == 200
    error_of(http.get(path, params={"pageSize": 0}), 400)
    error_of(http.get(path, params={"pageSize": "many"}), 400)
    error_of(http.get(path, params={"pageToken": "garbage"}), 400)
    error_of(http.get("/v2/Conversations", params={"pageToken": token}), 400)  # another list's token
    participants = http.get(f"/v2/Conversations/{conversation_id}/Participants", params={"pageSize": 1}).json()
    assert participants["meta"]["pageSize"] == 1 and participants["meta"]["nextToken"]
