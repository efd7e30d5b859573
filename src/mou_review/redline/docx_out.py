"""Write a redline as a DOCX with real Word revision marks (w:ins / w:del) and comments.

The revisions are made with docx-revisions (tracked deletion of existing runs, tracked insertion
of new runs, on python-docx objects) and the comments with python-docx's own comments API. For a
DOCX input the original file is edited in place, so its formatting, numbering and styles stay;
for PDF/TXT/MD input a clean DOCX of the extracted text is made first. Every edit is located by
its text (not by offsets, which differ between the extracted text and the DOCX runs), and edits
are applied from the end of the document backwards so earlier positions stay valid.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from docx_revisions import RevisionParagraph, RevisionRun

from ..grounding import Grounder
from ..models import Document, DocumentInfo
from ..segment import segment
from .plan import RedlineEdit

INITIALS = "MR"


@dataclass
class _Span:
    """A located edit: paragraphs and character ranges in `paragraph.text` terms."""

    edit: RedlineEdit
    parts: list[tuple[Paragraph, int, int]]


class _TextMap:
    """The DOCX's paragraphs in reading order, as one text the grounder can search."""

    def __init__(self, document: Any) -> None:
        self.paragraphs = list(_iter_paragraphs(document))
        self.starts: list[int] = []
        self.lengths: list[int] = []
        pieces, offset = [], 0
        for paragraph in self.paragraphs:
            self.starts.append(offset)
            text = paragraph_text(paragraph)
            self.lengths.append(len(text))
            pieces.append(text)
            offset += len(text) + 2
        text = "\n\n".join(pieces)
        self.grounder = Grounder(Document(info=DocumentInfo(doc_id="docx", path="docx"), text=text))

    def locate(self, quote: str) -> tuple[int, int] | None:
        found = self.grounder.locate(quote)
        return (found.start, found.end) if found else None

    def parts(self, start: int, end: int) -> list[tuple[Paragraph, int, int]]:
        """(paragraph, start, end) pieces of the located range, one per paragraph it touches."""
        out = []
        for paragraph, p_start, length in zip(self.paragraphs, self.starts, self.lengths, strict=True):
            p_end = p_start + length
            if p_start <= end and start <= p_end and (start < p_end or start == end):
                out.append((paragraph, max(start, p_start) - p_start, min(end, p_end) - p_start))
        return out


def write_docx(
    edits: list[RedlineEdit], document: Document, source: Path, output: Path, *, author: str
) -> list[RedlineEdit]:
    """Save the redlined DOCX to `output`; return the edits that could not be placed."""
    target, unplaced = redlined_docx(edits, document, source, author=author)
    output.parent.mkdir(parents=True, exist_ok=True)
    target.save(str(output))
    return unplaced


def redlined_docx(
    edits: list[RedlineEdit], document: Document, source: Path, *, author: str
) -> tuple[Any, list[RedlineEdit]]:
    """The redlined python-docx document (in memory) and the edits that could not be placed."""
    target = docx.Document(str(source)) if source.suffix.lower() == ".docx" else clean_docx(document)
    return target, apply_edits(target, edits, author=author)


def clean_docx(document: Document) -> Any:
    """A plain DOCX of the extracted text: a paragraph wherever the source's line layout ends one.

    Extracted PDF text is laid out line by line; a line well short of the full width ends a paragraph
    (a heading, a "WHEREAS ...; and" recital, a clause), a full-width line wraps into the next.
    """
    out = docx.Document()
    widths = sorted(len(line.rstrip()) for line in document.text.splitlines() if line.strip())
    full = widths[int(len(widths) * 0.9)] if widths else 80
    pos = 0
    for clause in segment(document):
        for line in document.text[pos : clause.start].splitlines():
            if line.strip():
                out.add_paragraph().add_run(" ".join(line.split())).bold = True
        for paragraph in _laid_out_paragraphs(clause.text, full):
            out.add_paragraph(paragraph)
        pos = clause.end
    for paragraph in _laid_out_paragraphs(document.text[pos:], full):
        out.add_paragraph(paragraph)
    return out


def _laid_out_paragraphs(text: str, full: int) -> list[str]:
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            paragraphs[-1].append(line.strip())
        if not line.strip() or len(line.rstrip()) < 0.8 * full:
            paragraphs.append([])
    return [" ".join(" ".join(p).split()) for p in paragraphs if p]


