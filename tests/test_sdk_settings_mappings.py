"""Identity-resolution settings and data mappings through the official Python SDK against the
live server."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from twilio.rest.memory.v1.data_mapping import DataMappingList
from twilio.rest.memory.v1.identity_resolution_setting import IdentityResolutionSettingList
from twilio.rest.memory.v1.trait_group import TraitGroupList

from tests.support.live import LiveServer
from tests.test_sdk_stores import ETAG_412, completed, header, new_store, page_error, rest_error

# End to end: the official Python SDK against a real server process (the contract).
pytestmark = pytest.mark.e2e

DATASET = "tdi_dataset_" + "0" * 26
DEFAULT_CONFIGS = [
    {"idType": "email", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo",
     "enforceUnique": True, "normalization": "email"},
    {"idType": "phone", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo",
     "enforceUnique": True, "normalization": "phone"},
    # Conversations resolve WhatsApp and Chat participants by these two.
    {"idType": "whatsapp", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo",
     "enforceUnique": True, "normalization": "phone"},
    {"idType": "chat", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo",
     "enforceUnique": True, "normalization": "trim"},
]


@pytest.fixture
def store(v1: Any) -> str:
    return new_store(v1)


def settings_body(configs: list[dict[str, Any]], rules: list[str]) -> Any:
    return IdentityResolutionSettingList.IdentityResolutionSettingsCore(
        {"identifierConfigs": configs, "matchingRules": rules})


def test_identity_settings_defaults_and_replace(v1: Any, store: str, server: LiveServer) -> None:
    settings = v1.identity_resolution_settings(store)
    fetched = settings.fetch_with_http_info()
    assert fetched.data.identifier_configs == DEFAULT_CONFIGS
    assert (fetched.data.matching_rules, fetched.data.version) == (["email", "phone", "whatsapp", "chat"], 1)
    etag_v1 = header(fetched, "ETag")

    configs = [{"idType": "email"}, {"idType": "phone", "normalization": "phone", "limit": 5, "limitPolicy": "lifo"},
               {"idType": "whatsapp", "matchingAlgo": "fuzzy", "matchingThreshold": 90, "enforceUnique": False}]
    updated = settings.update_with_http_info(settings_body(configs, ["whatsapp", "email"]), if_match=etag_v1)
    assert updated.status_code == 202
    assert updated.data.message == "Identity Resolution Settings accepted for processing."
    op = completed(v1, updated)
    assert op.result_url == f"{server.url}/v1/ControlPlane/Stores/{store}/IdentityResolutionSettings"

    after = settings.fetch_with_http_info()
    # PUT replaces the whole document: email's normalization falls back to the default (trim).
    assert after.data.identifier_configs == [
        {"idType": "email", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 100, "limitPolicy": "fifo",
         "enforceUnique": True, "normalization": "trim"},
        {"idType": "phone", "matchingAlgo": "exact", "matchingThreshold": 75, "limit": 5, "limitPolicy": "lifo",
         "enforceUnique": True, "normalization": "phone"},
        {"idType": "whatsapp", "matchingAlgo": "fuzzy", "matchingThreshold": 90, "limit": 100, "limitPolicy": "fifo",
         "enforceUnique": False, "normalization": "trim"},
    ]
    assert (after.data.matching_rules, after.data.version) == (["whatsapp", "email"], 2)
    etag_v2 = header(after, "ETag")
    assert etag_v2 != etag_v1

    stale = rest_error(settings.update, settings_body(DEFAULT_CONFIGS, ["email"]), if_match=etag_v1)
    assert (stale.status, stale.code) == (412, ETAG_412)
    unchanged = settings.fetch_with_http_info()
    assert (unchanged.data.version, unchanged.data.matching_rules, header(unchanged, "ETag")) == (
        2, ["whatsapp", "email"], etag_v2)

    # The client sends an empty If-Match as is; it means "unconditional".
    completed(v1, settings.update(settings_body(DEFAULT_CONFIGS, ["email", "phone"]), if_match=""))
    restored = settings.fetch()
    assert (restored.identifier_configs, restored.version) == (DEFAULT_CONFIGS, 3)


def test_identity_settings_refusals(v1: Any, store: str) -> None:
    settings = v1.identity_resolution_settings(store)

    def refused(configs: list[dict[str, Any]], rules: list[str]) -> tuple[int, int, str]:
        error = rest_error(settings.update, settings_body(configs, rules))
        return error.status, error.code, error.msg

    email, phone = {"idType": "email"}, {"idType": "phone"}
    status, code, message = refused([email, phone], ["email AND phone"])
    assert (status, code) == (400, 520046) and "compound" in message
    assert refused([email, phone], ["fax"])[:2] == (400, 520046)
    assert refused([email, phone, email], ["email"])[:2] == (400, 520046)
    assert refused([email, phone], [])[:2] == (400, 520046)
    assert refused([email, {"idType": "phone", "matchingThreshold": 10}], ["email"])[:2] == (400, 520046)
    # Contact.phone promotes to "phone", so the type cannot be dropped.
    status, code, message = refused([email], ["email"])
    assert (status, code) == (400, 520046) and "phone" in message
    assert settings.fetch().version == 1  # nothing was applied

    ghost = rest_error(v1.identity_resolution_settings("mem_store_" + "0" * 26).fetch)
    assert (ghost.status, ghost.code) == (404, 520041)


# --- data mappings -----------------------------------------------------------------------

def add_group(v1: Any, store: str) -> None:
    completed(v1, v1.trait_groups(store).create(TraitGroupList.TraitGroupRequest({
        "displayName": "Crm", "traits": {"tier": {"dataType": "STRING"}, "score": {"dataType": "NUMBER"}}})))


def mapping_input(name: str, source: dict[str, Any], items: list[tuple[str, str, str]], **extra: Any) -> Any:
    return DataMappingList.CreateDataMappingInput({
        "displayName": name, **extra, "mappingFrom": source,
        "mappingTo": {"type": "TRAITS", "mappings": [
            {"expression": e, "traitGroup": g, "traitName": t} for e, g, t in items]}})


def create_mapping(v1: Any, store: str, body: Any) -> str:
    return str(completed(v1, v1.data_mappings(store).create(body)).result["id"])


INGRESS = {"type": "INGRESS", "columns": ["primary_email", "mobile"]}
CLOUDAPP = {"type": "DATASET_CLOUDAPP", "datasetId": DATASET}


def test_create_and_fetch_mappings(v1: Any, store: str, server: LiveServer) -> None:
    add_group(v1, store)
    created = v1.data_mappings(store).create_with_http_info(mapping_input(
        "crm-contacts", CLOUDAPP, [("primary_email", "Contact", "email"), ("loyalty_tier", "Crm", "tier")],
        description="Syncs customer data from CRM dataset to profile traits"))
    assert created.status_code == 202
    assert created.data.message == "Data mapping creation request accepted for processing."
    op = completed(v1, created)
    mapping_id = op.result["id"]
    assert op.result["type"] == "RESOURCE_ID" and mapping_id.startswith("mem_datamapping_")
    assert op.result_url == f"{server.url}/v1/ControlPlane/Stores/{store}/DataMappings/{mapping_id}"

    fetched = v1.data_mappings(store, mapping_id).fetch_with_http_info()
    mapping = fetched.data
    assert (mapping.id, mapping.display_name, mapping.is_enabled, mapping.version) == (
        mapping_id, "crm-contacts", True, 1)
    assert mapping.description == "Syncs customer data from CRM dataset to profile traits"
    assert mapping.mapping_from == CLOUDAPP
    assert mapping.mapping_to == {"type": "TRAITS", "mappings": [
        {"expression": "primary_email", "traitGroup": "Contact", "traitName": "email"},
        {"expression": "loyalty_tier", "traitGroup": "Crm", "traitName": "tier"}]}
    assert isinstance(mapping.created_at, datetime) and mapping.updated_at == mapping.created_at
    assert header(fetched, "ETag").startswith('"')

    ingress_id = create_mapping(v1, store, mapping_input(
        "web-signups", INGRESS, [("mobile", "Contact", "phone")], isEnabled=False))
    ingress = v1.data_mappings(store, ingress_id).fetch()
    assert (ingress.mapping_from, ingress.is_enabled, ingress.description) == (INGRESS, False, None)


def test_list_mappings_with_type_filter(v1: Any, store: str) -> None:
    ids = [create_mapping(v1, store, mapping_input(f"in-{i}", INGRESS, [("mobile", "Contact", "phone")]))
           for i in range(3)]
    cloud = create_mapping(v1, store, mapping_input("cloud", CLOUDAPP, [("mail", "Contact", "email")]))
    newest_first = [cloud, *reversed(ids)]

    assert [m.id for m in v1.data_mappings(store).list()] == newest_first
    assert [m.id for m in v1.data_mappings(store).list(page_size=3)] == newest_first
    assert [m.id for m in v1.data_mappings(store).list(type="INGRESS")] == list(reversed(ids))
    assert [m.id for m in v1.data_mappings(store).list(type="DATASET_CLOUDAPP")] == [cloud]
    assert v1.data_mappings(store).list(type="DATASET_WAREHOUSE") == []
    assert [m.id for m in v1.data_mappings(store).list(type="INGRESS", order_by="ASC", page_size=2)] == ids

    page = v1.data_mappings(store).page(type="INGRESS", page_size=2)
    assert page.key == "dataMappings" and [m.id for m in page] == [ids[2], ids[1]]
    assert [m.id for m in page.next_page()] == [ids[0]]
    # Later *_with_http_info pages send only pageToken; the filter must come back from it.
    listed = v1.data_mappings(store).list_with_http_info(type="INGRESS", page_size=1)
    assert (listed.status_code, [m.id for m in listed.data]) == (200, list(reversed(ids)))

    assert page_error(v1.data_mappings(store).list, type="CSV") == (400, 520046)


def test_patch_mapping(v1: Any, store: str) -> None:
    add_group(v1, store)
    mapping_id = create_mapping(v1, store, mapping_input(
        "crm", CLOUDAPP, [("primary_email", "Contact", "email"), ("loyalty_tier", "Crm", "tier")]))
    ctx = v1.data_mappings(store, mapping_id)
    before = ctx.fetch_with_http_info()
    etag_v1 = header(before, "ETag")

    new_to = {"type": "TRAITS", "mappings": [{"expression": "points", "traitGroup": "Crm", "traitName": "score"}]}
    patched = ctx.patch_with_http_info(DataMappingList.DataMappingCore(
        {"isEnabled": False, "description": "Scores only", "mappingTo": new_to}), if_match=etag_v1)
    assert patched.status_code == 202
    assert patched.data.message == "Data mapping update request accepted for processing."
    completed(v1, patched)

    after = ctx.fetch_with_http_info()
    mapping = after.data
    assert mapping.mapping_to == new_to  # the whole mappings array was replaced
    assert (mapping.display_name, mapping.is_enabled, mapping.description, mapping.version) == (
        "crm", False, "Scores only", 2)
    assert mapping.mapping_from == CLOUDAPP and mapping.created_at == before.data.created_at
    assert mapping.updated_at >= before.data.updated_at
    assert header(after, "ETag") != etag_v1

    stale = rest_error(ctx.patch, DataMappingList.DataMappingCore({"displayName": "renamed"}), if_match=etag_v1)
    assert (stale.status, stale.code) == (412, ETAG_412)
    assert (ctx.fetch().display_name, ctx.fetch().version) == ("crm", 2)

    bad_trait = rest_error(ctx.patch, DataMappingList.DataMappingCore({"mappingTo": {
        "type": "TRAITS", "mappings": [{"expression": "x", "traitGroup": "Crm", "traitName": "missing"}]}}))
    assert (bad_trait.status, bad_trait.code) == (400, 520046)
    assert ctx.fetch().mapping_to == new_to


def test_mapping_refusals_and_delete(v1: Any, store: str) -> None:
    add_group(v1, store)
    mappings = v1.data_mappings(store)
    missing_trait = rest_error(mappings.create, mapping_input("m", INGRESS, [("mobile", "Crm", "nickname")]))
    assert (missing_trait.status, missing_trait.code) == (400, 520046) and "nickname" in missing_trait.msg
    missing_group = rest_error(mappings.create, mapping_input("m", INGRESS, [("mobile", "Ghost", "tier")]))
    assert (missing_group.status, missing_group.code) == (400, 520046)
    bad_dataset = rest_error(mappings.create, mapping_input(
        "m", {"type": "DATASET_WAREHOUSE", "datasetId": "warehouse-1"}, [("mobile", "Crm", "tier")]))
    assert bad_dataset.status == 400
    assert mappings.list() == []

    mapping_id = create_mapping(v1, store, mapping_input("crm", INGRESS, [("tier", "Crm", "tier")]))
    duplicate = rest_error(mappings.create, mapping_input("crm", INGRESS, [("tier", "Crm", "tier")]))
    assert (duplicate.status, duplicate.code) == (409, 520056)

    in_use = rest_error(v1.trait_groups(store, "Crm").delete)
    assert in_use.status == 409 and "data mapping" in in_use.msg
    assert v1.trait_groups(store, "Crm").fetch().trait_group["version"] == 1

    # Re-pointing the mapping moves the reference: the old group is free, the new one is held.
    completed(v1, v1.trait_groups(store).create(TraitGroupList.TraitGroupRequest(
        {"displayName": "Extra", "traits": {"flag": {"dataType": "BOOLEAN"}}})))
    completed(v1, v1.data_mappings(store, mapping_id).patch(DataMappingList.DataMappingCore({"mappingTo": {
        "type": "TRAITS", "mappings": [{"expression": "flag", "traitGroup": "Extra", "traitName": "flag"}]}})))
    assert rest_error(v1.trait_groups(store, "Extra").delete).status == 409
    completed(v1, v1.trait_groups(store, "Crm").delete())
    other_id = create_mapping(v1, store, mapping_input("other", INGRESS, [("flag", "Extra", "flag")]))
    renamed = rest_error(v1.data_mappings(store, other_id).patch, DataMappingList.DataMappingCore(
        {"displayName": "crm"}))
    assert (renamed.status, renamed.code) == (409, 520056)
    completed(v1, v1.data_mappings(store, other_id).delete())

    deleted = v1.data_mappings(store, mapping_id).delete_with_http_info()
    assert deleted.status_code == 202
    assert deleted.data["message"] == "Data mapping deletion request accepted for processing."
    completed(v1, deleted)
    gone = rest_error(v1.data_mappings(store, mapping_id).fetch)
    assert (gone.status, gone.code) == (404, 520048)
    assert rest_error(v1.data_mappings(store, mapping_id).delete).code == 520048
    assert rest_error(v1.data_mappings(store, "mem_datamapping_bad").fetch).status == 400

    # With no mapping left the group can go.
    completed(v1, v1.trait_groups(store, "Extra").delete())
    assert rest_error(v1.trait_groups(store, "Extra").fetch).code == 520047
