"""A profile's memory items ready for scoring: dates, lexical postings and the float32 rows of
their vectors, as immutable snapshots.

``build`` makes a snapshot from every item of the profile; ``ProfileMemories.apply`` makes the
next one from the items changed since (added, revised, newly embedded), sharing what did not
change. Both lay the items out in one canonical order (full-text document id, the order a
profile's index rows are written in), so a snapshot brought up to date item by item holds
exactly the arrays a rebuild would, and scores identically. Removals are not applied: the
profile is rebuilt (an erased item's text must not linger in a snapshot).

Snapshots are read by concurrent Recalls while a newer one is being made: nothing a snapshot
holds is written after it is published, except the vector rows past its own ``rows_used`` in
the shared append-only ``VectorRows``."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convmem.search import bm25
from convmem.search.embedding import DIMENSIONS

# (id, is_summary, occurred epoch seconds, current vector bytes or None, lexical text: the stemmed
# terms the full-text index holds, space-separated, full-text document id or None).
Item = tuple[str, bool, float, bytes | None, str, int | None]
Key = tuple[int, int]
NO_DOCUMENT = -1  # the document id of an item without an index row (placed first)
# Changes applied one at a time (recency by binary insertion); more are applied in bulk.
_FEW = 32


def order_key(item: Item) -> tuple[int, str]:
    return (item[5] if item[5] is not None else NO_DOCUMENT, item[0])


def _headroom(rows: int) -> int:
    """Spare vector rows a snapshot is built with, so that embeddings landing later are appended
    without copying the matrix (a 10,000-row copy costs a few milliseconds)."""
    return max(16, rows // 8)


class VectorRows:
    """Append-only float32 rows (unit vectors) shared by the snapshots of one profile. A snapshot
    names its items' rows by number and reads only the rows that existed when it was made."""

    def __init__(self, capacity: int) -> None:
        self.data = np.zeros((capacity, DIMENSIONS), dtype=np.float32)
        self.used = 0
        self._lock = threading.Lock()

    def append(self, vectors: np.ndarray) -> int | None:
        """The first row number of ``vectors``, or None when they do not fit."""
        with self._lock:
            if self.used + len(vectors) > len(self.data):
                return None
            start = self.used
            self.data[start:start + len(vectors)] = vectors
            self.used += len(vectors)
            return start


def _vectors(blobs: Sequence[bytes]) -> np.ndarray:
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), DIMENSIONS)


def _recency(occurred: np.ndarray, ids: list[str]) -> np.ndarray:
    """Item positions, most recent occurredAt first (ties: newest id first)."""
    return np.array(sorted(range(len(ids)), key=lambda n: (occurred[n], ids[n]), reverse=True), dtype=np.int64)


def _insert_recent(recency: np.ndarray, n: int, occurred: np.ndarray, ids: list[str]) -> np.ndarray:
    """``recency`` with position ``n`` inserted where ``_recency`` would place it."""
    key = (occurred[n], ids[n])
    lo, hi = 0, len(recency)
    while lo < hi:  # first place whose item sorts after ``n`` in descending order
        mid = (lo + hi) // 2
        m = int(recency[mid])
        if (occurred[m], ids[m]) > key:
            lo = mid + 1
        else:
            hi = mid
    return np.insert(recency, lo, n)


def _remove_posting(postings: bm25.Postings, term: str, n: int) -> None:
    docs, tf = postings[term]
    keep = docs != n
    if keep.all():
        return
    if keep.any():
        postings[term] = (docs[keep], tf[keep])
    else:
        del postings[term]


def _add_posting(postings: bm25.Postings, term: str, n: int, frequency: float) -> None:
    posting = postings.get(term)
    if posting is None:
        postings[term] = (np.array([n], dtype=np.int64), np.array([frequency], dtype=np.float64))
        return
    docs, tf = posting
    at = int(np.searchsorted(docs, n))  # documents stay ascending, as bm25.index makes them
    postings[term] = (np.insert(docs, at, n), np.insert(tf, at, frequency))


