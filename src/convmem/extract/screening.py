"""GDPR special-category screening (Art. 9): health, religion or beliefs, political opinions, sexual
orientation or sex life, racial or ethnic origin, trade-union membership, genetic and biometric data.

Nothing the extractors write may mention such data, so every candidate observation and summary sentence goes
through :meth:`SpecialCategoryScreen.screen_many` and is dropped when it is flagged. A dropped ordinary sentence
costs one memory; a kept sensitive one is a compliance failure: the threshold is set for recall first.

How a sentence is scored:

1. Units. The sentence itself and, when it is long, each of its clauses (:mod:`screening_clauses`). A sentence
   embedding is a mean over tokens, so one sensitive clause in a long support sentence is outvoted by the
   ordinary ones around it; scored alone, the clause is not.
2. Classifier. Each unit's vector, its MiniLM vector (the one the project embeds with, ``search.embedding``)
   beside its multilingual-e5-small vector (``search.e5``; see ``PairedEncoder``), goes through
   a multinomial logistic-regression head over nine classes: the eight categories and "ordinary". The unit's
   raw score is the log-odds of "any category" against "ordinary". The sentence's raw score is the highest of
   its units', and its category the best category of that unit.
   A gate comes first: a head of the same kind over the MiniLM vector alone. A unit it scores below its
   cutoff is ordinary and is never embedded by e5 (four times MiniLM's cost); its score is 0. The cutoff is
   chosen so that the gate loses none of the sensitive dev sentences the full screen flags, in either form,
   and at most 0.1% of the sensitive training sentences out of fold (``screening_train.build_gate``); on
   LoCoMo's statements it spares e5 about a third of the units.
3. Calibration. ``score = sigmoid(a * raw + b)``, with ``a, b`` fitted on out-of-fold predictions over the
   training set (Platt scaling), so a score reads as the probability that the sentence is sensitive at the
   training set's mix (about half sensitive; in real traffic far fewer sentences are).
4. Decision. ``sensitive = score >= threshold``. The threshold ships with the weights: chosen on the dev split
   by the rule "the recall whose 95% lower bound is 0.95 first, then the best precision" (``screening_train``).
   A health or genetic verdict about the speaker's animal, with no person named in the flagged part, is
   lifted (``AnimalContext``, ``screen/animals.toml``): Art. 9 protects people, not pets.
5. Backstop. A short list of unambiguous terms (``screen/backstop.jsonl``, each with its justification) flags a
   sentence whatever the model says. It is data, not code, and deliberately small: the classifier is the
   screen; the list only guarantees a few cases nobody should ever have to argue about.

Weights, calibration and threshold live in ``screen/model.npz``, built by ``convmem screen train`` (``make
screen-model``) from ``data/screen/train*.jsonl`` and shipped in the package: nothing is trained at run time,
and inference needs only numpy and the embedding session. The evaluation protocol is in
``bench/screening_eval.py``.

One code path: :meth:`SpecialCategoryScreen.screen` is ``screen_many([text])[0]``. Every unit gets the vector
it would get alone: the MiniLM int8 model quantises activations per batch, so its vectors are embedded one by
one, which makes a verdict independent of what it was screened with (e5's vectors do not depend on their
batch). A caller that already holds whole-sentence vectors of the encoder passes them and only the clauses
are embedded.
"""

from __future__ import annotations

import json
import re
import threading
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from convmem.extract.screening_clauses import clauses, word_count

HEALTH = "health"
RELIGION = "religion"
POLITICS = "politics"
SEXUAL_ORIENTATION = "sexual_orientation"  # covers sex life
RACIAL_ETHNIC = "racial_ethnic"
TRADE_UNION = "trade_union"
GENETIC = "genetic"
BIOMETRIC = "biometric"
CATEGORIES = (HEALTH, RELIGION, POLITICS, SEXUAL_ORIENTATION, RACIAL_ETHNIC, TRADE_UNION, GENETIC, BIOMETRIC)
ORDINARY = "none"
# Class order of the classifier's outputs: "ordinary" first, then the categories.
CLASSES = (ORDINARY, *CATEGORIES)

