"""The offline reviewer: deterministic rules per requirement, driven by the checklist's signals.

Decision order: condition (not_applicable) -> contrary language (weak, unless a strong clause
overrides it with "notwithstanding") -> enough strong signals (present) -> partly met strong
language, vague wording, a heading that names the topic, or a mention that is more than passing
(weak) -> nothing, or only a passing mention (missing). The rationale names the signal that
decided, in words a reviewer can check.

"Passing" is learned, not hand-set: `topic_reliability.json` (fitted on the dev splits by
`scripts/fit_rules.py`) counts, per requirement and topic pattern, how often a
document whose only evidence was that pattern really addressed the requirement. A lone
"assign" rarely means the SRO selection process is addressed; a lone "purpose" usually means the
purpose is. A mention counts when its smoothed rate is at least PASSING_THRESHOLD, when two or
more different topic patterns agree, or when a heading names the topic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..checklist import Requirement, Signals
from ..models import Clause, Document, Finding, ScoredClause, Status
from ..quotes import quote_at
from ..vocabulary import (
    blank,
    negated,
    party_of_heading,
    sentence_at,
    sentence_spans,
    set_aside,
    signature_block_start,
)
from .matcher import current_index, index_for

_NOTWITHSTANDING = re.compile(r"notwithstanding", re.I)
MAX_QUOTES = 3
TOPIC_TABLE = Path(__file__).with_name("topic_reliability.json")
PASSING_THRESHOLD = 0.5  # a lone mention counts when it addressed the requirement at least half the time
# A heading written into the clause's first line: "B. Regular Duty Hours of School Resource Officers:"
_INLINE_HEADING = re.compile(r"^[^.:;\n]{3,90}(?::|\n)")


@dataclass
class _Compiled:
    topic: list[re.Pattern[str]]
    strong: list[re.Pattern[str]]
    vague: list[re.Pattern[str]]
    contrary: list[re.Pattern[str]]
    condition: list[re.Pattern[str]]


@dataclass
class _Hits:
    strong: dict[int, tuple[Clause, re.Match[str]]] = field(default_factory=dict)
    contrary: list[tuple[Clause, re.Match[str]]] = field(default_factory=list)
    vague: list[tuple[Clause, re.Match[str]]] = field(default_factory=list)
    topic: list[tuple[Clause, re.Match[str]]] = field(default_factory=list)
    topic_patterns: set[int] = field(default_factory=set)  # every topic pattern met anywhere
    heading_topic: list[Clause] = field(default_factory=list)  # clauses whose heading names the topic


@lru_cache(maxsize=256)
def _compile(signals_json: str) -> _Compiled:
    signals = Signals.model_validate_json(signals_json)

    def comp(patterns: list[str]) -> list[re.Pattern[str]]:
        return [re.compile(p, re.I) for p in patterns]

    return _Compiled(
        comp(signals.topic),
        comp(signals.strong),
        comp(signals.vague),
        comp(signals.contrary),
        comp(signals.condition),
    )


def _led(clause: Clause) -> str | None:
    """A clause under a heading that names a party ("The District will", a roles table's column
    "Police Department Responsibilities") read with that heading as its lead-in, else None."""
    heading = clause.heading_path[-1] if clause.heading_path else ""
    return f"{heading}: {clause.text}" if party_of_heading(heading) else None


def _across(pattern: re.Pattern[str], led: str, cut: int) -> re.Match[str] | None:
    """A match that starts in the lead-in heading and ends in the clause: the heading is its subject."""
    if current_index().search(pattern, led) is None:
        return None
    return next((m for m in pattern.finditer(led) if m.start() < cut < m.end()), None)


def _at(clause: Clause, match: re.Match[str]) -> tuple[int, int]:
    """The match's span in the clause's own text (a match in the led text starts at the clause)."""
    shift = len(match.string) - len(clause.text)
    return max(match.start() - shift, 0), max(match.end() - shift, 0)


def _sentence(text: str, offset: int) -> str:
    start, end = sentence_at(text, offset)
    return text[start:end]


class OfflineReviewer:
    name = "offline"

    def review(
        self,
        document: Document,
        requirement: Requirement,
        retrieved: list[ScoredClause],
        clauses: list[Clause],
    ) -> tuple[Finding, list[str]]:
        base = Finding(requirement_id=requirement.id, status=Status.missing, severity=requirement.severity)
        evidence = _evidence(document, requirement, retrieved, clauses)
        if evidence is None:
            return base.model_copy(
                update={
                    "status": Status.not_applicable,
                    "rationale": "condition not met: the MOU does not mention it",
                }
            ), []
        patterns, ordered, agreed, hits = evidence
        recitals_count = requirement.signals.recitals_count
        finding, quotes = _decide(base, requirement.signals, patterns, hits, agreed)
        if finding.status is Status.missing:
            return _said_but_not_agreed(finding, patterns, ordered, agreed, recitals_count) or (
                finding,
                quotes,
            )
        return finding, quotes


def _evidence(
    document: Document, requirement: Requirement, retrieved: list[ScoredClause], clauses: list[Clause]
) -> tuple[_Compiled, list[Clause], list[Clause], _Hits] | None:
    """(patterns, clauses in retrieval order, the same with what commits no one blanked, the hits
    in those), or None when the requirement's condition is not met: what every verdict rests on."""
    signals = requirement.signals
    patterns = _compile(signals.model_dump_json())
    index = index_for(document, clauses)  # each pattern run once per document, for every requirement
    if patterns.condition and not index.first(patterns.condition, document.text):
        return None
    ordered = _retrieval_order(retrieved, clauses)
    if signals.signature_block:
        ordered = _signature_region(document, ordered)
    agreed = [_agreed(c, signals.recitals_count) for c in ordered]
    return patterns, ordered, agreed, _scan(agreed, patterns)


