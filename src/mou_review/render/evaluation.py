"""Evaluation reports as Markdown (confusion matrices, the worst cases, every miss) and as
terminal tables, for gold-document and clause-set evaluations alike."""

from __future__ import annotations

from rich.table import Table

from ..checklist import Checklist
from ..clause_eval import ClauseEvalReport, ClauseScores
from ..evaluate import EvalReport

SUMMARY_METRICS = (
    "macro_f1",
    "micro_f1",
    "status_accuracy",
    "kappa",
    "evidence_hit_rate",
    "grounded_rate",
    "documents_per_second",
)
WORST_SHOWN = 5
SHORT = {"present": "present", "weak": "weak", "missing": "missing", "not_applicable": "n/a"}


def markdown(reports: list[EvalReport]) -> str:
    """One report per backend: summary side by side, per-requirement scores, confusion matrices."""
    first = reports[0]
    lines = _head(
        reports,
        f"# Evaluation: {', '.join(r.backend for r in reports)} on {first.checklist} v{first.checklist_version}",
        f"- documents: {first.documents} (split: {first.split or 'all'})",
        "- positive class: deficient (weak or missing); evidence hit: word-set Jaccard >= 0.5 with a gold quote",
    )
    lines += [f"| {m} | " + " | ".join(f"{getattr(r, m)}" for r in reports) + " |" for m in SUMMARY_METRICS]
    lines += [f"| {label} | " + " | ".join(cells) + " |" for label, cells in usage_rows(reports)]
    lines += ["", "## Per requirement (deficiency detection)", ""]
    lines.append("| requirement | support | " + " | ".join(f"{r.backend} P / R / F1" for r in reports) + " |")
    lines.append("| --- | ---: | " + " | ".join("---" for _ in reports) + " |")
    for rid, score in first.per_requirement.items():
        cells = [
            f"{r.per_requirement[rid].precision:.2f} / {r.per_requirement[rid].recall:.2f} / "
            f"{r.per_requirement[rid].f1:.2f}"
            for r in reports
        ]
        lines.append(f"| {rid} | {score.support} | " + " | ".join(cells) + " |")
    lines += fact_lines(first)
    for report in reports:
        lines += _worst(report)
        lines += _confusions(report)
    return "\n".join(lines) + "\n"


def usage_rows(reports: list[EvalReport]) -> list[tuple[str, list[str]]]:
    """LLM tokens and estimated cost per document (label, one cell per report), for the rows some
    backend used a model for."""
    rows = []
    for key, label in (
        ("input_tokens", "input tokens / document"),
        ("output_tokens", "output tokens / document"),
        ("cost_usd", "estimated cost (USD) / document"),
    ):
        if any(key in r.usage for r in reports):
            rows.append(
                (
                    label,
                    [f"{r.usage[key] / max(r.documents, 1):.4g}" if key in r.usage else "" for r in reports],
                )
            )
    return rows


def _worst(report: EvalReport) -> list[str]:
    ranked = sorted(report.per_requirement.items(), key=lambda item: (item[1].f1, item[0]))
    worst = [(rid, s) for rid, s in ranked if s.failures][:WORST_SHOWN]
    lines = ["", f"## Worst requirements: {report.backend}", ""]
    if not worst:
        return [*lines, "No requirement has a false positive or false negative."]
    for rid, score in worst:
        lines.append(f"- **{rid}** (F1 {score.f1:.2f}, support {score.support}):")
        lines += [f"  - {failure}" for failure in score.failures]
    return lines


def _confusions(report: EvalReport) -> list[str]:
    """A gold-by-predicted status matrix per requirement; rows and columns that are all zero are dropped."""
    lines = ["", f"## Confusion matrices: {report.backend} (rows gold, columns predicted)", ""]
    for rid, score in report.per_requirement.items():
        matrix = score.confusion
        if not matrix:
            continue
        used = [s for s in matrix if sum(matrix[s].values()) or sum(row[s] for row in matrix.values())]
        lines += [
            f"**{rid}**",
            "",
            "| gold \\ predicted | " + " | ".join(SHORT[s] for s in used) + " |",
            "| --- | " + " | ".join("---:" for _ in used) + " |",
        ]
        lines += [f"| {SHORT[g]} | " + " | ".join(str(matrix[g][p]) for p in used) + " |" for g in used]
        lines.append("")
    return lines


def fact_lines(report: EvalReport) -> list[str]:
    """Exact-match accuracy per fact (facts do not depend on the backend), with every miss."""
    if not report.facts:
        return []
    lines = [
        "",
        "## Facts (exact match of the normalised form)",
        "",
        "| fact | accuracy | labelled | stated |",
    ]
    lines.append("| --- | ---: | ---: | ---: |")
    lines += [f"| {name} | {s.accuracy} | {s.support} | {s.stated} |" for name, s in report.facts.items()]
    misses = [f"- {name}: {miss}" for name, s in report.facts.items() for miss in s.failures]
    return lines + (["", *misses] if misses else [])


