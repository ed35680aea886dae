"""Profiles through the official client: create (identity-resolved upsert), fetch, PATCH,
delete, list, flattened traits, typed validation, redirects of merged ids, erasure."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select, text
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest.memory.v1.bulk import BulkList
from twilio.rest.memory.v1.profile import ProfileList

from convmem.storage.db import Database
from tests.support.profiles import add_group, contact, create_profile, wait_operation


def test_create_fetch_patch_list(v1: Any, store_id: str, http: httpx.Client) -> None:
    pid = create_profile(v1, store_id, contact(email="Alyssa.Mock@Example.com", firstName="Alyssa"))
    # The same identifier resolves to the same profile (an upsert), with traits merged.
    again = create_profile(v1, store_id, contact(email="alyssa.mock@example.com", lastName="Mock"))
    assert again == pid

    fetched = v1.profiles(store_id, pid).fetch()
    assert fetched.id == pid and fetched.created_at is not None
    assert fetched.traits == {"Contact": {"email": "alyssa.mock@example.com", "firstName": "Alyssa",
                                          "lastName": "Mock"}}

    v1.profiles(store_id, pid).patch(ProfileList.ProfilePatch({"traits": {"Contact": {"city": "Boston"}}}))
    # A raw null removes a trait (the official client strips None, so use plain HTTP).
    resp = http.patch(f"/v1/Stores/{store_id}/Profiles/{pid}", json={"traits": {"Contact": {"firstName": None}}})
    assert resp.status_code == 202 and resp.json() == {"message": "Trait modifications accepted for processing."}
    raw = http.get(f"/v1/Stores/{store_id}/Profiles/{pid}")
    assert raw.headers["Canonical-Profile-Id"] == pid
    assert raw.json()["traits"]["Contact"] == {"email": "alyssa.mock@example.com", "lastName": "Mock",
                                               "city": "Boston"}

    other = create_profile(v1, store_id, contact(phone="(317) 555-1234"))
    assert list(v1.profiles(store_id).list()) == [other, pid]  # newest first, bare ids
    assert list(v1.profiles(store_id).list(order_by="ASC", page_size=1)) == [pid, other]


def test_trait_groups_filter_and_traits_list(v1: Any, store_id: str, http: httpx.Client) -> None:
    add_group(http, store_id, "Loyalty", {"tier": {"dataType": "STRING"}, "points": {"dataType": "NUMBER"}})
    pid = create_profile(v1, store_id, {"Contact": {"email": "t@example.com"},
                                        "Loyalty": {"tier": "gold", "points": 120}})
    only = v1.profiles(store_id, pid).fetch(trait_groups="Loyalty")
    assert only.traits == {"Loyalty": {"tier": "gold", "points": 120}}

    traits = list(v1.traits(store_id, pid).list(page_size=2))
    assert {(t.trait_group, t.name, str(t.value)) for t in traits} == {
        ("Contact", "email", "t@example.com"), ("Loyalty", "tier", "gold"), ("Loyalty", "points", "120")}
    assert all(t.timestamp is not None for t in traits)
    loyalty = list(v1.traits(store_id, pid).list(trait_groups="Loyalty"))
    assert {t.name for t in loyalty} == {"tier", "points"}
    resp = http.get(f"/v1/Stores/{store_id}/Profiles/{pid}/Traits", params={"pageSize": 1})
    assert resp.headers["Canonical-Profile-Id"] == pid
    assert resp.json()["meta"]["key"] == "traits" and resp.json()["meta"]["nextToken"]


def _error(excinfo: pytest.ExceptionInfo[TwilioRestException]) -> tuple[int, str]:
    return excinfo.value.status, str(excinfo.value.msg)


def test_typed_validation(v1: Any, store_id: str, http: httpx.Client) -> None:
    add_group(http, store_id, "Prefs", {
        "code": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "pattern": "[A-Z]{3}",
                                                          "minLength": 3, "maxLength": 3}},
        "age": {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 0, "max": 150}},
        "optIn": {"dataType": "BOOLEAN"},
        "tags": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "minItems": 1, "maxItems": 2}},
    })
    ok = {"Contact": {"email": "v@example.com"}, "Prefs": {"code": "ABC", "age": 30, "optIn": True, "tags": ["a"]}}
    pid = create_profile(v1, store_id, ok)
    bad_values = [
        ({"code": "abc"}, "pattern"), ({"code": 5}, "string"), ({"age": 151}, "at most"), ({"age": "3"}, "number"),
        ({"age": True}, "number"), ({"optIn": "yes"}, "true or false"), ({"tags": ["a", "b", "c"]}, "at most"),
        ({"tags": [["nested"]]}, "array"), ({"tags": []}, "at least"),
    ]
    for prefs, hint in bad_values:
        with pytest.raises(TwilioRestException) as exc:
            v1.profiles(store_id).create(ProfileList.ProfileData(
                {"traits": {"Contact": {"email": "v@example.com"}, "Prefs": prefs}}))
        status, msg = _error(exc)
        assert status == 400 and hint in msg, (prefs, msg)
        with pytest.raises(TwilioRestException) as exc:
            v1.profiles(store_id, pid).patch(ProfileList.ProfilePatch({"traits": {"Prefs": prefs}}))
        assert exc.value.status == 400
    # Undeclared groups and traits are named in the error, on create, PATCH and bulk alike.
    for traits, name in [({"Nope": {"x": 1}}, "'Nope'"), ({"Prefs": {"shoeSize": 1}}, "Prefs.shoeSize")]:
        with pytest.raises(TwilioRestException) as exc:
            v1.profiles(store_id).create(ProfileList.ProfileData({"traits": {**traits, **contact(email="v@x.io")}}))
        assert exc.value.status == 400 and name in str(exc.value.msg)
        with pytest.raises(TwilioRestException) as exc:
            v1.profiles(store_id, pid).patch(ProfileList.ProfilePatch({"traits": traits}))
        assert exc.value.status == 400 and name in str(exc.value.msg)
        resp = http.put(f"/v1/Stores/{store_id}/Profiles/Bulk", json={"profiles": [{"traits": traits}]})
        assert resp.status_code == 400 and name in resp.json()["message"]
    # At least one promoted identifier is required, and it must normalize.
    for traits in [{"Contact": {"firstName": "NoId"}}, contact(phone="12"), contact(email="not-an-email")]:
        with pytest.raises(TwilioRestException) as exc:
            v1.profiles(store_id).create(ProfileList.ProfileData({"traits": traits}))
        assert exc.value.status == 400
    # Nothing of the rejected writes was stored.
    assert v1.profiles(store_id, pid).fetch().traits["Prefs"] == ok["Prefs"]
    assert list(v1.profiles(store_id).list()) == [pid]


def test_lookup(v1: Any, store_id: str, http: httpx.Client) -> None:
    from twilio.rest.memory.v1.lookup import LookupList

    pid = create_profile(v1, store_id, contact(phone="+13175556789"))
    found = v1.lookup(store_id).create(LookupList.Identifier({"idType": "phone", "value": "1-317-555-6789"}))
    assert found.normalized_value == "+13175556789" and found.profiles == [pid]
    miss = v1.lookup(store_id).create(LookupList.Identifier({"idType": "email", "value": " Nobody@X.io"}))
    assert miss.normalized_value == "nobody@x.io" and miss.profiles == []
    with pytest.raises(TwilioRestException) as exc:
        v1.lookup(store_id).create(LookupList.Identifier({"idType": "fax", "value": "1"}))
    assert exc.value.status == 400
    # Lookup and the other literal segments are not profile ids.
    assert http.get(f"/v1/Stores/{store_id}/Profiles/Imports").json()["meta"]["key"] == "imports"


def test_merge_redirects(v1: Any, store_id: str, http: httpx.Client) -> None:
    a = create_profile(v1, store_id, contact(email="a@example.com", firstName="A"))
    b = create_profile(v1, store_id, contact(phone="+13175550001", lastName="B"))
    c = create_profile(v1, store_id, contact(phone="+13175550002"))
    # Matches a (email) and b (phone): they merge into the earliest id.
    merged = create_profile(v1, store_id, contact(email="a@example.com", phone="+13175550001"))
    assert merged == a
    assert v1.profiles(store_id, a).fetch().traits["Contact"] == {
        "email": "a@example.com", "firstName": "A", "lastName": "B", "phone": "+13175550001"}
    # Then c joins through its phone; b's alias is re-pointed so the chain resolves in one hop.
    assert create_profile(v1, store_id, contact(phone="+13175550002", email="a@example.com")) == a

    for moved in (b, c):
        url = f"/v1/Stores/{store_id}/Profiles/{moved}"
        expected = f"{http.base_url}{url.replace(moved, a)}".replace("//v1", "/v1")
        resp = http.get(url, params={"traitGroups": "Contact"})
        assert resp.status_code == 301
        assert resp.headers["Canonical-Profile-Id"] == a
        assert resp.json() == {"message": "This resource has moved.", "uri": expected + "?traitGroups=Contact"}
        assert resp.headers["Location"] == resp.json()["uri"]
        for method, path in [("PATCH", ""), ("DELETE", ""), ("POST", "/Identifiers"),
                             ("DELETE", "/Identifiers/email"), ("PATCH", "/Identifiers/email")]:
            body = {"traits": {}} if method == "PATCH" and not path else None
            if path == "/Identifiers":
                body = {"idType": "email", "value": "z@example.com"}
            if method == "PATCH" and path:
                body = {"idType": "email", "oldValue": "a@example.com", "newValue": "q@example.com"}
            r = http.request(method, url + path, json=body)
            assert r.status_code == 308, (method, path, r.text)
            assert r.headers["Canonical-Profile-Id"] == a and r.json()["uri"] == expected + path
        for path in ("/Traits", "/Identifiers", "/Identifiers/email"):
            assert http.get(url + path).status_code == 301
    # The official client: a 301 fetch gives an instance with the message; lists raise; writes get 308.
    instance = v1.profiles(store_id, b).fetch()
    assert instance.id is None and instance.message == "This resource has moved."
    with pytest.raises(TwilioException):
        list(v1.traits(store_id, b).list())
    with pytest.raises(TwilioRestException) as exc:
        v1.profiles(store_id, b).patch(ProfileList.ProfilePatch({"traits": {"Contact": {"city": "X"}}}))
    assert exc.value.status == 308
    assert list(v1.profiles(store_id).list()) == [a]


def test_delete_erases_every_trace(v1: Any, store_id: str, http: httpx.Client, db: Database) -> None:
    add_group(http, store_id, "Extra", {"note": {"dataType": "STRING"}})
    keep = create_profile(v1, store_id, contact(email="keep@example.com"))
    canonical = create_profile(v1, store_id, contact(phone="+13175550100", firstName="Gone"))
    alias = create_profile(v1, store_id, {"Contact": {"email": "gone@example.com"}, "Extra": {"note": "n"}})
    assert create_profile(v1, store_id, contact(email="gone@example.com", phone="+13175550100")) == canonical
    # A bulk upsert reaches it too (job rows must not keep its data either).
    accepted = v1.bulk(store_id).update(BulkList.UpdateProfilesBulkRequest(
        {"profiles": [{"traits": contact(email="gone@example.com", city="Nowhere")}]}))
    assert wait_operation(v1, accepted.operation_id).status == "COMPLETED"
    assert v1.profiles(store_id, canonical).fetch().traits["Contact"]["city"] == "Nowhere"
    assert v1.profiles(store_id, canonical).delete() == {"message": "Profile accepted for deletion."}
    with pytest.raises(TwilioRestException) as exc:
        v1.profiles(store_id, canonical).fetch()
    assert exc.value.status == 404
    assert http.get(f"/v1/Stores/{store_id}/Profiles/{alias}").status_code == 404
    # No table, whoever owns it, holds either id any more.
    with db.read() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(select(text("*")).select_from(text(f'"{table}"'))):
                blob = repr(tuple(row))
                assert canonical not in blob and alias not in blob, (table, row)
                assert "gone@example.com" not in blob and "Nowhere" not in blob, (table, row)
    assert list(v1.profiles(store_id).list()) == [keep]
    from twilio.rest.memory.v1.lookup import LookupList

    found = v1.lookup(store_id).create(LookupList.Identifier({"idType": "phone", "value": "+13175550100"}))
    assert found.profiles == []


def test_deleted_trait_definitions_take_their_values(v1: Any, store_id: str, http: httpx.Client) -> None:
    add_group(http, store_id, "Temp", {"a": {"dataType": "STRING"}, "b": {"dataType": "BOOLEAN"}})
    pid = create_profile(v1, store_id, {"Contact": {"email": "d@example.com"}, "Temp": {"a": "x", "b": True}})
    resp = http.patch(f"/v1/ControlPlane/Stores/{store_id}/TraitGroups/Temp", json={"traits": {"a": {"dataType": ""}}})
    assert resp.status_code == 202, resp.text
    assert v1.profiles(store_id, pid).fetch().traits["Temp"] == {"b": True}
    assert http.delete(f"/v1/ControlPlane/Stores/{store_id}/TraitGroups/Temp").status_code == 202
    assert v1.profiles(store_id, pid).fetch().traits == {"Contact": {"email": "d@example.com"}}
