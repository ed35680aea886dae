"""Twilio's published OpenAPI documents for Memory v1 and Conversations v2 (shipped in the npm
package @twilio/cli-core; `make install` unpacks the two documents into .venv/share/twilio-openapi,
never into the repository): every operation they define is served at the same method and path."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from tests.support.inprocess import AppServer

SPEC_DIR = Path(sys.prefix) / "share" / "twilio-openapi"
DOCUMENTS = {"twilio_memory_v1.json": 46, "twilio_conversations_v2.json": 22}
IN_CI = bool(os.environ.get("CI") or os.environ.get("CONVMEM_REQUIRE_POSTGRES"))
METHODS = ("get", "post", "put", "patch", "delete")


def _template(path: str) -> str:
    """A path with its parameter names erased: /v1/Stores/{storeId} and /v1/Stores/{id} are one route."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def _official(name: str) -> dict:
    path = SPEC_DIR / name
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing: `make install` unpacks it from @twilio/cli-core")
        pytest.skip(f"{path} is missing (npm was not available to `make install`)")
    return json.loads(path.read_text())


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_operation_of_the_official_document_is_served(name: str, app_server: AppServer) -> None:
    document = _official(name)
    official = {(method.upper(), _template(path)) for path, item in document["paths"].items()
                for method in item if method in METHODS}
    assert len(official) == DOCUMENTS[name]
    # The operations of the server's own generated document (every API route is in it).
    served = {(method.upper(), _template(path)) for path, item in app_server.app.openapi()["paths"].items()
              for method in item if method in METHODS}
    assert sorted(official - served) == []
