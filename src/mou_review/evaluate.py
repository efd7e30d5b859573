"""Score a reviewer against gold annotations (the format in checklist.md).

Positive class is "deficient" (weak or missing). Evidence hit: a predicted quote whose word set
has Jaccard >= 0.5 with a gold quote (the CUAD rule).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from .checklist import Checklist, load_yaml
from .config import Settings
from .errors import ConfigError
from .fact_eval import FactScore, score_facts
from .metadata import read_manifest
from .models import DocumentReview, Status

JACCARD_HIT = 0.5
T = TypeVar("T")
R = TypeVar("R")


class GoldLabel(BaseModel):
    status: Status
    issues: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    note: str | None = None


class GoldDocument(BaseModel):
    gold_path: str
    document: str
    checklist: str
    labels: dict[str, GoldLabel]
    split: str | None = None
    facts: dict[str, Any] | None = None


class RequirementScore(BaseModel):
    precision: float
    recall: float
    f1: float
    support: int
    confusion: dict[str, dict[str, int]] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)


class EvalReport(BaseModel):
    backend: str
    checklist: str
    split: str | None
    documents: int
    macro_f1: float
    micro_f1: float
    status_accuracy: float
    kappa: float
    evidence_hit_rate: float
    grounded_rate: float
    documents_per_second: float
    per_requirement: dict[str, RequirementScore]
    checklist_version: int = 1
    git_commit: str | None = Field(None, description="commit of the code that produced the scores")
    created: str | None = Field(None, description="UTC time the evaluation ran (ISO 8601)")
    usage: dict[str, float] = Field(default_factory=dict, description="LLM calls, tokens, cost: run total")
    usage_per_document: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="LLM calls, tokens and cost per document file name"
    )
    facts: dict[str, FactScore] = Field(default_factory=dict, description="exact-match accuracy per fact")


def load_gold(gold_dir: Path, root: Path | None = None, split: str | None = None) -> list[GoldDocument]:
    """Every gold YAML under `gold_dir` (results/ excluded), document paths resolved, split applied."""
    files = sorted(p for p in gold_dir.rglob("*.yaml") if "results" not in p.parts)
    if not files:
        raise ConfigError(f"{gold_dir}: no gold .yaml files found")
    out = []
    for path in files:
        data = load_yaml(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not {"document", "checklist", "labels"} <= set(data):
            raise ConfigError(
                f"{path}: not a gold file (it needs document, checklist and labels)",
                hint="gold files follow checklist.md; move other YAML out of the gold folder",
            )
        doc = Path(data["document"])
        candidates = [doc, path.parent / doc] + ([root / doc] if root else [])
        candidates += [parent / doc for parent in path.resolve().parents]
        resolved = next((c for c in candidates if c.is_file()), None)
        if resolved is None:
            raise ConfigError(f"{path}: document {doc} not found")
        try:
            gold = GoldDocument(
                gold_path=str(path),
                document=str(resolved),
                checklist=data["checklist"],
                labels=data["labels"],
                split=_split_of(resolved),
                facts=data.get("facts"),
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{path}: bad gold label at '{where}': {first['msg']}") from None
        if split is None or gold.split == split:
            out.append(gold)
    if not out:
        raise ConfigError(
            f"{gold_dir}: no gold document is in split {split!r}",
            hint="the manifest's split column names the splits (dev, test)",
        )
    return out


def _split_of(document: Path) -> str | None:
    return read_manifest(document.parent).get(document.name, {}).get("split") or None


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def jaccard(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    return len(wa & wb) / len(wa | wb) if wa | wb else 0.0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def cohen_kappa(pairs: list[tuple[str, str]]) -> float:
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(a == b for a, b in pairs) / n
    gold, pred = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(gold[k] * pred[k] for k in gold) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def score(
    golds: list[GoldDocument],
    reviews: list[DocumentReview],
    checklist: Checklist,
    backend: str,
    seconds: float,
    split: str | None = None,
) -> EvalReport:
    """Compare reviews with gold labels, requirement by requirement."""
    counts = {rid: Counter() for rid in checklist.ids}  # type: ignore[var-annotated]
    confusion: dict[str, Counter[tuple[str, str]]] = {rid: Counter() for rid in checklist.ids}
    failures: dict[str, list[str]] = {rid: [] for rid in checklist.ids}
    pairs: list[tuple[str, str]] = []
    hits = evidence_total = 0
    for gold, review in zip(golds, reviews, strict=True):
        name = Path(gold.document).name
        for rid in checklist.ids:
            label, finding = gold.labels.get(rid), review.finding(rid)
            if label is None or finding is None:
                continue
            g, p = label.status, finding.status
            pairs.append((g.value, p.value))
            confusion[rid][(g.value, p.value)] += 1
            kind = (
                "tp"
                if g.deficient and p.deficient
                else "fn"
                if g.deficient
                else "fp"
                if p.deficient
                else "tn"
            )
            counts[rid][kind] += 1
            if kind in ("fp", "fn"):
                failures[rid].append(f"{name}: gold {g.value}, predicted {p.value}")
            if label.evidence and finding.evidence and g != Status.missing:
                evidence_total += 1
                hits += any(
                    jaccard(e.quote, q) >= JACCARD_HIT for e in finding.evidence for q in label.evidence
                )
    per_requirement = {}
    for rid in checklist.ids:
        c = counts[rid]
        precision, recall, f1 = _prf(c["tp"], c["fp"], c["fn"])
        per_requirement[rid] = RequirementScore(
            precision=round(precision, 3),
            recall=round(recall, 3),
            f1=round(f1, 3),
            support=c["tp"] + c["fn"],
            confusion=_matrix(confusion[rid]),
            failures=failures[rid],
        )
    total = sum(counts.values(), Counter())
    shown = sum(len(f.evidence) for r in reviews for f in r.findings)
    dropped = sum(r.ungrounded_quotes for r in reviews)
    per_document = {Path(g.document).name: r.usage for g, r in zip(golds, reviews, strict=True) if r.usage}
    usage = sum((Counter(u) for u in per_document.values()), Counter())
    return EvalReport(
        backend=backend,
        checklist=checklist.id,
        split=split,
        documents=len(reviews),
        macro_f1=round(sum(s.f1 for s in per_requirement.values()) / len(per_requirement), 3),
        micro_f1=round(_prf(total["tp"], total["fp"], total["fn"])[2], 3),
        status_accuracy=round(sum(a == b for a, b in pairs) / len(pairs), 3) if pairs else 0.0,
        kappa=round(cohen_kappa(pairs), 3),
        evidence_hit_rate=round(hits / evidence_total, 3) if evidence_total else 0.0,
        grounded_rate=round(shown / (shown + dropped), 3) if shown + dropped else 1.0,
        documents_per_second=round(len(reviews) / seconds, 2) if seconds > 0 else 0.0,
        per_requirement=per_requirement,
        checklist_version=checklist.version,
        git_commit=git_commit(),
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        usage={k: round(v, 6) for k, v in usage.items()},
        usage_per_document=per_document,
        facts=score_facts([(g.gold_path, g.facts, r) for g, r in zip(golds, reviews, strict=True)]),
    )


def git_commit() -> str | None:
    """The short commit of the working tree (with -dirty when it has changes), if this is a checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def _matrix(confusion: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    statuses = [s.value for s in Status]
    return {g: {p: confusion[(g, p)] for p in statuses} for g in statuses}


def run_eval(
    gold_dir: Path,
    checklist: Checklist,
    backend: str,
    settings: Settings | None = None,
    split: str | None = None,
    *,
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[str], None] | None = None,
) -> EvalReport:
    """Review every gold document with `backend` (no store needed) and score it."""
    from .pipeline import review_file
    from .reviewers import make_reviewer

    settings = settings or Settings()
    golds = load_gold(gold_dir, split=split)
    reviewer = make_reviewer(backend, settings, checklist)
    reviews, seconds = each_timed(
        golds,
        lambda gold: review_file(Path(gold.document), settings, checklist, reviewer)[1],
        lambda gold: gold.document,
        on_start,
        on_document,
    )
    return score(golds, reviews, checklist, backend, seconds, split)


def each_timed(
    items: Sequence[T],
    work: Callable[[T], R],
    name: Callable[[T], str],
    on_start: Callable[[int], None] | None = None,
    on_document: Callable[[str], None] | None = None,
) -> tuple[list[R], float]:
    """`work` on every item, telling the caller the count and each item done; the results, and
    the seconds they took (the throughput an evaluation reports)."""
    if on_start:
        on_start(len(items))
    started = time.perf_counter()
    results = []
    for item in items:
        results.append(work(item))
        if on_document:
            on_document(name(item))
    return results, time.perf_counter() - started
