"""Helpers for the web console's tests (tests/test_console.py in-process, tests/test_console_browser.py
in Chromium): signing in over plain HTTP, reading the CSRF token of a page, and seeding a store
with a profile and observations through the REST API."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx

from tests.support.credentials import AccountCredentials
from tests.support.wire import create_store

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
XSS_OBSERVATION = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">Prefers "aisle" seats & tea'
XSS_TRAIT = '<img src=x onerror="window.__xss=3"><b>Zoë</b>'


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, html[:2000]
    return found.group(1)


def sign_in(client: httpx.Client, username: str, secret: str) -> httpx.Response:
    page = client.get("/console/login")
    assert page.status_code == 200, page.text
    return client.post("/console/login", data={"csrf_token": csrf_of(page.text), "accountSid": username,
                                               "authToken": secret})


def signed_in(client: httpx.Client, creds: AccountCredentials) -> str:
    """Sign ``client`` in and return the session's CSRF token."""
    resp = sign_in(client, creds.account_sid, creds.auth_token)
    assert resp.status_code == 303 and resp.headers["location"] == "/console/", resp.text
    home = client.get("/console/")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)


@dataclass
class Seeded:
    store_id: str
    profile_id: str
    observation_ids: list[str]
    email: str


def seed(http: httpx.Client, *, email: str = "ada@example.com", observations: tuple[str, ...] = (),
         first_name: str = "Ada") -> Seeded:
    """A store, a profile (email + firstName) and its observations, through the REST API."""
    store_id = create_store(http)
    resp = http.post(f"/v1/Stores/{store_id}/Profiles",
                     json={"traits": {"Contact": {"email": email, "firstName": first_name}}})
    assert resp.status_code in (200, 201, 202), resp.text
    profile_id = resp.json()["id"]
    ids: list[str] = []
    if observations:
        resp = http.post(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations",
                         json={"observations": [{"content": text, "source": "test",
                                                 "occurredAt": "2026-12-01T10:00:00Z"} for text in observations]})
        assert resp.status_code == 202, resp.text
        listed = http.get(f"/v1/Stores/{store_id}/Profiles/{profile_id}/Observations", params={"pageSize": 100})
        ids = [o["id"] for o in listed.json()["observations"]]
    return Seeded(store_id, profile_id, ids, email)
