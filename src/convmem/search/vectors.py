"""Recall's per-profile, in-process cache: every memory item of a profile ready for scoring
(dates, lexical postings, and the float32 matrix of its vectors; the wire form of the few
items a Recall returns is read with them).

A profile is reloaded when its change counter (``memory_index.cache_key``) differs, which
every write and every stored embedding bumps in the database, so the cache is right across
several server processes too. Scoring is exact: one matrix-vector product.

An entry holds the text of a profile's memories (lexical postings, wire forms), so erasure
drops it: ``evict`` for the profiles an erasure touched, ``prune`` for every entry that is no
longer current (what another server process's erasure leaves behind); ``caches()`` lists the
process's caches for that."""

from __future__ import annotations

import gc
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convmem.search import bm25
from convmem.search.embedding import DIMENSIONS, from_bytes


@dataclass
class ProfileMemories:
    key: tuple[int, int]
    ids: list[str]
    is_summary: np.ndarray  # bool per item
    occurred: np.ndarray  # float64 epoch seconds per item
    recency: np.ndarray  # item positions, most recent occurredAt first (ties: newest id first)
    vector_rows: np.ndarray  # item positions that have a current vector
    matrix: np.ndarray  # (len(vector_rows), DIMENSIONS) float32, unit rows
    vectors: list[np.ndarray | None]  # per item: its row of ``matrix``, or None
    doc_position: dict[int, int]  # full-text document id (memory_index.doc_id) -> item position
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # lexical term -> (item positions, term frequencies)
    lengths: np.ndarray  # per item: its number of lexical terms
    average_length: float  # mean number of lexical terms per item (for BM25)
    # Wire forms of the items Recall has returned from this entry, filled as they are read (an
    # entry never outlives a change to its profile, so they stay right); most answers repeat
    # items of earlier ones, and reading them again cost a fifth of a Recall.
    wire: dict[int, dict[str, Any]] = field(default_factory=dict)


Item = tuple[str, bool, float, bytes | None, str, int | None]


@contextmanager
def collector_paused() -> Iterator[None]:
    """For loading and building a large profile: it allocates a few hundred thousand short-lived
    objects, which set off full garbage collections of the whole heap (a 10,000-item reload
    measured 240-500 ms with the collector running and 160 ms without). Nothing built then
    forms cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(key: tuple[int, int], items: list[Item]) -> ProfileMemories:
    """``items``: (id, is_summary, occurred epoch, current vector bytes or None, lexical text:
    the stemmed terms the full-text index holds, space-separated, full-text document id)."""
    ids = [i[0] for i in items]
    occurred = np.array([i[2] for i in items], dtype=np.float64)
    with_vectors = [n for n, i in enumerate(items) if i[3] is not None]
    matrix = np.zeros((len(with_vectors), DIMENSIONS), dtype=np.float32)
    for row, n in enumerate(with_vectors):
        matrix[row] = from_bytes(items[n][3])  # type: ignore[arg-type]
    # Sort keys: occurredAt descending, then id descending (ids are time-ordered).
    vectors: list[np.ndarray | None] = [None] * len(items)
    for row, n in enumerate(with_vectors):
        vectors[n] = matrix[row]
    # Term statistics are kept here so BM25 needs only the ids of the full-text matches, not
    # their text (fetching and re-tokenising every matching row dominated Recall's time).
    postings, lengths = bm25.index([i[4].split() if i[4] else [] for i in items])
    average_length = float(lengths.mean()) if items else 1.0
    recency = np.array(sorted(range(len(items)), key=lambda n: (occurred[n], ids[n]), reverse=True), dtype=np.int64)
    return ProfileMemories(key=key, ids=ids, is_summary=np.array([i[1] for i in items], dtype=bool),
                           occurred=occurred, recency=recency,
                           vector_rows=np.array(with_vectors, dtype=np.int64), matrix=matrix, vectors=vectors,
                           doc_position={i[5]: n for n, i in enumerate(items) if i[5] is not None},
                           postings=postings, lengths=lengths, average_length=max(average_length, 1.0))


# Every ProfileCache of this process, so that an erasure can reach them (weak: a cache lives
# as long as its Recall engine).
_caches: weakref.WeakSet[ProfileCache] = weakref.WeakSet()
_caches_lock = threading.Lock()


def caches() -> list[ProfileCache]:
    with _caches_lock:
        return list(_caches)


class ProfileCache:
    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, ProfileMemories] = OrderedDict()
        self._lock = threading.Lock()
        with _caches_lock:
            _caches.add(self)

    def get(self, profile_id: str, key: tuple[int, int], load: Callable[[], ProfileMemories]) -> ProfileMemories:
        with self._lock:
            entry = self._entries.get(profile_id)
            if entry is not None and entry.key == key:
                self._entries.move_to_end(profile_id)
                return entry
        entry = load()
        with self._lock:
            self._entries[profile_id] = entry
            self._entries.move_to_end(profile_id)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return entry

    def evict(self, profile_ids: Iterable[str]) -> None:
        """Drop the entries of these profiles (erased, or holding erased items)."""
        with self._lock:
            for profile_id in profile_ids:
                self._entries.pop(profile_id, None)

    def prune(self, current_keys: Callable[[list[str]], dict[str, tuple[int, int]]]) -> int:
        """Drop every entry whose key is not the profile's current one (``current_keys`` maps
        profile ids to their keys; a profile missing from it has none: it was deleted). An entry
        replaced meanwhile is left alone. Returns how many were dropped."""
        with self._lock:
            cached = list(self._entries.items())
        if not cached:
            return 0
        current = current_keys([profile_id for profile_id, _ in cached])
        stale = [(profile_id, entry) for profile_id, entry in cached if current.get(profile_id) != entry.key]
        with self._lock:
            for profile_id, entry in stale:
                if self._entries.get(profile_id) is entry:
                    del self._entries[profile_id]
        return len(stale)
