"""Identity-resolution settings: defaults for new stores and the checks on a replacement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from convmem.domain.errors import InvalidRequest

CONFIG_DEFAULTS: Mapping[str, Any] = {
    "matchingAlgo": "exact",
    "matchingThreshold": 75,
    "limit": 100,
    "limitPolicy": "fifo",
    "enforceUnique": True,
    "normalization": "trim",
}


def with_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """Every field present, defaults filled in, in a stable key order."""
    full = {"idType": config["idType"]}
    for key, default in CONFIG_DEFAULTS.items():
        value = config.get(key)
        full[key] = default if value is None else value
    return full


def default_settings() -> tuple[list[dict[str, Any]], list[str]]:
    configs = [
        with_defaults({"idType": "email", "normalization": "email"}),
        with_defaults({"idType": "phone", "normalization": "phone"}),
        # Conversations resolve WhatsApp and Chat participants by these (CONVERSATIONS-CONTRACT 6.2).
        with_defaults({"idType": "whatsapp", "normalization": "phone"}),
        with_defaults({"idType": "chat"}),
    ]
    return configs, ["email", "phone", "whatsapp", "chat"]


def validate(configs: Sequence[Mapping[str, Any]], rules: Sequence[str],
             promoted: Iterable[str]) -> list[dict[str, Any]]:
    """Check a full replacement and return the configs with defaults filled in.

    ``promoted`` are identifier types that trait definitions promote to; removing one of them
    would orphan the promotion, so it is refused."""
    seen: set[str] = set()
    for config in configs:
        if config["idType"] in seen:
            raise InvalidRequest(f"identifierConfigs lists idType {config['idType']!r} more than once")
        seen.add(config["idType"])
    for rule in rules:
        if rule not in seen:
            raise InvalidRequest(
                f"matchingRules entry {rule!r} is not a single idType from identifierConfigs "
                "(compound rules are not supported)"
            )
    if len(set(rules)) != len(rules):
        raise InvalidRequest("matchingRules lists an idType more than once")
    missing = sorted(set(promoted) - seen)
    if missing:
        raise InvalidRequest(
            f"identifierConfigs must keep idType(s) {', '.join(missing)}: trait definitions promote to them "
            "(remove the idTypePromotion first)"
        )
    return [with_defaults(c) for c in configs]
