"""The GDPR special-category screen meets its targets on the labelled set, the cases named in the issue
behave as specified, and the semantic stage catches phrasings the lexicon does not know."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from convmem.extract import screening_semantic
from convmem.extract.screening import (
    CATEGORIES,
    SEMANTIC,
    ScreenResult,
    screen,
    screen_lexicon,
    screen_many,
    screen_semantic,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from screening_eval import (
    INDEPENDENT,
    MEASURED_THEN_TUNED,
    TUNING_SPLITS,
    UNTOUCHED,
    Scores,
    embed_rows,
    evaluate,
    load,
)


@pytest.fixture(scope="module")
def vectors() -> dict[str, np.ndarray]:
    """Every labelled sentence's vector: the exemplars' from the semantic stage (embedded when it was built),
    the rest embedded once, in batches (one embedding per sentence would be slower)."""
    semantic = screening_semantic.get_semantic_screen()
    known = dict(zip(semantic.texts, semantic.vectors, strict=True))
    rest = [r for r in load("all") if r["text"] not in known]
    return {**known, **dict(zip((r["text"] for r in rest), embed_rows(rest), strict=True))}


def _scores(split: str, stage: str, vectors: dict[str, np.ndarray]) -> Scores:
    rows = load(split)
    return evaluate(rows, stage, np.stack([vectors[r["text"]] for r in rows]))


def test_labelled_set_is_large_and_balanced() -> None:
    rows = load("all")
    sensitive = [r for r in rows if r["sensitive"]]
    assert len(rows) >= 200
    assert 0.4 <= len(sensitive) / len(rows) <= 0.6
    assert {r["category"] for r in sensitive} == set(CATEGORIES)
    for split in ("heldout6", "heldout7", "heldout8", *sorted(INDEPENDENT)):
        rows = load(split)
        assert len(rows) >= 120
        assert {r["category"] for r in rows if r["sensitive"]} == set(CATEGORIES)
    assert len(load("untouched")) >= 600


def test_untouched_splits_are_never_exemplars() -> None:
    exemplars = screening_semantic.load_exemplars()
    untouched = {r["text"] for r in load("all") if r["split"] in UNTOUCHED | MEASURED_THEN_TUNED}
    assert not untouched & {e.text for e in exemplars}
    assert {e.source for e in exemplars} <= {"written", "independent", *TUNING_SPLITS}
    assert {e.category for e in exemplars} == {*CATEGORIES, screening_semantic.ORDINARY}


@pytest.mark.parametrize("split", [*TUNING_SPLITS, *sorted(MEASURED_THEN_TUNED), "all"])
def test_screen_meets_recall_and_precision_targets(split: str, vectors: dict[str, np.ndarray]) -> None:
    """Splits the screen was tuned on (figures, and how each was first measured, in bench/screening_eval.py)."""
    scores = _scores(split, "combined", vectors)
    assert scores.recall >= 0.95, [r["text"] for r in scores.false_negatives]
    assert scores.precision >= 0.90, [r["text"] for r in scores.false_positives]
    if split != "all":
        assert min(scores.per_category_recall.values()) >= 0.85


@pytest.mark.parametrize(
    ("split", "recall", "precision"),
    [("heldout21", 0.98, 0.94), ("heldout22", 0.95, 0.87), ("heldout23", 0.94, 0.93), ("untouched", 0.96, 0.92)],
)
def test_screen_on_splits_nobody_fitted_anything_to_stays_above_floors(
    split: str, recall: float, precision: float, vectors: dict[str, np.ndarray]
) -> None:
    """heldout21..23 were written by three authors who never saw the screen, measured once with the final
    screen and never tuned on (combined: heldout21 precision 0.962 / recall 1.000, heldout22 0.898 / 0.970,
    heldout23 0.960 / 0.960; pooled 0.936 / 0.977, the issue's target). Floors a little below, against
    regressions and with room for a re-quantised embedding model."""
    scores = _scores(split, "combined", vectors)
    assert scores.recall >= recall
    assert scores.precision >= precision


def test_weak_words_need_the_semantic_stage_to_agree() -> None:
    """A word with an everyday sense ("voted", "ballot") drops a sentence only when the semantic stage leans
    towards the same category; a strong match later in the sentence still counts."""
    weak = screen_lexicon("The whole office voted to move the team lunch to Friday.")
    assert weak.sensitive and weak.weak
    assert not screen("The whole office voted to move the team lunch to Friday.").sensitive
    assert screen("I voted Green at the general election and I'm proud of it.").sensitive
    mixed = screen_lexicon("I voted early this morning, and I'm diabetic so I need the low-sugar box.")
    assert (mixed.category, mixed.weak) == ("health", False)


@pytest.mark.parametrize(
    ("sentence", "sensitive"),
    [
        # Named groups, parties, unions, conditions and genes: knowledge a small embedding lacks.
        ("My mother's side are Yoruba, so we need the big pot for the naming ceremony.", True),
        ("I'm the GMB rep for our depot and need a receipt for the branch.", True),
        ("I carry the Factor V Leiden variant, so the compression socks please.", True),
        ("On 3 May, Ana said she is saving for Umrah and wants to pause the plan.", True),
        ("Tom said he and his boyfriend are merging their broadband accounts.", True),
        ("I set up face login on the banking app and now my twin gets in too.", True),
        # The same words as products, places, organisations, names and idioms.
        ("Do you sell Polish sausages in the big packs?", False),
        ("I need Tamil subtitles on the film, please.", False),
        ("The Star Alliance member lounge was closed.", False),
        ("This bill nearly gave me a heart attack, how is it £400?", False),
        ("St Brigid's Catholic Primary school office here, placing our uniform order.", False),
        ("I'd like the Christian Louboutin heels in a 39, please.", False),
        ("My cat has diabetes and the pet insurance claim for her insulin was rejected.", False),
        ("The Diwali fairy lights I ordered arrived with half the bulbs dead.", False),
        ("Can I set up Face ID on the app?", False),
    ],
)
def test_knowledge_and_look_alikes(sentence: str, sensitive: bool) -> None:
    assert screen(sentence).sensitive is sensitive


def test_semantic_biometric_verdicts_need_a_person() -> None:
    """Device talk sounds biometric to the embedding; a verdict stands only when a person's body or their
    identification is in the sentence."""
    assert not screen("The fingerprint scanner on the safe you sold me won't register anyone.").sensitive
    assert not screen("Your voice assistant never understands my postcode.").sensitive
    assert screen("The gym's entry gate keeps a template of my hand and I want it deleted.").sensitive


# Unseen-style sentences (in no split and no exemplar) that no listed word or pattern matches.
_ONLY_SEMANTIC = [
    "The pharmacy mixed up my tablets again.",
    "I light incense at our household shrine every morning.",
    # The named-party lexicon now knows "Labour branch"; this one names no party.
    "I help run the local branch of a national party and we meet on Thursdays.",
    "I've never fancied anyone of the opposite sex.",
    "My grandparents fled from Eritrea and we speak Tigrinya at home.",
    "We walked off the job over the pay cut.",
    "The spit test said I have a rare variant passed down from my dad.",
    "The bank app checks it's me by looking at my face.",
]


@pytest.mark.parametrize("sentence", _ONLY_SEMANTIC)
def test_semantic_stage_catches_what_the_lexicon_misses(sentence: str) -> None:
    assert not screen_lexicon(sentence).sensitive
    result = screen(sentence)
    assert result.sensitive
    assert result.stage == SEMANTIC
    assert result.category in CATEGORIES


@pytest.mark.parametrize(
    "sentence",
    [
        "I was diagnosed with diabetes",
        "I go to mass every Sunday",
        "I voted for the other candidate",
        "my union rep called me",
        "I'm gay",
        "as a Black woman I can't find my shade",
        "my DNA test arrived",
        "my fingerprint login stopped working",
        "On 2023-05-08, Caroline said they were diagnosed with asthma.",  # the extractor's own output form
        "On 2023-05-08, Sam said their fingerprints were stored by the gym.",
    ],
)
def test_sensitive_examples_are_caught(sentence: str) -> None:
    assert screen(sentence).sensitive


@pytest.mark.parametrize(
    "sentence",
    [
        "my order is sick fast",
        "I'm a big fan of the union square store",
        "I'm sick of waiting for the courier",
        "my credit union card was declined",
        "the fingerprint sensor on the phone is slow",
        "Does the app support Face ID?",
        "my account was disabled after the password reset",
        "the marketing campaign email had a typo",
        "I bought the black dress",
        # Near sensitive words or topics; the semantic stage must let these through too.
        "Where do you keep the party hats and streamers?",
        "Everyone voted for the blue logo in the staff survey.",
        "The laptop came with a face unlock camera, is it any good?",
        "Honestly, I'm sick to death of these delivery delays.",
        "We're off camping in the Lakes next weekend.",
    ],
)
def test_ordinary_support_talk_passes(sentence: str) -> None:
    assert not screen(sentence).sensitive


def test_given_vector_gives_the_same_verdict_as_embedding_the_sentence() -> None:
    sentences = [*_ONLY_SEMANTIC, "The courier left my parcel with the neighbour.", "I'm gay"]
    fresh = screening_semantic.embed  # the process's model, as a caller holding vectors would have used
    for sentence in sentences:
        assert screen(sentence, vector=fresh(sentence)) == screen(sentence)
        assert screen_semantic(sentence, fresh(sentence)) == screen_semantic(sentence)


def test_screen_many_agrees_with_screen() -> None:
    ordinary = ["The courier left my parcel with the neighbour.", "I'm sick of waiting", ""]
    sentences = [*_ONLY_SEMANTIC, "I'm gay", *ordinary]
    # Verdicts, not the nearest exemplar: a batched vector differs from a lone one in the last digits, and
    # that can swap two nearly tied exemplars.
    def verdicts(results: list[ScreenResult]) -> list[tuple]:
        return [(r.sensitive, r.category, r.stage) for r in results]

    expected = verdicts([screen(s) for s in sentences])
    assert verdicts(screen_many(sentences)) == expected
    vectors = screening_semantic.embed_many(sentences)
    assert verdicts(screen_many(sentences, vectors)) == expected


def test_vector_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="dimensional"):
        screen_semantic("my parcel is late", np.zeros(768, dtype=np.float32))


def test_result_names_the_category() -> None:
    result = screen("I have a gene mutation")
    assert result.sensitive
    assert result.category == "genetic"
    assert result.stage == "lexicon"


def test_semantic_screen_is_built_once_under_concurrent_first_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Exemplar vectors come from the process's own embedding model, computed once even when several
    threads screen their first sentence at the same moment."""
    calls: list[int] = []

    class SlowEmbedder:
        def embed_sorted(self, texts: list[str], batch: int = 32) -> np.ndarray:
            calls.append(len(texts))
            time.sleep(0.2)  # long enough for every thread to arrive while the build is under way
            rng = np.random.default_rng(0)
            out = rng.normal(size=(len(texts), 8)).astype(np.float32)
            return out / np.linalg.norm(out, axis=1, keepdims=True)

    import convmem.search.embedding as embedding

    fake = SimpleNamespace(session=lambda threads=1: SlowEmbedder(), fingerprint=lambda: "slow",
                           cache_dir=tmp_path)  # no vectors cached by an earlier run
    monkeypatch.setattr(embedding, "default_models", lambda: fake)
    monkeypatch.setattr(embedding, "get_embedder", lambda threads=1: SlowEmbedder())
    monkeypatch.setattr(screening_semantic, "_instance", None)
    built: list[screening_semantic.SemanticScreen] = []
    threads = [threading.Thread(target=lambda: built.append(screening_semantic.get_semantic_screen()))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert len({id(b) for b in built}) == 1
    assert built[0].dimensions == 8  # the vectors of whatever model the process uses, not shipped ones


def test_exemplar_vectors_are_cached_per_model_and_exemplar_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The exemplars are embedded once per model and exemplar file, then read back (about 10 s against a
    third of a second at start-up); another model, or edited exemplars, get vectors of their own."""
    import convmem.search.embedding as embedding

    calls: list[int] = []

    class CountingEmbedder:
        def embed_sorted(self, texts: list[str], batch: int = 32) -> np.ndarray:
            calls.append(len(texts))
            return np.full((len(texts), 4), 0.5, dtype=np.float32)

    fake = SimpleNamespace(session=lambda threads=1: CountingEmbedder(), fingerprint=lambda: "model-a",
                           cache_dir=tmp_path)
    monkeypatch.setattr(embedding, "default_models", lambda: fake)
    monkeypatch.setattr(embedding, "get_embedder", lambda threads=1: CountingEmbedder())
    exemplars = screening_semantic.load_exemplars()[:50]
    first = screening_semantic._exemplar_vectors(exemplars)
    again = screening_semantic._exemplar_vectors(exemplars)
    assert calls == [50]
    assert np.array_equal(first, again)
    assert len(list(tmp_path.glob("screening-exemplars-*.npy"))) == 1
    screening_semantic._exemplar_vectors(exemplars[:40])  # the exemplar set changed
    fake.fingerprint = lambda: "model-b"
    screening_semantic._exemplar_vectors(exemplars)  # so did the model
    assert calls == [50, 40, 50]
    for path in tmp_path.glob("screening-exemplars-*.npy"):
        path.write_bytes(b"not an array")  # a damaged cache is rebuilt, not trusted
    assert screening_semantic._exemplar_vectors(exemplars).shape == (50, 4)
    assert calls == [50, 40, 50, 50]
