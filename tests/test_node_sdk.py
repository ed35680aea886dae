"""The official Node.js client (npm ``twilio``, installed in tests/node) patches a trait group
on the live server; the result is checked through the Python SDK."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from twilio.rest.memory.v1.trait_group import TraitGroupList

from tests.support.credentials import Credentials
from tests.support.live import LiveServer
from tests.support.wire import operation_id
from tests.test_sdk_stores import completed, new_store

# End to end: the official Node.js client (a separate process) against a real server.
pytestmark = pytest.mark.e2e

NODE_DIR = Path(__file__).with_name("node")
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed, so the npm twilio client cannot run")
def test_node_client_patches_trait_group(v1: Any, server: LiveServer, account: Credentials) -> None:
    assert (NODE_DIR / "node_modules" / "twilio").is_dir(), "run `npm ci` in tests/node first"
    store = new_store(v1)
    completed(v1, v1.trait_groups(store).create(TraitGroupList.TraitGroupRequest(
        {"displayName": "Rewards", "description": "Loyalty programme"})))

    # TWILIO_REGION/TWILIO_EDGE would make the client rewrite the host name.
    env = {k: v for k, v in os.environ.items() if k not in ("TWILIO_REGION", "TWILIO_EDGE")}
    env.update(TWILIO_ACCOUNT_SID=account.account_sid, TWILIO_AUTH_TOKEN=account.auth_token)
    run = subprocess.run([str(NODE), "patch_trait_group.mjs", server.url, store, "Rewards"], cwd=NODE_DIR,
                         env=env, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout.strip().splitlines()[-1])

    assert printed["message"] == "TraitGroup update request accepted."
    assert printed["statusUrl"].startswith(f"{server.url}/v1/ControlPlane/Operations/")
    op = v1.operations(operation_id(printed["statusUrl"])).fetch()
    assert op.status == "COMPLETED"
    assert op.result == {"type": "RESOURCE_ID", "id": "Rewards"}

    group = v1.trait_groups(store, "Rewards").fetch(order_by="ASC").trait_group
    assert group == {
        "displayName": "Rewards",
        "description": "Contact channels and loyalty",
        "traits": {
            "phone": {"dataType": "STRING", "description": "Preferred phone number in E.164",
                      "validationRule": {"ruleType": "STRING", "pattern": "^\\+[1-9][0-9]{1,14}$", "maxLength": 16}},
            "loyaltyPoints": {"dataType": "NUMBER", "description": "Points balance",
                              "validationRule": {"ruleType": "NUMBER", "min": 0}},
        },
        "version": 2,
    }
