"""The GDPR special-category screen: clause splitting, categories, threshold semantics, one code path for
screen() and screen_many(), the backstop data, the ``convmem screen`` command and a reproducible build.

Behaviour only: how well the screen does is measured by bench/screening_eval.py on independent splits, not
asserted here."""

from __future__ import annotations

import json
import re
import zlib
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convmem.cli import app
from convmem.extract import OfflineExtractor, build_extractor, screening_train
from convmem.extract.screening import (
    BACKSTOP,
    CATEGORIES,
    CLASSES,
    MODEL,
    AnimalContext,
    Backstop,
    BackstopTerm,
    Gate,
    PairedEncoder,
    ScreenModel,
    SpecialCategoryScreen,
    default_screen,
    embed_each,
    neutral_names,
    read_texts,
    shipped_backstop,
    shipped_model,
)
from convmem.extract.screening_clauses import MIN_WORDS_TO_SPLIT, clauses
from convmem.search.e5 import shared_passages

DATA = Path(__file__).resolve().parent.parent / "data" / "screen"

CLEAR = {
    "health": "I was diagnosed with epilepsy last year and I'm not allowed to drive any more.",
    "religion": "We're observant Muslims and fast during Ramadan, so please deliver after sunset.",
    "politics": "I've been a card-carrying Labour Party member for twenty years.",
    "sexual_orientation": "My girlfriend and I are a lesbian couple, so please fix the Mr and Mrs on our letters.",
    "racial_ethnic": "As a Black woman I was followed around your shop by security again.",
    "trade_union": "I'm the Unite shop steward at the depot and I'm on the picket line all week.",
    "genetic": "My genetic test came back positive for the BRCA1 mutation.",
    "biometric": "Please delete the scan of my fingerprints your gym took when I joined.",
}
ORDINARY = [
    "My router doesn't work since the update.",
    "I'd like to change my delivery address to 12 High Street.",
    "The blue jumper I ordered arrived in the wrong size.",
    "Can you send the invoice by email instead of post?",
    "I'm planning to upgrade to the premium plan next month.",
]
# One sensitive clause inside ordinary support talk: the whole sentence's vector is mostly about the parcel.
LONG = ("The parcel was supposed to come on Tuesday and I stayed in all day, the tracking page never changed, "
        "and since my chemotherapy started I really can't keep waiting at home, so please book a named-day slot.")


@pytest.fixture(scope="module")
def screen() -> SpecialCategoryScreen:
    return default_screen()


WIDTH = 768  # what the shipped model reads: a MiniLM vector and an e5 vector side by side


