"""Timestamps on the wire: emitted as ``YYYY-MM-DDTHH:MM:SSZ`` (the only form the official
client turns into a datetime), accepted as any RFC 3339 date-time."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def format_ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> datetime:
    """Parse an RFC 3339 date-time; naive values are read as UTC. Raises ValueError."""
    raw = text.strip()
    if len(raw) < 20 or raw[10] not in "Tt ":
        raise ValueError(f"not an RFC 3339 date-time: {text!r}")
    if raw[-1] in "zZ":
        raw = raw[:-1] + "+00:00"
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        raise ValueError(f"date-time needs a time zone (Z or an offset): {text!r}")
    return value.astimezone(UTC)


def rfc3339_text(value: str) -> str:
    """``value`` unchanged when it is an RFC 3339 date-time; ValueError with the API's message
    otherwise. For validators of request fields that keep the text (REST bodies, MCP arguments)."""
    try:
        parse_ts(value)
    except ValueError:
        raise ValueError("must be an RFC 3339 date-time, e.g. 2025-01-15T10:30:45Z") from None
    return value
