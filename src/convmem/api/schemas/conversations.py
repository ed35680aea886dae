"""Wire models of the Conversations v2 requests (camelCase, unknown fields refused).

Optional fields are ``X | None``: the official client never sends ``null`` but raw clients may,
and omitted and ``null`` mean the same wherever a field is optional. PATCH bodies read
``model_fields_set`` to tell an explicit ``null`` (clear) from an omitted field (keep)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from convmem.api.schemas.common import RequestModel

Channel = Literal["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT", "VIDEO", "EMAIL"]
SettingsChannel = Literal["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT", "EMAIL"]
GroupingType = Literal["GROUP_BY_PROFILE", "GROUP_BY_PARTICIPANT_ADDRESSES",
                       "GROUP_BY_PARTICIPANT_ADDRESSES_AND_CHANNEL_TYPE"]
ParticipantType = Literal["HUMAN_AGENT", "CUSTOMER", "AI_AGENT", "AGENT", "UNKNOWN"]
Status = Literal["ACTIVE", "INACTIVE", "CLOSED"]

DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-zA-Z0-9\-_ ]+$")]
Description = Annotated[str, StringConstraints(max_length=512)]
StoreRef = Annotated[str, StringConstraints(min_length=1, max_length=128)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Name = Annotated[str, StringConstraints(max_length=256)]
MetaKey = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")]
MetaValue = Annotated[str, StringConstraints(max_length=512)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2048, pattern=r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$")]


class StatusTimeouts(RequestModel):
    inactive: Annotated[int, Field(ge=1, le=10_000_000)] | None = None
    closed: Annotated[int, Field(ge=1, le=10_000_000)] | None = None


class CaptureRule(RequestModel):
    from_: Annotated[str, StringConstraints(min_length=1, max_length=256)] = Field(alias="from")
    to: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    metadata: dict[Annotated[str, StringConstraints(max_length=128)], MetaValue] | None = None


class ChannelSetting(RequestModel):
    statusTimeouts: StatusTimeouts | None = None
    captureRules: Annotated[list[CaptureRule], Field(max_length=100)] | None = None


class InlineChannelSetting(RequestModel):
    """Inline (per-conversation) channel settings carry timeouts only."""

    statusTimeouts: StatusTimeouts | None = None


class StatusCallback(RequestModel):
    url: Url
    method: Literal["POST", "GET"] | None = None


class V1Bridge(RequestModel):
    serviceId: Annotated[str, StringConstraints(pattern=r"^IS[0-9a-f]{32}$")]


class Workflow(RequestModel):
    flowId: Annotated[str, StringConstraints(pattern=r"^FW[0-9a-fA-F]{32}$")]


IntelligenceIds = Annotated[list[ShortText], Field(max_length=5)]
StrategyIds = Annotated[list[ShortText], Field(max_length=1)]


class ConfigurationBody(RequestModel):
    """Create (POST) and full replacement (PUT); the router checks what each one requires."""

    displayName: DisplayName | None = None
    description: Description | None = None
    conversationGroupingType: GroupingType | None = None
    memoryStoreId: StoreRef | None = None
    channelSettings: dict[SettingsChannel, ChannelSetting | None] | None = None
    statusCallbacks: Annotated[list[StatusCallback], Field(max_length=2)] | None = None
    intelligenceConfigurationIds: IntelligenceIds | None = None
    memoryExtractionEnabled: bool | None = None
    conversationsV1Bridge: V1Bridge | None = None


class InlineConfiguration(RequestModel):
    conversationGroupingType: GroupingType | None = None
    memoryStoreId: StoreRef | None = None
    channelSettings: dict[SettingsChannel, InlineChannelSetting | None] | None = None
    memoryExtractionEnabled: bool | None = None
    statusCallbacks: Annotated[list[StatusCallback], Field(max_length=20)] | None = None
    intelligenceConfigurationIds: IntelligenceIds | None = None
    traitExtractionStrategyIds: StrategyIds | None = None
    observationExtractionStrategyIds: StrategyIds | None = None
    workflows: Annotated[list[Workflow], Field(max_length=5)] | None = None


class Address(RequestModel):
    channel: Channel
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    channelId: ShortText | None = None


Addresses = Annotated[list[Address], Field(max_length=20)]
Metadata = Annotated[dict[MetaKey, MetaValue], Field(max_length=8)]


class ParticipantBody(RequestModel):
    name: Name | None = None
    type: ParticipantType | None = None
    profileId: ShortText | None = None
    addresses: Addresses | None = None


class CreateConversationBody(RequestModel):
    configurationId: ShortText | None = None
    name: Name | None = None
    configuration: InlineConfiguration | None = None
    participants: Annotated[list[ParticipantBody], Field(max_length=50)] | None = None
    metadata: Metadata | None = None


class UpdateConversationBody(RequestModel):
    status: Status
    name: Name | None = None
    metadata: Metadata | None = None


class PatchConversationConfiguration(RequestModel):
    statusCallbacks: Annotated[list[StatusCallback], Field(max_length=20)] | None = None


class PatchConversationBody(RequestModel):
    name: Name | None = None
    status: Status | None = None
    configuration: PatchConversationConfiguration | None = None
    metadata: dict[MetaKey, MetaValue | None] | None = None


class ParticipantAddress(RequestModel):
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    channel: Channel
    participantId: ShortText | None = None


class Transcription(RequestModel):
    channel: int | None = None
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    engine: Annotated[str, StringConstraints(max_length=256)] | None = None


class Content(RequestModel):
    type: Literal["TEXT", "TRANSCRIPTION"]
    text: Annotated[str, StringConstraints(max_length=65_536)]
    transcription: Transcription | None = None


class CreateCommunicationBody(RequestModel):
    author: ParticipantAddress
    content: Content
    channelId: ShortText | None = None
    resourceId: ShortText | None = None
    recipients: Annotated[list[ParticipantAddress], Field(min_length=1, max_length=50)]
    occurredAt: Annotated[str, StringConstraints(max_length=64)] | None = None


class SendParty(RequestModel):
    participantId: ShortText | None = None
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)] | None = None
    channel: Channel | None = None


class SendContent(RequestModel):
    text: Annotated[str, StringConstraints(max_length=65_536)] | None = None
    contentId: ShortText | None = None
    variables: dict[Annotated[str, StringConstraints(max_length=128)], Annotated[str, StringConstraints(
        max_length=4096)]] | None = None
    mediaUrls: Annotated[list[Url], Field(max_length=10)] | None = None


class SendMessagePayload(RequestModel):
    from_: SendParty = Field(alias="from")
    to: Annotated[list[SendParty], Field(min_length=1, max_length=50)]
    content: SendContent
    channelSettings: dict[Annotated[str, StringConstraints(max_length=64)], dict[str, object]] | None = None


class CreateActionBody(RequestModel):
    type: Literal["SEND_MESSAGE"]
    payload: SendMessagePayload