MODEL = "model"
BACKSTOP = "backstop"

MODEL_FILE = "screen/model.npz"
BACKSTOP_FILE = "screen/backstop.jsonl"
ANIMALS_FILE = "screen/animals.toml"
# The categories an animal can carry: it has an illness or a pedigree's DNA test, not a religion.
ANIMAL_CATEGORIES = frozenset({HEALTH, GENETIC})


@dataclass(frozen=True, slots=True)
class ScreenResult:
    sensitive: bool
    category: str | None = None  # the flagged category; None when ordinary
    # Calibrated probability that the text is sensitive (see the module docstring); 1.0 for a backstop hit.
    score: float = 0.0
    # What decided: the unit (sentence or clause) with the highest score, or the backstop term.
    matched: str | None = None
    stage: str | None = None  # MODEL or BACKSTOP when sensitive


@dataclass(frozen=True, slots=True)
class Redaction:
    """A text's sentences that passed, in order, and the verdicts of those that were flagged."""

    kept: list[str]
    flagged: list[ScreenResult]

    @property
    def text(self) -> str | None:
        """The text without its flagged sentences; None when none is left."""
        return " ".join(self.kept) if self.kept else None


# Sentence ends in text an extractor wrote: a stop, then a capital or a bracket ("... in May. Sam's ...").
_WRITTEN_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\[\"'])")


# "On 2026-03-02, ": how an observation opens (extract/offline.py dates each one).
_DATE_LEAD = re.compile(r"^On [^,.!?]{1,40}, ")


def written_sentences(text: str) -> list[str]:
    return [part for part in _WRITTEN_SENTENCE_END.split(text.strip()) if part] or [text]


class Embeds(Protocol):
    """What the screen needs from an embedding session (``search.embedding.Embedder``)."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


class PairedEncoder:
    """What the classifier reads: a text's MiniLM vector and its multilingual-e5-small vector
    (``search.e5``) side by side, 768 numbers. Two encoders trained on different data disagree on
    different sentences; on dev the pair flagged 2.5% of ordinary sentences at recall 0.95, MiniLM
    alone 6.5% and e5 alone 3.7% (``screening_train``).

    Each MiniLM vector is embedded alone (its int8 activations are quantised per batch); e5 vectors do
    not depend on their batch, so they are embedded together, several times faster."""

    embeds_alone = True  # embed(texts) gives every text the vector it would get alone

    def __init__(self, minilm: Embeds, e5: Embeds) -> None:
        self.minilm = minilm
        self.e5 = e5

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 768), dtype=np.float32)
        minilm = np.concatenate([self.minilm.embed([text]) for text in texts])
        return np.hstack([minilm, self.e5.embed(list(texts))]).astype(np.float32)


# -- the classifier ---------------------------------------------------------------------------------------


def _dense(vectors: np.ndarray, layers: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    hidden = np.asarray(vectors, dtype=np.float32)
    for i, (weights, bias) in enumerate(layers):
        # Row by row: a matrix product rounds differently from a vector product (BLAS picks other
        # kernels), and a text's score must not depend on how many texts were screened with it.
        hidden = np.stack([row @ weights for row in hidden]) + bias if len(hidden) else \
            np.zeros((0, weights.shape[1]), dtype=np.float32)
        if i < len(layers) - 1:
            hidden = np.maximum(hidden, 0.0)
    return hidden


def _log_odds(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of class logits: the log-odds of any category against "ordinary", and the best category."""
    logits = logits.astype(np.float64)
    sensitive = logits[:, 1:]
    top = sensitive.max(axis=1)
    log_any = top + np.log(np.exp(sensitive - top[:, None]).sum(axis=1))
    return log_any - logits[:, 0], sensitive.argmax(axis=1)


