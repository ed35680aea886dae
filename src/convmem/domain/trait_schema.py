"""Trait group schemas: trait-name normalisation, definition checks and the PATCH merge.

Definitions arrive here already shape-checked by the wire models (types, enums, lengths); this
module enforces the rules that need more context: lowerCamelCase names, a validation rule that
agrees with its data type, promotions to configured identifier types, the 95-trait limit and
protected traits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from convmem.domain import errors
from convmem.domain.errors import InvalidRequest

MAX_TRAITS_PER_GROUP = 95
MAX_GROUPS_PER_STORE = 50
MAX_TRAIT_NAME = 64
DELETE_MARKER = ""

_LOWER_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_WORDS = re.compile(r"[A-Za-z0-9]+")

# The out-of-the-box group every store starts with (API-CONTRACT 7.1). Its identity traits
# feed identity resolution, so they are protected: they cannot be redefined or deleted, nor
# can the group itself be deleted. New traits may still be added to it.
CONTACT_GROUP = "Contact"
PROTECTED_TRAITS: Mapping[str, frozenset[str]] = {CONTACT_GROUP: frozenset({"email", "phone"})}
PROTECTED_GROUPS = frozenset({CONTACT_GROUP})


def default_contact_traits() -> dict[str, dict[str, Any]]:
    def text(description: str, promotion: str | None = None) -> dict[str, Any]:
        definition: dict[str, Any] = {"dataType": "STRING", "description": description}
        if promotion:
            definition["idTypePromotion"] = promotion
        return definition

    return {
        "email": text("The customer's email address.", "email"),
        "phone": text("The customer's phone number.", "phone"),
        "firstName": text("Given name."),
        "lastName": text("Family name."),
        "street": text("Street address."),
        "city": text("City."),
        "state": text("State, province or region."),
        "postalCode": text("Postal or ZIP code."),
        "country": text("Country."),
        "preferredLanguage": text("Preferred language, e.g. en or es-MX."),
    }


def normalize_trait_name(name: str) -> str:
    """``first_name``, ``FirstName`` and ``first name`` all become ``firstName``; names that are
    already lowerCamelCase are left alone. Raises InvalidRequest for names that cannot be
    made into an identifier (empty, leading digit, no letters)."""
    if _LOWER_CAMEL.match(name) and len(name) <= MAX_TRAIT_NAME:
        return name
    words: list[str] = _WORDS.findall(name)  # the pattern has no groups: whole matches
    if not words:
        raise InvalidRequest(f"Invalid trait name {name!r}: it must contain letters or digits")
    first = words[0].lower() if words[0].isupper() else words[0][0].lower() + words[0][1:]
    rest = [w[0].upper() + w[1:] for w in words[1:]]
    result = first + "".join(rest)
    if not _LOWER_CAMEL.match(result) or len(result) > MAX_TRAIT_NAME:
        raise InvalidRequest(
            f"Invalid trait name {name!r}: trait names are lowerCamelCase identifiers of at most "
            f"{MAX_TRAIT_NAME} characters starting with a letter"
        )
    return result


def _check_rule(name: str, definition: Mapping[str, Any]) -> None:
    rule = definition.get("validationRule")
    if not rule:
        return
    data_type, rule_type = definition["dataType"], rule.get("ruleType")
    if rule_type != data_type:
        raise InvalidRequest(
            f"Invalid trait {name!r}: validationRule.ruleType {rule_type} does not match dataType {data_type}"
        )
    pairs = {"STRING": ("minLength", "maxLength"), "NUMBER": ("min", "max"), "ARRAY": ("minItems", "maxItems")}
    low_key, high_key = pairs.get(rule_type, (None, None))
    if low_key and rule.get(low_key) is not None and rule.get(high_key) is not None \
            and rule[low_key] > rule[high_key]:
        raise InvalidRequest(f"Invalid trait {name!r}: validationRule.{low_key} is greater than {high_key}")
    if rule_type == "STRING" and rule.get("pattern") is not None:
        try:
            re.compile(rule["pattern"])
        except (re.error, RecursionError, OverflowError) as exc:
            raise InvalidRequest(f"Invalid trait {name!r}: validationRule.pattern is not a valid regular "
                                 f"expression ({exc})") from None


def _check_promotion(name: str, definition: Mapping[str, Any], id_types: Iterable[str]) -> None:
    promotion = definition.get("idTypePromotion")
    if promotion is not None and promotion not in set(id_types):
        raise InvalidRequest(
            f"Invalid trait {name!r}: idTypePromotion {promotion!r} is not an identifier type configured in "
            "the store's identity resolution settings"
        )


def _clean(definition: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form: only the keys that carry a value."""
    out = {k: v for k, v in definition.items() if v is not None}
    if "validationRule" in out:
        out["validationRule"] = {k: v for k, v in out["validationRule"].items() if v is not None}
    return out


