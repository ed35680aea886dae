"""Trait groups through the official Python SDK against the live server."""

from __future__ import annotations

from typing import Any

import pytest
from twilio.rest.memory.v1.trait_group import TraitGroupList

from tests.support.live import LiveServer
from tests.test_sdk_stores import ETAG_412, completed, header, new_store, page_error, rest_error

# End to end: the official Python SDK against a real server process (the contract).
pytestmark = pytest.mark.e2e

# The contract's CreateTraitGroup example: one trait of every data type, each with its rule.
MIXED_TRAITS: dict[str, dict[str, Any]] = {
    "email": {"dataType": "STRING", "description": "User's email address",
              "validationRule": {"ruleType": "STRING", "pattern": r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$",
                                 "minLength": 5, "maxLength": 254}},
    "age": {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 0, "max": 150}},
    "isSubscribed": {"dataType": "BOOLEAN", "validationRule": {"ruleType": "BOOLEAN"}},
    "favoriteColors": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "minItems": 1, "maxItems": 10}},
}
CONTACT_TRAITS = ["email", "phone", "firstName", "lastName", "street", "city", "state", "postalCode", "country",
                  "preferredLanguage"]


@pytest.fixture
def store(v1: Any) -> str:
    return new_store(v1)


def create_group(v1: Any, store: str, name: str, traits: dict[str, Any], description: str | None = None) -> Any:
    body: dict[str, Any] = {"displayName": name, "traits": traits}
    if description is not None:
        body["description"] = description
    return completed(v1, v1.trait_groups(store).create(TraitGroupList.TraitGroupRequest(body)))


def patch_request(body: dict[str, Any]) -> Any:
    return TraitGroupList.PatchTraitGroupRequest(body)


def test_create_and_fetch_group(v1: Any, store: str, server: LiveServer) -> None:
    created = v1.trait_groups(store).create_with_http_info(TraitGroupList.TraitGroupRequest(
        {"displayName": "mixedTraits", "description": "Every trait type", "traits": MIXED_TRAITS}))
    assert created.status_code == 202
    assert created.data.message == "TraitGroup creation request accepted."
    op = completed(v1, created)
    assert op.operation_id == header(created, "Operation-Id")
    assert op.result == {"type": "RESOURCE_ID", "id": "mixedTraits"}
    assert op.result_url == f"{server.url}/v1/ControlPlane/Stores/{store}/TraitGroups/mixedTraits"

    fetched = v1.trait_groups(store, "mixedTraits").fetch_with_http_info()
    group = fetched.data.trait_group
    assert group == {"displayName": "mixedTraits", "description": "Every trait type", "traits": MIXED_TRAITS,
                     "version": 1}
    # Traits are paged by when they were defined, newest first unless orderBy=ASC.
    assert list(group["traits"]) == list(reversed(MIXED_TRAITS))
    ascending = v1.trait_groups(store, "mixedTraits").fetch(order_by="ASC").trait_group["traits"]
    assert list(ascending) == list(MIXED_TRAITS)
    assert fetched.data.meta == {"key": "traits", "pageSize": 50}  # the page size in effect (default)
    assert header(fetched, "ETag").startswith('"')

    bare = v1.trait_groups(store, "mixedTraits").fetch(include_traits=False).trait_group
    assert bare == {"displayName": "mixedTraits", "description": "Every trait type", "version": 1}


