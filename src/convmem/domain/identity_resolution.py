"""Identity resolution rules (API-CONTRACT 7.2), free of storage.

The service gathers, for each identifier type, which existing profiles hold the incoming
normalized values; these functions decide which of them count as matches, what the outcome
is (create, update or merge) and which stored values a ``limit`` evicts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from convmem.domain.errors import InvalidRequest
from convmem.domain.identity_settings import with_defaults


@dataclass(frozen=True)
class IdentifierConfig:
    id_type: str
    matching_algo: str
    matching_threshold: int
    limit: int
    limit_policy: str
    enforce_unique: bool
    normalization: str

    @classmethod
    def from_settings(cls, config: Mapping[str, Any]) -> IdentifierConfig:
        full = with_defaults(config)
        return cls(full["idType"], full["matchingAlgo"], int(full["matchingThreshold"]), int(full["limit"]),
                   full["limitPolicy"], bool(full["enforceUnique"]), full["normalization"])

    @property
    def fuzzy(self) -> bool:
        return self.matching_algo == "fuzzy"


@dataclass(frozen=True)
class Settings:
    configs: dict[str, IdentifierConfig]
    rules: list[str]

    @classmethod
    def from_rows(cls, configs: Iterable[Mapping[str, Any]], rules: Sequence[str]) -> Settings:
        parsed = [IdentifierConfig.from_settings(c) for c in configs]
        return cls({c.id_type: c for c in parsed}, list(rules))

    def config(self, id_type: str) -> IdentifierConfig:
        found = self.configs.get(id_type)
        if found is None:
            raise InvalidRequest(f"idType {id_type!r} is not configured in the store's identity resolution "
                                 "settings")
        return found

    def matching_types(self) -> list[str]:
        """Types consulted when resolving, in priority order: the matching rules, then any other
        type that enforces uniqueness (a value it already holds elsewhere can only be attached by
        merging, so it must be found before writing)."""
        ordered = [t for t in self.rules if t in self.configs]
        ordered += [t for t, c in self.configs.items() if c.enforce_unique and t not in ordered]
        return ordered


# type -> profile id -> number of incoming values that profile shares for that type
Hits = Mapping[str, Mapping[str, int]]


def select_matches(settings: Settings, hits: Hits) -> list[str]:
    """The profiles the incoming identifiers match, in rule-priority order, without repeats.

    A profile found through a type that enforces uniqueness always matches. A type with
    ``enforceUnique=false`` is a compound identifier: a profile found only through such types
    matches when it shares at least two values with the incoming data."""
    shared_total: dict[str, int] = {}
    for per_profile in hits.values():
        for profile_id, count in per_profile.items():
            shared_total[profile_id] = shared_total.get(profile_id, 0) + count
    matched: list[str] = []
    for id_type in settings.matching_types():
        config = settings.configs[id_type]
        for profile_id in hits.get(id_type, {}):
            if profile_id in matched:
                continue
            if config.enforce_unique or shared_total[profile_id] >= 2:
                matched.append(profile_id)
    return matched


def canonical_of(profile_ids: Iterable[str]) -> str:
    """The survivor of a merge: the earliest id (TTIDs sort by creation time)."""
    return min(profile_ids)


def fuzzy_hits(value: str, candidates: Sequence[str], threshold: int) -> list[str]:
    """Stored values similar to ``value`` at ``threshold`` percent or more."""
    found = process.extract(value, candidates, scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
    return [match for match, _score, _index in found]


def evictions(existing: Sequence[Any], limit: int, policy: str, adding: int = 1) -> list[Any]:
    """Which of ``existing`` (oldest first) to drop so that ``adding`` more values fit in
    ``limit``: the oldest under ``fifo``, the most recently added under ``lifo``."""
    excess = len(existing) + adding - limit
    if excess <= 0:
        return []
    excess = min(excess, len(existing))
    return list(existing[:excess]) if policy == "fifo" else list(existing[-excess:])


def trim_to_limit(existing: Sequence[Any], limit: int, policy: str) -> list[Any]:
    """After a merge unions two sets: what to drop so at most ``limit`` remain."""
    return evictions(existing, limit, policy, adding=0)


def removal_for_delete(existing: Sequence[Any], policy: str) -> Any:
    """DeleteProfileIdentifier without removeAll removes one value: fifo the oldest, lifo the newest."""
    return existing[0] if policy == "fifo" else existing[-1]
