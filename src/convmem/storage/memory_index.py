"""The search index rows of memory items, their embeddings, and the per-profile version and
change feed that keep Recall's in-process caches current.

Every write to a profile's index rows (add, reindex, embedding stored) runs, in its transaction,
``next_version`` (which locks the profile's state rows: writers to one profile queue there, so
versions are assigned in commit order), stamps the rows it changes with that version
(``change_seq``), and then ``bump`` commits the profile to it. A cache holding the profile at
version v reads ``changes_since(v)``: every row whose change it has not seen, nothing else.
Removals cannot show in that feed; they count in ``deletions`` instead, which is part of the
cache key's generation: a cache whose generation differs reloads the profile. So does one after
a merge (the survivor gains the other profile's state rows: the count moves).

Lock order, to keep writers to one profile from deadlocking: the profile's state rows first,
then its index rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    LargeBinary,
    Row,
    String,
    column,
    delete,
    func,
    insert,
    select,
    update,
    values,
)

from convmem.search import text as search_text
from convmem.storage.memory_tables import memory_index, memory_index_state, observations, summaries

OBSERVATION = "observation"
SUMMARY = "summary"

# (generation, version) of a profile's index: the generation moves on a change a cache cannot
# apply from the feed (a removal, a merge), the version on every write.
Key = tuple[int, int]


def _locked_versions(conn: Connection, profile_id: str) -> list[int]:
    # FOR UPDATE: on PostgreSQL, a second writer waits here until the first commits and then
    # reads its version. SQLite serialises writers anyway (and renders no FOR UPDATE).
    return list(conn.execute(select(memory_index_state.c.version)
                             .where(memory_index_state.c.profile_id == profile_id).with_for_update()).scalars())


def next_version(conn: Connection, profile_id: str) -> int:
    """The version the profile's next ``bump`` in this transaction commits it to; locks the
    profile's state rows. Rows this transaction changes are stamped with it."""
    return max(_locked_versions(conn, profile_id), default=0) + 1


def bump(conn: Connection, profile_id: str, *, deleted: bool = False) -> int:
    """Record that the profile's searchable memories changed (in the writer's transaction):
    its version becomes ``next_version``, and ``deleted`` (an item left the index) moves its
    generation. Returns the new version."""
    current = _locked_versions(conn, profile_id)
    version = max(current, default=0) + 1
    if current:
        changes: dict[str, Any] = {"version": version}
        if deleted:
            changes["deletions"] = memory_index_state.c.deletions + 1
        conn.execute(update(memory_index_state).where(memory_index_state.c.profile_id == profile_id)
                     .values(**changes))
    else:
        conn.execute(insert(memory_index_state).values(profile_id=profile_id, version=version,
                                                       deletions=1 if deleted else 0))
    return version


def _key_columns() -> tuple[Any, Any]:
    state = memory_index_state.c
    generation = func.count() + func.coalesce(func.sum(state.deletions), 0)
    return generation, func.coalesce(func.max(state.version), 0)


def cache_key(conn: Connection, profile_id: str) -> Key:
    """(generation, version): the version moves with every write and stored embedding; the
    generation with every removal and when a merge re-points another profile's rows here (the
    count of state rows grows). Both only ever grow."""
    row = conn.execute(select(*_key_columns()).where(memory_index_state.c.profile_id == profile_id)).one()
    return int(row[0]), int(row[1])


def cache_keys(conn: Connection, profile_ids: list[str]) -> dict[str, Key]:
    """``cache_key`` of many profiles in one query; a profile without index rows is absent."""
    state = memory_index_state.c
    out: dict[str, Key] = {}
    for start in range(0, len(profile_ids), 500):
        rows = conn.execute(select(state.profile_id, *_key_columns())
                            .where(state.profile_id.in_(profile_ids[start:start + 500]))
                            .group_by(state.profile_id)).all()
        out.update((row[0], (int(row[1]), int(row[2]))) for row in rows)
    return out


