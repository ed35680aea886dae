"""Signed, expiring upload tokens for CSV imports (the stand-in for a pre-signed S3 URL)."""

from __future__ import annotations

import hashlib
import hmac
import time

from convmem.domain.errors import DomainError


class UploadForbidden(DomainError):
    status, code = 403, 20403


def sign(key: bytes, import_id: str, expires: int) -> str:
    return hmac.new(key, f"{import_id}.{expires}".encode(), hashlib.sha256).hexdigest()


def verify(key: bytes, import_id: str, expires: str | None, signature: str | None, now: float | None = None) -> None:
    if not expires or not signature or not expires.isdigit():
        raise UploadForbidden("The upload URL is missing its signature")
    if not hmac.compare_digest(sign(key, import_id, int(expires)), signature):
        raise UploadForbidden("The upload URL signature is invalid")
    if int(expires) < (time.time() if now is None else now):
        raise UploadForbidden("The upload URL has expired")
