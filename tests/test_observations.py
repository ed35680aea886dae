"""Observations and their revisions through the official client against the (in-process) server:
create (batch rules), list (filters, order, paging), fetch, patch (revisions), delete, merged
profiles, gzip both ways."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.observation import ObservationList

from convmem.domain import ids
from convmem.storage.db import Database
from convmem.storage.memory_tables import memory_index
from convmem.storage.profile_tables import profile_aliases, profiles

CONV = "conv_conversation_" + "0" * 26
CONV2 = "conv_conversation_" + "1" * 26


def new_profile(db: Database, store_id: str) -> str:
    """Profiles are created in the database directly, independent of the profiles endpoints."""
    profile_id = ids.new_id(ids.PROFILE)
    now = datetime.now(UTC)
    with db.write() as conn:
        conn.execute(insert(profiles).values(id=profile_id, store_id=store_id, created_at=now, updated_at=now))
    return profile_id


def merged_alias(db: Database, store_id: str, canonical_id: str) -> str:
    alias = ids.new_id(ids.PROFILE)
    with db.write() as conn:
        conn.execute(insert(profile_aliases).values(alias_id=alias, store_id=store_id, canonical_id=canonical_id,
                                                    merged_at=datetime.now(UTC)))
    return alias


def obs(content: str, source: str = "chat", occurred: str = "2025-01-15T10:15:30Z", **extra: Any) -> dict[str, Any]:
    return {"content": content, "source": source, "occurredAt": occurred, **extra}


def post_observations(v1: Any, store_id: str, profile_id: str, items: list[dict[str, Any]]) -> None:
    created = v1.observations(store_id, profile_id).create(
        ObservationList.CreateObservationsRequest({"observations": items}))
    assert created.message == "Observations creation accepted"


def wait_embedded(db: Database, item_ids: list[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.read() as conn:
            rows = conn.execute(select(memory_index.c.needs_embedding).where(
                memory_index.c.item_id.in_(item_ids))).scalars().all()
        if len(rows) == len(item_ids) and not any(rows):
            return
        time.sleep(0.05)
    raise AssertionError("items were not embedded in time")


@pytest.fixture
def profile_id(db: Database, store_id: str) -> str:
    return new_profile(db, store_id)


def test_create_fetch_and_list_with_the_sdk(v1: Any, store_id: str, profile_id: str) -> None:
    post_observations(v1, store_id, profile_id, [
        obs("Prefers email over phone calls", source="customer_service", conversationIds=[CONV]),
        obs("Lives in Lisbon", source="crm/import", occurred="2025-01-15T12:15:30.250+02:00"),
    ])
    listed = v1.observations(store_id, profile_id).list()
    assert [o.content for o in listed] == ["Lives in Lisbon", "Prefers email over phone calls"]
    lisbon = listed[0]
    assert lisbon.id.startswith("mem_observation_") and lisbon.source == "crm/import"
    assert lisbon.occurred_at == datetime(2025, 1, 15, 10, 15, 30, tzinfo=UTC)
    assert lisbon.created_at == lisbon.updated_at and isinstance(lisbon.created_at, datetime)
    assert listed[1].conversation_ids == [CONV]
    fetched = v1.observations(store_id, profile_id, lisbon.id).fetch_with_http_info()
    assert fetched.status_code == 200 and fetched.data.content == "Lives in Lisbon"
    assert fetched.headers["Canonical-Profile-Id"] == profile_id


@pytest.mark.parametrize("body", [
    {"observations": []},
    {"observations": [obs(f"item {n}") for n in range(11)]},
    {"observations": [obs("")]},
    {"observations": [obs("x" * 4097)]},
    {"observations": [obs("ok", source="bad|source")]},
    {"observations": [obs("ok", source="")]},
    {"observations": [obs("ok", occurred="yesterday")]},
    {"observations": [{"content": "no date", "source": "chat"}]},
    {"observations": [obs("ok", conversationIds=["conv_conversation_" + "0" * 26] * 11)]},
    {"observations": [obs("ok", conversationIds=["mem_profile_" + "0" * 26])]},
    {"observations": [obs("ok"), obs("bad", source="a" * 101)]},
    {"content": "flat object", "source": "chat", "occurredAt": "2025-01-15T10:15:30Z"},
])
def test_invalid_batches_are_refused_whole(http: httpx.Client, store_id: str, profile_id: str,
                                           body: dict[str, Any]) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
    resp = http.post(url, json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == 520046
    assert http.get(url).json()["observations"] == []


def test_batch_limits_and_content_edges(http: httpx.Client, store_id: str, profile_id: str) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
    resp = http.post(url, json={"observations": [obs("x" * 4096)] + [obs(f"n{n}") for n in range(9)]})
    assert resp.status_code == 202 and resp.json() == {"message": "Observations creation accepted"}
    page = http.get(url, params={"pageSize": 1000}).json()
    assert len(page["observations"]) == 10 and page["meta"]["pageSize"] == 50  # the requested size, clamped


def test_filters_order_and_paging(v1: Any, http: httpx.Client, store_id: str, profile_id: str) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
    post_observations(v1, store_id, profile_id, [obs(f"first {n}", source="a") for n in range(3)])
    first_batch = http.get(url).json()["observations"]
    boundary = max(o["createdAt"] for o in first_batch)
    time.sleep(1.1)  # createdAt has second precision on the wire
    post_observations(v1, store_id, profile_id, [obs(f"second {n}", source="b.c", conversationIds=[CONV2])
                                                 for n in range(4)])
    everything = v1.observations(store_id, profile_id).list(page_size=2)
    assert [o.content for o in everything] == [f"second {n}" for n in (3, 2, 1, 0)] + [f"first {n}"
                                                                                      for n in (2, 1, 0)]
    ascending = v1.observations(store_id, profile_id).list(order_by="ASC", limit=3)
    assert [o.content for o in ascending] == ["first 0", "first 1", "first 2"]
    assert [o.content for o in v1.observations(store_id, profile_id).list(source="a")] == \
        ["first 2", "first 1", "first 0"]
    assert len(v1.observations(store_id, profile_id).list(conversation_id=CONV2)) == 4
    later = datetime.strptime(boundary, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(seconds=1)
    after = v1.observations(store_id, profile_id).list(created_after=later)
    assert {o.content for o in after} == {f"second {n}" for n in range(4)}
    before = v1.observations(store_id, profile_id).list(created_before=later)
    assert {o.content for o in before} == {f"first {n}" for n in range(3)}
    # createdAfter is inclusive: the exact createdAt of the first batch still matches it.
    assert len(http.get(url, params={"createdAfter": boundary}).json()["observations"]) >= 3
    # Paging through raw HTTP: the token carries order and filters; previousToken goes back.
    page1 = http.get(url, params={"pageSize": 2, "source": "b.c"}).json()
    assert page1["meta"]["key"] == "observations" and "previousToken" not in page1["meta"]
    page2 = http.get(url, params={"pageToken": page1["meta"]["nextToken"]}).json()
    assert [o["content"] for o in page2["observations"]] == ["second 1", "second 0"]
    assert "nextToken" not in page2["meta"]
    back = http.get(url, params={"pageToken": page2["meta"]["previousToken"]}).json()
    assert back["observations"] == page1["observations"]
    for bad in ({"createdAfter": "2025-13-01"}, {"source": "a|b"}, {"conversationId": "nope"},
                {"orderBy": "SIDEWAYS"}, {"pageToken": "forged.token"}, {"pageSize": 0}):
        resp = http.get(url, params=bad)
        assert resp.status_code == 400, (bad, resp.text)


def test_patch_keeps_full_snapshot_revisions(v1: Any, http: httpx.Client, store_id: str, profile_id: str) -> None:
    post_observations(v1, store_id, profile_id, [obs("Likes tea", source="chat")])
    observation = v1.observations(store_id, profile_id).list()[0]
    revisions = v1.revisions(store_id, profile_id, observation.id).list()
    assert len(revisions) == 1 and revisions[0].content == "Likes tea"  # the original state
    handle = v1.observations(store_id, profile_id, observation.id)
    time.sleep(1.05)
    assert handle.patch(ObservationList.ObservationBase({"content": "Likes green tea"})).message == \
        "Observation update accepted"
    time.sleep(1.05)
    handle.patch(ObservationList.ObservationBase({"source": "voice", "conversationIds": [CONV]}))
    handle.patch(ObservationList.ObservationBase({"occurredAt": "2025-02-01T09:00:00-05:00"}))
    current = handle.fetch()
    assert (current.content, current.source, current.conversation_ids) == ("Likes green tea", "voice", [CONV])
    assert current.occurred_at == datetime(2025, 2, 1, 14, 0, tzinfo=UTC)
    assert current.id == observation.id and current.created_at == observation.created_at
    assert current.updated_at > observation.updated_at
    history = v1.revisions(store_id, profile_id, observation.id).list(page_size=2)
    assert [r.content for r in history] == ["Likes green tea", "Likes green tea", "Likes green tea", "Likes tea"]
    assert [r.source for r in history] == ["voice", "voice", "chat", "chat"]
    assert all(r.id == observation.id and r.created_at == observation.created_at for r in history)
    assert history[0].occurred_at == current.occurred_at and history[-1].updated_at == observation.updated_at
    assert history[0].updated_at >= history[1].updated_at > history[2].updated_at > history[3].updated_at
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations/{observation.id}"
    for bad in ({"content": ""}, {"source": "no|pipes"}, {"occurredAt": "soon"}, {"unknown": 1}):
        assert http.patch(url, json=bad).status_code == 400
    assert len(v1.revisions(store_id, profile_id, observation.id).list()) == 4


def test_delete_is_irreversible(v1: Any, http: httpx.Client, store_id: str, profile_id: str) -> None:
    post_observations(v1, store_id, profile_id, [obs("Temporary")])
    observation = v1.observations(store_id, profile_id).list()[0]
    handle = v1.observations(store_id, profile_id, observation.id)
    assert handle.delete() == {"message": "Observation deletion accepted"}
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations/{observation.id}"
    assert http.get(url).status_code == 404
    assert http.get(f"{url}/Revisions").status_code == 404
    assert http.delete(url).status_code == 404
    assert http.patch(url, json={"content": "back"}).status_code == 404
    assert v1.observations(store_id, profile_id).list() == []


def test_unknown_and_malformed_ids(http: httpx.Client, store_id: str, profile_id: str) -> None:
    base = f"/v1/Stores/{store_id}/Profiles"
    assert http.get(f"{base}/{profile_id}/Observations/mem_observation_{'0' * 26}").status_code == 404
    assert http.get(f"{base}/{profile_id}/Observations/not-an-id").status_code == 400
    assert http.get(f"{base}/mem_profile_{'0' * 26}/Observations").status_code == 404
    assert http.post(f"{base}/mem_profile_{'0' * 26}/Observations",
                     json={"observations": [obs("x")]}).status_code == 404


def test_merged_profile_ids(v1: Any, http: httpx.Client, db: Database, store_id: str, profile_id: str) -> None:
    post_observations(v1, store_id, profile_id, [obs("Canonical memory")])
    observation_id = v1.observations(store_id, profile_id).list()[0].id
    alias = merged_alias(db, store_id, profile_id)
    base = f"/v1/Stores/{store_id}/Profiles/{alias}/Observations"
    listed = http.get(base)
    assert listed.status_code == 301 and listed.headers["Canonical-Profile-Id"] == profile_id
    assert listed.headers["Location"].endswith(f"/Profiles/{profile_id}/Observations")
    assert http.post(base, json={"observations": [obs("x")]}).status_code == 308
    assert http.patch(f"{base}/{observation_id}", json={"content": "y"}).status_code == 308
    assert http.delete(f"{base}/{observation_id}").status_code == 308
    fetched = http.get(f"{base}/{observation_id}")
    assert fetched.status_code == 200 and fetched.json()["content"] == "Canonical memory"
    assert fetched.headers["Canonical-Profile-Id"] == profile_id
    revisions = http.get(f"{base}/{observation_id}/Revisions")
    assert revisions.status_code == 200 and revisions.headers["Canonical-Profile-Id"] == profile_id
    with pytest.raises(TwilioRestException) as moved:
        v1.observations(store_id, alias).create(ObservationList.CreateObservationsRequest(
            {"observations": [obs("x")]}))
    assert moved.value.status == 308


def test_gzip_both_ways(v1: Any, http: httpx.Client, store_id: str, profile_id: str, anon: httpx.Client,
                        account: Any) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations"
    body = json.dumps({"observations": [obs(f"compressed request body number {n} " * 20) for n in range(10)]})
    sent = http.post(url, content=gzip.compress(body.encode()),
                     headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert sent.status_code == 202, sent.text
    # What the official client really does: claims gzip, sends plain JSON.
    v1.observations(store_id, profile_id).create(
        ObservationList.CreateObservationsRequest({"observations": [obs("plain body")]}), content_encoding="gzip")
    raw = anon.get(url, auth=(account.account_sid, account.auth_token), headers={"Accept-Encoding": "gzip"})
    assert raw.headers["Content-Encoding"] == "gzip" and len(raw.json()["observations"]) == 11
    # Only the query parameter (as the SDK also sends it) asks for gzip here.
    by_param = anon.get(url, params={"Accept-Encoding": "gzip"},
                        auth=(account.account_sid, account.auth_token), headers={"Accept-Encoding": "identity"})
    assert by_param.headers["Content-Encoding"] == "gzip" and by_param.json() == raw.json()
    plain = anon.get(url, auth=(account.account_sid, account.auth_token), headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.json() == raw.json()
    assert len(v1.observations(store_id, profile_id).list(accept_encoding="gzip")) == 11
    bad = http.post(url, content=b"\x1f\x8b\x08garbage", headers={"Content-Encoding": "gzip",
                                                                   "Content-Type": "application/json"})
    assert bad.status_code == 400
