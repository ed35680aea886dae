"""Extraction: conversation transcripts in, candidate observations and summaries out.

Pure Python, no web and no SQL. ``base`` is the interface; ``offline`` the default extractor (rules, no
model, no network); ``llm`` an OpenAI-compatible chat-completions backend that falls back to the offline
one; ``screening`` the GDPR special-category screen every written sentence goes through.
"""

from __future__ import annotations

from convmem.extract.base import (
    CandidateObservation,
    Communication,
    ExtractionCounters,
    ExtractionRequest,
    ExtractionResult,
    ExtractiveSummary,
    Extractor,
    ObservationKind,
    Participant,
    ParticipantType,
    Provenance,
    Transcript,
)
from convmem.extract.llm import LLMSettings
from convmem.extract.offline import OfflineExtractor, OfflineSettings
from convmem.extract.screening import SpecialCategoryScreen


def build_extractor(llm: LLMSettings | None = None, offline: OfflineSettings | None = None,
                    screen: SpecialCategoryScreen | None = None) -> Extractor:
    """The LLM extractor when ``llm`` is given (with the offline extractor as its fallback),
    otherwise the offline extractor; both screen with ``screen`` (the runtime's)."""
    fallback = OfflineExtractor(offline, screen=screen)
    if llm is not None:
        from convmem.extract.llm import LLMExtractor

        return LLMExtractor(llm, fallback=fallback, screen=screen)
    return fallback


__all__ = [
    "CandidateObservation",
    "Communication",
    "ExtractionCounters",
    "ExtractionRequest",
    "ExtractionResult",
    "ExtractiveSummary",
    "Extractor",
    "LLMSettings",
    "ObservationKind",
    "OfflineExtractor",
    "OfflineSettings",
    "Participant",
    "ParticipantType",
    "Provenance",
    "Transcript",
    "build_extractor",
]
