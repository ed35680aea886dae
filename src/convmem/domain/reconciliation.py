"""Reconciliation: what an extracted candidate observation does to the profile's memory.

SEMANTICS §1.7 names three outcomes. ADD when the candidate neither matches nor conflicts with
anything stored; UPDATE an existing observation (same id, previous state kept as a revision) when
the candidate restates most of it and adds detail or changes it; DISCARD when it brings nothing
new. Plain rules over two signals the caller computes: the cosine similarity of sentence
embeddings (unit vectors) and the overlap of content words (stemmed, stop words, numbers and
dates left out, since every extracted sentence carries its date).

The nearest existing observation by cosine decides:

* cosine ≥ ``discard_cosine``, or cosine ≥ ``update_cosine`` while nearly every content word of
  the candidate is already there (``discard_overlap``): DISCARD (a restatement);
* cosine ≥ ``update_cosine`` and the candidate repeats at least ``update_overlap`` of the existing
  observation's content words: UPDATE (same subject, new or changed detail);
* otherwise ADD.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class Outcome(enum.StrEnum):
    ADD = "added"
    UPDATE = "updated"
    DISCARD = "discarded"


@dataclass(frozen=True)
class Thresholds:
    discard_cosine: float = 0.97
    update_cosine: float = 0.80
    discard_overlap: float = 0.85
    update_overlap: float = 0.5

    def __post_init__(self) -> None:
        for name in ("discard_cosine", "update_cosine", "discard_overlap", "update_overlap"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must lie in [0, 1]")
        if self.update_cosine > self.discard_cosine:
            raise ValueError("update_cosine must not exceed discard_cosine")


@dataclass(frozen=True)
class Memory:
    """An observation as reconciliation sees it: its key, vector (unit length) and content words."""

    key: str
    vector: np.ndarray
    words: frozenset[str]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    target: str | None = None  # the existing observation's key, for UPDATE and DISCARD
    cosine: float = 0.0
    overlap: float = 0.0  # share of the target's words the candidate repeats


def content_words(terms: Sequence[str]) -> frozenset[str]:
    """Content words from stemmed, stop-word-free terms: numbers (dates, years) are left out."""
    return frozenset(t for t in terms if not t.isdigit() and len(t) > 1)


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(whole) if whole else 0.0


def decide(candidate: Memory, existing: Sequence[Memory], thresholds: Thresholds) -> Decision:
    if not existing:
        return Decision(Outcome.ADD)
    cosines = np.stack([m.vector for m in existing]) @ candidate.vector
    best = int(np.argmax(cosines))
    target, cosine = existing[best], float(cosines[best])
    known = _share(target.words, candidate.words)  # how much of the candidate is already stored
    repeats = _share(candidate.words, target.words)  # how much of the stored one the candidate restates
    if cosine >= thresholds.discard_cosine or (cosine >= thresholds.update_cosine
                                                and known >= thresholds.discard_overlap):
        return Decision(Outcome.DISCARD, target.key, cosine, repeats)
    if cosine >= thresholds.update_cosine and repeats >= thresholds.update_overlap:
        return Decision(Outcome.UPDATE, target.key, cosine, repeats)
    return Decision(Outcome.ADD, None, cosine, repeats)


def merged_conversation_ids(current: Sequence[str], conversation_id: str, limit: int = 10) -> list[str]:
    """An updated observation's conversationIds: this conversation appended, the newest ``limit`` kept."""
    ids = [c for c in current if c != conversation_id] + [conversation_id]
    return ids[-limit:]
