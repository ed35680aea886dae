"""Schemathesis against Twilio's published OpenAPI documents for Memory v1 and Conversations v2
(the official ones, from @twilio/cli-core, unpacked into .venv by `make install`; see
test_official_spec.py), not our own generated document: for every operation they define, bounded
positive examples (with real ids substituted for half of them, so requests get past the 404s)
must never produce a 5xx, and every response whose status the document describes must match its
schema.

These are the stateless checks. What they leave out, on purpose:
* status codes the documents do not list (412 for a stale If-Match, 401 on the control plane,
  413 for a body over the limit) are part of our contract (API-CONTRACT.md); our own document
  lists them and test_schemathesis.py checks them;
* a positive example may still get a 400 in the error shape: the documents leave
  ``additionalProperties`` open and most strings without a minimum length, while the server
  refuses unknown fields (a typo must not be silently dropped), empty identifiers and names,
  trait groups the store does not define, and page tokens it did not issue;
* where the official client reads more than the document allows, the client wins
  (API-CONTRACT.md §8): ``_as_the_client_reads`` relaxes those response schemas, each with its reason."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from convmem.storage.db import Database
from tests.support.credentials import new_account
from tests.support.fuzzing import run_examples
from tests.support.inprocess import AppServer
from tests.support.profiles import configure_identity
from tests.support.wire import STORES, create_group, create_mapping, new_store
from tests.test_official_spec import DOCUMENTS, METHODS, _official

# Examples per operation: 68 operations x 12 examples stays well under a minute.
MAX_EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance]
CUSTOMER = {"address": "+18005550100", "channel": "SMS"}
AGENT = {"address": "+18005550199", "channel": "SMS"}


@dataclass
class Target:
    url: str
    session: requests.Session  # sends to the in-process server
    schemas: dict[str, Any]  # by document name
    headers: dict[str, str]
    # Real ids for path parameters, by API version and the collection the parameter follows
    # (("v1", "Profiles") for .../Profiles/{profileId}); the documents name them differently.
    ids: dict[tuple[str, str], str]
    victims: dict[tuple[str, str], str]  # real ids that DELETE may consume


def _accepted_id(http: httpx.Client, resp: httpx.Response) -> str:
    assert resp.status_code == 202, resp.text
    return str(resp.json()["id"])


def _profile(http: httpx.Client, store_id: str, email: str) -> str:
    return _accepted_id(http, http.post(f"/v1/Stores/{store_id}/Profiles",
                                        json={"traits": {"Contact": {"email": email}}}))


def _observation(http: httpx.Client, store_id: str, profile_id: str, content: str) -> str:
    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations", json={"observations": [
        {"content": content, "source": "chat", "occurredAt": "2025-01-09T08:00:00Z"}]})
    assert resp.status_code == 202, resp.text
    listed = http.get(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations").json()["observations"]
    return str(next(o["id"] for o in listed if o["content"] == content))


def _summary(http: httpx.Client, store_id: str, profile_id: str, content: str) -> str:
    resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries", json={"summaries": [
        {"content": content, "conversationId": "conv_conversation_" + "3" * 26, "occurredAt": "2025-01-09T08:00:00Z"}]})
    assert resp.status_code == 202, resp.text
    listed = http.get(f"/v1/Stores/{store_id}/Profiles/{profile_id}/ConversationSummaries").json()["summaries"]
    return str(next(s["id"] for s in listed if s["content"] == content))


def _conversation(http: httpx.Client, store_id: str) -> dict[tuple[str, str], str]:
    """A configuration bound to the store, a conversation with a customer and an agent, one
    message and one action: the Conversations v2 ids."""
    resp = http.post("/v2/ControlPlane/Configurations", json={
        "displayName": "official", "description": "", "memoryStoreId": store_id,
        "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES"})
    assert resp.status_code == 202, resp.text
    config_id, config_op = str(resp.json()["id"]), resp.headers["Operation-Id"]
    conversation = http.post("/v2/Conversations", json={"configurationId": config_id})
    assert conversation.status_code == 201, conversation.text
    conversation_id = str(conversation.json()["id"])
    base = f"/v2/Conversations/{conversation_id}"
    customer = http.post(f"{base}/Participants", json={"type": "CUSTOMER", "addresses": [CUSTOMER]})
    agent = http.post(f"{base}/Participants", json={"type": "HUMAN_AGENT", "addresses": [AGENT]})
    assert customer.status_code == agent.status_code == 201, (customer.text, agent.text)
    said = http.post(f"{base}/Communications", json={
        "author": CUSTOMER, "recipients": [AGENT], "content": {"type": "TEXT", "text": "My parcel is late."}})
    assert said.status_code == 201, said.text
    action = http.post(f"{base}/Actions", json={"type": "SEND_MESSAGE", "payload": {
        "from": {"participantId": agent.json()["id"]},
        "to": [{"participantId": customer.json()["id"], "channel": "SMS"}], "content": {"text": "On its way."}}})
    assert action.status_code == 202, action.text
    return {("v2", "Configurations"): config_id, ("v2", "Conversations"): conversation_id,
            ("v2", "Participants"): str(customer.json()["id"]), ("v2", "Communications"): str(said.json()["id"]),
            ("v2", "Actions"): str(action.json()["id"]), ("v2", "Operations"): config_op}


def _as_the_client_reads(name: str, document: dict[str, Any]) -> dict[str, Any]:
    """The official document with the response schemas the 9.13.0 client contradicts relaxed."""
    if name == "twilio_memory_v1.json":
        # API-CONTRACT §8 item 9: the client reads message, operationId, createdAt and statusUrl
        # from the Bulk 202, where the document allows {message} only (maxProperties 1).
        bulk = document["paths"]["/v1/Stores/{storeId}/Profiles/Bulk"]["put"]["responses"]["202"]
        bulk["content"]["application/json"]["schema"].pop("maxProperties")
    return document


@pytest.fixture(scope="module")
def target(app_server: AppServer, db: Database) -> Iterator[Target]:
    schemas = {name: schemathesis.openapi.from_dict(_as_the_client_reads(name, _official(name)))
               for name in sorted(DOCUMENTS)}
    issued = new_account(db)
    with app_server.http(issued) as http:
        store_id, victim_store = new_store(http, "official"), new_store(http, "official-victim")
        create_group(http, store_id, "Fuzzed", {"a": {"dataType": "STRING"}})
        create_group(http, store_id, "Victim", {"a": {"dataType": "STRING"}})
        configure_identity(http, store_id, [{"idType": "email", "normalization": "email"},
                                            {"idType": "phone", "normalization": "phone"}], ["email", "phone"])
        profile_id, victim_profile = _profile(http, store_id, "kept@example.com"), _profile(
            http, store_id, "victim@example.com")
        observation_id = _observation(http, store_id, profile_id, "Prefers aisle seats")
        victim_observation = _observation(http, store_id, profile_id, "Collects vintage typewriters")
        summary_id = _summary(http, store_id, profile_id, "Asked for a vegetarian meal")
        victim_summary = _summary(http, store_id, profile_id, "Moved the delivery to Friday")
        mapping_id, victim_mapping = create_mapping(http, store_id, "kept", "Fuzzed", "a"), create_mapping(
            http, store_id, "victim", "Fuzzed", "a")
        created = http.post(f"/v1/Stores/{store_id}/Profiles/Imports", json={
            "filename": "people.csv", "fileSize": 100,
            "columnMappings": [{"columnName": "email", "traitGroup": "Contact", "traitName": "email"},
                               {"columnName": "a", "traitGroup": "Fuzzed", "traitName": "a"}]})
        assert created.status_code == 201, created.text
        op_id = http.patch(f"{STORES}/{store_id}", json={}).headers["Operation-Id"]
        conversations = _conversation(http, store_id)
        victim_config = _conversation(http, store_id)[("v2", "Configurations")]
        victim_conversation = _conversation(http, store_id)[("v2", "Conversations")]
    token = base64.b64encode(f"{issued.account_sid}:{issued.auth_token}".encode()).decode()
    yield Target(
        url=app_server.url,
        session=app_server.requests_session(),
        schemas=schemas,
        headers={"Authorization": f"Basic {token}"},
        ids={("v1", "Stores"): store_id, ("v1", "Profiles"): profile_id, ("v1", "Observations"): observation_id,
             ("v1", "ConversationSummaries"): summary_id, ("v1", "TraitGroups"): "Fuzzed",
             ("v1", "DataMappings"): mapping_id, ("v1", "Imports"): str(created.json()["importId"]),
             ("v1", "Operations"): op_id, ("v1", "Identifiers"): "email", **conversations},
        victims={("v1", "Stores"): victim_store, ("v1", "Profiles"): victim_profile,
                 ("v1", "Observations"): victim_observation, ("v1", "ConversationSummaries"): victim_summary,
                 ("v1", "TraitGroups"): "Victim", ("v1", "DataMappings"): victim_mapping,
                 ("v2", "Configurations"): victim_config, ("v2", "Conversations"): victim_conversation},
    )


def _path_ids(path: str, ids: dict[tuple[str, str], str]) -> dict[str, str]:
    """The real id for each parameter of ``path``, found by the collection it follows."""
    version = path.split("/")[1]
    found = {}
    for match in re.finditer(r"/([A-Za-z]+)/\{([^}]+)\}", path):
        collection, name = match.groups()
        if (version, collection) in ids:
            found[name] = ids[(version, collection)]
    return found


def _operations() -> list[Any]:
    cases = []
    for name in sorted(DOCUMENTS):
        try:
            document = _official(name)
        except pytest.skip.Exception:
            continue
        cases += [pytest.param(name, method.upper(), path, id=f"{method.upper()} {path}")
                  for path, item in document["paths"].items() for method in item if method in METHODS]
    return cases


@pytest.mark.parametrize(("document", "method", "path"), _operations())
def test_official_documents_no_server_errors_and_conforming_responses(
        target: Target, document: str, method: str, path: str) -> None:
    api_operation = target.schemas[document][path][method]
    fixed = _path_ids(path, target.ids)
    if method == "DELETE":
        # DELETE consumes a resource of its own, not the shared one (the parents stay shared).
        fixed.update({name: value for name, value in _path_ids(path, target.victims).items()
                      if path.endswith("{" + name + "}")})
    strategies = [api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    if fixed:
        strategies.append(api_operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=fixed))
    statuses = run_examples(strategies, base_url=target.url, session=target.session, headers=target.headers,
                            checks=CHECKS, max_examples=MAX_EXAMPLES)
    if fixed:
        # Some requests got past the lookups: the real ids were used.
        assert any(status != 404 for status in statuses), statuses
