"""How an MOU's text is read, defined once: sentences, list labels, negation, agency words and
where the signature block starts.

The quote picker, the offline reviewer, segmentation, the redline and grounding must agree on
these: a reviewer that tests negation in one "sentence" and quotes another, or a redline that
puts the signature block somewhere else than the reviewer looks for signatures, contradicts
itself. Pure regexes and functions, no I/O.
"""

from __future__ import annotations

import re
from functools import lru_cache

# --- list labels ----------------------------------------------------------------------------

# The numbering styles that open a clause, outermost first: segmentation's outline classes.
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("article", re.compile(r"^(?:ARTICLE|Article)\s+(?:[IVXLC]+|\d+)\b[.:]?")),
    ("section", re.compile(r"^(?:SECTION|Section|Sec\.|§)\s*\d+(?:\.\d+)*[.:]?")),
    ("decimal3", re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?(?=\s)")),
    ("decimal2", re.compile(r"^\d{1,2}\.\d{1,2}\.?(?=\s)")),
    ("decimal1", re.compile(r"^\d{1,2}[.)](?=\s)")),
    ("roman", re.compile(r"^(?:[IVX]{1,5})\.(?=\s)")),
    ("upper", re.compile(r"^[A-Z][.)](?=\s)")),
    ("paren_roman", re.compile(r"^\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)(?=\s)")),
    ("paren_lower", re.compile(r"^\([a-z]\)(?=\s)")),
    ("paren_num", re.compile(r"^\(\d{1,2}\)(?=\s)")),
    ("lower", re.compile(r"^[a-z][.)](?=\s)")),
]
# A leading list number, section label, bullet or heading a quote leaves out: "1.3 ", "(a) ",
# "A.2 ", "Section 4.2 ", "IV. ", "• ".
LIST_LABEL = re.compile(
    r"\s*(?:(?:section|article|sec\.)\s+[\dIVXLC]+(?:\.\d+)*[.:]?\s+|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)\s+|\(?[a-zA-Z]\)\s+|\(?\d{1,3}\)\s+|[A-Z]\.\d+(?:\.\d+)*\s+|\d+(?:\.\d+)+\.?\s+|\d{1,3}\.\s+|[IVXLC]+\.\s+|[A-Z]\.\s+|[-•*]\s+)",
    re.I,
)
# A line that opens a list item ("(a) ", "1. ", "iv) ", "• "): it ends the sentence before it.
_ITEM_LINE = r"\n(?=\s*(?:\(?[a-zA-Z0-9]{1,4}[.)]\s|[-•*]\s))"


def marker_of(text: str) -> str | None:
    """Name of the numbering style a line starts with, if any."""
    for name, pattern in MARKERS:
        if pattern.match(text):
            return name
    return None


def strip_label(text: str, start: int, end: int) -> int:
    """Start of text[start:end] after any leading list numbers or section labels."""
    while m := LIST_LABEL.match(text, start, end):
        if m.end() >= end:
            break
        start = m.end()
    return start


# --- table cells ----------------------------------------------------------------------------

# How the loaders write a table: one line per row, its cells joined by CELL_SEPARATOR (docx_text).
# Normalising trims a line's edges, so an empty first or last cell leaves "| b" or "a |".
# A cell is what a reader finds with Ctrl+F in Word, so no sentence, clause or quote crosses one.
CELL_SEPARATOR = " | "
_SEPARATOR = r" \| | \|(?=\n|$)|(?<![^\n])\| "
_CELL_EDGE = _SEPARATOR + r"|\n(?=[^\n]*? \|(?: |\n|$)|\| )"  # a separator, or the break before a row
_SEPARATORS = re.compile(_SEPARATOR)


def table_row(line: str) -> bool:
    """The line is a table row as the loaders write it."""
    return bool(_SEPARATORS.search(line))


