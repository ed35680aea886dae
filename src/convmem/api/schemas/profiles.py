"""Wire models of profiles, identifiers, lookup, bulk upserts and imports (API-CONTRACT 2.5, 2.6,
2.10, 3.6-3.9). Trait maps are typed loosely here; their values are checked against the
store's trait groups in ``convmem.domain.trait_values``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from convmem.api.schemas.common import Meta, RequestModel, text

TraitMap = dict[str, Any]


class ProfileData(RequestModel):
    traits: TraitMap = Field(default_factory=dict, description="Trait group name -> {trait name -> value}")


class ProfilePatch(RequestModel):
    # Optional in the published specification: a PATCH without traits changes nothing.
    traits: TraitMap = Field(default_factory=dict,
                             description="Traits to add or update; a null value removes the trait")


class BulkRequest(RequestModel):
    profiles: list[ProfileData] = Field(min_length=1, max_length=1000)


class Identifier(RequestModel):
    idType: text(2, 30)  # type: ignore[valid-type]
    value: text(1, 255)  # type: ignore[valid-type]


class IdentifierUpdate(RequestModel):
    idType: text(2, 30)  # type: ignore[valid-type]
    oldValue: text(1, 255)  # type: ignore[valid-type]
    newValue: text(1, 255)  # type: ignore[valid-type]


class ColumnMappingItem(RequestModel):
    columnName: text(1, 64)  # type: ignore[valid-type]
    traitGroup: text(1, 64)  # type: ignore[valid-type]
    traitName: text(1, 64)  # type: ignore[valid-type]


class ImportRequest(RequestModel):
    filename: text(1, 255)  # type: ignore[valid-type]
    fileSize: int = Field(ge=1, le=104857600)
    columnMappings: list[ColumnMappingItem] = Field(min_length=2, max_length=100)


# ---- responses (documentation; the routers build plain dicts) ----

class ProfileCreated(BaseModel):
    id: str
    message: str


class Message(BaseModel):
    message: str


class Profile(BaseModel):
    id: str
    createdAt: str
    traits: dict[str, dict[str, Any]]


class ProfileList(BaseModel):
    profiles: list[str]
    meta: Meta


class FullTrait(BaseModel):
    name: str
    value: Any
    traitGroup: str
    timestamp: str


class TraitList(BaseModel):
    traits: list[FullTrait]
    meta: Meta


class IdentifierSet(BaseModel):
    idType: str
    values: list[str]


class IdentifierList(BaseModel):
    identifiers: list[IdentifierSet]


class LookupResponse(BaseModel):
    normalizedValue: str
    profiles: list[str]


class BulkAccepted(BaseModel):
    message: str
    operationId: str | None = None
    statusUrl: str | None = None
    createdAt: str | None = None


class BulkFailure(BaseModel):
    index: int = Field(description="Position of the profile in the request")
    code: int
    message: str


class BulkReport(BaseModel):
    """FetchBulkReport (extension): the per-item outcome of a bulk upsert."""

    operationId: str
    status: Literal["PENDING", "RUNNING", "COMPLETED"]
    total: int
    processed: int
    succeeded: int
    failed: int
    failures: list[BulkFailure] = Field(description="The first failures (a bounded number)")


class ImportCreated(BaseModel):
    importId: str
    url: str


class ImportSummary(BaseModel):
    errors: int
    warnings: int


class ImportStatus(BaseModel):
    status: str
    filename: str
    createdAt: str
    updatedAt: str | None = None
    fileSize: int | None = None
    columnMappings: list[dict[str, str]] | None = None
    summary: ImportSummary | None = None


class ImportList(BaseModel):
    imports: list[str]
    meta: Meta
