"""DOCX to text in reading order: headings, numbered paragraphs (numbers rendered) and tables."""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

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


def docx_pages(document: Any) -> list[str]:
    """Text of each page (split at explicit page breaks); blocks separated by blank lines."""
    numbering = _Numbering(document)
    pages: list[list[str]] = [[]]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            pages[-1].append(_table_text(block))
            continue
        text = block.text.strip()
        label = numbering.label(block)
        if text:
            pages[-1].append(f"{label} {text}" if label else text)
        if _has_page_break(block):
            pages.append([])
    return ["\n\n".join(p) for p in pages if p] or [""]


def _table_text(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            value = " ".join(cell.text.split())
            if not cells or cells[-1] != value:  # merged cells repeat their text
                cells.append(value)
        rows.append(" | ".join(cells))
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
