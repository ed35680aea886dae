"""Reconciliation rules (domain/reconciliation.py): add, update, discard on hand-made vectors and
word sets, plus the real embedder on sentences that show each outcome."""

from __future__ import annotations

import numpy as np
import pytest

from convmem.domain import reconciliation as rec
from convmem.search.embedding import get_embedder
from convmem.services.observation_reconciliation import words_of


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def memory(key: str, vector: np.ndarray, words: str) -> rec.Memory:
    return rec.Memory(key, vector, frozenset(words.split()))


def test_outcomes_on_synthetic_signals() -> None:
    stored = [memory("a", unit(1, 0, 0), "dana prefer window seat"), memory("b", unit(0, 1, 0), "dana trip lisbon")]
    limits = rec.Thresholds()
    assert rec.decide(memory("c", unit(0, 0, 1), "dana dog"), stored, limits).outcome == rec.Outcome.ADD
    assert rec.decide(memory("c", unit(1, 0, 0), "x"), [], limits).outcome == rec.Outcome.ADD
    # Nearly the same meaning and nothing new to say: discarded, pointing at what it repeats.
    same = rec.decide(memory("c", unit(1, 0.3, 0), "dana prefer window seat"), stored, limits)
    assert same.outcome == rec.Outcome.DISCARD and same.target == "a"
    # Close in meaning, restates the stored words and adds some: an update of that observation.
    more = rec.decide(memory("c", unit(1, 0.3, 0), "dana prefer window seat front plane"), stored, limits)
    assert more.outcome == rec.Outcome.UPDATE and more.target == "a" and more.overlap == 1.0
    # Close in meaning but repeating under half of the stored words: a new observation.
    other = rec.decide(memory("c", unit(1, 0.3, 0), "dana cleaner hire"), stored, limits)
    assert other.outcome == rec.Outcome.ADD
    # Thresholds are configurable: a strict update cosine turns that update into an add.
    strict = rec.Thresholds(update_cosine=0.99, discard_cosine=0.999)
    assert rec.decide(memory("c", unit(1, 0.3, 0), "dana prefer window seat front plane"), stored,
                      strict).outcome == rec.Outcome.ADD


def test_threshold_validation_and_conversation_ids() -> None:
    with pytest.raises(ValueError):
        rec.Thresholds(update_cosine=0.9, discard_cosine=0.8)
    with pytest.raises(ValueError):
        rec.Thresholds(update_overlap=1.5)
    assert rec.content_words(["2026", "11", "dana", "x", "seat"]) == frozenset({"dana", "seat"})
    assert rec.merged_conversation_ids(["c1", "c2"], "c1") == ["c2", "c1"]
    assert rec.merged_conversation_ids([f"c{i}" for i in range(10)], "new") == [f"c{i}" for i in range(1, 10)] + ["new"]


@pytest.mark.parametrize(("candidate", "outcome"), [
    ("On 2026-12-01, Dana prefers window seats when they fly.", rec.Outcome.DISCARD),  # same fact, later date
    ("On 2026-11-28, Dana prefers aisle seats when they fly.", rec.Outcome.UPDATE),  # contradicts
    ("On 2026-11-28, Dana prefers window seats when they fly, ideally near the front of the plane.",
     rec.Outcome.UPDATE),  # refines
    ("On 2026-11-28, Dana is planning a trip to Lisbon in June.", rec.Outcome.ADD),  # new
])
def test_outcomes_with_the_packaged_embedder(candidate: str, outcome: rec.Outcome) -> None:
    stored = "On 2026-11-28, Dana prefers window seats when they fly."
    vectors = get_embedder().embed([stored, candidate])
    decision = rec.decide(rec.Memory("new", vectors[1], words_of(candidate)),
                          [rec.Memory("old", vectors[0], words_of(stored))], rec.Thresholds())
    assert decision.outcome == outcome
