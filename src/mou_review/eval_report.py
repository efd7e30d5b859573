"""Saved evaluation reports: JSON and Markdown under evals/results/, stamped with the commit and date
that produced them (the Markdown itself is rendered by `render.evaluation`)."""

from __future__ import annotations

from pathlib import Path

from .clause_eval import ClauseEvalReport
from .evaluate import EvalReport
from .render.evaluation import clause_markdown, markdown


def save_reports(reports: list[EvalReport] | list[ClauseEvalReport], results_dir: Path) -> list[Path]:
    """Write JSON and Markdown named by date, set and split, backends and commit; return the paths."""
    first = reports[0]
    stamp = (first.created or "undated")[:10]
    split = first.split or "all"
    if isinstance(first, ClauseEvalReport):
        split = f"{first.set_name}-{split}"
    name = "_".join([stamp, split, "+".join(r.backend for r in reports), first.git_commit or "nocommit"])
    results_dir.mkdir(parents=True, exist_ok=True)
    json_path = results_dir / f"{name}.json"
    md_path = results_dir / f"{name}.md"
    payload = [r.model_dump_json(indent=2) for r in reports]
    json_path.write_text(payload[0] if len(payload) == 1 else "[\n" + ",\n".join(payload) + "\n]\n")
    clause_reports = [r for r in reports if isinstance(r, ClauseEvalReport)]
    md_path.write_text(
        clause_markdown(clause_reports) if clause_reports else markdown(reports)  # type: ignore[arg-type]
    )
    return [json_path, md_path]
