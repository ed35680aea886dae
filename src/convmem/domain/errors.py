"""Domain errors. Each carries the HTTP status and the Twilio error code the API reports for
it, so that the web layer only has to render them."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = 400

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidRequest(DomainError):
    status, code = 400, 520046


class NotFound(DomainError):
    status, code = 404, 20404


class Conflict(DomainError):
    status, code = 409, 20409


class ResourceConflict(Conflict):
    """A conflict with one existing resource, whose id the API reports (X-Conflicting-Resource-Id)."""

    def __init__(self, message: str, resource_id: str) -> None:
        super().__init__(message)
        self.resource_id = resource_id


class PreconditionFailed(DomainError):
    """If-Match named a version that is no longer current."""

    status, code = 412, 520043


class Unauthorized(DomainError):
    status, code = 401, 20003


class RateLimited(DomainError):
    status, code = 429, 20429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status, code = 503, 20503


# Memory-specific codes (SEMANTICS.md section 2).
STORE_NOT_FOUND = 520041
STORE_NOT_ACTIVE = 520042
VERSION_CONFLICT = 520043
STORE_LIMIT = 520044
STORE_EXISTS = 520045
INVALID_REQUEST = 520046
TRAIT_GROUP_NOT_FOUND = 520047
DATA_MAPPING_NOT_FOUND = 520048
INVALID_STORE_ID = 520049
PROTECTED = 520050
INVALID_OPERATION_ID = 520051
OPERATION_NOT_FOUND = 520052
TRAIT_GROUP_LIMIT = 520053
TRAIT_LIMIT = 520054
TRAIT_GROUP_EXISTS = 520055
DATA_MAPPING_EXISTS = 520056


class ProfileMoved(DomainError):
    """The profile id names a profile that was merged into ``canonical_id``. Rendered as 301
    for reads and 308 for writes, with the URL re-pointed at the canonical profile."""

    status, code = 308, 308

    def __init__(self, requested_id: str, canonical_id: str) -> None:
        super().__init__("This resource has moved.")
        self.requested_id = requested_id
        self.canonical_id = canonical_id
