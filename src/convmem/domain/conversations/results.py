"""Typed results of the Conversations v2 use cases, in the domain's own names; the API edge renders
them (api/schemas/conversations.py). Documents kept as the client or the server wrote them
(addresses, metadata, message content, a conversation's pinned configuration) are JSON objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from convmem.domain.conversations.commands import ActionType, JsonObject
from convmem.domain.conversations.configurations import GroupingType
from convmem.domain.conversations.lifecycle import Status
from convmem.domain.conversations.participants import ParticipantType

OperationResource = Literal["configuration", "conversation"]


@dataclass(frozen=True)
class Configuration:
    id: str
    display_name: str
    description: str
    grouping_type: GroupingType
    memory_store_id: str
    channel_settings: JsonObject
    status_callbacks: list[JsonObject]
    intelligence_configuration_ids: list[str]
    memory_extraction_enabled: bool
    v1_bridge_service_id: str | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class ConfigurationWrite:
    """A committed configuration write and the (COMPLETED) operation reporting it;
    ``configuration`` is None once deleted."""

    configuration_id: str
    operation_id: str
    configuration: Configuration | None


@dataclass(frozen=True)
class RecordedResponse:
    """The response of an idempotent write, as recorded with it: a retry with the same
    Idempotency-Key is answered with it again."""

    body: JsonObject
    operation_id: str


@dataclass(frozen=True)
class Participant:
    id: str
    conversation_id: str
    account_sid: str
    name: str | None
    type: ParticipantType
    profile_id: str | None
    addresses: list[JsonObject]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Conversation:
    id: str
    account_sid: str
    configuration_id: str | None
    status: Status
    name: str | None
    created_at: datetime
    updated_at: datetime
    configuration: JsonObject
    metadata: JsonObject
    participants: list[Participant]


@dataclass(frozen=True)
class Communication:
    id: str
    conversation_id: str
    account_sid: str
    author: JsonObject
    content: JsonObject
    channel_id: str | None
    resource_id: str | None
    recipients: list[JsonObject]
    created_at: datetime
    updated_at: datetime
    occurred_at: datetime


@dataclass(frozen=True)
class Action:
    id: str
    type: ActionType
    status: str
    conversation_id: str
    communication_id: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    failure_reason: str | None


@dataclass(frozen=True)
class Operation:
    """A Conversations v2 operation (every one is COMPLETED when its write commits)."""

    id: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    error: JsonObject | None
    resource: OperationResource | None
    result_id: str | None
