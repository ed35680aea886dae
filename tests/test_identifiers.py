"""The Identifiers API through the official client: list, add, fetch, replace, delete,
limits with FIFO/LIFO eviction, and merges triggered by shared unique values."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest.memory.v1.identifier import IdentifierList
from twilio.rest.memory.v1.profile import ProfileList

from tests.support.profiles import configure_identity, contact, create_profile


def _add(v1: Any, store_id: str, pid: str, id_type: str, value: str) -> None:
    v1.identifiers(store_id, pid).create(IdentifierList.Identifier({"idType": id_type, "value": value}))


def _values(v1: Any, store_id: str, pid: str, id_type: str) -> list[str]:
    return list(v1.identifiers(store_id, pid, id_type).fetch().values)


def test_identifier_crud(v1: Any, store_id: str, http: httpx.Client) -> None:
    pid = create_profile(v1, store_id, contact(email="one@example.com"))
    _add(v1, store_id, pid, "email", " Two@Example.com ")
    _add(v1, store_id, pid, "email", "two@example.com")  # already held: a no-op
    _add(v1, store_id, pid, "phone", "317.555.0199")
    listed = {i.id_type: i.values for i in v1.identifiers(store_id, pid).list()}
    assert listed == {"email": ["one@example.com", "two@example.com"], "phone": ["+13175550199"]}
    listed_raw = http.get(f"/v1/Stores/{store_id}/Profiles/{pid}/Identifiers")
    assert listed_raw.json().keys() == {"identifiers"} and listed_raw.headers["Canonical-Profile-Id"] == pid

    v1.identifiers(store_id, pid, "email").patch(IdentifierList.IdentifierUpdate(
        {"idType": "email", "oldValue": "one@example.com", "newValue": "Three@example.com"}))
    assert _values(v1, store_id, pid, "email") == ["two@example.com", "three@example.com"]
    with pytest.raises(TwilioRestException) as exc:  # newValue already on this profile
        v1.identifiers(store_id, pid, "email").patch(IdentifierList.IdentifierUpdate(
            {"idType": "email", "oldValue": "two@example.com", "newValue": "three@example.com"}))
    assert exc.value.status == 409
    with pytest.raises(TwilioRestException) as exc:  # oldValue not stored
        v1.identifiers(store_id, pid, "email").patch(IdentifierList.IdentifierUpdate(
            {"idType": "email", "oldValue": "nine@example.com", "newValue": "ten@example.com"}))
    assert exc.value.status == 404
    with pytest.raises(TwilioRestException) as exc:  # body and path disagree
        v1.identifiers(store_id, pid, "email").patch(IdentifierList.IdentifierUpdate(
            {"idType": "phone", "oldValue": "two@example.com", "newValue": "x@example.com"}))
    assert exc.value.status == 400
    for bad in ({"idType": "fax", "value": "1"}, {"idType": "phone", "value": "12"}):
        with pytest.raises(TwilioRestException) as exc:
            v1.identifiers(store_id, pid).create(IdentifierList.Identifier(bad))
        assert exc.value.status == 400

    # DELETE without removeAll removes one value by policy (fifo: the oldest).
    v1.identifiers(store_id, pid, "email").delete()
    assert _values(v1, store_id, pid, "email") == ["three@example.com"]
    v1.identifiers(store_id, pid, "phone").delete(remove_all=True)
    with pytest.raises(TwilioRestException) as exc:
        v1.identifiers(store_id, pid, "phone").fetch()
    assert exc.value.status == 404
    # Traits are untouched by identifier removal.
    assert v1.profiles(store_id, pid).fetch().traits == {"Contact": {"email": "one@example.com"}}


@pytest.mark.parametrize("policy", ["fifo", "lifo"])
def test_limit_eviction(v1: Any, store_id: str, http: httpx.Client, policy: str) -> None:
    configure_identity(http, store_id, [
        {"idType": "email", "normalization": "email"},
        {"idType": "phone", "normalization": "phone", "limit": 2, "limitPolicy": policy}], ["email", "phone"])
    pid = create_profile(v1, store_id, contact(email="e@example.com", phone="+13175550001"))
    _add(v1, store_id, pid, "phone", "+13175550002")
    _add(v1, store_id, pid, "phone", "+13175550003")
    expected = {"fifo": ["+13175550002", "+13175550003"], "lifo": ["+13175550001", "+13175550003"]}[policy]
    assert _values(v1, store_id, pid, "phone") == expected
    # Promoted traits obey the same limit.
    v1.profiles(store_id, pid).patch(ProfileList.ProfilePatch({"traits": contact(phone="+13175550004")}))
    after = {"fifo": ["+13175550003", "+13175550004"], "lifo": [expected[0], "+13175550004"]}[policy]
    assert _values(v1, store_id, pid, "phone") == after
    v1.identifiers(store_id, pid, "phone").delete()
    assert _values(v1, store_id, pid, "phone") == (after[1:] if policy == "fifo" else after[:1])


def test_adding_a_unique_value_held_elsewhere_merges(v1: Any, store_id: str) -> None:
    first = create_profile(v1, store_id, contact(email="first@example.com", firstName="F"))
    second = create_profile(v1, store_id, contact(phone="+13175550111", lastName="S"))
    _add(v1, store_id, second, "email", "FIRST@example.com")
    assert list(v1.profiles(store_id).list()) == [first]
    assert v1.profiles(store_id, first).fetch().traits["Contact"] == {
        "email": "first@example.com", "firstName": "F", "phone": "+13175550111", "lastName": "S"}
    ids = {i.id_type: i.values for i in v1.identifiers(store_id, first).list()}
    assert ids == {"email": ["first@example.com"], "phone": ["+13175550111"]}
