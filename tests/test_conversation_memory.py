"""Conversations become memory, end to end through the official SDK against the (in-process) server:
configuration bound to a store with extraction on, participants resolved to profiles (new and
existing), communications, close; then observations and a summary with provenance, Recall with a
conversationId, idempotent extraction, the three reconciliation outcomes and the GDPR screen."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlalchemy import select
from twilio.rest.conversations.v2.conversation import ConversationList
from twilio.rest.memory.v1.profile import ProfileList
from twilio.rest.memory.v1.recall import RecallList

from convmem.config import Settings
from convmem.jobs import queue
from convmem.jobs.queue import JobContext
from convmem.runtime import Runtime
from convmem.services.conversations.extraction import KIND, SOURCE, extract_conversation
from convmem.storage import memory_provenance
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs
from tests.support.processes import wait_for
from tests.support.wire import create_store
from tests.test_conversations_sdk import add_participant, make_config, make_conversation
from tests.test_conversations_sdk import say as send

AGENT = "+18005550199"


def extraction_jobs(db: Database, conversation_id: str) -> list[Any]:
    with db.read() as conn:
        rows = conn.execute(select(jobs).where(jobs.c.kind == KIND).order_by(jobs.c.created_at)).all()
    return [r for r in rows if r.payload["conversationId"] == conversation_id]


def extraction_done(db: Database, conversation_id: str) -> list[Any]:
    rows = extraction_jobs(db, conversation_id)
    return rows if rows and all(r.status == "DONE" for r in rows) else []


def say(v2: Any, conversation_id: str, author: Any, to: Any, text: str) -> Any:
    return send(v2, conversation_id, author.addresses[0]["address"], to.addresses[0]["address"], text,
                channel=author.addresses[0]["channel"])


def close(v2: Any, conversation_id: str) -> None:
    closed = v2.conversations(conversation_id).patch(
        patch_conversation_by_id_request=ConversationList.PatchConversationByIdRequest({"status": "CLOSED"}))
    assert closed.status == "CLOSED"


def observations(v1: Any, store_id: str, profile_id: str, **filters: Any) -> list[Any]:
    return list(v1.observations(store_id, profile_id).list(**filters))


def recall(v1: Any, store_id: str, profile_id: str, **body: Any) -> Any:
    return v1.recall(store_id, profile_id).create(RecallList.MemoryRetrievalRequest(body))


def talk(v2: Any, store_id: str, customer: dict[str, Any], lines: list[str], agent_line: str | None = None,
         config_id: str | None = None) -> tuple[str, Any]:
    """A conversation of one customer (and a bot), closed; returns (conversation id, customer)."""
    config_id = config_id or make_config(v2, store_id)
    conv = make_conversation(v2, config_id).id
    cust = add_participant(v2, conv, {"type": "CUSTOMER", **customer})
    bot = add_participant(v2, conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": cust.addresses[0]["channel"], "address": AGENT}]})
    for line in lines:
        say(v2, conv, cust, bot, line)
    if agent_line:
        say(v2, conv, bot, cust, agent_line)
    close(v2, conv)
    return conv, cust


def test_close_writes_observations_and_a_summary_with_provenance_and_recall_uses_the_conversation(
        v2: Any, v1: Any, db: Database, store_id: str) -> None:
    existing = v1.profiles(store_id).create(ProfileList.ProfileData(
        {"traits": {"Contact": {"phone": "+18005550160"}}})).id
    config_id = make_config(v2, store_id)
    conv = make_conversation(v2, config_id, name="Order help").id
    dana = add_participant(v2, conv, {"type": "CUSTOMER", "name": "Dana", "addresses": [
        {"channel": "SMS", "address": "+18005550160"}]})
    lee = add_participant(v2, conv, {"type": "CUSTOMER", "name": "Lee", "addresses": [
        {"channel": "SMS", "address": "+18005550161"}]})
    bot = add_participant(v2, conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": "SMS", "address": AGENT}]})
    assert dana.profile_id == existing and lee.profile_id and lee.profile_id != existing
    sent = [say(v2, conv, dana, bot, "My order 123 arrived damaged. Please contact me by email, not phone."),
            say(v2, conv, bot, dana, "Sorry! A replacement ships tomorrow."),
            say(v2, conv, lee, bot, "I'm planning a trip to Lisbon in June and I prefer window seats.")]
    close(v2, conv)
    [job] = wait_for(lambda: extraction_done(db, conv))
    assert job.progress["added"] >= 2 and job.progress["summaries"] == 2 and job.progress["backends"] == ["offline"]

    for person, needle in ((dana, "damaged"), (lee, "Lisbon")):
        found = observations(v1, store_id, person.profile_id, conversation_id=conv)
        assert found and all(o.source == SOURCE and o.conversation_ids == [conv] for o in found)
        assert any(needle in o.content for o in found)
        [summary] = list(v1.conversation_summaries(store_id, person.profile_id).list(conversation_id=conv))
        assert summary.conversation_id == conv and summary.source == SOURCE and person.name in summary.content
        with db.read() as conn:
            provenance = memory_provenance.of_items(conn, [o.id for o in found] + [summary.id])
        assert set(provenance) == {o.id for o in found} | {summary.id}
        for rows in provenance.values():
            assert all(c == conv and set(ids) <= {s.id for s in sent} and ids for c, ids in rows)
    # Dana's observations come from what she said, not from Lee's turn.
    with db.read() as conn:
        dana_ids = memory_provenance.communications_of_items(
            conn, [o.id for o in observations(v1, store_id, dana.profile_id)])
    assert sent[2].id not in set().union(*dana_ids.values())

    # Recall with the conversation and no query: scored memories, relevant first, plus the turns.
    result = recall(v1, store_id, dana.profile_id, conversationId=conv, communicationsLimit=10)
    assert [c["id"] for c in result.communications] == [s.id for s in sent]
    first = result.communications[0]
    assert first["author"]["profileId"] == existing and first["author"]["type"] == "CUSTOMER"
    assert first["author"]["name"] == "Dana" and first["content"] == {"text": sent[0].content["text"]}
    assert first["recipients"][0]["type"] == "AI_AGENT" and first["author"]["channel"] == "SMS"
    assert result.observations and all("score" in o for o in result.observations)
    assert "damaged" in result.observations[0]["content"] and result.summaries[0]["conversationId"] == conv
    # No conversation: recency order without scores; communications need a conversation.
    plain = recall(v1, store_id, dana.profile_id)
    assert plain.observations and all("score" not in o for o in plain.observations) and plain.communications == []

    # Deleting an observation or a summary takes its provenance with it.
    gone = observations(v1, store_id, dana.profile_id, conversation_id=conv)[0]
    [dana_summary] = list(v1.conversation_summaries(store_id, dana.profile_id).list(conversation_id=conv))
    v1.observations(store_id, dana.profile_id, gone.id).delete()
    v1.conversation_summaries(store_id, dana.profile_id, dana_summary.id).delete()
    with db.read() as conn:
        assert memory_provenance.of_items(conn, [gone.id, dana_summary.id]) == {}


def test_extraction_is_idempotent_and_runs_once_per_communication(v2: Any, v1: Any, db: Database,
                                                                   store_id: str) -> None:
    conv, cust = talk(v2, store_id, {"name": "Ana", "addresses": [{"channel": "CHAT", "address": "ana-1"}]},
                      ["I want to upgrade my plan to the family bundle next month."])
    wait_for(lambda: extraction_done(db, conv))
    before = observations(v1, store_id, cust.profile_id)
    summaries = list(v1.conversation_summaries(store_id, cust.profile_id).list())
    assert before and len(summaries) == 1
    # Closing again is a no-op, and a duplicate job for the same conversation (e.g. a retry after a
    # crash) finds the watermark moved: nothing is written twice, not even the summary.
    close(v2, conv)
    with db.write() as conn:
        queue.enqueue(conn, KIND, {"conversationId": conv, "accountSid": extraction_jobs(db, conv)[0].payload[
            "accountSid"], "storeId": store_id, "transition": "CLOSED", "at": "2026-01-01T00:00:00+00:00"})
    jobs_done = wait_for(lambda: len(extraction_done(db, conv)) == 2 and extraction_done(db, conv))
    assert jobs_done[1].progress == {**jobs_done[1].progress, "added": 0, "updated": 0, "summaries": 0}
    assert [o.id for o in observations(v1, store_id, cust.profile_id)] == [o.id for o in before]
    assert len(list(v1.conversation_summaries(store_id, cust.profile_id).list())) == 1


def test_reconciliation_adds_updates_with_a_revision_and_discards(v2: Any, v1: Any, db: Database,
                                                                    store_id: str) -> None:
    customer = {"name": "Dana", "addresses": [{"channel": "SMS", "address": "+18005550170"}]}
    config_id = make_config(v2, store_id)
    first, cust = talk(v2, store_id, customer, ["I prefer window seats when I fly."], config_id=config_id)
    wait_for(lambda: extraction_done(db, first))
    [stored] = observations(v1, store_id, cust.profile_id)
    assert "window seats" in stored.content

    # The same fact again: discarded (nothing new), the observation untouched.
    again, same = talk(v2, store_id, customer, ["I prefer window seats when I fly."], config_id=config_id)
    assert same.profile_id == cust.profile_id
    [job] = wait_for(lambda: extraction_done(db, again))
    assert (job.progress["added"], job.progress["updated"], job.progress["discarded"]) == (0, 0, 1)
    [unchanged] = observations(v1, store_id, cust.profile_id)
    assert unchanged.id == stored.id and unchanged.content == stored.content

    # A refinement: the same observation (same id) takes the new content; the old state is a revision.
    refined, _ = talk(v2, store_id, customer, ["I prefer window seats when I fly, ideally near the front."],
                      config_id=config_id)
    [job] = wait_for(lambda: extraction_done(db, refined))
    assert (job.progress["added"], job.progress["updated"]) == (0, 1)
    [updated] = observations(v1, store_id, cust.profile_id)
    assert updated.id == stored.id and "front" in updated.content
    assert updated.conversation_ids == [first, refined]
    revisions = list(v1.revisions(store_id, cust.profile_id, stored.id).list())
    assert [r.content for r in revisions] == [updated.content, stored.content]

    # Something new: added next to it. Recall by the inferred query finds the right one first.
    new, _ = talk(v2, store_id, customer, ["I'm planning a trip to Lisbon in June."], config_id=config_id)
    [job] = wait_for(lambda: extraction_done(db, new))
    assert job.progress["added"] == 1
    assert len(observations(v1, store_id, cust.profile_id)) == 2
    inferred = recall(v1, store_id, cust.profile_id, conversationId=new)
    assert "Lisbon" in inferred.observations[0]["content"]
    with db.read() as conn:
        provenance = memory_provenance.of_items(conn, [stored.id])[stored.id]
    assert [c for c, _ in provenance] == [first, again, refined]  # discards also vouch for the item


def test_special_category_candidates_are_dropped_and_counted(v2: Any, v1: Any, db: Database, store_id: str) -> None:
    conv, cust = talk(v2, store_id, {"name": "Kim", "addresses": [{"channel": "SMS", "address": "+18005550180"}]},
                      ["I was diagnosed with diabetes last year, so I need meals without sugar.",
                       "I'm planning a trip to Lisbon in June."])
    [job] = wait_for(lambda: extraction_done(db, conv))
    assert job.progress["screened"] >= 1
    written = [o.content for o in observations(v1, store_id, cust.profile_id)]
    written += [s.content for s in v1.conversation_summaries(store_id, cust.profile_id).list()]
    assert any("Lisbon" in text for text in written)
    assert not any("diabet" in text.lower() for text in written)


def test_no_extraction_without_the_opt_in_or_for_a_deleted_store(v2: Any, v1: Any, db: Database,
                                                                 http: httpx.Client, store_id: str) -> None:
    quiet_config = make_config(v2, store_id, memoryExtractionEnabled=False)
    conv, cust = talk(v2, store_id, {"addresses": [{"channel": "SMS", "address": "+18005550190"}]},
                      ["I prefer paper invoices."], config_id=quiet_config)
    assert extraction_jobs(db, conv) == [] and observations(v1, store_id, cust.profile_id) == []
    # A store deleted after the configuration was bound: the job skips it quietly.
    doomed = create_store(http)
    config_id = make_config(v2, doomed)
    conv = make_conversation(v2, config_id).id
    add_participant(v2, conv, {"type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": "+18005550191"}]})
    assert http.delete(f"/v1/ControlPlane/Stores/{doomed}").status_code == 202
    close(v2, conv)
    [job] = wait_for(lambda: extraction_done(db, conv))
    assert job.error is None


def test_concurrent_jobs_of_one_conversation_extract_it_once(v2: Any, v1: Any, db: Database, account: Any,
                                                              store_id: str) -> None:
    """Two workers (threads here; processes behave the same: the claim and the conversation row lock
    are in the database) run extraction of one conversation at the same moment: one writes, the
    other finds the watermark moved and writes nothing."""
    quiet = make_config(v2, store_id, memoryExtractionEnabled=False)  # no job from the server itself
    conv, cust = talk(v2, store_id, {"name": "Ola", "addresses": [{"channel": "SMS", "address": "+18005550195"}]},
                      ["I prefer morning deliveries.", "I'm planning to move to Oslo in August."], config_id=quiet)
    payload = {"conversationId": conv, "accountSid": account.account_sid, "storeId": store_id,
               "transition": "CLOSED", "at": "2026-01-01T00:00:00+00:00"}
    start = threading.Barrier(2)
    results: list[Any] = []

    runtime = Runtime.build(Settings(), db=db)

    def work() -> None:
        start.wait()
        results.append(extract_conversation(JobContext(runtime, "mem_job_none", dict(payload), lambda: None)))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.summaries for r in results) == [0, 1] and sorted(r.added > 0 for r in results) == [False, True]
    written = observations(v1, store_id, cust.profile_id)
    assert len(written) == max(r.added for r in results)
    assert len(list(v1.conversation_summaries(store_id, cust.profile_id).list())) == 1
