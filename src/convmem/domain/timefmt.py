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