@dataclass(frozen=True)
class Gate:
    """The first stage: a logistic head over the first ``dimensions`` numbers of a unit's vector (its MiniLM
    half). A unit whose raw log-odds fall below ``cutoff`` is ordinary without the second encoder."""

    weights: np.ndarray  # (dimensions, classes)
    bias: np.ndarray  # (classes,)
    cutoff: float

    @property
    def dimensions(self) -> int:
        return int(self.weights.shape[0])

    def raw(self, first: np.ndarray) -> np.ndarray:
        """Raw log-odds of each row of ``first``: vectors of the gate's width, or wider ones (it reads
        their first ``dimensions`` numbers)."""
        first = np.asarray(first, dtype=np.float32)[:, : self.dimensions]
        return _log_odds(_dense(first, ((self.weights, self.bias),)))[0]

    def passes(self, first: np.ndarray) -> np.ndarray:
        """Which rows need the full model."""
        return self.raw(first) >= self.cutoff


@dataclass(frozen=True)
class ScreenModel:
    """A classifier head over sentence vectors: dense layers (ReLU between them; one layer is logistic
    regression), Platt calibration of the raw log-odds, and the decision threshold on the calibrated score."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]  # (weights (d_in, d_out), bias (d_out,))
    calibration: tuple[float, float]  # a, b of sigmoid(a * raw + b)
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict)  # how it was built: data, settings, dev figures
    # The threshold for text an extractor wrote about the customer ("On 2024-03-05, the customer said ..."),
    # chosen by the same rule on dev in that form: third-person text scores lower than what the customer
    # said, so the first-person threshold would miss it. None: the same threshold for both.
    written_threshold: float | None = None
    gate: Gate | None = None  # None: every unit goes through the full model

    @property
    def dimensions(self) -> int:
        return int(self.layers[0][0].shape[0])

    def logits(self, vectors: np.ndarray) -> np.ndarray:
        hidden = np.asarray(vectors, dtype=np.float32)
        if hidden.ndim != 2 or hidden.shape[1] != self.dimensions:
            # A vector from another model would be scored in the wrong space without complaint.
            raise ValueError(f"expected (n, {self.dimensions}) vectors, got shape {hidden.shape}")
        return _dense(hidden, self.layers)

    def raw(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per vector: the log-odds of any category against "ordinary", and the best category's index
        into CATEGORIES. The gate is not applied here (see ``gated_raw``)."""
        return _log_odds(self.logits(vectors))

    def gated_raw(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``raw`` as the screen decides: a unit the gate stops scores -inf (calibrated 0); its second
        half is not read and may be anything."""
        raw, category = self.raw(vectors)
        if self.gate is not None and len(raw):
            raw = np.where(self.gate.passes(vectors), raw, -np.inf)
        return raw, category

    def calibrated(self, raw: np.ndarray | float) -> np.ndarray:
        a, b = self.calibration
        raw = np.asarray(raw, dtype=np.float64)
        z = np.clip(a * raw + b, -500.0, 500.0)  # exp() must not overflow
        # -inf: a unit the gate stopped (or no unit at all) scores exactly 0, not 1e-218.
        return np.where(np.isneginf(raw), 0.0, 1.0 / (1.0 + np.exp(-z)))

    @classmethod
    def load(cls, path: Path | None = None) -> ScreenModel:
        """The shipped model, or the one at ``path``."""
        if path is None:
            with resources.as_file(resources.files("convmem.extract").joinpath(MODEL_FILE)) as shipped:
                return cls.load(Path(shipped))
        with np.load(path, allow_pickle=False) as data:
            count = int(data["layer_count"])
            layers = tuple((np.asarray(data[f"w{i}"], dtype=np.float32), np.asarray(data[f"b{i}"], dtype=np.float32))
                           for i in range(count))
            calibration = data["calibration"].astype(np.float64)
            meta = json.loads(str(data["meta"]))
            if tuple(meta.get("classes", CLASSES)) != CLASSES:
                raise ValueError(f"{path}: model classes {meta.get('classes')} are not {CLASSES}")
            written = float(data["written_threshold"]) if "written_threshold" in data.files else None
            gate = None
            if "gate_w" in data.files:
                gate = Gate(np.asarray(data["gate_w"], dtype=np.float32), np.asarray(data["gate_b"], dtype=np.float32),
                            float(data["gate_cutoff"]))
            return cls(layers, (float(calibration[0]), float(calibration[1])), float(data["threshold"]), meta,
                       written, gate)

    def arrays(self) -> dict[str, np.ndarray]:
        """Everything the model file holds, as named arrays (see screening_train.npz_bytes)."""
        out: dict[str, np.ndarray] = {"layer_count": np.array(len(self.layers)),
                                      "calibration": np.array(self.calibration, dtype=np.float64),
                                      "threshold": np.array(self.threshold, dtype=np.float64),
                                      "meta": np.array(json.dumps({**self.meta, "classes": list(CLASSES)},
                                                                  sort_keys=True))}
        if self.written_threshold is not None:
            out["written_threshold"] = np.array(self.written_threshold, dtype=np.float64)
        for i, (weights, bias) in enumerate(self.layers):
            out[f"w{i}"] = np.asarray(weights, dtype=np.float32)
            out[f"b{i}"] = np.asarray(bias, dtype=np.float32)
        if self.gate is not None:
            out["gate_w"] = np.asarray(self.gate.weights, dtype=np.float32)
            out["gate_b"] = np.asarray(self.gate.bias, dtype=np.float32)
            out["gate_cutoff"] = np.array(self.gate.cutoff, dtype=np.float64)
        return out


@lru_cache(maxsize=1)
def shipped_model() -> ScreenModel:
    """The packaged weights, read once per process (a few kilobytes)."""
    return ScreenModel.load()


# -- the backstop ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackstopTerm:
    term: str
    category: str
    why: str
    exceptions: tuple[str, ...] = ()


class Backstop:
    """Unambiguous terms that flag a text whatever the classifier says. Matched case-insensitively on whole
    words; a term written "I'm X" also matches "I am X"; a term's ``except`` phrases (the few idioms that
    contain it) are blanked out first."""

    def __init__(self, terms: Sequence[BackstopTerm]) -> None:
        self.terms = tuple(terms)
        for t in self.terms:
            if t.category not in CATEGORIES:
                raise ValueError(f"backstop term {t.term!r}: unknown category {t.category!r}")
        self._patterns = [(t, _phrase_pattern(t.term), [_phrase_pattern(e) for e in t.exceptions])
                          for t in self.terms]

    @classmethod
    def load(cls, path: Path | None = None) -> Backstop:
        if path is None:
            text = resources.files("convmem.extract").joinpath(BACKSTOP_FILE).read_text(encoding="utf-8")
        else:
            text = path.read_text(encoding="utf-8")
        terms = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if not row.get("why"):
                raise ValueError(f"backstop line {number}: every term needs its justification ('why')")
            terms.append(BackstopTerm(row["term"], row["category"], row["why"], tuple(row.get("except", ()))))
        return cls(terms)

    def find(self, text: str) -> BackstopTerm | None:
        text = text.replace("\u2019", "'")
        for term, pattern, exceptions in self._patterns:
            if not pattern.search(text):
                continue
            masked = text
            for exception in exceptions:
                masked = exception.sub(" ", masked)
            if pattern.search(masked):
                return term
        return None


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    body = re.escape(phrase.replace("\u2019", "'"))
    if phrase.lower().startswith("i'm "):
        body = r"i(?:'m|\s+am)\s+" + re.escape(phrase[4:])
    body = body.replace(r"\ ", r"\s+")
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def shipped_backstop() -> Backstop:
    return Backstop.load()


_FIRST_PERSON = ("i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "my", "mine", "myself", "we", "we're",
                 "we've", "us", "our", "ours", "ourselves")


def _words(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class AnimalContext:
    """The speaker's animals (``screen/animals.toml``, which says why): a health or genetic verdict on
    a sentence about a pet's illness is lifted when the flagged part names no person."""

    owned: re.Pattern[str]
    care: re.Pattern[str]
    person: re.Pattern[str]

    @classmethod
    def load(cls, path: Path | None = None) -> AnimalContext:
        source = resources.files("convmem.extract").joinpath(ANIMALS_FILE) if path is None else path
        data = tomllib.loads(source.read_text(encoding="utf-8"))
        # "my dog", "our old cat Mochi", "the mare": an animal with a determiner and up to two words before it.
        owned = rf"\b(?:my|our|the|his|her|their)\s+(?:[\w'-]+\s+){{0,2}}?(?:{_words(data['animals'])})\b"
        return cls(re.compile(owned, re.IGNORECASE),
                   re.compile(rf"\b(?:(?:my|our|the)\s+)?(?:{_words(data['animal_care'])})(?!\w)", re.IGNORECASE),
                   re.compile(rf"(?<![\w'])(?:{_words([*_FIRST_PERSON, *data['people']])})(?![\w'])", re.IGNORECASE))

    def about_animal(self, text: str, unit: str) -> bool:
        """Whether ``unit``, the flagged part of ``text``, speaks of an animal rather than a person: the text
        names an animal of the speaker's (or its vet), and the unit, without that mention, names nobody."""
        text, unit = text.replace("\u2019", "'"), unit.replace("\u2019", "'")
        if not (self.owned.search(text) or self.care.search(text)):
            return False
        return not self.person.search(self.care.sub(" ", self.owned.sub(" ", unit)))


