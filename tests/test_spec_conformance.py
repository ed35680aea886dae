"""Points where the published Memory v1 specification and this server used to disagree."""

from __future__ import annotations

import httpx

from tests.support.wire import create_store


def test_an_empty_create_is_a_new_empty_profile_and_a_patch_without_traits_changes_nothing(
        http: httpx.Client) -> None:
    store_id = create_store(http)
    created = http.post(f"/v1/Stores/{store_id}/Profiles", json={})
    assert created.status_code == 202, created.text
    profile = created.json()["id"]
    assert profile.startswith("mem_profile_")
    assert http.post(f"/v1/Stores/{store_id}/Profiles", json={}).json()["id"] != profile  # nothing to match on
    assert http.patch(f"/v1/Stores/{store_id}/Profiles/{profile}", json={}).status_code == 202
    assert http.get(f"/v1/Stores/{store_id}/Profiles/{profile}").json()["traits"] == {}
    # Traits without an identifier stay refused: they would make an unreachable duplicate.
    resp = http.post(f"/v1/Stores/{store_id}/Profiles", json={"traits": {"Contact": {"firstName": "Ann"}}})
    assert resp.status_code == 400


def test_an_empty_page_reports_the_page_size_in_effect(http: httpx.Client) -> None:
    store_id = create_store(http)
    page = http.get(f"/v1/Stores/{store_id}/Profiles", params={"pageSize": 7}).json()
    assert page == {"profiles": [], "meta": {"key": "profiles", "pageSize": 7}}


def test_401_names_the_basic_scheme(anon: httpx.Client) -> None:
    resp = anon.get("/v1/ControlPlane/Stores")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == 'Basic realm="convmem"'
    assert resp.json()["code"] == 20003
