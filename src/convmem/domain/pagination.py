"""Token pagination: self-contained, signed page tokens.

A token carries the list it belongs to (its scope), the order, the keyset cursor and the
filters of the first request, because the official client's ``*_with_http_info`` variants
send only ``pageToken`` on later pages. The HMAC stops a token from one list (or a forged
one) from being replayed against another."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from convmem.domain.errors import InvalidRequest

Order = Literal["ASC", "DESC"]
MAX_TOKEN = 4096


@dataclass(frozen=True)
class Cursor:
    order: Order = "DESC"
    after: Any = None  # keyset value of the last item of the previous page (forward paging)
    before: Any = None  # keyset value of the first item of the next page (backward paging)
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: Cursor | None
    previous_cursor: Cursor | None
    # The page size in effect (requested, clamped to the list's cap): what ``meta.pageSize``
    # reports, also for a short or empty page.
    size: int | None = None

    def mapped(self, convert: Callable[[Any], Any]) -> Page:
        """The same page with ``convert`` applied to each item (rows to results)."""
        return replace(self, items=[convert(item) for item in self.items])


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenCodec:
    def __init__(self, key: bytes) -> None:
        self._key = key

    def _sign(self, body: bytes) -> str:
        return _b64(hmac.new(self._key, body, hashlib.sha256).digest()[:16])

    def encode(self, scope: str, cursor: Cursor) -> str:
        payload: dict[str, Any] = {"s": scope, "o": cursor.order}
        if cursor.after is not None:
            payload["a"] = cursor.after
        if cursor.before is not None:
            payload["b"] = cursor.before
        if cursor.filters:
            payload["f"] = cursor.filters
        body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        return f"{_b64(body)}.{self._sign(body)}"

    def decode(self, scope: str, token: str) -> Cursor:
        invalid = InvalidRequest("Invalid pageToken: it is malformed, expired or belongs to another list")
        if len(token) > MAX_TOKEN or token.count(".") != 1:
            raise invalid
        body_text, signature = token.split(".")
        try:
            body = _unb64(body_text)
        except (binascii.Error, ValueError):
            raise invalid from None
        if not hmac.compare_digest(self._sign(body), signature):
            raise invalid
        payload = json.loads(body)
        if payload.get("s") != scope or payload.get("o") not in ("ASC", "DESC"):
            raise invalid
        return Cursor(order=payload["o"], after=payload.get("a"), before=payload.get("b"),
                      filters=payload.get("f") or {})


def clamp_page_size(requested: int | None, cap: int, default: int = 50) -> int:
    """The client's ``list(limit=N)`` sends ``pageSize=N`` unbounded, so sizes above the list's
    cap are clamped rather than refused; only values below 1 are errors."""
    if requested is None:
        return min(default, cap)
    if requested < 1:
        raise InvalidRequest("pageSize must be at least 1")
    return min(requested, cap)
