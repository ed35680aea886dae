"""The labelled dev conversations in process: facts kept, and the ones missed with what happened to them.

    .venv/bin/python bench/labelled_misses.py data/conversations/dev6.jsonl [--quiet]

Each conversation goes through the extractor the server builds (runtime.Runtime: the offline extractor,
or the LLM backend when CONVMEM_EXTRACT_LLM_* is set, behind the injection guard, with the runtime's
special-category screen) without a server, so a dev set takes seconds instead of the minutes of
``bench/conversation_memory.py --labelled-only``. A fact is kept as that benchmark counts it
(``conversation_memory.mentions``): every key term, as whole words (or, for first-person words, as the
third-person memory says them), in one observation.
For each missed fact it prints the customer's turn, the observations that cite that turn, whether
the guard withheld the turn and which of the turn's statements the screen flagged. Reconciliation
against earlier memory is not run, so the figure can differ from the server's by a fact or two.

Test sets are refused: they are measured in aggregate only, by bench/conversation_memory.py.
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conversation_memory import load_labelled, mentions
from convmem.config import Settings
from convmem.extract.base import Communication, ExtractionRequest, Participant, ParticipantType, Transcript
from convmem.extract.offline import statements_of
from convmem.runtime import Runtime
from convmem.storage.db import Database

WHEN = datetime(2024, 3, 5, 14, 0, tzinfo=UTC)
CUSTOMER = Participant("customer", "Dana", ParticipantType.CUSTOMER, "profile")
AGENT = Participant("agent", "Sam", ParticipantType.HUMAN_AGENT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="a dev set of data/conversations (never a test set)")
    parser.add_argument("--quiet", action="store_true", help="print the totals only")
    args = parser.parse_args()
    if args.path.name.startswith("test"):
        parser.error("a test set is measured in aggregate only (bench/conversation_memory.py)")
    # The server's own wiring; its database is never opened, so it is a throwaway file.
    with tempfile.TemporaryDirectory() as scratch:
        runtime = Runtime.build(Settings(), db=Database(f"sqlite:///{scratch}/unused.db"))
        try:
            report(args.path, runtime, quiet=args.quiet)
        finally:
            runtime.close()


def report(path: Path, runtime: Runtime, quiet: bool) -> None:
    extractor, screen = runtime.extractor, runtime.screen
    totals = {"facts": 0, "kept": 0, "sensitive stored": 0, "injections stored": 0, "observations": 0, "turns": 0}
    for conversation in load_labelled(path):
        turns = conversation["turns"]
        communications = [
            Communication(f"m{n}", CUSTOMER if turn["speaker"] == "customer" else AGENT, turn["text"],
                          WHEN + timedelta(minutes=n))
            for n, turn in enumerate(turns)]
        result = extractor.extract(ExtractionRequest(Transcript.of(conversation["id"], communications), CUSTOMER,
                                                     want_summary=True))
        observations = [o.content for o in result.observations]
        summary = result.summary.content if result.summary else ""
        withheld = set(result.counters.withheld_communication_ids)
        totals["observations"] += len(observations)
        totals["turns"] += len(turns)
        for fact in conversation["facts"]:
            totals["facts"] += 1
            if mentions(observations, fact["key_terms"]):
                totals["kept"] += 1
                continue
            if quiet:
                continue
            turn = f"m{fact['turn']}"
            print(f"--- {conversation['id']} turn {fact['turn']} {fact['kind']} {fact['key_terms']}"
                  + (" [withheld by the guard]" if turn in withheld else ""))
            print("  said:", turns[fact["turn"]]["text"])
            print("  observations of the turn:",
                  [o.content for o in result.observations if turn in o.provenance.communication_ids])
            statements = statements_of(turns[fact["turn"]]["text"])
            flagged = [(s, r.category, round(r.score, 2))
                       for s, r in zip(statements, screen.screen_many(statements), strict=True) if r.sensitive]
            if flagged:
                print("  screened out:", flagged)
        for kind in ("sensitive", "injections"):
            for item in conversation.get(kind, []):
                if mentions([*observations, summary], item["key_terms"]):
                    totals[f"{kind} stored"] += 1
                    print(f"!!! {kind} stored: {conversation['id']} turn {item['turn']} {item['key_terms']}")
    facts = max(1, totals["facts"])
    print(f"{path.name}: facts kept {totals['kept']}/{totals['facts']} = {totals['kept'] / facts:.1%}; "
          f"special-category stored {totals['sensitive stored']}; injections stored {totals['injections stored']}; "
          f"observations per turn {totals['observations'] / max(1, totals['turns']):.2f}")


if __name__ == "__main__":
    main()
