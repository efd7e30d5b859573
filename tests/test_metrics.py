"""The metrics by hand: deficiency P/R/F1, macro and micro F1, accuracy, kappa, evidence and grounded
rates (evaluate.score), the clause-set rates (clause_eval.score_clauses) and review.risk_score.

Every expected number is a literal worked out by hand in the comment beside it, so a change to a
formula (a denominator, a rounding, a convention for empty classes) fails here, not in a README."""

from __future__ import annotations

import pytest

from mou_review.checklist import Checklist
from mou_review.clause_eval import ClauseRow, score_clauses
from mou_review.evaluate import GoldDocument, GoldLabel, _prf, cohen_kappa, jaccard, score
from mou_review.models import DocumentInfo, DocumentReview, Evidence, Finding, Severity, Status
from mou_review.review import risk_score

P, W, M, NA = Status.present, Status.weak, Status.missing, Status.not_applicable
CRIT, MAJ, MIN = Severity.critical, Severity.major, Severity.minor


def _checklist() -> Checklist:
    reqs = [
        {"id": rid, "title": rid, "severity": sev, "description": "d", "present": "p", "queries": ["q"]}
        for rid, sev in (("a", "critical"), ("b", "minor"))
    ]
    return Checklist.model_validate({"id": "hand", "title": "hand", "requirements": reqs})


def _finding(rid: str, status: Status, severity: Severity = MAJ, quotes: tuple[str, ...] = ()) -> Finding:
    evidence = [Evidence(quote=q, start=0, end=len(q), page=1) for q in quotes]
    return Finding(requirement_id=rid, status=status, severity=severity, evidence=evidence)


def _review(name: str, findings: list[Finding], ungrounded: int = 0) -> DocumentReview:
    info = DocumentInfo(doc_id=name, path=f"/x/{name}")
    return DocumentReview(
        document=info,
        checklist="hand",
        backend="hand",
        findings=findings,
        risk_score=0.0,
        ungrounded_quotes=ungrounded,
    )


def _gold(name: str, labels: dict[str, tuple[Status, list[str]]]) -> GoldDocument:
    return GoldDocument(
        gold_path=f"/x/{name}.yaml",
        document=f"/x/{name}",
        checklist="hand",
        labels={rid: GoldLabel(status=s, evidence=e) for rid, (s, e) in labels.items()},
    )


CHIEF = "the officer shall report to the chief of police"


def _scored():
    """Three documents, two requirements; (gold, predicted) per cell:

    a: d1 (missing, weak) tp · d2 (present, weak) fp · d3 (weak, present) fn
    b: d1 (present, weak) fp · d2 (missing, missing) tp · d3 (weak, missing) tp
    """
    golds = [
        _gold("d1", {"a": (M, []), "b": (P, ["records are confidential"])}),
        _gold("d2", {"a": (P, []), "b": (M, [])}),
        _gold("d3", {"a": (W, [CHIEF]), "b": (W, [])}),
    ]
    reviews = [
        _review("d1", [_finding("a", W), _finding("b", W, quotes=("the parties will meet",))], ungrounded=2),
        _review("d2", [_finding("a", W), _finding("b", M)]),
        _review("d3", [_finding("a", P, quotes=("officer shall report to the chief",)), _finding("b", M)]),
    ]
    return score(golds, reviews, _checklist(), "hand", seconds=1.5)


def test_per_requirement_precision_recall_f1_by_hand() -> None:
    report = _scored()
    a, b = report.per_requirement["a"], report.per_requirement["b"]
    # a: tp 1, fp 1, fn 1 -> P = 1/2, R = 1/2, F1 = 2*.5*.5/(.5+.5) = 0.5; support = tp + fn = 2
    assert (a.precision, a.recall, a.f1, a.support) == (0.5, 0.5, 0.5, 2)
    # b: tp 2, fp 1, fn 0 -> P = 2/3 = 0.667, R = 1, F1 = 2*(2/3)*1/(2/3+1) = (4/3)/(5/3) = 0.8
    assert (b.precision, b.recall, b.f1, b.support) == (0.667, 1.0, 0.8, 2)
    assert a.failures == ["d2: gold present, predicted weak", "d3: gold weak, predicted present"]
    assert b.failures == ["d1: gold present, predicted weak"]
    assert a.confusion["missing"]["weak"] == 1 and a.confusion["weak"]["present"] == 1
    assert sum(sum(row.values()) for row in b.confusion.values()) == 3