@lru_cache(maxsize=1)
def shipped_animals() -> AnimalContext:
    return AnimalContext.load()


# -- the screen -----------------------------------------------------------------------------------------


class SpecialCategoryScreen:
    """The special-category screen of one process, over one embedding session.

    ``embedder`` is an embedding session (``Embedder``) or a callable returning one, so that building the
    screen does not load the model (the runtime builds it at start-up; the session loads on first use).
    ``model`` and ``backstop`` default to the shipped ones; ``threshold`` overrides the model's (an
    evaluation sweeps it; the service uses the shipped one)."""

    def __init__(self, embedder: Embeds | Callable[[], Embeds], model: ScreenModel | None = None,
                 backstop: Backstop | None = None, threshold: float | None = None) -> None:
        self._embedder = embedder
        self._session: Embeds | None = None
        self._lock = threading.Lock()
        self.model = model or shipped_model()
        self.backstop_terms = backstop if backstop is not None else shipped_backstop()
        self.animals = shipped_animals()
        self.threshold = self.model.threshold if threshold is None else threshold
        written = self.model.written_threshold
        self.written_threshold = self.threshold if threshold is not None or written is None else written

    @classmethod
    def for_models(cls, models: Any, **kwargs: Any) -> SpecialCategoryScreen:
        """A screen over ``models`` (``search.embedding.EmbeddingModels``): their batch session, one thread,
        the one the extraction worker embeds with, paired with the process's e5 model."""
        return cls(lambda: paired_encoder(models), **kwargs)

    def session(self) -> Embeds:
        session = self._session
        if session is None:
            with self._lock:
                session = self._session
                if session is None:
                    embedder = self._embedder
                    session = self._session = embedder if hasattr(embedder, "embed") else embedder()
        return session

    def screen(self, text: str, vector: np.ndarray | None = None) -> ScreenResult:
        """Whether ``text`` reveals special-category data, its category and calibrated score. Exactly
        ``screen_many([text])[0]``; ``vector`` is the text's embedding when the caller has it."""
        vectors = None if vector is None else np.asarray(vector, dtype=np.float32).reshape(1, -1)
        return self.screen_many([text], vectors)[0]

    def screen_many(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> list[ScreenResult]:
        """:meth:`screen` for many texts. ``vectors`` (one row per text, from the same embedding model) save
        embedding the whole texts; clauses of long texts are embedded either way. Costs about one embedding
        of the texts' words, and one small matrix product."""
        return self._decide(texts, vectors, self.threshold)

    def _decide(self, texts: Sequence[str], vectors: np.ndarray | None, threshold: float,
                animal_checks: int = 3) -> list[ScreenResult]:
        raw, best, units = self.raw_scores(texts, vectors)
        scores = self.model.calibrated(raw)
        results = []
        for text, score, category, unit in zip(texts, scores, best, units, strict=True):
            term = self.backstop_terms.find(text)
            if term is not None:
                results.append(ScreenResult(True, term.category, 1.0, term.term, BACKSTOP))
            elif score >= threshold and not (animal_checks and CATEGORIES[category] in ANIMAL_CATEGORIES
                                             and self.animals.about_animal(text, unit)):
                results.append(ScreenResult(True, CATEGORIES[category], float(score), unit, MODEL))
            elif score >= threshold:
                # A pet's illness: the verdict stands on what the rest of the sentence says (rare, so
                # the extra embedding is cheap). Each round removes one flagged part about the animal.
                rest = text.replace(unit, " ").strip(" ,;:-") if unit != text else ""
                results.append(self._decide([rest], None, threshold, animal_checks - 1)[0]
                               if word_count(rest) >= 3 else ScreenResult(False, None, float(score)))
            else:
                results.append(ScreenResult(False, None, float(score)))
        return results

    def screen_written(self, texts: Sequence[str], roles: Mapping[str, str],
                       threshold: float | None = None) -> list[ScreenResult]:
        """:meth:`screen_many` for text an extractor wrote about people ("Lee is travelling to Lisbon"):
        each name in ``roles`` (name -> "the customer" or "the agent") is replaced by its role first.
        Why: the model learnt from what customers say, in the first person; a proper name is no evidence
        of special-category data but moves its score (on the dev split rewritten in the third person,
        named subjects raised the false-positive rate from 0.065 to 0.095-0.145, the role word kept
        it at 0.065). The backstop still sees the text as written. The threshold is the model's
        ``written_threshold``, chosen on dev written in this form, unless ``threshold`` is given."""
        neutral = [neutral_names(text, roles) for text in texts]
        results = []
        cut = self.written_threshold if threshold is None else threshold
        for text, verdict in zip(texts, self._decide(neutral, None, cut), strict=True):
            backstop = self.backstop(text)
            results.append(verdict if verdict.sensitive or not backstop.sensitive else backstop)
        return results

    def redact_written(self, texts: Sequence[str], roles: Mapping[str, str],
                       threshold: float | None = None) -> list[Redaction]:
        """:meth:`screen_written` sentence by sentence: each text without its flagged sentences.

        An extractor's observation packs the sentences of several turns ("On 2026-03-02, Sam is moving
        to Leeds. Sam's husband ..."): judged whole, one flagged sentence would take the others, ordinary
        and already screened one by one, with it. Each sentence is judged as :meth:`screen_written`
        judges a text (its clauses included), and only the flagged ones go."""
        split = [written_sentences(text) for text in texts]
        flat = [sentence for sentences in split for sentence in sentences]
        verdicts = iter(self.screen_written(flat, roles, threshold=threshold))
        redactions = []
        for sentences in split:
            judged = [(sentence, next(verdicts)) for sentence in sentences]
            kept = [sentence for sentence, verdict in judged if not verdict.sensitive]
            lead = _DATE_LEAD.match(judged[0][0]) if judged[0][1].sensitive and kept else None
            if lead:  # the date that opened the text still dates what is left of it
                kept[0] = lead.group(0) + kept[0]
            redactions.append(Redaction(kept, [verdict for _, verdict in judged if verdict.sensitive]))
        return redactions

    def backstop(self, text: str) -> ScreenResult:
        """The backstop alone (no embedding): for a rewrite of a text the model already screened, which
        must not bring in a listed term (the extractor rewrites "I'm" and "my")."""
        term = self.backstop_terms.find(text)
        if term is None:
            return ScreenResult(False)
        return ScreenResult(True, term.category, 1.0, term.term, BACKSTOP)

    def raw_scores(self, texts: Sequence[str], vectors: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Per text: the highest raw log-odds over its units, that unit's category index, and the unit.
        The evaluation uses this to sweep thresholds without re-embedding."""
        if vectors is not None and len(vectors) != len(texts):
            raise ValueError("one vector per text")
        units: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            for unit in [text, *clauses(text)]:
                units.append(unit)
                owner.append(i)
        matrix = np.empty((len(units), self.model.dimensions), dtype=np.float32)
        todo: list[int] = []
        for n, i in enumerate(owner):
            is_whole = n == 0 or owner[n - 1] != i
            if is_whole and vectors is not None:
                matrix[n] = vectors[i]
            else:
                todo.append(n)
        if todo:
            matrix[todo] = self._embed_units([units[n] for n in todo])
        raw, category = self.model.gated_raw(matrix) if units else (np.zeros(0), np.zeros(0, dtype=np.int64))
        best_raw = np.full(len(texts), -np.inf)
        best_category = np.zeros(len(texts), dtype=np.int64)
        best_unit = [""] * len(texts)
        for n, i in enumerate(owner):
            if raw[n] > best_raw[i]:
                best_raw[i], best_category[i], best_unit[i] = raw[n], category[n], units[n]
        return best_raw, best_category, best_unit

    def _embed_units(self, units: list[str]) -> np.ndarray:
        """The units' vectors for the model. With a gate and a paired encoder, e5 embeds only the units
        the gate lets through (the others' e5 half stays zero: ``gated_raw`` never reads it)."""
        session = self.session()
        gate = self.model.gate
        if gate is None or not isinstance(session, PairedEncoder):
            return embed_each(session, units)
        first = embed_each(session.minilm, units)
        matrix = np.zeros((len(units), self.model.dimensions), dtype=np.float32)
        matrix[:, : first.shape[1]] = first
        passed = np.flatnonzero(gate.passes(first))
        if len(passed):
            matrix[passed, first.shape[1]:] = embed_each(session.e5, [units[n] for n in passed])
        return matrix


def paired_encoder(models: Any) -> PairedEncoder:
    """The screen's encoder over ``models`` (``search.embedding.EmbeddingModels``)."""
    from convmem.search.e5 import shared_passages

    return PairedEncoder(models.session(), shared_passages())


def embed_each(session: Embeds, texts: Sequence[str]) -> np.ndarray:
    """One vector per text, each embedded alone: a vector must not depend on the batch it came in (see the
    module docstring). Duplicates are embedded once."""
    unique = list(dict.fromkeys(texts))
    if getattr(session, "embeds_alone", False):
        vectors = dict(zip(unique, session.embed(unique), strict=True)) if unique else {}
    else:
        vectors = {text: session.embed([text])[0] for text in unique}
    return np.stack([vectors[text] for text in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


# -- module-level conveniences, for scripts and tests; server code uses the Runtime's screen ---------------

_default: SpecialCategoryScreen | None = None
_default_lock = threading.Lock()


def default_screen() -> SpecialCategoryScreen:
    """A screen over the packaged default embedding models (``search.embedding.default_models``)."""
    global _default
    with _default_lock:
        if _default is None:
            from convmem.search.embedding import default_models

            _default = SpecialCategoryScreen.for_models(default_models())
        return _default


def neutral_names(text: str, roles: Mapping[str, str]) -> str:
    """``text`` with each name in ``roles`` (whole words, case-insensitive; the longest name first so
    that "Dana Smith" wins over "Dana") replaced by its role, in one pass."""
    names = sorted({n.strip() for n in roles if n.strip()}, key=len, reverse=True)
    if not names:
        return text
    by_name = {n.strip().casefold(): role for n, role in roles.items()}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(lambda m: by_name[m.group(0).casefold()], text)


def screen(text: str, vector: np.ndarray | None = None) -> ScreenResult:
    return default_screen().screen(text, vector)


def screen_many(texts: Sequence[str], vectors: np.ndarray | None = None) -> list[ScreenResult]:
    return default_screen().screen_many(texts, vectors)


def is_sensitive(text: str) -> bool:
    return screen(text).sensitive


def read_texts(lines: Sequence[str]) -> list[str]:
    """The texts of JSON lines ``{"text": ...}`` (blank lines skipped), for ``convmem screen``. Raises
    ValueError naming the 1-based line number of the first malformed line: all input is checked before
    anything is screened, so a bad line never leaves half an output behind."""
    texts = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or "text" not in row:
            raise ValueError(f'line {number}: expected an object with a "text" field')
        if not isinstance(row["text"], str):
            raise ValueError(f'line {number}: "text" must be a string, got {type(row["text"]).__name__}')
        texts.append(row["text"])
    return texts


def verdict_json(result: ScreenResult) -> str:
    """One output line of ``convmem screen``."""
    return json.dumps({"sensitive": result.sensitive, "category": result.category, "score": round(result.score, 4)})
