"""Accept every tracked change of a DOCX in memory: what the agreement says once a drafter clicks
"Accept All" in Word. Insertions are unwrapped, deletions removed, a deleted paragraph mark joins
its paragraph to the next, and formatting-change records are dropped.
"""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.oxml.ns import qn

_UNWRAP = ("w:ins", "w:moveTo")
_REMOVE = ("w:del", "w:moveFrom", "w:rPrChange", "w:pPrChange", "w:sectPrChange", "w:tblPrChange")
_RANGE_MARKS = ("w:moveFromRangeStart", "w:moveFromRangeEnd", "w:moveToRangeStart", "w:moveToRangeEnd")


def accept_all(target: Any) -> Any:
    """A copy of python-docx document `target` with every revision accepted."""
    buffer = io.BytesIO()
    target.save(buffer)
    accepted = docx.Document(io.BytesIO(buffer.getvalue()))
    accept_in_place(accepted)
    return accepted


def accept_in_place(document: Any) -> None:
    """Accept every revision of `document` (its body, as python-docx loaded it)."""
    body = document.element.body
    for p in reversed(list(body.iter(qn("w:p")))):  # last first: a run of deleted marks joins up
        r_pr = p.find(f"{qn('w:pPr')}/{qn('w:rPr')}")
        if r_pr is not None and r_pr.find(qn("w:del")) is not None:
            _join_with_next(p)
    for tag in _REMOVE + _RANGE_MARKS:
        for element in list(body.iter(qn(tag))):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    for tag in _UNWRAP:
        for element in list(body.iter(qn(tag))):
            _unwrap(element)


def _unwrap(element: Any) -> None:
    parent = element.getparent()
    if parent is None:
        return
    if parent.tag == qn("w:rPr"):  # a mark on a paragraph mark or run properties: just drop it
        parent.remove(element)
        return
    index = parent.index(element)
    for child in list(element):
        parent.insert(index, child)
        index += 1
    parent.remove(element)


def _join_with_next(p: Any) -> None:
    """A deleted paragraph mark: the next paragraph's content moves into this one."""
    nxt = p.getnext()
    if nxt is None or nxt.tag != qn("w:p"):
        return
    for child in list(nxt):
        if child.tag != qn("w:pPr"):
            p.append(child)
    nxt.getparent().remove(nxt)
