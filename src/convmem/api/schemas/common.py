"""Shapes shared by every resource."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RequestModel(BaseModel):
    """Request bodies: unknown fields are refused and types are not coerced ("5" is not 5)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    def body(self) -> dict[str, Any]:
        """The wire object: the fields that were set, in declaration order (an optional field
        left unset is omitted; one set to None is sent as null)."""
        return self.model_dump(exclude_unset=True)


class ErrorBody(BaseModel):
    code: int = Field(description="Twilio error code")
    message: str
    more_info: str
    status: int


class Meta(BaseModel):
    key: str = Field(description="Name of the property holding this page's items")
    pageSize: int
    nextToken: str | None = None
    previousToken: str | None = None


class AsyncAccepted(BaseModel):
    message: str
    statusUrl: str


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready", "low disk space", "migrations pending", "database unavailable"]
    detail: str | None = Field(default=None, description="Why not ready, when it is not")


class Redirect(BaseModel):
    message: str
    uri: str


def text(min_length: int = 0, max_length: int | None = None, pattern: str | None = None) -> type[str]:
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length,  # type: ignore[return-value]
                                            pattern=pattern)]


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "Invalid request", 401: "Missing or invalid credentials", 404: "Not found",
        405: "Method not allowed", 409: "Conflict", 412: "If-Match does not match the current ETag",
        413: "Request body too large", 429: "Too many requests", 503: "Service unavailable",
    }.items()
}