def _agreed(clause: Clause, recitals_count: bool) -> Clause:
    """The clause with what commits no one blanked out (recitals, claims about the agreement,
    recommendations, and all of a disclaimed or model-instructing paragraph): rules read terms."""
    _, spans = set_aside(clause.text, recitals_count)
    return clause.model_copy(update={"text": blank(clause.text, spans)}) if spans else clause


def _said_but_not_agreed(
    finding: Finding, patterns: _Compiled, ordered: list[Clause], agreed: list[Clause], recitals_count: bool
) -> tuple[Finding, list[str]] | None:
    """Weak when the requirement appears only in a recital, a claim or a recommendation: it is
    named, not agreed. A disclaimed or model-instructing paragraph stays no evidence at all."""
    aside = [
        o
        for o, a in zip(ordered, agreed, strict=True)
        if a is not o and set_aside(o.text, recitals_count)[0] is None
    ]
    if not aside:
        return None
    hits = _scan(aside, patterns)
    pairs = [hits.strong[i] for i in sorted(hits.strong)] + hits.vague
    if not pairs and (not hits.topic or _passing(finding.requirement_id, patterns, hits)):
        return None
    clause, match = (pairs or hits.topic)[0]
    rationale = f"named only in a recital, a claim about the agreement or a recommendation ('{_said(match)}'), not as an agreed term"
    return _finding(finding, Status.weak, [], rationale), _dedupe(
        [quote_at(clause.text, *_at(clause, match))]
    )


def _retrieval_order(retrieved: list[ScoredClause], clauses: list[Clause]) -> list[Clause]:
    """Retrieved clauses first (best evidence), then every other clause: rules see the whole MOU."""
    seen = {s.clause.clause_id for s in retrieved}
    return [s.clause for s in retrieved] + [c for c in clauses if c.clause_id not in seen]


def _signature_region(document: Document, clauses: list[Clause]) -> list[Clause]:
    start = signature_block_start(document.text)
    return [] if start is None else [c for c in clauses if c.end > start]


def _scan(clauses: list[Clause], patterns: _Compiled) -> _Hits:
    hits = _Hits()
    index = current_index()
    relevant = index.relevant([*patterns.strong, *patterns.contrary, *patterns.topic, *patterns.vague])
    for clause in clauses:
        text, led = clause.text, _led(clause)
        heading_topic = _heading_names_topic(clause, patterns.topic)
        if text not in relevant and not heading_topic and not led and index.covers(text):
            continue  # no pattern matches its text and its heading is off topic: nothing to record
        for i, pattern in enumerate(patterns.strong):
            if i in hits.strong:
                continue
            if m := index.search(pattern, text) or (led and _across(pattern, led, len(led) - len(text))):
                hits.strong[i] = (clause, m)
        if contrary := next(filter(None, (_affirmed(p, text) for p in patterns.contrary)), None):
            hits.contrary.append((clause, contrary))
        topic = None
        for i, pattern in enumerate(patterns.topic):
            if m := index.search(pattern, text):
                hits.topic_patterns.add(i)
                topic = topic or m
        if heading_topic:
            hits.heading_topic.append(clause)
        # vague wording counts only on topic: "from time to time" in a training clause says nothing
        # about term and review
        vague = _first_match(patterns.vague, text)
        if vague and (topic or _first_match(patterns.strong, text)):
            hits.vague.append((clause, vague))
        if topic:
            hits.topic.append((clause, topic))
    return hits


