"""The extraction job with the LLM backend (a loopback server speaking chat completions) and across
a crash: a server process killed in the middle of an extraction leaves nothing half-written, and
the restarted one completes it exactly once (end to end, on a database of its own, so that the
session server's job worker cannot take these jobs). And direct posts reconciled only on a server
that opts in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from twilio.rest import Client
from twilio.rest.memory.v1.profile import ProfileList

from convmem.auth import service as auth
from convmem.services.conversations.extraction import SOURCE
from convmem.storage import migrate
from convmem.storage.db import Database
from convmem.storage.memory_tables import observations, summaries
from tests.support.fake_model import FakeModelServer, completion
from tests.support.inprocess import serve_in_process
from tests.support.live import start_server, stop_server
from tests.support.processes import wait_for
from tests.support.wire import create_store
from tests.test_conversation_memory import AGENT, close, extraction_done, extraction_jobs, say
from tests.test_conversations_sdk import add_participant, make_config, make_conversation

ANSWER = {
    "observations": [
        {"content": "Dana's router has not worked since Monday.", "kind": "problem", "confidence": 0.9,
         "sources": ["c1"]},
        {"content": "Dana prefers delivery to her office in Leeds.", "kind": "preference", "confidence": 0.8,
         "sources": ["c3"]},
    ],
    "summary": "Dana reported a broken router and asked for delivery to her Leeds office.",
    "summary_sources": ["c1", "c3"],
}
LINES = ["My router has not worked since Monday.", "Sorry to hear that, a replacement is on its way.",
         "Please deliver it to my office in Leeds."]


def _conversation(twilio: Client, store_id: str, phone: str) -> tuple[str, Any]:
    v2 = twilio.conversations.v2
    conv = make_conversation(v2, make_config(v2, store_id)).id
    dana = add_participant(v2, conv, {"type": "CUSTOMER", "name": "Dana", "addresses": [
        {"channel": "SMS", "address": phone}]})
    bot = add_participant(v2, conv, {"type": "AI_AGENT", "name": "Bot", "addresses": [
        {"channel": "SMS", "address": AGENT}]})
    for n, line in enumerate(LINES):
        say(v2, conv, dana if n != 1 else bot, bot if n != 1 else dana, line)
    close(v2, conv)
    return conv, dana


def _count(db: Database, table: Any, profile_id: str) -> int:
    with db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(
            table.c.profile_id == profile_id)).scalar() or 0)


@pytest.mark.e2e
def test_llm_extraction_survives_a_crash_mid_job_and_runs_once(private_database: str, tmp_path: Path,
                                                                model_server: FakeModelServer) -> None:
    db = Database(private_database)
    migrate.upgrade(db)
    creds = auth.create_account(db)
    env = {"CONVMEM_EXTRACT_LLM_BASE_URL": model_server.base_url, "CONVMEM_EXTRACT_LLM_MODEL": "tiny-model",
           "CONVMEM_EXTRACT_LLM_API_KEY": "sk-test", "CONVMEM_EXTRACT_LLM_TIMEOUT": "20",
           "CONVMEM_EXTRACT_LLM_RETRIES": "0", "CONVMEM_JOB_LEASE_SECONDS": "2"}
    # The model answers slowly the first time: the server dies while waiting for it.
    model_server.responders = [completion(ANSWER, delay=8.0), completion(ANSWER)]
    first = start_server(private_database, tmp_path / "first.log", extra_env=env)
    try:
        with first.http(creds) as http:
            store_id = create_store(http)
        conv, dana = _conversation(first.twilio(creds), store_id, "+18005550120")
        wait_for(lambda: model_server.requests, timeout=20)
        first.process.kill()  # SIGKILL mid-extraction: no chance to finish or clean up
        first.process.wait()
    finally:
        stop_server(first)
    [running] = extraction_jobs(db, conv)
    assert running.status == "RUNNING" and _count(db, observations, dana.profile_id) == 0

    # What we sent: the model, the key, a strict JSON schema and the labelled transcript.
    request = model_server.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "tiny-model" and body["response_format"]["type"] == "json_schema"
    assert "[c1]" in body["messages"][1]["content"] and LINES[2] in body["messages"][1]["content"]

    second = start_server(private_database, tmp_path / "second.log", extra_env=env)
    try:
        [done] = wait_for(lambda: extraction_done(db, conv), timeout=30)
        assert done.attempts == 2 and done.progress["backends"] == ["llm"] and done.progress["added"] == 2
        twilio = second.twilio(creds)
        found = list(twilio.memory.v1.observations(store_id, dana.profile_id).list())
        assert sorted(o.content for o in found) == sorted(
            f"On {found[0].occurred_at.date().isoformat()}, {o['content']}" for o in ANSWER["observations"])
        assert all(o.source == SOURCE and o.conversation_ids == [conv] for o in found)
        [summary] = list(twilio.memory.v1.conversation_summaries(store_id, dana.profile_id).list())
        assert summary.content == ANSWER["summary"]
        assert _count(db, summaries, dana.profile_id) == 1

        # An unusable answer: the job falls back to the offline extractor and says so.
        model_server.responders = [completion("this is not JSON")]
        other, kim = _conversation(twilio, store_id, "+18005550121")
        [fallback] = wait_for(lambda: extraction_done(db, other))
        assert fallback.progress["fallbacks"] == 1 and "fallback" in fallback.progress["backends"][0]
        # (the offline extractor keeps the statement; "Please deliver it to my office in Leeds." is an ask)
        assert any("router" in o.content for o in twilio.memory.v1.observations(store_id, kim.profile_id).list())
        assert json.loads(json.dumps(fallback.progress))  # plain JSON, as stored
    finally:
        stop_server(second)
        db.dispose()


def test_direct_posts_are_reconciled_only_when_the_server_opts_in(database_url: str, db: Database, v1: Any,
                                                                   http: httpx.Client, account: Any,
                                                                   store_id: str, tmp_path: Path) -> None:
    post = {"content": "Prefers window seats when flying.", "source": "crm", "occurredAt": "2026-03-01T10:00:00Z"}
    refined = {**post, "content": "Prefers window seats when flying, near the front of the plane."}
    plain = v1.profiles(store_id).create(ProfileList.ProfileData({"traits": {"Contact": {"email": "a@x.io"}}})).id
    for _ in range(2):  # the default: stored as sent, duplicates and all
        assert http.post(f"/v1/Stores/{store_id}/Profiles/{plain}/Observations",
                         json={"observations": [post]}).status_code == 202
    assert _count(db, observations, plain) == 2

    # A second server on the session database with the option on (the session server runs the jobs).
    with serve_in_process(database_url, tmp_path / "opted", reconcile_direct_observations=True, run_jobs=False,
                          run_conversation_timers=False) as opted:
        twilio = opted.twilio(account)
        profile = twilio.memory.v1.profiles(store_id).create(ProfileList.ProfileData(
            {"traits": {"Contact": {"email": "b@x.io"}}})).id
        with opted.http(account) as opted_http:
            for body in (post, post, refined):
                assert opted_http.post(f"/v1/Stores/{store_id}/Profiles/{profile}/Observations",
                                       json={"observations": [body]}).status_code == 202
        [kept] = list(twilio.memory.v1.observations(store_id, profile).list())
        assert kept.content == refined["content"] and kept.source == "crm"
        assert [r.content for r in twilio.memory.v1.revisions(store_id, profile, kept.id).list()] == [
            refined["content"], post["content"]]
