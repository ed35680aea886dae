"""Secrets said in a conversation: never memory.

A customer reads out a PIN to pass security, an agent gives a temporary password, someone pastes a
one-time code. Stored as an observation, such a value would be recalled into every later agent's
context and shown in the console: a credential copied to everywhere memory goes. A statement that
gives the value of a secret is therefore dropped by both extractor backends, whoever said it, before
anything is judged or written. Talk about a secret without its value ("I forgot my password", "my
PIN is blocked") is an ordinary problem and stays.

A value is a token with a digit right after the secret's name ("PIN 4471") or after the "is" or colon
that follows it ("the security code on the back is 123"), but not a count ("tried my PIN 3 times"); or,
for the secrets that are words ("my password is bluebell", "memorable word: Rover"), any token after
"is" or a colon that is not a word describing the secret's state ("my password is not working").
"""

from __future__ import annotations

import re

# The names of secrets; "security" alone names a check, not a value, so it needs its noun.
_NAME = (r"(?:pin|pin number|pin code|passcode|password|passphrase|pass word|cvv|cvc|cv2|security (?:code|number|"
         r"answer|pin)|one[- ]time (?:code|password|passcode|pin)|otp|verification code|login code|2fa code|"
         r"mfa code|auth(?:entication)? code|access code|memorable (?:word|date|name|answer|information)|"
         r"secret (?:word|answer|code|question answer))")
_DIGIT_VALUE = re.compile(
    r"\b" + _NAME + r"\b(?:\s*[:#=]?\s*|(?:\s+[\w'-]+){0,4}?\s*(?:\s(?:is|was)\s|[:=])\s*)[#\w-]*\d[\w-]*"
    # "tried my PIN 3 times", "a password of 8 characters": a count, not the value.
    r"(?!\s+(?:times?|attempts?|tries|goes|digits?|characters?|letters?|days?|weeks?|months?|hours?|minutes?)\b)",
    re.IGNORECASE)
_WORD_VALUE = re.compile(r"\b" + _NAME + r"\b(?:\s+(?:is|was)|\s*[:=])\s+[\"']?(?P<value>[^\s\"',.;!?]+)",
                         re.IGNORECASE)
# What a secret "is" when the sentence describes it rather than gives it.
_STATE = frozenset("""
not blocked locked wrong incorrect invalid expired working correct right fine ok okay same different new old
missing lost forgotten changed reset required needed too very still definitely the a my your case-sensitive
see on in at below above attached printed blank there here unknown
""".split())  # noqa: SIM905 (a word list reads best as text)


def states_secret(text: str) -> bool:
    """Whether ``text`` gives the value of a secret (a PIN, a password, a one-time or security code)."""
    if _DIGIT_VALUE.search(text):
        return True
    # A value with a digit was _DIGIT_VALUE's to judge ("my password is 8 characters long" is a count); a
    # participle says what happened to the secret ("the password was reused from another site").
    return any(_is_word_value(match.group("value")) for match in _WORD_VALUE.finditer(text))


def _is_word_value(value: str) -> bool:
    lowered = value.lower()
    return (lowered not in _STATE and not any(c.isdigit() for c in value)
            and not lowered.endswith(("ed", "ing", "en")))
