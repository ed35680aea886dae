"""Recall through the official client against the (in-process) server: every mode, limits, threshold
and date-range edges, immediate findability, deletion from both indexes, gzip, 308."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.recall import RecallList

from convmem.domain.memories import SOURCE_RE
from convmem.storage.db import Database
from convmem.storage.memory_tables import memory_index, observations
from tests.test_observations import merged_alias, new_profile, obs, post_observations, wait_embedded

CONV = "conv_conversation_" + "2" * 26

FACTS = [
    ("Enjoys drinking green tea every morning", "2025-01-10T08:00:00Z"),
    ("Owns a golden retriever named Biscuit", "2025-01-11T08:00:00Z"),
    ("Works as a nurse at the city hospital", "2025-01-12T08:00:00Z"),
    ("Is allergic to peanuts", "2025-01-13T08:00:00Z"),
    ("Plans a hiking trip to Patagonia in March", "2025-01-14T08:00:00+02:00"),
]


def recall(v1: Any, store_id: str, profile_id: str, **body: Any) -> Any:
    return v1.recall(store_id, profile_id).create(RecallList.MemoryRetrievalRequest(body))


@pytest.fixture
def profile_id(db: Database, store_id: str) -> str:
    return new_profile(db, store_id)


@pytest.fixture
def memories(v1: Any, http: httpx.Client, db: Database, store_id: str, profile_id: str) -> dict[str, str]:
    """The facts as observations plus two summaries, all embedded; content -> id."""
    post_observations(v1, store_id, profile_id, [obs(c, occurred=t) for c, t in FACTS])
    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries", json={"summaries": [
        {"content": "Customer asked for a vegetarian meal on the flight", "conversationId": CONV,
         "occurredAt": "2025-01-09T08:00:00Z"},
        {"content": "Discussed the dog's vaccination schedule", "conversationId": CONV,
         "occurredAt": "2025-01-15T08:00:00Z"}]})
    assert resp.status_code == 202
    with db.read() as conn:
        ids = dict(conn.execute(select(memory_index.c.item_id, memory_index.c.item_id)
                                .where(memory_index.c.profile_id == profile_id)).all())
        contents = dict(conn.execute(select(observations.c.content, observations.c.id)
                                     .where(observations.c.profile_id == profile_id)).all())
    wait_embedded(db, list(ids))
    return contents


def test_query_ranks_by_hybrid_relevance(v1: Any, store_id: str, profile_id: str,
                                         memories: dict[str, str]) -> None:
    # No word in common with the fact: found through the embedding.
    result = recall(v1, store_id, profile_id, query="What beverage does she like in the morning?")
    assert result.observations[0]["content"] == "Enjoys drinking green tea every morning"
    scores = [o["score"] for o in result.observations + result.summaries]
    assert all(0 <= s <= 1 for s in scores)
    # Best first (later items are diversified, so not strictly by score).
    assert result.observations[0]["score"] == max(o["score"] for o in result.observations)
    assert result.communications == [] and isinstance(result.meta["queryTime"], int)
    dog = recall(v1, store_id, profile_id, query="dog", observationsLimit=1, summariesLimit=1)
    assert [o["content"] for o in dog.observations] == ["Owns a golden retriever named Biscuit"]
    assert [s["content"] for s in dog.summaries] == ["Discussed the dog's vaccination schedule"]
    assert dog.summaries[0]["conversationId"] == CONV and "score" in dog.summaries[0]
    # Dates are part of the lexical field.
    dated = recall(v1, store_id, profile_id, query="what happened on 13 January 2025", observationsLimit=2)
    assert "Is allergic to peanuts" in [o["content"] for o in dated.observations]


def test_recency_modes_have_no_scores(v1: Any, store_id: str, profile_id: str, memories: dict[str, str]) -> None:
    for body in ({}, {"conversationId": CONV}, {"query": "   "}):
        result = recall(v1, store_id, profile_id, **body)
        assert [o["content"] for o in result.observations] == [c for c, _ in reversed(FACTS)]
        assert [s["content"] for s in result.summaries] == ["Discussed the dog's vaccination schedule",
                                                            "Customer asked for a vegetarian meal on the flight"]
        assert all("score" not in item for item in result.observations + result.summaries)
    # relevanceThreshold has no effect in recency order.
    assert len(recall(v1, store_id, profile_id, relevanceThreshold=1).observations) == 5


def test_limits(v1: Any, http: httpx.Client, store_id: str, profile_id: str, memories: dict[str, str]) -> None:
    assert (len(recall(v1, store_id, profile_id).observations), len(recall(v1, store_id, profile_id).summaries)) \
        == (5, 2)
    none = recall(v1, store_id, profile_id, query="tea", observationsLimit=0, summariesLimit=0)
    assert (none.observations, none.summaries, none.communications) == ([], [], [])
    assert len(recall(v1, store_id, profile_id, query="tea", observationsLimit=2).observations) == 2
    assert len(recall(v1, store_id, profile_id, observationsLimit=100, summariesLimit=1).summaries) == 1
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall"
    for bad in ({"observationsLimit": 101}, {"summariesLimit": -1}, {"communicationsLimit": 101},
                {"relevanceThreshold": 1.5}, {"query": "x" * 1025}, {"beginDate": "last week"},
                {"conversationId": "conv_conversation_nope"}, {"observationsLimit": "5"}, {"unknown": True}):
        resp = http.post(url, json=bad)
        assert resp.status_code == 400 and resp.json()["code"] == 520046, (bad, resp.text)
    resp = http.post(url, json={"communicationsLimit": 1})
    assert resp.status_code == 400
    assert resp.json()["message"] == "conversation_id is required when communications_limit is greater than 0"
    ok = http.post(url, json={"communicationsLimit": 5, "conversationId": CONV}).json()
    assert set(ok) == {"observations", "summaries", "communications", "meta"} and ok["communications"] == []


def test_threshold_edges(v1: Any, store_id: str, profile_id: str, memories: dict[str, str]) -> None:
    ranked = recall(v1, store_id, profile_id, query="hiking in Patagonia", summariesLimit=0).observations
    assert ranked[0]["content"].startswith("Plans a hiking trip")
    cut = ranked[2]["score"]
    kept = recall(v1, store_id, profile_id, query="hiking in Patagonia", summariesLimit=0,
                  relevanceThreshold=cut).observations
    assert {o["id"] for o in kept} == {o["id"] for o in ranked if o["score"] >= cut}
    assert len(kept) >= 3
    top_only = recall(v1, store_id, profile_id, query="hiking in Patagonia", relevanceThreshold=ranked[0]["score"])
    assert [o["id"] for o in top_only.observations] == [ranked[0]["id"]]
    # An unrelated query scores low everywhere, so a threshold filters it out.
    unrelated = recall(v1, store_id, profile_id, query="quarterly revenue of the semiconductor industry")
    assert unrelated.observations and max(o["score"] for o in unrelated.observations) < 0.3
    assert recall(v1, store_id, profile_id, query="quarterly revenue of the semiconductor industry",
                  relevanceThreshold=0.3).observations == []
    assert recall(v1, store_id, profile_id, query="tea", relevanceThreshold=1.0).observations in ([], [
        o for o in recall(v1, store_id, profile_id, query="tea").observations if o["score"] >= 1.0])


def test_date_range_edges(v1: Any, store_id: str, profile_id: str, memories: dict[str, str]) -> None:
    # beginDate inclusive, endDate exclusive, on occurredAt; offsets and fractions accepted.
    window = {"beginDate": "2025-01-11T08:00:00Z", "endDate": "2025-01-13T10:00:00.000+02:00"}
    for body in ({}, {"query": "dog tea nurse peanuts"}):
        result = recall(v1, store_id, profile_id, **body, **window)
        assert {o["content"] for o in result.observations} == {
            "Owns a golden retriever named Biscuit", "Works as a nurse at the city hospital"}
        assert result.summaries == []
    assert recall(v1, store_id, profile_id, beginDate="2025-01-14T06:00:00Z",
                  endDate="2025-01-14T06:00:00Z").observations == []
    only_last = recall(v1, store_id, profile_id, query="trip", beginDate="2025-01-14T06:00:00Z")
    assert [o["occurredAt"] for o in only_last.observations] == ["2025-01-14T06:00:00Z"]


def test_fresh_write_is_findable_at_once_and_delete_leaves_the_index(
        v1: Any, http: httpx.Client, db: Database, store_id: str, profile_id: str, memories: dict[str, str]) -> None:
    post_observations(v1, store_id, profile_id, [obs("Collects vintage typewriters", source="chat")])
    # Immediately: lexically (whether or not the embedding has landed yet).
    found = recall(v1, store_id, profile_id, query="typewriters", observationsLimit=1).observations
    assert found[0]["content"] == "Collects vintage typewriters"
    target = memories["Enjoys drinking green tea every morning"]
    assert recall(v1, store_id, profile_id, query="green tea").observations[0]["id"] == target
    v1.observations(store_id, profile_id, target).delete()
    for query in ("green tea", "What beverage does she like in the morning?"):
        assert target not in [o["id"] for o in recall(v1, store_id, profile_id, query=query).observations]
    assert target not in [o["id"] for o in recall(v1, store_id, profile_id).observations]
    with db.read() as conn:
        assert conn.execute(select(memory_index).where(memory_index.c.item_id == target)).first() is None


def test_summaries_become_searchable_and_patches_reindex(v1: Any, http: httpx.Client, db: Database, store_id: str,
                                                         profile_id: str, memories: dict[str, str]) -> None:
    first = memories["Works as a nurse at the city hospital"]
    http.patch(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations/{first}",
               json={"content": "Works as a firefighter downtown"})
    result = recall(v1, store_id, profile_id, query="firefighter", observationsLimit=1)
    assert result.observations[0]["id"] == first
    assert result.observations[0]["content"] == "Works as a firefighter downtown"
    wait_embedded(db, [first])
    assert recall(v1, store_id, profile_id, query="Who puts out fires?", observationsLimit=1).observations[0][
        "id"] == first


def test_wire_details(v1: Any, http: httpx.Client, db: Database, anon: httpx.Client, account: Any, store_id: str,
                      profile_id: str, memories: dict[str, str]) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/Recall"
    resp = anon.post(url, auth=(account.account_sid, account.auth_token),
                     content=gzip.compress(json.dumps({"query": "tea"}).encode()),
                     headers={"Content-Encoding": "gzip", "Accept-Encoding": "gzip",
                              "Content-Type": "application/json"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Canonical-Profile-Id"] == profile_id
    body = resp.json()
    assert set(body) == {"observations", "summaries", "communications", "meta"}
    item = body["observations"][0]
    assert set(item) >= {"id", "content", "source", "occurredAt", "createdAt", "updatedAt", "score"}
    assert SOURCE_RE.match(item["source"]) and item["occurredAt"].endswith("Z")
    # The official client: gzip named but plain JSON sent.
    v1.recall(store_id, profile_id).create(RecallList.MemoryRetrievalRequest({"query": "tea"}),
                                           accept_encoding="gzip", content_encoding="gzip")
    alias = merged_alias(db, store_id, profile_id)
    with pytest.raises(TwilioRestException) as moved:
        recall(v1, store_id, alias, query="tea")
    assert moved.value.status == 308
    redirect = http.post(f"/v1/Stores/{store_id}/Profiles/{alias}/Recall", json={})
    assert redirect.status_code == 308 and redirect.headers["Canonical-Profile-Id"] == profile_id
    assert http.post(f"/v1/Stores/{store_id}/Profiles/mem_profile_{'0' * 26}/Recall", json={}).status_code == 404


def test_empty_profile(v1: Any, store_id: str, profile_id: str) -> None:
    for body in ({}, {"query": "anything at all"}):
        result = recall(v1, store_id, profile_id, **body)
        assert (result.observations, result.summaries, result.communications) == ([], [], [])


def test_a_merge_brings_the_other_profiles_memories_along(v1: Any, http: httpx.Client, db: Database,
                                                          store_id: str) -> None:
    from tests.support.profiles import contact, create_profile

    first = create_profile(v1, store_id, contact(email="merge-a@example.com"))
    second = create_profile(v1, store_id, contact(phone="+14155550123"))
    post_observations(v1, store_id, first, [obs("Enjoys sea kayaking on weekends")])
    post_observations(v1, store_id, second, [obs("Collects rare stamps from Iceland")])
    # The other profile's memory is not there (yet).
    assert "Collects rare stamps from Iceland" not in [
        o["content"] for o in recall(v1, store_id, first, query="stamps").observations]
    merged = create_profile(v1, store_id, contact(email="merge-a@example.com", phone="+14155550123"))
    canonical, gone = (first, second) if merged == first else (second, first)
    assert merged == min(first, second) == canonical
    found = recall(v1, store_id, canonical, query="stamps from Iceland", observationsLimit=1).observations
    assert found[0]["content"] == "Collects rare stamps from Iceland"
    assert len(v1.observations(store_id, canonical).list()) == 2
    with pytest.raises(TwilioRestException) as moved:
        recall(v1, store_id, gone, query="stamps")
    assert moved.value.status == 308
