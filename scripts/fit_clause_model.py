"""Fit the offline reviewer's clause model on the dev splits only (needs scikit-learn: dev extra).

    python scripts/fit_clause_model.py            # cross-validate on dev by source, print the grid
    python scripts/fit_clause_model.py --write    # ...then fit on all of dev and write the model

Training texts: the real clauses of evals/real with split dev (labels: the requirements each
addresses, any quality; `{}` clauses are negatives for every requirement) and the gold quotes of
the corpus dev MOUs in evals/gold (positive for every requirement they are evidence of). One
logistic regression per requirement over the WordLlama vector (L2, C below, classes balanced).

The thresholds `boost` and `veto` (see `reviewers/clause_model.py`) are chosen by grouped
cross-validation on the real dev clauses: five folds by `source_group`, so no source is scored by
a model that saw it; the corpus quotes are always in training. Each fold's held-out clauses go
through the real pipeline (`clause_eval.predict_clauses`) with that fold's model, and the pair
kept is the one with the most requirements recognised net of spurious flags (one right flag is
worth one wrong one). Test splits are never read.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from mou_review.checklist import load_checklist  # noqa: E402
from mou_review.clause_eval import ClauseRow, load_clauses, predict_clauses, score_clauses  # noqa: E402
from mou_review.config import Settings  # noqa: E402
from mou_review.embeddings import get_embedder  # noqa: E402
from mou_review.evaluate import load_gold  # noqa: E402
from mou_review.reviewers.clause_model import MODEL_FILE, ClauseModel  # noqa: E402
from mou_review.reviewers.offline import OfflineReviewer  # noqa: E402

EMBEDDING = "wordllama"
C = 10.0
FOLDS = 5
BOOSTS = (0.7, 0.8, 0.9, 0.95, 1.01)  # 1.01: never
VETOES = (0.0, 0.05, 0.1, 0.2)  # 0.0: never


def dev_rows() -> list[ClauseRow]:
    return load_clauses(ROOT / "evals/real/clauses.jsonl", load_checklist(), "dev")


def corpus_quotes() -> dict[str, set[str]]:
    """Each corpus dev gold quote -> the requirements it is evidence of."""
    quotes: dict[str, set[str]] = defaultdict(set)
    for gold in load_gold(ROOT / "evals/gold", root=ROOT, split="dev"):
        for rid, label in gold.labels.items():
            for quote in label.evidence:
                quotes[quote].add(rid)
    return dict(quotes)


def fit(texts: list[str], labels: list[set[str]], ids: list[str], vectors: np.ndarray) -> ClauseModel:
    """One logistic regression per requirement with at least one positive text."""
    from sklearn.linear_model import LogisticRegression

    kept, weights, bias = [], [], []
    for rid in ids:
        y = np.array([rid in row for row in labels])
        if not y.any() or y.all():
            continue
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(vectors, y)
        kept.append(rid)
        weights.append(model.coef_[0])
        bias.append(model.intercept_[0])
    return ClauseModel(EMBEDDING, tuple(kept), np.array(weights), np.array(bias), boost=1.01, veto=0.0)


def cross_validate(rows: list[ClauseRow], extra: dict[str, set[str]], ids: list[str]) -> dict:
    """(boost, veto) -> (recognised hits, labelled total, spurious flags) over held-out folds."""
    from sklearn.model_selection import GroupKFold

    embedder = get_embedder(EMBEDDING)
    row_vectors = embedder.embed([r.text for r in rows])
    extra_texts = list(extra)
    extra_vectors = embedder.embed(extra_texts)
    settings, checklist = Settings(), load_checklist()
    totals: dict[tuple[float, float], list[int]] = defaultdict(lambda: [0, 0, 0])
    groups = [r.source_group or r.id for r in rows]
    for train, held in GroupKFold(FOLDS).split(row_vectors, groups=groups):
        texts = [rows[i].text for i in train] + extra_texts
        labels = [set(rows[i].labels) for i in train] + [extra[t] for t in extra_texts]
        vectors = np.vstack([row_vectors[train], extra_vectors])
        model = fit(texts, labels, ids, vectors)
        held_rows = [rows[i] for i in held]
        for boost in BOOSTS:
            for veto in VETOES:
                trial = ClauseModel(model.embedding, model.ids, model.weights, model.bias, boost, veto)
                predictions, _ = predict_clauses(held_rows, checklist, OfflineReviewer(trial), settings)
                overall, _, _ = score_clauses(held_rows, predictions, ids)
                cell = totals[(boost, veto)]
                cell[0] += overall.recognised.hits
                cell[1] += overall.recognised.total
                cell[2] += overall.spurious
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE.relative_to(ROOT)}")
    args = parser.parse_args()
    ids = load_checklist().ids
    rows, extra = dev_rows(), corpus_quotes()
    totals = cross_validate(rows, extra, ids)
    print(f"{len(rows)} real dev clauses, {len(extra)} corpus dev quotes; {FOLDS}-fold CV by source")
    print("boost  veto  recognised  spurious/clause  net")
    for (boost, veto), (hits, total, spurious) in sorted(totals.items()):
        print(
            f"{boost:5.2f} {veto:5.2f}  {hits / total:10.3f}  {spurious / len(rows):15.3f}  {hits - spurious:4d}"
        )
    boost, veto = max(totals, key=lambda k: (totals[k][0] - totals[k][2], -k[1], k[0]))
    print(f"chosen: boost {boost}, veto {veto}")
    if args.write:
        embedder = get_embedder(EMBEDDING)
        texts = [r.text for r in rows] + list(extra)
        labels = [set(r.labels) for r in rows] + list(extra.values())
        model = fit(texts, labels, ids, embedder.embed(texts))
        fitted = ClauseModel(model.embedding, model.ids, model.weights, model.bias, boost, veto)
        note = f"fitted by scripts/fit_clause_model.py on {len(rows)} real dev clauses + {len(extra)} corpus dev quotes, C={C}"
        MODEL_FILE.write_text(fitted.to_json(fitted_on=note), encoding="utf-8")
        print(f"wrote {MODEL_FILE.relative_to(ROOT)} ({len(model.ids)} requirements)")


if __name__ == "__main__":
    main()
