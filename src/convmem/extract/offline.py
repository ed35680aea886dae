"""The default extractor: offline, deterministic, no model and no network.

For each new communication of the target customer it splits the text into sentences (pysbd, a
rule-based segmenter), keeps the sentences that say something about the customer (see
:mod:`convmem.extract.rules`), rewrites them in the third person with the customer's name and the date
(:mod:`convmem.extract.rewrite`), screens them for special-category data
(:mod:`convmem.extract.screening`) and merges the kept sentences of one communication, and of up to
``max_turns_per_observation`` neighbouring communications of the same speaker, into one observation:
the memory stays compact (on LoCoMo about a third as many observations as turns) and the provenance
lists every communication used. Agent communications yield an observation only when the agent commits
to doing something for the customer.

The extractive summary picks the most central sentences of the conversation (TF-IDF cosine to the
conversation as a whole) in their original order, prefixed with the date and the participants.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pysbd

from convmem.extract import clauses, language, rewrite, rules, secrets
from convmem.extract.base import (
    OBSERVATION_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    WITHHELD_TEXT,
    CandidateObservation,
    Communication,
    ExtractionCounters,
    ExtractionRequest,
    ExtractionResult,
    ExtractiveSummary,
    Extractor,
    ObservationKind,
    Participant,
    Provenance,
    format_date,
)
from convmem.extract.screening import ScreenResult, SpecialCategoryScreen, default_screen
from convmem.extract.screening_clauses import clauses as clauses_for_screening
from convmem.extract.screening_clauses import word_count as clause_word_count

_KIND_PRIORITY = [
    ObservationKind.AGENT_COMMITMENT,
    ObservationKind.PROBLEM,
    ObservationKind.PLAN,
    ObservationKind.PREFERENCE,
    ObservationKind.PERSONAL_FACT,
    ObservationKind.EVENT,
]
# A clause cut out of a longer sentence starts with the word that joined it ("and", "so", "because"); alone,
# it reads without it. A relative clause ("which means ...", "who ...") is about the clause before it.
_LEADING_JOINER = re.compile(
    r"^(?:(?:and|but|so|because|'cause|cause|although|though|whereas|while|plus|or|yet|as well as|also|then)\b[\s,]*)+",
    re.IGNORECASE)
_RELATIVE = re.compile(r"^(?:which|who|whom|whose|that|where|when)\b", re.IGNORECASE)
_PAST_COMMITMENT = re.compile(r"^\w+ed\b|^(?:sent|issued|opened|booked)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Piece:
    """The kept sentences of one communication, already rewritten and screened."""

    communication: Communication
    index: int
    sentences: list[str]
    judgements: list[rules.Judgement]

    @property
    def kind(self) -> ObservationKind:
        return min((j.kind for j in self.judgements), key=_KIND_PRIORITY.index)


@dataclass(frozen=True, slots=True)
class OfflineSettings:
    min_confidence: float = 0.3
    max_sentences_per_observation: int = 6  # per communication
    max_turns_per_observation: int = 3
    max_turn_gap: int = 2  # 2: the speaker's next turn after one reply from the other side
    max_observation_chars: int = 600
    summary_sentences: int = 8
    summary_max_chars: int = 1500
    anchor_relative_dates: bool = True
    # Off only to measure what the GDPR screen costs (bench/extraction_eval.py --no-screen); never in service.
    screen_special_categories: bool = True


# Abbreviations and initials where a period does not end a sentence; only texts containing one of
# these (or an initial like "J. Smith") go through pysbd, the rest use the plain splitter below.
_ABBREVIATION = re.compile(
    r"\b(?:mr|mrs|ms|dr|prof|sr|jr|st|vs|etc|e\.g|i\.e|a\.m|p\.m|no|nos|inc|ltd|co|corp|dept|approx|apt|ave|"
    r"blvd|rd|est|fig|gen|gov|hon|lt|mt|op|ph|pp|rev|sgt|vol|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|u\.s|u\.k|[a-z])\.\s",
    re.IGNORECASE,
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9£$€])|(?<=[.!?])\s+(?=[a-z])(?<![.]{3}\s)")


class _Segmenter:
    """Sentence splitting: a plain rule (end punctuation, then space and a capital) for ordinary chat
    text, pysbd (rule-based, abbreviation aware) when the text holds abbreviations or initials.
    pysbd segmenters are not thread-safe; keep one per thread."""

    def __init__(self) -> None:
        self._local = threading.local()

    def split(self, text: str) -> list[str]:
        stripped = text.strip()
        if not stripped:
            return []
        if not re.search(r"[.!?;]\s", stripped):
            return [stripped]
        if not _ABBREVIATION.search(stripped):
            return [s.strip() for s in _BOUNDARY.split(stripped) if s and s.strip()]
        segmenter = getattr(self._local, "segmenter", None)
        if segmenter is None:
            segmenter = pysbd.Segmenter(language="en", clean=False)
            self._local.segmenter = segmenter
        return [s.strip() for s in segmenter.segment(stripped) if s.strip()]


_SEGMENTER = _Segmenter()


# "member no. GF-30918", "Transaction no. TXN-PH-0098821": the abbreviation's period before a reference is
# no sentence end, though the reference starts with a capital; written without it, the label stays with it.
_NUMBER_ABBREVIATION = re.compile(r"(?<=[A-Za-z] )(no|nos|num)\.\s+(?=#?[A-Za-z-]*\d)", re.IGNORECASE)


# Chat ends a sentence with an emoji as often as with a full stop: "arriving Fri 14th 🙂 any chance of early
# check in?", "3rd floor no lift fyi 😬 will it fit up the stairs??". Between words, an emoji is a boundary.
_EMOJI_BREAK = re.compile(r"(?<=[\w)])\s*(?:" + rewrite.EMOJI.pattern + r")\s+(?=\S)")


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for line in re.split(r"[\r\n]+", _NUMBER_ABBREVIATION.sub(r"\1 ", text)):
        for part in _EMOJI_BREAK.split(line):
            sentences.extend(_SEGMENTER.split(part))
    return sentences


def _is_author(communication: Communication, participant: Participant) -> bool:
    author = communication.author
    if author.id == participant.id:
        return True
    return bool(participant.profile_id and author.profile_id == participant.profile_id)


def _other_name(request: ExtractionRequest) -> str:
    others = {
        c.author.display_name
        for c in request.transcript.communications
        if not _is_author(c, request.customer)
    }
    if len(others) == 1:
        return next(iter(others))
    return "the agent" if any(c.author.type.is_agent for c in request.transcript.communications) else "the other person"


def _bounded(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


class _Verdicts(threading.local):
    """Per thread, the screening verdicts of the transcript being extracted: kept only while one
    ``extract`` or ``summarize`` call runs (nested calls share them), so that no customer's
    sentence outlives its extraction in memory (an erasure must not find it here later)."""

    def __init__(self) -> None:
        self.verdicts: dict[str, ScreenResult] = {}
        self.depth = 0

    @contextmanager
    def scope(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
            if self.depth == 0:
                self.verdicts = {}

    def get(self) -> dict[str, ScreenResult]:
        return self.verdicts


class OfflineExtractor(Extractor):
    name = "offline"

    def __init__(self, settings: OfflineSettings | None = None, screen: SpecialCategoryScreen | None = None) -> None:
        self.settings = settings or OfflineSettings()
        # The runtime's screen (over its embedding models); scripts and tests get the default one.
        self.screen = screen or default_screen()
        # Screening verdicts of the sentences of the transcript being extracted (see _prescreen);
        # per thread because one extractor may serve several workers.
        self._verdicts = _Verdicts()

    def extract(self, request: ExtractionRequest) -> ExtractionResult:
        with self._verdicts.scope():
            return self._extract(request)

    def _extract(self, request: ExtractionRequest) -> ExtractionResult:
        self._prescreen(request)
        counters = ExtractionCounters()
        observations: list[CandidateObservation] = []
        customer_name = request.customer.display_name
        other = _other_name(request)
        group: list[_Piece] = []
        # Whether the customer has said something about themselves earlier in the conversation: a later turn
        # about their people and things ("she turns 10 in May") continues that account.
        spoke_of_self = False
        for index, communication in enumerate(request.transcript.communications):
            if not request.is_new(communication):
                continue
            if _is_author(communication, request.customer):
                question = request.transcript.communications[index - 1] if index > 0 else None
                answering = question is not None and _asks(question, request.customer)
                piece = self._from_customer(communication, index, customer_name, other, counters, answering,
                                            question.text if answering and question is not None else "",
                                            spoke_of_self)
                spoke_of_self = spoke_of_self or piece is not None
            elif communication.author.type.is_agent:
                piece = self._from_agent(communication, index, customer_name, counters)
            else:
                piece = None
            if piece is None:
                continue
            if group and not self._joins(group, piece):
                observations.append(self._observation(request, group))
                group = []
            group.append(piece)
        if group:
            observations.append(self._observation(request, group))
        summary = self.summarize(request, counters) if request.want_summary else None
        return ExtractionResult(observations, summary, counters, self.name)

    def _prescreen(self, request: ExtractionRequest) -> None:
        """Screen, in one batch up front, every statement of the transcript that the extraction or the
        summary may keep: one batched embedding costs a fraction of one call per sentence. ``_screen``
        then finds its verdicts here. Statements no rule would keep are never screened: on LoCoMo that is
        about half of them, and the screen's embeddings are most of the extraction's time."""
        if not self.settings.screen_special_categories:
            return
        self._screen_all(statement for communication in request.transcript.communications
                         for statement in statements_of(communication.text)
                         if _may_be_kept(statement, communication.author.type.is_agent))

    def _screen_all(self, texts: Iterable[str]) -> dict[str, ScreenResult]:
        """The verdicts of this extraction, with those of ``texts`` added in one batch (each text once)."""
        known = self._verdicts.get()
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        known.update(zip(todo, self.screen.screen_many(todo), strict=True))
        return known

    def _screen(self, said: str, written: str) -> ScreenResult:
        """Screen what was said with the model and the backstop, and what we would write with the
        backstop too (the rewrite must not bring in a listed term). The model does not see the
        rewrite: it changes pronouns and names, not what the sentence is about, and the model
        learnt from what customers say."""
        if not self.settings.screen_special_categories:
            return ScreenResult(False)
        verdict = self._verdicts.get().get(said) or self.screen.screen(said)
        return verdict if verdict.sensitive else self.screen.backstop(written)

    def _ordinary_clauses(self, sentence: str) -> list[str]:
        """The clauses of a flagged ``sentence`` that can stand alone without what made it sensitive.

        Only when the screen finds the sensitive part in a clause of its own (the clause scores over the
        threshold alone, or holds a backstop term): a sentence that is sensitive only as a whole keeps nothing.
        A clause is kept when, on its own, it scores under the screen's stricter cut, and when it does not
        lean on the clause before it (a relative "which"/"who" clause). Each kept clause is then judged and
        screened again as a statement, the rewrite included."""
        parts = clauses_for_screening(sentence)
        if len(parts) < 2:
            return []
        known = self._screen_all(parts)
        if not any(known[p].sensitive for p in parts):
            return []
        kept = []
        # A clause of a sentence found sensitive is more likely to be part of the disclosure than a clause
        # met alone ("I'm Muslim, so during Ramadan I'd like evening slots"): it must pass the screen's
        # stricter cut, the one for text in the third person, chosen for recall 0.95 on a harder form.
        cut = min(self.screen.threshold, self.screen.written_threshold)
        for part in parts:
            if known[part].sensitive or known[part].score >= cut:
                continue
            standing = _LEADING_JOINER.sub("", part).strip(" ,;:-")
            if not standing or _RELATIVE.match(standing) or clause_word_count(standing) < 3:
                continue
            # As any statement: an ask in it is never memory, the wish a request carries is.
            kept.extend(clauses.carried(standing[0].upper() + standing[1:]))
        return kept

    # -- observations -------------------------------------------------------------------------------

    def _joins(self, group: list[_Piece], piece: _Piece) -> bool:
        """Whether ``piece`` continues the observation being built: the same speaker's next kept turn
        (at most ``max_turn_gap`` communications later, same day), within the size limits. Packing a few
        neighbouring turns keeps the memory compact without losing any provenance."""
        last = group[-1]
        if len(group) >= self.settings.max_turns_per_observation:
            return False
        if piece.index - last.index > self.settings.max_turn_gap:
            return False
        if (piece.kind is ObservationKind.AGENT_COMMITMENT) != (last.kind is ObservationKind.AGENT_COMMITMENT):
            return False
        if piece.communication.occurred_at.date() != group[0].communication.occurred_at.date():
            return False
        size = sum(len(t) + 1 for p in group for t in p.sentences) + sum(len(t) + 1 for t in piece.sentences)
        return size <= self.settings.max_observation_chars

    def _from_customer(
        self,
        communication: Communication,
        index: int,
        name: str,
        other: str,
        counters: ExtractionCounters,
        answering: bool = False,
        question: str = "",
        spoke_of_self: bool = False,
    ) -> _Piece | None:
        """The customer's statements in ``communication``: its statement clauses and the wishes its
        requests carry (extract/clauses.py), each judged, rewritten and screened. ``answering``: the
        communication answers the other side's ``question``, so its first sentence may be a bare answer
        ("Size 9 UK") that says something about the customer. ``spoke_of_self``: an earlier turn of the
        customer's was kept, so this one's sentences about their people and things continue that account."""
        kept: list[tuple[str, rules.Judgement]] = []
        statements = [(sentence, True) for sentence in statements_of(communication.text)]
        # A bare reference given when asked for one ("Can I take your order number?" "FD-77120") is the
        # customer's order number: written as such, it is a memory a later agent can use; alone, a code
        # says nothing. It may follow the customer's own reading of it ("It's a Ford Focus, the reg is B-F
        # six seven... BF67 XRT."): the first statement that is only a reference is the one asked for.
        # The screen judges what the customer said, not the statement written for it: "Patient ID BW-22018"
        # says more than "My patient ID is BW-22018." reads.
        said_as: dict[str, str] = {}
        thing = rules.asked_for(question) if answering else None
        if thing and rules.keeps_label(thing):
            for position, (statement, _) in enumerate(statements):
                reference = rules.reference_only(statement)
                if reference:
                    statements[position] = (rules.as_asked(thing, reference), True)
                    said_as[statements[position][0]] = statement
                    break
        # So is a reference the customer names in passing ("... order 5581-2290", "Policy HH-5520193.").
        for position, (statement, whole) in enumerate(statements):
            labelled = rules.labelled_reference(statement)
            if labelled:
                statements[position] = (labelled, whole)
                said_as.setdefault(labelled, statement)
        # A sentence about the customer's people and things belongs to their account when the turn also says
        # something about the customer, before or after it ("She's off to university in September, I'll let you
        # know then."): the turn speaks of itself if any of its statements would be kept on its own.
        speaks_of_self = spoke_of_self or any(
            _kept_alone(rules.judge_customer_sentence(s, in_kept_turn=False), self.settings) for s, _ in statements)
        # The answer is the first statement that says something: an apology or an interjection before it
        # ("Oh, sorry. It's Kwame Mensah.") is not the answer.
        opened = False
        while statements:
            sentence, whole = statements.pop(0)
            judgement = rules.judge_customer_sentence(sentence, in_kept_turn=bool(kept) or speaks_of_self,
                                                      answering=answering and not opened and whole)
            opened = opened or (whole and (judgement is not None or len(rules.content_words(sentence)) >= 2))
            if judgement is None or judgement.confidence < self.settings.min_confidence:
                continue
            counters.candidates_seen += whole
            third = rewrite.to_third_person(sentence, name, other)
            verdict = self._screen(said_as.get(sentence, sentence), third)
            if verdict.sensitive:
                if whole:
                    counters.count_drop(verdict.category or "unknown", [communication.id])
                    # The ordinary clauses of the statement are still worth remembering ("I'm moving to
                    # Leeds in March, and my chemo starts in April"): each is judged and screened again.
                    statements[:0] = [(part, False) for part in self._ordinary_clauses(sentence)]
                continue
            if not third.startswith(name):
                third = f"{name} said {rewrite.lower_first(third, {name, other})}"
            kept.append((_end_sentence(third), judgement))
            if len(kept) >= self.settings.max_sentences_per_observation:
                break
        if not kept:
            return None
        return _Piece(communication, index, [text for text, _ in kept], [j for _, j in kept])

    def _from_agent(
        self,
        communication: Communication,
        index: int,
        customer_name: str,
        counters: ExtractionCounters,
    ) -> _Piece | None:
        agent = communication.author.display_name
        kept: list[str] = []
        for raw in split_sentences(communication.text):
            sentence = rewrite.clean(raw)
            action = rules.agent_commitment(sentence) if sentence and not secrets.states_secret(sentence) else None
            if not action:
                continue
            counters.candidates_seen += 1
            past = bool(_PAST_COMMITMENT.match(action))
            action = rewrite.to_third_person(action, agent, customer_name, subject_start=False)
            subject = "the agent" if agent.lower() == "the agent" else f"{agent} (agent)"
            if past:
                text = f"{subject} {action}"
            else:
                text = f"{subject} committed to {action} for {customer_name}" if " " + customer_name not in (
                    " " + action) else f"{subject} committed to {action}"
            verdict = self._screen(sentence, text)
            if verdict.sensitive:
                counters.count_drop(verdict.category or "unknown", [communication.id])
                continue
            kept.append(_end_sentence(text))
        if not kept:
            return None
        judgements = [rules.Judgement(ObservationKind.AGENT_COMMITMENT, 0.8)] * len(kept)
        return _Piece(communication, index, kept, judgements)

    def _observation(self, request: ExtractionRequest, group: list[_Piece]) -> CandidateObservation:
        first = group[0].communication
        body = " ".join(text for piece in group for text in piece.sentences)
        if self.settings.anchor_relative_dates:
            body = rewrite.anchor_relative_dates(body, first.occurred_at.date())
        content = _bounded(f"On {format_date(first.occurred_at)}, {body}", OBSERVATION_MAX_CHARS)
        judgements = [j for piece in group for j in piece.judgements]
        kind = min((j.kind for j in judgements), key=_KIND_PRIORITY.index)
        confidence = round(max(j.confidence for j in judgements), 2)
        return CandidateObservation(
            content=content,
            kind=kind,
            confidence=confidence,
            occurred_at=first.occurred_at,
            provenance=Provenance(request.transcript.conversation_id, tuple(p.communication.id for p in group)),
        )

    # -- summary ------------------------------------------------------------------------------------

    def summarize(self, request: ExtractionRequest, counters: ExtractionCounters) -> ExtractiveSummary | None:
        """Extractive summary of the whole transcript (a summary describes the conversation, so it uses
        the processed communications too)."""
        with self._verdicts.scope():
            return self._summarize(request, counters)

    def _summarize(self, request: ExtractionRequest, counters: ExtractionCounters) -> ExtractiveSummary | None:
        self._prescreen(request)  # a no-op after extract(); the LLM backend's fallback calls this alone
        communications = request.transcript.communications
        if not communications:
            return None
        candidates: list[tuple[int, Communication, str]] = []
        customer_other = _other_name(request)
        for communication in communications:
            speaker = communication.author.display_name
            other = customer_other if _is_author(communication, request.customer) else request.customer.display_name
            from_customer = not communication.author.type.is_agent
            for sentence in statements_of(communication.text):
                # Customer text is untrusted: the summary takes from it only what an observation
                # could (statements about the customer), not remarks addressed to the other side.
                if rules.is_small_talk(sentence) or (
                        from_customer and rules.judge_customer_sentence(sentence, in_kept_turn=False) is None):
                    continue
                third = rewrite.to_third_person(sentence, speaker, other)
                if self._screen(sentence, third).sensitive:
                    counters.screened_communication_ids.add(communication.id)
                    continue
                if not third.startswith(speaker):
                    third = f"{speaker} said {rewrite.lower_first(third, {speaker, other})}"
                candidates.append((len(candidates), communication, _end_sentence(third)))
        first, last = communications[0].occurred_at, communications[-1].occurred_at
        names = sorted({c.author.display_name for c in communications})
        when = format_date(first) if first.date() == last.date() else f"{format_date(first)} to {format_date(last)}"
        header = f"On {when}, {_join_names(names)} talked."
        chosen = _central(candidates, self.settings.summary_sentences)
        parts = [header]
        ids: list[str] = []
        length = len(header)
        for _, communication, text in chosen:
            if length + 1 + len(text) > min(self.settings.summary_max_chars, SUMMARY_MAX_CHARS):
                break
            parts.append(text)
            length += 1 + len(text)
            if communication.id not in ids:
                ids.append(communication.id)
        if not ids:
            ids = [communications[-1].id]
        return ExtractiveSummary(
            content=" ".join(parts),
            occurred_at=last,
            provenance=Provenance(request.transcript.conversation_id, tuple(ids)),
        )


def statements_of(text: str) -> list[str]:
    """The cleaned statements a communication makes, in order: its sentences, and of its questions
    and requests the clauses that state something and the wish a request about the customer's own
    arrangements carries, as a statement (extract/clauses.py); an ask itself is never memory. A message
    in another language says nothing the rules can read (extract/language.py); a claim beside a demand
    for an entitlement anywhere in the message is pressure, not memory, and a message that asks the business
    to set its rules aside for one keeps none of its wishes (``clauses.pressure``). A sentence that gives
    a secret's value (a PIN, a password) says nothing that may be kept."""
    if text == WITHHELD_TEXT or not language.is_english(text):
        return []
    sentences = [sentence for sentence in (rewrite.clean(raw) for raw in split_sentences(text)) if sentence]
    levering, pressing = clauses.pressure(sentences)
    # A labelled reference stays whole: its label is no clause of its own ("org slug: northpeak-dev"). A
    # statement that gives a secret's value is never memory, whoever says it (extract/secrets.py).
    return [statement for sentence in sentences if not secrets.states_secret(sentence)
            for statement in ([sentence] if rules.labelled_reference(sentence) else
                              clauses.carried(sentence, levering, pressing))
            if not secrets.states_secret(statement)]