def apply_edits(target: Any, edits: list[RedlineEdit], *, author: str) -> list[RedlineEdit]:
    """Apply every edit as tracked changes with a comment; return the edits not found in the text."""
    text_map = _TextMap(target)
    located: list[tuple[int, int, _Span]] = []
    unplaced = []
    for order, edit in enumerate(edits):
        found = text_map.locate(edit.anchor_text)
        if found is None:
            unplaced.append(edit)
            continue
        start, end = found
        if edit.kind == "insert":
            start = end = end if edit.position == "after" else start
        located.append((start, order, _Span(edit, text_map.parts(start, end))))
    writer = _Writer(target, author)
    actions = {
        "replace": writer.replace,
        "strike": writer.replace,
        "flag": writer.flag,
        "insert": writer.insert,
    }
    for _, _, span in sorted(located, key=lambda item: (item[0], item[1]), reverse=True):
        actions[span.edit.kind](span)
    return unplaced


class _Writer:
    def __init__(self, target: Any, author: str) -> None:
        self.target = target
        self.author = author
        self.now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def replace(self, span: _Span) -> None:
        """The old text as a tracked deletion, the new text (if any) as a tracked insertion after it."""
        deleted: list[Run] = []
        for paragraph, start, end in span.parts:
            for run in _isolate(paragraph, start, end):
                RevisionRun.from_run(run).delete_tracked(author=self.author)
                deleted.append(run)
        paragraph = span.parts[-1][0]
        lines = [line for line in span.edit.new_text.splitlines() if line.strip()]
        runs = list(deleted)
        if lines:
            first_line, *more = lines
            inserted = self._insert_runs(
                paragraph, [(first_line, False)], like=deleted[-1] if deleted else None
            )
            if deleted:
                deleted[-1]._r.getparent().addnext(inserted[0]._r.getparent())
            runs += inserted
            after: Any = paragraph
            for line in more:
                after, added = self._new_paragraph(after, [(line, False)], style_from=paragraph)
                runs += added
        else:
            for part, _, _ in span.parts:
                if not _live_text(part):
                    self._delete_mark(part)
        if runs:
            self._comment(runs, span.edit.comment)

    def flag(self, span: _Span) -> None:
        """A comment on the text, no change: the drafter decides."""
        runs = [run for paragraph, start, end in span.parts for run in _isolate(paragraph, start, end)]
        if runs:
            self._comment(runs, span.edit.comment)

    def insert(self, span: _Span) -> None:
        """The suggested clause as new tracked paragraphs after (or before) the anchor paragraph."""
        paragraph = span.parts[-1][0] if span.edit.position == "after" else span.parts[0][0]
        lines = [line for line in span.edit.new_text.splitlines() if line.strip()]
        block = _block_of(paragraph)
        lead, numbered = span.edit.lead, None
        if span.edit.number and _auto_numbered(paragraph):  # Word numbers it: no typed number
            lead, numbered = lead[len(span.edit.number) :].lstrip(), paragraph
        runs: list[Run] = []
        after: Any = block
        for i, line in enumerate(lines):
            first = i == 0
            pieces = [(lead, True), (line, False)] if first and lead else [(line, False)]
            before = block if first and span.edit.position == "before" else None
            after, added = self._new_paragraph(
                after, pieces, style_from=paragraph, before=before, numbered_like=numbered if first else None
            )
            runs += added
        self._comment(runs, span.edit.comment)

    def _comment(self, runs: list[Run], text: str) -> None:
        self.target.add_comment([runs[0], runs[-1]], text=text, author=self.author, initials=INITIALS)

    def _delete_mark(self, paragraph: Paragraph) -> None:
        """Track the deletion of a paragraph's mark, so accepting removes the emptied paragraph."""
        r_pr = paragraph._p.get_or_add_pPr().find(qn("w:rPr"))
        if r_pr is None:
            r_pr = OxmlElement("w:rPr")
            paragraph._p.get_or_add_pPr().append(r_pr)
        r_pr.append(self._mark("w:del", paragraph._p))

    def _new_paragraph(
        self,
        after: Any,
        pieces: list[tuple[str, bool]],
        *,
        style_from: Paragraph,
        before: Any = None,
        numbered_like: Paragraph | None = None,
    ) -> tuple[Paragraph, list[Run]]:
        """A new paragraph after `after` (or before `before`) whose content and mark are tracked insertions."""
        where = before if before is not None else after
        element = where._p if isinstance(where, Paragraph) else where._element
        p = OxmlElement("w:p")
        if before is not None:
            element.addprevious(p)
        else:
            element.addnext(p)
        paragraph = Paragraph(p, where._parent)
        if numbered_like is not None and numbered_like._p.pPr is not None:
            p_pr = copy.deepcopy(numbered_like._p.pPr)  # the list's style and numbering
            for stale in p_pr.findall(qn("w:rPr")):
                p_pr.remove(stale)
            p.insert(0, p_pr)
        else:
            p_pr = p.get_or_add_pPr()
            style = _body_style(style_from)
            if style is not None:
                paragraph.style = style
        r_pr = OxmlElement("w:rPr")
        r_pr.append(self._mark("w:ins", p))
        p_pr.append(r_pr)
        return paragraph, self._insert_runs(paragraph, pieces)

    def _insert_runs(
        self, paragraph: Paragraph, pieces: list[tuple[str, bool]], like: Run | None = None
    ) -> list[Run]:
        """Tracked-inserted runs appended to `paragraph`, formatted like `like` when given."""
        revision = RevisionParagraph.from_paragraph(paragraph)
        runs: list[Run] = []
        for text, bold in pieces:
            tracked = revision.add_tracked_insertion(text, author=self.author)
            for run in tracked.runs:
                if like is not None and like._r.rPr is not None:
                    run._r.insert(0, copy.deepcopy(like._r.rPr))
                if bold:
                    run.bold = True
                runs.append(run)
        return runs

    def _mark(self, tag: str, anchor: Any) -> Any:
        mark = OxmlElement(tag)
        mark.set(qn("w:id"), str(_next_revision_id(anchor)))
        mark.set(qn("w:author"), self.author)
        mark.set(qn("w:date"), self.now)
        return mark


