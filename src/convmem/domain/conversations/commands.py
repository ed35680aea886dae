"""Typed inputs of the Conversations v2 use cases, in the domain's own names; the API edge builds
them from the wire bodies (api/schemas/conversations.py).

Client documents that the server keeps and returns as given stay JSON objects (``JsonObject``):
channel settings, metadata, a transcription. The ``document()`` methods give the form a value is
stored in, which is the form the API returns it in.

In partial updates ``KEEP`` marks a field the request did not carry; ``None`` is an explicit
``null`` there (it clears the field)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

JsonObject = dict[str, Any]
ContentType = Literal["TEXT", "TRANSCRIPTION"]
ActionType = Literal["SEND_MESSAGE"]


class Keep(enum.Enum):
    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(frozen=True)
class StatusCallback:
    url: str
    method: str | None = None  # None: POST

    def document(self) -> JsonObject:
        return {"url": self.url, "method": self.method or "POST"}


def callback_documents(callbacks: Sequence[StatusCallback]) -> list[JsonObject]:
    return [callback.document() for callback in callbacks]


# -- configurations ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConfigurationFields:
    """A configuration as a create (POST) or full replacement (PUT) gives it; None: not given."""

    display_name: str | None = None
    description: str | None = None
    grouping_type: str | None = None
    memory_store_id: str | None = None
    channel_settings: Mapping[str, JsonObject | None] | None = None
    status_callbacks: Sequence[StatusCallback] | None = None
    intelligence_configuration_ids: Sequence[str] | None = None
    memory_extraction_enabled: bool | None = None
    v1_bridge_service_id: str | None = None


@dataclass(frozen=True)
class ConfigurationPatch:
    """PATCH: only the fields given change; ``None`` clears an optional one (a required one
    refuses it); channel settings merge per channel (a channel set to ``None`` goes)."""

    display_name: str | Keep | None = KEEP
    description: str | Keep | None = KEEP
    grouping_type: str | Keep | None = KEEP
    memory_store_id: str | Keep | None = KEEP
    channel_settings: Mapping[str, JsonObject | None] | Keep | None = KEEP
    status_callbacks: Sequence[StatusCallback] | Keep | None = KEEP
    intelligence_configuration_ids: Sequence[str] | Keep | None = KEEP
    memory_extraction_enabled: bool | Keep | None = KEEP
    v1_bridge_service_id: str | Keep | None = KEEP


@dataclass(frozen=True)
class Idempotency:
    """An Idempotency-Key and the fingerprint of the request it came with (domain/conversations/
    configurations.py makes one)."""

    key: str | None
    fingerprint: str


# -- conversations and participants --------------------------------------------------------------

@dataclass(frozen=True)
class Address:
    """One of a participant's addresses."""

    channel: str
    address: str
    channel_id: str | None = None

    def document(self) -> JsonObject:
        body: JsonObject = {"channel": self.channel, "address": self.address}
        if self.channel_id is not None:
            body["channelId"] = self.channel_id
        return body


@dataclass(frozen=True)
class NewParticipant:
    addresses: Sequence[Address] = ()
    name: str | None = None
    type: str | None = None  # None: UNKNOWN
    profile_id: str | None = None


@dataclass(frozen=True)
class ParticipantUpdate:
    """PUT: the fields given replace, the others (None) are kept."""

    name: str | None = None
    type: str | None = None
    profile_id: str | None = None
    addresses: Sequence[Address] | None = None


@dataclass(frozen=True)
class InlineConfiguration:
    """Per-conversation settings, on top of the configuration (or instead of one)."""

    grouping_type: str | None = None
    memory_store_id: str | None = None
    channel_settings: Mapping[str, JsonObject | None] | None = None
    memory_extraction_enabled: bool | None = None
    status_callbacks: Sequence[StatusCallback] | None = None
    intelligence_configuration_ids: Sequence[str] | None = None
    trait_extraction_strategy_ids: Sequence[str] | None = None
    observation_extraction_strategy_ids: Sequence[str] | None = None
    workflow_flow_ids: Sequence[str] | None = None


@dataclass(frozen=True)
class NewConversation:
    configuration_id: str | None = None
    name: str | None = None
    configuration: InlineConfiguration | None = None
    participants: Sequence[NewParticipant] = ()
    metadata: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ConversationChange:
    """PUT (``merge_metadata`` False: the metadata given replaces it) and PATCH (a merge patch:
    a key set to ``None`` goes). ``name=None`` clears the name; ``status_callbacks`` None or
    empty removes them."""

    status: str | None = None
    name: str | Keep | None = KEEP
    metadata: Mapping[str, str | None] | Keep | None = KEEP
    status_callbacks: Sequence[StatusCallback] | Keep | None = KEEP
    merge_metadata: bool = False

    @property
    def touches_more_than_status(self) -> bool:
        return not (self.name is KEEP and self.metadata is KEEP and self.status_callbacks is KEEP)


# -- communications and actions ------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    """The author or a recipient of a communication."""

    address: str
    channel: str
    participant_id: str | None = None

    def document(self) -> JsonObject:
        body: JsonObject = {"address": self.address, "channel": self.channel}
        if self.participant_id is not None:
            body["participantId"] = self.participant_id
        return body


@dataclass(frozen=True)
class Content:
    type: ContentType
    text: str
    transcription: JsonObject | None = None

    def document(self) -> JsonObject:
        body: JsonObject = {"type": self.type, "text": self.text}
        if self.transcription is not None:
            body["transcription"] = self.transcription
        return body


@dataclass(frozen=True)
class NewCommunication:
    author: Party
    recipients: Sequence[Party]
    content: Content
    channel_id: str | None = None
    resource_id: str | None = None
    occurred_at: str | None = None  # RFC 3339 with a time zone (rules.parse_occurred_at)


@dataclass(frozen=True)
class SendParty:
    """A party of a message to send: a participant (and which of its addresses), or an address."""

    participant_id: str | None = None
    address: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class SendMessage:
    """The SEND_MESSAGE action: ``text``, or a ``content_id`` (a template)."""

    sender: SendParty
    recipients: Sequence[SendParty]
    text: str | None = None
    content_id: str | None = None
    type: ActionType = "SEND_MESSAGE"