def cell_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of the one-line row text[start:end], whitespace trimmed."""
    cells, pos = [], start
    for m in _SEPARATORS.finditer(text, start, end):
        cells.append(_trimmed(text, pos, m.start()))
        pos = m.end()
    cells.append(_trimmed(text, pos, end))
    return cells


def one_cell(text: str, start: int, end: int) -> tuple[int, int]:
    """text[start:end] cut to the one table cell holding most of it (unchanged outside a table).

    A quote that joins cells ("Provide an office | Assign two officers") is in no cell of the
    document a reader could search for; the longest piece is what the quote is mostly about.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if not table_row(text[line_start : line_end if line_end >= 0 else len(text)]):
        return start, end
    pieces = [cell for line in _line_spans(text, start, end) for cell in cell_spans(text, *line)]
    return max(pieces, key=lambda p: p[1] - p[0])


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, pos = [], start
    while (cut := text.find("\n", pos, end)) >= 0:
        spans.append((pos, cut))
        pos = cut + 1
    return [*spans, (pos, end)]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- sentences ------------------------------------------------------------------------------

# Abbreviations whose period does not end a sentence in MOUs: statutes, times, titles, initials.
ABBREVIATION = re.compile(
    r"(?:\b(?:U\.S\.C|C\.F\.R|U\.S|a\.m|p\.m|No|Nos|Dr|Mr|Mrs|Ms|St|Sec|Secs|Art|e\.g|i\.e|etc|Inc|Co|Corp|Jr|Sr|vs|v|Stat|Ann|Rev|Ch|Pub|L|Ed|Gov|approx)|\b[A-Z])$"
)
_BOUNDARY = re.compile(
    r"[.?!;:](?=[\"'\u201d\u2019)]?\s+(?=[A-Z(\"\u201c\d]))|\n\s*\n|" + _ITEM_LINE + "|" + _CELL_EDGE
)
# A span that ends a full sentence (not the ";" of a run-on sentence or a list lead-in).
TERMINAL = re.compile(r"[.?!][\"'\u201d\u2019)]*$")


@lru_cache(maxsize=8192)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each sentence, list item or heading line of `text`, whitespace trimmed.

    A span ends at ".", "?" or "!" (not after an abbreviation such as "U.S.C." or "Sec."), at ";"
    before a capital, at ":" before a lettered list, at a blank line, and before a line that
    opens a list item, and at a table cell's edge. Cached: every requirement looks at the same clauses.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end() if m.group(0) in ".?!;:" else m.start()
        if m.group(0) == "." and _abbreviated(text, start, m.start()):
            continue
        if m.group(0) == ":" and not _LIST_AFTER.match(text, m.end()):
            continue  # a colon ends a span only before a lettered list
        _add(spans, text, start, end)
        start = m.end()
    _add(spans, text, start, len(text))
    return tuple(spans)


_LIST_AFTER = re.compile(r"\s*\(")  # what follows a colon that ends a span: a lettered list
# Longer than any ABBREVIATION match (the longest, "approx", is 6 characters, and `$` may match
# before a final newline): only that much of a span's end is searched for one.
_ABBREVIATION_REACH = 16


def _abbreviated(text: str, start: int, end: int) -> bool:
    """`ABBREVIATION.search(text[start:end])`, reading only the last _ABBREVIATION_REACH
    characters. Searched in place: `\\b` at the window's left edge then sees the character
    before it, as the slice does; at `start` there is none in the slice and a boundary character
    (never a word character) in the text, which reads the same."""
    return ABBREVIATION.search(text, max(start, end - _ABBREVIATION_REACH), end) is not None


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_at(text: str, offset: int) -> tuple[int, int]:
    """The span of the sentence holding `offset` (the gap before a sentence belongs to it)."""
    spans = sentence_spans(text)
    return next((span for span in spans if offset < span[1]), spans[-1] if spans else (0, len(text)))


# --- negation -------------------------------------------------------------------------------

NEGATION = re.compile(r"\b(not|never|no|nor|neither)\b|n't\b", re.I)
# How far before a match a negation still governs it ("shall not, except as provided, enforce").
NEGATION_REACH = 80


def negated(text: str, start: int) -> bool:
    """A "not", "never", "no" ... before offset `start` in its own sentence, within NEGATION_REACH
    characters: "SROs do not enforce school rules" is the carve-out, not contrary language."""
    sentence_start = sentence_at(text, start)[0]
    return bool(NEGATION.search(text, max(sentence_start, start - NEGATION_REACH, 0), start))


# --- commitments ----------------------------------------------------------------------------

