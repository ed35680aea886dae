"""Precision and recall of the GDPR special-category screen on the labelled sentence set.

Usage: .venv/bin/python bench/screening_eval.py [--split dev|heldout|heldout2|...|heldout5|all]

The set (tests/data/special_category_sentences.jsonl) was written for this project: half sensitive
sentences across all eight categories, half ordinary customer-support talk with hard negatives
("sick of waiting", "credit union", "the fingerprint sensor on my phone"). Splits, in the order they
were written and used:
- dev: tuned on.
- heldout: written with dev, first measured untouched (recall 0.886, precision 0.975), then tuned on.
- heldout2: written after that, first measured untouched (recall 0.761, precision 0.946), then tuned on.
- heldout3: written after that, first measured untouched (recall 0.821, precision 0.970); the lexicons were
  then broadened category-wide (screening_lexicon.py), which also fixed its misses.
- heldout4: written after that, first measured untouched (recall 0.780, precision 0.889), then tuned on.
- heldout5: written last and never tuned on (first measured: recall 0.821, precision 0.970).
Every first measurement on unseen sentences landed at recall 0.76-0.82: that, not the tuned splits, is
the honest estimate of how the lexicons generalise to phrasings nobody fitted them to.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from convmem.extract.screening import CATEGORIES, screen

SPLITS = ["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"]
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


def evaluate(rows: list[dict]) -> Scores:
    tp = fp = 0
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    fns: list[dict] = []
    fps: list[dict] = []
    for row in rows:
        result = screen(row["text"])
        if row["sensitive"]:
            totals[row["category"]] += 1
            if result.sensitive:
                tp += 1
                hits[row["category"]] += 1
            else:
                fns.append(row)
        elif result.sensitive:
            fp += 1
            fps.append({**row, "matched": result.matched, "as": result.category})
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


def report(name: str, rows: list[dict]) -> None:
    screen.cache_clear()  # time the screen, not its cache
    started = time.perf_counter()
    scores = evaluate(rows)
    elapsed = time.perf_counter() - started
    print(f"== {name}: {scores.n_sensitive} sensitive + {scores.n_ordinary} ordinary sentences")
    print(f"precision {scores.precision:.3f}  recall {scores.recall:.3f}  "
          f"({len(rows) / elapsed:,.0f} sentences/s)")
    print("per-category recall: " + ", ".join(f"{c} {r:.2f}" for c, r in scores.per_category_recall.items()))
    for row in scores.false_negatives:
        print(f"  MISSED  [{row['category']}] {row['text']}")
    for row in scores.false_positives:
        print(f"  FALSE+  [{row['as']}: {row['matched']!r}] {row['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    args = parser.parse_args()
    splits = [*SPLITS, "all"] if args.split == "all" else [args.split]
    for split in splits:
        report(split, load(split))


if __name__ == "__main__":
    main()
