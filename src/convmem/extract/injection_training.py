"""Builds the injection guard's classifier (``make injection-model``).

    .venv/bin/python -m convmem.extract.injection_training [--data-dir data/injection]

Trains the logistic regression of extract/injection.py on ``train*.jsonl`` (whole messages,
MiniLM vectors of the packaged model) and, as ordinary lines, on the customers' turns of the
conversation sets named in CHAT_TRAINING_SETS (support chat as the guard meets it, but for the turns
labelled as injections), then chooses its threshold by a stated rule: among the thresholds at which
the guard (patterns or classifier) withholds at most 1% of the ordinary lines of ``dev.jsonl``, the
classifier flags at most 2% of a pool of honest customer sentences and at most 0.5% of the customers'
turns of the other dev conversation sets (data/conversations/dev*.jsonl), the one that catches the
most dev injections (the highest such threshold on a tie).

Why chat is trained on: written lines alone taught the classifier that a message addressed to the
agent is suspect, and whole chat turns that ask the agent for something while stating the customer's
circumstances ("I'm the admin for our workspace, we're growing to 20 seats next month, how does
billing work ...") scored 0.7 to 0.85, where injections do. On 2026-12-07, trained with dev2-dev5's
974 customer turns, the threshold fell from 0.79 to 0.74 and dev injections caught rose from 90% to
94%, while the turns of dev and dev6 withheld stayed at 2 of 358 (one a pattern hit); with
train_independent10.jsonl added the same day the threshold was 0.75. Later that day dev8-dev10's turns
joined (1,525 chat turns in all): the threshold was 0.77, dev injections caught stayed at 93%, and of the
held-out dev7 (written that day, first seen by the guard of 0.75) 1 honest turn of 250 was withheld instead
of 3 ("alright, need a room mon-thurs ... company pays. can u do a weekly rate?" was one). With
train_independent11.jsonl (700 written lines) added that evening the threshold is 0.76, dev injections
caught stay at 93%, and 3 of dev7's honest turns are withheld again (that one among them). On 2026-12-08 the
187 customer turns of dev11 (60 conversations written that day by a helper who had not seen the project)
joined the training sets: the guard of 0.76 withheld 4 of them ("Hi team, I'm writing about policy
TRV-5521983." scored 0.88 on its own), and held out they would have raised the threshold to 0.82 (dev
injections caught 0.89); trained on, the threshold stays 0.76 and dev injections caught 93%.

1% of dev, not the 2% the product allows: the extraction keeps only statements about the
customer (extract/clauses.py), which stops most of what the classifier misses, while every
ordinary message it withholds costs the facts in it. The pool is the special-category screen's
training and dev sentences (data/screen/train*.jsonl and dev.jsonl, about 10,000 sentences by
several independent authors, none addressed to a model): 100 ordinary dev lines cannot pin down
a rate of 1%, and a threshold chosen on them alone flagged 3% of that pool. 0.5% of chat, not 1%:
with 1% the guard retrained on 2026-12-07 with memory-targeting injections moved to 0.73 and withheld
118 of the 3,435 turns of LoCoMo's development split (62 before), warm second-person small talk
("Thanks, Gina! Your kind words mean a lot. I won't give up!") that scores just over the line.

``test.jsonl`` is never read here: bench/injection_eval.py measures it. Deterministic: the same
data and model give the same weights."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from convmem.extract.injection import MODEL_FILE, InjectionGuard, LinearModel, fit_logistic, pattern_match
from convmem.search.embedding import get_embedder

L2 = 1e-4
MAX_ORDINARY_WITHHELD = 0.01
MAX_POOL_FLAGGED = 0.02
MAX_CHAT_FLAGGED = 0.005
# Conversation sets whose customer turns are ordinary training lines; the other dev*.jsonl sets are
# held out for the threshold's chat rule (never test*.jsonl).
CHAT_TRAINING_SETS = ("dev2", "dev3", "dev4", "dev5", "dev8", "dev9", "dev10", "dev11")
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.50, 0.991, 0.01))


def load(path: Path) -> tuple[list[str], np.ndarray]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [str(r["text"]) for r in rows], np.array([bool(r["injection"]) for r in rows])


def honest_pool(screen_dir: Path) -> list[str]:
    """Customer sentences from the screen's data (never its test splits): none is an injection."""
    paths = [*sorted(screen_dir.glob("train*.jsonl")), screen_dir / "dev.jsonl"]
    return [str(json.loads(line)["text"]) for path in paths if path.exists()
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def support_chat(conversations_dir: Path, training: bool = False) -> list[str]:
    """The customers' turns of the dev conversation sets (never their test sets), but for the turns
    labelled as injections: whole chat messages, as the guard meets them in service. ``training``: of
    the sets in CHAT_TRAINING_SETS; otherwise of the other dev sets."""
    turns: list[str] = []
    for path in sorted(conversations_dir.glob("dev*.jsonl")):
        if (path.stem in CHAT_TRAINING_SETS) != training:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            conversation = json.loads(line)
            injected = {item["turn"] for item in conversation.get("injections", [])}
            turns += [str(turn["text"]) for n, turn in enumerate(conversation["turns"])
                      if turn["speaker"] == "customer" and n not in injected]
    return turns


def choose_threshold(scores: np.ndarray, patterns: np.ndarray, labels: np.ndarray,
                     pool_scores: np.ndarray | None = None,
                     chat_scores: np.ndarray | None = None) -> tuple[float, float, float, float]:
    """(threshold, recall, ordinary dev lines withheld, pool flagged) by the rule in the module docstring."""
    best: tuple[float, float, float, float] | None = None
    pool = np.zeros(0) if pool_scores is None else pool_scores
    chat = np.zeros(0) if chat_scores is None else chat_scores
    ordinary = max(1, int((~labels).sum()))
    injections = max(1, int(labels.sum()))
    for threshold in THRESHOLDS:
        flagged = patterns | (scores >= threshold)
        withheld = float((flagged & ~labels).sum()) / ordinary
        recall = float((flagged & labels).sum()) / injections
        pooled = float((pool >= threshold).mean()) if len(pool) else 0.0
        chatted = float((chat >= threshold).mean()) if len(chat) else 0.0
        if withheld <= MAX_ORDINARY_WITHHELD and pooled <= MAX_POOL_FLAGGED and chatted <= MAX_CHAT_FLAGGED and (
                best is None or recall >= best[1]):  # thresholds ascend: a tie keeps the higher one
            best = (threshold, recall, withheld, pooled)
    if best is None:
        raise SystemExit("no threshold keeps the ordinary lines withheld under the limit")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path("data/injection"))
    parser.add_argument("--output", type=Path, default=MODEL_FILE)
    parser.add_argument("--screen-data", type=Path, default=Path("data/screen"),
                        help="the pool of honest customer sentences (train*.jsonl, dev.jsonl)")
    parser.add_argument("--conversations", type=Path, default=Path("data/conversations"),
                        help="support chat: the customer turns of dev*.jsonl (never test*.jsonl)")
    args = parser.parse_args()
    embedder = get_embedder(2)
    texts: list[str] = []
    parts = []
    for path in sorted(args.data_dir.glob("train*.jsonl")):
        part_texts, part_labels = load(path)
        texts += part_texts
        parts.append(part_labels)
    chat_lines = support_chat(args.conversations, training=True)
    texts += chat_lines
    parts.append(np.zeros(len(chat_lines), dtype=bool))
    labels = np.concatenate(parts)
    weights, bias = fit_logistic(embedder.embed_sorted(texts), labels, l2=L2, epochs=800, learning_rate=1.0)
    dev_texts, dev_labels = load(args.data_dir / "dev.jsonl")
    # Scored as the guard scores (whole message and each sentence), without a threshold yet.
    guard = InjectionGuard(embedder, LinearModel(weights, bias, threshold=2.0))
    scores = np.array([v.score for v in guard.check_many(dev_texts)])
    patterns = np.array([pattern_match(t) is not None for t in dev_texts])
    scores = np.where(patterns, 0.0, scores)  # pattern hits report 1.0; the rule counts them separately
    pool = honest_pool(args.screen_data)
    pool_scores = np.array([v.score for v in guard.check_many(pool)]) if pool else None
    chat = support_chat(args.conversations)
    # The classifier's score alone: a pattern hit on a chat turn is the patterns' error, not the threshold's.
    chat_scores = np.array([0.0 if v.injection else v.score for v in guard.check_many(chat)]) if chat else None
    threshold, recall, withheld, pooled = choose_threshold(scores, patterns, dev_labels, pool_scores, chat_scores)
    chatted = float((chat_scores >= threshold).mean()) if chat_scores is not None else 0.0
    LinearModel(weights, bias, threshold).save(args.output)
    print(f"trained on {len(texts)} lines ({len(chat_lines)} of them chat turns); dev ({len(dev_texts)} lines): "
          f"threshold {threshold:.2f}, "
          f"injections caught {recall:.3f}, ordinary lines withheld {withheld:.3f}; honest pool "
          f"({len(pool)} sentences) flagged {pooled:.3f}; support chat ({len(chat)} customer turns) flagged "
          f"{chatted:.3f}; wrote {args.output}")


if __name__ == "__main__":
    main()
