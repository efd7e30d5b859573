"""A version diff as Markdown: the requirements that changed, the facts that moved, every clause change."""

from __future__ import annotations

from ..diff import MouDiff


def markdown(diff: MouDiff) -> str:
    """Changed requirements first (with the clause changes behind them), then every clause change."""
    lines = [
        f"# {diff.new} against {diff.old}",
        "",
        f"- checklist: {diff.checklist}; risk {diff.old_risk} -> {diff.new_risk}",
        f"- {len(diff.changed_requirements)} requirement(s) changed; {len(diff.clauses)} clause change(s)",
        "",
        "## Requirements that changed",
        "",
    ]
    for r in diff.changed_requirements:
        old = (r.old_status.value if r.old_status else "none") + (" (contrary)" if r.old_contrary else "")
        new = (r.new_status.value if r.new_status else "none") + (" (contrary)" if r.new_contrary else "")
        refs = ", ".join(f"#{k + 1}" for k in r.clauses)
        lines.append(f"- **{r.requirement_id}**: {old} -> {new}" + (f" (clauses {refs})" if refs else ""))
    if not diff.changed_requirements:
        lines.append("- none")
    if diff.facts:
        lines += ["", "## Facts that changed", ""]
        lines += [
            f"- {f.fact}: {f.old if f.old is not None else '—'} -> {f.new if f.new is not None else '—'}"
            for f in diff.facts
        ]
    lines += ["", "## Clause changes", ""]
    for k, c in enumerate(diff.clauses, 1):
        heading = c.new_heading or c.old_heading
        lines.append(
            f"### #{k} {c.kind}"
            + (f" ({heading})" if heading else "")
            + (f", similarity {c.similarity}" if c.kind == "changed" else "")
        )
        lines.append("")
        if c.old:
            lines.append(f"- old: {' '.join(c.old.split())}")
        if c.new:
            lines.append(f"- new: {' '.join(c.new.split())}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
