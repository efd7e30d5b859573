"""Split an MOU's text into clauses: numbered sections and paragraphs, each with its heading path.

Works on text alone, so PDF, DOCX and TXT go through the same rules: a clause starts at a blank
line, a numbering marker ("ARTICLE IV", "Section 4.", "II.", "A.", "1.", "1.1", "(a)"), a heading,
or after a short line that ends a sentence (how PDF extraction shows a paragraph end).

A table row (a line whose cells the loader joined with " | ") is a clause of its own, never a
heading. A roles table, whose header cells each name a party ("The District will" / "The
Department will"), states row by row what each party does: each of its cells is a clause whose
heading path ends with its column's header, and the header row itself is read as headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .models import Clause, Document
from .vocabulary import MARKERS, cell_spans, marker_of, party_of_heading, sentence_spans, table_row

__all__ = ["MARKERS", "marker_of", "segment"]  # the numbering styles live in vocabulary

MAX_CLAUSE_CHARS = 1400
WINDOW_CHARS = 800


@dataclass
class _Line:
    text: str
    start: int
    end: int


@dataclass
class _Block:
    start: int
    end: int
    text: str
    heading: bool = False
    marker: str | None = None
    row: bool = False  # one line of a table


def segment(document: Document) -> list[Clause]:
    """Clauses of `document`, in reading order, with offsets into `document.text`."""
    text = document.text
    clauses: list[Clause] = []
    path: list[tuple[str, str]] = []  # (marker class, heading text)
    columns: list[str] | None = None  # the column headers of the roles table being read
    previous: _Block | None = None
    for block in _classify(_blocks(text)):
        row = _cells(text, block) if block.row else None
        if row is None or previous is None or not previous.row or "\n\n" in text[previous.end : block.start]:
            columns = None  # a table starts after anything that is not one of its rows
        previous = block
        if block.heading:
            path = _push_heading(path, block.marker or _unnumbered_class(block.text), block.text)
            continue
        if row is not None and columns is None and (headers := _roles_header(text, row)):
            columns = headers
            continue
        headings = [h for _, h in path]
        for start, end, column in _pieces(text, block, row, columns):
            clauses.append(_clause(document, len(clauses), [*headings, *column], start, end))
    return clauses


def _pieces(
    text: str, block: _Block, row: list[tuple[int, int]] | None, columns: list[str] | None
) -> list[tuple[int, int, list[str]]]:
    """What of a block becomes clauses: each cell of a roles-table row under its column's header
    (a row whose cells do not line up with the header keeps the section's path), else the block,
    windowed when long."""
    if row is None or columns is None:
        return [(start, end, []) for start, end in _windows(text, block.start, block.end)]
    aligned = len(row) == len(columns)
    return [
        (start, end, [columns[i]] if aligned else []) for i, (start, end) in enumerate(row) if end > start
    ]


def _cells(text: str, block: _Block) -> list[tuple[int, int]]:
    """(start, end) of each cell of a table row, from the start of its line (an empty cell is empty)."""
    return cell_spans(text, text.rfind("\n", 0, block.start) + 1, block.end)


def _roles_header(text: str, row: list[tuple[int, int]]) -> list[str] | None:
    """The header cells when a row heads a roles table: two or more cells, each naming a party,
    the school side and the agency side both among them."""
    headers = [text[start:end] for start, end in row]
    parties = [party_of_heading(h) if h else None for h in headers]
    if len(headers) < 2 or None in parties or {"district", "agency"} - set(parties):
        return None
    return headers


def _clause(document: Document, index: int, heading_path: list[str], start: int, end: int) -> Clause:
    return Clause(
        clause_id=f"{document.info.doc_id}:{index:04d}",
        doc_id=document.info.doc_id,
        index=index,
        heading_path=heading_path,
        text=document.text[start:end],
        start=start,
        end=end,
        page=document.page_at(start),
    )


def _lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for raw in text.split("\n"):
        lines.append(_Line(raw, pos, pos + len(raw)))
        pos += len(raw) + 1
    return lines


def _blocks(text: str) -> list[_Block]:
    lines = _lines(text)
    widths = sorted(len(ln.text) for ln in lines if ln.text.strip())
    typical = widths[int(len(widths) * 0.9)] if widths else 80
    blocks: list[_Block] = []
    current: list[_Line] = []
    for line in lines:
        if current and _starts_new_block(current[-1], line, typical):
            blocks.append(_make_block(text, current))
            current = []
        if line.text.strip():
            current.append(line)
    if current:
        blocks.append(_make_block(text, current))
    return blocks


def _starts_new_block(prev: _Line, line: _Line, typical: int) -> bool:
    stripped = line.text.strip()
    if not stripped:
        return True
    if _cross_reference_wrapped(prev.text, stripped):
        return False
    if _marker(stripped) or _is_row(line.text) or _is_row(prev.text):
        return True
    if _looks_like_heading(prev.text.strip()) or _looks_like_heading(stripped):
        return True
    ends_sentence = prev.text.rstrip().endswith((".", ":", ";"))
    return ends_sentence and len(prev.text) < 0.8 * typical


# "... consistent with\nSection 8." in a PDF: a cross-reference wrapped onto its own line, not a heading.
_BARE_REFERENCE = re.compile(r"(?:section|article|part|§)\s*[\dIVXLC]+(?:\.\d+)*[.,;)]?", re.I)
_MID_SENTENCE = re.compile(r"[a-z,]$")


def _cross_reference_wrapped(prev: str, line: str) -> bool:
    """A bare "Section 8." after a line that stops mid-sentence continues that sentence."""
    return bool(_MID_SENTENCE.search(prev.rstrip())) and _BARE_REFERENCE.fullmatch(line) is not None


def _make_block(text: str, lines: list[_Line]) -> _Block:
    start, end = lines[0].start, lines[-1].end
    row = len(lines) == 1 and _is_row(lines[0].text)  # before trimming: a row may open with an empty cell
    while start < end and text[start].isspace():
        start += 1
    return _Block(start=start, end=end, text=text[start:end], row=row)


_marker = lru_cache(maxsize=4096)(marker_of)  # a line is asked about as itself and as the one before


def _is_row(line: str) -> bool:
    """`table_row`, without its regex for the many lines that hold no cell separator at all."""
    return "|" in line and table_row(line)


@lru_cache(maxsize=4096)  # each line is asked about twice, as a line and as the line before the next
def _looks_like_heading(line: str) -> bool:
    """A short title line: numbered and title-like, or all capitals."""
    if not line or len(line) > 90 or len(line.split()) > 12 or line.endswith((",", ";", ":")):
        return False
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 3:
        return False
    upper_ratio = sum(c.isupper() for c in letters) / len(letters)
    if upper_ratio > 0.85 and not line.startswith("_"):
        return True
    marker = _marker(line)
    if marker:
        rest = MARKERS[[n for n, _ in MARKERS].index(marker)][1].sub("", line).strip(" :-")
        words = rest.rstrip(".").split()
        if not words or len(words) > 12 or (rest.endswith(".") and len(words) > 8):
            return marker in ("article", "section") and len(words) <= 8
        return all(_title_word(w) for w in words)
    return False


_SMALL_WORDS = frozenset(
    {
        "of",
        "and",
        "the",
        "for",
        "to",
        "in",
        "on",
        "with",
        "a",
        "an",
        "or",
        "as",
        "at",
        "by",
        "from",
        "not",
        "do",
        "be",
        "its",
        "&",
    }
)


def _title_word(word: str) -> bool:
    return not word[0].isalpha() or word[0].isupper() or word.lower() in _SMALL_WORDS


def _classify(blocks: list[_Block]) -> list[_Block]:
    """Mark headings; an unnumbered Title Case line is a heading only before a real paragraph."""
    for i, block in enumerate(blocks):
        single_line = "\n" not in block.text
        block.marker = marker_of(block.text)
        block.heading = single_line and not block.row and _looks_like_heading(block.text)
        if not block.heading and single_line and not block.marker and _title_case(block.text):
            nxt = blocks[i + 1] if i + 1 < len(blocks) else None
            block.heading = nxt is not None and len(nxt.text) > 80
    return blocks


def _title_case(line: str) -> bool:
    words = line.split()
    if not 1 <= len(words) <= 6 or line.endswith((".", ",", ";", ":")) or "|" in line:
        return False
    return all(_title_word(w) for w in words)


def _unnumbered_class(text: str) -> str:
    return "caps" if text.upper() == text else "title"


def _push_heading(path: list[tuple[str, str]], cls: str, text: str) -> list[tuple[str, str]]:
    """Outline logic: a heading of a class already open closes everything below it."""
    for i, (open_cls, _) in enumerate(path):
        if open_cls == cls:
            return [*path[:i], (cls, text)]
    return [*path, (cls, text)]


def _windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split an over-long block at sentence ends into windows of about WINDOW_CHARS."""
    if end - start <= MAX_CLAUSE_CHARS:
        return [(start, end)]
    cuts = [start] + [start + e for _, e in sentence_spans(text[start:end])[:-1]]
    windows: list[tuple[int, int]] = []
    win_start = start
    for cut in cuts[1:]:
        if cut - win_start >= WINDOW_CHARS:
            windows.append((win_start, cut))
            win_start = cut
            while win_start < end and text[win_start].isspace():
                win_start += 1
    if win_start < end:
        if windows and end - win_start < WINDOW_CHARS // 3:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((win_start, end))
    return windows
