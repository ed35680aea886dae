"""Configurations: what a write must carry, the settings document a configuration keeps, the
configuration a conversation pins, and Idempotency-Key replay.

A configuration's settings (channel settings, status callbacks, intelligence ids, the v1 bridge)
are kept as the wire object they are returned as, and a conversation pins a copy of the whole
configuration with its inline overrides on top, also as on the wire: so the keys of these
documents are the wire's."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

from convmem.domain.conversations.commands import (
    KEEP,
    ConfigurationFields,
    ConfigurationPatch,
    Idempotency,
    InlineConfiguration,
    JsonObject,
    callback_documents,
)
from convmem.domain.errors import InvalidRequest

GroupingType = Literal["GROUP_BY_PROFILE", "GROUP_BY_PARTICIPANT_ADDRESSES",
                       "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"]
MAX_PER_ACCOUNT = 10
IDEMPOTENCY_WINDOW = timedelta(hours=24)
DEFAULT_GROUPING = "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"
CHANNEL_SETTINGS, STATUS_CALLBACKS = "channelSettings", "statusCallbacks"
INTELLIGENCE_IDS, V1_BRIDGE = "intelligenceConfigurationIds", "conversationsV1Bridge"
_IDEMPOTENCY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# (name in messages, attribute of ConfigurationFields)
CREATE_REQUIRED = (("displayName", "display_name"), ("description", "description"),
                   ("conversationGroupingType", "grouping_type"), ("memoryStoreId", "memory_store_id"))
REPLACE_REQUIRED = (("conversationGroupingType", "grouping_type"), ("channelSettings", "channel_settings"),
                    ("description", "description"), ("memoryStoreId", "memory_store_id"))
# Required fields a PATCH may change but not clear.
NOT_NULL = (("displayName", "display_name"), ("description", "description"),
            ("conversationGroupingType", "grouping_type"), ("memoryStoreId", "memory_store_id"))


def idempotency(key: str | None, method: str, path: str, body: Any) -> Idempotency:
    """The key (a UUID, or None) and the fingerprint of the request (method, path, body) it
    came with: a replay must be the same request."""
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise InvalidRequest("Idempotency-Key must be a UUID (8-4-4-4-12 hexadecimal digits)")
    raw = json.dumps([method, path, body], sort_keys=True, separators=(",", ":"), default=str)
    return Idempotency(key, hashlib.sha256(raw.encode()).hexdigest())


def check_required(fields: ConfigurationFields, required: Sequence[tuple[str, str]]) -> None:
    for name, attribute in required:
        if getattr(fields, attribute) is None:
            raise InvalidRequest(f"'{name}' is required")


def check_not_null(patch: ConfigurationPatch) -> None:
    for name, attribute in NOT_NULL:
        if getattr(patch, attribute) is None:
            raise InvalidRequest(f"'{name}' cannot be null")


def _bridge(service_id: str) -> JsonObject:
    return {"serviceId": service_id}


def settings_document(fields: ConfigurationFields) -> JsonObject:
    """The settings a create or a replacement stores (omitted ones are not kept)."""
    settings: JsonObject = {}
    if fields.channel_settings is not None:
        settings[CHANNEL_SETTINGS] = {ch: s for ch, s in fields.channel_settings.items() if s is not None}
    if fields.status_callbacks is not None:
        settings[STATUS_CALLBACKS] = callback_documents(fields.status_callbacks)
    if fields.intelligence_configuration_ids is not None:
        settings[INTELLIGENCE_IDS] = list(fields.intelligence_configuration_ids)
    if fields.v1_bridge_service_id is not None:
        settings[V1_BRIDGE] = _bridge(fields.v1_bridge_service_id)
    return settings


def patched_settings(current: Mapping[str, Any], patch: ConfigurationPatch) -> JsonObject:
    """The settings after a PATCH: ``null`` removes a setting, channel settings merge per channel."""
    settings = dict(current)
    changes: tuple[tuple[str, Any], ...] = (
        (CHANNEL_SETTINGS, patch.channel_settings), (STATUS_CALLBACKS, patch.status_callbacks),
        (INTELLIGENCE_IDS, patch.intelligence_configuration_ids), (V1_BRIDGE, patch.v1_bridge_service_id))
    for name, value in changes:
        if value is KEEP:
            continue
        if value is None:
            settings.pop(name, None)
        elif name == CHANNEL_SETTINGS:
            merged = dict(settings.get(CHANNEL_SETTINGS) or {})
            for channel, setting in value.items():
                if setting is None:
                    merged.pop(channel, None)
                else:
                    merged[channel] = setting
            settings[CHANNEL_SETTINGS] = merged
        elif name == STATUS_CALLBACKS:
            settings[name] = callback_documents(value)
        elif name == V1_BRIDGE:
            settings[name] = _bridge(value)
        else:
            settings[name] = list(value)
    return settings


def bridge_of(settings: Mapping[str, Any]) -> str | None:
    """The Conversations v1 service the settings bridge, if any."""
    bridge = settings.get(V1_BRIDGE)
    return str(bridge["serviceId"]) if bridge else None


def pinned(*, display_name: str, description: str, grouping_type: str, memory_store_id: str,
           settings: Mapping[str, Any], memory_extraction_enabled: bool) -> JsonObject:
    """A configuration as the effective-configuration object a conversation pins."""
    snapshot: JsonObject = {"displayName": display_name, "description": description,
                            "conversationGroupingType": grouping_type, "memoryStoreId": memory_store_id}
    snapshot.update(settings)
    snapshot["memoryExtractionEnabled"] = bool(memory_extraction_enabled)
    return snapshot


def _inline_items(inline: InlineConfiguration) -> list[tuple[str, Any]]:
    """The overrides given, in the order they apply."""
    workflows = None if inline.workflow_flow_ids is None else [{"flowId": f} for f in inline.workflow_flow_ids]
    items: list[tuple[str, Any]] = [
        ("conversationGroupingType", inline.grouping_type), ("memoryStoreId", inline.memory_store_id),
        (CHANNEL_SETTINGS, inline.channel_settings), ("memoryExtractionEnabled", inline.memory_extraction_enabled),
        (STATUS_CALLBACKS, inline.status_callbacks), (INTELLIGENCE_IDS, inline.intelligence_configuration_ids),
        ("traitExtractionStrategyIds", inline.trait_extraction_strategy_ids),
        ("observationExtractionStrategyIds", inline.observation_extraction_strategy_ids),
        ("workflows", workflows)]
    return [(name, value) for name, value in items if value is not None]


def effective(base: JsonObject | None, inline: InlineConfiguration | None) -> JsonObject:
    """The pinned configuration (``base``) with the inline overrides on top. Inline channel
    settings carry timeouts only and replace that channel's timeouts (capture rules stay).
    Without a configuration the inline settings must name a memory store."""
    inline = inline or InlineConfiguration()
    if base is None:
        if not inline.memory_store_id:
            raise InvalidRequest("Either 'configurationId' or 'configuration.memoryStoreId' is required")
        result: JsonObject = {"conversationGroupingType": DEFAULT_GROUPING, "memoryExtractionEnabled": False}
    else:
        result = dict(base)
    for name, value in _inline_items(inline):
        if name == CHANNEL_SETTINGS:
            merged = dict(result.get(CHANNEL_SETTINGS) or {})
            for channel, setting in value.items():
                if setting is None:
                    continue
                merged[channel] = {**(merged.get(channel) or {}), **setting}
            result[CHANNEL_SETTINGS] = merged
        elif name == STATUS_CALLBACKS:
            result[name] = callback_documents(value)
        elif isinstance(value, (list, tuple)):
            result[name] = list(value)
        else:
            result[name] = value
    return result
