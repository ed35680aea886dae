"""Clause splitting for the special-category screen.

A sentence embedding is a mean over the sentence's tokens, so in a long support sentence one sensitive clause
("..., and since my chemo started I can't get to the depot before five") is outvoted by the ordinary clauses
around it and the whole-sentence vector lands among ordinary talk. The screen therefore also scores each
clause on its own and keeps the highest score (see ``screening.SpecialCategoryScreen``).

The split is deliberately shallow and rule-based (no parser): at clause punctuation and before the
conjunctions that join clauses in customer talk. A fragment too short to mean anything on its own ("so",
"and then") is glued to its neighbour, and a sentence too short to dilute anything is not split at all:
every extra unit is one more chance of a false positive, which the decision threshold has to pay for.
"""

from __future__ import annotations

import re

# Below this many words a sentence is scored whole only: its embedding is not diluted enough for a clause
# to matter, and its fragments would be too short to embed meaningfully.
MIN_WORDS_TO_SPLIT = 10
# A fragment of fewer words than this is merged into its neighbour ("so", "and also", "I mean").
MIN_CLAUSE_WORDS = 3

# Clause punctuation: semicolons, colons, dashes between spaces, brackets and commas. A comma inside a
# number ("1,200") is not a boundary.
_PUNCTUATION = re.compile(r"\s*(?:[;:()\[\]]|\s[-\u2013\u2014]+\s|[\u2013\u2014]|,(?!\d))\s*")
# Conjunctions that start a new clause. Prepositions like "after" or "since" are left alone: they start
# phrases more often than clauses ("since Tuesday"), and cutting there yields fragments without a verb.
_CONJUNCTION = re.compile(
    r"\s+(?=(?:and|but|so|because|'cause|cause|although|though|whereas|while|which|who|plus|or|yet|"
    r"as well as|otherwise|especially|except)\b)",
    re.IGNORECASE,
)
# Sentence ends inside a text: . ! or ? followed by a capital, a digit or a quote ("... Friday. Dana said").
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"'\u201c]?[A-Z0-9])")
_WORD = re.compile(r"[\w'\u2019-]+")


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def clauses(text: str) -> list[str]:
    """The parts of ``text`` worth scoring on their own, in order: its sentences (an extracted observation
    merges several), and the clauses of each long sentence. [] when the text is one sentence short enough to
    be scored whole only, or splits into a single part. The whole text is never in the list."""
    text = " ".join(text.split())
    parts: list[str] = []
    for sentence in _SENTENCE.split(text):
        parts.extend(_clauses_of(sentence) if word_count(sentence) >= MIN_WORDS_TO_SPLIT else [sentence])
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else []


def _clauses_of(sentence: str) -> list[str]:
    pieces = [p for part in _PUNCTUATION.split(sentence) for p in _CONJUNCTION.split(part)]
    merged: list[str] = []
    pending = ""
    for piece in (p.strip() for p in pieces):
        if not piece:
            continue
        pending = f"{pending} {piece}".strip() if pending else piece
        if word_count(pending) >= MIN_CLAUSE_WORDS:
            merged.append(pending)
            pending = ""
    if pending:
        # A short tail ("so thanks") belongs to the clause before it.
        if merged:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    return merged
