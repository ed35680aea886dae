"""Bulk upsert through the official client: durable 202 with a pollable operation, items
resolved like creates, per-item failures reported without failing the rest."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.bulk import BulkList
from twilio.rest.memory.v1.lookup import LookupList

from tests.support.profiles import contact, create_profile, wait_operation


def test_bulk_upsert(v1: Any, store_id: str, http: httpx.Client) -> None:
    existing = create_profile(v1, store_id, contact(email="old@example.com", firstName="Old"))
    items = [
        {"traits": contact(email="old@example.com", lastName="Known")},   # updates the existing profile
        {"traits": contact(email="n1@example.com", phone="+13175550901")},
        {"traits": contact(phone="317 555 0901", city="Indy")},          # same customer as item 1
        {"traits": contact(phone="not a phone")},                        # fails: invalid identifier
        {"traits": {"Contact": {"firstName": "NoIdentifier"}}},          # fails: nothing to resolve on
        {"traits": contact(email="n2@example.com")},
    ]
    accepted = v1.bulk(store_id).update(BulkList.UpdateProfilesBulkRequest({"profiles": items}))
    assert accepted.message == "Profile batch accepted for processing."
    assert accepted.status_url.endswith(f"/v1/ControlPlane/Operations/{accepted.operation_id}")
    op = wait_operation(v1, accepted.operation_id)
    assert op.status == "COMPLETED" and op.result["id"] == accepted.operation_id
    report = http.get(op.result_url).json()
    assert report["succeeded"] == 4 and report["failed"] == 2
    assert [f["index"] for f in report["failures"]] == [3, 4]
    assert all(f["code"] == 520046 and f["message"] for f in report["failures"])

    ids = list(v1.profiles(store_id).list(order_by="ASC"))
    assert len(ids) == 3 and ids[0] == existing
    assert v1.profiles(store_id, existing).fetch().traits["Contact"] == {
        "email": "old@example.com", "firstName": "Old", "lastName": "Known"}
    same = v1.lookup(store_id).create(LookupList.Identifier({"idType": "email", "value": "n1@example.com"}))
    assert v1.profiles(store_id, same.profiles[0]).fetch().traits["Contact"] == {
        "email": "n1@example.com", "phone": "317 555 0901", "city": "Indy"}


def test_bulk_rejects_bad_batches(v1: Any, store_id: str, http: httpx.Client) -> None:
    for profiles in ([], [{"traits": contact(email=f"x{i}@example.com")} for i in range(1001)]):
        with pytest.raises(TwilioRestException) as exc:
            v1.bulk(store_id).update(BulkList.UpdateProfilesBulkRequest({"profiles": profiles}))
        assert exc.value.status == 400
    resp = http.put(f"/v1/Stores/{store_id}/Profiles/Bulk",
                    json={"profiles": [{"traits": contact(email="ok@example.com")},
                                       {"traits": {"Contact": {"shoeSize": 4}}}]})
    assert resp.status_code == 400 and "profiles[1]" in resp.json()["message"]
    assert list(v1.profiles(store_id).list()) == []  # nothing of a rejected batch is applied