def test_list_groups(v1: Any, store: str) -> None:
    create_group(v1, store, "mixedTraits", MIXED_TRAITS)
    create_group(v1, store, "Loyalty", {"tier": {"dataType": "STRING"}}, "Loyalty programme")

    groups = v1.trait_groups(store).list()  # includeTraits defaults to false
    assert [g.display_name for g in groups] == ["Loyalty", "mixedTraits", "Contact"]  # newest first
    assert all(g.traits is None for g in groups)
    assert [g.version for g in groups] == [1, 1, 1]
    assert groups[0].description == "Loyalty programme"

    with_traits = v1.trait_groups(store).list(include_traits=True, order_by="ASC")
    assert [g.display_name for g in with_traits] == ["Contact", "mixedTraits", "Loyalty"]
    contact, mixed, loyalty = with_traits
    assert list(contact.traits) == CONTACT_TRAITS
    assert contact.traits["email"]["idTypePromotion"] == "email"
    assert mixed.traits == MIXED_TRAITS and loyalty.traits == {"tier": {"dataType": "STRING"}}
    assert all(g.traits is None for g in v1.trait_groups(store).list(include_traits=False))

    # Pages of one group; includeTraits and the order ride in the token, which is all the
    # *_with_http_info variants send after the first page.
    paged = v1.trait_groups(store).list(include_traits=True, page_size=1)
    assert [(g.display_name, g.traits is not None) for g in paged] == [
        ("Loyalty", True), ("mixedTraits", True), ("Contact", True)]
    first = v1.trait_groups(store).page(page_size=2)
    assert [g.display_name for g in first] == ["Loyalty", "mixedTraits"] and first.key == "traitGroups"
    assert [g.display_name for g in first.next_page()] == ["Contact"]
    listed = v1.trait_groups(store).list_with_http_info(include_traits=True, order_by="ASC", page_size=1)
    assert listed.status_code == 200
    assert [(g.display_name, g.traits is not None) for g in listed.data] == [
        ("Contact", True), ("mixedTraits", True), ("Loyalty", True)]
    assert [g.display_name for g in v1.trait_groups(store).list(limit=2)] == ["Loyalty", "mixedTraits"]


def test_fetch_pages_through_traits(v1: Any, store: str) -> None:
    contact = v1.trait_groups(store, "Contact")
    seen: list[str] = []
    token = None
    sizes = []
    while True:
        group = contact.fetch(page_size=4, order_by="ASC", **({"page_token": token} if token else {}))
        assert group.trait_group["displayName"] == "Contact" and group.meta["key"] == "traits"
        sizes.append(len(group.trait_group["traits"]))
        assert group.meta["pageSize"] == 4  # the page size in effect, also on the short last page
        seen.extend(group.trait_group["traits"])
        token = group.meta.get("nextToken")
        if not token:
            break
    assert sizes == [4, 4, 2]
    assert seen == CONTACT_TRAITS  # every trait once, in the order they were defined

    newest = contact.fetch(page_size=3)  # DESC by default: the last-defined traits first
    assert list(newest.trait_group["traits"]) == ["preferredLanguage", "country", "postalCode"]
    assert newest.meta["nextToken"] and "previousToken" not in newest.meta
    assert contact.fetch(page_size=500).meta == {"key": "traits", "pageSize": 100}  # clamped to the cap, one page
    assert rest_error(contact.fetch, page_token="forged.token").status == 400


def test_patch_merges_definitions(v1: Any, store: str) -> None:
    create_group(v1, store, "Preferences", {
        "tier": {"dataType": "STRING", "description": "Loyalty tier"},
        "points": {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 0}},
        "optIn": {"dataType": "BOOLEAN"},
    }, "Customer preferences")
    ctx = v1.trait_groups(store, "Preferences")
    before = ctx.fetch_with_http_info()
    etag_v1 = header(before, "ETag")

    patched = ctx.patch_with_http_info(patch_request({
        "description": "Preferences and loyalty",
        "traits": {
            "tier": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "maxItems": 3}},  # replaced
            "optIn": {"dataType": ""},  # deleted
            "favorite_channel": {"dataType": "STRING", "description": "SMS, email, ..."},  # added, renamed
        },
    }), if_match=etag_v1)
    assert patched.status_code == 202 and patched.data.message == "TraitGroup update request accepted."
    assert completed(v1, patched).result == {"type": "RESOURCE_ID", "id": "Preferences"}

    after = ctx.fetch_with_http_info()
    assert after.data.trait_group == {
        "displayName": "Preferences",
        "description": "Preferences and loyalty",
        "traits": {
            "tier": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "maxItems": 3}},
            "points": {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 0}},
            "favoriteChannel": {"dataType": "STRING", "description": "SMS, email, ..."},
        },
        "version": 2,
    }
    etag_v2 = header(after, "ETag")
    assert etag_v2 != etag_v1

    stale = rest_error(ctx.patch, patch_request({"description": "lost update", "traits": {"points": {"dataType": ""}}}),
                       if_match=etag_v1)
    assert (stale.status, stale.code) == (412, ETAG_412)
    unchanged = ctx.fetch_with_http_info()
    assert unchanged.data.trait_group == after.data.trait_group and header(unchanged, "ETag") == etag_v2

    # Description only: traits untouched; deleting a trait the group lacks is a no-op.
    completed(v1, ctx.patch(patch_request({"description": "Short", "traits": {"neverDefined": {"dataType": ""}}})))
    group = ctx.fetch(order_by="ASC").trait_group  # a replaced trait keeps its place; new ones go last
    assert (group["description"], group["version"], list(group["traits"])) == (
        "Short", 3, ["tier", "points", "favoriteChannel"])