def _isolate(paragraph: Paragraph, start: int, end: int) -> list[Run]:
    """The runs of `paragraph` covering exactly characters [start, end), split where needed.

    Runs keep their formatting: a split copies the run element and divides its text.
    Hyperlinks are counted but never split or deleted.
    """
    out: list[Run] = []
    pos = 0
    for child in _live_children(paragraph):
        text = Run(child, paragraph).text if child.tag == qn("w:r") else child.text
        c_start, c_end = pos, pos + len(text)
        pos = c_end
        if c_end <= start or c_start >= end or not text or child.tag != qn("w:r"):
            continue
        if c_start < start:
            child = _split(child, start - c_start)
            c_start = start
        if c_end > end:
            _split(child, end - c_start)
        out.append(Run(child, paragraph))
    return out


def _auto_numbered(paragraph: Paragraph) -> bool:
    """Word numbers this paragraph itself (numbering set on it or on its style)."""
    if paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None:
        return True
    style = paragraph.style
    while style is not None:
        if style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None:
            return True
        style = style.base_style
    return False


def _live_children(paragraph: Paragraph) -> list[Any]:
    """Runs and hyperlinks as the accepted text reads them: an earlier author's tracked insertion
    counts (its runs sit inside w:ins), a tracked deletion does not."""
    return list(paragraph._p.xpath("w:r | w:hyperlink | w:ins/w:r | w:moveTo/w:r"))


def paragraph_text(paragraph: Paragraph) -> str:
    """The paragraph's text with the revisions it already carries accepted."""
    return "".join(
        Run(c, paragraph).text if c.tag == qn("w:r") else (c.text or "") for c in _live_children(paragraph)
    )


def _live_text(paragraph: Paragraph) -> str:
    """The paragraph's text once its tracked deletions are accepted."""
    return "".join(t.text or "" for t in paragraph._p.iter(qn("w:t")))


def _split(r: Any, at: int) -> Any:
    """Split run element `r` at character `at`; return the second half (inserted right after)."""
    text = r.text
    tail = copy.deepcopy(r)
    r.addnext(tail)
    Run(r, None).text = text[:at]  # type: ignore[arg-type]
    Run(tail, None).text = text[at:]  # type: ignore[arg-type]
    return tail


def _iter_paragraphs(container: Any) -> Any:
    """Body paragraphs and table-cell paragraphs, in reading order."""
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from _iter_paragraphs(cell)
        else:
            yield block


def _block_of(paragraph: Paragraph) -> Any:
    """The paragraph itself, or the table holding it: new paragraphs go after the whole table."""
    element = paragraph._p
    table = None
    parent = element.getparent()
    while parent is not None and parent.tag != qn("w:body"):
        if parent.tag == qn("w:tbl"):
            table = parent
        parent = parent.getparent()
    if table is None:
        return paragraph
    return Table(table, paragraph._parent)


def _body_style(paragraph: Paragraph | None) -> Any:
    """The anchor's paragraph style, unless it is a heading, title or list style (those would renumber)."""
    if paragraph is None or paragraph.style is None:
        return None
    name = (paragraph.style.name or "").lower()
    if name.startswith(("heading", "title", "list")):
        return None
    return paragraph.style


def _next_revision_id(anchor: Any) -> int:
    ids = [
        int(i) for i in anchor.getroottree().getroot().xpath("//w:ins/@w:id | //w:del/@w:id") if i.isdigit()
    ]
    return max(ids, default=0) + 1
