"""Wire models of observations, revisions, conversation summaries and Recall (contract §2.7,
§3.7.2, §3.10, §3.11). Date-times are accepted as any RFC 3339 string (offsets, fractions)
and emitted as ``YYYY-MM-DDTHH:MM:SSZ``."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from convmem.api.schemas.common import RequestModel
from convmem.domain.memories import CONVERSATION_PATTERN, MAX_BATCH, MAX_CONTENT, MAX_CONVERSATIONS, SOURCE_PATTERN
from convmem.domain.timefmt import rfc3339_text

DateTime = Annotated[str, StringConstraints(max_length=64), AfterValidator(rfc3339_text)]
Content = Annotated[str, StringConstraints(min_length=1, max_length=MAX_CONTENT)]
Source = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=SOURCE_PATTERN)]
# The published specification requires a non-empty source on summaries too.
SummarySource = Source
ConversationId = Annotated[str, StringConstraints(pattern=CONVERSATION_PATTERN)]
ConversationIds = Annotated[list[ConversationId], Field(max_length=MAX_CONVERSATIONS)]


class ObservationCreate(RequestModel):
    content: Content
    source: Source
    occurredAt: DateTime
    conversationIds: ConversationIds | None = None


class CreateObservationsRequest(RequestModel):
    observations: Annotated[list[ObservationCreate], Field(min_length=1, max_length=MAX_BATCH)]


class ObservationPatch(RequestModel):
    content: Content | None = None
    occurredAt: DateTime | None = None
    source: Source | None = None
    conversationIds: ConversationIds | None = None


class SummaryCreate(RequestModel):
    content: Content
    conversationId: ConversationId
    occurredAt: DateTime
    source: SummarySource | None = None


class CreateSummariesRequest(RequestModel):
    summaries: Annotated[list[SummaryCreate], Field(min_length=1, max_length=MAX_BATCH)]


class SummaryPatch(RequestModel):
    source: SummarySource | None = None
    content: Content | None = None
    occurredAt: DateTime | None = None
    conversationId: ConversationId | None = None


Limit = Annotated[int, Field(ge=0, le=100)]


class RecallRequestBody(RequestModel):
    conversationId: ConversationId | None = None
    query: Annotated[str, StringConstraints(max_length=1024)] | None = None
    beginDate: DateTime | None = None
    endDate: DateTime | None = None
    communicationsLimit: Limit | None = None
    observationsLimit: Limit | None = None
    summariesLimit: Limit | None = None
    relevanceThreshold: Annotated[float, Field(ge=0, le=1)] | None = None


class Message(BaseModel):
    message: str


class ObservationInfo(BaseModel):
    id: str
    content: str
    occurredAt: str
    source: str
    conversationIds: list[str] = []
    createdAt: str
    updatedAt: str


class SummaryInfo(BaseModel):
    id: str
    content: str
    occurredAt: str
    source: str | None = None
    conversationId: str
    createdAt: str
    updatedAt: str


class ObservationsPage(BaseModel):
    observations: list[ObservationInfo]
    meta: dict[str, object]


class RevisionsPage(BaseModel):
    revisions: list[ObservationInfo]
    meta: dict[str, object]


class SummariesPage(BaseModel):
    summaries: list[SummaryInfo]
    meta: dict[str, object]


class RecallResponse(BaseModel):
    observations: list[dict[str, object]]
    summaries: list[dict[str, object]]
    communications: list[dict[str, object]]
    meta: dict[str, int]
