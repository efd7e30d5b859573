"""The redline as readable Markdown: the agreement's text with ~~deleted~~ and **inserted** language.

Each edit carries a footnote with the reason and the checklist source, the same text the DOCX puts
in a Word comment.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..models import Document
from .plan import RedlineEdit


def render_markdown(edits: list[RedlineEdit], document: Document, *, parties: str, backend: str) -> str:
    replaced = sum(e.kind == "replace" for e in edits)
    head = [
        f"# Redline of {Path(document.info.path).name}",
        "",
        f"- parties: {parties}",
        f"- {len(edits)} suggested edit(s): {replaced} replacement(s), {len(edits) - replaced} insertion(s); "
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
        if edit.kind == "replace":
            out.append(f"~~{_flat(text[start : edit.end])}~~ {_bold(edit.new_text)}[^{number}]")
            pos = max(edit.end, start)
        else:
            out.append(f"\n\n{_bold(edit.heading + '. ' + edit.new_text)}[^{number}]\n\n")
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