CLAUSE_METRICS = (
    ("recognised", "recognised (present or weak)"),
    ("explicit_present", "explicit marked present"),
    ("vague_weak", "vague marked weak"),
    ("partial_weak", "partial marked weak"),
    ("contrary_weak", "contrary marked weak"),
    ("spurious_per_clause", "spurious flags per clause"),
)


def clause_cell(scores: ClauseScores, metric: str) -> str:
    """One metric as shown in a table: a rate with its count, or '-' when nothing was labelled so."""
    if metric == "spurious_per_clause":
        return f"{scores.spurious_per_clause:.3f} ({scores.spurious})"
    rate = getattr(scores, metric)
    return f"{rate.rate:.3f} ({rate.hits}/{rate.total})" if rate.total else "-"


def clause_markdown(reports: list[ClauseEvalReport]) -> str:
    """Clause-set scores side by side: the summary, then every requirement for each backend."""
    first = reports[0]
    lines = _head(
        reports,
        f"# Clause-set evaluation: {', '.join(r.backend for r in reports)} on {first.set_name}",
        f"- clauses: {first.clauses} (split: {first.split or 'all'}); checklist {first.checklist} "
        f"v{first.checklist_version}",
        "- each clause is reviewed as a one-clause document; a flag is a requirement marked present or weak",
    )
    lines += [
        f"| {label} | " + " | ".join(clause_cell(r.overall, m) for r in reports) + " |"
        for m, label in CLAUSE_METRICS
    ]
    for report in reports:
        lines += ["", f"## Per requirement: {report.backend}", ""]
        lines.append("| requirement | " + " | ".join(label for _, label in CLAUSE_METRICS) + " |")
        lines.append("| --- | " + " | ".join("---:" for _ in CLAUSE_METRICS) + " |")
        for rid, scores in report.per_requirement.items():
            lines.append(f"| {rid} | " + " | ".join(clause_cell(scores, m) for m, _ in CLAUSE_METRICS) + " |")
        lines += ["", f"## Misses: {report.backend} ({len(report.failures)})", ""]
        lines += [f"- {failure}" for failure in report.failures]
    return "\n".join(lines) + "\n"


def _head(reports: list[EvalReport] | list[ClauseEvalReport], title: str, what: str, rule: str) -> list[str]:
    """Title, what was scored, the run's commit and time, the scoring rule, and the summary table head."""
    first = reports[0]
    return [
        title,
        "",
        what,
        f"- commit: {first.git_commit or 'unknown'}; run at {first.created or 'unknown'}",
        rule,
        "",
        "## Summary",
        "",
        "| metric | " + " | ".join(r.backend for r in reports) + " |",
        "| --- | " + " | ".join("---:" for _ in reports) + " |",
    ]


def gold_table(reports: list[EvalReport], cl: Checklist) -> Table:
    """F1 (precision/recall) per requirement and backend, then the summary, fact and usage rows."""
    table = Table("requirement", *[f"{r.backend} F1 (P/R)" for r in reports], "support")
    for rid in cl.ids:
        cells = [
            f"{r.per_requirement[rid].f1:.2f} ({r.per_requirement[rid].precision:.2f}/"
            f"{r.per_requirement[rid].recall:.2f})"
            for r in reports
        ]
        table.add_row(rid, *cells, str(reports[0].per_requirement[rid].support))
    for metric in SUMMARY_METRICS:
        table.add_row(f"[bold]{metric}[/bold]", *[str(getattr(r, metric)) for r in reports], "")
    for name, fact in reports[0].facts.items():
        table.add_row(
            f"fact {name} (exact match)",
            *[f"{r.facts[name].accuracy:.3f}" for r in reports],
            str(fact.support),
        )
    for label, cells in usage_rows(reports):
        table.add_row(f"[bold]LLM {label}[/bold]", *cells, "")
    return table


def clause_table(reports: list[ClauseEvalReport], cl: Checklist) -> Table:
    """Per requirement: recognised and spurious per backend; the summary rows give every metric."""
    columns = [f"{r.backend} {h}" for r in reports for h in ("recognised", "spurious")]
    table = Table("requirement", *columns, title=f"clause set {reports[0].set_name}")
    for rid in cl.ids:
        cells = [
            clause_cell(r.per_requirement[rid], m)
            for r in reports
            for m in ("recognised", "spurious_per_clause")
        ]
        table.add_row(rid, *cells)
    for metric, label in CLAUSE_METRICS:
        cells = [clause_cell(r.overall, metric) if i == 0 else "" for r in reports for i in range(2)]
        table.add_row(f"[bold]{label}[/bold]", *cells)
    return table
