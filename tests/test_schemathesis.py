"""Schemathesis against the (in-process) server's own /openapi.json: for every control-plane operation,
bounded positive and negative examples (with real store, trait-group and data-mapping ids
substituted for half of them, so requests get past the 404s) must never produce a 5xx, and the
responses must match the document (status codes, content types, response schemas)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from convmem.storage.db import Database
from tests.support.credentials import new_account
from tests.support.fuzzing import run_examples
from tests.support.inprocess import AppServer
from tests.support.wire import STORES, create_group, create_mapping, new_store

# Examples per operation and generation mode: 38 cases x 10 examples stays well under a minute.
MAX_EXAMPLES = 10
CP = "/v1/ControlPlane"
OPERATIONS = [
    ("GET", "/healthz"), ("GET", "/readyz"),
    ("GET", f"{CP}/Stores"), ("POST", f"{CP}/Stores"),
    ("GET", f"{CP}/Stores/{{storeId}}"), ("PATCH", f"{CP}/Stores/{{storeId}}"), ("DELETE", f"{CP}/Stores/{{storeId}}"),
    ("GET", f"{CP}/Stores/{{storeId}}/IdentityResolutionSettings"),
    ("PUT", f"{CP}/Stores/{{storeId}}/IdentityResolutionSettings"),
    ("GET", f"{CP}/Stores/{{storeId}}/TraitGroups"), ("POST", f"{CP}/Stores/{{storeId}}/TraitGroups"),
    ("GET", f"{CP}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}"),
    ("PATCH", f"{CP}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}"),
    ("DELETE", f"{CP}/Stores/{{storeId}}/TraitGroups/{{traitGroupName}}"),
    ("GET", f"{CP}/Stores/{{storeId}}/DataMappings"), ("POST", f"{CP}/Stores/{{storeId}}/DataMappings"),
    ("GET", f"{CP}/Stores/{{storeId}}/DataMappings/{{dataMappingId}}"),
    ("PATCH", f"{CP}/Stores/{{storeId}}/DataMappings/{{dataMappingId}}"),
    ("DELETE", f"{CP}/Stores/{{storeId}}/DataMappings/{{dataMappingId}}"),
    ("GET", f"{CP}/Operations/{{operationId}}"),
]
POSITIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_headers_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                   response_headers_conformance]


@dataclass
class Target:
    url: str
    session: requests.Session  # sends to the in-process server
    schema: Any
    headers: dict[str, str]
    ids: dict[str, str]  # real ids for the path parameters
    victims: dict[str, str]  # real ids that DELETE may consume


@pytest.fixture(scope="module")
def target(app_server: AppServer, db: Database) -> Iterator[Target]:
    issued = new_account(db)
    with app_server.http(issued) as http:
        store_id, victim_store = new_store(http, "fuzzed"), new_store(http, "fuzz-victim")
        for name in ("Fuzzed", "Victim"):
            create_group(http, store_id, name, {"a": {"dataType": "STRING"}})
        mapping_id, victim_mapping = create_mapping(http, store_id, "fuzzed", "Fuzzed", "a"), create_mapping(
            http, store_id, "victim", "Fuzzed", "a")
        op_id = http.patch(f"{STORES}/{store_id}", json={}).headers["Operation-Id"]
        doc = http.get("/openapi.json").json()
    token = base64.b64encode(f"{issued.account_sid}:{issued.auth_token}".encode()).decode()
    yield Target(
        url=app_server.url,
        session=app_server.requests_session(),
        schema=schemathesis.openapi.from_dict(doc),
        headers={"Authorization": f"Basic {token}"},
        ids={"storeId": store_id, "traitGroupName": "Fuzzed", "dataMappingId": mapping_id, "operationId": op_id},
        victims={"storeId": victim_store, "traitGroupName": "Victim", "dataMappingId": victim_mapping},
    )


def test_the_list_covers_every_control_plane_operation(target: Target) -> None:
    documented = {(method.upper(), path) for path, item in target.schema.raw_schema["paths"].items()
                  for method in item if path.startswith(CP) or path in ("/healthz", "/readyz")}
    assert documented == set(OPERATIONS)


# The probes take no input at all, so there is nothing negative to generate for them.
CASES = [pytest.param(method, path, mode, id=f"{method} {path.removeprefix(CP)} {mode.value}")
         for method, path in OPERATIONS for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if path.startswith(CP) or mode == GenerationMode.POSITIVE]


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_server_errors(target: Target, method: str, path: str, mode: GenerationMode) -> None:
    api_operation = target.schema[path][method]
    names = {p.name for p in api_operation.path_parameters}
    fixed = {name: target.ids[name] for name in names if name in target.ids}
    last = path.rsplit("/", 1)[1].strip("{}")
    if method == "DELETE" and last in target.victims:
        fixed[last] = target.victims[last]  # DELETE consumes its own resource, not the shared one
    strategies = [api_operation.as_strategy(generation_mode=mode)]
    if fixed:
        strategies.append(api_operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    checks = POSITIVE_CHECKS if mode == GenerationMode.POSITIVE else NEGATIVE_CHECKS
    statuses = run_examples(strategies, base_url=target.url, session=target.session, headers=target.headers,
                            checks=checks, max_examples=MAX_EXAMPLES)
    if fixed:
        # Some requests got past the lookups: the real ids were used.
        assert any(status != 404 for status in statuses), statuses
