"""Conversations v2 ingestion tables: configurations, conversations, participants,
communications, and the conversation-to-profile link Memory reads.

Conversations belong to the account, not to a memory store: a configuration may name a store
that does not exist (Twilio accepts it and fails silently later), so there is no foreign key
to ``stores`` here. The profile link is the one place that points into Memory, and it does so
with ``ON DELETE CASCADE`` on ``profiles.id`` so that merges (which re-point every
``profile_id`` foreign key) and profile deletions keep it right without extra code."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from convmem.storage.tables import metadata
from convmem.storage.types import UtcDateTime

conv_configurations = Table(
    "conv_configurations",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False),
    Column("display_name", String(32), nullable=False),
    Column("description", String(512), nullable=False),
    Column("grouping_type", String(64), nullable=False),
    Column("memory_store_id", String(128), nullable=False),
    Column("memory_extraction_enabled", Boolean, nullable=False),
    # The rest of the wire object (channelSettings, statusCallbacks, intelligence ids, bridge),
    # stored verbatim: it is returned as given and copied into conversations at creation.
    Column("settings", JSON, nullable=False),
    Column("bridge_service_id", String(34)),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_conv_configurations_account_sid_id", "account_sid", "id"),
)

# Responses of configuration writes by Idempotency-Key, so a retried request is answered with
# the original response instead of being applied twice.
conv_idempotency_keys = Table(
    "conv_idempotency_keys",
    metadata,
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), primary_key=True),
    Column("key", String(36), primary_key=True),
    Column("request_fingerprint", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("body", JSON, nullable=False),
    Column("operation_id", String(48), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("account_sid", String(34), ForeignKey("accounts.sid", ondelete="CASCADE"), nullable=False),
    # No foreign key: a configuration can be deleted once its conversations are closed, and
    # they keep their pinned copy.
    Column("configuration_id", String(48)),
    Column("configuration_version", Integer),
    # The effective configuration (pinned snapshot + inline overrides), as on the wire.
    Column("configuration", JSON, nullable=False),
    Column("memory_store_id", String(128)),
    Column("memory_extraction_enabled", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("name", Text),
    Column("conversation_metadata", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("status_changed_at", UtcDateTime, nullable=False),
    # Newest occurredAt of any communication, and per channel (channel -> ISO time): the
    # lifecycle timers count from these.
    Column("last_communication_at", UtcDateTime),
    Column("channel_activity", JSON, nullable=False),
    # When the lifecycle has to look at this conversation again; NULL once CLOSED or when no
    # timeout applies. The scheduler claims rows by this column, so timers survive restarts.
    Column("next_due_at", UtcDateTime),
    # Communications are numbered per conversation (seq); extraction has processed every
    # communication with seq <= watermark, so nothing is processed twice.
    Column("communication_seq", Integer, nullable=False),
    Column("extraction_watermark", Integer, nullable=False),
    # Customer communications the prompt-injection guard withheld from memory (ids only, never
    # text; null until one is withheld): what an operator looks at (extract/guarded.py).
    Column("memory_withheld", JSON),
    Column("memory_screened", JSON),  # ids of communications with a sentence the screen dropped
    Index("ix_conversations_account_sid_id", "account_sid", "id"),
    Index("ix_conversations_next_due_at", "next_due_at"),
    Index("ix_conversations_configuration_id", "configuration_id"),
)

conv_participants = Table(
    "conv_participants",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("conversation_id", String(48), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("account_sid", String(34), nullable=False),
    Column("name", Text),
    Column("type", String(16), nullable=False),
    # [{channel, address, channelId?}] as given.
    Column("addresses", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_conv_participants_conversation_id_id", "conversation_id", "id"),
)

conv_communications = Table(
    "conv_communications",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("conversation_id", String(48), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("account_sid", String(34), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("author", JSON, nullable=False),
    Column("author_participant_id", String(48)),
    Column("channel", String(16), nullable=False),
    Column("content", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("recipients", JSON, nullable=False),
    Column("channel_id", String(256)),
    Column("resource_id", String(256)),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("conversation_id", "resource_id", name="uq_conv_communications_conversation_resource"),
    Index("ix_conv_communications_conversation_order", "conversation_id", "occurred_at", "id"),
    Index("ix_conv_communications_conversation_seq", "conversation_id", "seq"),
    Index("ix_conv_communications_channel_id", "channel_id"),
    Index("ix_conv_communications_resource_id", "resource_id"),
)

# Actions (SEND_MESSAGE): with no carrier behind this server, an action records the message as
# a communication right away and completes.
conv_actions = Table(
    "conv_actions",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("conversation_id", String(48), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("account_sid", String(34), nullable=False),
    Column("type", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("related", JSON, nullable=False),
    Column("failure_reason", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    Index("ix_conv_actions_conversation_id", "conversation_id"),
)

# Which Memory profile each participant was resolved to. The participant's rendered
# ``profileId`` comes from here, so it follows merges (re-pointed foreign key) and disappears
# when the profile is deleted (cascade).
conversation_profiles = Table(
    "conversation_profiles",
    metadata,
    Column("participant_id", String(48), ForeignKey("conv_participants.id", ondelete="CASCADE"),
           primary_key=True),
    Column("conversation_id", String(48), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("store_id", String(40), ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("profile_id", String(40), ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_conversation_profiles_conversation_id", "conversation_id"),
    Index("ix_conversation_profiles_profile_id", "profile_id"),
)

# Every status change, with whether it asked for memory extraction: an audit trail and the
# transactional outbox the extraction hook writes to (see services/conversations/lifecycle.py).
conv_transitions = Table(
    "conv_transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(48), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("from_status", String(16), nullable=False),
    Column("to_status", String(16), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("extraction_requested", Boolean, nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_conv_transitions_conversation_id", "conversation_id"),
)