def _heading(clause: Clause) -> str:
    """The clause's nearest heading, or the heading written into its first line."""
    if clause.heading_path:
        return clause.heading_path[-1]
    m = _INLINE_HEADING.match(clause.text)
    return m.group(0) if m else ""


def _heading_names_topic(clause: Clause, topic: list[re.Pattern[str]]) -> bool:
    heading = _heading(clause)
    return bool(heading) and current_index().first(topic, heading) is not None


@lru_cache(maxsize=1)
def topic_reliability() -> dict[str, dict[str, list[int]]]:
    """Requirement id -> topic pattern -> [addressed, not addressed] counts on the dev splits."""
    if not TOPIC_TABLE.is_file():
        return {}
    data: dict[str, dict[str, list[int]]] = json.loads(TOPIC_TABLE.read_text(encoding="utf-8"))["counts"]
    return data


def mention_rate(requirement_id: str, pattern: str) -> float:
    """Smoothed share of dev documents with only this mention that addressed the requirement;
    an unseen pattern gets the prior, 0.5, and so still counts."""
    addressed, not_addressed = topic_reliability().get(requirement_id, {}).get(pattern, (0, 0))
    return (addressed + 1) / (addressed + not_addressed + 2)


def _passing(requirement_id: str, patterns: _Compiled, hits: _Hits) -> bool:
    """Only a passing mention: one kind of topic word, no heading naming it, and on the dev sets
    that word alone seldom meant the requirement was addressed."""
    if hits.heading_topic or len(hits.topic_patterns) > 1:
        return False
    return all(
        mention_rate(requirement_id, patterns.topic[i].pattern) < PASSING_THRESHOLD
        for i in hits.topic_patterns
    )


def topic_only_patterns(
    document: Document, requirement: Requirement, clauses: list[Clause]
) -> list[str] | None:
    """The topic patterns met when they are the rules' only evidence (no strong, vague or
    contrary language, no heading), else None: what `topic_reliability.json` is fitted on."""
    evidence = _evidence(document, requirement, [], clauses)
    if evidence is None:
        return None
    patterns, _, _, hits = evidence
    if hits.strong or hits.vague or hits.contrary or hits.heading_topic or not hits.topic:
        return None
    return [patterns.topic[i].pattern for i in sorted(hits.topic_patterns)]


