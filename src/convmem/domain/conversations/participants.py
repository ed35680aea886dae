"""Participants: one address belongs to one participant of a conversation, and which
participants get a Memory profile, by which identifiers (contract section 6).

Pure decisions; the service runs the lookups and creations they call for. Addresses are the
documents stored with a participant (``{"channel", "address", "channelId"?}``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from convmem.domain.errors import ResourceConflict

CUSTOMER, UNKNOWN = "CUSTOMER", "UNKNOWN"
ParticipantType = Literal["HUMAN_AGENT", "CUSTOMER", "AI_AGENT", "AGENT", "UNKNOWN"]
Channel = Literal["VOICE", "SMS", "RCS", "WHATSAPP", "CHAT", "VIDEO", "EMAIL"]

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_PUNCTUATION = re.compile(r"[\s().-]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Mode = Literal["none", "lookup", "lookup_or_create"]


@dataclass(frozen=True)
class Identifier:
    id_type: str
    value: str


@dataclass(frozen=True)
class ResolutionPlan:
    """``none``: never resolved (agents); ``lookup``: a hit upgrades (UNKNOWN); ``lookup_or_create``:
    explicit CUSTOMER, a miss creates a profile. ``explicit_profile_id`` is tried first."""

    mode: Mode
    explicit_profile_id: str | None
    identifiers: tuple[Identifier, ...]


class AddressTaken(ResourceConflict):
    """The address already belongs to another participant of the conversation."""

    def __init__(self, message: str, holder_id: str) -> None:
        super().__init__(message, holder_id)
        self.holder_id = holder_id


def address_key(address: Mapping[str, Any]) -> tuple[str, str]:
    """Addresses are compared by channel and case-insensitively, ignoring surrounding spaces."""
    return str(address["channel"]), str(address["address"]).strip().lower()


def holder_of(participants: Sequence[Any], channel: str, address: str) -> Any | None:
    """The participant (anything with ``addresses``) holding ``channel:address``, or None."""
    key = (channel, address.strip().lower())
    for participant in participants:
        if any(address_key(a) == key for a in participant.addresses):
            return participant
    return None


def check_addresses_free(participants: Sequence[Any], addresses: Sequence[Mapping[str, Any]],
                         own_id: str | None) -> None:
    """Refuse an address another participant (not ``own_id``) of the conversation holds."""
    for address in addresses:
        holder = holder_of(participants, address["channel"], address["address"])
        if holder is not None and holder.id != own_id:
            raise AddressTaken(f"Address {address['channel']}:{address['address']} already belongs to participant "
                               f"{holder.id} of this conversation", holder.id)


def _phone(raw: str) -> str | None:
    value = _PHONE_PUNCTUATION.sub("", raw.strip())
    return value if _E164.match(value) else None


def identifier_for(channel: str, address: str) -> Identifier | None:
    """The Memory identifier an address resolves by, or None when it has none (voice client
    identities, RCS sender ids, video)."""
    text = address.strip()
    if not text:
        return None
    if channel in ("SMS", "VOICE"):
        phone = _phone(text)
        return Identifier("phone", phone) if phone else None
    if channel == "WHATSAPP":
        bare = text[len("whatsapp:"):] if text.lower().startswith("whatsapp:") else text
        phone = _phone(bare)
        return Identifier("whatsapp", phone) if phone else None
    if channel == "RCS":
        bare = text[len("rcs:"):] if text.lower().startswith("rcs:") else text
        phone = _phone(bare)
        return Identifier("phone", phone) if phone else None
    if channel == "CHAT":
        return Identifier("chat", text)
    if channel == "EMAIL":
        return Identifier("email", text.lower()) if _EMAIL.match(text) else None
    return None


def identifiers_for(addresses: Sequence[Mapping[str, Any]]) -> tuple[Identifier, ...]:
    """The identifiers of a participant's addresses, in address order, without repeats."""
    found: dict[Identifier, None] = {}
    for address in addresses:
        ident = identifier_for(str(address.get("channel", "")), str(address.get("address", "")))
        if ident is not None:
            found.setdefault(ident)
    return tuple(found)


def plan(participant_type: str, explicit_profile_id: str | None,
         addresses: Sequence[Mapping[str, Any]]) -> ResolutionPlan:
    if participant_type == CUSTOMER:
        return ResolutionPlan("lookup_or_create", explicit_profile_id, identifiers_for(addresses))
    if participant_type == UNKNOWN:
        return ResolutionPlan("lookup", None, identifiers_for(addresses))
    return ResolutionPlan("none", None, ())


def type_after_resolution(participant_type: str, profile_id: str | None) -> str:
    """An UNKNOWN participant that matched a profile is a CUSTOMER."""
    if participant_type == UNKNOWN and profile_id is not None:
        return CUSTOMER
    return participant_type


def needs_re_resolution(old_type: str, new_type: str, addresses_changed: bool, explicit_profile_id: str | None,
                        has_profile: bool) -> bool:
    """On update: resolve again when the participant became a CUSTOMER, its addresses changed,
    or a profileId was given."""
    if explicit_profile_id is not None:
        return True
    if new_type not in (CUSTOMER, UNKNOWN):
        return False
    return (new_type == CUSTOMER and old_type != CUSTOMER) or addresses_changed or not has_profile


def identifier_traits(identifiers: Sequence[Identifier]) -> dict[str, Any]:
    """Contact traits for a profile created from a participant's identifiers (the first value
    of each type), so trait promotion gives the new profile those identifiers."""
    trait_names = {"phone": "phone", "email": "email", "whatsapp": "whatsapp", "chat": "chatId"}
    contact: dict[str, Any] = {}
    for ident in identifiers:
        name = trait_names.get(ident.id_type)
        if name and name not in contact:
            contact[name] = ident.value
    return {"Contact": contact} if contact else {}
