"""Precision and recall of the GDPR special-category screen on the labelled sentence set.

Usage: .venv/bin/python bench/screening_eval.py [--split dev|...|heldout23|untouched|all] [--cv] [--quiet]

The set (tests/data/special_category_sentences.jsonl, 4,045 sentences in 23 splits of 120-200) is half
sensitive sentences across all eight categories and half ordinary customer-support talk, much of it hard
negatives ("sick of waiting", "credit union", "the fingerprint sensor on my phone", "the Diwali sale").
Every split is reported for three screens: the lexicon stage alone, the semantic stage alone (embeddings
against exemplars, screening_semantic.py) and the combined screen (what the extractors use:
screening.screen). ``--split untouched`` pools the splits nothing was ever fitted to.

Who wrote what. dev..heldout8 were written by the author of the screen. heldout9..heldout23 were each
written by a different author (a separate agent told the categories, the customer-support setting and the
phrasing mix, and forbidden to read the project, its lists, its exemplars or the other splits), so they
test the screen on phrasings and hard negatives nobody designing it had in mind. The semantic stage's
exemplars are the author's sentences, the rows of dev..heldout4, and 2,237 sentences by seven more
independent authors (source "independent" in screening_exemplars.jsonl), never rows of any split.

Splits and how they were used. "First measured" is the figure before anything was fitted to the split:
combined precision / recall, with the screen as it stood then.
- dev, heldout..heldout4: lexicon tuned on; exemplars.
- heldout5..heldout8 (screen author): first measured 0.929 / 1.000, 0.812 / 0.848, 0.812 / 0.812 and
  0.912 / 0.969 (see git history for the stage each was measured against); tuned on since.
- heldout9..heldout20 (independent authors): each first measured once, aggregate only, then its errors
  were read and the screen changed in general terms (weak words, masks for organisations, products,
  professions and idioms, named groups, parties, unions, conditions and genes; more exemplars). First
  measured against the screen of commit a68527f (before this work) and against the screen as it stood:
  heldout9 0.830 / 0.930 -> 0.902 / 0.920; heldout10 0.780 / 0.920 -> 0.852 / 0.920; heldout11
  0.789 / 0.900 -> 0.886 / 0.930; heldout12 0.733 / 0.880 -> 0.783 / 0.900; heldout13 0.781 / 0.890 ->
  0.870 / 0.940; heldout14 0.768 / 0.960 -> 0.858 / 0.970; heldout15 0.815 / 0.880 -> 0.872 / 0.950;
  heldout16 0.882 / 0.900 -> 0.960 / 0.960; heldout17 0.738 / 0.900 -> 0.875 / 0.980; heldout18
  0.746 / 0.940 -> 0.874 / 0.970; heldout19 0.802 / 0.890 -> 0.907 / 0.980; heldout20 0.803 / 0.980 ->
  0.908 / 0.990.
- heldout21..heldout23 (independent authors): UNTOUCHED, the final figures. Measured once, with the final
  screen, and never looked at row by row: heldout21 0.962 / 1.000, heldout22 0.898 / 0.970, heldout23
  0.960 / 0.960; pooled (600 sentences, ``--split untouched``) precision 0.936, recall 0.977 (0.939 when
  each split is embedded on its own: a vector depends slightly on its batch, and one sentence sits on the
  threshold). The screen of commit a68527f measured 0.851 / 0.970, 0.780 / 0.960 and 0.864 / 0.890 on
  them (pooled 0.829 / 0.940).

Honest reading: on 600 sentences by three authors who never saw the screen, the combined screen meets the
issue's target (recall >= 0.95 at precision >= 0.90) pooled, and on two of the three splits alone; the third
is at precision 0.898. The first-measured figures above rose round by round (fresh-split precision about
0.78 at the start, 0.87-0.96 at the end), so a new author's hard negatives will still find false positives:
names and places with sensitive words in them, organisations of a faith or party as customers, festivals
as sales. Recall held above 0.95 on every fresh split since heldout14. The figures on dev..heldout20 are
tuning figures; --cv prints the semantic stage's honest ones (leave one split out over dev..heldout4, that
split's rows removed from the exemplars), on which its threshold was chosen: precision 0.965, recall
0.925, 3.5% of ordinary sentences flagged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from convmem.extract import screening, screening_semantic
from convmem.extract.screening import CATEGORIES, ScreenResult, screen, screen_lexicon, screen_semantic
from convmem.search.embedding import get_embedder

SPLITS = ["dev", "heldout", *(f"heldout{n}" for n in range(2, 24))]
TUNING_SPLITS = SPLITS[:5]  # semantic exemplars; lexicon tuned on
UNTOUCHED = {"heldout21", "heldout22", "heldout23"}  # the final figures, see above
MEASURED_THEN_TUNED = set(SPLITS[5:21])  # first measured untouched, then tuned on
INDEPENDENT = set(SPLITS[9:])  # heldout9..heldout23: written by authors who never saw the screen
STAGES = ("lexicon", "semantic", "combined")
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "special_category_sentences.jsonl"


@dataclass
class Scores:
    precision: float
    recall: float
    per_category_recall: dict[str, float]
    false_negatives: list[dict]
    false_positives: list[dict]
    n_sensitive: int
    n_ordinary: int


def load(split: str = "all") -> list[dict]:
    """Rows of one split, of the untouched splits pooled ("untouched"), or of all ("all")."""
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    if split == "all":
        return rows
    if split == "untouched":
        return [r for r in rows if r["split"] in UNTOUCHED]
    return [r for r in rows if r["split"] == split]


def embed_rows(rows: list[dict]) -> np.ndarray:
    return get_embedder(1).embed_sorted([r["text"] for r in rows], batch=64)


def verdict(row: dict, vector: np.ndarray | None, stage: str) -> ScreenResult:
    if stage == "lexicon":
        return screen_lexicon(row["text"])
    if stage == "semantic":
        return screen_semantic(row["text"], vector)
    return screen(row["text"], vector)


def evaluate(rows: list[dict], stage: str = "combined", vectors: np.ndarray | None = None) -> Scores:
    """Scores of one stage on ``rows``; ``vectors`` (one per row) saves embedding each sentence."""
    tp = fp = 0
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    fns: list[dict] = []
    fps: list[dict] = []
    for i, row in enumerate(rows):
        result = verdict(row, None if vectors is None else vectors[i], stage)
        if row["sensitive"]:
            totals[row["category"]] += 1
            if result.sensitive:
                tp += 1
                hits[row["category"]] += 1
            else:
                fns.append(row)
        elif result.sensitive:
            fp += 1
            fps.append({**row, "matched": result.matched, "as": result.category, "stage": result.stage})
    n_sensitive = sum(totals.values())
    return Scores(
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / n_sensitive if n_sensitive else 1.0,
        per_category_recall={c: hits[c] / totals[c] for c in CATEGORIES if totals[c]},
        false_negatives=fns,
        false_positives=fps,
        n_sensitive=n_sensitive,
        n_ordinary=len(rows) - n_sensitive,
    )


def label(split: str) -> str:
    author = ", independent author" if split in INDEPENDENT else ""
    if split == "untouched":
        return f"UNTOUCHED splits pooled ({', '.join(sorted(UNTOUCHED))})"
    if split in UNTOUCHED:
        return f"{split} (UNTOUCHED{author})"
    if split in MEASURED_THEN_TUNED:
        return f"{split} (first measured untouched, then tuned on{author})"
    if split in TUNING_SPLITS:
        return f"{split} (tuned / exemplars)"
    return split


def report(split: str, rows: list[dict], quiet: bool) -> dict[str, Scores]:
    vectors = embed_rows(rows)
    results: dict[str, Scores] = {}
    print(f"== {label(split)}: {sum(r['sensitive'] for r in rows)} sensitive + "
          f"{sum(not r['sensitive'] for r in rows)} ordinary sentences")
    for stage in STAGES:
        results[stage] = scores = evaluate(rows, stage, vectors)
        print(f"  {stage:<9} precision {scores.precision:.3f}  recall {scores.recall:.3f}   "
              + ", ".join(f"{c} {r:.2f}" for c, r in scores.per_category_recall.items()))
    if not quiet:
        combined = results["combined"]
        for row in combined.false_negatives:
            print(f"  MISSED  [{row['category']}] {row['text']}")
        for row in combined.false_positives:
            print(f"  FALSE+  [{row['stage']} {row['as']}: {row['matched']!r}] {row['text']}")
    return results


def cross_validate() -> None:
    """The semantic stage on each tuning split with that split's rows removed from the exemplars."""
    exemplars = screening_semantic.load_exemplars()
    vectors = get_embedder(1).embed_sorted([e.text for e in exemplars], batch=64)
    pooled: Counter[str] = Counter()
    print("== semantic stage, leave one split out over the tuning splits (exemplars of the split removed)")
    for split in TUNING_SPLITS:
        keep = [i for i, e in enumerate(exemplars) if e.source != split]
        model = screening_semantic.SemanticScreen([exemplars[i] for i in keep], vectors[keep])
        rows = load(split)
        verdicts = model.check_many(embed_rows(rows))
        tp = sum(v.sensitive and r["sensitive"] for v, r in zip(verdicts, rows, strict=True))
        fp = sum(v.sensitive and not r["sensitive"] for v, r in zip(verdicts, rows, strict=True))
        right = sum(v.sensitive and r["sensitive"] and v.category == r["category"]
                    for v, r in zip(verdicts, rows, strict=True))
        n_pos = sum(r["sensitive"] for r in rows)
        pooled.update(tp=tp, fp=fp, right=right, pos=n_pos, neg=len(rows) - n_pos)
        print(f"  {split:<9} precision {tp / max(tp + fp, 1):.3f}  recall {tp / n_pos:.3f}  "
              f"false-positive rate {fp / (len(rows) - n_pos):.3f}")
    print(f"  pooled    precision {pooled['tp'] / max(pooled['tp'] + pooled['fp'], 1):.3f}  "
          f"recall {pooled['tp'] / pooled['pos']:.3f}  false-positive rate {pooled['fp'] / pooled['neg']:.3f}  "
          f"category right {pooled['right'] / max(pooled['tp'], 1):.3f}")


