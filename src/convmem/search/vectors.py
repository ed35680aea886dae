"""Recall's per-profile, in-process cache: every memory item of a profile ready for scoring
(dates, lexical postings, and the float32 rows of its vectors: search/profile_index.py; the wire
form of the few items a Recall returns is read with them).

An entry is keyed by the profile's (generation, version) (``memory_index.cache_key``): every
write and every stored embedding moves the version, in the database, so the cache is right
across several server processes too. An entry behind by versions only is brought up to date
from the rows changed since (``catch_up``), in whichever process wrote them; one whose
generation moved (a removal, a merge), or too far behind, is rebuilt (``load``). Scoring is
exact: one matrix-vector product.

An entry holds the text of a profile's memories (lexical postings, wire forms), so erasure
drops it: ``evict`` for the profiles an erasure touched, ``prune`` for every entry that may hold
erased items (what another server process's erasure leaves behind); ``caches()`` lists the
process's caches for that."""

from __future__ import annotations

import gc
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from convmem.search.profile_index import Item, Key, ProfileMemories, build

__all__ = ["Item", "Key", "ProfileCache", "ProfileMemories", "build", "caches", "collector_paused"]


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


# Every ProfileCache of this process, so that an erasure can reach them (weak: a cache lives
# as long as its Recall engine).
_caches: weakref.WeakSet[ProfileCache] = weakref.WeakSet()
_caches_lock = threading.Lock()


def caches() -> list[ProfileCache]:
    with _caches_lock:
        return list(_caches)


def covers(entry_key: Key, key: Key) -> bool:
    """Whether an entry at ``entry_key`` holds everything a reader at ``key`` may see: the same
    generation (nothing removed or merged since), at the same or a later version."""
    return entry_key[0] == key[0] and entry_key[1] >= key[1]


_STRIPES = 64


class ProfileCache:
    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[str, ProfileMemories] = OrderedDict()
        self._lock = threading.Lock()
        # One update of a profile at a time (the others wait, then find it done), striped.
        self._updating = [threading.Lock() for _ in range(_STRIPES)]
        # Moves on every evict and prune: an entry made from reads that began before an
        # erasure's eviction is not stored after it.
        self._epoch = 0
        with _caches_lock:
            _caches.add(self)

    def _current(self, profile_id: str) -> tuple[ProfileMemories | None, int]:
        with self._lock:
            entry = self._entries.get(profile_id)
            if entry is not None:
                self._entries.move_to_end(profile_id)
            return entry, self._epoch

    def get(self, profile_id: str, key: Key, load: Callable[[], ProfileMemories],
            catch_up: Callable[[ProfileMemories], ProfileMemories | None] | None = None) -> ProfileMemories:
        """The profile's entry at ``key`` (or later). ``catch_up`` makes it from an entry of the
        same generation at an earlier version (None: it cannot), ``load`` from nothing; both
        read in the caller's snapshot, at ``key``."""
        entry, _ = self._current(profile_id)
        if entry is not None and covers(entry.key, key):
            return entry
        with self._updating[hash(profile_id) % _STRIPES]:
            entry, epoch = self._current(profile_id)
            if entry is not None and covers(entry.key, key):
                return entry  # another request brought it up to date meanwhile
            fresh = None
            if entry is not None and catch_up is not None and entry.key[0] == key[0]:
                fresh = catch_up(entry)
            if fresh is None:
                fresh = load()
            with self._lock:
                if self._epoch == epoch:
                    self._entries[profile_id] = fresh
                    self._entries.move_to_end(profile_id)
                    while len(self._entries) > self._capacity:
                        self._entries.popitem(last=False)
            return fresh

    def evict(self, profile_ids: Iterable[str]) -> None:
        """Drop the entries of these profiles (erased, or holding erased items)."""
        with self._lock:
            self._epoch += 1
            for profile_id in profile_ids:
                self._entries.pop(profile_id, None)

    def prune(self, current_keys: Callable[[list[str]], dict[str, Key]]) -> int:
        """Drop every entry that may hold an item removed since it was made: its generation is
        not the profile's current one (``current_keys`` maps profile ids to their keys; a
        profile missing from it has none: it was deleted). An entry only behind by versions
        holds nothing removed (every removal moves the generation) and is brought up to date by
        the next Recall. An entry replaced meanwhile is left alone. Returns how many were
        dropped."""
        with self._lock:
            cached = list(self._entries.items())
        if not cached:
            return 0
        current = current_keys([profile_id for profile_id, _ in cached])
        stale = [(profile_id, entry) for profile_id, entry in cached
                 if profile_id not in current or current[profile_id][0] != entry.key[0]]
        with self._lock:
            self._epoch += 1
            for profile_id, entry in stale:
                if self._entries.get(profile_id) is entry:
                    del self._entries[profile_id]
        return len(stale)
