"""Whether a customer message is English, the language the offline extraction rules read.

The rules split, judge and rewrite English (extract/clauses.py, extract/rewrite.py); fed another
language they keep fragments and rewrite its words as if they were English pronouns ("mi hanno
detto di dirti che con me" became "... con them"). ``clauses.looks_english`` judges one sentence by
its share of English function words, which a short sentence cannot settle. Here the whole message
is judged by a language identifier (py3langid: naive Bayes over byte n-grams, its model shipped in
the package), restricted to the languages customers write in; a message is left out only when it is
clearly another language, so that a line of names and numbers ("Ahmed Saleh, 12 02 1979") stays
with English."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

# The languages the product serves, plus close neighbours a short English line could be mistaken for.
LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "pl", "tr", "sv", "da", "no", "ca", "ro")
# Below this many words a message is too short for the identifier to settle.
MIN_WORDS = 4
# The probability another language must have before a message is taken for it.
MIN_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def is_english(text: str) -> bool:
    if len(text.split()) < MIN_WORDS:
        return True
    # classify() only reads the model: every call scores into arrays of its own.
    language, probability = _identifier().classify(text)
    return bool(language == "en" or probability < MIN_CONFIDENCE)


# The probability English must have before the identifier's word settles a sentence whose share of
# English function words was too low to ("Landing at PHX 11:40pm tonight, flight delayed.").
MIN_ENGLISH_CONFIDENCE = 0.9


def clearly_english(sentence: str) -> bool:
    """Whether the identifier is confident ``sentence`` is English: the second opinion on a sentence that
    is short of function words, as chat and notes are, and which the rules would otherwise drop."""
    language, probability = _identifier().classify(sentence)
    return bool(language == "en" and probability >= MIN_ENGLISH_CONFIDENCE)
