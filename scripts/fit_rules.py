"""Fit the offline reviewer's two learned decisions on the dev splits only.

    python scripts/fit_rules.py            # print what it would set
    python scripts/fit_rules.py --write    # write min_strong into cops-nasro.yaml + the mention table

The dev documents are the real clauses of evals/real with split dev (each a one-clause document)
and the corpus MOUs of evals/gold with split dev. Test splits are never read, so the test numbers
stay honest.

1. `min_strong` per requirement: how many distinct strong signals make `present`. For each value
   1-4 it counts, over the dev documents, correct `present` verdicts (a real clause labelled
   explicit, a gold status of present) minus false ones and misses, and keeps the best (ties: the
   current value) among the values that score no worse than the current one on the corpus MOUs.
2. The passing-mention table (`src/mou_review/reviewers/topic_reliability.json`): for every dev
   document and requirement whose only evidence is topic words (no strong, vague or contrary
   language, no heading naming it), each matched topic pattern is counted as addressed (a label of
   any quality, or a gold status of present or weak) or not. The reviewer reads it through
   `offline.mention_rate`.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mou_review.checklist import load_checklist  # noqa: E402
from mou_review.clause_eval import load_clauses  # noqa: E402
from mou_review.config import Settings  # noqa: E402
from mou_review.documents import document_from_text  # noqa: E402
from mou_review.evaluate import load_gold  # noqa: E402
from mou_review.pipeline import prepare_file  # noqa: E402
from mou_review.reviewers.offline import TOPIC_TABLE, OfflineReviewer, topic_only_patterns  # noqa: E402
from mou_review.segment import segment  # noqa: E402

CHECKLIST_FILE = ROOT / "src/mou_review/checklists/cops-nasro.yaml"


def dev_documents() -> list[tuple[object, list, set[str], set[str], str]]:
    """(document, clauses, requirement ids it addresses, ids it fully meets, "real" or "corpus")
    per dev document."""
    checklist = load_checklist(CHECKLIST_FILE)
    out = []
    for row in load_clauses(ROOT / "evals/real/clauses.jsonl", checklist, "dev"):
        document = document_from_text(row.text, f"{row.id}.txt")
        explicit = {rid for rid, quality in row.labels.items() if quality == "explicit"}
        out.append((document, segment(document), set(row.labels), explicit, "real"))
    for gold in load_gold(ROOT / "evals/gold", root=ROOT, split="dev"):
        prepared = prepare_file(Path(gold.document), Settings())
        status = {rid: label.status.value for rid, label in gold.labels.items()}
        addressed = {rid for rid, value in status.items() if value in ("present", "weak")}
        present = {rid for rid, value in status.items() if value == "present"}
        out.append((prepared.document, prepared.clauses, addressed, present, "corpus"))
    return out


def fit_min_strong(documents: list) -> dict[str, int]:
    """Per requirement, the min_strong with the most right `present` verdicts net of wrong ones,
    among the values that do no worse than the current one on the corpus MOUs: a one-clause
    excerpt must not buy a `present` that a whole agreement would get wrongly."""
    reviewer = OfflineReviewer()
    best = {}
    for requirement in load_checklist(CHECKLIST_FILE).requirements:
        scores: dict[int, dict[str, int]] = {}
        for value in (1, 2, 3, 4):
            signals = requirement.signals.model_copy(update={"min_strong": value})
            trial = requirement.model_copy(update={"signals": signals})
            net = {"real": 0, "corpus": 0}
            for document, clauses, _, met, kind in documents:
                finding, _ = reviewer.review(document, trial, [], clauses)
                said, true = finding.status.value == "present", requirement.id in met
                net[kind] += 1 if said and true else -1 if said or true else 0
            scores[value] = net
        current = requirement.signals.min_strong
        allowed = [v for v in scores if scores[v]["corpus"] >= scores[current]["corpus"]]
        best[requirement.id] = max(allowed, key=lambda v: (sum(scores[v].values()), v == current))
    return best


def write_min_strong(values: dict[str, int]) -> None:
    """Set each requirement's `min_strong:` line in the checklist YAML (layout kept)."""
    lines, current = CHECKLIST_FILE.read_text(encoding="utf-8").splitlines(keepends=True), None
    for i, line in enumerate(lines):
        if m := re.match(r"  - id: (\w+)", line):
            current = m.group(1)
        elif (m := re.match(r"(\s+min_strong: )\d+", line)) and current in values:
            lines[i] = f"{m.group(1)}{values[current]}\n"
    CHECKLIST_FILE.write_text("".join(lines), encoding="utf-8")


def fit_mentions(documents: list) -> dict[str, dict[str, list[int]]]:
    checklist = load_checklist(CHECKLIST_FILE)
    counts: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for document, clauses, addressed, _, _ in documents:
        for requirement in checklist.requirements:
            matched = topic_only_patterns(document, requirement, clauses)
            for pattern in matched or ():
                pair = counts[requirement.id].setdefault(pattern, [0, 0])
                pair[0 if requirement.id in addressed else 1] += 1
    return {rid: dict(sorted(table.items())) for rid, table in sorted(counts.items())}


def main() -> None:
    write = "--write" in sys.argv[1:]
    documents = dev_documents()
    current = {r.id: r.signals.min_strong for r in load_checklist(CHECKLIST_FILE).requirements}
    fitted = fit_min_strong(documents)
    for rid, value in fitted.items():
        print(
            f"min_strong {rid:24} {current[rid]} -> {value}"
            if value != current[rid]
            else f"min_strong {rid:24} {value}"
        )
    if not write:
        return
    write_min_strong(fitted)
    counts = fit_mentions(dev_documents())
    data = {
        "about": "per requirement and topic pattern: [addressed, not addressed] dev documents whose only "
        "evidence was that pattern; written by scripts/fit_rules.py from dev splits only",
        "counts": counts,
    }
    TOPIC_TABLE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    for rid, table in counts.items():
        for pattern, (yes, no) in table.items():
            print(f"{rid:24} {(yes + 1) / (yes + no + 2):.2f}  {yes:3}/{yes + no:<3} {pattern[:60]}")


if __name__ == "__main__":
    main()
