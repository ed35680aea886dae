"""ETags for versioned control-plane resources: base64url of ``{"id": ..., "v": version}``,
sent quoted. They change exactly when ``version`` does."""

from __future__ import annotations

import base64
import json

from convmem.domain.errors import PreconditionFailed


def make_etag(resource_id: str, version: int) -> str:
    payload = json.dumps({"id": resource_id, "v": version}, separators=(",", ":")).encode()
    return '"' + base64.urlsafe_b64encode(payload).rstrip(b"=").decode() + '"'


def _bare(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"')


def check_if_match(if_match: str | None, resource_id: str, version: int) -> None:
    """Raise 412 unless ``If-Match`` is absent, empty, ``*`` or names the current version.

    A list of tags (``"a", "b"``) matches when any of them does (RFC 9110)."""
    if if_match is None or not if_match.strip() or if_match.strip() == "*":
        return
    current = _bare(make_etag(resource_id, version))
    if any(_bare(tag) == current for tag in if_match.split(",")):
        return
    raise PreconditionFailed(
        "Resource version conflict: the If-Match ETag does not match the current version "
        f"(version {version}). Fetch the resource again and retry."
    )
