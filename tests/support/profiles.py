"""Helpers shared by the profile, identifier and import tests: configure a store through the
control plane and create profiles through the official client."""

from __future__ import annotations

import time
from typing import Any

import httpx
from twilio.rest.memory.v1.profile import ProfileList


def configure_identity(http: httpx.Client, store_id: str, configs: list[dict[str, Any]], rules: list[str]) -> None:
    resp = http.put(f"/v1/ControlPlane/Stores/{store_id}/IdentityResolutionSettings",
                    json={"identifierConfigs": configs, "matchingRules": rules})
    assert resp.status_code == 202, resp.text


def add_group(http: httpx.Client, store_id: str, name: str, traits: dict[str, Any]) -> None:
    resp = http.post(f"/v1/ControlPlane/Stores/{store_id}/TraitGroups",
                     json={"displayName": name, "traits": traits})
    assert resp.status_code == 202, resp.text


def create_profile(v1: Any, store_id: str, traits: dict[str, Any]) -> str:
    created = v1.profiles(store_id).create(ProfileList.ProfileData({"traits": traits}))
    assert created.id and created.id.startswith("mem_profile_"), created.message
    return str(created.id)


def contact(**values: Any) -> dict[str, Any]:
    return {"Contact": values}


def wait_operation(v1: Any, operation_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        op = v1.operations(operation_id).fetch()
        if op.status in ("COMPLETED", "FAILED"):
            return op
        time.sleep(0.05)
    raise AssertionError(f"operation {operation_id} did not finish")