def timing(rows: list[dict]) -> None:
    texts = [r["text"] for r in rows]
    semantic = screening_semantic.get_semantic_screen()
    embedder = get_embedder(1)
    screening.cache_clear()
    started = time.perf_counter()
    for text in texts:
        screen_lexicon(text)
    lexicon = (time.perf_counter() - started) / len(texts)
    vectors = embed_rows(rows)
    started = time.perf_counter()
    for vector in vectors:
        semantic.check(vector)
    scoring = (time.perf_counter() - started) / len(texts)
    started = time.perf_counter()
    for text in texts[:100]:
        embedder.embed([text])
    embedding = (time.perf_counter() - started) / min(len(texts), 100)
    print(f"== cost per sentence: lexicon {lexicon * 1e3:.3f} ms, semantic scoring given a vector "
          f"{scoring * 1e3:.3f} ms ({len(semantic.texts)} exemplars), one embedding {embedding * 1e3:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=[*SPLITS, "untouched", "all"], default="all")
    parser.add_argument("--cv", action="store_true", help="leave-one-split-out figures of the semantic stage")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses or false positives")
    args = parser.parse_args()
    started = time.perf_counter()
    screening_semantic.get_semantic_screen()
    print(f"semantic stage built in {time.perf_counter() - started:.1f} s (exemplars embedded on first use)",
          file=sys.stderr)
    splits = [*SPLITS, "untouched", "all"] if args.split == "all" else [args.split]
    for split in splits:
        report(split, load(split), args.quiet)
    if args.cv:
        cross_validate()
    timing(load("all"))


if __name__ == "__main__":
    main()