def add(conn: Connection, items: Iterable[tuple[str, str, str, str, datetime]], change_seq: int | None = None) -> None:
    """Index new items: (item_id, kind, profile_id, content, occurred_at), stamped with
    ``change_seq`` (by default, each profile's ``next_version``)."""
    items = list(items)
    seq = ({profile_id: change_seq for profile_id in {i[2] for i in items}} if change_seq is not None else
           {profile_id: next_version(conn, profile_id) for profile_id in sorted({i[2] for i in items})})
    rows = [{"item_id": item_id, "kind": kind, "profile_id": profile_id,
             "search_text": search_text.document_text(content, occurred_at), "content_version": 1,
             "needs_embedding": True, "change_seq": seq[profile_id]}
            for item_id, kind, profile_id, content, occurred_at in items]
    if rows:
        conn.execute(insert(memory_index), rows)


def reindex(conn: Connection, item_id: str, content: str, occurred_at: datetime, *, content_changed: bool,
            change_seq: int | None = None) -> None:
    """The item's new lexical text, stamped with ``change_seq`` (by default, its profile's
    ``next_version``)."""
    if change_seq is None:
        profile_id = conn.execute(select(memory_index.c.profile_id).where(memory_index.c.item_id == item_id)).scalar()
        if profile_id is None:
            return
        change_seq = next_version(conn, profile_id)
    values: dict[str, Any] = {"search_text": search_text.document_text(content, occurred_at),
                              "change_seq": change_seq}
    if content_changed:
        values["content_version"] = memory_index.c.content_version + 1
        values["needs_embedding"] = True
    conn.execute(update(memory_index).where(memory_index.c.item_id == item_id).values(**values))


def touch(conn: Connection, item_id: str, change_seq: int) -> None:
    """The item changed in a way the index does not hold (its source, its conversations): the
    feed still passes it on, for caches of its wire form."""
    conn.execute(update(memory_index).where(memory_index.c.item_id == item_id).values(change_seq=change_seq))


def remove(conn: Connection, item_id: str) -> None:
    conn.execute(delete(memory_index).where(memory_index.c.item_id == item_id))


def pending_embeddings(conn: Connection, item_ids: list[str], batch: int) -> list[Any]:
    """Items needing a vector, with their content: those of ``item_ids`` first, then other
    waiting items (oldest first) up to ``batch`` in all."""
    waiting = select(memory_index.c.item_id).where(memory_index.c.needs_embedding.is_(True))
    wanted = list(conn.execute(waiting.where(memory_index.c.item_id.in_(item_ids))).scalars()) if item_ids else []
    if len(wanted) < batch:
        others = conn.execute(waiting.order_by(memory_index.c.doc_id).limit(batch)).scalars()
        wanted += [i for i in others if i not in set(wanted)][:batch - len(wanted)]
    if not wanted:
        return []
    out: list[Any] = []
    for table in (observations, summaries):
        out.extend(conn.execute(
            select(memory_index.c.item_id, memory_index.c.profile_id, memory_index.c.content_version,
                   table.c.content).join(table, table.c.id == memory_index.c.item_id)
            .where(memory_index.c.item_id.in_(wanted))).all())
    return out


def store_embeddings(conn: Connection, fresh: list[tuple[str, int, bytes]]) -> list[str]:
    """Store vectors, each (item id, content version it was computed from, vector); one whose
    item's content has changed since is ignored (a newer job embeds the new content). One
    UPDATE ... FROM a VALUES list (as a CTE, which SQLite accepts too) instead of a round trip
    per item. Returns the profile of each item stored, one entry per item: the caller bumps
    each of them, which commits the version the rows are stamped with here."""
    if not fresh:
        return []
    owners = dict(conn.execute(select(memory_index.c.item_id, memory_index.c.profile_id)
                               .where(memory_index.c.item_id.in_([item_id for item_id, _, _ in fresh]))).all())
    # Each profile's state rows locked before its index rows (in a fixed order: no deadlock
    # with another job), as every writer does.
    seq = {profile_id: next_version(conn, profile_id) for profile_id in sorted(set(owners.values()))}
    rows = [(item_id, version, blob, seq[owners[item_id]]) for item_id, version, blob in fresh if item_id in owners]
    if not rows:
        return []
    batch = values(column("item_id", String), column("version", Integer), column("blob", LargeBinary),
                   column("seq", Integer), name="fresh").data(rows).cte("fresh")
    stmt = (update(memory_index)
            .where(memory_index.c.item_id == batch.c.item_id, memory_index.c.content_version == batch.c.version)
            .values(embedding=batch.c.blob, embedded_version=batch.c.version, needs_embedding=False,
                    change_seq=batch.c.seq)
            .returning(memory_index.c.profile_id))
    return list(conn.execute(stmt).scalars())


