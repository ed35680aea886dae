"""Offline extractor on LoCoMo: observations per session, throughput and evidence coverage.

Usage: .venv/bin/python bench/extraction_eval.py [--data DIR] [--no-screen] [--bm25] [--show N] [--missed N]
       [--turns-per-observation N] [--min-confidence X] [--files 26 30]

Each LoCoMo session becomes one conversation whose turns are communications (both speakers CUSTOMER,
dated with the session's date); the extractor runs once per speaker as the target customer. Coverage
is the fraction of QA evidence turns (categories 1-4) that appear in the provenance of at least one
extracted observation: an upper bound for what Recall over these observations can later find. The
data is read in place and never copied (non-commercial evaluation licence).

--bm25 adds a lexical proxy for the later Recall benchmark, measured in the same run: R@10 of plain BM25
over (a) every raw turn, (b) the extracted observations, (c) the raw text of the same turn groups as the
observations (what packing alone gives). A hit is a top-10 item whose provenance holds an evidence turn.
Turns/s includes the two summaries per session.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import Stemmer

from convmem.extract.base import (
    CandidateObservation,
    Communication,
    ExtractionRequest,
    Participant,
    ParticipantType,
    Transcript,
)
from convmem.extract.offline import OfflineExtractor, OfflineSettings

DEFAULT_DATA = Path("/work/shared/bench-data/locomo")
_SESSION_KEY = re.compile(r"^session_(\d+)$")


def session_date(text: str) -> datetime:
    return datetime.strptime(text, "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


def sessions(conversation: dict) -> list[tuple[int, datetime, list[dict]]]:
    found = []
    for key, turns in conversation.items():
        match = _SESSION_KEY.match(key)
        if match and isinstance(turns, list) and turns:
            number = int(match.group(1))
            found.append((number, session_date(conversation[f"session_{number}_date_time"]), turns))
    return sorted(found, key=lambda s: s[0])


def evidence_ids(sample: dict) -> set[str]:
    ids: set[str] = set()
    for qa in sample["qa"]:
        if qa.get("category") in (1, 2, 3, 4):
            for ref in qa.get("evidence", []):
                # A few entries hold several ids in one string ("D8:6; D9:17").
                ids.update(part.strip() for part in re.split(r"[;,]", ref) if part.strip())
    return ids


def run_sample(
    sample: dict, extractor: OfflineExtractor, conversation_id: str
) -> tuple[int, list[CandidateObservation], dict[int, int], float, dict]:
    conversation = sample.get("conversation", sample)
    speakers = [conversation["speaker_a"], conversation["speaker_b"]]
    participants = {
        name: Participant(id=f"participant_{i}", name=name, type=ParticipantType.CUSTOMER, profile_id=f"profile_{i}")
        for i, name in enumerate(speakers)
    }
    observations: list[CandidateObservation] = []
    per_session: dict[int, int] = {}
    turns_total = 0
    elapsed = 0.0
    counters = {"seen": 0, "dropped": 0, "summaries": 0, "by_category": {}}
    for number, when, turns in sessions(conversation):
        communications = [
            Communication(id=t["dia_id"], author=participants[t["speaker"]], text=t.get("text", ""), occurred_at=when)
            for t in turns
        ]
        transcript = Transcript.of(f"{conversation_id}-s{number}", communications)
        turns_total += len(turns)
        started = time.perf_counter()
        found = 0
        for name in speakers:
            result = extractor.extract(ExtractionRequest(transcript, participants[name], want_summary=True))
            counters["summaries"] += result.summary is not None
            observations.extend(result.observations)
            found += len(result.observations)
            counters["seen"] += result.counters.candidates_seen
            counters["dropped"] += result.counters.dropped_by_screening
            for category, count in result.counters.dropped_by_category.items():
                counters["by_category"][category] = counters["by_category"].get(category, 0) + count
        elapsed += time.perf_counter() - started
        per_session[number] = found
    return turns_total, observations, per_session, elapsed, counters


_STEMMER = Stemmer.Stemmer("english")
_STOP = frozenset(
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "did", "do", "does", "for", "from", "had", "has",
        "have", "he", "her", "his", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our", "she",
        "that", "the", "their", "them", "they", "this", "to", "was", "we", "were", "what", "when", "where", "which",
        "who", "why", "will", "with", "would", "you", "your",
    ]
)


def _terms(text: str) -> list[str]:
    return _STEMMER.stemWords([w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP])


class BM25:
    """Plain Okapi BM25 (k1=1.2, b=0.75): a lexical proxy for Recall, to compare items in one run."""

    def __init__(self, documents: list[str]) -> None:
        self.docs = [Counter(_terms(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / max(1, len(self.lengths))
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def top(self, query: str, k: int) -> list[int]:
        terms = _terms(query)
        scores = []
        for index, doc in enumerate(self.docs):
            norm = 1.2 * (0.25 + 0.75 * self.lengths[index] / self.average)
            score = sum(self.idf[t] * doc[t] * 2.2 / (doc[t] + norm) for t in terms if t in doc)
            if score > 0:
                scores.append((score, index))
        return [index for _, index in sorted(scores, reverse=True)[:k]]


def recall_at_k(sample: dict, items: list[tuple[str, set[str]]], k: int = 10) -> tuple[int, int]:
    """Questions (categories 1-4) whose top-k items by BM25 include one with an evidence turn."""
    index = BM25([text for text, _ in items])
    hits = total = 0
    for qa in sample["qa"]:
        if qa.get("category") not in (1, 2, 3, 4):
            continue
        evidence = {p.strip() for ref in qa.get("evidence", []) for p in re.split(r"[;,]", ref) if p.strip()}
        if not evidence:
            continue
        total += 1
        hits += any(items[i][1] & evidence for i in index.top(qa["question"], k))
    return hits, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--files", nargs="*", help="sample ids (file stems); default all")
    parser.add_argument("--no-screen", action="store_true", help="measure without the GDPR screen")
    parser.add_argument("--turns-per-observation", type=int, default=OfflineSettings().max_turns_per_observation)
    parser.add_argument("--min-confidence", type=float, default=OfflineSettings().min_confidence)
    parser.add_argument("--show", type=int, default=0, help="print the first N observations of each sample")
    parser.add_argument("--bm25", action="store_true", help="also R@10 of BM25 over observations vs raw turns")
    parser.add_argument("--missed", type=int, default=0, help="print N evidence turns no observation covers")
    args = parser.parse_args()

    extractor = OfflineExtractor(
        OfflineSettings(
            screen_special_categories=not args.no_screen,
            max_turns_per_observation=args.turns_per_observation,
            min_confidence=args.min_confidence,
        )
    )
    files = sorted(args.data.glob("*.json"))
    if args.files:
        files = [f for f in files if f.stem in args.files]
    grand = {"turns": 0, "observations": 0, "evidence": 0, "covered": 0, "elapsed": 0.0, "seen": 0, "dropped": 0,
             "chars": 0}
    print(f"screen={'off' if args.no_screen else 'on'} turns/observation<={args.turns_per_observation} "
          f"min_confidence={args.min_confidence}")
    print(f"{'sample':>6} {'sessions':>8} {'turns':>6} {'obs':>5} {'obs/turn':>8} {'obs/session':>11} "
          f"{'evidence':>8} {'coverage':>8} {'turns/s':>8}")
    for path in files:
        sample = json.loads(path.read_text(encoding="utf-8"))
        turns, observations, per_session, elapsed, counters = run_sample(sample, extractor, path.stem)
        text_by_id = {
            t["dia_id"]: (t["speaker"], t.get("text", ""))
            for _, _, session_turns in sessions(sample.get("conversation", sample)) for t in session_turns
        }
        evidence = evidence_ids(sample) & set(text_by_id)
        covered_ids = {cid for o in observations for cid in o.provenance.communication_ids}
        covered = evidence & covered_ids
        print(f"{path.stem:>6} {len(per_session):>8} {turns:>6} {len(observations):>5} "
              f"{len(observations) / turns:>8.2f} {len(observations) / len(per_session):>11.1f} "
              f"{len(evidence):>8} {len(covered) / len(evidence):>8.1%} {turns / elapsed:>8.0f}")
        for observation in observations[: args.show]:
            print(f"    {','.join(observation.provenance.communication_ids)} [{observation.kind.value} "
                  f"{observation.confidence}] {observation.content}")
        for dia_id in sorted(evidence - covered_ids, key=lambda d: [int(x) for x in d[1:].split(":")])[: args.missed]:
            speaker, text = text_by_id[dia_id]
            print(f"    MISSED {dia_id} {speaker}: {text}")
        grand["turns"] += turns
        grand["observations"] += len(observations)
        grand["evidence"] += len(evidence)
        grand["covered"] += len(covered)
        grand["elapsed"] += elapsed
        grand["seen"] += counters["seen"]
        grand["dropped"] += counters["dropped"]
        grand["summaries"] = grand.get("summaries", 0) + counters["summaries"]
        grand["chars"] += sum(len(o.content) for o in observations)
        if args.bm25:
            turn_items = [(f"{speaker}: {text}", {dia_id}) for dia_id, (speaker, text) in text_by_id.items()]
            obs_items = [(o.content, set(o.provenance.communication_ids)) for o in observations]
            turn_hits, questions = recall_at_k(sample, turn_items)
            obs_hits, _ = recall_at_k(sample, obs_items)
            # Same groups of turns as the observations, but their raw text: separates what packing gives
            # from what selection and rewriting give.
            raw_group_items = [
                (" ".join(f"{text_by_id[i][0]}: {text_by_id[i][1]}" for i in o.provenance.communication_ids),
                 set(o.provenance.communication_ids))
                for o in observations
            ]
            group_hits, _ = recall_at_k(sample, raw_group_items)
            grand["group_hits"] = grand.get("group_hits", 0) + group_hits
            grand["questions"] = grand.get("questions", 0) + questions
            grand["turn_hits"] = grand.get("turn_hits", 0) + turn_hits
            grand["obs_hits"] = grand.get("obs_hits", 0) + obs_hits
            print(f"       BM25 R@10 over raw turns {turn_hits / questions:.1%} | over observations "
                  f"{obs_hits / questions:.1%} | over the same turn groups, raw {group_hits / questions:.1%} "
                  f"({questions} questions)")
    print(f"{'all':>6} {'':>8} {grand['turns']:>6} {grand['observations']:>5} "
          f"{grand['observations'] / grand['turns']:>8.2f} {'':>11} {grand['evidence']:>8} "
          f"{grand['covered'] / grand['evidence']:>8.1%} {grand['turns'] / grand['elapsed']:>8.0f}")
    items = grand["observations"] + grand["summaries"]
    print(f"summaries {grand['summaries']} (one per speaker per session); items stored = observations + summaries "
          f"= {items} = {items / grand['turns']:.2f} per turn")
    print(f"candidate sentences {grand['seen']}, dropped by the special-category screen {grand['dropped']} "
          f"({grand['dropped'] / max(1, grand['seen']):.1%}); mean observation length "
          f"{grand['chars'] / max(1, grand['observations']):.0f} chars")
    if args.bm25:
        questions = grand["questions"]
        print(f"BM25 R@10 (whole conversation as one pool, {questions} questions): raw turns "
              f"{grand['turn_hits'] / questions:.1%}, observations {grand['obs_hits'] / questions:.1%}, "
              f"raw text of the observations' turn groups {grand['group_hits'] / questions:.1%}")
    print("reference: storing every raw turn = 1.00 item/turn and 100% coverage (BM25 over raw turns ~62% R@10)")


if __name__ == "__main__":
    main()
