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
from convmem.extract.offline import OfflineExtractor, OfflineSettings


def build_extractor(offline: OfflineSettings | None = None, from_env: bool = True) -> Extractor:
    """The LLM extractor when ``CONVMEM_EXTRACT_LLM_BASE_URL`` and ``..._MODEL`` are set (with the offline
    extractor as its fallback), otherwise the offline extractor."""
    fallback = OfflineExtractor(offline)
    if from_env:
        from convmem.extract.llm import LLMExtractor, LLMSettings

        settings = LLMSettings.from_env()
        if settings is not None:
            return LLMExtractor(settings, fallback=fallback)
    return fallback


__all__ = [
    "CandidateObservation",
    "Communication",
    "ExtractionCounters",
    "ExtractionRequest",
    "ExtractionResult",
    "ExtractiveSummary",
    "Extractor",
    "ObservationKind",
    "OfflineExtractor",
    "OfflineSettings",
    "Participant",
    "ParticipantType",
    "Provenance",
    "Transcript",
    "build_extractor",
]
