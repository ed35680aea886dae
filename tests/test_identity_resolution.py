"""Identity resolution end to end: rule order and merges into the earliest profile, compound
(non-unique) identifiers, fuzzy matching thresholds, newest-wins traits, and uniqueness under
concurrent creates."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from twilio.rest import Client
from twilio.rest.memory.v1.lookup import LookupList
from twilio.rest.memory.v1.profile import ProfileList

from tests.support.credentials import Credentials
from tests.support.inprocess import AppServer
from tests.support.live import LiveServer, start_server, stop_server
from tests.support.profiles import add_group, configure_identity, contact, create_profile


def _ids(v1: Any, store_id: str) -> list[str]:
    return list(v1.profiles(store_id).list(order_by="ASC"))


def test_rules_merge_into_earliest(v1: Any, store_id: str, http: httpx.Client) -> None:
    configure_identity(http, store_id, [
        {"idType": "email", "normalization": "email"}, {"idType": "phone", "normalization": "phone"},
        {"idType": "crm", "normalization": "trim", "enforceUnique": False}], ["phone", "email"])
    add_group(http, store_id, "Ext", {"crmId": {"dataType": "STRING", "idTypePromotion": "crm"}})
    by_phone = create_profile(v1, store_id, contact(phone="+13175550300", firstName="Old"))
    time.sleep(1.1)  # distinct second-precision timestamps for newest-wins
    by_email = create_profile(v1, store_id, contact(email="m@example.com", firstName="New"))
    # The email rule matches the later profile and the phone rule the earlier one: OR-combined,
    # several matches merge into the earliest id whichever rule found it.
    assert create_profile(v1, store_id, contact(email="m@example.com", phone="+13175550300")) == by_phone
    assert _ids(v1, store_id) == [by_phone]
    # Conflicting traits: the most recently written value wins.
    assert v1.profiles(store_id, by_phone).fetch().traits["Contact"]["firstName"] == "New"
    assert by_email not in _ids(v1, store_id)

    # A non-unique type is a compound identifier: one shared value alone does not match...
    a = create_profile(v1, store_id, {"Contact": {"email": "a@example.com"}, "Ext": {"crmId": "C-1"}})
    b = create_profile(v1, store_id, {"Contact": {"email": "b@example.com"}, "Ext": {"crmId": "C-1"}})
    assert a != b
    found = v1.lookup(store_id).create(LookupList.Identifier({"idType": "crm", "value": " C-1 "}))
    assert found.profiles == sorted([a, b])
    # ...but a unique rule still does.
    assert create_profile(v1, store_id, {"Contact": {"email": "a@example.com"}, "Ext": {"crmId": "C-9"}}) == a


def test_fuzzy_matching_threshold(v1: Any, store_id: str, http: httpx.Client) -> None:
    configure_identity(http, store_id, [
        {"idType": "email", "normalization": "email"}, {"idType": "phone", "normalization": "phone"},
        {"idType": "username", "normalization": "email", "matchingAlgo": "fuzzy", "matchingThreshold": 85}],
        ["email", "phone", "username"])
    add_group(http, store_id, "Login", {"user": {"dataType": "STRING", "idTypePromotion": "username"}})
    pid = create_profile(v1, store_id, {"Login": {"user": "jonathan.smith@example.com"}})
    # One letter off (similarity ~96%): the same customer.
    assert create_profile(v1, store_id, {"Login": {"user": "jonathan.smyth@example.com"}}) == pid
    # Too different (below 85%): a new profile.
    other = create_profile(v1, store_id, {"Login": {"user": "jon.s@example.org"}})
    assert other != pid
    found = v1.lookup(store_id).create(LookupList.Identifier({"idType": "username",
                                                              "value": "jonathan.smith@example.co"}))
    assert found.profiles == [pid]
    # Exact types stay exact: a near-identical email is a different customer.
    e1 = create_profile(v1, store_id, contact(email="near@example.com"))
    assert create_profile(v1, store_id, contact(email="neat@example.com")) != e1


def test_concurrent_creates_share_one_profile(server: AppServer, account: Credentials, store_id: str) -> None:
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[BaseException] = []

    def create(n: int) -> None:
        client = server.twilio(account)
        barrier.wait()
        try:
            created = client.memory.v1.profiles(store_id).create(ProfileList.ProfileData(
                {"traits": contact(phone="+1 (317) 555-0777", firstName=f"T{n}")}))
            results.append(created.id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(results) == 8 and len(set(results)) == 1
    client = server.twilio(account)
    assert list(client.memory.v1.profiles(store_id).list()) == results[:1]
    ids = {i.id_type: i.values for i in client.memory.v1.identifiers(store_id, results[0]).list()}
    assert ids == {"phone": ["+13175550777"]}


@pytest.mark.e2e
def test_two_server_processes_never_duplicate(server: LiveServer, account: Credentials, store_id: str,
                                              tmp_path: Path) -> None:
    second = start_server(server.database_url, tmp_path / "second.log")
    try:
        barrier = threading.Barrier(8)
        results: list[str] = []

        def create(n: int) -> None:
            client = Client(account.account_sid, account.auth_token)
            client.memory.base_url = (server if n % 2 else second).url
            barrier.wait()
            created = client.memory.v1.profiles(store_id).create(ProfileList.ProfileData(
                {"traits": contact(email="shared@example.com", phone=f"+1317555{n:04d}")}))
            results.append(created.id)

        threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(results) == 8 and len(set(results)) == 1
        client = Client(account.account_sid, account.auth_token)
        client.memory.base_url = second.url
        assert list(client.memory.v1.profiles(store_id).list()) == results[:1]
        phones = client.memory.v1.identifiers(store_id, results[0], "phone").fetch().values
        assert sorted(phones) == [f"+1317555{n:04d}" for n in range(8)]
    finally:
        stop_server(second)
