"""Choose the relevance guard's similarity threshold on the dev split's gold quotes (no model needed).

    python benchmarks/relevance_tune.py [--split dev]

A gold quote is on topic for the requirement it was labelled under (positive) and off topic for
every other requirement of the same MOU whose own gold quotes do not contain it (negative). For
each threshold it prints how many positives the guard keeps and how many negatives it lets through.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pairs(split: str) -> list[tuple[str, str, bool]]:
    from mou_review.checklist import load_checklist
    from mou_review.evaluate import load_gold
    from mou_review.models import Status

    checklist = load_checklist("cops-nasro")
    out = []
    for gold in load_gold(ROOT / "evals" / "gold", split=split):
        quotes = {
            rid: label.evidence for rid, label in gold.labels.items() if label.status is not Status.missing
        }
        for requirement in checklist.requirements:
            own = quotes.get(requirement.id, [])
            out += [(requirement.id, q, True) for q in own]
            for rid, others in quotes.items():
                if rid != requirement.id:
                    out += [(requirement.id, q, False) for q in others if q not in own]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", default="dev")
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from mou_review.checklist import load_checklist
    from mou_review.embeddings import get_embedder
    from mou_review.reviewers.llm_guards import Relevance

    requirements = {r.id: r for r in load_checklist("cops-nasro").requirements}
    relevance = Relevance(get_embedder("wordllama").embed)
    rows = [
        (relevance.signal(requirements[r], q, None), relevance.similarity(requirements[r], q), ok)
        for r, q, ok in pairs(args.split)
    ]
    positives = sum(ok for *_, ok in rows)
    negatives = len(rows) - positives
    by_signal = sum(s for s, _, ok in rows if ok), sum(s for s, _, ok in rows if not ok)
    print(f"{args.split}: {positives} on-topic and {negatives} off-topic (quote, requirement) pairs")
    print(
        f"signals alone keep {by_signal[0]}/{positives} on-topic, pass {by_signal[1]}/{negatives} off-topic"
    )
    print("| threshold | on-topic kept | off-topic passed |\n| --- | --- | --- |")
    for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 1.01]:
        kept = sum(1 for s, sim, ok in rows if ok and (s or sim >= t))
        passed = sum(1 for s, sim, ok in rows if not ok and (s or sim >= t))
        print(f"| {t:.2f} | {kept / positives:.3f} | {passed / negatives:.3f} |")


if __name__ == "__main__":
    main()
