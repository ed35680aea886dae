"""Extraction behind the prompt-injection guard, whatever the backend.

Before the backend sees the transcript, every customer communication the guard judges to be an
injection (extract/injection.py) is withheld: replaced by a neutral placeholder, so that neither
the offline rules nor an LLM read it as something the customer said, and no observation or summary
sentence can come from it. When the guard found the injection confined to some paragraphs of a
message, only those are replaced, and the backend reads the rest. After the backend answered, what
it produced is checked again (an LLM can be talked into repeating an instruction it was shown
elsewhere): an observation the guard flags is dropped, and so are flagged sentences of the summary.
An output is judged whole, sentence by sentence, and as the quote it carries ("Dana said <what Dana
wrote>", read without the frame so that a pattern anchored at the start of a line still sees it).
When a flagged output cites a customer communication the input check let through, or read in part,
that communication is treated as an injection after all: it is withheld whole and the backend runs
once more without it, because the rest of the message is often the injection's payload. The withheld
communication ids (whole or in part) and the dropped outputs are counted, so that the extraction job
can record them for an operator."""

from __future__ import annotations

import dataclasses
import re

from convmem.extract.base import (
    WITHHELD_TEXT,
    Communication,
    ExtractionRequest,
    ExtractionResult,
    ExtractiveSummary,
    Extractor,
    Transcript,
)
from convmem.extract.injection import InjectionGuard

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[])")
_QUOTE = re.compile(r"\b(?:said|says|wrote|asked|stated|added)(?: that)?[,:]?\s+(\S.*)", re.DOTALL)
_WORD = re.compile(r"\w+")


class GuardedExtractor(Extractor):
    def __init__(self, inner: Extractor, guard: InjectionGuard) -> None:
        self.inner = inner
        self.guard = guard
        self.name = inner.name

    def extract(self, request: ExtractionRequest) -> ExtractionResult:
        customer_comms = [c for c in request.transcript.communications if _untrusted(c)]
        verdicts = self.guard.check_many([c.text for c in customer_comms])
        withheld = {c.id for c, v in zip(customer_comms, verdicts, strict=True) if v.injection}
        # Messages withheld in part: what the backend may read of them. A betrayed message (below)
        # is withheld whole even so.
        partly = {c.id: v.kept for c, v in zip(customer_comms, verdicts, strict=True)
                  if v.injection and v.kept is not None}
        result = self.inner.extract(_without(request, withheld, partly))
        flagged = self._flagged(result)
        # A flagged output betrays the customer message it came from: withhold that message whole
        # and extract again (once; what the second run produces is checked and dropped as usual).
        betrayed = {cid for o, bad in zip(result.observations, flagged[:len(result.observations)], strict=True) if bad
                    for cid in o.provenance.communication_ids} & {c.id for c in customer_comms}
        betrayed |= self._quoted_in_flagged_summary(result, flagged, customer_comms)
        if betrayed - (withheld - partly.keys()):
            withheld |= betrayed
            partly = {cid: kept for cid, kept in partly.items() if cid not in betrayed}
            result = self.inner.extract(_without(request, withheld, partly))
            flagged = self._flagged(result)
        result.counters.withheld_communication_ids = sorted(
            withheld & {c.id for c in request.transcript.communications if request.is_new(c)})
        return self._checked(result, flagged)

    def _flagged(self, result: ExtractionResult) -> list[bool]:
        """Per output (observations, then summary sentences): flagged whole, or as the quote it carries."""
        contents, summary_sentences = _outputs(result)
        outputs = contents + summary_sentences
        # The quote is read by the patterns only: the classifier already scored the sentence it
        # came from, and the same words out of their frame would only move its score by chance.
        return [verdict.injection or any(self.guard.matches(quote) for quote in _quotes(text))
                for text, verdict in zip(outputs, self.guard.check_many(outputs), strict=True)]

    @staticmethod
    def _quoted_in_flagged_summary(result: ExtractionResult, flagged: list[bool],
                                   customer_comms: list[Communication]) -> set[str]:
        """Customer messages a flagged summary sentence quotes (most of its words come from them)."""
        contents, summary_sentences = _outputs(result)
        found: set[str] = set()
        for sentence, bad in zip(summary_sentences, flagged[len(contents):], strict=True):
            if not bad:
                continue
            said = {w.lower() for w in _WORD.findall(sentence)}
            for communication in customer_comms:
                words = [w.lower() for w in _WORD.findall(communication.text)]
                if words and sum(w in said for w in words) / len(words) >= 0.5:
                    found.add(communication.id)
        return found

    def _checked(self, result: ExtractionResult, flagged: list[bool]) -> ExtractionResult:
        contents, summary_sentences = _outputs(result)
        kept = [o for o, bad in zip(result.observations, flagged[:len(contents)], strict=True) if not bad]
        dropped = len(contents) - len(kept)
        summary = result.summary
        if summary is not None:
            sentence_verdicts = flagged[len(contents):]
            clean = [s for s, bad in zip(summary_sentences, sentence_verdicts, strict=True) if not bad]
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


def _outputs(result: ExtractionResult) -> tuple[list[str], list[str]]:
    """Observation contents and summary sentences, in the order the checks list them."""
    contents = [o.content for o in result.observations]
    summary_sentences = _SENTENCE_END.split(result.summary.content) if result.summary is not None else []
    return contents, summary_sentences


def _without(request: ExtractionRequest, withheld: set[str], partly: dict[str, str]) -> ExtractionRequest:
    """``request`` with the ``withheld`` communications replaced by the placeholder, or, for those in
    ``partly``, by the part of them that may be read."""
    if not withheld:
        return request
    communications = tuple(dataclasses.replace(c, text=partly.get(c.id, WITHHELD_TEXT)) if c.id in withheld else c
                           for c in request.transcript.communications)
    return dataclasses.replace(request, transcript=Transcript(request.transcript.conversation_id, communications))


def _quotes(text: str) -> list[str]:
    """What an output says someone said, without the frame ("On 2026-03-02, Dana said ...")."""
    return [m.group(1) for m in _QUOTE.finditer(text)]


def _untrusted(communication: Communication) -> bool:
    """Everything but the business's own agents is customer-provided text (the target customer,
    other customers, participants of unknown type)."""
    return not communication.author.type.is_agent
