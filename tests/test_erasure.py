"""Erasure reaches every copy (GDPR Art. 17), end to end through the official SDK against a
server of the test's own: 20 random marker strings are written into a profile (traits, an email
identifier, observations and a revision, a summary, a bulk upsert), into conversations (the
customer's participant name and addresses, what the customer said, an extracted memory linked
to it on another profile), then erased. Once the reclaim job has run, the raw database files
(SQLite: the database and its WAL) or a pg_dump (PostgreSQL) and the server log hold none of
them, while the conversation, the other participants' messages and the redacted communication
are still served, and the audit trail has a row per erasure with no marker in it."""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.conversations.v2.configuration import ConfigurationList
from twilio.rest.conversations.v2.conversation import ConversationList
from twilio.rest.memory.v1.bulk import BulkList
from twilio.rest.memory.v1.conversation_summary import ConversationSummaryList
from twilio.rest.memory.v1.observation import ObservationList
from twilio.rest.memory.v1.profile import ProfileList
from twilio.rest.memory.v1.recall import RecallList

from convmem.storage import memory_provenance
from convmem.storage.db import Database
from convmem.storage.erasure_tables import erasure_audit
from convmem.storage.job_tables import jobs
from convmem.storage.memory_tables import memory_index
from tests.support.databases import BACKEND
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.processes import wait_for
from tests.support.profiles import wait_operation
from tests.support.wire import create_store
from tests.test_conversations_sdk import add_participant, make_config, make_conversation, say

# End to end: erasure through the SDK against a server process of the test's own, its raw database files and its log.
pytestmark = pytest.mark.e2e

RECLAIM = "erasure.reclaim"
AGENT = "agent@example.org"
CONV = "conv_conversation_" + "2" * 26
WHEN = "2025-03-04T10:15:30Z"


def markers(count: int = 20) -> list[str]:
    """Distinct random strings the stemmer leaves alone (lowercase, ending in a digit)."""
    return [f"zq{secrets.token_hex(8)}{n % 10}" for n in range(count)]


def needle(marker: str) -> bytes:
    # An index may store a term after the prefix it shares with the previous one: look for the
    # random tail, which no neighbouring term shares.
    return marker[-12:].encode()


@dataclass
class Env:
    server: LiveServer
    db: Database
    http: httpx.Client
    v1: Any
    v2: Any
    account_sid: str


@pytest.fixture
def env(private_database: str, tmp_path: Path) -> Iterator[Env]:
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    server = start_server(private_database, tmp_path / "server.log", extra_env={
        "CONVMEM_ACCOUNT_SID": sid, "CONVMEM_AUTH_TOKEN": token, "CONVMEM_LOG_LEVEL": "INFO",
        "CONVMEM_DATA_DIR": str(tmp_path / "data")})
    db = Database(private_database)
    client = Client(sid, token)
    client.memory.base_url = server.url
    client.conversations.base_url = server.url
    try:
        with httpx.Client(base_url=server.url, auth=(sid, token), timeout=30) as http:
            yield Env(server, db, http, client.memory.v1, client.conversations.v2, sid)
    finally:
        stop_server(server)
        db.dispose()


# ---- what is stored, byte for byte -----------------------------------------------------------

def stored_bytes(env: Env) -> bytes:
    """SQLite: the database file, its WAL and shared-memory index as they are on disk.
    PostgreSQL: everything a pg_dump of the database holds."""
    url = env.db.url
    if env.db.is_sqlite:
        path = Path(str(url.database))
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", "--no-owner", dsn], check=True, capture_output=True).stdout


def found(blob: bytes, wanted: list[str]) -> list[str]:
    return [m for m in wanted if needle(m) in blob or m.encode() in blob]


def jobs_of(db: Database, kind: str) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(select(jobs).where(jobs.c.kind == kind)).all())


def wait_reclaimed(db: Database, done_before: int) -> None:
    """Until the reclaim job that follows the erasures has run (and nothing waits or runs)."""
    def settled() -> bool:
        rows = jobs_of(db, RECLAIM)
        failed = [r.error for r in rows if r.status == "FAILED"]
        assert not failed, failed
        return sum(r.status == "DONE" for r in rows) > done_before and \
            all(r.status == "DONE" for r in rows)
    wait_for(settled, timeout=60)


def reclaimed_count(db: Database) -> int:
    return sum(r.status == "DONE" for r in jobs_of(db, RECLAIM))


