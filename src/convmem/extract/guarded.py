"""Extraction behind the prompt-injection guard, whatever the backend.

Before the backend sees the transcript, every customer communication the guard judges to be an
injection (extract/injection.py) is withheld: replaced by a neutral placeholder, so that neither
the offline rules nor an LLM read it as something the customer said, and no observation or summary
sentence can come from it. After the backend answered, what it produced is checked again (an LLM
can be talked into repeating an instruction it was shown elsewhere): an observation the guard
flags is dropped, and so are flagged sentences of the summary. The withheld communication ids and
the dropped outputs are counted, so that the extraction job can record them for an operator."""

from __future__ import annotations

import dataclasses
import re

from convmem.extract.base import (
    Communication,
    ExtractionRequest,
    ExtractionResult,
    ExtractiveSummary,
    Extractor,
    Transcript,
)
from convmem.extract.injection import InjectionGuard

WITHHELD_TEXT = "[message withheld]"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[])")


class GuardedExtractor(Extractor):
    def __init__(self, inner: Extractor, guard: InjectionGuard) -> None:
        self.inner = inner
        self.guard = guard
        self.name = inner.name

    def extract(self, request: ExtractionRequest) -> ExtractionResult:
        customer_comms = [c for c in request.transcript.communications if _untrusted(c)]
        verdicts = self.guard.check_many([c.text for c in customer_comms])
        withheld = {c.id for c, v in zip(customer_comms, verdicts, strict=True) if v.injection}
        safe = request
        if withheld:
            communications = tuple(dataclasses.replace(c, text=WITHHELD_TEXT) if c.id in withheld else c
                                   for c in request.transcript.communications)
            safe = dataclasses.replace(request, transcript=Transcript(request.transcript.conversation_id,
                                                                      communications))
        result = self.inner.extract(safe)
        result.counters.withheld_communication_ids = sorted(
            withheld & {c.id for c in request.transcript.communications if request.is_new(c)})
        return self._checked(result)

    def _checked(self, result: ExtractionResult) -> ExtractionResult:
        contents = [o.content for o in result.observations]
        summary_sentences = _SENTENCE_END.split(result.summary.content) if result.summary is not None else []
        verdicts = self.guard.check_many(contents + summary_sentences)
        kept = [o for o, v in zip(result.observations, verdicts[:len(contents)], strict=True) if not v.injection]
        dropped = len(contents) - len(kept)
        summary = result.summary
        if summary is not None:
            sentence_verdicts = verdicts[len(contents):]
            clean = [s for s, v in zip(summary_sentences, sentence_verdicts, strict=True) if not v.injection]
            if len(clean) < len(summary_sentences):
                dropped += len(summary_sentences) - len(clean)
                # The first sentence is the header (date and participants): with nothing but it left,
                # there is no summary.
                summary = ExtractiveSummary(" ".join(clean), summary.occurred_at, summary.provenance) \
                    if len(clean) > 1 else None
        result.counters.withheld_outputs += dropped
        result.observations = kept
        result.summary = summary
        return result


def _untrusted(communication: Communication) -> bool:
    """Everything but the business's own agents is customer-provided text (the target customer,
    other customers, participants of unknown type)."""
    return not communication.author.type.is_agent