def _first_match(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    return current_index().first(patterns, text)


def _affirmed(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match not negated earlier in its sentence: "SROs do not enforce school rules"
    is the carve-out, not the contrary language it contains."""
    if not current_index().search(pattern, text):
        return None  # no match at all: spare the finditer
    for m in pattern.finditer(text):
        if not negated(text, m.start()):
            return m
    return None


def _quotes(pairs: list[tuple[Clause, re.Match[str]]]) -> list[str]:
    """Up to MAX_QUOTES quotes, at most one per sentence, in the order the hits are given."""
    out: list[str] = []
    seen: set[tuple[str, int]] = set()
    for clause, match in pairs:
        start, end = _at(clause, match)
        sentence = sentence_at(clause.text, start)[0]
        if (clause.clause_id, sentence) in seen:
            continue
        seen.add((clause.clause_id, sentence))
        quote = quote_at(clause.text, start, end)
        if quote and quote not in out:
            out.append(quote)
        if len(out) == MAX_QUOTES:
            break
    return out


def _decide(
    base: Finding, signals: Signals, patterns: _Compiled, hits: _Hits, ordered: list[Clause]
) -> tuple[Finding, list[str]]:
    strong = [hits.strong[i] for i in sorted(hits.strong)]  # checklist order: first pattern, best quote
    overriding = [h for h in strong if _NOTWITHSTANDING.search(_sentence(h[0].text, _at(*h)[0]))]
    led = [h for h in strong if _at(*h) != h[1].span()]  # met by a party heading and the clause under it
    contrary = hits.contrary
    if contrary and not overriding:
        issues = [signals.contrary_issue] if signals.contrary_issue else []
        return _finding(
            base.model_copy(update={"contrary": True}),
            Status.weak,
            issues,
            f"contrary language: '{_said(contrary[0][1])}'",
        ), _quotes(contrary)
    enough = len(hits.strong) >= signals.min_strong
    if signals.require_topic_for_present and not hits.topic:
        enough = False
    if signals.require_first_strong and 0 not in hits.strong:
        enough = False
    if enough and not (hits.vague and len(hits.strong) == signals.min_strong and signals.min_strong > 1):
        found = ", ".join(f"'{_said(m)}'" for _, m in strong[:3])
        quotes = (
            _quotes(overriding) + _quotes(led) + _best_sentences(ordered, patterns.strong, patterns.topic)
        )
        if signals.require_topic_for_present:  # the topic sentence is half of what "present" rests on
            quotes = _best_sentences(ordered, patterns.topic, patterns.strong)[:1] + quotes
        return _finding(base, Status.present, [], f"states it: {found}"), _dedupe(quotes)
    if strong or hits.vague or hits.topic or hits.heading_topic:
        if not strong and not hits.vague and _passing(base.requirement_id, patterns, hits):
            word = _said(hits.topic[0][1])
            return _finding(
                base, Status.missing, [], f"only a passing mention ('{word}'); no clause addresses it"
            ), []
        issues = [i for i in (signals.weak_issue,) if i]
        if signals.weak_extra_issue and not strong:
            issues.append(signals.weak_extra_issue)
        primary = patterns.vague if hits.vague else patterns.strong if strong else patterns.topic
        quotes = _best_sentences(ordered, primary, patterns.topic + patterns.strong)
        if primary is patterns.strong:  # partly met: show what is there and the on-topic text around it
            topical = _best_sentences(ordered, patterns.topic, patterns.strong)
            quotes = _dedupe(quotes[:2] + topical[:1] + quotes[2:])
        if not quotes and hits.heading_topic:
            quotes = _heading_quotes(hits.heading_topic)
        return _finding(base, Status.weak, issues, _weak_reason(hits, strong)), quotes
    return _finding(base, Status.missing, [], "no clause addresses it"), []


def _weak_reason(hits: _Hits, strong: list[tuple[Clause, re.Match[str]]]) -> str:
    """Why the verdict is weak, in words a reviewer can check against the quotes."""
    if hits.vague:
        return f"vague wording: '{_said(hits.vague[0][1])}'"
    if strong:
        found = ", ".join(f"'{_said(m)}'" for _, m in strong[:2])
        return f"partly there ({found}), but short of what the checklist asks for"
    if hits.topic:
        return f"mentions it ('{_said(hits.topic[0][1])}') without saying what is agreed"
    return f"the heading '{_words(_heading(hits.heading_topic[0]))}' names it, but the text says nothing specific"


def _said(m: re.Match[str]) -> str:
    """What a match says, widened to whole words of its text: 'training', not 'train'."""
    text, start, end = m.string, m.start(), m.end()
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return _words(text[start:end])


def _words(text: str, limit: int = 60) -> str:
    """`text` cut at a word boundary, never mid-word."""
    text = " ".join(text.split()).rstrip(":")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def _heading_quotes(clauses: list[Clause]) -> list[str]:
    """The opening sentence under a heading that names the topic: what the section says about it."""
    quotes = []
    for clause in clauses[:MAX_QUOTES]:
        spans = sentence_spans(clause.text)
        if spans:
            quotes.append(quote_at(clause.text, spans[0][0], spans[0][1]))
    return _dedupe(quotes)


def _best_sentences(
    ordered: list[Clause], primary: list[re.Pattern[str]], secondary: list[re.Pattern[str]]
) -> list[str]:
    """The sentences that meet the most distinct `primary` patterns (ties: more `secondary`
    patterns, then retrieval order): the ones a reader needs to see to check the verdict."""
    scored = []
    index = current_index()
    hit = index.relevant(primary)
    for rank, clause in enumerate(ordered):
        if clause.text not in hit and (index.covers(clause.text) or not index.first(primary, clause.text)):
            continue  # one search per clause spares a search per sentence
        for start, end in sentence_spans(clause.text):
            sentence = clause.text[start:end]
            matches = [m for p in primary if (m := index.search_part(p, sentence, clause.text, start))]
            if not matches:
                continue
            support = sum(1 for p in secondary if index.exists_part(p, sentence, clause.text, start))
            first = min(matches, key=lambda m: m.start())
            scored.append(
                (-len(matches), -support, rank, start, clause, start + first.start(), start + first.end())
            )
    scored.sort(key=lambda row: row[:4])
    quotes = [quote_at(clause.text, at, until) for *_, clause, at, until in scored[: MAX_QUOTES * 2]]
    return _dedupe(quotes)[:MAX_QUOTES]


def _dedupe(quotes: list[str]) -> list[str]:
    """Distinct quotes, none a piece of another (two cuts of one sentence show it once)."""
    out: list[str] = []
    for quote in quotes:
        if quote and not any(quote in kept or kept in quote for kept in out):
            out.append(quote)
    return out[:MAX_QUOTES]


def _finding(base: Finding, status: Status, issues: list[str], rationale: str) -> Finding:
    return base.model_copy(update={"status": status, "issues": issues, "rationale": rationale})