def wait_embedded(db: Database) -> None:
    def done() -> bool:
        with db.read() as conn:
            return not conn.execute(select(memory_index.c.item_id).where(
                memory_index.c.needs_embedding.is_(True)).limit(1)).first()
    wait_for(done, timeout=60)


def audit_rows(db: Database) -> list[Any]:
    with db.read() as conn:
        return list(conn.execute(select(erasure_audit).order_by(erasure_audit.c.id)).all())


def observe(env: Env, store_id: str, profile_id: str, *contents: str) -> list[str]:
    env.v1.observations(store_id, profile_id).create(ObservationList.CreateObservationsRequest(
        {"observations": [{"content": c, "source": "chat", "occurredAt": WHEN} for c in contents]}))
    listed = {o.content: o.id for o in env.v1.observations(store_id, profile_id).list()}
    return [listed[c] for c in contents]


def summarise(env: Env, store_id: str, profile_id: str, content: str) -> str:
    env.v1.conversation_summaries(store_id, profile_id).create(ConversationSummaryList.CreateSummariesRequest(
        {"summaries": [{"content": content, "conversationId": CONV, "occurredAt": WHEN}]}))
    return str(next(s.id for s in env.v1.conversation_summaries(store_id, profile_id).list() if s.content == content))


def close(env: Env, conversation_id: str) -> None:
    env.v2.conversations(conversation_id).patch(patch_conversation_by_id_request=
                                                ConversationList.PatchConversationByIdRequest({"status": "CLOSED"}))


def extracted(db: Database, conversation_id: str) -> bool:
    rows = [r for r in jobs_of(db, "conversation.extract") if r.payload["conversationId"] == conversation_id]
    return bool(rows) and all(r.status == "DONE" for r in rows)


def communications(env: Env, conversation_id: str) -> list[Any]:
    return list(env.v2.communications(conversation_id).list())


# ---- deleting a profile ----------------------------------------------------------------------

