"""What the console's pages show, read through the same services as the REST API (store and
profile scoping, identity normalisation, Lookup) plus a few read-only aggregates of their own
(storage/console_queries.py). Every function takes the signed-in account and checks that the
store, profile or conversation is that account's: another account's id is a NotFound, as in the
API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from convmem.domain.errors import InvalidRequest, NotFound
from convmem.domain.pagination import Cursor
from convmem.domain.timefmt import utcnow
from convmem.services import identifiers, trait_groups
from convmem.services.common import require_store
from convmem.services.conversations.extraction import KIND as EXTRACTION_KIND
from convmem.services.conversations.scope import require_conversation
from convmem.services.profile_scope import require_profile
from convmem.storage import console_queries as q
from convmem.storage import conversations as conversation_repo
from convmem.storage import memories, memory_provenance, profile_data
from convmem.storage import stores as store_repo
from convmem.storage import trait_groups as group_repo
from convmem.storage.db import Database

OBSERVATIONS_PER_PAGE = 50
SUMMARIES_SHOWN = 20
SEARCH_LIMIT = 50
OUTCOMES = ("added", "updated", "discarded", "withheld", "screened")


def store_list(db: Database, account: str) -> list[dict[str, Any]]:
    with db.read() as conn:
        ids = [row.id for row in conn.execute(store_repo.list_query(account).order_by("id").limit(200))]
        out = []
        for store_id in ids:
            row = store_repo.get(conn, account, store_id)
            if row is None:
                continue
            out.append({"row": row, "profiles": q.profile_count(conn, store_id),
                        "conversations": q.conversation_count(conn, account, store_id),
                        "groups": q.group_count(conn, store_id)})
    return out


def _per_day(times: list[datetime], days: int, today: datetime) -> list[tuple[str, int]]:
    start = (today - timedelta(days=days - 1)).date()
    counts = [0] * days
    for t in times:
        index = (t.astimezone(UTC).date() - start).days
        if 0 <= index < days:
            counts[index] += 1
    return [((start + timedelta(days=n)).strftime("%m-%d"), counts[n]) for n in range(days)]


@dataclass
class StoreOverview:
    store: Any
    profiles: int
    conversations: int
    per_day: list[tuple[str, int]]
    outcomes: list[tuple[str, int]]
    groups: list[Any]
    identity: Any
    recent_profiles: list[Any]


def store_overview(db: Database, account: str, store_id: str) -> StoreOverview:
    now = utcnow()
    with db.read() as conn:
        store = require_store(conn, account, store_id)
        per_day = _per_day(q.observation_times_since(conn, store_id, now - timedelta(days=31)), 30, now)
        totals = dict.fromkeys(OUTCOMES, 0)
        for report in q.extraction_reports(conn, EXTRACTION_KIND):
            payload, progress = report.payload or {}, report.progress or {}
            if payload.get("accountSid") != account or payload.get("storeId") != store_id:
                continue
            for outcome in ("added", "updated", "discarded", "screened"):
                totals[outcome] += int(progress.get(outcome) or 0)
        # Withheld messages are recorded on the conversation itself (never purged with the jobs).
        totals["withheld"] = sum(len(ids or []) for ids in q.withheld_of_store(conn, account, store_id))
        groups = list(conn.execute(group_repo.list_query(store_id).order_by("id")).all())
        return StoreOverview(store=store, profiles=q.profile_count(conn, store_id),
                             conversations=q.conversation_count(conn, account, store_id), per_day=per_day,
                             outcomes=[(k, totals[k]) for k in OUTCOMES], groups=groups,
                             identity=store_repo.get_identity_settings(conn, store_id),
                             recent_profiles=q.recent_profiles(conn, store_id, 20))


@dataclass
class SearchHit:
    profile_id: str
    reasons: list[str] = field(default_factory=list)


def search_profiles(db: Database, account: str, store_id: str, text: str, region: str) -> list[SearchHit]:
    """Profiles whose identifier matches ``text`` (normalised per identifier type, as Lookup
    does; fuzzy types fuzzily), whose trait values contain it, or whose id it is."""
    text = text.strip()[:255]
    hits: dict[str, SearchHit] = {}
    if not text:
        return []
    with db.read() as conn:
        require_store(conn, account, store_id)
        id_types = [c["idType"] for c in store_repo.get_identity_settings(conn, store_id).identifier_configs]
        if text.startswith("mem_profile_"):
            for pid in q.existing_profiles(conn, store_id, [text]):
                hits.setdefault(pid, SearchHit(pid)).reasons.append("profile id")
        for pid in q.profiles_with_trait_text(conn, store_id, text, SEARCH_LIMIT):
            hits.setdefault(pid, SearchHit(pid)).reasons.append("trait value")
    for id_type in id_types:
        try:
            found = identifiers.lookup(db, account, store_id, id_type, text, region)
        except InvalidRequest:
            continue  # not a value of this type (an email is no phone number)
        for pid in found.profiles:
            hits.setdefault(pid, SearchHit(pid)).reasons.insert(0, f"{id_type} identifier")
    return list(hits.values())[:SEARCH_LIMIT]


def group_of(db: Database, account: str, store_id: str, name: str) -> Any:
    return trait_groups.fetch(db, account, store_id, name)


@dataclass
class ProfileView:
    store: Any
    profile: Any
    identifiers: list[Any]
    traits: dict[str, dict[str, Any]]
    schema: dict[str, dict[str, Any]]
    observations: list[Any]
    provenance: dict[str, list[tuple[str, list[str]]]]
    next_after: str | None
    observation_count: int
    summaries: list[Any]
    summary_count: int
    revisions: dict[str, int]


def profile_view(db: Database, account: str, store_id: str, profile_id: str, after: str | None) -> ProfileView:
    if after is not None and (len(after) > 64 or not after.startswith("mem_observation_")):
        raise InvalidRequest("after must be an observation id")
    with db.read() as conn:
        store = require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        traits: dict[str, dict[str, Any]] = {}
        for trait in profile_data.traits_of(conn, [profile.id]):
            traits.setdefault(trait.group_name, {})[trait.trait_name] = trait.value
        page = memories.observation_page(conn, profile.id, Cursor(order="DESC", after=after), OBSERVATIONS_PER_PAGE)
        summary_page = memories.summary_page(conn, profile.id, Cursor(order="DESC"), SUMMARIES_SHOWN)
        observation_count, summary_count = q.memory_counts(conn, profile.id)
        items = [row.id for row in page.items] + [row.id for row in summary_page.items]
        return ProfileView(
            store=store, profile=profile, identifiers=profile_data.identifiers_of(conn, [profile.id]),
            traits=traits, schema=group_repo.all_traits(conn, store_id), observations=page.items,
            provenance=memory_provenance.of_items(conn, items),
            next_after=page.next_cursor.after if page.next_cursor else None,
            observation_count=observation_count, summaries=summary_page.items, summary_count=summary_count,
            revisions=q.revision_counts(conn, [row.id for row in page.items]))


def observation_history(db: Database, account: str, store_id: str, profile_id: str,
                        observation_id: str) -> tuple[Any, list[Any], list[tuple[str, list[str]]]]:
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        row = memories.get_observation(conn, profile.id, observation_id)
        if row is None:
            raise NotFound(f"Observation {observation_id} was not found")
        revisions = memories.revision_page(conn, observation_id, Cursor(order="DESC"), 100).items
        return row, revisions, memory_provenance.of_items(conn, [observation_id]).get(observation_id, [])


@dataclass
class ErasurePreview:
    identifiers: int
    traits: int
    observations: int
    summaries: int
    conversations: int


def erasure_preview(db: Database, account: str, store_id: str, profile_id: str) -> ErasurePreview:
    with db.read() as conn:
        require_store(conn, account, store_id)
        profile = require_profile(conn, store_id, profile_id)
        observations, summaries = q.memory_counts(conn, profile.id)
        return ErasurePreview(identifiers=len(profile_data.identifiers_of(conn, [profile.id])),
                              traits=len(profile_data.traits_of(conn, [profile.id])),
                              observations=observations, summaries=summaries,
                              conversations=q.linked_conversation_count(conn, profile.id))


def conversation_list(db: Database, account: str, *, status: str | None, store_id: str | None,
                      after: str | None) -> list[Any]:
    if status and status not in ("ACTIVE", "INACTIVE", "CLOSED"):
        raise InvalidRequest("status must be ACTIVE, INACTIVE or CLOSED")
    with db.read() as conn:
        return q.conversations_of(conn, account, status=status or None, store_id=store_id or None,
                                  after=after[:64] if after else None, limit=50)


@dataclass
class ConversationView:
    conversation: Any
    participants: list[tuple[Any, str | None]]
    communications: list[Any]
    withheld: set[str]  # by the injection guard
    screened: set[str]  # a sentence dropped by the special-category screen
    produced: list[Any]
    reports: list[Any]
    store_id: str | None


def conversation_view(db: Database, account: str, conversation_id: str) -> ConversationView:
    if len(conversation_id) > 64:
        raise NotFound("Conversation was not found")
    with db.read() as conn:
        row = require_conversation(conn, account, conversation_id)
        return ConversationView(
            conversation=row, participants=conversation_repo.linked_participants(conn, row.id),
            communications=q.communications_of(conn, row.id, 500), withheld=set(row.memory_withheld or []),
            screened=set(row.memory_screened or []) - set(row.memory_withheld or []),
            produced=q.items_of_conversation(conn, row.id),
            reports=q.extraction_reports_of(conn, EXTRACTION_KIND, row.id),
            store_id=row.memory_store_id)


def operations(db: Database, account: str, retention_days: int) -> list[Any]:
    with db.read() as conn:
        return q.operations_of(conn, account, utcnow() - timedelta(days=retention_days), 100)


def imports_of(db: Database, account: str, store_id: str) -> tuple[Any, list[Any]]:
    with db.read() as conn:
        store = require_store(conn, account, store_id)
        return store, q.imports_of(conn, store_id, 50)


def trait_schema(db: Database, account: str, store_id: str) -> dict[str, dict[str, Any]]:
    with db.read() as conn:
        require_store(conn, account, store_id)
        return group_repo.all_traits(conn, store_id)
