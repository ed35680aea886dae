"""Twilio Type IDs (TTIDs): ``<prefix>_<26 lowercase base32 chars>``, first char 0-7.

We generate them as TypeIDs: a UUIDv7 (48-bit millisecond clock, then randomness) encoded in
Crockford base32. Because the clock is the most significant part, IDs of one prefix sort by
creation time, which lets every list use the id itself as its keyset pagination cursor.
"""

from __future__ import annotations

import os
import re
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"

STORE = "mem_store"
PROFILE = "mem_profile"
OBSERVATION = "mem_observation"
SUMMARY = "mem_summary"
IMPORT = "mem_import"
DATA_MAPPING = "mem_datamapping"
OPERATION = "mem_operation"
TRAIT_GROUP = "mem_traitgroup"
CONVERSATION = "conv_conversation"
PARTICIPANT = "conv_participant"
COMMUNICATION = "conv_communication"
CONFIGURATION = "conv_configuration"
ACTION = "conv_action"
CONVERSATION_OPERATION = "proc_job"  # the ids of Conversations v2 operations

_SUFFIX = r"[0-7][0-9a-z]{25}"
STORE_ID_RE = re.compile(rf"^mem_(store|service)_{_SUFFIX}$")


def pattern_for(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"^{prefix}_{_SUFFIX}$")


def is_valid(prefix: str, value: str) -> bool:
    if prefix == STORE:
        return bool(STORE_ID_RE.match(value))
    return bool(pattern_for(prefix).match(value))


class _Uuid7Clock:
    """Monotonic UUIDv7 source: within one millisecond the random tail is incremented, so ids
    minted by one process are strictly increasing even under a burst."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_tail = 0

    def next(self) -> int:
        with self._lock:
            ms = time.time_ns() // 1_000_000
            if ms <= self._last_ms:
                ms = self._last_ms
                tail = self._last_tail + 1
            else:
                # Leave headroom in the 74 random bits so increments never overflow.
                tail = int.from_bytes(os.urandom(10), "big") >> 8
            self._last_ms, self._last_tail = ms, tail
        rand_a = (tail >> 62) & 0xFFF
        rand_b = tail & ((1 << 62) - 1)
        return (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b


_clock = _Uuid7Clock()


def encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    return f"{prefix}_{encode(_clock.next())}"
