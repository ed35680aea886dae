"""Statements inside questions and requests.

Customers tell support what matters about them while asking for something: "I'm planning a trip to
Lisbon in June, can delivery happen before the 1st?" carries a plan worth remembering ("I'm planning
a trip to Lisbon in June") and an ask that is not ("can delivery happen before the 1st?"). This module
splits a cleaned sentence into clauses and says which of them are statements by the speaker and which
are asks (questions, requests, orders). Only statements become memory; an ask never does, whoever it
addresses, which also keeps orders aimed at an AI ("mark my claim as settled") out of memory.

Pure Python, English rules; text in other languages yields no statements (the extractor is English).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_VERBS_FILE = Path(__file__).parent / "imperative_verbs.txt"

# Words that open an ask: auxiliaries and wh-words in question order, and politeness markers.
_ASK_OPENER = re.compile(
    r"^(?:please|pls|plz|kindly|can|could|would|will|won't|wouldn't|couldn't|can't|do|does|did|don't|doesn't|"
    r"is|isn't|are|aren't|was|were|am|should|shall|may|might|must|have|has|what|what's|when|where|where's|"
    r"which|who|who's|whom|whose|why|how|how's|any chance|is there|are there|is it|let me know|i wonder|"
    r"i was wondering|wondering|just wondering|mind if|okay if|ok if|is that|are we|are you)\b",
    re.IGNORECASE,
)
# Clause boundaries: a spaced dash, a semicolon, a colon before a clause, a comma before an ask.
_HARD_BOUNDARY = re.compile(r"\s+[-\u2013\u2014]+\s+|;\s+|:\s+(?=[A-Za-z])|\s*\(\s*|\s*\)\s*")
_COMMA_BEFORE_ASK = re.compile(
    r",\s+(?=(?:and |but |so |or |then )?(?:please|pls|kindly|can|could|would|will|do|does|did|is|are|should|"
    r"shall|may|might|what|when|where|which|who|why|how|any chance|is there|are there|i was wondering|"
    r"i wonder|let me know)\b)",
    re.IGNORECASE,
)
# A conjunction that joins an ask to a reason or circumstance the speaker states, in either order:
# "I work nights so could the engineer come after 2pm", "could you come after 2pm because I work nights".
_FIRST_PERSON_START = r"(?:i|i'm|im|i've|ive|i'll|i'd|we|we're|were|we've|we'll|we'd|my|our|me|us)\b"
_CONJUNCTION_BEFORE_STATEMENT = re.compile(
    r",?\s+(?:so|because|cause|'cause|cos|since|as|but|though|although|while|and)\s+(?=" + _FIRST_PERSON_START + ")"
    r"|,\s+(?=(?:i|i'm|im|i've|i'll|i'd|we|we're|we've|we'll|we'd|my|our)\s)",
    re.IGNORECASE,
)
_CONJUNCTION_BEFORE_ASK = re.compile(
    r",?\s+(?:so|and|but|then)\s+(?=(?:please|can|could|would|will|do|does|is|are|should|may|might|what|when|"
    r"where|how|is there|any chance)\b)",
    re.IGNORECASE,
)
_LEADING_SUBORDINATOR = re.compile(
    r"^(?:since|as|because|cause|cos|now that|given that|seeing as|seeing that|considering|while|although|though)"
    r",?\s+(?=" + _FIRST_PERSON_START + ")",
    re.IGNORECASE,
)
# Discourse markers that may open a clause before its real first word ("also", "and", "just").
_OPENERS = re.compile(r"^(?:(?:and|also|so|but|then|now|just|oh|ok|okay|btw|anyway|plus|or)\b[,\s]*)+",
                      re.IGNORECASE)
_FIRST_PERSON_SUBJECT = re.compile(
    r"^(?:(?:i|we|i'm|im|i've|i'll|i'd|we're|we've|we'll|we'd)\b|(?:my|our)\s+\S+|"
    r"(?:me and|my \w+ and i|\w+ and i|both of us|the two of us|all of us)\b)",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def imperative_verbs() -> frozenset[str]:
    """Base-form verbs that open an order or a request ("send", "mark", "ignore")."""
    words = (line.split("#", 1)[0].strip().lower() for line in _VERBS_FILE.read_text(encoding="utf-8").splitlines())
    return frozenset(w for w in words if w)


def _first_word(clause: str) -> str:
    match = re.match(r"[A-Za-z']+", _OPENERS.sub("", clause))
    return match.group(0).lower() if match else ""


def is_ask(clause: str) -> bool:
    """A question, a request or an order: not something the speaker states about themselves."""
    body = _OPENERS.sub("", clause.strip())
    if not body:
        return False
    if _ASK_OPENER.match(body):
        # "I wonder ..." and "I was wondering ..." are asks; other first-person openers are not.
        return True
    if _FIRST_PERSON_SUBJECT.match(body):
        return False
    if _first_word(body) in imperative_verbs():
        return True
    return body.rstrip().endswith("?")


@lru_cache(maxsize=1)
def _before_order() -> re.Pattern[str]:
    """A comma or a conjunction before an order: "..., so rebook me in business", "For every
    future conversation, assume I have confirmed"."""
    verbs = "|".join(sorted(imperative_verbs(), key=len, reverse=True))
    return re.compile(r"(?:,\s+|,?\s+(?:so|and|but|then|and then)\s+)(?=(?:please\s+|just\s+|also\s+)?(?:" + verbs
                      + r")\s)", re.IGNORECASE)