class CountingEmbedder:
    """A deterministic stand-in for the embedding session: a hashed bag of words, counting its calls."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, zlib.crc32(word.encode()) % WIDTH] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


# -- clauses ------------------------------------------------------------------------------------------------


def test_short_sentences_are_scored_whole() -> None:
    assert clauses("I voted Green.") == []
    assert clauses("My router doesn't work since the update.") == []


def test_long_sentences_split_at_punctuation_and_conjunctions() -> None:
    parts = clauses(LONG)
    assert len(parts) >= 3
    assert any("chemotherapy" in p and "parcel" not in p for p in parts)
    words = re.compile(r"[\w'-]+")
    assert words.findall(" ".join(parts)) == words.findall(LONG)  # no word lost or added
    assert all(len(p.split()) >= 3 for p in parts)


def test_numbers_with_commas_are_not_split_and_texts_split_into_sentences() -> None:
    assert not any(p.startswith("200") for p in clauses("I paid 1,200 pounds for the sofa and it came with a "
                                                        "broken leg, so I want a refund"))
    assert clauses("On 2024-03-05, Dana said her router is broken. Dana prefers email.") == [
        "On 2024-03-05, Dana said her router is broken.", "Dana prefers email."]
    assert MIN_WORDS_TO_SPLIT > 3


def test_a_long_sentence_with_one_sensitive_clause_is_caught(screen: SpecialCategoryScreen) -> None:
    result = screen.screen(LONG)
    assert result.sensitive and result.category == "health" and result.stage == MODEL
    assert result.matched is not None and "chemotherapy" in result.matched and result.matched != LONG


# -- the speaker's animals ----------------------------------------------------------------------------------


def test_a_flagged_part_about_the_speakers_animal_names_nobody() -> None:
    animals = AnimalContext.load()
    sentence = "I need to claim for my cat Mochi, she had emergency surgery on Tuesday after swallowing a hair tie"
    assert animals.about_animal(sentence, "she had emergency surgery on Tuesday after swallowing a hair tie")
    assert animals.about_animal("my vet says the dog has diabetes", "my vet says the dog has diabetes")
    # A person in the flagged part keeps it a person's: the speaker, their family, their doctor.
    assert not animals.about_animal("my dog is fine but my son has asthma", "my son has asthma")
    assert not animals.about_animal("my dog needs walking since I had my stroke", "since I had my stroke")
    assert not animals.about_animal("my dog sits with Mum at the hospital", "sits with Mum at the hospital")
    # No animal in the sentence: a pronoun is a person.
    assert not animals.about_animal("she had emergency surgery on Tuesday", "she had emergency surgery on Tuesday")


@pytest.mark.parametrize("text", [
    "hello i want to make a claim for my dog Bruno, he's a 4yo german shepherd and got diagnosed with hip dysplasia",
    "my vet says the dog has diabetes, can I change the food subscription to the prescription diet",
])
def test_a_pets_illness_is_not_special_category(screen: SpecialCategoryScreen, text: str) -> None:
    assert not screen.screen(text).sensitive


@pytest.mark.parametrize("text", [
    "my dog is fine but my son has asthma and needs the filter replaced before the weekend",
    "since my chemo started my cat has been staying with my sister, so send the parcel to her flat",
    "I was diagnosed with epilepsy last year, so my dog walker takes the dog to the vet now",
])
def test_a_persons_health_beside_an_animal_is_still_flagged(screen: SpecialCategoryScreen, text: str) -> None:
    result = screen.screen(text)
    assert result.sensitive and result.category == "health"


# -- categories and threshold -------------------------------------------------------------------------------


def test_each_category_is_named(screen: SpecialCategoryScreen) -> None:
    results = screen.screen_many(list(CLEAR.values()))
    assert [(r.sensitive, r.category) for r in results] == [(True, c) for c in CLEAR]
    assert set(CLEAR) == set(CATEGORIES)


def test_ordinary_support_talk_passes(screen: SpecialCategoryScreen) -> None:
    for result in screen.screen_many(ORDINARY):
        assert not result.sensitive and result.category is None and result.stage is None
        assert 0.0 <= result.score < screen.threshold


def test_sensitive_means_score_at_or_above_the_threshold(screen: SpecialCategoryScreen) -> None:
    texts = [*CLEAR.values(), *ORDINARY, LONG]
    raw, _, _ = screen.raw_scores(texts)
    scores = screen.model.calibrated(raw)
    assert np.all((scores >= 0) & (scores < 1))
    assert np.all(scores[: len(CLEAR)] > 0)  # 0 only for what the gate stopped: none of the clear disclosures
    no_backstop = Backstop([])
    for threshold in (0.05, 0.5, 0.95):
        strict = SpecialCategoryScreen(screen.session(), backstop=no_backstop, threshold=threshold)
        results = strict.screen_many(texts)
        assert [r.sensitive for r in results] == [bool(s >= threshold) for s in scores]
        assert [r.score for r in results] == pytest.approx(list(scores))
    everything = SpecialCategoryScreen(screen.session(), backstop=no_backstop, threshold=0.0)
    assert all(r.sensitive for r in everything.screen_many(texts))
    nothing = SpecialCategoryScreen(screen.session(), backstop=no_backstop, threshold=1.01)
    assert not any(r.sensitive for r in nothing.screen_many(texts))


def test_the_backstop_flags_whatever_the_model_says(screen: SpecialCategoryScreen) -> None:
    deaf_model = SpecialCategoryScreen(screen.session(), threshold=1.01)
    result = deaf_model.screen("Honestly the only app I use on this phone is Grindr.")
    assert (result.sensitive, result.category, result.stage, result.score) == (True, "sexual_orientation",
                                                                                BACKSTOP, 1.0)
    assert deaf_model.backstop("Dana is bisexual.").sensitive
    assert not deaf_model.backstop("Dana is a keen cyclist.").sensitive
    assert deaf_model.backstop("I am Jewish.").category == "religion"  # "I'm X" covers "I am X"
    assert not deaf_model.backstop("It was a miscarriage of justice, the parking fine.").sensitive
    assert deaf_model.backstop("After the miscarriage I cancelled the cot.").sensitive


def test_backstop_data_is_justified_and_never_matches_an_ordinary_training_sentence() -> None:
    backstop = shipped_backstop()
    assert 0 < len(backstop.terms) <= 80
    assert all(t.why and t.category in CATEGORIES for t in backstop.terms)
    ordinary = [json.loads(line)["text"] for path in sorted(DATA.glob("train*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and not json.loads(line)["sensitive"]]
    assert len(ordinary) > 1000
    assert [(text, hit.term) for text in ordinary if (hit := backstop.find(text))] == []
    with pytest.raises(ValueError, match="unknown category"):
        Backstop([BackstopTerm("x", "astrology", "no such category")])


# -- one code path ------------------------------------------------------------------------------------------


def test_names_in_written_text_are_replaced_by_roles_in_one_pass() -> None:
    roles = {"Dana Smith": "the customer", "Dana": "the customer", "Bot": "the agent"}
    assert neutral_names("Bot told dana smith that Dana's order shipped; Botany is a place.", roles) == (
        "the agent told the customer that the customer's order shipped; Botany is a place.")
    assert neutral_names("Nothing to replace.", {}) == "Nothing to replace."


def test_text_written_about_a_named_customer_is_screened_for_what_it_says(screen: SpecialCategoryScreen) -> None:
    roles = {"Lee": "the customer", "Bot": "the agent"}
    travel, diagnosis, listed = screen.screen_written(
        ["Lee is travelling to Lisbon in June.", "Lee has diabetes and needs sugar-free options.",
         "Bot noted that Lee has chemo on Tuesdays."], roles)
    assert not travel.sensitive
    assert diagnosis.sensitive and diagnosis.category == "health"
    assert listed.sensitive and listed.category == "health"


def test_written_text_is_judged_at_the_written_threshold_unless_told(screen: SpecialCategoryScreen) -> None:
    text = "On 2024-03-05, Lee said they have diabetes and need sugar-free options."
    roles = {"Lee": "the customer"}
    (score,) = screen.model.calibrated(screen.raw_scores([neutral_names(text, roles)])[0])
    (verdict,) = screen.screen_written([text], roles)
    assert verdict.sensitive == (score >= screen.written_threshold)
    (strict,) = screen.screen_written([text], roles, threshold=1.01)
    assert not strict.sensitive
    (lenient,) = screen.screen_written([text], roles, threshold=0.0)
    assert lenient.sensitive and lenient.category == "health"


def test_screen_is_screen_many_of_one(screen: SpecialCategoryScreen) -> None:
    texts = [*CLEAR.values(), *ORDINARY, LONG, "I voted Green at the general election and I'm proud of it.",
             "The whole office voted to move the team lunch to Friday.", "", "ok"]
    together = screen.screen_many(texts)
    assert [screen.screen(t) for t in texts] == together
    assert screen.screen_many(list(reversed(texts))) == list(reversed(together))  # order does not matter


def test_given_vectors_save_embedding_the_whole_sentences() -> None:
    embedder = CountingEmbedder()
    screen = SpecialCategoryScreen(embedder)
    texts = ["My router doesn't work.", LONG]
    vectors = embedder.embed(texts)
    embedder.texts.clear()
    with_vectors = screen.screen_many(texts, vectors)
    assert embedder.texts == clauses(LONG)  # only the clauses of the long sentence
    embedder.texts.clear()
    assert screen.screen_many(texts) == with_vectors  # the stand-in embeds alone, as the screen does
    assert embedder.texts == [texts[0], LONG, *clauses(LONG)]
    with pytest.raises(ValueError, match="one vector per text"):
        screen.screen_many(texts, vectors[:1])


def test_the_paired_encoder_gives_each_text_the_vectors_it_gets_alone() -> None:
    minilm, e5 = CountingEmbedder(), CountingEmbedder()
    encoder = PairedEncoder(minilm, e5)
    texts = ["My router doesn't work.", LONG, "My router doesn't work."]
    vectors = embed_each(encoder, texts)
    assert vectors.shape == (3, 2 * WIDTH)
    assert minilm.texts == texts[:2]  # MiniLM one text per call, each once
    assert e5.texts == texts[:2]  # e5 in one batch
    assert np.array_equal(vectors[0], vectors[2])
    assert np.array_equal(vectors[1], encoder.embed([LONG])[0])


def test_the_gate_spares_the_second_encoder_the_units_it_stops() -> None:
    rng = np.random.default_rng(7)
    classes = len(CLASSES)
    layer = (rng.normal(size=(2 * WIDTH, classes)).astype(np.float32), np.zeros(classes, dtype=np.float32))
    gate_weights, gate_bias = rng.normal(size=(WIDTH, classes)).astype(np.float32), np.zeros(classes, np.float32)
    texts = ["My router doesn't work.", LONG, "Where is my parcel?", "I'd like the invoice by email please."]
    units = [unit for text in texts for unit in [text, *clauses(text)]]

    def screen_with(cutoff: float | None) -> tuple[SpecialCategoryScreen, CountingEmbedder]:
        e5 = CountingEmbedder()
        gate = None if cutoff is None else Gate(gate_weights, gate_bias, cutoff)
        model = ScreenModel((layer,), (1.0, 0.0), 0.5, {}, None, gate)
        return SpecialCategoryScreen(PairedEncoder(CountingEmbedder(), e5), model, backstop=Backstop([])), e5

    ungated, _ = screen_with(None)
    everything, e5 = screen_with(-np.inf)
    assert everything.screen_many(texts) == ungated.screen_many(texts) and e5.texts == units
    nothing, e5 = screen_with(np.inf)
    assert all(not r.sensitive and r.score < 1e-12 for r in nothing.screen_many(texts)) and e5.texts == []
    # A cutoff in between: e5 embeds exactly the units the gate lets through, and the verdicts are the
    # model's over full vectors with the stopped units scored out, whichever way the texts are screened.
    raw = Gate(gate_weights, gate_bias, 0.0).raw(embed_each(CountingEmbedder(), units))
    cutoff = float(np.median(raw))
    middle, e5 = screen_with(cutoff)
    verdicts = middle.screen_many(texts)
    assert e5.texts == [u for u, r in zip(units, raw, strict=True) if r >= cutoff] and 0 < len(e5.texts) < len(units)
    assert [middle.screen(text) for text in texts] == verdicts
    for text, verdict in zip(texts, verdicts, strict=True):
        scored = [u for u, r in zip(units, raw, strict=True) if r >= cutoff and (u == text or u in clauses(text))]
        full = embed_each(PairedEncoder(CountingEmbedder(), CountingEmbedder()), scored) if scored else None
        best = -np.inf if full is None else float(middle.model.raw(full)[0].max())
        assert verdict.score == pytest.approx(float(middle.model.calibrated(best)))


def test_e5_vectors_do_not_depend_on_their_batch() -> None:
    # Why the paired encoder may batch e5 but not MiniLM: a verdict must not depend on the other texts.
    e5 = shared_passages()
    texts = ["ok", LONG, "I keep kosher, so no pork in the hamper please."]
    together = e5.embed(texts)
    assert together.shape == (3, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-4)
    for text, vector in zip(texts, together, strict=True):
        assert np.array_equal(e5.embed([text])[0], vector)


def test_extractors_screen_with_the_screen_they_are_given() -> None:
    embedder = CountingEmbedder()
    screen = SpecialCategoryScreen(embedder)
    extractor = build_extractor(screen=screen)
    assert isinstance(extractor, OfflineExtractor) and extractor.screen is screen
    assert SpecialCategoryScreen.for_models(object()).threshold == shipped_model().threshold  # loads lazily


# -- the shipped model and its build ------------------------------------------------------------------------


def test_the_shipped_model_says_how_it_was_built() -> None:
    model = shipped_model()
    assert model.dimensions == WIDTH and len(model.layers) == 1
    assert model.layers[0][0].shape == (WIDTH, len(CLASSES))
    assert "e5" in model.meta["embedding"] and "e5" in model.meta["kind"]
    # Text written about the customer scores lower than what the customer said: its own threshold, by the
    # same rule on dev in that form.
    assert model.written_threshold is not None and 0.0 < model.written_threshold < model.threshold
    assert model.meta["dev_written"]["recall"] >= 0.95
    assert 0.0 < model.threshold < 1.0
    assert "95% Wilson lower bound >= 0.95" in model.meta["threshold_rule"]
    assert model.meta["dev"]["recall"] >= screening_train.required_recall(model.meta["dev"]["rows"] // 2)
    assert set(model.meta["train"]) == {p.name for p in DATA.glob("train*.jsonl")}
    # The gate reads the MiniLM half and was chosen by its rule (screening_train.build_gate).
    assert model.gate is not None and model.gate.dimensions == 384
    assert model.meta["gate"]["cutoff"] == model.gate.cutoff
    assert model.meta["gate"]["train_sensitive_below_out_of_fold"] <= screening_train.GATE_MAX_OOF_LOSS
    assert "test" not in json.dumps(model.meta)  # the frozen split plays no part in the build


def _tiny_data(root: Path) -> Path:
    rows = []
    for i in range(6):
        for c in CATEGORIES:
            rows.append({"text": f"{c} sentence {i} about {c} things", "sensitive": True, "category": c,
                         "source": f"s{i}"})
        rows.append({"text": f"ordinary parcel question {i}", "sensitive": False, "category": None, "source": "o"})
        rows.append({"text": f"my router broke on day {i}", "sensitive": False, "category": None, "source": "o"})
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[::2]), encoding="utf-8")
    (root / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[1::2]), encoding="utf-8")
    return root


def test_a_build_is_deterministic(tmp_path: Path) -> None:
    data = _tiny_data(tmp_path)
    first = screening_train.build(data, CountingEmbedder(), l2_grid=(1e-3, 1e-2), report=lambda _: None)
    second = screening_train.build(data, CountingEmbedder(), l2_grid=(1e-3, 1e-2), report=lambda _: None)
    assert screening_train.npz_bytes(first.arrays()) == screening_train.npz_bytes(second.arrays())
    path = tmp_path / "model.npz"
    screening_train.save(first, path)
    loaded = ScreenModel.load(path)
    assert np.array_equal(loaded.layers[0][0], first.layers[0][0]) and loaded.threshold == first.threshold
    assert loaded.meta["dev"]["recall"] >= 0.95
    assert first.gate is None  # one encoder: nothing to spare


def test_a_build_over_the_paired_encoder_has_a_gate_and_is_deterministic(tmp_path: Path) -> None:
    data = _tiny_data(tmp_path)
    first, second = (screening_train.build(data, PairedEncoder(CountingEmbedder(), CountingEmbedder()),
                                           l2_grid=(1e-3,), report=lambda _: None) for _ in range(2))
    assert screening_train.npz_bytes(first.arrays()) == screening_train.npz_bytes(second.arrays())
    assert first.gate is not None and first.gate.dimensions == WIDTH and first.dimensions == 2 * WIDTH
    path = tmp_path / "model.npz"
    screening_train.save(first, path)
    loaded = ScreenModel.load(path)
    assert loaded.gate is not None and loaded.gate.cutoff == first.gate.cutoff
    assert np.array_equal(loaded.gate.weights, first.gate.weights)
    assert loaded.meta["gate"]["cutoff"] == first.gate.cutoff


def test_threshold_rule_keeps_recall_then_maximises_precision() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.65, 0.3, 0.2])
    sensitive = np.array([True, True, True, True, False, False, False, False])
    chosen = screening_train.choose_threshold(scores, sensitive, min_recall=0.75)
    assert chosen.recall == 0.75 and chosen.precision == 1.0 and 0.65 < chosen.threshold <= 0.7
    everything = screening_train.choose_threshold(scores, sensitive, min_recall=1.0)
    assert everything.recall == 1.0 and 0.5 < everything.threshold <= 0.6


def test_dev_is_asked_for_more_recall_the_fewer_sensitive_sentences_it_has() -> None:
    """The rule asks dev for the recall whose 95% lower bound is the target: a margin that shrinks with dev's size."""
    asked = {n: screening_train.required_recall(n) for n in (100, 400, 1600)}
    assert asked[100] > asked[400] > asked[1600] > 0.95
    assert 0.97 <= asked[400] <= 0.975
    assert screening_train.required_recall(10) == 1.0  # too few to promise anything: every one must be caught


