"""DOCX to text in reading order: headings, numbered paragraphs (numbers rendered) and tables.

Tracked changes are read as the agreement would stand: the *accepted* view (insertions in,
deletions out) by default, or the *original* view (deletions in, insertions out). python-docx's
`paragraph.text` skips runs inside `w:ins`, so paragraph text is read here from the XML.
Comments live in their own part and are never agreement text.
"""

from __future__ import annotations

from typing import Any, Literal

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from .vocabulary import CELL_SEPARATOR

_ROMAN = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
]


View = Literal["accepted", "original"]
_INSERTED = (qn("w:ins"), qn("w:moveTo"))
_DELETED = (qn("w:del"), qn("w:moveFrom"))
_TEXT = {qn("w:t"): None, qn("w:delText"): None, qn("w:tab"): "\t", qn("w:noBreakHyphen"): "-"}
_BREAKS = (qn("w:br"), qn("w:cr"))
_SKIP = (qn("w:txbxContent"), qn("w:instrText"), qn("w:delInstrText"), qn("w:rPr"), qn("w:pPr"))


def docx_pages(document: Any, view: View = "accepted") -> list[str]:
    """Text of each page (split at explicit page breaks); blocks separated by blank lines."""
    numbering = _Numbering(document)
    pages: list[list[str]] = [[]]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            pages[-1].append(_table_text(block, view))
            continue
        text = paragraph_text(block._p, view).strip()
        if text or not _mark_removed(block._p, view):
            label = numbering.label(block)
            if text:
                pages[-1].append(f"{label} {text}" if label else text)
        if _has_page_break(block):
            pages.append([])
    return ["\n\n".join(p) for p in pages if p] or [""]


def count_revisions(document: Any) -> int:
    """Pending insertions and deletions of text (not formatting changes) in the body."""
    body = document.element.body
    return sum(
        1
        for tag in (*_INSERTED, *_DELETED)
        for element in body.iter(tag)
        if element.getparent().tag != qn("w:rPr")  # a paragraph mark's own revision
    )


def paragraph_text(p: Any, view: View) -> str:
    """A paragraph's text in the chosen view: runs inside insertions or deletions kept or dropped."""
    dropped = _DELETED if view == "accepted" else _INSERTED
    parts: list[str] = []
    _collect(p, dropped, parts)
    return "".join(parts)


def _collect(element: Any, dropped: tuple[str, ...], parts: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag in dropped or tag in _SKIP or not isinstance(tag, str):
            continue
        if tag in _TEXT:
            fixed = _TEXT[tag]
            parts.append(fixed if fixed is not None else child.text or "")
        elif tag in _BREAKS:
            parts.append("\n")
        else:
            _collect(child, dropped, parts)


def _mark_removed(p: Any, view: View) -> bool:
    """The paragraph itself is a pending deletion (accepted view) or insertion (original view)."""
    rpr = p.find(qn("w:pPr") + "/" + qn("w:rPr"))
    tags = _DELETED if view == "accepted" else _INSERTED
    return rpr is not None and any(rpr.find(tag) is not None for tag in tags)


def _table_text(table: Table, view: View) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is not previous:  # a merged cell is listed once per grid column it spans
                cells.append(" ".join(" ".join(paragraph_text(p._p, view) for p in cell.paragraphs).split()))
            previous = cell._tc
        rows.append(CELL_SEPARATOR.join(cells))
    return "\n".join(rows)


def _has_page_break(paragraph: Paragraph) -> bool:
    return any(br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br")))


class _Numbering:
    """Renders Word's automatic list numbers ("1.", "(a)", "iv.") that python-docx leaves out."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], tuple[str, str]] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for an in root.iter(qn("w:abstractNum")):
            levels = {}
            for lvl in an.iter(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "%1.",
                )
            abstract[an.get(qn("w:abstractNumId"))] = levels
        for num in root.iter(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            for ilvl, spec in abstract.get(ref.get(qn("w:val")) if ref is not None else "", {}).items():
                self.formats[(num.get(qn("w:numId")), ilvl)] = spec

    def label(self, paragraph: Paragraph) -> str:
        num_pr = _num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id_el, ilvl_el = num_pr.find(qn("w:numId")), num_pr.find(qn("w:ilvl"))
        num_id = num_id_el.get(qn("w:val")) if num_id_el is not None else ""
        ilvl = int(ilvl_el.get(qn("w:val"))) if ilvl_el is not None else 0
        fmt, template = self.formats.get((num_id, ilvl), ("decimal", f"%{ilvl + 1}."))
        if fmt in ("bullet", "none"):
            return ""
        key = (num_id, ilvl)
        self.counters[key] = self.counters.get(key, 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > ilvl]:
            del self.counters[deeper]
        for level in range(ilvl + 1):
            level_fmt = self.formats.get((num_id, level), ("decimal", ""))[0]
            value = self.counters.get((num_id, level), 1)
            template = template.replace(f"%{level + 1}", _format_number(value, level_fmt))
        return template


def _num_pr(paragraph: Paragraph) -> Any:
    """Numbering set on the paragraph, or inherited from its style (e.g. "List Number")."""
    num_pr = paragraph._p.find(qn("w:pPr") + "/" + qn("w:numPr"))
    style = paragraph.style if num_pr is None else None
    while num_pr is None and style is not None:
        num_pr = style.element.find(qn("w:pPr") + "/" + qn("w:numPr"))
        style = style.base_style
    if num_pr is not None and num_pr.find(qn("w:numId")) is not None:
        return num_pr
    return None


def _format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt in ("lowerRoman", "upperRoman"):
        out, rest = "", n
        for value, numeral in _ROMAN:
            while rest >= value:
                out, rest = out + numeral, rest - value
        return out.upper() if fmt == "upperRoman" else out
    return str(n)