def test_deleting_a_profile_erases_its_customer_everywhere(env: Env) -> None:
    m = markers()
    store_id = create_store(env.http)
    email = f"{m[0]}@example.com"
    profile_id = env.v1.profiles(store_id).create(ProfileList.ProfileData({"traits": {"Contact": {
        "email": email, "firstName": m[1], "lastName": m[2], "city": m[3], "street": m[15], "country": m[16]}}})).id
    accepted = env.v1.bulk(store_id).update(BulkList.UpdateProfilesBulkRequest(
        {"profiles": [{"traits": {"Contact": {"email": email, "postalCode": m[17]}}}]}))
    assert wait_operation(env.v1, accepted.operation_id).status == "COMPLETED"
    assert env.v1.profiles(store_id, profile_id).fetch().traits["Contact"]["postalCode"] == m[17]
    first, _, third = observe(env, store_id, profile_id, f"Enjoys hiking near {m[6]}", f"Has a cat named {m[7]}",
                              f"Works at {m[8]}")
    env.v1.observations(store_id, profile_id, third).patch(ObservationList.ObservationBase(
        {"content": f"Works at {m[9]} now"}))
    summarise(env, store_id, profile_id, f"Asked about {m[10]}")

    # A conversation the customer takes part in (resolved by email; a chat address too), closed
    # and extracted, and a second one still open.
    config_id = make_config(env.v2, store_id)
    conv = make_conversation(env.v2, config_id).id
    customer = add_participant(env.v2, conv, {"type": "CUSTOMER", "name": m[5], "addresses": [
        {"channel": "EMAIL", "address": email}, {"channel": "CHAT", "address": m[4]}]})
    assert customer.profile_id == profile_id
    agent = add_participant(env.v2, conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": "EMAIL", "address": AGENT}]})
    kept = [f"Thanks, noted {secrets.token_hex(6)}.", f"Happy to help {secrets.token_hex(6)}."]
    said = [say(env.v2, conv, email, AGENT, f"I moved to {m[11]} last month.", channel="EMAIL"),
            say(env.v2, conv, AGENT, email, kept[0], channel="EMAIL"),
            say(env.v2, conv, email, AGENT, f"My daughter {m[12]} starts school in September.", channel="EMAIL"),
            say(env.v2, conv, email, AGENT, f"Please ship my order to {m[13]} from now on.", channel="EMAIL")]
    close(env, conv)
    wait_for(lambda: extracted(env.db, conv), timeout=60)
    other_conv = make_conversation(env.v2, config_id).id
    assert add_participant(env.v2, other_conv, {"type": "CUSTOMER", "name": m[19], "addresses": [
        {"channel": "EMAIL", "address": email}]}).profile_id == profile_id
    add_participant(env.v2, other_conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": "EMAIL", "address": AGENT}]})
    say(env.v2, other_conv, email, AGENT, f"Any news about {m[18]}?", channel="EMAIL")
    say(env.v2, other_conv, AGENT, email, kept[1], channel="EMAIL")

    # Another customer's memory written from what this one said (as extraction of a shared
    # conversation can do): it goes too. Their own memory stays.
    keeper = env.v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"email": f"keeper-{secrets.token_hex(4)}@example.com"}}})).id
    derived, own = observe(env, store_id, keeper, f"Heard about {m[14]}", "Keeper prefers phone calls")
    with env.db.write() as conn:
        memory_provenance.record(conn, [(derived, keeper, conv, [said[0].id])], datetime.now(UTC))
    wait_embedded(env.db)
    env.v1.recall(store_id, profile_id).create(RecallList.MemoryRetrievalRequest({"query": f"hiking {m[6]}"}))
    env.v1.recall(store_id, profile_id).create(RecallList.MemoryRetrievalRequest({"conversationId": other_conv}))

    # The scan sees every marker before the erasure.
    assert found(stored_bytes(env), m) == m

    done = reclaimed_count(env.db)
    assert env.v1.profiles(store_id, profile_id).delete() == {"message": "Profile accepted for deletion."}
    wait_reclaimed(env.db, done)

    assert found(stored_bytes(env), m) == []
    assert found(env.server.log().encode(), m) == []
    with pytest.raises(TwilioRestException) as gone:
        env.v1.profiles(store_id, profile_id).fetch()
    assert gone.value.status == 404

    # The conversations stay, with the customer's participant records blank and what they said
    # redacted; the other participants' messages survive, addressed to nobody in particular.
    fetched = env.v2.conversations(conv).fetch()
    people = {p["id"]: p for p in fetched.participants}
    assert people[customer.id]["name"] is None and people[customer.id]["addresses"] == []
    assert "profileId" not in people[customer.id] and people[agent.id]["addresses"][0]["address"] == AGENT
    texts = {c.id: c for c in communications(env, conv)}
    assert [texts[s.id].content["text"] for s in said] == ["", kept[0], "", ""]
    assert texts[said[1].id].recipients[0]["address"] == "" and texts[said[0].id].author["address"] == ""
    assert texts[said[0].id].author["participantId"] == customer.id
    redacted = env.v2.communications(conv, said[0].id).fetch()
    assert redacted.content == {"type": "TEXT", "text": ""} and redacted.recipients[0]["address"] == AGENT
    assert [c.content["text"] for c in communications(env, other_conv)] == ["", kept[1]]

    assert [o.id for o in env.v1.observations(store_id, keeper).list()] == [own]
    assert env.v1.recall(store_id, keeper).create(RecallList.MemoryRetrievalRequest(
        {"query": "phone calls"})).observations[0]["id"] == own

    [row] = audit_rows(env.db)
    assert (row.object_kind, row.store_id, row.account_sid, row.credential_sid) == \
        ("profile", store_id, env.account_sid, env.account_sid)
    counts = json.loads(row.erased_counts)
    assert counts["observations"] >= 3 and counts["summaries"] >= 1 and counts["traits"] == 7
    assert counts["participants"] == 2 and counts["conversations"] == 2 and counts["communications_redacted"] == 4
    assert counts["extracted_items_elsewhere"] == 1 and counts["identifiers"] == 1
    assert found(repr(tuple(row)).encode(), m) == [] and profile_id not in repr(tuple(row))
    assert first not in repr(tuple(row))


# ---- deleting an observation, a summary, a conversation -------------------------------------