def test_patch_refusals(v1: Any, store: str) -> None:
    contact = v1.trait_groups(store, "Contact")
    protected = rest_error(contact.patch, patch_request({"traits": {"email": {"dataType": ""}}}))
    assert (protected.status, protected.code) == (400, 520050)
    mismatch = rest_error(contact.patch, patch_request(
        {"traits": {"nickname": {"dataType": "STRING", "validationRule": {"ruleType": "NUMBER", "max": 3}}}}))
    assert (mismatch.status, mismatch.code) == (400, 520046)
    # New traits may still be added to Contact.
    completed(v1, contact.patch(patch_request({"traits": {"nickname": {"dataType": "STRING"}}})))
    assert list(contact.fetch(page_size=100).trait_group["traits"]) == ["nickname", *reversed(CONTACT_TRAITS)]

    missing = rest_error(v1.trait_groups(store, "Nope").patch, patch_request({"description": "x"}))
    assert (missing.status, missing.code) == (404, 520047)


def test_create_refusals(v1: Any, store: str) -> None:
    groups = v1.trait_groups(store)

    def refused(body: dict[str, Any]) -> tuple[int, int]:
        error = rest_error(groups.create, TraitGroupList.TraitGroupRequest(body))
        return error.status, error.code

    assert refused({"displayName": "Contact"}) == (400, 520055)  # duplicate name
    assert refused({"displayName": "has spaces"}) == (400, 520046)
    assert refused({"displayName": "Empty", "traits": {"gone": {"dataType": ""}}}) == (400, 520046)
    assert refused({"displayName": "Bad", "traits": {"n": {"dataType": "STRING",
                                                          "validationRule": {"ruleType": "BOOLEAN"}}}}) == (400, 520046)
    assert refused({"displayName": "Bad", "traits": {"n": {"dataType": "STRING",
                                                          "idTypePromotion": "fax"}}}) == (400, 520046)
    assert refused({"displayName": "Bad", "traits": {"n": {"dataType": "NUMBER", "validationRule": {
        "ruleType": "NUMBER", "min": 5, "max": 1}}}}) == (400, 520046)
    assert [g.display_name for g in groups.list()] == ["Contact"]  # nothing half-created


def test_delete_group(v1: Any, store: str) -> None:
    create_group(v1, store, "Temporary", {"note": {"dataType": "STRING"}})
    deleted = v1.trait_groups(store, "Temporary").delete_with_http_info()
    assert deleted.status_code == 202
    assert deleted.data["message"] == "TraitGroup deletion request accepted."
    assert completed(v1, deleted).result == {"type": "RESOURCE_ID", "id": "Temporary"}

    gone = rest_error(v1.trait_groups(store, "Temporary").fetch)
    assert (gone.status, gone.code) == (404, 520047)
    assert rest_error(v1.trait_groups(store, "Temporary").delete).code == 520047
    contact = rest_error(v1.trait_groups(store, "Contact").delete)
    assert (contact.status, contact.code) == (409, 520050)
    assert [g.display_name for g in v1.trait_groups(store).list()] == ["Contact"]

    # The name is free again.
    create_group(v1, store, "Temporary", {"other": {"dataType": "BOOLEAN"}})
    assert v1.trait_groups(store, "Temporary").fetch().trait_group["version"] == 1


def test_unknown_store(v1: Any) -> None:
    ghost = "mem_store_" + "0" * 26
    assert page_error(v1.trait_groups(ghost).list) == (404, 520041)
    assert rest_error(v1.trait_groups(ghost, "Contact").fetch).code == 520041
    assert rest_error(v1.trait_groups("mem_store_bad", "Contact").fetch).code == 520049