def _may_be_kept(statement: str, by_agent: bool) -> bool:
    """Whether some later step may keep ``statement`` and so need its screening verdict: an agent's
    statement in the summary unless it is small talk (its commitments too), a customer's when the most
    lenient judgement keeps it (a kept turn, an answer). A statement this misses is still screened when
    it is used, alone."""
    if by_agent:
        return not rules.is_small_talk(statement) or rules.agent_commitment(statement) is not None
    return rules.judge_customer_sentence(statement, in_kept_turn=True, answering=True) is not None


# "How can I help?" opens a conversation; what follows is the customer's request, not an answer.
_OPEN_QUESTION = re.compile(
    r"\b(?:how (?:can|may|could|else can) (?:i|we) (?:help|assist)|what can (?:i|we) do for you|anything else|"
    r"how are you|how's it going|what brings you)\b[^.!?]*\?\s*$",
    re.IGNORECASE,
)


# Options laid before the customer without a question mark ("There's a day pass at £5 or a 30-day add-on for
# £25.", "We have a desk by the window or one in the quiet zone."): the reply names the one they choose.
_OFFER = re.compile(r"\b(?:or|either)\b[^.!?]*[.!]?\s*$|^(?:we(?:'ve| have) got|we have|we offer|there(?:'s| is| are)"
                    r"|you can (?:have|choose|pick))\b[^.!?]*\band\b", re.IGNORECASE)