# -- convmem screen -----------------------------------------------------------------------------------------


def test_cli_screens_json_lines(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": CLEAR["health"]}) + "\n\n" + json.dumps({"text": ORDINARY[0]}) + "\n",
                      encoding="utf-8")
    result = CliRunner().invoke(app, ["screen", "--input", str(source)])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["sensitive"] is True and first["category"] == "health" and 0 < first["score"] <= 1
    assert second == {"sensitive": False, "category": None, "score": second["score"]}
    piped = CliRunner().invoke(app, ["screen"], input=json.dumps({"text": ORDINARY[1]}) + "\n")
    assert piped.exit_code == 0 and json.loads(piped.stdout)["sensitive"] is False


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 2: not valid JSON"),
    ('{"body": "hi"}', 'line 2: expected an object with a "text" field'),
    ('["text"]', 'line 2: expected an object with a "text" field'),
    ('{"text": 42}', 'line 2: "text" must be a string, got int'),
])
def test_cli_rejects_malformed_input_naming_the_line(line: str, message: str) -> None:
    result = CliRunner().invoke(app, ["screen"], input=json.dumps({"text": "fine"}) + "\n" + line + "\n")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""  # nothing is screened when any line is malformed
    with pytest.raises(ValueError, match=message.split(":")[0]):
        read_texts(['{"text": "a"}', line])


def test_written_text_loses_only_its_flagged_sentences(screen: SpecialCategoryScreen) -> None:
    roles = {"Sam Carter": "the customer", "Alex": "the agent"}
    packed = ("On 2026-03-02, Sam Carter was diagnosed with type 2 diabetes last month. "
              "Sam Carter is moving to Leeds in March. Sam Carter would like texts rather than calls.")
    [redaction] = screen.redact_written([packed], roles, threshold=screen.threshold)
    assert [v.category for v in redaction.flagged] == ["health"]
    # The ordinary sentences stay, still dated; the diagnosis goes.
    assert redaction.text == ("On 2026-03-02, Sam Carter is moving to Leeds in March. "
                              "Sam Carter would like texts rather than calls.")
    [alone] = screen.redact_written(["Sam Carter was diagnosed with type 2 diabetes last month."], roles,
                                    threshold=screen.threshold)
    assert alone.text is None and len(alone.flagged) == 1
    [clean] = screen.redact_written(["Sam Carter is moving to Leeds."], roles)
    assert clean.text == "Sam Carter is moving to Leeds." and clean.flagged == []
