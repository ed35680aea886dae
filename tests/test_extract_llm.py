"""The LLM extractor against a real OpenAI-compatible chat-completions server on loopback: the request we
send, and how good, malformed, failing and slow answers are handled."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from convmem.extract.base import (
    Communication,
    ExtractionRequest,
    ObservationKind,
    Participant,
    ParticipantType,
    Transcript,
)
from convmem.extract.llm import LLMExtractor, LLMSettings
from tests.support.fake_model import FakeModelServer, Responder, completion, status

CONVERSATION = "conv_conversation_01h0000000000000000000000a"
CUSTOMER = Participant("conv_participant_cust", "Dana", ParticipantType.CUSTOMER, "mem_profile_dana")
AGENT = Participant("conv_participant_agent", "Sam", ParticipantType.HUMAN_AGENT)
WHEN = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)


def _transcript() -> Transcript:
    texts = [
        (CUSTOMER, "Hi, my router doesn't work since Monday."),
        (AGENT, "Sorry about that. I'll send you a replacement by Friday."),
        (CUSTOMER, "Thanks. I prefer delivery to my office in Leeds."),
    ]
    return Transcript.of(
        CONVERSATION,
        [
            Communication(f"conv_communication_{i}", author, text, WHEN.replace(minute=i))
            for i, (author, text) in enumerate(texts)
        ],
    )


GOOD = {
    "observations": [
        {"content": "On 2024-03-05, Dana said her router has not worked since Monday.", "kind": "problem",
         "confidence": 0.9, "sources": ["c1"]},
        {"content": "Dana prefers delivery to her office in Leeds.", "kind": "preference", "confidence": 0.8,
         "sources": ["c3"]},
        {"content": "On 2024-03-05, Sam committed to send Dana a replacement by Friday.",
         "kind": "agent_commitment", "confidence": 0.85, "sources": ["c2"]},
    ],
    "summary": "Dana reported a broken router; Sam promised a replacement by Friday.",
    "summary_sources": ["c1", "c2"],
}


def make_extractor(server: FakeModelServer, **overrides: Any) -> LLMExtractor:
    settings = {"base_url": server.base_url, "model": "tiny-model", "api_key": "sk-test", "timeout_seconds": 2.0,
                "max_retries": 1, "backoff_seconds": 0.01, **overrides}
    return LLMExtractor(LLMSettings(**settings))


def test_request_carries_model_messages_schema_and_key(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(GOOD)]
    extractor = make_extractor(model_server)
    extractor.extract(ExtractionRequest(_transcript(), CUSTOMER, want_summary=True))
    (sent,) = model_server.requests
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"]["Authorization"] == "Bearer sk-test"
    body = sent["body"]
    assert body["model"] == "tiny-model"
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    user = body["messages"][1]["content"]
    assert "Target customer: Dana" in user
    assert "[c2] NEW 2024-03-05 Sam (HUMAN_AGENT): Sorry about that." in user
    response_format = body["response_format"]
    assert response_format["type"] == "json_schema"
    schema = response_format["json_schema"]["schema"]
    assert response_format["json_schema"]["strict"] is True
    assert schema["required"] == ["observations", "summary", "summary_sources"]
    assert set(schema["properties"]["observations"]["items"]["properties"]["kind"]["enum"]) == {
        k.value for k in ObservationKind
    }


def test_good_answer_becomes_observations_with_provenance(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(GOOD)]
    result = make_extractor(model_server).extract(ExtractionRequest(_transcript(), CUSTOMER, want_summary=True))
    assert result.backend == "llm" and result.fallback_reason is None
    by_kind = {o.kind: o for o in result.observations}
    assert by_kind[ObservationKind.PROBLEM].provenance.communication_ids == ("conv_communication_0",)
    assert by_kind[ObservationKind.PROBLEM].provenance.conversation_id == CONVERSATION
    # An undated sentence gets the date of its source.
    assert by_kind[ObservationKind.PREFERENCE].content.startswith("On 2024-03-05, Dana prefers")
    assert by_kind[ObservationKind.AGENT_COMMITMENT].provenance.communication_ids == ("conv_communication_1",)
    assert result.summary is not None
    assert result.summary.provenance.communication_ids == ("conv_communication_0", "conv_communication_1")
    assert result.counters.candidates_seen == 3


def _router_and(fact: str, summary: str | None = None) -> dict[str, Any]:
    """A model answer: the broken router (c1), ``fact`` (c3) and ``summary`` citing c1."""
    return {
        "observations": [
            {"content": "On 2024-03-05, Dana said her router is broken.", "kind": "problem", "confidence": 0.9,
             "sources": ["c1"]},
            {"content": fact, "kind": "personal_fact", "confidence": 0.9, "sources": ["c3"]},
        ],
        "summary": summary,
        "summary_sources": ["c1"] if summary else [],
    }


def test_watermark_and_screen_apply_to_model_output(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(_router_and("On 2024-03-05, Dana said she was diagnosed with asthma."))]
    transcript = _transcript()
    only_last = frozenset({transcript.communications[2].id})
    result = make_extractor(model_server).extract(ExtractionRequest(transcript, CUSTOMER, new_ids=only_last))
    assert result.observations == []  # c1 was already processed; the c3 one is special-category data
    assert result.counters.dropped_by_screening == 1
    assert result.counters.dropped_by_category == {"health": 1}
    assert "[c1] old" in model_server.requests[0]["body"]["messages"][1]["content"]


def test_a_secret_the_model_writes_down_is_dropped(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(_router_and("On 2024-03-05, Dana gave her PIN 4471 to pass security.",
                                                      "Dana reported a broken router. Her memorable word is tulip."))]
    result = make_extractor(model_server).extract(ExtractionRequest(_transcript(), CUSTOMER, want_summary=True))
    assert [o.content for o in result.observations] == ["On 2024-03-05, Dana said her router is broken."]
    assert result.summary is not None and result.summary.content == "Dana reported a broken router."


@pytest.mark.parametrize(
    "responder",
    [
        completion("this is not json"),
        completion({"observations": [{"content": "x", "kind": "gossip", "confidence": 0.5, "sources": ["c1"]}],
                    "summary": None, "summary_sources": []}),
        completion({"observations": [{"content": "On 2024-03-05, Dana said hi.", "kind": "problem",
                                      "confidence": 0.5, "sources": ["c99"]}],
                    "summary": None, "summary_sources": []}),
        completion({"observations": "none"}),
        lambda _body: (200, {}, b"<html>gateway</html>", 0.0),
        status(401),
    ],
    ids=["not-json", "bad-kind", "unknown-source", "wrong-type", "not-an-envelope", "unauthorized"],
)
def test_unusable_answers_fall_back_to_offline(model_server: FakeModelServer, responder: Responder) -> None:
    model_server.responders = [responder]
    result = make_extractor(model_server).extract(ExtractionRequest(_transcript(), CUSTOMER))
    assert result.backend == "offline (fallback from llm)"
    assert result.counters.fallbacks == 1
    assert result.fallback_reason
    assert len(model_server.requests) == 1  # not retried: the same question gets the same bad answer
    contents = " ".join(o.content for o in result.observations)
    assert "router" in contents and "Dana" in contents


def test_server_errors_are_retried_then_succeed(model_server: FakeModelServer) -> None:
    model_server.responders = [status(503, {"Retry-After": "0"}), status(429), completion(GOOD)]
    result = make_extractor(model_server, max_retries=2).extract(ExtractionRequest(_transcript(), CUSTOMER))
    assert result.backend == "llm"
    assert len(model_server.requests) == 3
    assert len(result.observations) == 3


def test_persistent_server_errors_fall_back_after_retries(model_server: FakeModelServer) -> None:
    model_server.responders = [status(500)]
    result = make_extractor(model_server, max_retries=2).extract(ExtractionRequest(_transcript(), CUSTOMER))
    assert len(model_server.requests) == 3
    assert result.fallback_reason is not None and "HTTP 500" in result.fallback_reason
    assert result.observations


def test_slow_answer_times_out_and_falls_back(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(GOOD, delay=1.5)]
    extractor = make_extractor(model_server, timeout_seconds=0.3, max_retries=1)
    started = time.monotonic()
    result = extractor.extract(ExtractionRequest(_transcript(), CUSTOMER))
    elapsed = time.monotonic() - started
    assert result.fallback_reason is not None and "timeout" in result.fallback_reason
    assert len(model_server.requests) == 2
    assert elapsed < 1.5  # two 0.3 s attempts, not the server's 1.5 s
    assert result.observations


def test_no_server_listening_falls_back(model_server: FakeModelServer) -> None:
    model_server.responders = [completion(GOOD)]
    settings = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m", timeout_seconds=0.5, max_retries=0)
    result = LLMExtractor(settings).extract(ExtractionRequest(_transcript(), CUSTOMER))
    assert result.fallback_reason is not None and "transport error" in result.fallback_reason


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from convmem.config import Settings
    from convmem.runtime import llm_settings

    monkeypatch.delenv("CONVMEM_EXTRACT_LLM_BASE_URL", raising=False)
    assert llm_settings(Settings()) is None
    monkeypatch.setenv("CONVMEM_EXTRACT_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("CONVMEM_EXTRACT_LLM_MODEL", "qwen")
    monkeypatch.setenv("CONVMEM_EXTRACT_LLM_API_KEY", "k")
    monkeypatch.setenv("CONVMEM_EXTRACT_LLM_TIMEOUT", "5")
    settings = llm_settings(Settings())
    assert settings is not None
    assert (settings.base_url, settings.model, settings.api_key, settings.timeout_seconds) == (
        "http://127.0.0.1:8080/v1", "qwen", "k", 5.0)


def test_the_runtime_picks_the_extraction_backend_from_the_settings(tmp_path: Path) -> None:
    from convmem.config import Settings
    from convmem.extract import OfflineExtractor
    from convmem.extract.guarded import GuardedExtractor
    from convmem.runtime import Runtime

    offline = Runtime.build(Settings(data_dir=tmp_path))
    assert isinstance(offline.extractor, GuardedExtractor)  # every backend behind the injection guard
    assert isinstance(offline.extractor.inner, OfflineExtractor)
    offline.close()
    runtime = Runtime.build(Settings(data_dir=tmp_path, extract_llm_base_url="http://127.0.0.1:8080/v1",
                                     extract_llm_model="qwen"))
    runtime.close()
    assert isinstance(runtime.extractor, GuardedExtractor)
    extractor = runtime.extractor.inner
    assert isinstance(extractor, LLMExtractor)
    assert isinstance(extractor.fallback, OfflineExtractor)
