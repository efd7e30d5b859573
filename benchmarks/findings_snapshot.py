"""Every finding the offline reviewer gives, written out so a speed change can prove it changed none.

    python benchmarks/findings_snapshot.py --out /tmp/before.jsonl
    python benchmarks/findings_snapshot.py --out /tmp/after.jsonl --compare /tmp/before.jsonl

It reviews, with every packaged checklist (cops-nasro and each state pack): every file in
corpus/, every document the gold files of evals/gold and evals/packs name, and every clause of
evals/real/clauses.jsonl as a one-clause document (the way `mou-review eval evals/real` does).
One line per (source, checklist, requirement): status, rationale, issues, contrary flag, the
reviewer's raw quotes and the grounded evidence; and one line per source with its facts and
metadata. `--compare` exits 1 on the first differences.
Not a test fixture: a rule change changes findings legitimately; compare against a snapshot of
the same rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def documents() -> list[Path]:
    """corpus/ files and every document a gold file names, each once."""
    from mou_review.evaluate import load_gold

    found = {p.resolve() for p in (ROOT / "corpus").iterdir() if p.is_file() and p.suffix != ".csv"}
    for gold_dir in [ROOT / "evals" / "gold", *sorted((ROOT / "evals" / "packs").iterdir())]:
        found |= {Path(g.document).resolve() for g in load_gold(gold_dir)}
    return sorted(found)


def prepared_sources() -> Iterator[tuple[str, object]]:
    """(name, Prepared) for every document file, then for every real clause."""
    from mou_review.config import Settings
    from mou_review.documents import document_from_text
    from mou_review.embeddings import get_embedder
    from mou_review.ingest import Prepared
    from mou_review.pipeline import prepare_file
    from mou_review.segment import segment

    settings = Settings()
    for path in documents():
        yield str(path.relative_to(ROOT)), prepare_file(path, settings)
    embedder = get_embedder(settings.retrieval.embedding)
    for line in (ROOT / "evals" / "real" / "clauses.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            document = document_from_text(row["text"], f"{row['id']}.txt")
            clauses = segment(document)
            vectors = embedder.embed([c.context_text() for c in clauses])
            yield (
                row["id"],
                Prepared(path=f"{row['id']}.txt", document=document, clauses=clauses, vectors=vectors),
            )


def snapshot_lines(limit: int | None = None) -> Iterator[str]:
    """One JSON line per finding, in a fixed order."""
    from mou_review.checklist import load_checklist, packaged_ids
    from mou_review.config import Settings
    from mou_review.pipeline import review_prepared
    from mou_review.reviewers.offline import OfflineReviewer

    raw: list[tuple[object, list[str]]] = []

    class Recording(OfflineReviewer):
        def review(self, document, requirement, retrieved, clauses):  # type: ignore[no-untyped-def]
            result = super().review(document, requirement, retrieved, clauses)
            raw.append(result)
            return result

    reviewer, settings = Recording(), Settings()
    checklists = [load_checklist(i) for i in packaged_ids()]
    for n, (name, prepared) in enumerate(prepared_sources()):
        if limit is not None and n >= limit:
            break
        for checklist in checklists:
            raw.clear()
            review = review_prepared(
                prepared,  # type: ignore[arg-type]
                checklist,
                reviewer,
                top_k=settings.retrieval.top_k,
                embedding=settings.retrieval.embedding,
            )
            if checklist is checklists[0]:  # facts do not depend on the checklist
                facts = review.facts.model_dump(mode="json") if review.facts else None
                info = review.document.model_dump(mode="json")
                yield json.dumps({"source": name, "facts": facts, "document": info}, ensure_ascii=False)
            for (finding, quotes), final in zip(raw, review.findings, strict=True):
                yield json.dumps(
                    {
                        "source": name,
                        "checklist": checklist.id,
                        "requirement": finding.requirement_id,  # type: ignore[attr-defined]
                        "status": final.status.value,
                        "rationale": final.rationale,
                        "issues": final.issues,
                        "contrary": final.contrary,
                        "quotes": quotes,
                        "evidence": [[e.quote, e.start, e.end, e.page] for e in final.evidence],
                        "risk": review.risk_score,
                    },
                    ensure_ascii=False,
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="where to write the snapshot (JSON lines)")
    parser.add_argument("--compare", type=Path, help="an earlier snapshot that must be identical")
    parser.add_argument("--limit", type=int, help="only the first N sources (a smoke check)")
    args = parser.parse_args()
    lines = list(snapshot_lines(args.limit))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} findings written to {args.out}")
    if args.compare:
        before = args.compare.read_text(encoding="utf-8").splitlines()
        diffs = [(a, b) for a, b in zip(before, lines, strict=False) if a != b]
        if len(before) != len(lines) or diffs:
            print(f"DIFFERENT: {len(before)} vs {len(lines)} lines, {len(diffs)} changed")
            for a, b in diffs[:5]:
                print(f"- {a}\n+ {b}")
            sys.exit(1)
        print(f"identical to {args.compare}: {len(lines)} findings")


if __name__ == "__main__":
    main()
