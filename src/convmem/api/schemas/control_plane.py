"""Control-plane wire models: stores, trait groups, identity settings, data mappings,
operations (API-CONTRACT sections 2 and 3.1 to 3.5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field, StringConstraints

from convmem.api.schemas.common import Meta, RequestModel, ResponseModel

StoreName: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9-]+$")]
StoreDescription: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=128)]
GroupName: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_\-\.]+$")]
GroupDescription: TypeAlias = Annotated[str, StringConstraints(min_length=0, max_length=1024)]
IdType: TypeAlias = Annotated[str, StringConstraints(min_length=2, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")]
MappingName: TypeAlias = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                                         pattern=r"^[a-zA-Z][a-zA-Z0-9-.]*$")]
DatasetId: TypeAlias = Annotated[str, StringConstraints(min_length=0, max_length=64,
                                                       pattern=r"^tdi_dataset_[0-7][0-9a-z]{25}$")]


# --- stores -------------------------------------------------------------------------------
class ServiceRequest(RequestModel):
    displayName: StoreName
    description: StoreDescription | None = None


class PatchStoreRequest(RequestModel):
    displayName: StoreName | None = None
    description: StoreDescription | None = None


class Store(ResponseModel):
    id: str
    displayName: str
    description: str | None = None
    status: Literal["QUEUED", "PROVISIONING", "ACTIVE", "FAILED"]
    intelligenceServiceId: str | None
    version: int
    dataAsOf: str | None = None


class StoreList(ResponseModel):
    stores: list[str]
    meta: Meta


# --- trait groups -----------------------------------------------------------------------
class StringRule(RequestModel):
    ruleType: Literal["STRING"]
    pattern: Annotated[str, StringConstraints(min_length=0, max_length=1000)] | None = None
    minLength: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    maxLength: Annotated[int, Field(ge=1, le=1_000_000)] | None = None


class NumberRule(RequestModel):
    ruleType: Literal["NUMBER"]
    min: Annotated[float, Field(allow_inf_nan=False)] | None = None
    max: Annotated[float, Field(allow_inf_nan=False)] | None = None


class BooleanRule(RequestModel):
    ruleType: Literal["BOOLEAN"]


class ArrayRule(RequestModel):
    ruleType: Literal["ARRAY"]
    minItems: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    maxItems: Annotated[int, Field(ge=0, le=1_000_000)] | None = None


ValidationRule = Annotated[StringRule | NumberRule | BooleanRule | ArrayRule, Field(discriminator="ruleType")]


class TraitDefinition(RequestModel):
    dataType: Literal["STRING", "NUMBER", "BOOLEAN", "ARRAY", ""]
    description: Annotated[str, StringConstraints(min_length=0, max_length=1024)] | None = None
    validationRule: ValidationRule | None = None
    idTypePromotion: Annotated[str, StringConstraints(min_length=1, max_length=30)] | None = None


TraitMap: TypeAlias = dict[Annotated[str, StringConstraints(min_length=1, max_length=128)], TraitDefinition]


class TraitGroupRequest(RequestModel):
    displayName: GroupName
    description: GroupDescription | None = None
    traits: TraitMap | None = None


class PatchTraitGroupRequest(RequestModel):
    description: GroupDescription | None = None
    traits: TraitMap | None = None


class TraitGroup(ResponseModel):
    displayName: str
    description: str | None = None
    traits: dict[str, Any] | None = None
    version: int


class TraitGroupList(ResponseModel):
    traitGroups: list[TraitGroup]
    meta: Meta


class TraitGroupFetch(ResponseModel):
    traitGroup: TraitGroup
    meta: Meta


# --- identity resolution settings -----------------------------------------------------
class IdentifierConfig(RequestModel):
    idType: IdType
    matchingAlgo: Literal["exact", "fuzzy"] | None = None
    matchingThreshold: Annotated[int, Field(ge=50, le=99)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] | None = None
    limitPolicy: Literal["fifo", "lifo"] | None = None
    enforceUnique: bool | None = None
    normalization: Literal["phone", "email", "trim", "none"] | None = None


class IdentityResolutionSettingsCore(RequestModel):
    identifierConfigs: Annotated[list[IdentifierConfig], Field(min_length=1, max_length=15)]
    matchingRules: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=30)]],
                             Field(min_length=1, max_length=15)]


class IdentityResolutionSettings(ResponseModel):
    identifierConfigs: list[dict[str, Any]]
    matchingRules: list[str]
    version: int


# --- data mappings ----------------------------------------------------------------------
class MappingTraitItem(RequestModel):
    expression: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    traitGroup: GroupName
    traitName: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[a-z][a-zA-Z0-9_\-\.]*$")]


class DataMappingToTraits(RequestModel):
    type: Literal["TRAITS"] = "TRAITS"
    mappings: Annotated[list[MappingTraitItem], Field(min_length=1, max_length=100)]


class DataMappingFromIngress(RequestModel):
    type: Literal["INGRESS"]
    columns: Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=256)]],
                       Field(min_length=1, max_length=100)]


class DataMappingFromCloudApp(RequestModel):
    type: Literal["DATASET_CLOUDAPP"]
    datasetId: DatasetId


class DataMappingFromWarehouse(RequestModel):
    type: Literal["DATASET_WAREHOUSE"]
    datasetId: DatasetId


MappingFrom = Annotated[DataMappingFromIngress | DataMappingFromCloudApp | DataMappingFromWarehouse,
                        Field(discriminator="type")]


class CreateDataMappingInput(RequestModel):
    displayName: MappingName
    description: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = None
    isEnabled: bool | None = None
    mappingTo: DataMappingToTraits
    mappingFrom: MappingFrom


class DataMappingCore(RequestModel):
    displayName: MappingName | None = None
    description: Annotated[str, StringConstraints(min_length=1, max_length=512)] | None = None
    isEnabled: bool | None = None
    mappingTo: DataMappingToTraits | None = None


class DataMapping(ResponseModel):
    id: str
    displayName: str
    description: str | None = None
    isEnabled: bool
    mappingTo: dict[str, Any]
    mappingFrom: dict[str, Any]
    createdAt: str
    updatedAt: str
    version: int


class DataMappingList(ResponseModel):
    dataMappings: list[DataMapping]
    meta: Meta


# --- operations ---------------------------------------------------------------------------
class OperationStatus(ResponseModel):
    operationId: str
    status: Literal["PENDING", "RUNNING", "CANCELLED", "COMPLETED", "FAILED"]
    createdAt: str
    statusUrl: str | None = None
    completedAt: str | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    resultUrl: str | None = None
