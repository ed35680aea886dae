"""Extraction through any OpenAI-compatible chat-completions endpoint, for users who run a model server.

The request asks for JSON constrained by a JSON schema (``response_format: json_schema``). Transport
failures (timeouts, connection errors, HTTP 429 and 5xx) are retried with exponential backoff; any
failure that remains, and any answer that is not valid JSON or breaks the schema or the provenance
rules, falls back to the offline extractor, so extraction never fails because the model did. Whatever
the model writes still goes through the special-category screen.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from convmem.extract import secrets
from convmem.extract.base import (
    OBSERVATION_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    CandidateObservation,
    Communication,
    ExtractionCounters,
    ExtractionRequest,
    ExtractionResult,
    ExtractiveSummary,
    Extractor,
    ObservationKind,
    Provenance,
    format_date,
)
from convmem.extract.offline import OfflineExtractor
from convmem.extract.screening import SpecialCategoryScreen, default_screen

_RETRYABLE_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
_DATED = re.compile(r"^On \d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True, slots=True)
class LLMSettings:
    base_url: str  # e.g. http://127.0.0.1:8000/v1 ; "/chat/completions" is appended
    model: str
    api_key: str | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 2
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0
    temperature: float = 0.0
    max_tokens: int = 2048
    max_transcript_chars: int = 24_000


class LLMFailure(Exception):
    """The model server could not give a usable answer; the caller falls back."""


_KINDS = [kind.value for kind in ObservationKind]

RESPONSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["observations", "summary", "summary_sources"],
    "properties": {
        "observations": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["content", "kind", "confidence", "sources"],
                "properties": {
                    "content": {"type": "string", "minLength": 1, "maxLength": OBSERVATION_MAX_CHARS},
                    "kind": {"type": "string", "enum": _KINDS},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "sources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                },
            },
        },
        "summary": {"type": ["string", "null"], "maxLength": SUMMARY_MAX_CHARS},
        "summary_sources": {"type": "array", "items": {"type": "string"}},
    },
}

SYSTEM_PROMPT = """You turn a conversation transcript into memory about one customer.
Return JSON only, matching the given schema.
- observations: what the target customer said that is worth remembering later: preferences, plans and
  intentions, problems, personal facts, events in their life; and commitments an agent made to the customer
  (kind "agent_commitment"). Only from lines marked NEW.
- Each observation is one standalone third-person sentence that starts with the date it was said, e.g.
  "On 2023-05-08, Caroline said she plans to adopt a dog." Use the customer's name, never "I" or "you".
- sources: the labels (like "c3") of the lines the observation comes from.
- confidence: 0 to 1, how sure you are that this is worth remembering.
- Never write anything about health, religion or beliefs, political opinions, sexual orientation or sex
  life, racial or ethnic origin, trade-union membership, genetic or biometric data. Leave such facts out.
