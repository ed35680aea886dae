"""Text as the lexical index sees it: lowercase word tokens, English stop words removed,
Snowball-stemmed (PyStemmer), so "hiking" finds "hiked". The same function prepares documents
and queries, which is what makes them meet."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

import Stemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_QUERY_TERMS = 64

STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers herself him himself his how i if in into is it its itself just me more most
my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves s t don didn doesn isn wasn weren won ve ll re d m
""".split())  # noqa: SIM905 (a word list reads better as text)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def terms(text: str) -> list[str]:
    """Stemmed, stop-word-free tokens, in order (duplicates kept: term frequency matters)."""
    return [_stem(w) for w in _TOKEN.findall(text.casefold()) if w not in STOP_WORDS]


def date_words(when: datetime) -> str:
    """The date an item happened, in words ("8 May 2023"): questions name dates that way, and
    putting them in the lexical field is worth several recall points on LoCoMo."""
    return f"{when.day} {when.strftime('%B')} {when.year}"


def document_text(content: str, occurred_at: datetime) -> str:
    """What the lexical index stores for one memory item."""
    return " ".join(terms(f"{content} {date_words(occurred_at)}"))


def query_terms(query: str) -> list[str]:
    """Distinct query terms in first-seen order, at most _MAX_QUERY_TERMS."""
    seen: dict[str, None] = {}
    for term in terms(query):
        seen.setdefault(term, None)
    return list(seen)[:_MAX_QUERY_TERMS]
