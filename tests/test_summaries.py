"""Conversation summaries through the official client against the (in-process) server."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.conversation_summary import ConversationSummaryList

from convmem.storage.db import Database
from tests.test_observations import merged_alias, new_profile

CONV_A = "conv_conversation_" + "0" * 26
CONV_B = "conv_conversation_" + "1" * 26


def summary(content: str, conversation: str = CONV_A, **extra: Any) -> dict[str, Any]:
    return {"content": content, "conversationId": conversation, "occurredAt": "2025-01-15T10:15:30Z", **extra}


@pytest.fixture
def profile_id(db: Database, store_id: str) -> str:
    return new_profile(db, store_id)


def test_summary_lifecycle_with_the_sdk(v1: Any, http: httpx.Client, store_id: str, profile_id: str) -> None:
    created = v1.conversation_summaries(store_id, profile_id).create(ConversationSummaryList.CreateSummariesRequest(
        {"summaries": [summary("Asked about a refund", source="summary_operator"),
                       summary("Booked a flight", conversation=CONV_B)]}))
    assert created.message == "Summaries creation accepted"
    listed = v1.conversation_summaries(store_id, profile_id).list()
    assert [s.content for s in listed] == ["Booked a flight", "Asked about a refund"]
    assert listed[1].source == "summary_operator" and listed[0].source is None
    only_a = v1.conversation_summaries(store_id, profile_id).list(conversation_id=CONV_A)
    assert [s.conversation_id for s in only_a] == [CONV_A]
    handle = v1.conversation_summaries(store_id, profile_id, listed[1].id)
    fetched = handle.fetch_with_http_info()
    assert fetched.data.content == "Asked about a refund" and fetched.headers["Canonical-Profile-Id"] == profile_id
    time.sleep(1.05)
    patched = handle.patch(ConversationSummaryList.SummaryCorePatch({"content": "Refund approved",
                                                                     "source": "summary_followup"}))
    assert patched.message == "Conversation summary update accepted"
    after = handle.fetch()
    assert (after.content, after.source, after.conversation_id) == ("Refund approved", "summary_followup", CONV_A)
    assert after.occurred_at == listed[1].occurred_at and after.updated_at > after.created_at
    assert handle.delete() == {"message": "Conversation summary deletion accepted"}
    assert [s.content for s in v1.conversation_summaries(store_id, profile_id).list()] == ["Booked a flight"]
    assert http.get(f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries/{listed[1].id}") \
        .status_code == 404


@pytest.mark.parametrize("item", [
    {"content": "no conversation", "occurredAt": "2025-01-15T10:15:30Z"},
    {"content": "no date", "conversationId": CONV_A},
    summary(""),
    summary("x" * 4097),
    summary("bad conversation", conversation="conv_conversation_short"),
    summary("bad source", source="a|b"),
])
def test_invalid_summaries(http: httpx.Client, store_id: str, profile_id: str, item: dict[str, Any]) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries"
    assert http.post(url, json={"summaries": [summary("fine"), item]}).status_code == 400
    assert http.get(url).json()["summaries"] == []


def test_batches_paging_and_merged_ids(v1: Any, http: httpx.Client, db: Database, store_id: str,
                                       profile_id: str) -> None:
    url = f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries"
    assert http.post(url, json={"summaries": [summary(f"s{n}") for n in range(11)]}).status_code == 400
    # The specification requires a non-empty source.
    assert http.post(url, json={"summaries": [summary("s", source="")]}).status_code == 400
    assert http.post(url, json={"summaries": [summary(f"s{n}") for n in range(10)]}).status_code == 202
    page = http.get(url, params={"pageSize": 4}).json()
    assert page["meta"]["key"] == "summaries" and len(page["summaries"]) == 4
    assert len(v1.conversation_summaries(store_id, profile_id).list(page_size=3)) == 10
    alias = merged_alias(db, store_id, profile_id)
    moved = f"/v1/Stores/{store_id}/Profiles/{alias}/ConversationSummaries"
    assert http.get(moved).status_code == 301
    assert http.post(moved, json={"summaries": [summary("x")]}).status_code == 308
    first = page["summaries"][0]["id"]
    followed = http.get(f"{moved}/{first}")
    assert followed.status_code == 200 and followed.headers["Canonical-Profile-Id"] == profile_id
    assert http.patch(f"{moved}/{first}", json={"content": "y"}).status_code == 308
    with pytest.raises(TwilioRestException) as err:
        v1.conversation_summaries(store_id, alias, first).delete()
    assert err.value.status == 308
