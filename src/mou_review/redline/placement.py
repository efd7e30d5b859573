"""Where a new clause goes, as a drafter expects it, and what number it takes (pure, no I/O).

- the purpose and parties at the top, after the preamble;
- a clause whose topic has its own heading in the agreement goes at the end of that section, as
  its next numbered item when the section's items are numbered;
- any other clause becomes a new section after the last section of the body (before the
  signature block), in checklist order, numbered in the agreement's own style ("XII.", "Article
  12", "Section 12.", "12.");
- a signature block at the very end.
Nothing is ever placed inside a list whose heading is about something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..models import Clause
from ..vocabulary import MARKERS, marker_of, signature_block_start

_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
_NUMBER = re.compile(r"[IVXLC]+\b|\d+|\b[A-Za-z]\b")


@dataclass(frozen=True)
class Placement:
    anchor: Clause | None
    position: Literal["after", "before"]
    section: str | None
    number: str | None
    under_heading: bool


def body_clauses(clauses: list[Clause], text: str) -> list[Clause]:
    """The clauses before the signature block (where `vocabulary` says it starts), at least one."""
    start = signature_block_start(text)
    if start is None:
        return clauses
    body = [c for c in clauses if c.end <= start]
    return body or clauses[:1]


def heading_section(clauses: list[Clause], patterns: list[str]) -> list[Clause]:
    """The clauses of the first section whose own heading matches one of `patterns`."""
    title = clauses[0].heading_path[:1] if clauses else []
    for i, clause in enumerate(clauses):
        path = clause.heading_path
        if not path or path == title or not any(re.search(p, path[-1], re.I) for p in patterns):
            continue
        section = [clause]
        for nxt in clauses[i + 1 :]:
            if nxt.heading_path[: len(path)] != path:
                break
            section.append(nxt)
        return section
    return []


def top(clauses: list[Clause]) -> Placement:
    """After the preamble (the clauses under the title, before the first section), else first."""
    if not clauses:
        return Placement(None, "after", None, None, False)
    first_path = clauses[0].heading_path
    preamble = [c for c in clauses if c.heading_path == first_path and not marker_of(c.text)]
    if preamble and preamble[0].index == 0 and len(preamble) < len(clauses):
        last = preamble[-1]
        return Placement(last, "after", _heading(last), None, False)
    return Placement(clauses[0], "before", _heading(clauses[0]), None, False)


def under_heading(section: list[Clause], offset: int = 0) -> Placement:
    """At the end of a matching section, numbered as its next item if its items are numbered
    (`offset` items already added there)."""
    last = section[-1]
    number = None
    if marker_of(last.text) not in (None, "article", "section", "roman"):
        number = leading_marker(last.text)
        for _ in range(offset + 1):
            number = next_number(number)
    return Placement(last, "after", _heading(last), number, True)


def new_section(body: list[Clause], offset: int) -> Placement:
    """After the last clause of the body, numbered `offset` past the agreement's last section."""
    last = body[-1]
    style = section_style(body)
    number = None
    if style is not None:
        number = style
        for _ in range(offset + 1):
            number = next_number(number)
    return Placement(last, "after", _heading(last), number, False)


def section_style(clauses: list[Clause]) -> str | None:
    """The number of the agreement's last top-level section, e.g. "X.", "ARTICLE 9", "Section 12."."""
    numbered: list[tuple[int, str]] = []
    for clause in clauses:
        for depth, heading in enumerate(clause.heading_path):
            if marker_of(heading) in ("article", "section", "roman", "decimal1", "upper"):
                numbered.append((depth, leading_marker(heading)))
    if numbered:
        depth = min(d for d, _ in numbered)
        return [m for d, m in numbered if d == depth][-1]
    last = clauses[-1] if clauses else None
    if last is not None and marker_of(last.text) in ("article", "section", "decimal1"):
        return leading_marker(last.text)
    return None


def leading_marker(text: str) -> str:
    name = marker_of(text)
    if name is None:
        return ""
    match = dict(MARKERS)[name].match(text)
    return match.group(0) if match else ""


def next_number(marker: str) -> str:
    """ "VIII." -> "IX.", "5.3" -> "5.4", "(c)" -> "(d)", "Article 4" -> "Article 5"."""
    numbers = list(_NUMBER.finditer(marker))
    if not numbers:
        return marker
    last = numbers[-1]
    token = last.group(0)
    if token.isdigit():
        new = str(int(token) + 1)
    elif re.fullmatch(r"[IVXLC]+", token) and (len(token) > 1 or token in "IVX"):
        new = _to_roman(_from_roman(token) + 1)
    else:
        new = chr(ord(token) + 1)
    return marker[: last.start()] + new + marker[last.end() :]


def _from_roman(token: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for i, ch in enumerate(token):
        value = values[ch]
        total += -value if i + 1 < len(token) and values[token[i + 1]] > value else value
    return total


def _to_roman(n: int) -> str:
    out = ""
    for value, numeral in [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), *_ROMAN]:
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _heading(clause: Clause | None) -> str | None:
    return clause.heading_path[-1] if clause and clause.heading_path else None