def test_summary_metrics_by_hand() -> None:
    report = _scored()
    # macro F1 = (0.5 + 0.8) / 2 = 0.65
    assert report.macro_f1 == 0.65
    # micro: tp 3, fp 2, fn 1 -> P = 3/5, R = 3/4, F1 = 2*.6*.75/(.6+.75) = .9/1.35 = 0.667
    assert report.micro_f1 == 0.667
    # 3-way accuracy: of six pairs only d2/b (missing, missing) agrees -> 1/6 = 0.167
    assert report.status_accuracy == 0.167
    # kappa: observed 1/6; gold M2 P2 W2, predicted M2 P1 W3 -> expected (2*2 + 2*1 + 2*3)/36 = 1/3;
    # (1/6 - 1/3) / (1 - 1/3) = (-1/6)/(2/3) = -0.25
    assert report.kappa == -0.25
    # evidence counted where both sides quote and gold is not missing: d3/a (Jaccard 6/8 = .75, a hit)
    # and d1/b (no shared word, a miss) -> 1/2
    assert report.evidence_hit_rate == 0.5
    # grounded: 2 quotes shown, 2 dropped (d1) -> 2/4
    assert report.grounded_rate == 0.5
    # 3 documents in 1.5 s
    assert (report.documents, report.documents_per_second) == (3, 2.0)


def test_prf_conventions_for_empty_classes() -> None:
    # nothing predicted and nothing to find: precision and recall are vacuously 1, so F1 is 1
    assert _prf(0, 0, 0) == (1.0, 1.0, 1.0)
    # nothing predicted, 2 missed: P = 1 (no false alarm), R = 0/2 = 0, F1 = 0
    assert _prf(0, 0, 2) == (1.0, 0.0, 0.0)
    # tp 3, fp 1, fn 2: P = 3/4, R = 3/5, F1 = 2*.75*.6/1.35 = 0.6667
    assert _prf(3, 1, 2) == pytest.approx((0.75, 0.6, 0.66667), abs=1e-5)


def test_kappa_and_jaccard_by_hand() -> None:
    # observed 3/4; gold x3 y1, pred x2 y2 -> expected (3*2 + 1*2)/16 = 1/2; (3/4 - 1/2)/(1/2) = 0.5
    assert cohen_kappa([("x", "x"), ("x", "x"), ("x", "y"), ("y", "y")]) == 0.5
    # one class on both sides: expected = 1, defined as perfect agreement
    assert cohen_kappa([("x", "x"), ("x", "x")]) == 1.0
    assert cohen_kappa([]) == 0.0
    # {the, sro, reports} vs {the, sro, shall, report}: 2 shared of 5 distinct = 0.4
    assert jaccard("The SRO reports.", "the SRO shall report") == 0.4


def test_clause_rates_by_hand() -> None:
    rows = [
        ClauseRow(id="r1", text="x", labels={"a": "vague", "b": "explicit"}),
        ClauseRow(id="r2", text="x", labels={"a": "contrary"}),
    ]
    # r1: a vague marked present (recognised, not vague_weak); b absent from the prediction -> missing
    # r2: a contrary marked weak (recognised and contrary_weak); b unlabelled, marked weak -> spurious
    overall, per, failures = score_clauses(rows, [{"a": P}, {"a": W, "b": W}], ["a", "b"])
    # recognised: r1/a yes, r1/b no, r2/a yes -> 2/3 = 0.667
    assert (overall.recognised.hits, overall.recognised.total, overall.recognised.rate) == (2, 3, 0.667)
    assert (overall.vague_weak.hits, overall.vague_weak.total) == (0, 1)
    assert (overall.explicit_present.hits, overall.explicit_present.total) == (0, 1)
    assert overall.contrary_weak.rate == 1.0
    assert overall.partial_weak.rate is None  # nothing labelled partial
    # 1 spurious flag over 2 clauses = 0.5
    assert (overall.spurious, overall.spurious_per_clause) == (1, 0.5)
    assert per["a"].recognised.rate == 1.0 and per["b"].recognised.rate == 0.0
    assert failures == [
        "r1: a vague, marked present",
        "r1: b explicit, marked missing",
        "r2: b not addressed, marked weak",
    ]


def test_risk_score_by_hand() -> None:
    findings = [
        _finding("a", M, CRIT),  # 3 * 1.0 = 3
        _finding("b", W, MAJ),  # 2 * 0.5 = 1
        _finding("c", P, MIN),  # 1 * 0 = 0
        _finding("d", NA, CRIT),  # not applicable: in neither sum
    ]
    # 100 * (3 + 1 + 0) / (3 + 2 + 1) = 400/6 = 66.67 -> 66.7
    assert risk_score(findings) == 66.7
    # weak on a minor only: 100 * 0.5 / 1 = 50.0
    assert risk_score([_finding("c", W, MIN)]) == 50.0
    assert risk_score([_finding("a", M, CRIT), _finding("b", M, MIN)]) == 100.0
    assert risk_score([_finding("a", P, CRIT)]) == 0.0
    assert risk_score([_finding("d", NA, CRIT)]) == 0.0  # nothing applicable: no risk, no division by zero
    assert risk_score([]) == 0.0
