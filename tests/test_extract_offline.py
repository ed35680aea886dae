"""The offline extractor: what it keeps, how it writes it, provenance, watermark, screening and summary."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from convmem.extract.base import (
    SUMMARY_MAX_CHARS,
    Communication,
    ExtractionRequest,
    ObservationKind,
    Participant,
    ParticipantType,
    Transcript,
)
from convmem.extract.offline import OfflineExtractor, OfflineSettings, split_sentences
from convmem.extract.rewrite import anchor_relative_dates, clean, to_third_person

CUSTOMER = Participant("conv_participant_c", "Dana", ParticipantType.CUSTOMER, "mem_profile_dana")
AGENT = Participant("conv_participant_a", "Sam", ParticipantType.HUMAN_AGENT)
WHEN = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|my|me|mine|myself)\b")


def transcript(*turns: tuple[Participant, str]) -> Transcript:
    return Transcript.of(
        "conv_conversation_1",
        [Communication(f"conv_communication_{i}", a, t, WHEN + timedelta(minutes=i)) for i, (a, t) in enumerate(turns)],
    )


def extract(t: Transcript, **kwargs: object) -> list:
    settings = OfflineSettings(max_turns_per_observation=1)  # one observation per turn: easier to assert on
    return OfflineExtractor(settings).extract(ExtractionRequest(t, CUSTOMER, **kwargs)).observations


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("My router doesn't work since the update.", ObservationKind.PROBLEM, "Dana's router doesn't work"),
        ("I was charged twice for my order.", ObservationKind.PROBLEM, "Dana was charged twice for their order"),
        ("I really prefer email over phone calls.", ObservationKind.PREFERENCE, "Dana really prefers email"),
        ("I'm planning to upgrade to the premium plan.", ObservationKind.PLAN, "Dana is planning to upgrade"),
        ("I have two kids and a dog named Biscuit.", ObservationKind.PERSONAL_FACT, "Dana has two kids"),
        ("Honestly, I love hiking with my sister.", ObservationKind.PREFERENCE, "Dana loves hiking with their sister"),
    ],
)
def test_customer_statements_become_dated_third_person_observations(
    text: str, kind: ObservationKind, expected: str
) -> None:
    (observation,) = extract(transcript((AGENT, "How can I help?"), (CUSTOMER, text)))
    assert observation.kind is kind
    assert observation.content.startswith("On 2024-03-05, ")
    assert expected in observation.content
    assert not FIRST_PERSON.search(observation.content)
    assert observation.provenance.conversation_id == "conv_conversation_1"
    assert observation.provenance.communication_ids == ("conv_communication_1",)
    assert observation.occurred_at == WHEN + timedelta(minutes=1)
    assert 0 < observation.confidence <= 1


def test_greetings_questions_and_reactions_are_skipped() -> None:
    t = transcript(
        (CUSTOMER, "Hi there! How are you?"),
        (CUSTOMER, "Can you check the status of my order?"),
        (CUSTOMER, "That's so cool, thanks!"),
        (CUSTOMER, "You're the best."),
    )
    assert extract(t) == []


def test_agent_commitment_is_attributed_to_the_agent_and_addressed_to_the_customer() -> None:
    t = transcript((CUSTOMER, "My parcel never arrived."), (AGENT, "Sorry! I'll send you a replacement by Friday."))
    observations = extract(t)
    commitment = next(o for o in observations if o.kind is ObservationKind.AGENT_COMMITMENT)
    assert commitment.content == "On 2024-03-05, Sam (agent) committed to send Dana a replacement by Friday."
    assert commitment.provenance.communication_ids == ("conv_communication_1",)


def test_ai_agent_past_commitment_keeps_its_subject() -> None:
    ai = Participant("conv_participant_ai", "Assistant", ParticipantType.AI_AGENT)
    t = transcript((CUSTOMER, "Please call me after 5pm."), (ai, "Noted. I've added a note to call you after 5pm."))
    commitment = next(o for o in extract(t) if o.kind is ObservationKind.AGENT_COMMITMENT)
    assert commitment.content == "On 2024-03-05, Assistant (agent) added a note to call Dana after 5pm."


def test_customer_is_matched_by_profile_when_participant_ids_differ() -> None:
    other_participant = Participant("conv_participant_c2", "Dana", ParticipantType.CUSTOMER, "mem_profile_dana")
    (observation,) = extract(transcript((other_participant, "I live in Leeds with my partner.")))
    assert "Dana lives in Leeds with their partner" in observation.content


def test_only_new_communications_are_extracted() -> None:
    t = transcript((CUSTOMER, "I love the blue model."), (CUSTOMER, "I'm moving to Berlin next month."))
    observations = extract(t, new_ids=frozenset({"conv_communication_1"}))
    assert [o.provenance.communication_ids for o in observations] == [("conv_communication_1",)]
    assert "(2024-04)" in observations[0].content  # "next month" anchored to the date it was said


def test_special_category_sentences_are_dropped_and_counted() -> None:
    t = transcript((CUSTOMER, "I was diagnosed with diabetes last year. I prefer the sugar-free range."))
    result = OfflineExtractor().extract(ExtractionRequest(t, CUSTOMER, want_summary=True))
    (observation,) = result.observations
    assert "sugar-free" in observation.content
    assert "diabetes" not in observation.content
    assert result.counters.candidates_seen == 2
    assert result.counters.dropped_by_screening == 1
    assert result.counters.dropped_by_category == {"health": 1}
    assert result.summary is not None and "diabetes" not in result.summary.content


def test_neighbouring_turns_are_packed_with_all_their_provenance() -> None:
    t = transcript(
        (CUSTOMER, "I just adopted a puppy called Max."),
        (AGENT, "Congratulations!"),
        (CUSTOMER, "I'm looking for a metal crate for him."),
        (AGENT, "Great."),
        (CUSTOMER, "I also love the red leash."),
    )
    result = OfflineExtractor(OfflineSettings(max_turns_per_observation=2)).extract(ExtractionRequest(t, CUSTOMER))
    assert [o.provenance.communication_ids for o in result.observations] == [
        ("conv_communication_0", "conv_communication_2"),
        ("conv_communication_4",),
    ]
    assert result.observations[0].content.count("On 2024-03-05") == 1


def test_summary_is_bounded_dated_and_has_provenance() -> None:
    turns = []
    for i in range(150):
        turns.append((CUSTOMER, f"I bought {i} lamps for the shop in Leeds and the delivery was late again."))
        turns.append((AGENT, f"We will refund the delivery fee for order {i}."))
    t = transcript(*turns)
    generous = OfflineSettings(summary_sentences=500, summary_max_chars=100_000)
    result = OfflineExtractor(generous).extract(ExtractionRequest(t, CUSTOMER, want_summary=True))
    summary = result.summary
    assert summary is not None
    assert 3000 < len(summary.content) <= SUMMARY_MAX_CHARS
    assert summary.content.startswith("On 2024-03-05, Dana and Sam talked.")
    ids = {c.id for c in t.communications}
    assert summary.provenance.communication_ids and set(summary.provenance.communication_ids) <= ids
    assert summary.occurred_at == t.communications[-1].occurred_at


def test_no_summary_unless_asked() -> None:
    t = transcript((CUSTOMER, "I love the blue model."))
    assert OfflineExtractor().extract(ExtractionRequest(t, CUSTOMER)).summary is None


def test_timestamps_must_be_aware() -> None:
    with pytest.raises(ValueError):
        Communication("conv_communication_x", CUSTOMER, "hi", datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("I'm keen on counseling", "Dana is keen on counseling"),
        ("I go to the gym every morning", "Dana goes to the gym every morning"),
        ("I need help with my internet", "Dana needs help with their internet"),
        ("I don't like the new layout", "Dana doesn't like the new layout"),
        ("Just got some new shoes", "Dana just got some new shoes"),
        ("Researching adoption agencies this week", "Dana is researching adoption agencies this week"),
        ("Gonna visit my mom", "Dana is going to visit their mom"),
        ("Painting is a fun way to relax", "Painting is a fun way to relax"),
        ("We loved the trip you planned for us", "they loved the trip Sam planned for them"),
    ],
)
def test_third_person_rewrite(sentence: str, expected: str) -> None:
    assert to_third_person(sentence, "Dana", "Sam") == expected


def test_cleaning_and_relative_dates() -> None:
    assert clean("Oh wow, yeah! I love it 😍!!") == "I love it!"
    assert anchor_relative_dates("Dana went there yesterday", date(2024, 3, 5)) == (
        "Dana went there yesterday (2024-03-04)"
    )
    assert anchor_relative_dates("last year", date(2024, 3, 5)) == "last year (2023)"


def test_sentence_splitting_respects_abbreviations() -> None:
    assert split_sentences("I saw Dr. Smith at 3 p.m. today. It went fine! Did it?") == [
        "I saw Dr. Smith at 3 p.m. today.",
        "It went fine!",
        "Did it?",
    ]
    assert split_sentences("Order 12.5 arrived. Thanks\nBye") == ["Order 12.5 arrived.", "Thanks", "Bye"]


def test_edge_inputs_are_handled() -> None:
    anonymous_agent = Participant("conv_participant_x", None, ParticipantType.AGENT)
    long_text = "I love the blue lamp and " + "really " * 2000 + "the red one."
    t = transcript(
        (CUSTOMER, ""),
        (CUSTOMER, "   \n  "),
        (anonymous_agent, "We will refund you today."),
        (CUSTOMER, long_text),
        (CUSTOMER, "😀😀 \u200b"),
    )
    result = OfflineExtractor().extract(ExtractionRequest(t, CUSTOMER, want_summary=True))
    assert all(len(o.content) <= 4096 for o in result.observations)
    contents = [o.content for o in result.observations]
    assert "On 2024-03-05, the agent committed to refund Dana today." in contents
    assert result.summary is not None and len(result.summary.content) <= SUMMARY_MAX_CHARS
    nothing = Transcript.of("conv_conversation_2", [])
    empty = OfflineExtractor().extract(ExtractionRequest(nothing, CUSTOMER, want_summary=True))
    assert empty.observations == [] and empty.summary is None