# Sentences that commit the parties to nothing: a WHEREAS recital, a claim about the agreement
# itself ("this agreement fully complies with FERPA") and what someone else recommends for
# agreements in general ("the COPS Office recommends that agreements address ...").
RECITAL = re.compile(r"^\W*(?:and\s+)?whereas\b", re.I)
CLAIM = re.compile(
    r"\b(?:this|the)\s+(?:agreement|mou|memorandum|contract|document)\s+(?:fully\s+)?"
    r"(?:complies|is\s+(?:fully\s+)?(?:compliant|consistent)|conforms)\s+with\b",
    re.I,
)
HEARSAY = re.compile(
    r"\b(?:recommends?|recommended|suggests?|encourages?)\s+that\s+(?:all\s+)?(?:such\s+)?"
    r"(?:agreements|mous?|memoranda|partnerships|jurisdictions|agencies|districts)\b",
    re.I,
)
# A paragraph that takes back what it says, or talks to the reader (a model) instead of the parties:
# nothing in it is agreed, so none of it is evidence.
DISCLAIMER = re.compile(
    r"none of the above is (?:agreed|binding)|nothing in this (?:section|paragraph|clause|list) is "
    r"(?:agreed|binding)|(?:is|are) not (?:agreed|binding) (?:by|on|upon) the parties",
    re.I,
)
INSTRUCTION = re.compile(
    r"\b(?:ignore|disregard)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier|preceding)\s+"
    r"(?:instructions|prompts?|rules)|\bmark\s+(?:every|all|each)\s+requirements?\b|\bsystem prompt\b"
    r"|\byou are (?:now )?(?:an? )?(?:ai|assistant|language model)\b",
    re.I,
)


_ANY_UNCOMMITTED = re.compile(
    "|".join(f"(?:{p.pattern})" for p in (INSTRUCTION, DISCLAIMER, CLAIM, HEARSAY)), re.I
)  # matches somewhere exactly when one of them does


@lru_cache(maxsize=8192)
def set_aside(text: str, recitals_count: bool = False) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """What in `text` is no agreed term: ("disclaimer" or "instruction", every sentence) when the
    whole paragraph is, else (None, spans of recitals, claims and recommendations)."""
    kind, anywhere, opens_recital = _uncommitted(text)
    if kind:
        return kind, sentence_spans(text)
    if not anywhere and (recitals_count or not opens_recital):
        return None, ()  # none anywhere, so none in any sentence (see `_aside_sentences`)
    return None, _aside_sentences(text, recitals_count)


@lru_cache(maxsize=8192)
def _uncommitted(text: str) -> tuple[str | None, bool, bool]:
    """(what sets the whole paragraph aside, or None; whether a claim or a recommendation is
    anywhere in it; whether it opens as a recital), read once per text for both `set_aside`
    variants, each search told by RE2 first (`confirm`: exactly `pattern.search(text)`)."""
    from .reviewers.matcher import confirm  # a leaf module, but under the reviewers package

    data = text.encode("ascii") if text.isascii() else None
    if not confirm(_ANY_UNCOMMITTED, text, data):  # most texts: one pass says none of the four is there
        return None, False, RECITAL.match(text) is not None
    if confirm(INSTRUCTION, text, data):
        return "instruction", False, False
    if confirm(DISCLAIMER, text, data):
        return "disclaimer", False, False
    anywhere = bool(confirm(CLAIM, text, data) or confirm(HEARSAY, text, data))
    return None, anywhere, RECITAL.match(text) is not None


def _aside_sentences(text: str, recitals_count: bool) -> tuple[tuple[int, int], ...]:
    """The sentences that are recitals, claims or recommendations. A match inside a sentence is
    one in the whole text too (a sentence never starts or ends next to a word character, and `^`
    matches only at 0), so `set_aside` skips this when the whole text has none."""
    spans = sentence_spans(text)
    return tuple(
        (start, end)
        for start, end in spans
        if (not recitals_count and RECITAL.match(text, start))
        or CLAIM.search(text, start, end)
        or HEARSAY.search(text, start, end)
    )


