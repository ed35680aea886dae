"""Data mappings: checks against the store's trait schema."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from convmem.domain.errors import InvalidRequest


def check_targets(mappings: Sequence[Mapping[str, Any]],
                  groups: Mapping[str, Mapping[str, Any]]) -> None:
    """Every mapped trait must exist in its trait group (``groups``: name -> trait map)."""
    for index, item in enumerate(mappings):
        group, trait = item["traitGroup"], item["traitName"]
        if group not in groups:
            raise InvalidRequest(f"mappingTo.mappings[{index}].traitGroup: trait group {group!r} does not exist")
        if trait not in groups[group]:
            raise InvalidRequest(
                f"mappingTo.mappings[{index}].traitName: trait {trait!r} is not defined in trait group {group!r}"
            )


def referenced_groups(mapping_to: Mapping[str, Any]) -> set[str]:
    return {item["traitGroup"] for item in mapping_to["mappings"]}
