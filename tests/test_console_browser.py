"""The web console in a real browser: Debian's Chromium driven by Playwright's Python API against a
``convmem serve`` process (the e2e tier). Sign-in good and bad, the store list, profile search,
the profile page (its screenshot is the README's), a trait edit, a trait group edit conflicting
with one made in another tab, the Recall playground, deleting an observation, a CSV import
followed to completion, a conversation, a CSRF refusal, XSS payloads that stay text, and another
account's ids answering 404.

Chromium is never downloaded: the tests use /usr/bin/chromium (``.ci/run`` installs the
``chromium`` package). Without it they are skipped, except in CI, where they must run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.console import XSS_OBSERVATION, XSS_TRAIT, seed
from tests.support.credentials import Credentials, new_account
from tests.support.live import LiveServer

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
IN_CI = bool(os.environ.get("CI") or os.environ.get("CONVMEM_REQUIRE_POSTGRES"))
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "console-profile.png"

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - reported by the fixture below
    sync_playwright = None  # type: ignore[assignment]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if sync_playwright is None or not Path(CHROMIUM).exists():
        reason = "Debian's chromium (/usr/bin/chromium) and the playwright package are needed for the browser tests"
        if IN_CI:
            pytest.fail(reason + " (CI installs both: .ci/run, make install)")
        pytest.skip(reason + ": apt-get install chromium; make install")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser, live_server: LiveServer) -> Iterator[Page]:
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def sign_in(page: Page, username: str, secret: str) -> None:
    page.goto("/console/")
    assert page.url.endswith("/console/login")  # signed out: redirected to the form
    page.get_by_label("Account SID").fill(username)
    page.get_by_label("Auth token").fill(secret)
    page.get_by_role("button", name="Sign in").click()


def xss_flag(page: Page) -> Any:
    return page.evaluate("() => window.__xss")


def test_sign_in_search_profile_traits_recall_and_delete(page: Page, account: Credentials, http: httpx.Client,
                                                         tmp_path: Path) -> None:
    seeded = seed(http, email="grace@example.com", first_name=XSS_TRAIT,
                  observations=(XSS_OBSERVATION, "Prefers delivery after 6pm; works nights.",
                                "Has a dog called Rex who barks at couriers."))
    sign_in(page, account.account_sid, "wrong-token")
    expect(page.locator("#login-error")).to_contain_text("not accepted")
    sign_in(page, account.account_sid, account.auth_token)
    expect(page.get_by_role("heading", name="Memory stores")).to_be_visible()
    page.locator(f'a[href="/console/stores/{seeded.store_id}"]').click()
    expect(page.locator("svg.chart").first).to_be_visible()

    page.get_by_label("Identifier or trait value").fill("GRACE@example.com")
    page.get_by_role("button", name="Search").click()
    page.locator("#search-results a").first.click()
    expect(page.get_by_role("heading", name=f"Profile {seeded.profile_id}")).to_be_visible()
    # The payloads are text: shown as written, never run.
    expect(page.locator(f"#obs-{seeded.observation_ids[0]} td.content").first).to_be_visible()
    assert "<script>window.__xss=1</script>" in page.locator("#observations").inner_text()
    assert page.locator('input[name="trait.Contact.firstName"]').input_value() == XSS_TRAIT
    assert xss_flag(page) is None

    # Edit a trait.
    page.locator('input[name="trait.Contact.city"]').fill("Lyon")
    page.get_by_role("button", name="Save traits").click()
    expect(page.locator('input[name="trait.Contact.city"]')).to_have_value("Lyon")
    assert http.get(f"/v1/Stores/{seeded.store_id}/Profiles/{seeded.profile_id}").json()["traits"]["Contact"][
        "city"] == "Lyon"

    # The Recall playground: ranked results with score bars.
    page.get_by_label("Query").fill("when is delivery possible?")
    page.get_by_role("button", name="Recall").click()
    results = page.locator("#recall-results")
    expect(results).to_contain_text("works nights")
    expect(results.locator("svg.score").first).to_be_visible()
    assert xss_flag(page) is None

    # The README's screenshot (CONVMEM_UPDATE_SCREENSHOT=1 writes it into docs/).
    shot = tmp_path / "console-profile.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("CONVMEM_UPDATE_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)

    # Delete an observation (a POST carrying the page's CSRF token).
    victim = seeded.observation_ids[-1]
    row = page.locator(f"#obs-{victim}")
    expect(row).to_be_visible()
    row.get_by_role("button").click()
    expect(page.locator(f"#obs-{victim}")).to_have_count(0)
    path = f"/v1/Stores/{seeded.store_id}/Profiles/{seeded.profile_id}/Observations/{victim}"
    assert http.get(path).status_code == 404

    # Readable at 375 px: nothing wider than the screen but the scrolling tables.
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375 + 1


def test_trait_group_conflict_csrf_refusal_and_other_accounts(page: Page, chromium: Browser, live_server: LiveServer,
                                                             account: Credentials, http: httpx.Client,
                                                             db: Any) -> None:
    seeded = seed(http, observations=("Keeps a spare key under the mat.",))
    sign_in(page, account.account_sid, account.auth_token)
    editor = f"/console/stores/{seeded.store_id}/trait-groups/Contact"
    other_tab = page.context.new_page()
    page.goto(editor)
    other_tab.goto(editor)
    page.get_by_label("New trait").fill("loyaltyTier")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#group-version")).to_have_text("2")
    other_tab.get_by_label("New trait").fill("vipSince")
    other_tab.locator("#newDataType").select_option("NUMBER")
    other_tab.get_by_role("button", name="Save changes").click()
    conflict = other_tab.locator("#conflict")
    expect(conflict).to_contain_text("Your version (based on version 1)")
    expect(conflict).to_contain_text("Current version 2")
    expect(conflict).to_contain_text("loyaltyTier")
    group = http.get(f"/v1/ControlPlane/Stores/{seeded.store_id}/TraitGroups/Contact").text
    assert "loyaltyTier" in group and "vipSince" not in group
    other_tab.set_viewport_size({"width": 375, "height": 800})  # the wide table scrolls, the page does not
    assert other_tab.evaluate("() => document.documentElement.scrollWidth") <= 375 + 1
    other_tab.close()

    # A forged CSRF token: 403, and the observation is still there.
    profile = f"/console/stores/{seeded.store_id}/profiles/{seeded.profile_id}"
    page.goto(profile)
    victim = seeded.observation_ids[0]
    page.locator(f'#obs-{victim} input[name="csrf_token"]').evaluate("el => { el.value = 'forged'; }")
    with page.expect_response(lambda r: r.url.endswith(f"/observations/{victim}/delete")) as sent:
        page.locator(f"#obs-{victim}").get_by_role("button").click()
    assert sent.value.status == 403
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    assert http.get(f"/v1/Stores/{seeded.store_id}/Profiles/{seeded.profile_id}/Observations/{victim}") \
        .status_code == 200

    # Another account sees none of it.
    stranger = new_account(db)
    context = chromium.new_context(base_url=live_server.url)
    try:
        tab = context.new_page()
        sign_in(tab, stranger.account_sid, stranger.auth_token)
        expect(tab.get_by_role("heading", name="Memory stores")).to_be_visible()
        for path in (f"/console/stores/{seeded.store_id}", profile, editor):
            response = tab.goto(path)
            assert response is not None and response.status == 404, path
    finally:
        context.close()


def test_csv_import_progress_and_conversation(page: Page, account: Credentials, http: httpx.Client,
                                              tmp_path: Path) -> None:
    seeded = seed(http)
    sign_in(page, account.account_sid, account.auth_token)
    page.goto(f"/console/stores/{seeded.store_id}/imports")
    rows = ["email,firstName"] + [f"person{n}@example.com,Person {n}" for n in range(300)] + ["not-an-email,Bad"]
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("\n".join(rows) + "\n")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.locator("#import-progress")).to_be_visible()
    # The page polls and reloads itself when the import is done, then lists the error rows.
    expect(page.locator("#import-state")).to_have_text("COMPLETED", timeout=60_000)
    expect(page.locator("#import-details")).to_contain_text("row 301")
    assert page.locator("#import-progress").evaluate("el => el.value === el.max")

    config = http.post("/v2/ControlPlane/Configurations", json={
        "displayName": "browser", "description": "", "memoryStoreId": seeded.store_id,
        "conversationGroupingType": "GROUP_BY_PARTICIPANT_ADDRESSES"})
    conversation = http.post("/v2/Conversations", json={"configurationId": config.json()["id"]}).json()["id"]
    customer = {"channel": "SMS", "address": "+18005550177"}
    http.post(f"/v2/Conversations/{conversation}/Participants", json={"type": "CUSTOMER", "addresses": [customer]})
    http.post(f"/v2/Conversations/{conversation}/Communications", json={
        "author": customer, "recipients": [{"channel": "SMS", "address": "+18005550100"}],
        "content": {"type": "TEXT", "text": '<img src=x onerror="window.__xss=5">my parcel is late'}})
    page.goto("/console/conversations")
    page.locator(f'a[href="/console/conversations/{conversation}"]').click()
    expect(page.locator("#messages")).to_contain_text("my parcel is late")
    expect(page.locator("#participants")).to_contain_text("+18005550177")
    assert xss_flag(page) is None
