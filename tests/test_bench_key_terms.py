"""How the labelled-conversation benchmark (bench/conversation_memory.py) counts a fact as kept: its key
terms in one observation, a first-person key term also as the third-person memory says it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from conversation_memory import holds_term, mentions


@pytest.mark.parametrize(
    ("observation", "term"),
    [
        ("Dana's mum lives with them too.", "my mum"),
        ("Dana teaches.", "I teach"),
        ("Dana carries a spare key.", "I carry"),
        ("Dana would like Sam to contact them, not her.", "contact me"),
        ("Dana is in Singapore.", "I'm in Singapore"),
        ("Dana will bring their own card.", "my own card"),
        ("Dana works nights.", "Works Nights"),  # any case, as before
    ],
)
def test_a_first_person_key_term_counts_as_the_third_person_memory_says_it(observation: str, term: str) -> None:
    assert holds_term(observation, term)


def test_the_third_person_reading_stays_strict() -> None:
    # He or she is someone else: the extractors write the customer's name or "they".
    assert not holds_term("Sam said he teaches.", "I teach")
    assert not holds_term("Her mum lives nearby.", "my mum")
    # Whole words only, and every key term in one observation.
    assert not holds_term("Dana's mummy lives nearby.", "my mum")
    assert not mentions(["Dana lives in Leeds.", "Dana moves on the 14th."], ["Leeds", "14th"])
    assert mentions(["Dana moves to Leeds on the 14th."], ["Leeds", "14th"])
    # The literal reading, as the figures logged before 2026-12-07 15:30 UTC counted.
    assert not mentions(["Dana's mum lives with them."], ["my mum"], voice=False)


def test_a_key_term_that_opens_with_the_customers_verb_counts_after_the_customer() -> None:
    assert holds_term("On 2024-03-05, Dana works from home on Fridays.", "work from home")
    assert holds_term("Dana usually cycles to the station.", "cycle")
    assert holds_term("They carry a spare key.", "carry a spare key")
    # Only after the customer: someone else's verb, or the word as a noun elsewhere, is not the customer's.
    assert not holds_term("He works from home.", "work from home")
    assert not holds_term("Dana's partner works from home.", "work from home")
    assert not holds_term("Dana said the cycles were slow.", "cycle")
    assert not mentions(["Dana works from home."], ["work from home"], voice=False)
