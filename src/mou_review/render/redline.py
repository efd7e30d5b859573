"""A redline as readable Markdown: the agreement's text with ~~deleted~~ and **inserted** language.

Each edit carries a footnote with the reason and the checklist source, the same text the DOCX puts
in a Word comment.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Document
from ..redline.plan import RedlineEdit


def markdown(edits: list[RedlineEdit], document: Document, *, parties: str, backend: str) -> str:
    counts = {kind: sum(e.kind == kind for e in edits) for kind in ("replace", "insert", "strike", "flag")}
    head = [
        f"# Redline of {Path(document.info.path).name}",
        "",
        f"- parties: {parties}",
        f"- {len(edits)} suggested edit(s): {counts['replace']} replacement(s), {counts['insert']} insertion(s), "
        f"{counts['strike']} deletion(s) of contrary language, {counts['flag']} flag(s) for the drafter; "
        f"backend: {backend}",
        "- deleted text is ~~struck through~~, inserted text is **bold**; each note [^n] gives the reason",
        "",
        "---",
        "",
    ]
    body = _body(edits, document.text)
    notes = [""] + [_footnote(i, e) for i, e in enumerate(edits, start=1)]
    return "\n".join(head) + body + "\n" + "\n".join(notes) + "\n"


def _body(edits: list[RedlineEdit], text: str) -> str:
    out: list[str] = []
    pos = 0
    for number, edit in enumerate(edits, start=1):
        start = max(edit.start, pos)
        out.append(_lines(text[pos:start]))
        note = f"[^{number}]"
        if edit.kind in ("replace", "strike"):
            new = f" {_bold(edit.new_text)}" if edit.new_text.strip() else ""
            out.append(f"~~{_flat(text[start : edit.end])}~~{new}{note}")
            pos = max(edit.end, start)
        elif edit.kind == "flag":
            out.append(f"{_flat(text[start : edit.end])}{note}")
            pos = max(edit.end, start)
        else:
            out.append(f"\n\n{_bold(edit.lead + edit.new_text)}{note}\n\n")
            pos = start
    out.append(_lines(text[pos:]))
    return "".join(out).strip() + "\n"


def _lines(text: str) -> str:
    """Keep the source's line breaks (PDF text is laid out line by line) as Markdown hard breaks."""
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", text)


def _footnote(number: int, edit: RedlineEdit) -> str:
    return f"[^{number}]: {edit.comment}"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _bold(text: str) -> str:
    """Each line bold on its own (Markdown emphasis does not span line breaks)."""
    return "  \n".join(f"**{_flat(line)}**" for line in text.splitlines() if line.strip())
