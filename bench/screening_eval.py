"""Precision and recall of the GDPR special-category screen (src/convmem/extract/screening.py).

Usage: .venv/bin/python bench/screening_eval.py [--split dev|test|test2|test3|test4] [--timing]

Prints aggregate figures only, never a sentence: precision, recall and F1 overall and per category, the
share of sensitive sentences given the right category, and the false-positive rate on ordinary sentences.

Evaluation protocol
-------------------
The screen is a trained classifier (logistic regression over MiniLM and e5 sentence vectors side by side,
scored per clause, behind a gate over MiniLM alone that spares e5 the plainly ordinary units; see
screening.py). Its data lives in data/screen/:

- train*.jsonl: TRAINING data, every labelled sentence anyone working on the screen has read. train.jsonl
  holds the 23 splits of the old tests/data/special_category_sentences.jsonl (dev..heldout23, 4,045
  sentences; the old hand-tuned lexicon was grown by reading their errors, so none of them measures
  anything any more) and the old semantic stage's exemplars (source "exemplar-..."); train_targeted.jsonl
  sentences written for this classifier against the old screen's known weaknesses (indirect political
  opinion, sex life, biometric enrolment, long sentences with one sensitive clause, hard negatives) and in
  the extractors' third-person output form ("On 2024-03-05, Dana said ...", agent commitments);
  train_independent2.jsonl (1,398) and train_independent3.jsonl (1,200, half sensitive with 75 per
  category, half ordinary with many hard negatives) sentences by independent authors, each scored once
  in aggregate by the screen of its day before it joined the training data; train_independent4.jsonl
  (1,200, written on 2026-12-07 with the same mix, mostly indirect wording and hard negatives, by an
  author who had not seen the project; not scored before it joined); train_independent5.jsonl (1,000,
  50 per category and 600 hard negatives of support chat: pets' illnesses, partners named, hobbies, places
  of worship as addresses; scored once in aggregate by the screen of f1ce73e, P 0.869 R 0.892 with 9.0% of
  its ordinary sentences flagged, before it joined on 2026-12-07); train_independent6.jsonl and
  train_independent7.jsonl (800 each, 50 per category and 400 ordinary, by two more authors who had not
  seen the project: support chat with one sensitive clause among the request, staff notes in the third
  person, clause fragments; scored once by model 118c6906 before they joined on 2026-12-07: P 0.948 and
  0.973, R 0.907 and 0.905, 5.0% and 2.5% of ordinary sentences flagged); train_independent8.jsonl (900
  chat-style sentences, 600 hard negatives and 300 sensitive, by another author who had not seen the
  project; scored once by model d518f0359f5392ea before it joined on 2026-12-07: P 0.870, R 0.963, 7.2%
  of ordinary sentences flagged); train_independent9.jsonl (1,400 support messages, 1,000 hard negatives
  dense with foreign names, brands and places and 400 sensitive in the same style, by another such
  author; scored once by model c89969b31cd21add before it joined on 2026-12-07: P 0.703, R 0.988, 16.7%
  of ordinary sentences flagged); train_conversations.jsonl
  (4,463) the customers' statements of the dev conversation sets (data/conversations/dev*.jsonl), split
  as the extractor splits them: ordinary unless the set labels them special-category, the handful that
  a careful read found to be special-category or unclear (a relative's medication, a prescription)
  relabelled or left out. Their rows are read freely, including the classifier's out-of-fold errors on
  them.
- dev.jsonl: 800 sentences (400 sensitive, 50 per category; 400 ordinary), written by two independent
  authors who never saw the screen or its data (the second half, source "independent-dev-2026-12-06",
  added on 2026-12-06). Used for two decisions only: the regularisation strength, and the decision
  threshold by the stated rule (first the recall whose 95% Wilson lower bound is 0.95, 0.9725 with its
  400 sensitive sentences, then the best precision; until 2026-12-07 the rule asked for 0.95 itself,
  and the threshold so chosen caught 0.89 to 0.98 on the frozen splits). Only its aggregate
  figures are ever looked at, so it stays a fair check of those two choices.
- test.jsonl, test2.jsonl and test3.jsonl (written on 2026-12-07): 400 sentences each by three more
  independent authors, FROZEN. test4.jsonl (written on 2026-12-07 by another author who had not seen the
  project): 1,000 sentences, 750 of them ordinary support chat of the kinds a screen flags by mistake
  (foreign names and brands, pets' health, partners named, places of worship and unions as landmarks or
  organisations, life events, food preferences without a reason, admin talk, medical-sounding insurance
  words, long mixed sentences) and 250 sensitive (about 31 per category, mostly indirect), also FROZEN;
  its precision is not comparable with the balanced splits', its share of ordinary sentences flagged is
  the figure to read. Nobody working on the screen opens them, greps them or looks at their
  errors; nothing is tuned on them. Each is measured once per change of the screen, with the final
  model, by ``--split test`` / ``--split test2`` / ``--split test3`` / ``--split test4``,
  which print aggregate figures only and append them, with the model's hash, to data/screen/<split>.log
  so that every measurement is visible.

When a test split has been read (row by row, or tuned against through repeated measurement) it has become
training data: it moves into train*.jsonl and a new test split is written by someone who has seen neither
the screen nor the data. The same holds for dev once its rows are read.

Reading the figures: dev figures are optimistic by construction (the threshold and regularisation were
chosen on it); the test figures are the estimate. The calibrated score assumes the training mix (about half
sensitive); real support traffic has far fewer sensitive sentences, so precision in service is lower than
on these balanced splits at the same false-positive rate.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from convmem.extract.screening import CATEGORIES, MODEL_FILE, SpecialCategoryScreen, default_screen, embed_each

DATA = Path(__file__).resolve().parent.parent / "data" / "screen"
SPLITS = ("dev", "test", "test2", "test3", "test4")


@dataclass
class Figures:
    precision: float
    recall: float
    f1: float
    n: int


@dataclass
class Report:
    overall: Figures
    per_category: dict[str, Figures]
    category_right: float  # share of flagged sensitive sentences given their labelled category
    false_positive_rate: float
    n_sensitive: int
    n_ordinary: int


def load(split: str) -> list[dict]:
    rows = [json.loads(line) for line in (DATA / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    for row in rows:
        row["category"] = None if row.get("category") in (None, "none") else row["category"]
    return rows


def _f(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(rows: list[dict], screen: SpecialCategoryScreen) -> Report:
    """Overall: sensitive or not. Per category c: recall is the share of c sentences flagged (as anything:
    a flagged sentence is dropped whatever its category); precision the share of sentences flagged as c
    that are c."""
    results = screen.screen_many([r["text"] for r in rows])
    tp = fp = fn = right = 0
    flagged_as: Counter[str] = Counter()
    correct_as: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for row, result in zip(rows, results, strict=True):
        truth = row["category"]
        if truth is not None:
            totals[truth] += 1
        if result.sensitive:
            flagged_as[result.category or ""] += 1
            if truth is not None:
                tp += 1
                caught[truth] += 1
                right += result.category == truth
                correct_as[truth] += result.category == truth
            else:
                fp += 1
        elif truth is not None:
            fn += 1
    per_category = {}
    for c in CATEGORIES:
        precision = correct_as[c] / flagged_as[c] if flagged_as[c] else 1.0
        recall = caught[c] / totals[c] if totals[c] else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_category[c] = Figures(precision, recall, f1, totals[c])
    n_sensitive = sum(totals.values())
    n_ordinary = len(rows) - n_sensitive
    return Report(Figures(*_f(tp, fp, fn), n_sensitive), per_category, right / tp if tp else 1.0,
                  fp / n_ordinary if n_ordinary else 0.0, n_sensitive, n_ordinary)


def render(split: str, report: Report, screen: SpecialCategoryScreen) -> str:
    o = report.overall
    lines = [f"== {split}: {report.n_sensitive} sensitive + {report.n_ordinary} ordinary sentences, "
             f"threshold {screen.threshold:.4f}",
             f"  overall   precision {o.precision:.3f}  recall {o.recall:.3f}  F1 {o.f1:.3f}",
             f"  false-positive rate on ordinary sentences {report.false_positive_rate:.3f}; "
             f"category right on flagged sensitive sentences {report.category_right:.3f}",
             "  per category (precision of the flagged category, recall of being flagged at all):"]
    lines += [f"    {c:<19} n={f.n:<3} precision {f.precision:.3f}  recall {f.recall:.3f}  F1 {f.f1:.3f}"
              for c, f in report.per_category.items()]
    return "\n".join(lines)


def model_hash() -> str:
    path = Path(__file__).resolve().parent.parent / "src" / "convmem" / "extract" / MODEL_FILE
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def timing(screen: SpecialCategoryScreen, rows: list[dict]) -> str:
    """The cost of screening 100 sentences against one embedding of the same 100 sentences."""
    texts = [r["text"] for r in rows[:100]]
    session = screen.session()
    session.embed(["warm up"])
    started = time.perf_counter()
    vectors = embed_each(session, texts)
    embedding = time.perf_counter() - started
    started = time.perf_counter()
    screen.screen_many(texts)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    screen.screen_many(texts, vectors)
    given = time.perf_counter() - started
    return (f"== cost of {len(texts)} sentences: one embedding pass {embedding * 1e3:.0f} ms; screen_many "
            f"{alone * 1e3:.0f} ms; screen_many given the sentences' vectors {given * 1e3:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=SPLITS, default="dev")
    parser.add_argument("--timing", action="store_true", help="also time screen_many against embedding")
    args = parser.parse_args()
    screen = default_screen()
    rows = load(args.split)
    text = render(args.split, evaluate(rows, screen), screen)
    print(text)
    if args.split.startswith("test"):
        # The frozen splits' measurements are logged, so that measuring one twice shows.
        log = DATA / f"{args.split}.log"
        earlier = log.read_text(encoding="utf-8").count(f"== {args.split}:") if log.exists() else 0
        with log.open("a", encoding="utf-8") as stream:
            stream.write(f"# {datetime.now(UTC).isoformat(timespec='seconds')} model {model_hash()}\n{text}\n")
        if earlier:
            print(f"note: the test split had been measured {earlier} time(s) before (see {log})", file=sys.stderr)
    if args.timing:
        print(timing(screen, rows))


if __name__ == "__main__":
    main()