# A reference asked for without a question mark ("I'll need your ticket number.", "Please read me the serial
# number."): the next turn answers it as it would answer the question.
_ASKING_FOR = re.compile(r"\b(?:need|please|send|give|tell|share|provide|read|let me (?:have|know)|pop|type|enter)\b",
                         re.IGNORECASE)


def _asks(communication: Communication, customer: Participant) -> bool:
    """Whether ``communication`` is the other side's question about something, an offer of options or a
    request for a reference (the next customer turn answers it), not an open "How can I help?"."""
    if _is_author(communication, customer):
        return False
    text = communication.text.rstrip()
    if text.endswith("?"):
        return not _OPEN_QUESTION.search(text)
    sentences = split_sentences(text)
    if not sentences:
        return False
    last = sentences[-1].strip()
    return bool(_OFFER.search(last)) or (rules.asked_for(last) is not None and bool(_ASKING_FOR.search(last)))


def _kept_alone(judgement: rules.Judgement | None, settings: OfflineSettings) -> bool:
    return judgement is not None and judgement.confidence >= settings.min_confidence


def _end_sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!" else text.rstrip(",;:") + "."


def _join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return names[0] if names else "the participants"
    return ", ".join(names[:-1]) + " and " + names[-1]


def _central(
    candidates: list[tuple[int, Communication, str]], count: int
) -> list[tuple[int, Communication, str]]:
    """The ``count`` sentences closest (TF-IDF cosine) to the centroid of all, in original order."""
    if len(candidates) <= count:
        return candidates
    bags = [Counter(rules.content_words(text)) for _, _, text in candidates]
    document_frequency: Counter[str] = Counter()
    for bag in bags:
        document_frequency.update(bag.keys())
    total = len(bags)
    idf = {word: math.log(1 + total / df) for word, df in document_frequency.items()}
    vectors = [{w: (1 + math.log(tf)) * idf[w] for w, tf in bag.items()} for bag in bags]
    centroid: Counter[str] = Counter()
    for vector in vectors:
        centroid.update(vector)
    centroid_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0

    def score(vector: dict[str, float]) -> float:
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        return sum(v * centroid.get(w, 0.0) for w, v in vector.items()) / (norm * centroid_norm)

    ranked = sorted(range(total), key=lambda i: (-score(vectors[i]), i))[:count]
    return [candidates[i] for i in sorted(ranked)]


def extract_all(extractor: Extractor, requests: Iterable[ExtractionRequest]) -> list[ExtractionResult]:
    return [extractor.extract(request) for request in requests]
