"""Wire models of Conversations v2: the requests (camelCase, unknown fields refused) and the
commands they become, and the responses and how results render into them. The one place the
Conversations code speaks camelCase, with the routers.

Optional request fields are ``X | None``: the official client never sends ``null`` but raw
clients may, and omitted and ``null`` mean the same wherever a field is optional. PATCH bodies
read ``model_fields_set`` to tell an explicit ``null`` (clear) from an omitted field (keep).

Responses render through their models (``body()``): an optional field left unset is omitted,
one set to None is sent as ``null``, so each model states which of its fields may be absent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, JsonValue, StringConstraints

from convmem.api.schemas.common import Meta, RequestModel, ResponseModel
from convmem.domain.conversations import commands as cmd
from convmem.domain.conversations import results
from convmem.domain.conversations.commands import KEEP, ActionType, ContentType
from convmem.domain.conversations.configurations import GroupingType
from convmem.domain.conversations.lifecycle import Status
from convmem.domain.conversations.participants import Channel, ParticipantType
from convmem.domain.timefmt import format_ts

SettingsChannel = Literal["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT", "EMAIL"]

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

    def command(self) -> cmd.StatusCallback:
        return cmd.StatusCallback(self.url, self.method)


def _callbacks(callbacks: list[StatusCallback] | None) -> list[cmd.StatusCallback] | None:
    return None if callbacks is None else [cb.command() for cb in callbacks]


def _channel_settings(settings: Mapping[Any, BaseModel | None] | None, *,
                      keep_nulls: bool = False) -> dict[str, dict[str, Any] | None] | None:
    """Channel settings as the documents stored: nested fields left out, or with ``keep_nulls``
    (PATCH) the nulls sent kept."""
    if settings is None:
        return None
    return {channel: None if setting is None else setting.model_dump(
        by_alias=True, exclude_unset=keep_nulls, exclude_none=not keep_nulls) for channel, setting in settings.items()}


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

    def fields(self) -> cmd.ConfigurationFields:
        """POST and PUT."""
        return cmd.ConfigurationFields(
            display_name=self.displayName, description=self.description, grouping_type=self.conversationGroupingType,
            memory_store_id=self.memoryStoreId, channel_settings=_channel_settings(self.channelSettings),
            status_callbacks=_callbacks(self.statusCallbacks),
            intelligence_configuration_ids=self.intelligenceConfigurationIds,
            memory_extraction_enabled=self.memoryExtractionEnabled,
            v1_bridge_service_id=None if self.conversationsV1Bridge is None else self.conversationsV1Bridge.serviceId)

    def patch(self) -> cmd.ConfigurationPatch:
        """PATCH: the fields sent, ``null`` included."""
        sent = self.model_fields_set

        def given(name: str, value: Any) -> Any:
            return value if name in sent else KEEP

        bridge = self.conversationsV1Bridge
        return cmd.ConfigurationPatch(
            display_name=given("displayName", self.displayName), description=given("description", self.description),
            grouping_type=given("conversationGroupingType", self.conversationGroupingType),
            memory_store_id=given("memoryStoreId", self.memoryStoreId),
            channel_settings=given("channelSettings", _channel_settings(self.channelSettings, keep_nulls=True)),
            status_callbacks=given("statusCallbacks", _callbacks(self.statusCallbacks)),
            intelligence_configuration_ids=given("intelligenceConfigurationIds", self.intelligenceConfigurationIds),
            memory_extraction_enabled=given("memoryExtractionEnabled", self.memoryExtractionEnabled),
            v1_bridge_service_id=given("conversationsV1Bridge", None if bridge is None else bridge.serviceId))


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

    def command(self) -> cmd.InlineConfiguration:
        return cmd.InlineConfiguration(
            grouping_type=self.conversationGroupingType, memory_store_id=self.memoryStoreId,
            channel_settings=_channel_settings(self.channelSettings),
            memory_extraction_enabled=self.memoryExtractionEnabled, status_callbacks=_callbacks(self.statusCallbacks),
            intelligence_configuration_ids=self.intelligenceConfigurationIds,
            trait_extraction_strategy_ids=self.traitExtractionStrategyIds,
            observation_extraction_strategy_ids=self.observationExtractionStrategyIds,
            workflow_flow_ids=None if self.workflows is None else [w.flowId for w in self.workflows])


class Address(RequestModel):
    channel: Channel
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    channelId: ShortText | None = None

    def command(self) -> cmd.Address:
        return cmd.Address(self.channel, self.address, self.channelId)


Addresses = Annotated[list[Address], Field(max_length=20)]
Metadata = Annotated[dict[MetaKey, MetaValue], Field(max_length=8)]


class ParticipantBody(RequestModel):
    name: Name | None = None
    type: ParticipantType | None = None
    profileId: ShortText | None = None
    addresses: Addresses | None = None

    def _addresses(self) -> list[cmd.Address] | None:
        return None if self.addresses is None else [a.command() for a in self.addresses]

    def new(self) -> cmd.NewParticipant:
        return cmd.NewParticipant(addresses=self._addresses() or (), name=self.name, type=self.type,
                                  profile_id=self.profileId)

    def update(self) -> cmd.ParticipantUpdate:
        return cmd.ParticipantUpdate(name=self.name, type=self.type, profile_id=self.profileId,
                                     addresses=self._addresses())


class CreateConversationBody(RequestModel):
    configurationId: ShortText | None = None
    name: Name | None = None
    configuration: InlineConfiguration | None = None
    participants: Annotated[list[ParticipantBody], Field(max_length=50)] | None = None
    metadata: Metadata | None = None

    def command(self) -> cmd.NewConversation:
        return cmd.NewConversation(
            configuration_id=self.configurationId, name=self.name,
            configuration=self.configuration.command() if self.configuration is not None else None,
            participants=[p.new() for p in self.participants or []], metadata=self.metadata)


class UpdateConversationBody(RequestModel):
    status: Status
    name: Name | None = None
    metadata: Metadata | None = None

    def change(self) -> cmd.ConversationChange:
        """PUT: the metadata sent replaces it; a name or metadata not sent is kept."""
        return cmd.ConversationChange(status=self.status, name=KEEP if self.name is None else self.name,
                                      metadata=KEEP if self.metadata is None else self.metadata)


class PatchConversationConfiguration(RequestModel):
    statusCallbacks: Annotated[list[StatusCallback], Field(max_length=20)] | None = None


class PatchConversationBody(RequestModel):
    name: Name | None = None
    status: Status | None = None
    configuration: PatchConversationConfiguration | None = None
    metadata: dict[MetaKey, MetaValue | None] | None = None

    def change(self) -> cmd.ConversationChange:
        """PATCH: a merge patch of the metadata; ``name: null`` clears the name."""
        sent = self.model_fields_set
        callbacks: list[cmd.StatusCallback] | cmd.Keep | None = KEEP
        if self.configuration is not None and "statusCallbacks" in self.configuration.model_fields_set:
            callbacks = _callbacks(self.configuration.statusCallbacks)
        return cmd.ConversationChange(status=self.status, name=self.name if "name" in sent else KEEP,
                                      metadata=self.metadata if "metadata" in sent else KEEP,
                                      status_callbacks=callbacks, merge_metadata=True)


class ParticipantAddress(RequestModel):
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)]
    channel: Channel
    participantId: ShortText | None = None

    def command(self) -> cmd.Party:
        return cmd.Party(self.address, self.channel, self.participantId)


class Transcription(RequestModel):
    channel: int | None = None
    confidence: Annotated[float, Field(ge=0.0, le=1.0)] | None = None
    engine: Annotated[str, StringConstraints(max_length=256)] | None = None


class Content(RequestModel):
    type: ContentType
    text: Annotated[str, StringConstraints(max_length=65_536)]
    transcription: Transcription | None = None


class CreateCommunicationBody(RequestModel):
    author: ParticipantAddress
    content: Content
    channelId: ShortText | None = None
    resourceId: ShortText | None = None
    recipients: Annotated[list[ParticipantAddress], Field(min_length=1, max_length=50)]
    occurredAt: Annotated[str, StringConstraints(max_length=64)] | None = None

    def command(self) -> cmd.NewCommunication:
        transcription = self.content.transcription
        return cmd.NewCommunication(
            author=self.author.command(), recipients=[r.command() for r in self.recipients],
            content=cmd.Content(self.content.type, self.content.text, None if transcription is None
                                else transcription.model_dump(exclude_none=True)),
            channel_id=self.channelId, resource_id=self.resourceId, occurred_at=self.occurredAt)


class SendParty(RequestModel):
    participantId: ShortText | None = None
    address: Annotated[str, StringConstraints(min_length=1, max_length=254)] | None = None
    channel: Channel | None = None

    def command(self) -> cmd.SendParty:
        return cmd.SendParty(self.participantId, self.address, self.channel)


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
    # A free map for the sender (contract 4.6): the spec's own example has flat string values
    # ({"messagingServiceSid": "MG..."}), so any JSON value is accepted; it is not stored.
    channelSettings: Annotated[dict[Annotated[str, StringConstraints(max_length=64)], JsonValue],
                               Field(max_length=50)] | None = None


class CreateActionBody(RequestModel):
    type: ActionType
    payload: SendMessagePayload

    def command(self) -> cmd.SendMessage:
        payload = self.payload
        return cmd.SendMessage(sender=payload.from_.command(), recipients=[p.command() for p in payload.to],
                               text=payload.content.text, content_id=payload.content.contentId, type=self.type)



# ---- responses ----------------------------------------------------------------------------------

def _ts(value: datetime) -> str:
    return str(format_ts(value))


def _present(**optional: Any) -> dict[str, Any]:
    """The optional fields that have a value: the others are left unset, so not sent."""
    return {name: value for name, value in optional.items() if value is not None}


class StatusCallbackInfo(ResponseModel):
    url: str
    method: Literal["POST", "GET"]


class V1BridgeInfo(ResponseModel):
    serviceId: str


class ConfigurationInfo(ResponseModel):
    id: str
    displayName: str
    description: str
    conversationGroupingType: GroupingType
    memoryStoreId: str
    channelSettings: dict[str, Any] = Field(description="Per channel: statusTimeouts and captureRules, as given")
    statusCallbacks: list[StatusCallbackInfo]
    intelligenceConfigurationIds: list[str]
    memoryExtractionEnabled: bool
    conversationsV1Bridge: V1BridgeInfo | None = Field(default=None, description="Present when bridged")
    createdAt: str
    updatedAt: str
    version: int

    @classmethod
    def of(cls, c: results.Configuration) -> Self:
        bridge = None if c.v1_bridge_service_id is None else V1BridgeInfo(serviceId=c.v1_bridge_service_id)
        return cls(id=c.id, displayName=c.display_name, description=c.description,
                   conversationGroupingType=c.grouping_type, memoryStoreId=c.memory_store_id,
                   channelSettings=c.channel_settings,
                   statusCallbacks=[StatusCallbackInfo.model_validate(cb) for cb in c.status_callbacks],
                   intelligenceConfigurationIds=c.intelligence_configuration_ids,
                   memoryExtractionEnabled=c.memory_extraction_enabled, **_present(conversationsV1Bridge=bridge),
                   createdAt=_ts(c.created_at), updatedAt=_ts(c.updated_at), version=c.version)


class ConfigurationRelated(ResponseModel):
    configurationId: str


class ConfigurationAccepted(ConfigurationInfo):
    """A configuration write: the configuration as written, and the operation reporting it."""

    statusUrl: str
    related: ConfigurationRelated

    @classmethod
    def written(cls, c: results.Configuration, status_url: str) -> Self:
        return cls(**ConfigurationInfo.of(c).body(), statusUrl=status_url,
                   related=ConfigurationRelated(configurationId=c.id))


class ConfigurationDeleted(ResponseModel):
    statusUrl: str
    related: ConfigurationRelated


class ConfigurationPage(ResponseModel):
    configurations: list[ConfigurationInfo]
    meta: Meta


class ConversationOperationStatus(ResponseModel):
    operationId: str
    status: str
    createdAt: str
    completedAt: str | None
    statusUrl: str
    error: dict[str, Any] | None
    related: dict[str, str] | None = Field(description="configurationId or conversationId")

    @classmethod
    def of(cls, op: results.Operation, status_url: str) -> Self:
        related = {f"{op.resource}Id": op.result_id} if op.resource and op.result_id else None
        return cls(operationId=op.id, status=op.status, createdAt=_ts(op.created_at),
                   completedAt=format_ts(op.completed_at), statusUrl=status_url, error=op.error, related=related)


class AddressInfo(ResponseModel):
    channel: Channel
    address: str
    channelId: str | None = None


class ParticipantInfo(ResponseModel):
    id: str
    conversationId: str
    accountId: str
    name: str | None
    type: ParticipantType
    profileId: str | None = Field(default=None, description="Present when resolved to a Memory profile")
    addresses: list[AddressInfo]
    createdAt: str
    updatedAt: str

    @classmethod
    def of(cls, p: results.Participant) -> Self:
        return cls(id=p.id, conversationId=p.conversation_id, accountId=p.account_sid, name=p.name, type=p.type,
                   **_present(profileId=p.profile_id), addresses=[AddressInfo.model_validate(a) for a in p.addresses],
                   createdAt=_ts(p.created_at), updatedAt=_ts(p.updated_at))


class ParticipantPage(ResponseModel):
    participants: list[ParticipantInfo]
    meta: Meta


class ConversationInfo(ResponseModel):
    id: str
    accountId: str
    configurationId: str | None
    status: Status
    name: str | None
    createdAt: str
    updatedAt: str
    configuration: dict[str, Any] = Field(description="The effective configuration: the configuration pinned at "
                                                      "creation with the inline settings on top")
    metadata: dict[str, str]
    participants: list[ParticipantInfo]

    @classmethod
    def of(cls, c: results.Conversation) -> Self:
        return cls(id=c.id, accountId=c.account_sid, configurationId=c.configuration_id, status=c.status,
                   name=c.name, createdAt=_ts(c.created_at), updatedAt=_ts(c.updated_at),
                   configuration=c.configuration, metadata=c.metadata,
                   participants=[ParticipantInfo.of(p) for p in c.participants])


class ConversationPage(ResponseModel):
    conversations: list[ConversationInfo]
    meta: Meta


class ConversationRelated(ResponseModel):
    conversationId: str


class ConversationDeleted(ResponseModel):
    statusUrl: str
    related: ConversationRelated


class PartyInfo(ResponseModel):
    address: str
    channel: Channel
    participantId: str | None = None


class ContentInfo(ResponseModel):
    type: ContentType
    text: str
    transcription: dict[str, Any] | None = None


class CommunicationInfo(ResponseModel):
    id: str
    conversationId: str
    accountId: str
    author: PartyInfo
    content: ContentInfo
    channelId: str | None = None
    resourceId: str | None = None
    recipients: list[PartyInfo]
    createdAt: str
    updatedAt: str
    occurredAt: str

    @classmethod
    def of(cls, c: results.Communication) -> Self:
        return cls(id=c.id, conversationId=c.conversation_id, accountId=c.account_sid,
                   author=PartyInfo.model_validate(c.author), content=ContentInfo.model_validate(c.content),
                   **_present(channelId=c.channel_id, resourceId=c.resource_id),
                   recipients=[PartyInfo.model_validate(r) for r in c.recipients], createdAt=_ts(c.created_at),
                   updatedAt=_ts(c.updated_at), occurredAt=_ts(c.occurred_at))


class CommunicationPage(ResponseModel):
    communications: list[CommunicationInfo]
    meta: Meta


class ActionRelated(ResponseModel):
    communicationId: str | None


class ActionInfo(ResponseModel):
    id: str
    type: ActionType
    status: str
    conversationId: str
    related: ActionRelated
    createdAt: str
    updatedAt: str
    completedAt: str | None = Field(default=None, description="Present once the action completed")
    failureReason: str | None

    @classmethod
    def of(cls, a: results.Action) -> Self:
        return cls(id=a.id, type=a.type, status=a.status, conversationId=a.conversation_id,
                   related=ActionRelated(communicationId=a.communication_id), createdAt=_ts(a.created_at),
                   updatedAt=_ts(a.updated_at), **_present(completedAt=format_ts(a.completed_at)),
                   failureReason=a.failure_reason)
