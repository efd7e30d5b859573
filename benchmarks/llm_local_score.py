"""Score the llm backend per MOU and per guard policy next to the offline rules (see llm_local.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mou_review.checklist import load_checklist
from mou_review.config import Settings
from mou_review.evaluate import GoldDocument, load_gold, score
from mou_review.ingest import prepare
from mou_review.models import DocumentReview, Status
from mou_review.review import review_document
from mou_review.reviewers import make_reviewer


def _golds(args: Any) -> list[GoldDocument]:
    golds = load_gold(args.gold, split=args.split)
    return golds[: args.first] if args.first else golds


def _doc_row(gold: GoldDocument, review: DocumentReview, seconds: float, checklist: Any) -> dict[str, Any]:
    report = score([gold], [review], checklist, review.backend, seconds)
    labels = [
        (label.status, review.finding(rid)) for rid, label in gold.labels.items() if review.finding(rid)
    ]
    present_missing = sum(1 for g, f in labels if g is Status.missing and f and f.status is Status.present)
    text_ok = all(
        Path(review.document.path).exists() and e.quote.strip() for f in review.findings for e in f.evidence
    )
    findings = review.findings
    return {
        "mou": Path(gold.document).name,
        "labels": len(labels),
        "status_accuracy": report.status_accuracy,
        "correct": sum(1 for g, f in labels if f and f.status == g),
        "present_where_missing": present_missing,
        "fabricated_dropped": sum(f.ungrounded_quotes for f in findings),
        "offtopic_dropped": sum(getattr(f, "offtopic_quotes", 0) for f in findings),
        "quotes_shown": sum(len(f.evidence) for f in findings),
        "quotes_ok": text_ok,
        "fallbacks": sum(1 for f in findings if f.backend == "offline-fallback"),
        "needs_review": sum(1 for f in findings if getattr(f, "needs_review", False)),
        "findings": len(findings),
        "input_tokens": int(review.usage.get("input_tokens", 0)),
        "output_tokens": int(review.usage.get("output_tokens", 0)),
        "calls": int(review.usage.get("calls", 0)),
        "cached_calls": int(review.usage.get("cached_calls", 0)),
        "reasks": int(review.usage.get("reasks", 0)),
        "model_seconds": float(review.usage.get("seconds", 0.0)),
        "wall_seconds": round(seconds, 1),
    }


def _check_quotes(review: DocumentReview, text: str) -> bool:
    """Every quote shown is the document's own text at its offsets."""
    return all(text[e.start : e.end] == e.quote for f in review.findings for e in f.evidence)


def run_backend(golds: list[GoldDocument], reviewer: Any, checklist: Any, label: str) -> list[dict[str, Any]]:
    rows = []
    for gold in golds:
        prepared = prepare(gold.document, None, "wordllama")
        assert prepared.document is not None and prepared.vectors is not None, prepared.error
        started = time.perf_counter()
        review = review_document(prepared.document, prepared.clauses, prepared.vectors, checklist, reviewer)
        row = _doc_row(gold, review, time.perf_counter() - started, checklist)
        row["quotes_ok"] = row["quotes_ok"] and _check_quotes(review, prepared.document.text)
        rows.append(row)
        print(
            f"[{label}] {row['mou']}: accuracy {row['status_accuracy']:.2f}, "
            f"present-where-missing {row['present_where_missing']}, {row['wall_seconds']} s",
            flush=True,
        )
    return rows


def aggregate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    labels = sum(r["labels"] for r in rows) or 1
    findings = sum(r["findings"] for r in rows) or 1
    n = len(rows) or 1
    return {
        "documents": len(rows),
        "labels": labels,
        "status_accuracy": round(sum(r["correct"] for r in rows) / labels, 3),
        "present_where_missing_rate": round(sum(r["present_where_missing"] for r in rows) / labels, 3),
        "present_where_missing": sum(r["present_where_missing"] for r in rows),
        "all_quotes_in_document": all(r["quotes_ok"] for r in rows),
        "fabricated_dropped": sum(r["fabricated_dropped"] for r in rows),
        "offtopic_dropped": sum(r["offtopic_dropped"] for r in rows),
        "fallback_rate": round(sum(r["fallbacks"] for r in rows) / findings, 3),
        "disagreement_rate": round(sum(r["needs_review"] for r in rows) / findings, 3),
        "input_tokens_per_mou": round(sum(r["input_tokens"] for r in rows) / n),
        "output_tokens_per_mou": round(sum(r["output_tokens"] for r in rows) / n),
        "model_seconds_per_mou": round(sum(r["model_seconds"] for r in rows) / n, 1),
        "reasks": sum(r["reasks"] for r in rows),
    }


def table(name: str, rows: list[dict[str, Any]], offline: list[dict[str, Any]]) -> str:
    out = [
        f"### policy `{name}`",
        "",
        "| MOU | accuracy (llm) | accuracy (offline) | present where missing | fabricated dropped | off-topic dropped | needs review | fallbacks | tokens in/out | model s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r, o in zip(rows, offline, strict=True):
        out.append(
            f"| {r['mou']} | {r['status_accuracy']:.2f} | {o['status_accuracy']:.2f} | {r['present_where_missing']} | "
            f"{r['fabricated_dropped']} | {r['offtopic_dropped']} | {r['needs_review']} | {r['fallbacks']} | "
            f"{r['input_tokens']}/{r['output_tokens']} | {r['model_seconds']:.0f} |"
        )
    return "\n".join(out)


def run_policies(args: Any, base_url: str, policies: list[str]) -> dict[str, Any]:
    checklist = load_checklist("cops-nasro")
    golds = _golds(args)
    offline = run_backend(golds, make_reviewer("offline"), checklist, "offline")
    report: dict[str, Any] = {"offline": {"rows": offline, "aggregate": aggregate(offline)}, "policies": {}}
    for policy in policies:
        settings = Settings(
            backend="llm",
            llm_base_url=base_url,
            llm_model=args.model,
            llm_structured_method="json_mode",
            llm_group_size=args.group_size,
            llm_max_concurrency=1,  # a llama.cpp server answers one request at a time
            llm_timeout=1800,
            llm_max_retries=0 if args.replay_only else 2,
            llm_cache=args.log,
            llm_policy=policy,
            llm_ask=args.ask,
            llm_clauses_per_requirement=args.clauses,
        )
        reviewer = make_reviewer("llm", settings, checklist)
        rows = run_backend(golds, reviewer, checklist, policy)
        report["policies"][policy] = {"rows": rows, "aggregate": aggregate(rows)}
        print(table(policy, rows, offline), flush=True)
    print("\n| judge | status accuracy | present where missing | fallback rate | disagreement rate |")
    print("| --- | --- | --- | --- | --- |")
    for name, block in [("offline", report["offline"]), *report["policies"].items()]:
        a = block["aggregate"]
        print(
            f"| {name} | {a['status_accuracy']:.3f} | {a['present_where_missing_rate']:.3f} | "
            f"{a['fallback_rate']:.3f} | {a['disagreement_rate']:.3f} |"
        )
    return report