def blank(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """`text` with `spans` replaced by spaces: offsets stay, the words are gone."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# --- parties --------------------------------------------------------------------------------

AGENCY_WORDS = re.compile(r"police|sheriff|public safety|marshal|constab(?:le|ulary)", re.I)
DISTRICT_WORDS = re.compile(r"school|board of education|academy|isd|district|corporation", re.I)
# A heading that names a party, as a roles table's column headers do: "The District will",
# "Police Department Responsibilities", "SCHOOL", "AGENCY". The officer is the agency's.
_AGENCY_HEADING = re.compile(
    r"police|sheriff|public safety|marshal|constab|resource officer|\bsros?\b|deput", re.I
)
_OTHER_AGENCY = re.compile(r"\b(?:department|agency|city|county|village|town(?:ship)?|\w{0,4}pd)\b", re.I)
MAX_PARTY_HEADING_WORDS = 8


def party_of_heading(heading: str) -> str | None:
    """ "agency" or "district" when a short heading names that party, else None."""
    if len(heading.split()) > MAX_PARTY_HEADING_WORDS or heading.rstrip().endswith((".", ";")):
        return None
    if _AGENCY_HEADING.search(heading):
        return "agency"
    if DISTRICT_WORDS.search(heading):
        return "district"
    return "agency" if _OTHER_AGENCY.search(heading) else None


# --- the signature block --------------------------------------------------------------------

# What opens the execution part of an agreement: a "Signatures" heading (numbered or not), "IN
# WITNESS WHEREOF", a line starting "By:", "Attest:" or "/s/", or a signature line (a line that
# opens with a blank, or with a short label and a blank: "Date: ______"; a signer's line "Name,
# Title Date: July 9, 2018"). A blank inside a
# sentence ("$______ per hour") or the word "signature" in a clause is not one.
SIGNATURE_MARK = re.compile(
    r"^[ \t]*(?:(?:section|article|part)\s+)?(?:[\dIVXLC]{1,4}[.)]?[ \t]+)?(?:signatures?(?:[ \t]+page)?|signed|execution)[ \t]*[:.]?[ \t]*$"
    r"|in witness whereof"
    r"|^[ \t]*(?:by|attest(?:ed)?)[ \t]*:"
    r"|^[ \t]*/s/"
    r"|^[ \t]*(?:[A-Za-z][A-Za-z .']{0,24}:[ \t]*)?_{4,}"
    r"|^[^\n,]{3,60},[^\n]{2,60}[ \t]Date:[ \t]*(?:_{3,}|[^\n]{0,20}\d{4})[ \t]*$",
    re.I | re.M,
)
# The block is looked for only in the last 40% of the text: a recital that mentions signing, or a
# form's blanks near the top, is not it.
SIGNATURE_TAIL = 0.6


# Who signs, or signed, in words rather than a block: "the Mayor is authorized to execute the
# Agreement", "shall be signed by the Superintendent", "PASSED AND ADOPTED this 5th day of ...",
# "ATTEST:", "each a signatory" (an amendment "executed by all parties" is not one). Council resolutions and excerpts carry these where an executed
# agreement has its signature block; they say who signs, not that both executives signed and dated.
EXECUTION_LANGUAGE = re.compile(
    r"\bauthori[sz](?:e|ed|es|ing)\b[^.;]{0,120}?\b(?:sign|execut|re-?execut)\w*"
    r"|\b(?:shall|will|must|to)\s+be\s+signed\b|\bsigned\s+by\b"
    r"|\bre-?execute\b|\bsignator(?:y|ies)\b|\bin\s+witness\s+whereof\b"
    r"|\battest(?:ed)?\s*:|\bapproved\s+as\s+to\s+form\b"
    r"|\b(?:passed|adopted|approved)\b[^.;]{0,80}?\b\d{1,2}\s?(?:st|nd|rd|th|tn)?\s+day\s+of\b",
    re.I,
)


_CHANGES = re.compile(r"\b(?:amend|modif|addend|renew|extend|extension)", re.I)


def execution_language(text: str) -> re.Match[str] | None:
    """The first words about who signs the agreement, not in a sentence about changing it
    ("any amendment signed by both parties" says how to amend, not who executes)."""
    for m in EXECUTION_LANGUAGE.finditer(text):
        start, end = sentence_at(text, m.start())
        if not _CHANGES.search(text, start, end):
            return m
    return None


def signature_block_start(text: str) -> int | None:
    """Offset where the signature block starts (its first mark in the tail), or None."""
    tail = int(len(text) * SIGNATURE_TAIL)
    m = SIGNATURE_MARK.search(text, tail)
    return m.start() + len(m.group(0)) - len(m.group(0).lstrip()) if m else None
