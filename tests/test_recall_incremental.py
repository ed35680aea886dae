"""Recall's per-profile snapshots brought up to date item by item (search/profile_index.py) hold
exactly what a rebuild from the same items holds, and rank exactly as it does: after additions,
revisions of text and date, embeddings landing and going stale, many rounds, a compaction of the
vector rows; older snapshots stay as they were while newer ones are made from them."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from convmem.domain.ranking import FusionWeights
from convmem.search import bm25
from convmem.search.embedding import DIMENSIONS
from convmem.search.profile_index import Item, ProfileMemories, build
from convmem.services.recall import RecallRequest, _ranked, _recent

VOCABULARY = [f"term{i}" for i in range(80)]


class Profile:
    """A profile's items as the database would hand them over: doc ids grow with every new one."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items: dict[int, Item] = {}
        self.next_doc = 1
        self.next_id = 1

    def vector(self) -> bytes:
        v = np.array([self.rng.gauss(0, 1) for _ in range(DIMENSIONS)], dtype=np.float32)
        return (v / np.linalg.norm(v)).astype("<f4").tobytes()

    def text(self) -> str:
        return " ".join(self.rng.choice(VOCABULARY) for _ in range(self.rng.randint(0, 12)))

    def when(self) -> float:
        return 1.7e9 + 86400.0 * self.rng.randint(0, 30)  # many equal dates: ties broken by id

    def add(self, *, embedded: bool | None = None) -> Item:
        summary = self.rng.random() < 0.2
        prefix = "mem_summary_" if summary else "mem_observation_"
        embedded = self.rng.random() < 0.7 if embedded is None else embedded
        item: Item = (f"{prefix}{self.next_id:026d}", summary, self.when(), self.vector() if embedded else None,
                      self.text(), self.next_doc)
        self.items[self.next_doc] = item
        self.next_doc += 1
        self.next_id += 1
        return item

    def revise(self, doc: int, kind: str) -> Item:
        item_id, summary, occurred, vector, text, _ = self.items[doc]
        if kind == "content":  # new text, its vector stale until the embed job's
            item: Item = (item_id, summary, occurred, None, self.text(), doc)
        elif kind == "date":  # the date words change with it
            item = (item_id, summary, self.when(), vector, f"{text} term{self.rng.randint(0, 79)}", doc)
        elif kind == "embedded":
            item = (item_id, summary, occurred, self.vector(), text, doc)
        else:  # "source": nothing the index holds changed
            item = (item_id, summary, occurred, vector, text, doc)
        self.items[doc] = item
        return item

    def shuffled(self) -> list[Item]:
        items = list(self.items.values())
        self.rng.shuffle(items)
        return items


def rankings(mem: ProfileMemories, seed: int) -> list[Any]:
    """What Recall computes from a snapshot, for a few queries: dense and lexical scores, the
    ranked picks (with diversification) and the recency order."""
    rng = np.random.default_rng(seed)
    out: list[Any] = []
    keep = np.ones(len(mem.ids), dtype=bool)
    for _ in range(4):
        query = rng.normal(size=DIMENSIONS).astype(np.float32)
        query /= np.linalg.norm(query)
        terms = list(rng.choice(VOCABULARY, size=3))
        dense = mem.dense(query)
        lexical = bm25.score(mem.postings, mem.lengths, terms, np.ones(len(mem.ids), dtype=bool), mem.average_length)
        request = RecallRequest(query="q", observations_limit=10, summaries_limit=3)
        picks = _ranked(mem, keep, query, lexical, request, FusionWeights())
        out.append((dense.tobytes(), lexical.tobytes(), [[(mem.ids[n], s) for n, s in p] for p in picks]))
    out.append([[mem.ids[n] for n, _ in p] for p in _recent(mem, keep, RecallRequest(observations_limit=50))])
    return out