- Skip greetings, small talk, questions and reactions.
- summary: a short recap of the whole conversation when asked for, otherwise null; summary_sources: the
  labels it draws on."""


class LLMExtractor(Extractor):
    name = "llm"

    def __init__(
        self,
        settings: LLMSettings,
        fallback: Extractor | None = None,
        client: httpx.Client | None = None,
        screen: SpecialCategoryScreen | None = None,
    ) -> None:
        self.settings = settings
        # The runtime's screen (over its embedding models); scripts and tests get the default one.
        self.screen = screen or default_screen()
        self.fallback = fallback or OfflineExtractor(screen=self.screen)
        self._client = client or httpx.Client(timeout=httpx.Timeout(settings.timeout_seconds), trust_env=False)

    def close(self) -> None:
        self._client.close()

    def extract(self, request: ExtractionRequest) -> ExtractionResult:
        labels = _labels(request)
        new_labels = {label for label, c in labels.items() if request.is_new(c)}
        if not new_labels and not request.want_summary:
            return ExtractionResult([], None, ExtractionCounters(), self.name)
        try:
            payload = self._complete(self.build_body(request, labels))
            return self._result(request, payload, labels, new_labels)
        except LLMFailure as failure:
            result = self.fallback.extract(request)
            result.counters.fallbacks += 1
            result.fallback_reason = str(failure)
            result.backend = f"{self.fallback.name} (fallback from {self.name})"
            return result

    # -- request ------------------------------------------------------------------------------------

    def build_body(self, request: ExtractionRequest, labels: dict[str, Communication]) -> dict[str, Any]:
        customer = request.customer
        lines: list[str] = []
        for label, communication in labels.items():
            marker = "NEW" if request.is_new(communication) else "old"
            author = communication.author
            lines.append(
                f"[{label}] {marker} {format_date(communication.occurred_at)} {author.display_name} "
                f"({author.type.value}): {communication.text.strip()}"
            )
        transcript = "\n".join(lines)
        if len(transcript) > self.settings.max_transcript_chars:
            transcript = transcript[-self.settings.max_transcript_chars :]
        user = (
            f"Target customer: {customer.display_name} (participant {customer.id}).\n"
            f"Summary wanted: {'yes' if request.want_summary else 'no'}.\n"
            f"Transcript:\n{transcript}"
        )
        return {
            "model": self.settings.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}],
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "conversation_memory", "strict": True, "schema": RESPONSE_SCHEMA},
            },
        }

    def _complete(self, body: dict[str, Any]) -> dict[str, Any]:
        url = self.settings.base_url.rstrip("/") + "/chat/completions"
        headers = {"Content-Type": "application/json"}
        if self.settings.api_key:
            headers["Authorization"] = f"Bearer {self.settings.api_key}"
        last_error = "no attempt"
        retry_after: float | None = None
        for attempt in range(self.settings.max_retries + 1):
            if attempt:
                time.sleep(self._backoff(attempt, retry_after))
                retry_after = None
            try:
                response = self._client.post(url, json=body, headers=headers)
            except httpx.TimeoutException:
                last_error = "timeout"
                continue
            except httpx.TransportError as exc:
                last_error = f"transport error: {type(exc).__name__}"
                continue
            if response.status_code in _RETRYABLE_STATUS:
                last_error = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
                continue
            if response.status_code >= 400:
                raise LLMFailure(f"HTTP {response.status_code}")
            return _message_json(response)
        raise LLMFailure(f"gave up after {self.settings.max_retries + 1} attempts: {last_error}")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff; a server's Retry-After is honoured up to the cap."""
        delay: float = self.settings.backoff_seconds * 2 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(self.settings.max_backoff_seconds, delay)

    # -- answer -------------------------------------------------------------------------------------

    def _result(
        self,
        request: ExtractionRequest,
        payload: dict[str, Any],
        labels: dict[str, Communication],
        new_labels: set[str],
    ) -> ExtractionResult:
        _validate(payload)
        counters = ExtractionCounters()
        observations: list[CandidateObservation] = []
        for item in payload["observations"]:
            sources = [s.strip() for s in item["sources"]]
            if any(s not in labels for s in sources):
                raise LLMFailure("observation cites an unknown source")
            if not any(s in new_labels for s in sources):
                continue  # already processed: the watermark says nothing is extracted twice
            counters.candidates_seen += 1
            communications = sorted((labels[s] for s in dict.fromkeys(sources)), key=lambda c: c.occurred_at)
            content = " ".join(item["content"].split())
            if not _DATED.match(content):
                content = f"On {format_date(communications[0].occurred_at)}, {content}"
            if secrets.states_secret(content):  # a credential is never memory (extract/secrets.py)
                continue
            [verdict] = self.screen.screen_written([content], request.transcript.roles())
            if verdict.sensitive:
                counters.count_drop(verdict.category or "unknown", (c.id for c in communications))
                continue
            observations.append(
                CandidateObservation(
                    content=content[:OBSERVATION_MAX_CHARS],
                    kind=ObservationKind(item["kind"]),
                    confidence=float(item["confidence"]),
                    occurred_at=communications[0].occurred_at,
                    provenance=Provenance(request.transcript.conversation_id, tuple(c.id for c in communications)),
                )
            )
        summary = self._summary(request, payload, labels) if request.want_summary else None
        return ExtractionResult(observations, summary, counters, self.name)

    def _summary(
        self, request: ExtractionRequest, payload: dict[str, Any], labels: dict[str, Communication]
    ) -> ExtractiveSummary | None:
        text = payload.get("summary")
        if not text:
            return OfflineExtractor(screen=self.screen).summarize(request, ExtractionCounters())
        sources = [s for s in payload.get("summary_sources", []) if s in labels]
        communications = [labels[s] for s in sources] or list(request.transcript.communications)
        # Drop any sentence the screen objects to rather than the whole summary.
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
        verdicts = self.screen.screen_written(sentences, request.transcript.roles())
        kept = " ".join(s for s, v in zip(sentences, verdicts, strict=True)
                        if s and not v.sensitive and not secrets.states_secret(s))
        if not kept:
            return None
        last: datetime = max(c.occurred_at for c in request.transcript.communications)
        ids = tuple(dict.fromkeys(c.id for c in communications))
        return ExtractiveSummary(
            content=kept[:SUMMARY_MAX_CHARS],
            occurred_at=last,
            provenance=Provenance(request.transcript.conversation_id, ids),
        )


def _labels(request: ExtractionRequest) -> dict[str, Communication]:
    """Short labels ("c1", "c2", ...) stand for communication ids in the prompt: they cost fewer tokens
    and a model copies them back more reliably than 45-character ids."""
    return {f"c{i}": c for i, c in enumerate(request.transcript.communications, start=1)}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message_json(response: httpx.Response) -> dict[str, Any]:
    try:
        envelope = response.json()
        message = envelope["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMFailure("malformed chat-completions response") from exc
    if message.get("refusal"):
        raise LLMFailure("model refused")
    content = message.get("content")
    if not isinstance(content, str):
        raise LLMFailure("no message content")
    # Some servers wrap JSON in a Markdown fence even in JSON mode.
    content = re.sub(r"^```(?:json)?\s*|\s*```$", "", content.strip())
    try:
        payload = json.loads(content)
    except ValueError as exc:
        raise LLMFailure("message content is not JSON") from exc
    if not isinstance(payload, dict):
        raise LLMFailure("message content is not a JSON object")
    return payload


def _validate(payload: dict[str, Any]) -> None:
    """The parts of RESPONSE_SCHEMA we rely on (servers differ in how strictly they enforce it)."""
    observations = payload.get("observations")
    if not isinstance(observations, list):
        raise LLMFailure("schema violation: observations must be an array")
    for item in observations:
        if not isinstance(item, dict):
            raise LLMFailure("schema violation: observation must be an object")
        content, kind, confidence, sources = (item.get(k) for k in ("content", "kind", "confidence", "sources"))
        if not isinstance(content, str) or not content.strip() or len(content) > OBSERVATION_MAX_CHARS:
            raise LLMFailure("schema violation: content")
        if kind not in _KINDS:
            raise LLMFailure("schema violation: kind")
        if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0 <= confidence <= 1:
            raise LLMFailure("schema violation: confidence")
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
            raise LLMFailure("schema violation: sources")
    summary = payload.get("summary")
    if summary is not None and not isinstance(summary, str):
        raise LLMFailure("schema violation: summary")
    summary_sources = payload.get("summary_sources", [])
    if not isinstance(summary_sources, list) or not all(isinstance(s, str) for s in summary_sources):
        raise LLMFailure("schema violation: summary_sources")
