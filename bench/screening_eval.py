"""Precision and recall of the GDPR special-category screen on the labelled sentence set.

Usage: .venv/bin/python bench/screening_eval.py [--split dev|...|heldout8|all] [--cv] [--quiet]

The set (tests/data/special_category_sentences.jsonl) was written for this project: half sensitive
sentences across all eight categories, half ordinary customer-support talk with hard negatives
("sick of waiting", "credit union", "the fingerprint sensor on my phone"). Every split is reported for
three screens: the lexicon stage alone, the semantic stage alone (embeddings against exemplars,
screening_semantic.py) and the combined screen (their union, what the extractors use).

Splits, in the order they were written and used ("first measured" = before anything was fitted to it):
- dev: lexicon tuned on; semantic exemplars.
- heldout: written with dev; lexicon first measured recall 0.886, precision 0.975, then tuned on; exemplars.
- heldout2: lexicon first measured recall 0.761, precision 0.946, then tuned on; exemplars.
- heldout3: lexicon first measured recall 0.821, precision 0.970; the lexicons were then broadened
  category-wide (screening_lexicon.py), which also fixed its misses; exemplars.
- heldout4: lexicon first measured recall 0.780, precision 0.889, then tuned on; exemplars.
- heldout5: never tuned on. Lexicon first measured recall 0.821, precision 0.970. Semantic stage as first
  built (commit 54dcfd8), first measured: semantic recall 0.949, precision 0.949; combined recall 1.000,
  precision 0.929.
- heldout6: written before the semantic stage was designed, in deliberately indirect phrasings unlike the
  earlier rows. Lexicon first measured recall 0.455, precision 0.789 (biometric 0.00, health 0.33).
  Semantic stage as first built, first measured: semantic recall 0.758, precision 0.862; combined recall
  0.848, precision 0.812 -- short of the target, so the stage was iterated on (commit 7c6f36a: more
  exemplars, three benign lexicon phrases) with heldout6's errors in view. heldout6 is a tuning split
  from then on (combined after 7c6f36a: recall 0.894, precision 0.855; after bb14107: 0.894 / 0.808).
- heldout7: written after heldout6's measurement and before that iteration; never an exemplar, not looked
  at row by row before its measurement. Stage as first built, aggregate figures only: combined recall
  0.828, precision 0.803. Iterated stage (7c6f36a), first measured: lexicon recall 0.406, precision
  0.788; semantic recall 0.734, precision 0.870; combined recall 0.812, precision 0.812. The iteration
  did not carry over (recall 0.828 -> 0.812, precision 0.803 -> 0.812). Not tuned on since.
- heldout8: written after that, when the extractor's own tests showed the stage flagging ordinary
  personal facts ("I live in Leeds with my partner"), before the fix (bb14107: ordinary personal-fact
  exemplars, threshold re-derived by the cross-validation rule). Screen before the fix, aggregate only:
  combined recall 0.969, precision 0.899. After the fix, the final untouched figure: lexicon recall
  0.859, precision 0.932; semantic recall 0.953, precision 0.924; combined recall 0.969, precision 0.912.
  Its phrasings are more direct than heldout6/7 (the lexicon alone reaches 0.86 here, 0.41-0.46 there),
  and its ordinary rows include personal facts of the kind the fix is about.

Honest reading: on splits nobody fitted anything to, the combined screen meets the issue's target
(recall >= 0.95 at precision >= 0.90) on direct phrasings (heldout5 when first measured: 1.000 / 0.929;
heldout8: 0.969 / 0.912) and misses it clearly on deliberately indirect ones (heldout6 first measured
0.848 / 0.812; heldout7 0.812 / 0.812; the lexicon alone 0.41-0.46 there). Misses are mostly knowledge an
embedding of this size lacks (union and party acronyms, named genetic conditions, ethnic groups named in
passing: "PCS convenor", "APOE4", "our family is Hmong") and relationships implied rather than said ("my
girlfriend and I ..."); false positives are mostly the lexicon's ("voted for the orange version", "the
left-wing player", "the DNA science kit") plus the semantic stage on sentences sharing incidental words
with a sensitive exemplar ("money's tight" near "on strike ... money is tight"; device talk near biometric
words).

Caveats: the exemplars and heldout6..8 were written by the same author, who kept names, acronyms and
phrasings of the evaluation splits out of the exemplars (and removed a few heldout7-like ones on review);
a split written by somebody else would be the stronger test. The semantic stage's figures on dev..heldout4
are training-set figures (their rows are exemplars); --cv prints the honest ones (leave one split out,
that split's rows removed from the exemplars), on which its constants and threshold were chosen:
precision 0.961, recall 0.922, 3.8% of ordinary sentences flagged.
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

SPLITS = ["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8"]
TUNING_SPLITS = SPLITS[:5]  # semantic exemplars; lexicon tuned on
UNTOUCHED = {"heldout8"}  # the final figure; the others were first measured untouched, see above
MEASURED_THEN_TUNED = {"heldout5", "heldout6", "heldout7"}
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
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows if split == "all" else [r for r in rows if r["split"] == split]


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
    if split in UNTOUCHED:
        return f"{split} (UNTOUCHED)"
    if split in MEASURED_THEN_TUNED:
        return f"{split} (first measured untouched; the stage was changed after)"
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
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    parser.add_argument("--cv", action="store_true", help="leave-one-split-out figures of the semantic stage")
    parser.add_argument("--quiet", action="store_true", help="figures only, no misses or false positives")
    args = parser.parse_args()
    started = time.perf_counter()
    screening_semantic.get_semantic_screen()
    print(f"semantic stage built in {time.perf_counter() - started:.1f} s (exemplars embedded on first use)",
          file=sys.stderr)
    splits = [*SPLITS, "all"] if args.split == "all" else [args.split]
    for split in splits:
        report(split, load(split), args.quiet)
    if args.cv:
        cross_validate()
    timing(load("all"))


if __name__ == "__main__":
    main()