@dataclass(eq=False)
class ProfileMemories:
    key: Key
    ids: list[str]
    doc_ids: np.ndarray  # int64 per item, ascending: the item order (NO_DOCUMENT first)
    is_summary: np.ndarray  # bool per item
    occurred: np.ndarray  # float64 epoch seconds per item
    recency: np.ndarray  # item positions, most recent occurredAt first (ties: newest id first)
    texts: list[str]  # per item: its lexical text (what its postings were made from)
    postings: bm25.Postings  # lexical term -> (item positions, ascending; term frequencies)
    lengths: np.ndarray  # per item: its number of lexical terms
    average_length: float  # mean number of lexical terms per item (for BM25)
    rows: VectorRows
    rows_used: int  # the rows of ``rows`` this snapshot reads
    row_of: np.ndarray  # int64 per item: its row in ``rows``, or -1 without a current vector
    vector_rows: np.ndarray  # item positions that have a current vector, ascending
    # Wire forms of the items Recall has returned from this snapshot, filled as they are read
    # (kept by the next snapshot for the items that did not change); most answers repeat items
    # of earlier ones, and reading them again cost a fifth of a Recall.
    wire: dict[int, dict[str, Any]] = field(default_factory=dict)

    def vector(self, n: int) -> np.ndarray | None:
        row = int(self.row_of[n])
        return self.rows.data[row] if row >= 0 else None

    def dense(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine of every item with the query (NaN for items without a vector yet)."""
        out = np.full(len(self.ids), np.nan)
        if len(self.vector_rows):
            # einsum, not ``@``: a matrix-vector product through multi-threaded OpenBLAS measured
            # 20 ms at the median on a busy 2-core machine, against under 1 ms single-threaded.
            scores = np.einsum("ij,j->i", self.rows.data[:self.rows_used], query_vector)
            out[self.vector_rows] = scores[self.row_of[self.vector_rows]]
        return out

    def positions_of(self, doc_ids: Sequence[int]) -> np.ndarray:
        """Item positions of these full-text document ids (ids not in the snapshot are left out)."""
        wanted = np.asarray(doc_ids, dtype=np.int64)
        if not len(self.ids) or not wanted.size:
            return np.zeros(0, dtype=np.int64)
        at: np.ndarray = np.minimum(np.searchsorted(self.doc_ids, wanted), len(self.ids) - 1)
        found: np.ndarray = at[self.doc_ids[at] == wanted]
        return found

    def apply(self, changes: Sequence[Item], key: Key) -> ProfileMemories | None:
        """The snapshot at ``key``: this one with ``changes`` (the current state of every item
        added or changed since, in document order). None when they cannot be applied so that the
        result equals a rebuild (a new item would not come last); the caller rebuilds then."""
        known = self.positions_of([c[5] for c in changes if c[5] is not None])
        position = dict(zip(self.doc_ids[known].tolist(), known.tolist(), strict=True))
        revised: list[tuple[int, Item]] = []
        added: list[Item] = []
        for item in changes:
            if item[5] is None:
                return None
            n = position.get(item[5])
            if n is None:
                added.append(item)
            elif self.ids[n] != item[0]:
                return None
            else:
                revised.append((n, item))
        added.sort(key=order_key)
        last = int(self.doc_ids[-1]) if len(self.ids) else NO_DOCUMENT
        if added and int(added[0][5] or 0) <= last:
            return None
        return self._applied(revised, added, key)

    def _applied(self, revised: list[tuple[int, Item]], added: list[Item], key: Key) -> ProfileMemories:
        count = len(self.ids)
        total = count + len(added)
        ids = self.ids + [i[0] for i in added]
        texts = list(self.texts)
        occurred = np.concatenate([self.occurred, np.array([i[2] for i in added], dtype=np.float64)])
        is_summary = np.concatenate([self.is_summary, np.array([i[1] for i in added], dtype=bool)])
        doc_ids = np.concatenate([self.doc_ids, np.array([i[5] for i in added], dtype=np.int64)])
        lengths = np.concatenate([self.lengths, np.zeros(len(added), dtype=np.float64)])
        row_of = np.concatenate([self.row_of, np.full(len(added), -1, dtype=np.int64)])
        postings = dict(self.postings)
        moved: list[int] = []  # revised items whose occurredAt changed
        for n, item in revised:
            if occurred[n] != item[2]:
                occurred[n] = item[2]
                moved.append(n)
            if item[4] != texts[n]:
                for term in dict.fromkeys(texts[n].split()):
                    _remove_posting(postings, term, n)
                terms = item[4].split()
                for term, frequency in Counter(terms).items():
                    _add_posting(postings, term, n, float(frequency))
                texts[n] = item[4]
                lengths[n] = float(len(terms))
        if added:
            tokens = [i[4].split() if i[4] else [] for i in added]
            fresh, fresh_lengths = bm25.index(tokens)
            lengths[count:] = fresh_lengths
            texts.extend(i[4] for i in added)
            for term, (docs, tf) in fresh.items():
                posting = postings.get(term)
                docs = docs + count  # after every existing position: the documents stay ascending
                postings[term] = (docs, tf) if posting is None else (np.concatenate([posting[0], docs]),
                                                                     np.concatenate([posting[1], tf]))
        vectors = [(n, item[3]) for n, item in revised] + [(count + k, i[3]) for k, i in enumerate(added)]
        rows, rows_used = self._with_vectors(vectors, row_of)
        if len(moved) + len(added) > _FEW:
            recency = _recency(occurred, ids)
        else:
            recency = self.recency[~np.isin(self.recency, moved)] if moved else self.recency
            for n in [*moved, *range(count, total)]:
                recency = _insert_recent(recency, n, occurred, ids)
        changed = {n for n, _ in revised}
        return ProfileMemories(
            key=key, ids=ids, doc_ids=doc_ids, is_summary=is_summary, occurred=occurred, recency=recency, texts=texts,
            postings=postings, lengths=lengths, average_length=_average(lengths), rows=rows, rows_used=rows_used,
            row_of=row_of, vector_rows=np.flatnonzero(row_of >= 0),
            wire={n: w for n, w in self.wire.items() if n not in changed})

    def _with_vectors(self, vectors: list[tuple[int, bytes | None]], row_of: np.ndarray) -> tuple[VectorRows, int]:
        """Point ``row_of`` (the new snapshot's, changed in place) at the items' current vectors,
        appending the new ones to the shared rows, or to a compacted copy when they do not fit or
        rows no snapshot will read again have piled up."""
        appended: list[tuple[int, bytes]] = []
        for n, blob in vectors:
            row = int(row_of[n])
            if blob is None:
                row_of[n] = -1  # its content changed: no current vector until the embed job's
            elif row < 0 or not np.array_equal(self.rows.data[row], np.frombuffer(blob, dtype="<f4")):
                appended.append((n, blob))
        live = int((row_of >= 0).sum()) - sum(1 for n, _ in appended if row_of[n] >= 0)
        garbage = self.rows_used - live
        if appended and garbage <= max(64, live // 4):
            start = self.rows.append(_vectors([b for _, b in appended]))
            if start is not None:
                for k, (n, _) in enumerate(appended):
                    row_of[n] = start + k
                return self.rows, start + len(appended)
        elif not appended:
            return self.rows, self.rows_used
        # A new buffer, rows in item order (as a rebuild lays them out).
        fresh = dict(appended)
        has_fresh = np.zeros(len(row_of), dtype=bool)
        has_fresh[list(fresh)] = True
        positions = np.flatnonzero((row_of >= 0) | has_fresh)
        rows = VectorRows(len(positions) + _headroom(len(positions)))
        kept = ~has_fresh[positions]
        rows.data[:len(positions)][kept] = self.rows.data[row_of[positions[kept]]]
        for k in np.flatnonzero(~kept).tolist():
            rows.data[k] = np.frombuffer(fresh[int(positions[k])], dtype="<f4")
        row_of[positions] = np.arange(len(positions), dtype=np.int64)
        rows.used = len(positions)
        return rows, rows.used


def _average(lengths: np.ndarray) -> float:
    average = float(lengths.mean()) if len(lengths) else 1.0
    return max(average, 1.0)


def build(key: Key, items: list[Item]) -> ProfileMemories:
    """A snapshot of every item of the profile (in any order: they are laid out by document id)."""
    items = sorted(items, key=order_key)
    ids = [i[0] for i in items]
    occurred = np.array([i[2] for i in items], dtype=np.float64)
    with_vectors = [n for n, i in enumerate(items) if i[3] is not None]
    rows = VectorRows(len(with_vectors) + _headroom(len(with_vectors)))
    if with_vectors:
        rows.data[:len(with_vectors)] = _vectors([blob for n in with_vectors if (blob := items[n][3]) is not None])
    rows.used = len(with_vectors)
    row_of = np.full(len(items), -1, dtype=np.int64)
    row_of[with_vectors] = np.arange(len(with_vectors), dtype=np.int64)
    # Term statistics are kept here so BM25 needs only the ids of the full-text matches, not
    # their text (fetching and re-tokenising every matching row dominated Recall's time).
    texts = [i[4] or "" for i in items]
    postings, lengths = bm25.index([t.split() if t else [] for t in texts])
    return ProfileMemories(key=key, ids=ids,
                           doc_ids=np.array([order_key(i)[0] for i in items], dtype=np.int64),
                           is_summary=np.array([i[1] for i in items], dtype=bool), occurred=occurred,
                           recency=_recency(occurred, ids), texts=texts, postings=postings, lengths=lengths,
                           average_length=_average(lengths), rows=rows, rows_used=rows.used, row_of=row_of,
                           vector_rows=np.array(with_vectors, dtype=np.int64))

