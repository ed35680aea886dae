"""The GDPR special-category screen meets its targets on the labelled set, and the cases named in the
issue behave as specified."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from convmem.extract.screening import screen

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from screening_eval import evaluate, load


def test_labelled_set_is_large_and_balanced() -> None:
    rows = load("all")
    sensitive = [r for r in rows if r["sensitive"]]
    assert len(rows) >= 200
    assert 0.4 <= len(sensitive) / len(rows) <= 0.6
    assert {r["category"] for r in sensitive} == {
        "health", "religion", "politics", "sexual_orientation", "racial_ethnic", "trade_union", "genetic",
        "biometric",
    }


@pytest.mark.parametrize("split", ["dev", "heldout", "heldout2", "heldout3", "heldout4", "all"])
def test_screen_meets_recall_and_precision_targets(split: str) -> None:
    scores = evaluate(load(split))
    assert scores.recall >= 0.95, [r["text"] for r in scores.false_negatives]
    assert scores.precision >= 0.90, [r["text"] for r in scores.false_positives]
    if split != "all":
        assert min(scores.per_category_recall.values()) >= 0.85


def test_screen_on_the_untouched_split_stays_above_its_first_measurement() -> None:
    """heldout5 was written last and never tuned on: it measures how the lexicons generalise to phrasings
    nobody fitted them to (first measured: recall 0.821, precision 0.970, recall below the 0.95 target).
    A floor against regressions, not a claim that the targets hold on unseen text."""
    scores = evaluate(load("heldout5"))
    assert scores.recall >= 0.80
    assert scores.precision >= 0.90


@pytest.mark.parametrize(
    "sentence",
    [
        "I was diagnosed with diabetes",
        "I go to mass every Sunday",
        "I voted for the other candidate",
        "my union rep called me",
        "I'm gay",
        "as a Black woman I can't find my shade",
        "my DNA test arrived",
        "my fingerprint login stopped working",
        "On 2023-05-08, Caroline said they were diagnosed with asthma.",  # the extractor's own output form
        "On 2023-05-08, Sam said their fingerprints were stored by the gym.",
    ],
)
def test_sensitive_examples_are_caught(sentence: str) -> None:
    assert screen(sentence).sensitive


@pytest.mark.parametrize(
    "sentence",
    [
        "my order is sick fast",
        "I'm a big fan of the union square store",
        "I'm sick of waiting for the courier",
        "my credit union card was declined",
        "the fingerprint sensor on the phone is slow",
        "Does the app support Face ID?",
        "my account was disabled after the password reset",
        "the marketing campaign email had a typo",
        "I bought the black dress",
    ],
)
def test_ordinary_support_talk_passes(sentence: str) -> None:
    assert not screen(sentence).sensitive


def test_result_names_the_category() -> None:
    result = screen("I have a gene mutation")
    assert result.sensitive
    assert result.category == "genetic"
