"""Typed trait values on profile writes (API-CONTRACT 2.6, 7.5).

A payload is ``{group: {trait: value}}``. Groups and traits must be declared in the store
(trait names are normalized to lowerCamelCase first), values must match the declared
``dataType`` and ``validationRule``. Two kinds of failure are told apart because bulk writes
treat them differently: ``UndeclaredTrait`` (the request names something the store does not
have: always a 400 for the whole request) and ``InvalidTraitValue`` (one value breaks its
rule)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from convmem.domain.errors import InvalidRequest
from convmem.domain.trait_schema import normalize_trait_name

MAX_GROUPS = 50
MAX_TRAITS_PER_GROUP = 99
MAX_STRING = 65536
MAX_ITEMS = 1000

Schema = Mapping[str, Mapping[str, Mapping[str, Any]]]  # group -> trait -> definition


class UndeclaredTrait(InvalidRequest):
    """The payload names a trait group or trait the store does not declare."""


class InvalidTraitValue(InvalidRequest):
    """A value does not satisfy its trait's dataType or validationRule."""


@dataclass
class TraitWrite:
    """A checked payload: values to set (``None`` = remove) and the identifier values the
    promoted traits carry (idType -> raw values, in payload order)."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    promoted: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_identifier(self) -> bool:
        return any(self.promoted.values())


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bool | int | float)


def check_value(where: str, value: Any, definition: Mapping[str, Any]) -> None:
    """Raise InvalidTraitValue unless ``value`` fits the definition."""
    data_type = definition.get("dataType")
    rule = definition.get("validationRule") or {}
    if data_type == "STRING":
        if not isinstance(value, str):
            raise InvalidTraitValue(f"Trait {where} must be a string (dataType STRING)")
        if len(value) > MAX_STRING:
            raise InvalidTraitValue(f"Trait {where} is longer than {MAX_STRING} characters")
        if rule.get("minLength") is not None and len(value) < rule["minLength"]:
            raise InvalidTraitValue(f"Trait {where} must be at least {rule['minLength']} characters long")
        if rule.get("maxLength") is not None and len(value) > rule["maxLength"]:
            raise InvalidTraitValue(f"Trait {where} must be at most {rule['maxLength']} characters long")
        if rule.get("pattern") is not None and not _compiled(rule["pattern"]).fullmatch(value):
            raise InvalidTraitValue(f"Trait {where} does not match the pattern {rule['pattern']!r}")
    elif data_type == "NUMBER":
        if not _is_number(value):
            raise InvalidTraitValue(f"Trait {where} must be a number (dataType NUMBER)")
        if rule.get("min") is not None and value < rule["min"]:
            raise InvalidTraitValue(f"Trait {where} must be at least {rule['min']}")
        if rule.get("max") is not None and value > rule["max"]:
            raise InvalidTraitValue(f"Trait {where} must be at most {rule['max']}")
    elif data_type == "BOOLEAN":
        if not isinstance(value, bool):
            raise InvalidTraitValue(f"Trait {where} must be true or false (dataType BOOLEAN)")
    elif data_type == "ARRAY":
        if not isinstance(value, list) or not all(_is_scalar(item) for item in value):
            raise InvalidTraitValue(f"Trait {where} must be an array of strings, numbers or booleans "
                                    "(dataType ARRAY; no nested arrays or objects)")
        if len(value) > MAX_ITEMS:
            raise InvalidTraitValue(f"Trait {where} has more than {MAX_ITEMS} items")
        if any(isinstance(item, str) and len(item) > MAX_STRING for item in value):
            raise InvalidTraitValue(f"Trait {where} has an item longer than {MAX_STRING} characters")
        if rule.get("minItems") is not None and len(value) < rule["minItems"]:
            raise InvalidTraitValue(f"Trait {where} must have at least {rule['minItems']} items")
        if rule.get("maxItems") is not None and len(value) > rule["maxItems"]:
            raise InvalidTraitValue(f"Trait {where} must have at most {rule['maxItems']} items")
    else:
        raise InvalidTraitValue(f"Trait {where} has no usable dataType in its definition")


def _promoted_values(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            item = str(int(item)) if float(item).is_integer() else str(item)
        if isinstance(item, str) and item.strip():
            out.append(item)
    return out


def check_declared(traits: Mapping[str, Any], schema: Schema) -> None:
    """Only the "is every group and trait declared" part of ``check_payload``."""
    _walk(traits, schema, allow_null=True, check_values=False)


def check_payload(traits: Mapping[str, Any], schema: Schema, *, allow_null: bool) -> TraitWrite:
    """Validate a ``traits`` payload against the store's groups; ``allow_null`` lets a value
    of ``None`` mean "remove this trait" (PATCH)."""
    return _walk(traits, schema, allow_null=allow_null, check_values=True)


def _walk(traits: Mapping[str, Any], schema: Schema, *, allow_null: bool, check_values: bool) -> TraitWrite:
    if not isinstance(traits, Mapping):
        raise InvalidRequest("'traits' must be an object of trait groups")
    if len(traits) > MAX_GROUPS:
        raise InvalidRequest(f"'traits' may name at most {MAX_GROUPS} trait groups (got {len(traits)})")
    result = TraitWrite()
    for group, values in traits.items():
        definitions = schema.get(group)
        if definitions is None:
            raise UndeclaredTrait(f"Trait group {group!r} is not defined in this store")
        if not isinstance(values, Mapping):
            raise InvalidRequest(f"Trait group {group!r} must be an object of trait values")
        if len(values) > MAX_TRAITS_PER_GROUP:
            raise InvalidRequest(f"Trait group {group!r} may set at most {MAX_TRAITS_PER_GROUP} traits "
                                 f"(got {len(values)})")
        checked: dict[str, Any] = {}
        for raw_name, value in values.items():
            try:
                name = normalize_trait_name(raw_name)
            except InvalidRequest:
                raise UndeclaredTrait(f"Trait {group}.{raw_name} is not registered in this store") from None
            definition = definitions.get(name)
            if definition is None:
                raise UndeclaredTrait(f"Trait {group}.{raw_name} is not registered in this store")
            if name in checked:
                raise InvalidRequest(f"Trait {group}.{raw_name} is given twice once normalized to {name!r}")
            if value is None:
                if not allow_null:
                    raise InvalidTraitValue(f"Trait {group}.{name} may not be null here (null removes a trait "
                                            "only on PATCH)")
            elif check_values:
                check_value(f"{group}.{name}", value, definition)
                promotion = definition.get("idTypePromotion")
                if promotion:
                    result.promoted.setdefault(promotion, []).extend(_promoted_values(value))
            checked[name] = value
        if checked:
            result.values[group] = checked
    return result