def normalize_definitions(
    traits: Mapping[str, Mapping[str, Any]], *, id_types: Iterable[str], allow_delete: bool
) -> dict[str, dict[str, Any]]:
    """Normalise names and check each definition. Returns name -> cleaned definition."""
    if len(traits) > MAX_TRAITS_PER_GROUP:
        raise InvalidRequest(
            f"Too many traits: a request may define at most {MAX_TRAITS_PER_GROUP} traits (got {len(traits)})",
            code=errors.TRAIT_LIMIT,
        )
    id_types = list(id_types)
    result: dict[str, dict[str, Any]] = {}
    raw_names: dict[str, str] = {}
    for raw_name, definition in traits.items():
        name = normalize_trait_name(raw_name)
        if name in result:
            raise InvalidRequest(f"Traits {raw_names[name]!r} and {raw_name!r} are both {name!r} once normalised "
                                 "to lowerCamelCase")
        raw_names[name] = raw_name
        if definition["dataType"] == DELETE_MARKER:
            if not allow_delete:
                raise InvalidRequest(f"Invalid trait {raw_name!r}: dataType must be one of STRING, NUMBER, "
                                     "BOOLEAN, ARRAY (an empty dataType only deletes a trait on PATCH)")
            result[name] = {"dataType": DELETE_MARKER}
            continue
        _check_rule(raw_name, definition)
        _check_promotion(raw_name, definition, id_types)
        result[name] = _clean(definition)
    return result


@dataclass
class MergeResult:
    traits: dict[str, dict[str, Any]]
    deleted: list[str] = field(default_factory=list)


def check_protected_changes(group: str, changes: Mapping[str, Mapping[str, Any]],
                            current: Mapping[str, Mapping[str, Any]]) -> None:
    for name in PROTECTED_TRAITS.get(group, frozenset()) & set(changes):
        if changes[name] != current.get(name):
            raise InvalidRequest(
                f"Trait {group}.{name} is protected by the system and cannot be modified or deleted",
                code=errors.PROTECTED,
            )


def merge(group: str, current: Mapping[str, Mapping[str, Any]],
          changes: Mapping[str, Mapping[str, Any]]) -> MergeResult:
    """PATCH semantics: an existing key is replaced by its complete new definition, a new key is
    added (at the end), and a key whose dataType is ``""`` is deleted. Deleting a trait the
    group does not have is a no-op."""
    check_protected_changes(group, changes, current)
    merged = {name: dict(defn) for name, defn in current.items()}
    deleted: list[str] = []
    for name, definition in changes.items():
        if definition["dataType"] == DELETE_MARKER:
            if merged.pop(name, None) is not None:
                deleted.append(name)
        else:
            merged[name] = dict(definition)
    if len(merged) > MAX_TRAITS_PER_GROUP:
        raise InvalidRequest(
            f"Trait limit exceeded: trait group {group!r} would hold {len(merged)} traits; "
            f"the maximum is {MAX_TRAITS_PER_GROUP}",
            code=errors.TRAIT_LIMIT,
        )
    return MergeResult(merged, deleted)


def promoted_id_types(groups: Iterable[Mapping[str, Mapping[str, Any]]]) -> set[str]:
    """Every identifier type some trait definition promotes to."""
    return {d["idTypePromotion"] for traits in groups for d in traits.values() if d.get("idTypePromotion")}
