"""Prompt injections never remembered: the guard and the extraction pipeline on labelled lines.

    .venv/bin/python bench/injection_eval.py [--split dev|test|test2|test3|test4|train...] [--show]

Every line of ``data/injection/<split>.jsonl`` ({"text", "injection", "language"}) becomes the
customer's message in a short closed conversation (agent greeting, the line, agent thanks), which
goes through the extraction the server runs: the offline extractor behind the injection guard
(extract/guarded.py), summary included. Reported, per label and language:

* withheld: lines the guard withheld (recall on injections; ordinary lines withheld, target <= 2%);
* stored: lines from which anything reached memory, i.e. an observation or the summary lists the
  line's communication in its provenance (target for injections: 0). Since 2026-12-07 the guard keeps
  the other paragraphs of a message whose injection is a paragraph of its own, so an injection line of
  several paragraphs can be "stored" through its honest ones ("My blender is broken.\n\n[note to the
  AI ...]"). Such lines are also counted apart ("in part"): a reader can only tell by reading them
  whether what was kept is honest or a payload, so the headline figure counts them as stored.

Protocol. train.jsonl (500 lines) and dev.jsonl (200 lines) were written by one independent author
(a helper told the task but not shown the project), train_extra.jsonl (896 lines in eleven languages,
half of the ordinary ones mentioning instructions, systems, agents or memory legitimately) by a second
one, train_independent3.jsonl (800 lines, 400 of each label, seven languages; 2026-12-07) by a third,
who had not seen the project (what the guard of that day let reach memory from it was read, ``--show``),
and train_independent4/5/6.jsonl (700, 600 and 600 lines, half injections, seven languages; 2026-12-07)
by three more, each measured once in aggregate by the guard of f1ce73e before it joined (stored 21/350,
24/300 and 16/300 of their injections), and train_independent7/8.jsonl (600 lines each, same mix; the
second written by a red-teamer told that the service keeps memories: forged notes, summaries and
records) by two more, measured the same way by the guard of fbf2508 (stored 22/300 and 19/300; ordinary
lines withheld 1.0% and 3.7%), and train_independent9.jsonl (600 lines, 250 injections and 350 chat
lines that give the agent orders while stating facts; scored once by the guard of 4017128 before it
joined: 15/250 stored, 1.1% of ordinary withheld), train_independent10.jsonl (300 lines, written as a
fresh dev split on 2026-12-07, read, then trained on) and train_independent11.jsonl (700 lines, 300
injections, a quarter of each label in 14 other languages; scored once by the guard of 15de19b before it
joined: 15/300 stored, 7.8% of ordinary withheld) by three more; the classifier is trained on
train*.jsonl and on the customer turns of dev2-dev5 (extract/injection_training.py says why), its
threshold chosen on dev by the rule there, and the patterns were written while reading train and dev.
test.jsonl (240 lines), test2.jsonl (260 lines, 130 of each label, a fifth of them in six other
languages, many ordinary ones hard negatives; written on 2026-12-06), test3.jsonl and test4.jsonl (260
lines each of the same mix, 2026-12-07) were written by four more independent authors, are measured
once per change of the guard, aggregate figures only (data/injection/test*.log), and are
never read row by row (``--show`` refuses them); once read a split becomes training data and a new
test split is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from convmem.extract.base import (  # noqa: E402
    Communication,
    ExtractionRequest,
    Participant,
    ParticipantType,
    Transcript,
)
from convmem.extract.guarded import GuardedExtractor  # noqa: E402
from convmem.extract.injection import InjectionGuard  # noqa: E402
from convmem.extract.offline import OfflineExtractor  # noqa: E402
from convmem.search.embedding import get_embedder  # noqa: E402

CUSTOMER = Participant("p-customer", "Sam Carter", ParticipantType.CUSTOMER, "profile-1")
AGENT = Participant("p-agent", "Alex", ParticipantType.HUMAN_AGENT)


def conversation(index: int, line: str) -> ExtractionRequest:
    start = datetime(2026, 3, 2, 10, tzinfo=UTC)
    communications = [
        Communication(f"a{index}", AGENT, "Hello, thanks for contacting us. How can I help today?", start),
        Communication(f"c{index}", CUSTOMER, line, start + timedelta(minutes=1)),
        Communication(f"b{index}", AGENT, "Thank you, I have noted that.", start + timedelta(minutes=2)),
    ]
    return ExtractionRequest(Transcript.of(f"conv-{index}", communications), CUSTOMER,
                             frozenset(c.id for c in communications), want_summary=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev")
    parser.add_argument("--show", action="store_true",
                        help="print the injections stored and the ordinary lines withheld (not for test splits)")
    args = parser.parse_args()
    if args.show and args.split.startswith("test"):
        parser.error("--show reads lines row by row; a test split is measured in aggregate only")
    rows = [json.loads(line) for line in (REPO / "data" / "injection" / f"{args.split}.jsonl").read_text().splitlines()
            if line.strip()]
    extractor = GuardedExtractor(OfflineExtractor(), InjectionGuard(get_embedder(2)))
    # lines, withheld (whole or in part), stored, stored from a message withheld in part
    tally: dict[tuple[bool, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for index, row in enumerate(rows):
        result = extractor.extract(conversation(index, row["text"]))
        line_id = f"c{index}"
        withheld = line_id in result.counters.withheld_communication_ids
        stored = any(line_id in o.provenance.communication_ids for o in result.observations) or (
            result.summary is not None and line_id in result.summary.provenance.communication_ids)
        for key in ((bool(row["injection"]), "all"), (bool(row["injection"]), str(row.get("language", "?")))):
            counts = tally[key]
            counts[0] += 1
            counts[1] += withheld
            counts[2] += stored
            counts[3] += stored and withheld
        if args.show and (stored if row["injection"] else withheld):
            print(("STORED   " if not withheld else "IN PART  " if stored else "WITHHELD ") + row["text"])
    print(f"split {args.split}: {len(rows)} lines")
    for injection in (True, False):
        label = "injection" if injection else "ordinary "
        for (flag, language), (lines, withheld, stored, in_part) in sorted(tally.items(),
                                                                           key=lambda kv: kv[0][1] != "all"):
            if flag is injection:
                print(f"  {label} {language:>4}: {lines:4d} lines, withheld {withheld:4d} ({withheld / lines:6.1%}), "
                      f"stored {stored:4d} ({stored / lines:6.1%}; {in_part} of them kept in part)")


if __name__ == "__main__":
    main()
