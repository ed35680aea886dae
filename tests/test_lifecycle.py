"""Conversation lifecycle: the pure rules, the durable scheduler driven by a controllable
clock (in process, on the test database), and the timers of a live server firing on their own
and after a restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from convmem.domain.conversations import lifecycle as lc
from convmem.domain.conversations import participants as pr
from convmem.domain.conversations.commands import (
    Content,
    ConversationChange,
    InlineConfiguration,
    NewCommunication,
    NewConversation,
    Party,
)
from convmem.domain.conversations.lifecycle import Clock
from convmem.domain.errors import InvalidRequest
from convmem.services.conversations import communications, conversations
from convmem.services.conversations.lifecycle import EXTRACTION_JOB_KIND, sweep
from convmem.storage import conversations as repo
from convmem.storage.db import Database
from convmem.storage.job_tables import jobs
from tests.support.credentials import Credentials
from tests.support.live import LiveServer, start_server, stop_server

T0 = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
SMS = {"SMS": {"statusTimeouts": {"inactive": 10, "closed": 60}}}
CHAT = {"CHAT": {"statusTimeouts": {"inactive": 15, "closed": 30}}}


# -- pure rules ----------------------------------------------------------------------------------

def test_deadlines_count_from_the_last_communication_and_the_live_channel_governs() -> None:
    one = lc.deadlines(SMS, {"SMS": T0})
    assert one == lc.Deadlines(T0 + timedelta(minutes=10), T0 + timedelta(minutes=60))
    # SMS went quiet at T0, chat kept going until T0+40: chat's deadlines are the later ones.
    both = lc.deadlines({**SMS, **CHAT}, {"SMS": T0, "CHAT": T0 + timedelta(minutes=40)})
    assert both == lc.Deadlines(T0 + timedelta(minutes=55), T0 + timedelta(minutes=70))
    # A channel without timeouts takes no part; no timeouts at all: no deadlines.
    assert lc.deadlines(SMS, {"SMS": T0, "VOICE": T0 + timedelta(hours=5)}) == one
    assert lc.deadlines({}, {"SMS": T0}) == lc.Deadlines(None, None)
    # Minutes can be shortened (tests only).
    assert lc.deadlines(SMS, {"SMS": T0}, timedelta(seconds=1)).inactive_at == T0 + timedelta(seconds=10)


def test_due_transitions_and_next_due() -> None:
    d = lc.deadlines(SMS, {"SMS": T0})
    at = lambda minutes: T0 + timedelta(minutes=minutes)  # noqa: E731
    assert lc.due_transition(lc.ACTIVE, d, T0, at(9)) is None
    assert lc.due_transition(lc.ACTIVE, d, T0, at(10)) == lc.INACTIVE
    assert lc.due_transition(lc.INACTIVE, d, T0, at(30)) is None
    assert lc.due_transition(lc.INACTIVE, d, T0, at(60)) == lc.CLOSED
    assert lc.due_transition(lc.ACTIVE, d, T0, at(61)) == lc.CLOSED  # overslept: straight to CLOSED
    assert lc.due_transition(lc.CLOSED, d, T0, at(600)) is None
    assert (lc.next_due(lc.ACTIVE, d, T0), lc.next_due(lc.INACTIVE, d, T0), lc.next_due(lc.CLOSED, d, T0)) == (
        at(10), at(60), None)
    # closed <= inactive: never pauses; only an inactive timeout: pauses, never closes (but the cap).
    no_pause = lc.deadlines({"SMS": {"statusTimeouts": {"inactive": 30, "closed": 20}}}, {"SMS": T0})
    assert lc.due_transition(lc.ACTIVE, no_pause, T0, at(25)) == lc.CLOSED
    pause_only = lc.deadlines({"SMS": {"statusTimeouts": {"inactive": 5}}}, {"SMS": T0})
    assert lc.due_transition(lc.INACTIVE, pause_only, T0, at(10_000)) is None
    assert lc.due_transition(lc.INACTIVE, pause_only, T0, T0 + lc.HARD_CAP) == lc.CLOSED
    assert lc.next_due(lc.INACTIVE, pause_only, T0) == T0 + lc.HARD_CAP


def test_api_transitions_and_traffic() -> None:
    assert lc.check_api_transition(lc.ACTIVE, lc.ACTIVE) is False
    assert lc.check_api_transition(lc.ACTIVE, lc.CLOSED) is True
    assert lc.check_api_transition(lc.INACTIVE, lc.ACTIVE) is True
    assert lc.check_api_transition(lc.CLOSED, lc.CLOSED) is False
    for target in (lc.ACTIVE, lc.INACTIVE):
        with pytest.raises(InvalidRequest):
            lc.check_api_transition(lc.CLOSED, target)
    with pytest.raises(InvalidRequest):
        lc.check_accepts_traffic(lc.CLOSED)
    assert lc.reactivates(lc.INACTIVE) and not lc.reactivates(lc.ACTIVE)
    assert lc.activity_with({"SMS": T0}, "SMS", T0 - timedelta(minutes=5)) == {"SMS": T0}  # back-dated
    assert lc.extraction_requested(lc.INACTIVE, True, True) and lc.extraction_requested(lc.CLOSED, True, True)
    assert not lc.extraction_requested(lc.CLOSED, False, True) and not lc.extraction_requested(lc.ACTIVE, True, True)


def test_participant_resolution_rules() -> None:
    assert pr.identifier_for("SMS", "+1 (800) 555-0100") == pr.Identifier("phone", "+18005550100")
    assert pr.identifier_for("VOICE", "client:alice") is None
    assert pr.identifier_for("WHATSAPP", "whatsapp:+18005550100") == pr.Identifier("whatsapp", "+18005550100")
    assert pr.identifier_for("CHAT", " user123 ") == pr.Identifier("chat", "user123")
    assert pr.identifier_for("EMAIL", "Dana@Example.com") == pr.Identifier("email", "dana@example.com")
    assert pr.identifier_for("RCS", "rcs:+18005550100") == pr.Identifier("phone", "+18005550100")
    assert pr.identifier_for("RCS", "rcs:brand_acme") is None
    assert pr.identifier_for("VIDEO", "+18005550100") is None
    addresses = [{"channel": "SMS", "address": "+18005550100"}, {"channel": "VOICE", "address": "+18005550100"}]
    assert pr.plan("CUSTOMER", None, addresses) == pr.ResolutionPlan(
        "lookup_or_create", None, (pr.Identifier("phone", "+18005550100"),))
    assert pr.plan("UNKNOWN", "mem_profile_x", addresses).mode == "lookup"
    assert pr.plan("UNKNOWN", "mem_profile_x", addresses).explicit_profile_id is None
    for agent in ("HUMAN_AGENT", "AI_AGENT", "AGENT"):
        assert pr.plan(agent, None, addresses).mode == "none"
    assert pr.type_after_resolution("UNKNOWN", "mem_profile_x") == "CUSTOMER"
    assert pr.type_after_resolution("UNKNOWN", None) == "UNKNOWN"


# -- the scheduler with a controllable clock -----------------------------------------------------

class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


def _conversation(db: Database, account: Credentials, clock: Clock, settings: dict[str, Any], store: str,
                  extraction: bool = True) -> str:
    view = conversations.create(db, account.account_sid, NewConversation(configuration=InlineConfiguration(
        memory_store_id=store, memory_extraction_enabled=extraction, channel_settings=settings)), "US", clock)
    return str(view.id)


def _say(db: Database, account: Credentials, clock: Clock, conversation_id: str, channel: str = "SMS",
         text: str = "hello") -> None:
    address = "+18005550100" if channel == "SMS" else "user-1"
    communications.create(db, account.account_sid, conversation_id, NewCommunication(
        author=Party(address, channel), recipients=[Party("bot", channel)], content=Content("TEXT", text)),
        "US", clock)


def _status(db: Database, conversation_id: str) -> str:
    with db.read() as conn:
        row = repo.get_conversation_any_account(conn, conversation_id)
    assert row is not None
    return str(row.status)


def _extraction_jobs(db: Database, conversation_id: str) -> list[str]:
    with db.read() as conn:
        rows = conn.execute(select(jobs.c.payload).where(jobs.c.kind == EXTRACTION_JOB_KIND)
                            .order_by(jobs.c.created_at, jobs.c.id)).scalars()
        return [p["transition"] for p in rows if p["conversationId"] == conversation_id]


def _sweep(db: Database, clock: Clock) -> None:
    """Sweep as the scheduler does, until nothing is due: on PostgreSQL a sweep skips a conversation
    whose row another transaction holds (the session server's worker extracting it), and the
    scheduler's next pass takes it; a test must not read its status in between."""
    for _ in range(200):
        sweep(db, clock)
        with db.read() as conn:
            if not repo.due_conversation_ids(conn, clock.now(), 1, skip_locked=False):
                return
        time.sleep(0.02)
    raise AssertionError("conversations stayed due")


def test_timers_reactivation_and_closing_with_a_fake_clock(db: Database, account: Credentials,
                                                          store_id: str) -> None:
    fake = FakeClock(T0)
    clock = Clock(now=fake)
    conv = _conversation(db, account, clock, SMS, store_id)
    _say(db, account, clock, conv)

    fake.advance(minutes=9, seconds=59)
    _sweep(db, clock)
    assert _status(db, conv) == "ACTIVE" and _extraction_jobs(db, conv) == []
    fake.advance(seconds=1)
    _sweep(db, clock)
    assert _status(db, conv) == "INACTIVE"
    assert _extraction_jobs(db, conv) == ["INACTIVE"]  # enqueued with the transition

    # New traffic reactivates it and restarts the timers from this communication.
    fake.advance(minutes=20)
    _say(db, account, clock, conv, text="back again")
    assert _status(db, conv) == "ACTIVE"
    fake.advance(minutes=59)
    _sweep(db, clock)
    assert _status(db, conv) == "INACTIVE"
    fake.advance(minutes=1)
    _sweep(db, clock)
    assert _status(db, conv) == "CLOSED"
    assert _extraction_jobs(db, conv) == ["INACTIVE", "INACTIVE", "CLOSED"]

    # CLOSED is final: traffic is refused, sweeps and API no-ops change nothing.
    with pytest.raises(InvalidRequest):
        _say(db, account, clock, conv)
    fake.advance(days=1)
    _sweep(db, clock)
    conversations.change(db, account.account_sid, conv, ConversationChange("CLOSED", merge_metadata=True), clock)
    assert _extraction_jobs(db, conv) == ["INACTIVE", "INACTIVE", "CLOSED"]
    with db.read() as conn:
        steps = [(t.from_status, t.to_status, t.reason) for t in repo.transitions_of(conn, conv)]
    assert steps == [("ACTIVE", "INACTIVE", "timeout"), ("INACTIVE", "ACTIVE", "traffic"),
                     ("ACTIVE", "INACTIVE", "timeout"), ("INACTIVE", "CLOSED", "timeout")]


def test_explicit_close_multi_channel_and_switched_off_extraction(db: Database, account: Credentials,
                                                                 store_id: str) -> None:
    fake = FakeClock(T0)
    clock = Clock(now=fake)
    # Two channels: SMS goes quiet, chat stays busy; the conversation stays open while chat lives.
    conv = _conversation(db, account, clock, {**SMS, **CHAT}, store_id)
    _say(db, account, clock, conv, "SMS")
    fake.advance(minutes=25)
    _say(db, account, clock, conv, "CHAT")
    fake.advance(minutes=14)  # SMS inactive since T0+10, chat not yet (T0+40)
    _sweep(db, clock)
    assert _status(db, conv) == "ACTIVE"
    fake.advance(minutes=1)
    _sweep(db, clock)
    assert _status(db, conv) == "INACTIVE"
    fake.advance(minutes=16)  # chat closed at T0+55, SMS not until T0+60
    _sweep(db, clock)
    assert _status(db, conv) == "INACTIVE"
    fake.advance(minutes=5)
    _sweep(db, clock)
    assert _status(db, conv) == "CLOSED"

    # An explicit close is immediate and triggers extraction; with extraction off nothing is queued.
    closing = _conversation(db, account, clock, SMS, store_id)
    quiet = _conversation(db, account, clock, SMS, store_id, extraction=False)
    for target in (closing, quiet):
        conversations.change(db, account.account_sid, target, ConversationChange("CLOSED", merge_metadata=True),
                             clock)
        assert _status(db, target) == "CLOSED"
    assert _extraction_jobs(db, closing) == ["CLOSED"] and _extraction_jobs(db, quiet) == []

    # Reads apply an expired timer lazily, before the scheduler gets to it.
    lazy = _conversation(db, account, clock, SMS, store_id)
    _say(db, account, clock, lazy)
    fake.advance(minutes=61)
    assert conversations.fetch(db, account.account_sid, lazy, clock).status == "CLOSED"


# -- a live server's own scheduler -----------------------------------------------------------------

FAST = {"CONVMEM_CONVERSATION_MINUTE_SECONDS": "0.5", "CONVMEM_CONVERSATION_TIMER_INTERVAL_SECONDS": "0.2"}


def _wait_for_status(http: httpx.Client, conv: str, status: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # The list does not apply timers lazily: only the scheduler can have moved it.
        found = {c["id"]: c["status"] for c in http.get("/v2/Conversations").json()["conversations"]}
        if found.get(conv) == status:
            return
        time.sleep(0.1)
    raise AssertionError(f"{conv} did not become {status}: {found.get(conv)}")


@pytest.mark.e2e
def test_live_timers_fire_and_survive_a_restart(database_url: str, db: Database, server: LiveServer,
                                               account: Credentials, store_id: str, tmp_path: Path) -> None:
    """A shortened minute (0.5 s): inactive 2 -> 1 s, closed 6 -> 3 s."""
    fast = start_server(database_url, tmp_path / "fast.log", extra_env=FAST)
    settings = {"SMS": {"statusTimeouts": {"inactive": 2, "closed": 6}}}
    try:
        with fast.http(account) as http:
            created = http.post("/v2/Conversations", json={"configuration": {
                "memoryStoreId": store_id, "memoryExtractionEnabled": True, "channelSettings": settings},
                "participants": [{"type": "CUSTOMER", "addresses": [{"channel": "SMS", "address": "+18005550100"}]}]})
            assert created.status_code == 201, created.text
            conv = created.json()["id"]
            _wait_for_status(http, conv, "INACTIVE")
            said = http.post(f"/v2/Conversations/{conv}/Communications", json={
                "author": {"address": "+18005550100", "channel": "SMS"},
                "recipients": [{"address": "+18005550199", "channel": "SMS"}],
                "content": {"type": "TEXT", "text": "still there?"}})
            assert said.status_code == 201 and http.get(f"/v2/Conversations/{conv}").json()["status"] == "ACTIVE"
    finally:
        stop_server(fast)
    # The server is down when the timers expire; the next one to start applies them.
    time.sleep(3.5)
    with db.read() as conn:
        assert repo.get_conversation_any_account(conn, conv).status == "ACTIVE"  # type: ignore[union-attr]
    fast = start_server(database_url, tmp_path / "fast2.log", extra_env=FAST)
    try:
        with fast.http(account) as http:
            _wait_for_status(http, conv, "CLOSED")
    finally:
        stop_server(fast)
    assert _extraction_jobs(db, conv) == ["INACTIVE", "CLOSED"]


def test_concurrent_sweeps_apply_each_transition_once(db: Database, account: Credentials, store_id: str) -> None:
    """Several schedulers (threads here, processes in production) racing over the same due
    conversations: each transition is applied, and its extraction job enqueued, exactly once."""
    from concurrent.futures import ThreadPoolExecutor

    fake = FakeClock(T0 + timedelta(days=30))
    clock = Clock(now=fake)
    convs = [_conversation(db, account, clock, SMS, store_id) for _ in range(12)]
    for conv in convs:
        _say(db, account, clock, conv)
    fake.advance(minutes=61)
    with ThreadPoolExecutor(max_workers=4) as pool:
        moved = sum(pool.map(lambda _: sweep(db, clock, limit=3), range(16)))
    assert moved >= len(convs)  # (other tests' leftovers may be due too)
    assert all(_status(db, c) == "CLOSED" and _extraction_jobs(db, c) == ["CLOSED"] for c in convs)
    with db.read() as conn:
        assert all(len(repo.transitions_of(conn, c)) == 1 for c in convs)
