"""The conversation lifecycle: ACTIVE -> INACTIVE -> CLOSED on per-channel timeouts counted
from the last communication, reactivation on new traffic, explicit changes through the API.

Pure functions: every decision takes ``now`` (and the length of a "minute", which only tests
shorten), so the caller owns the clock (``Clock``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from convmem.domain.errors import InvalidRequest
from convmem.domain.timefmt import utcnow

Status = Literal["ACTIVE", "INACTIVE", "CLOSED"]
ACTIVE, INACTIVE, CLOSED = "ACTIVE", "INACTIVE", "CLOSED"
STATUSES = (ACTIVE, INACTIVE, CLOSED)
MINUTE = timedelta(minutes=1)
# Every conversation ends at most three years after creation, whatever its activity.
HARD_CAP = timedelta(days=3 * 365)


@dataclass(frozen=True)
class Clock:
    """Where "now" comes from and how long a configured minute lasts. Only tests change these
    (``CONVMEM_CONVERSATION_MINUTE_SECONDS`` shortens minutes; in-process tests pass ``now``)."""

    now: Callable[[], datetime] = field(default=utcnow)
    minute: timedelta = MINUTE

    @classmethod
    def with_minute(cls, seconds: float) -> Clock:
        """The real time, with a configured minute lasting ``seconds`` (``conversation_minute_seconds``)."""
        return cls(minute=timedelta(seconds=seconds))


@dataclass(frozen=True)
class Deadlines:
    inactive_at: datetime | None
    closed_at: datetime | None


def _timeouts(channel_settings: Mapping[str, Any] | None, channel: str) -> Mapping[str, Any]:
    setting = (channel_settings or {}).get(channel) or {}
    return setting.get("statusTimeouts") or {}


def deadlines(channel_settings: Mapping[str, Any] | None, channel_activity: Mapping[str, datetime],
              minute: timedelta = MINUTE) -> Deadlines:
    """When the conversation goes INACTIVE and CLOSED if nothing else happens.

    ``channel_activity`` maps each channel seen in the conversation to its last communication.
    The channel still active governs: a deadline is the latest over the channels that have
    that timeout, so one quiet channel cannot close a conversation another one keeps alive.
    Channels without the timeout do not take part; no channel with it means no deadline."""
    inactive: list[datetime] = []
    closed: list[datetime] = []
    for channel, last in channel_activity.items():
        timeouts = _timeouts(channel_settings, channel)
        if timeouts.get("inactive"):
            inactive.append(last + minute * int(timeouts["inactive"]))
        if timeouts.get("closed"):
            closed.append(last + minute * int(timeouts["closed"]))
    return Deadlines(max(inactive) if inactive else None, max(closed) if closed else None)


def due_transition(status: str, d: Deadlines, created_at: datetime, now: datetime) -> str | None:
    """The status the timers move the conversation to at ``now``, or None."""
    if status == CLOSED:
        return None
    if now >= created_at + HARD_CAP or (d.closed_at is not None and now >= d.closed_at):
        return CLOSED
    # "closed <= inactive" means the conversation closes without pausing first.
    pauses = d.inactive_at is not None and (d.closed_at is None or d.inactive_at < d.closed_at)
    if status == ACTIVE and pauses and d.inactive_at is not None and now >= d.inactive_at:
        return INACTIVE
    return None


def next_due(status: str, d: Deadlines, created_at: datetime) -> datetime | None:
    """When the scheduler has to look at the conversation again (None: never, it is CLOSED)."""
    if status == CLOSED:
        return None
    candidates = [created_at + HARD_CAP]
    if d.closed_at is not None:
        candidates.append(d.closed_at)
    if status == ACTIVE and d.inactive_at is not None:
        candidates.append(d.inactive_at)
    return min(candidates)


def activity_with(activity: Mapping[str, datetime], channel: str, occurred_at: datetime) -> dict[str, datetime]:
    """The per-channel activity after a communication on ``channel`` at ``occurred_at`` (a
    back-dated communication does not move a channel's clock backwards)."""
    updated = dict(activity)
    if channel not in updated or occurred_at > updated[channel]:
        updated[channel] = occurred_at
    return updated


def initial_activity(participant_channels: list[str], created_at: datetime) -> dict[str, datetime]:
    """Before any communication, timers count from the conversation's creation on the channels
    its participants have addresses on."""
    return {channel: created_at for channel in dict.fromkeys(participant_channels)}


def check_api_transition(current: str, requested: str) -> bool:
    """Whether an API status change does anything: False for a no-op, True for a change,
    400 for leaving CLOSED (it is final)."""
    if requested not in STATUSES:
        raise InvalidRequest(f"status must be one of {', '.join(STATUSES)}")
    if current == requested:
        return False
    if current == CLOSED:
        raise InvalidRequest("Conversation is closed: a CLOSED conversation cannot change status")
    return True


def reactivates(status: str) -> bool:
    """New traffic brings an INACTIVE conversation back to ACTIVE."""
    return status == INACTIVE


def check_accepts_traffic(status: str) -> None:
    if status == CLOSED:
        raise InvalidRequest("Conversation is closed: it accepts no new communications or participants; "
                             "start a new conversation")


def extraction_requested(to_status: str, extraction_enabled: bool, has_store: bool) -> bool:
    """Memory extraction runs when a conversation pauses or ends, if it is switched on."""
    return extraction_enabled and has_store and to_status in (INACTIVE, CLOSED)
