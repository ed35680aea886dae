"""Trait groups over plain HTTP: PATCH merge semantics, If-Match, limits, naming and
protected groups, with the Memory error codes."""

from __future__ import annotations

import httpx
import pytest

from tests.support.wire import (
    STORES,
    assert_accepted,
    assert_error,
    create_group,
    fetch_group,
    groups_path,
    string_traits,
)


def _group(store_id: str, name: str) -> str:
    return f"{groups_path(store_id)}/{name}"


def test_patch_merges_traits_and_bumps_version(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Prefs", {"keep": {"dataType": "STRING", "description": "kept"},
                                           "swap": {"dataType": "STRING", "description": "old",
                                                    "validationRule": {"ruleType": "STRING", "maxLength": 5}},
                                           "drop": {"dataType": "BOOLEAN"}}, description="first")
    before, etag = fetch_group(http, store_id, "Prefs")
    assert before["version"] == 1

    resp = http.patch(_group(store_id, "Prefs"), json={"traits": {
        "swap": {"dataType": "NUMBER"},  # replaced by the complete new definition
        "added": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "maxItems": 3}},
        "drop": {"dataType": ""},  # deleted
        "neverExisted": {"dataType": ""},  # deleting an absent trait is a no-op
    }})
    assert_accepted(resp)
    after, new_etag = fetch_group(http, store_id, "Prefs")
    assert after == {"displayName": "Prefs", "description": "first", "version": 2, "traits": {
        "keep": {"dataType": "STRING", "description": "kept"},
        "swap": {"dataType": "NUMBER"},
        "added": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "maxItems": 3}},
    }}
    assert new_etag != etag

    assert_accepted(http.patch(_group(store_id, "Prefs"), json={"description": "second"}))
    described, _ = fetch_group(http, store_id, "Prefs")
    assert described["description"] == "second" and described["traits"] == after["traits"]
    assert described["version"] == 3
    # An empty body changes nothing but still counts as an update.
    assert_accepted(http.patch(_group(store_id, "Prefs")))
    assert fetch_group(http, store_id, "Prefs")[0]["version"] == 4


def test_display_name_cannot_change(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Fixed")
    assert_error(http.patch(_group(store_id, "Fixed"), json={"displayName": "Renamed"}), 400, 520046,
                 "displayName")
    assert fetch_group(http, store_id, "Fixed")[0]["displayName"] == "Fixed"
    assert_error(http.get(_group(store_id, "Renamed")), 404, 520047)


def test_stale_if_match_is_412_and_changes_nothing(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Guarded", string_traits("a"))
    _, stale = fetch_group(http, store_id, "Guarded")
    assert_accepted(http.patch(_group(store_id, "Guarded"), json={"traits": string_traits("b")},
                               headers={"If-Match": stale}))
    current, etag = fetch_group(http, store_id, "Guarded")
    resp = http.patch(_group(store_id, "Guarded"), json={"description": "lost", "traits": string_traits("c")},
                      headers={"If-Match": stale})
    assert_error(resp, 412, 520043)
    assert fetch_group(http, store_id, "Guarded") == (current, etag)


def test_trait_names_are_normalised_to_lower_camel_case(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Names", {"first_name": {"dataType": "STRING"}, "LastName": {"dataType": "STRING"},
                                           "home city": {"dataType": "STRING"}, "zip": {"dataType": "STRING"}})
    assert set(fetch_group(http, store_id, "Names")[0]["traits"]) == {"firstName", "lastName", "homeCity", "zip"}
    # A PATCH key is normalised too, so it replaces or deletes the existing trait.
    assert_accepted(http.patch(_group(store_id, "Names"), json={"traits": {"first_name": {"dataType": "NUMBER"},
                                                                           "home_city": {"dataType": ""}}}))
    traits = fetch_group(http, store_id, "Names")[0]["traits"]
    assert traits == {"firstName": {"dataType": "NUMBER"}, "lastName": {"dataType": "STRING"},
                      "zip": {"dataType": "STRING"}}
    for bad in ("1st", "___", "-"):
        assert_error(http.post(groups_path(store_id), json={"displayName": "Bad", "traits": string_traits(bad)}),
                     400, 520046, bad)
    assert_error(http.post(groups_path(store_id), json={"displayName": "Bad",
                                                         "traits": string_traits("first_name", "firstName")}),
                 400, 520046, "first_name")


@pytest.mark.parametrize(("body", "field"), [
    ({"displayName": ""}, "displayName"),
    ({"displayName": "x" * 65}, "displayName"),
    ({"displayName": "has space"}, "displayName"),
    ({"displayName": "slash/no"}, "displayName"),
    ({"displayName": "ok", "description": "d" * 1025}, "description"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "DATE"}}}, "traits.a.dataType"),
    ({"displayName": "ok", "traits": {"a": {"dataType": ""}}}, "dataType"),
    ({"displayName": "ok", "traits": {"a": {}}}, "traits.a.dataType"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING", "color": "red"}}}, "traits.a.color"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING", "description": "d" * 1025}}},
     "traits.a.description"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING",
                                            "validationRule": {"ruleType": "NUMBER", "min": 1}}}}, "ruleType"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING",
                                            "validationRule": {"ruleType": "STRING", "pattern": "("}}}}, "pattern"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING",
                                            "validationRule": {"ruleType": "STRING", "pattern": "x" * 1001}}}},
     "pattern"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING",
                                            "validationRule": {"ruleType": "STRING", "minLength": 5,
                                                               "maxLength": 2}}}}, "minLength"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "NUMBER",
                                            "validationRule": {"ruleType": "NUMBER", "minLength": 2}}}},
     "minLength"),
    ({"displayName": "ok", "traits": {"a": {"dataType": "STRING", "idTypePromotion": "fax"}}}, "idTypePromotion"),
    ({"displayName": "ok", "traits": ["a"]}, "traits"),
])
def test_create_rejects_invalid_groups(http: httpx.Client, store_id: str, body: dict[str, object],
                                       field: str) -> None:
    assert_error(http.post(groups_path(store_id), json=body), 400, 520046, field)
    assert [g["displayName"] for g in http.get(groups_path(store_id)).json()["traitGroups"]] == ["Contact"]


