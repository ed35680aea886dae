"""Secrets said in a conversation never become memory (extract/secrets.py), whichever backend extracts."""

from __future__ import annotations

import pytest

from convmem.extract.base import ExtractionRequest
from convmem.extract.offline import OfflineExtractor
from convmem.extract.secrets import states_secret
from tests.test_extract_offline import AGENT, CUSTOMER, transcript


@pytest.mark.parametrize("text", [
    "my PIN is 4471, I keep forgetting it",
    "PIN: 4471",
    "the security code on the back is 902",
    "Your temporary password is bluebell, please change it",
    "memorable word: Rover",
    "the one-time code was 551 290",
    "Passcode=9981",
])
def test_a_statement_that_gives_a_secrets_value_states_it(text: str) -> None:
    assert states_secret(text)


@pytest.mark.parametrize("text", [
    "I forgot my password",
    "my PIN is blocked",
    "my password is not working",
    "I changed my password on 3 March",  # a date, not the value
    "I tried my PIN 3 times and now it's locked",  # a count
    "my password is 8 characters long",
    "the password was reused from another site",
    "We spoke about the security check on 4 May",
    "my passport number is 553201",  # a passport number is no credential
])
def test_talk_about_a_secret_without_its_value_is_ordinary(text: str) -> None:
    assert not states_secret(text)


def test_the_offline_extractor_keeps_nothing_that_gives_a_secret_whoever_says_it() -> None:
    t = transcript(
        (CUSTOMER, "My PIN is 4471 by the way. I moved to Leeds in May."),
        (AGENT, "Thanks. Your temporary password is tulip, I will email you the reset link today."),
        (CUSTOMER, "Great, my password isn't working since Monday so that helps."),
    )
    result = OfflineExtractor().extract(ExtractionRequest(t, CUSTOMER, want_summary=True))
    contents = " ".join(o.content for o in result.observations)
    assert "Leeds" in contents and "isn't working since Monday" in contents
    written = contents + " " + (result.summary.content if result.summary else "")
    assert "4471" not in written and "tulip" not in written
