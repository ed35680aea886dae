"""The extraction interface: a conversation transcript in, candidate observations (and optionally an
extractive summary) out.

Pure data and one abstract method; no web, no SQL. The caller (the extraction job) owns the
watermark: it passes the whole transcript for context and says which communications are new, and
extractors only emit candidates whose provenance lies among those new communications.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

SUMMARY_MAX_CHARS = 4096
OBSERVATION_MAX_CHARS = 4096
# What an extractor reads in place of a message the injection guard withheld (extract/guarded.py): the
# model sees that something was said; nothing in it is memory.
WITHHELD_TEXT = "[message withheld]"


class ParticipantType(enum.StrEnum):
    CUSTOMER = "CUSTOMER"
    HUMAN_AGENT = "HUMAN_AGENT"
    AI_AGENT = "AI_AGENT"
    AGENT = "AGENT"
    UNKNOWN = "UNKNOWN"

    @property
    def is_agent(self) -> bool:
        return self in (ParticipantType.HUMAN_AGENT, ParticipantType.AI_AGENT, ParticipantType.AGENT)


class ObservationKind(enum.StrEnum):
    PREFERENCE = "preference"
    PLAN = "plan"
    PROBLEM = "problem"
    PERSONAL_FACT = "personal_fact"
    AGENT_COMMITMENT = "agent_commitment"
    EVENT = "event"


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str | None = None
    type: ParticipantType = ParticipantType.UNKNOWN
    profile_id: str | None = None

    @property
    def display_name(self) -> str:
        if self.name and self.name.strip():
            return self.name.strip()
        return "The agent" if self.type.is_agent else "The customer"


@dataclass(frozen=True, slots=True)
class Communication:
    id: str
    author: Participant
    text: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Transcript:
    conversation_id: str
    communications: tuple[Communication, ...]

    def roles(self) -> dict[str, str]:
        """Each author's name -> "the customer" or "the agent": what the special-category screen puts in
        place of names in text written about them (``SpecialCategoryScreen.screen_written``)."""
        return {c.author.display_name: "the agent" if c.author.type.is_agent else "the customer"
                for c in self.communications}

    @classmethod
    def of(cls, conversation_id: str, communications: Sequence[Communication]) -> Transcript:
        ordered = sorted(communications, key=lambda c: c.occurred_at)  # stable: ties keep input order
        return cls(conversation_id, tuple(ordered))


@dataclass(frozen=True, slots=True)
class ExtractionRequest:
    """What to extract: about whom, from which communications.

    ``customer`` is the target participant (its id matches communication authors). ``new_ids`` are the
    communications not yet processed; ``None`` means all of them.
    """

    transcript: Transcript
    customer: Participant
    new_ids: frozenset[str] | None = None
    want_summary: bool = False

    def is_new(self, communication: Communication) -> bool:
        return self.new_ids is None or communication.id in self.new_ids


@dataclass(frozen=True, slots=True)
class Provenance:
    conversation_id: str
    communication_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CandidateObservation:
    content: str
    kind: ObservationKind
    confidence: float
    occurred_at: datetime
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class ExtractiveSummary:
    content: str
    occurred_at: datetime
    provenance: Provenance


@dataclass(slots=True)
class ExtractionCounters:
    candidates_seen: int = 0
    dropped_by_screening: int = 0
    dropped_by_category: dict[str, int] = field(default_factory=dict)
    fallbacks: int = 0  # LLM backend: times the offline extractor was used instead
    # Customer communications withheld by the prompt-injection guard (extract/guarded.py), and
    # extracted sentences it dropped: neither ever reaches memory.
    withheld_communication_ids: list[str] = field(default_factory=list)
    withheld_outputs: int = 0
    # Communications with a sentence the special-category screen dropped (an operator's console
    # marks them; their text stays out of memory).
    screened_communication_ids: set[str] = field(default_factory=set)

    def count_drop(self, category: str, communication_ids: Iterable[str] = ()) -> None:
        self.dropped_by_screening += 1
        self.dropped_by_category[category] = self.dropped_by_category.get(category, 0) + 1
        self.screened_communication_ids.update(communication_ids)


@dataclass(slots=True)
class ExtractionResult:
    observations: list[CandidateObservation]
    summary: ExtractiveSummary | None
    counters: ExtractionCounters
    backend: str
    fallback_reason: str | None = None  # set when a backend gave up and the offline extractor answered


class Extractor(abc.ABC):
    """One provider of extraction. Implementations must be safe to call from several threads."""

    name: str = "abstract"

    @abc.abstractmethod
    def extract(self, request: ExtractionRequest) -> ExtractionResult:
        """Candidate observations about ``request.customer`` from the new communications."""


def format_date(moment: datetime) -> str:
    return moment.date().isoformat()