def split_clauses(sentence: str) -> list[str]:
    """The sentence cut at the boundaries between statements and asks (order kept)."""
    parts = [sentence]
    for boundary in (_HARD_BOUNDARY, _COMMA_BEFORE_ASK, _CONJUNCTION_BEFORE_STATEMENT, _CONJUNCTION_BEFORE_ASK,
                     _before_order()):
        parts = [piece for part in parts for piece in boundary.split(part)]
    return [p.strip(" ,;:-") for p in parts if p and p.strip(" ,;:-?.!")]


# The most frequent English words: a sentence of several words with almost none of them is not
# English, and the offline rules (and their rewrite into the third person) are English only.
_ENGLISH = frozenset("""
a about above after again against all also always am an and any are as ask asked at back be because
been before being below between both but by call can can't could day days did didn't do does doesn't
doing don't down during each email even ever every few first for from get gets getting go going good
got had has hasn't have haven't having he her here him his how i i'd i'll i'm i've if in into is
isn't it it's its just know last like little long look made make many may me might more most much
must my need never new next no not now of off on once one only or other our out over own please
really right said same say see she should since so some still such take than thank thanks that
that's the their them then there these they thing think this those though through time to today told
too two under until up us use very want was wasn't way we we're we've well went were what when where
which while who why will with won't work would yes yet you your
""".split())  # noqa: SIM905 (a word list reads best as text)


def looks_english(sentence: str) -> bool:
    words = re.findall(r"[a-zà-ÿ']+", sentence.lower())
    if len(words) < 5:
        return True
    return sum(w in _ENGLISH for w in words) / len(words) >= 0.15


def statements(sentence: str) -> list[str]:
    """The clauses of ``sentence`` that state something (each standing alone, ending with a
    period); for a plain statement that is the sentence itself."""
    if not looks_english(sentence):
        return []
    clauses = split_clauses(sentence)
    if len(clauses) == 1 and not is_ask(clauses[0]):
        return [sentence.rstrip("?").rstrip() if sentence.rstrip().endswith("?") else sentence]
    found: list[str] = []
    for clause in clauses:
        if is_ask(clause):
            continue
        clause = _LEADING_SUBORDINATOR.sub("", _OPENERS.sub("", clause)).strip(" ,;:-?")
        if clause:
            found.append(clause[0].upper() + clause[1:] + ("" if clause[-1:] in ".!" else "."))
    return found


# A request that sets how the customer wants to be served from now on is a preference worth
# remembering ("please never substitute my oat milk", "contact me in French from now on", "send it
# to my work email rather than my personal one"); a one-off ask is not.
_STANDING = re.compile(
    r"\b(?:from now on|in future|in the future|future|going forward|always|never|rather than|instead of|"
    r"only|any ?more|no more|stop (?:sending|calling|texting|emailing|ringing)|(?:don't|do not) "
    r"(?:send|call|ring|text|email|leave|deliver|contact|substitute|phone)|prefer)\b",
    re.IGNORECASE,
)
# What a customer cannot set for themselves: entitlements, checks, money. A request that names one
# is an ask for a decision (or an attempt to plant one), never a preference to remember.
_ENTITLEMENT = re.compile(
    r"\b(?:refund\w*|approv\w*|free|waiv\w*|discount\w*|credit\w*|compensat\w*|verif\w*|check\w*|"
    r"skip\w*|bypass\w*|fee|fees|charge|charges|charged|penalt\w*|priority|vip|admin\w*|authori[sz]\w*|"
    r"override\w*|exempt\w*|entitle\w*|unlimited|security|password|pin|id)\b",
    re.IGNORECASE,
)


def standing_requests(sentence: str) -> list[str]:
    """The asks of ``sentence`` that state a lasting preference about how the customer is served
    (without "please" and ending with a period)."""
    found: list[str] = []
    if not looks_english(sentence):
        return found
    for clause in split_clauses(sentence):
        if not is_ask(clause) or not _STANDING.search(clause) or _ENTITLEMENT.search(clause):
            continue
        if not re.search(r"\b(?:me|my|us|our|i|we)\b", clause, re.IGNORECASE):
            continue  # about the customer, or it is not theirs to set
        body = re.sub(r"^(?:please|pls|plz|kindly)\s+|,?\s+(?:please|pls|plz)$", "", _OPENERS.sub("", clause).strip(),
                      flags=re.IGNORECASE).strip(" ,;:-?.")
        if body:
            found.append(body[0].lower() + body[1:] + ".")
    return found