def assert_same(incremental: ProfileMemories, rebuilt: ProfileMemories) -> None:
    assert incremental.key == rebuilt.key
    assert incremental.ids == rebuilt.ids
    assert incremental.texts == rebuilt.texts
    for name in ("doc_ids", "is_summary", "occurred", "recency", "lengths", "vector_rows"):
        a, b = getattr(incremental, name), getattr(rebuilt, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert incremental.average_length == rebuilt.average_length
    assert incremental.postings.keys() == rebuilt.postings.keys()
    for term, (docs, tf) in rebuilt.postings.items():
        assert np.array_equal(incremental.postings[term][0], docs) and np.array_equal(incremental.postings[term][1], tf)
    for n in range(len(rebuilt.ids)):
        a, b = incremental.vector(n), rebuilt.vector(n)
        assert (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
    assert rankings(incremental, 1) == rankings(rebuilt, 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_applied_changes_rank_exactly_as_a_rebuild(seed: int) -> None:
    profile = Profile(seed)
    for _ in range(300):
        profile.add()
    mem = build((1, 1), profile.shuffled())
    for version in range(2, 40):
        changes: dict[int, Item] = {}
        for _ in range(profile.rng.randint(0, 4)):
            item = profile.add()
            changes[item[5] or 0] = item
        for _ in range(profile.rng.randint(0, 4)):
            doc = profile.rng.choice(list(profile.items))
            changes[doc] = profile.revise(doc, profile.rng.choice(["content", "date", "embedded", "source"]))
        applied = mem.apply(sorted(changes.values(), key=lambda i: i[5] or 0), (1, version))
        assert applied is not None
        assert_same(applied, build((1, version), profile.shuffled()))
        mem = applied


def test_many_changes_at_once_and_from_empty() -> None:
    profile = Profile(7)
    empty = build((1, 0), [])
    assert rankings(empty, 2)[-1] == [[], []]
    added = [profile.add() for _ in range(120)]  # more than are applied one by one
    filled = empty.apply(added, (1, 1))
    assert filled is not None
    assert_same(filled, build((1, 1), profile.shuffled()))
    revised = filled.apply([profile.revise(doc, "date") for doc in list(profile.items)[:60]], (1, 2))
    assert revised is not None
    assert_same(revised, build((1, 2), profile.shuffled()))


def test_vector_rows_compact_when_embeddings_churn() -> None:
    """Revised embeddings leave rows no snapshot reads again; past a quarter of the live ones
    (or when the spare rows run out) the rows are copied into a fresh buffer, in item order."""
    profile = Profile(11)
    for _ in range(200):
        profile.add(embedded=True)
    mem = build((1, 1), profile.shuffled())
    first_rows = mem.rows
    for version in range(2, 30):
        changes = [profile.revise(doc, "embedded") for doc in profile.rng.sample(list(profile.items), 20)]
        applied = mem.apply(sorted(changes, key=lambda i: i[5] or 0), (1, version))
        assert applied is not None
        assert applied.rows_used - len(applied.vector_rows) <= max(64, len(applied.vector_rows) // 4) + 20
        assert_same(applied, build((1, version), profile.shuffled()))
        mem = applied
    assert mem.rows is not first_rows


def test_older_snapshots_are_untouched_by_newer_ones() -> None:
    profile = Profile(5)
    for _ in range(100):
        profile.add()
    old = build((1, 1), profile.shuffled())
    before = rankings(old, 3)
    mem = old
    for version in range(2, 12):
        changes = [profile.add(), profile.revise(profile.rng.choice(list(profile.items)), "content"),
                   profile.revise(profile.rng.choice(list(profile.items)), "embedded")]
        applied = mem.apply(sorted({c[5]: c for c in changes}.values(), key=lambda i: i[5] or 0), (1, version))
        assert applied is not None
        mem = applied
    assert rankings(old, 3) == before


def test_changes_that_cannot_be_applied_in_place() -> None:
    profile = Profile(9)
    for _ in range(10):
        profile.add()
    mem = build((1, 1), profile.shuffled())
    first = profile.items[1]  # a new item numbered before the last document held
    assert mem.apply([("mem_observation_" + "8" * 26, *first[1:5], 0)], (1, 2)) is None
    other = profile.items[4]
    assert mem.apply([("mem_observation_" + "9" * 26, *other[1:])], (1, 2)) is None  # its doc id, another item
    assert mem.apply([(*other[:5], None)], (1, 2)) is None  # no document id