def test_deleting_observations_a_summary_and_a_conversation_erases_them(env: Env) -> None:
    m = markers()
    keep = markers(2)
    store_id = create_store(env.http)
    email = f"customer-{secrets.token_hex(4)}@example.com"
    profile_id = env.v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"email": email}}})).id
    revised, extra, kept_observation = observe(env, store_id, profile_id, f"Visited {m[0]} in May",
                                               f"Collects stamps from {m[2]} and {m[3]}",
                                               f"Keeps bees in {keep[0]}")
    env.v1.observations(store_id, profile_id, revised).patch(ObservationList.ObservationBase(
        {"content": f"Visited {m[1]} in June"}))
    summary_id = summarise(env, store_id, profile_id, f"Talked about {m[4]} and {m[5]}")
    summarise(env, store_id, profile_id, f"Talked about {keep[1]}")

    config = env.v2.configurations.create(create_configuration_request=ConfigurationList.CreateConfigurationRequest(
        {"displayName": "plain", "description": "no extraction", "conversationGroupingType": "GROUP_BY_PROFILE",
         "memoryStoreId": store_id, "memoryExtractionEnabled": False})).related["configurationId"]
    conv = make_conversation(env.v2, config, name=f"About {m[6]}", metadata={"ref": m[16]}).id
    add_participant(env.v2, conv, {"type": "CUSTOMER", "name": m[7], "addresses": [
        {"channel": "EMAIL", "address": email}]})
    add_participant(env.v2, conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": "EMAIL", "address": AGENT}]})
    said = [say(env.v2, conv, email, AGENT, f"Words {m[n]} and {m[n + 1]}", channel="EMAIL") for n in (9, 11)]
    say(env.v2, conv, AGENT, email, f"Reply {m[14]} {m[15]}", channel="EMAIL")
    say(env.v2, conv, email, AGENT, f"One more {m[13]}", channel="EMAIL", channelId=f"x{m[17]}",
        resourceId=f"x{m[18]}")
    # A stranger (looked up, no profile) writes too.
    say(env.v2, conv, m[8], AGENT, f"Stranger {m[19]}", channel="CHAT")
    with env.db.write() as conn:
        memory_provenance.record(conn, [(kept_observation, profile_id, conv, [said[0].id])], datetime.now(UTC))
    wait_embedded(env.db)
    assert found(stored_bytes(env), m + keep) == m + keep

    done = reclaimed_count(env.db)
    assert env.v1.observations(store_id, profile_id, revised).delete() == {"message": "Observation deletion accepted"}
    env.v1.observations(store_id, profile_id, extra).delete()
    env.v1.conversation_summaries(store_id, profile_id, summary_id).delete()
    assert env.v2.conversations(conv).delete()
    wait_reclaimed(env.db, done)

    blob = stored_bytes(env)
    assert found(blob, m) == []
    assert found(blob, keep) == keep  # what was not erased is still there (and still seen)
    assert found(env.server.log().encode(), m) == []
    with pytest.raises(TwilioRestException) as gone:
        env.v2.conversations(conv).fetch()
    assert gone.value.status == 404
    assert [o.id for o in env.v1.observations(store_id, profile_id).list()] == [kept_observation]
    with env.db.read() as conn:
        assert memory_provenance.of_items(conn, [kept_observation]) == {}

    rows = audit_rows(env.db)
    assert [r.object_kind for r in rows] == ["observation", "observation", "summary", "conversation"]
    assert all(r.credential_sid == env.account_sid and r.store_id == store_id for r in rows)
    counts = [json.loads(r.erased_counts) for r in rows]
    assert counts[0] == {"observations": 1, "observation_revisions": 2} and counts[2] == {"summaries": 1}
    # The stranger wrote on CHAT, where the agent had no address yet: two UNKNOWN participants.
    assert counts[3] == {"participants": 4, "communications": 5, "provenance_records": 1}
    assert found(repr([tuple(r) for r in rows]).encode(), m) == []


def test_erasures_share_one_waiting_reclaim_job(env: Env) -> None:
    """Debounce: erasures committed before a worker claims the job widen it, not add to it."""
    from convmem.services import erasure

    store_id = create_store(env.http)
    profile_id = env.v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"email": f"d-{secrets.token_hex(4)}@example.com"}}})).id
    ids = observe(env, store_id, profile_id, "one", "two")
    with env.db.write() as conn:
        for item in ids:
            erasure.erase_observation(conn, env.account_sid, store_id, profile_id, item, "SK" + "0" * 32)
        pending = [r for r in conn.execute(select(jobs).where(jobs.c.kind == RECLAIM)).all()
                   if r.status == "PENDING"]
    assert len(pending) == 1 and set(pending[0].payload["tables"]) >= {"observations", "memory_index"}
    assert ("xid" in pending[0].payload) == (BACKEND == "postgresql")
    wait_reclaimed(env.db, reclaimed_count(env.db))
    assert [r.credential_sid for r in audit_rows(env.db)] == ["SK" + "0" * 32] * 2