def observations_with_vectors(conn: Connection, profile_id: str) -> list[Any]:
    """Every observation of the profile with its stored embedding and whether that is current
    (``fresh``), for reconciliation."""
    fresh = (memory_index.c.embedded_version == memory_index.c.content_version).label("fresh")
    return list(conn.execute(
        select(observations, memory_index.c.embedding, fresh)
        .join(memory_index, memory_index.c.item_id == observations.c.id, isouter=True)
        .where(observations.c.profile_id == profile_id)).all())


def load_search_rows(conn: Connection,
                     profile_id: str) -> tuple[Sequence[Row[*tuple[Any, ...]]], Sequence[Row[*tuple[Any, ...]]]]:
    """What Recall scores the profile's observations and summaries on: id, occurredAt, current
    embedding (with ``fresh``), lexical text and full-text document id; nothing of the wire form."""
    fresh = (memory_index.c.embedded_version == memory_index.c.content_version).label("fresh")
    out = []
    for table in (observations, summaries):
        out.append(conn.execute(
            select(table.c.id, table.c.occurred_at, memory_index.c.embedding, fresh, memory_index.c.search_text,
                   memory_index.c.doc_id)
            .join(memory_index, memory_index.c.item_id == table.c.id, isouter=True)
            .where(table.c.profile_id == profile_id)).all())
    return out[0], out[1]


def changes_since(conn: Connection, profile_id: str, version: int, limit: int) -> Sequence[Row[*tuple[Any, ...]]]:
    """The profile's index rows changed after ``version`` (at most ``limit``, by doc_id), as
    ``load_search_rows`` gives them: id, occurredAt (``observed_at`` or ``summarized_at``, by
    kind), embedding with ``fresh``, lexical text, doc_id, kind."""
    fresh = (memory_index.c.embedded_version == memory_index.c.content_version).label("fresh")
    # Correlated lookups by primary key rather than joins: with the few rows a feed has, a join
    # planned from stale statistics hashed the whole observations table (16 ms at 20,000 rows).
    occurred = [select(table.c.occurred_at).where(table.c.id == memory_index.c.item_id).scalar_subquery().label(name)
                for table, name in ((observations, "observed_at"), (summaries, "summarized_at"))]
    return conn.execute(
        select(memory_index.c.item_id.label("id"), *occurred, memory_index.c.embedding, fresh,
               memory_index.c.search_text, memory_index.c.doc_id, memory_index.c.kind)
        .where(memory_index.c.profile_id == profile_id, memory_index.c.change_seq > version)
        .order_by(memory_index.c.doc_id).limit(limit)).all()


def wire_rows(conn: Connection, observation_ids: list[str], summary_ids: list[str]) -> dict[str, Any]:
    """Full rows of the given observations and summaries, by id (what Recall returns)."""
    rows: dict[str, Any] = {}
    for table, wanted in ((observations, observation_ids), (summaries, summary_ids)):
        if wanted:
            rows.update((r.id, r) for r in conn.execute(select(table).where(table.c.id.in_(wanted))))
    return rows


def waiting_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(memory_index).where(
        memory_index.c.needs_embedding.is_(True))).scalar() or 0)


def embedded_count(conn: Connection, item_ids: list[str]) -> int:
    return int(conn.execute(select(func.count()).select_from(memory_index).where(
        memory_index.c.item_id.in_(item_ids), memory_index.c.embedded_version == memory_index.c.content_version
    )).scalar() or 0)
