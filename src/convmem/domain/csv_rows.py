"""Turning CSV cells into typed trait values for imports (every cell is text)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from convmem.domain.trait_values import InvalidTraitValue

_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def cell_value(cell: str, definition: Mapping[str, Any], where: str) -> Any:
    """The typed value of a non-empty cell for a trait definition."""
    data_type = definition.get("dataType")
    text = cell.strip()
    if data_type == "NUMBER":
        try:
            number = float(text)
        except ValueError:
            raise InvalidTraitValue(f"{where}: {cell!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidTraitValue(f"{where}: {cell!r} is not a finite number")
        return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    if data_type == "BOOLEAN":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise InvalidTraitValue(f"{where}: {cell!r} is not a boolean (true/false)")
    if data_type == "ARRAY":
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise InvalidTraitValue(f"{where}: {cell!r} is not a JSON array") from None
            return parsed
        return [part.strip() for part in text.split(";") if part.strip()]
    return cell


def row_traits(row: Sequence[str], columns: Sequence[tuple[int, str, str, Mapping[str, Any]]]) -> dict[str, Any]:
    """``columns``: (index in row, group, trait, definition). Empty cells set nothing."""
    traits: dict[str, dict[str, Any]] = {}
    for index, group, trait, definition in columns:
        if index >= len(row) or row[index] == "":
            continue
        traits.setdefault(group, {})[trait] = cell_value(row[index], definition, f"{group}.{trait}")
    return traits
