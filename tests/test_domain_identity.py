"""Pure rules: identifier normalization, typed trait values, match selection, eviction,
CSV cells and upload tokens."""

from __future__ import annotations

import pytest

from convmem.domain import identity_resolution as rules
from convmem.domain import upload_tokens
from convmem.domain.csv_rows import cell_value, row_traits
from convmem.domain.normalization import InvalidIdentifier, normalize
from convmem.domain.trait_values import InvalidTraitValue, UndeclaredTrait, check_declared, check_payload


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("1-317-555-6789", "US", "+13175556789"),
    ("(317) 555-6789", "US", "+13175556789"),
    ("+44 20 7946 0958", "US", "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("442079460958", "US", "+442079460958"),
])
def test_phone(raw: str, region: str, expected: str) -> None:
    assert normalize(raw, "phone", id_type="phone", region=region) == expected


@pytest.mark.parametrize("raw", ["12", "", "phone", "+1"])
def test_phone_invalid(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        normalize(raw, "phone", id_type="phone")


def test_email_trim_none() -> None:
    assert normalize(" Alyssa.Mock @Example.COM ", "email", id_type="email") == "alyssa.mock@example.com"
    with pytest.raises(InvalidIdentifier):
        normalize("not-an-email", "email", id_type="email")
    assert normalize("  A b  ", "trim", id_type="x") == "A b"
    assert normalize("  A b  ", "none", id_type="x") == "  A b  "
    with pytest.raises(InvalidIdentifier):
        normalize("   ", "trim", id_type="x")
    with pytest.raises(InvalidIdentifier):
        normalize("x" * 256, "none", id_type="x")


SCHEMA = {
    "Contact": {"email": {"dataType": "STRING", "idTypePromotion": "email"},
                "firstName": {"dataType": "STRING"}},
    "Prefs": {"n": {"dataType": "NUMBER", "validationRule": {"ruleType": "NUMBER", "min": 1, "max": 5}},
              "tags": {"dataType": "ARRAY", "validationRule": {"ruleType": "ARRAY", "maxItems": 2}},
              "ok": {"dataType": "BOOLEAN"},
              "code": {"dataType": "STRING", "validationRule": {"ruleType": "STRING", "pattern": "[a-z]+"}}},
}


def test_trait_payloads() -> None:
    write = check_payload({"Contact": {"email": "A@x.io", "first_name": "A"}, "Prefs": {"n": 2.5}}, SCHEMA,
                          allow_null=False)
    assert write.values == {"Contact": {"email": "A@x.io", "firstName": "A"}, "Prefs": {"n": 2.5}}
    assert write.promoted == {"email": ["A@x.io"]} and write.has_identifier
    assert check_payload({"Contact": {"firstName": None}}, SCHEMA, allow_null=True).values == {
        "Contact": {"firstName": None}}
    with pytest.raises(InvalidTraitValue):
        check_payload({"Contact": {"firstName": None}}, SCHEMA, allow_null=False)
    for bad in ({"n": 0}, {"n": True}, {"tags": [1, 2, 3]}, {"tags": [{"a": 1}]}, {"ok": 1}, {"code": "abc1"}):
        with pytest.raises(InvalidTraitValue):
            check_payload({"Prefs": bad}, SCHEMA, allow_null=False)
    with pytest.raises(UndeclaredTrait, match="'Nope'"):
        check_declared({"Nope": {}}, SCHEMA)
    with pytest.raises(UndeclaredTrait, match=r"Contact\.age"):
        check_declared({"Contact": {"age": 3}}, SCHEMA)


def _settings(**unique: bool) -> rules.Settings:
    return rules.Settings.from_rows(
        [{"idType": t, "enforceUnique": u} for t, u in unique.items()], list(unique))


def test_select_matches() -> None:
    settings = _settings(email=True, phone=True, crm=False)
    hits = {"email": {"p2": 1}, "phone": {"p1": 1}, "crm": {"p3": 1, "p1": 1}}
    # Rule order, no repeats; p3 shares only one compound value, so it does not match.
    assert rules.select_matches(settings, hits) == ["p2", "p1"]
    assert rules.select_matches(settings, {"crm": {"p3": 2}}) == ["p3"]
    assert rules.canonical_of(["mem_profile_02", "mem_profile_01"]) == "mem_profile_01"


def test_evictions() -> None:
    assert rules.evictions([1, 2, 3], 3, "fifo") == [1]
    assert rules.evictions([1, 2, 3], 3, "lifo") == [3]
    assert rules.evictions([1, 2], 3, "fifo") == []
    assert rules.trim_to_limit([1, 2, 3, 4], 2, "fifo") == [1, 2]
    assert rules.trim_to_limit([1, 2, 3, 4], 2, "lifo") == [3, 4]
    assert rules.removal_for_delete([1, 2, 3], "lifo") == 3
    assert rules.fuzzy_hits("jonathan", ["jonathon", "bob"], 80) == ["jonathon"]


def test_csv_cells_and_tokens() -> None:
    assert cell_value("12", {"dataType": "NUMBER"}, "x") == 12
    assert cell_value("1.5", {"dataType": "NUMBER"}, "x") == 1.5
    assert cell_value("Yes", {"dataType": "BOOLEAN"}, "x") is True
    assert cell_value("a; b", {"dataType": "ARRAY"}, "x") == ["a", "b"]
    with pytest.raises(InvalidTraitValue):
        cell_value("nan", {"dataType": "NUMBER"}, "x")
    assert row_traits(["a", ""], [(0, "G", "t", {"dataType": "STRING"}), (1, "G", "u", {"dataType": "STRING"})]) \
        == {"G": {"t": "a"}}
    key = b"k" * 32
    sig = upload_tokens.sign(key, "imp", 100)
    upload_tokens.verify(key, "imp", "100", sig, now=50)
    for expires, signature, now in (("100", sig, 101), ("100", "0" + sig[1:], 50), (None, sig, 50)):
        with pytest.raises(upload_tokens.UploadForbidden):
            upload_tokens.verify(key, "imp", expires, signature, now=now)