def test_patch_accepts_the_delete_marker_but_checks_definitions(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Checked", string_traits("a"))
    path = _group(store_id, "Checked")
    assert_error(http.patch(path, json={"traits": {"a": {"dataType": "BLOB"}}}), 400, 520046, "traits.a.dataType")
    assert_error(http.patch(path, json={"traits": {"b": {"dataType": "BOOLEAN",
                                                         "validationRule": {"ruleType": "STRING"}}}}), 400, 520046)
    assert_error(http.patch(path, json={"description": "d" * 1025}), 400, 520046, "description")
    assert fetch_group(http, store_id, "Checked")[0]["version"] == 1


def test_trait_limit_is_95_in_the_request_and_the_result(http: httpx.Client, store_id: str) -> None:
    many = string_traits(*(f"t{i}" for i in range(96)))
    assert_error(http.post(groups_path(store_id), json={"displayName": "Big", "traits": many}), 400, 520054, "95")
    create_group(http, store_id, "Big", string_traits(*(f"t{i}" for i in range(95))))
    assert_error(http.patch(_group(store_id, "Big"), json={"traits": many}), 400, 520054)
    assert_error(http.patch(_group(store_id, "Big"), json={"traits": string_traits("extra")}), 400, 520054, "95")
    # Deleting one and adding one in the same PATCH stays within the limit.
    assert_accepted(http.patch(_group(store_id, "Big"), json={"traits": {"t0": {"dataType": ""},
                                                                          "extra": {"dataType": "STRING"}}}))
    group, _ = fetch_group(http, store_id, "Big")
    assert len(group["traits"]) == 95 and "extra" in group["traits"] and "t0" not in group["traits"]
    # The built-in Contact group (10 traits) can take 85 more, not 86.
    assert_error(http.patch(_group(store_id, "Contact"), json={"traits": string_traits(*(f"x{i}" for i in range(86)))}),
                 400, 520054)
    assert_accepted(http.patch(_group(store_id, "Contact"),
                               json={"traits": string_traits(*(f"x{i}" for i in range(85)))}))


def test_duplicate_group_name_is_520055(http: httpx.Client, store_id: str) -> None:
    create_group(http, store_id, "Twice")
    assert_error(http.post(groups_path(store_id), json={"displayName": "Twice"}), 400, 520055, "Twice")
    assert_error(http.post(groups_path(store_id), json={"displayName": "Contact"}), 400, 520055)
    create_group(http, store_id, "twice")  # names are case-sensitive identifiers


def test_at_most_50_groups_per_store(http: httpx.Client, store_id: str) -> None:
    for i in range(49):  # Contact is the 50th
        create_group(http, store_id, f"g{i}")
    assert_error(http.post(groups_path(store_id), json={"displayName": "g49"}), 400, 520053, "50")
    page = http.get(groups_path(store_id), params={"pageSize": 100}).json()
    assert len(page["traitGroups"]) == 50 and page["meta"]["pageSize"] == 50
    assert_accepted(http.delete(_group(store_id, "g0")))
    create_group(http, store_id, "g49")


def test_protected_group_and_traits_refuse_changes(http: httpx.Client, store_id: str) -> None:
    contact = _group(store_id, "Contact")
    before, _ = fetch_group(http, store_id, "Contact")
    for change in ({"email": {"dataType": ""}}, {"phone": {"dataType": "NUMBER"}},
                   {"email": {"dataType": "STRING", "description": "mine now"}}):
        assert_error(http.patch(contact, json={"traits": change}), 400, 520050, "protected")
    assert_error(http.delete(contact), 409, 520050, "protected")
    assert fetch_group(http, store_id, "Contact")[0] == before
    # Unprotected traits of Contact may change, and new ones may be added.
    assert_accepted(http.patch(contact, json={"traits": {"city": {"dataType": ""},
                                                         "nickname": {"dataType": "STRING"}}}))
    traits = fetch_group(http, store_id, "Contact")[0]["traits"]
    assert "city" not in traits and "nickname" in traits and "email" in traits


def test_unknown_store_and_group(http: httpx.Client, store_id: str) -> None:
    missing = f"{STORES}/mem_store_{'0' * 26}/TraitGroups"
    assert_error(http.post(missing, json={"displayName": "x"}), 404, 520041)
    assert_error(http.get(f"{missing}/Contact"), 404, 520041)
    for resp in (http.get(_group(store_id, "Nope")), http.patch(_group(store_id, "Nope"), json={}),
                 http.delete(_group(store_id, "Nope"))):
        assert_error(resp, 404, 520047, "Nope")
    assert_error(http.get(_group(store_id, "x" * 65)), 400, 520046, "traitGroupName")
    create_group(http, store_id, "Gone")
    assert_accepted(http.delete(_group(store_id, "Gone")))
    assert_error(http.get(_group(store_id, "Gone")), 404, 520047)
