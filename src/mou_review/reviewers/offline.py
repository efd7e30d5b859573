"""The offline reviewer: deterministic rules per requirement, driven by the checklist's signals.

Decision order: condition (not_applicable) -> contrary language (weak, unless a strong clause
overrides it with "notwithstanding") -> enough strong signals (present) -> partly met strong
language, vague wording, a heading that names the topic, or a mention that is more than passing
(weak) -> nothing, or only a passing mention (missing). The rationale names the signal that
decided, in words a reviewer can check.

A learned second opinion (`clause_model`, fitted on the dev splits) then reads what the words
miss: a requirement the rules found nothing for is `weak` when a retrieved clause reads like the
labelled clauses that address it, and a lone topic word in a clause that reads unlike them is a
passing mention. Both say so in the rationale, with the score.

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
from typing import NamedTuple

from ..checklist import Requirement, Signals
from ..models import Clause, Document, Finding, ScoredClause, Status
from ..quotes import quote_at
from ..vocabulary import (
    EXECUTION_LANGUAGE,
    execution_language,
    negated,
    set_aside,
    signature_block_start,
)
from .clause_model import ClauseModel, shipped_model
from .matcher import MatchIndex
from .quoting import best_sentences, dedupe, heading_quotes, quotes_of, sentence_of, span_in_clause
from .views import DocumentViews, heading_of, views_for

_NOTWITHSTANDING = re.compile(r"notwithstanding", re.I)
TOPIC_TABLE = Path(__file__).with_name("topic_reliability.json")
PASSING_THRESHOLD = 0.5  # a lone mention counts when it addressed the requirement at least half the time


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


def _across(index: MatchIndex, pattern: re.Pattern[str], led: str, cut: int) -> re.Match[str] | None:
    """A match that starts in the lead-in heading and ends in the clause: the heading is its subject."""
    if index.search(pattern, led) is None:
        return None
    return next((m for m in pattern.finditer(led) if m.start() < cut < m.end()), None)


class _Evidence(NamedTuple):
    patterns: _Compiled
    ordered: list[Clause]  # every clause the requirement may rest on, in retrieval order
    agreed: list[Clause]  # the same, with what commits no one blanked
    hits: _Hits  # what the patterns met in `agreed`
    views: DocumentViews
    unsigned: bool = False  # the requirement is read in a signature block and the text has none


class OfflineReviewer:
    name = "offline"

    def __init__(self, clause_model: ClauseModel | None = None, *, learned: bool = True) -> None:
        """`clause_model` defaults to the shipped one; `learned=False` is the rules alone."""
        self.clause_model = (clause_model or shipped_model()) if learned else None

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
        if evidence.unsigned:
            return _without_block(base, requirement.signals, evidence)
        finding, quotes = _decide(base, requirement.signals, evidence)
        if finding.status is Status.missing:
            said = _said_but_not_agreed(finding, evidence, requirement.signals.recitals_count)
            if said is not None:
                return said
        if self.clause_model is not None and not requirement.signals.signature_block:
            return _second_opinion(finding, quotes, retrieved, evidence, self.clause_model)
        return finding, quotes


def _evidence(
    document: Document, requirement: Requirement, retrieved: list[ScoredClause], clauses: list[Clause]
) -> _Evidence | None:
    """The patterns, the clauses and the hits every verdict rests on, or None when the
    requirement's condition is not met."""
    signals = requirement.signals
    patterns = _compile(signals.model_dump_json())
    views = views_for(document, clauses)  # each pattern run once per document, for every requirement
    if patterns.condition and not views.index.first(patterns.condition, document.text):
        return None
    ordered = _retrieval_order(retrieved, clauses)
    start = signature_block_start(document.text) if signals.signature_block else None
    unsigned = signals.signature_block and start is None  # `_without_block` reads the words about signing
    if start is not None:
        ordered = [c for c in ordered if c.end > start]
    agreed = views.agreed_all(ordered, signals.recitals_count)
    hits = _Hits() if unsigned else _scan(agreed, patterns, views)
    return _Evidence(patterns, ordered, agreed, hits, views, unsigned=unsigned)


def _without_block(base: Finding, signals: Signals, evidence: _Evidence) -> tuple[Finding, list[str]]:
    """No signature block: weak when the text says who signs or signed ("authorized to execute",
    "ATTEST:"), as a council resolution or an excerpt does, else missing. Never present: that
    needs both executives' signatures and dates, which only a block shows."""
    index = evidence.views.index
    for clause, agreed in zip(evidence.ordered, evidence.agreed, strict=True):
        if not index.exists(EXECUTION_LANGUAGE, agreed.text):
            continue  # none of its words: spare the sentence-by-sentence look
        if m := execution_language(agreed.text):
            issues = [signals.weak_issue] if signals.weak_issue else []
            rationale = f"says who signs ('{_said(m)}'), but there is no signature block with both executives' signatures and dates"
            return _finding(base, Status.weak, issues, rationale), [quote_at(clause.text, m.start(), m.end())]
    return _finding(base, Status.missing, [], "no signature block, and no clause says who signs"), []


def _said_but_not_agreed(
    finding: Finding, evidence: _Evidence, recitals_count: bool
) -> tuple[Finding, list[str]] | None:
    """Weak when the requirement appears only in a recital, a claim or a recommendation: it is
    named, not agreed. A disclaimed or model-instructing paragraph stays no evidence at all."""
    aside = [
        o
        for o, a in zip(evidence.ordered, evidence.agreed, strict=True)
        if a is not o and set_aside(o.text, recitals_count)[0] is None
    ]
    if not aside:
        return None
    patterns = evidence.patterns
    hits = _scan(aside, patterns, evidence.views)
    pairs = [hits.strong[i] for i in sorted(hits.strong)] + hits.vague
    if not pairs and (not hits.topic or _passing(finding.requirement_id, patterns, hits)):
        return None
    clause, match = (pairs or hits.topic)[0]
    rationale = f"named only in a recital, a claim about the agreement or a recommendation ('{_said(match)}'), not as an agreed term"
    return _finding(finding, Status.weak, [], rationale), dedupe(
        [quote_at(clause.text, *span_in_clause(clause, match))]
    )


def _second_opinion(
    finding: Finding,
    quotes: list[str],
    retrieved: list[ScoredClause],
    evidence: _Evidence,
    model: ClauseModel,
) -> tuple[Finding, list[str]]:
    """Where the words and the clause model disagree in a way the dev data says to trust the model:
    nothing found, but a retrieved clause reads like one that addresses it (weak, to check); or a
    lone topic word in clauses that read unlike any that do (a passing mention, missing)."""
    k = len(retrieved)  # retrieved clauses lead `ordered`: look no further
    agreed = {o.clause_id: a for o, a in zip(evidence.ordered[:k], evidence.agreed[:k], strict=True)}
    pairs = [(s.learned, agreed.get(s.clause.clause_id)) for s in retrieved if s.learned is not None]
    scored = [(p, c) for p, c in pairs if c is not None and c.text.strip()]  # a recital commits no one
    if not scored:
        return finding, quotes
    hits = evidence.hits
    if finding.status is Status.missing:
        p, clause = max(scored, key=lambda pc: pc[0])
        if p < model.boost:
            return finding, quotes
        quote = model.best_sentence(clause.text, finding.requirement_id)
        words = (
            f"only a passing mention ('{_said(hits.topic[0][1])}')"
            if hits.topic
            else "none of the checklist's usual wording"
        )
        rationale = f"{words}, but the clause reads like real clauses that address it (learned score {p:.2f}); check the quote"
        return _finding(finding, Status.weak, [], rationale), [quote]
    lone_mention = not (hits.strong or hits.vague or hits.contrary or hits.heading_topic)
    if finding.status is Status.weak and lone_mention and hits.topic:
        mentioned = {c.clause_id for c, _ in hits.topic}
        scores = {c.clause_id: p for p, c in scored}
        if mentioned <= scores.keys() and max(scores[i] for i in mentioned) < model.veto:
            word = _said(hits.topic[0][1])
            best = max(scores[i] for i in mentioned)
            rationale = (
                f"only a passing mention ('{word}'): the text around it reads unlike clauses that "
                f"address it (learned score {best:.2f})"
            )
            return _finding(finding, Status.missing, [], rationale), []
    return finding, quotes


def _retrieval_order(retrieved: list[ScoredClause], clauses: list[Clause]) -> list[Clause]:
    """Retrieved clauses first (best evidence), then every other clause: rules see the whole MOU."""
    seen = {s.clause.clause_id for s in retrieved}
    return [s.clause for s in retrieved] + [c for c in clauses if c.clause_id not in seen]


def _scan(clauses: list[Clause], patterns: _Compiled, views: DocumentViews) -> _Hits:
    hits = _Hits()
    index = views.index
    found = _Found(index, patterns)
    topical: dict[str, bool] = {}  # heading -> whether it names the topic (clauses share headings)
    for clause in clauses:
        text, (led, heading) = clause.text, views.view(clause)
        heading_topic = topical.get(heading)
        if heading_topic is None:
            heading_topic = topical[heading] = (
                bool(heading) and index.first(patterns.topic, heading) is not None
            )
        if text not in found.relevant and not heading_topic and not led and index.covers(text):
            continue  # no pattern matches its text and its heading is off topic: nothing to record
        strong, contrary, topic, vague = found.each(text)
        for i, pattern in enumerate(patterns.strong):
            if i in hits.strong:
                continue
            if m := strong[i] or (led and _across(index, pattern, led, len(led) - len(text))):
                hits.strong[i] = (clause, m)
        if hit := next(
            filter(None, (_affirmed(p, m, text) for p, m in zip(patterns.contrary, contrary, strict=True))),
            None,
        ):
            hits.contrary.append((clause, hit))
        hits.topic_patterns.update(i for i, m in enumerate(topic) if m)
        first_topic = next(filter(None, topic), None)
        if heading_topic:
            hits.heading_topic.append(clause)
        # vague wording counts only on topic: "from time to time" in a training clause says nothing
        # about term and review
        first_vague = next(filter(None, vague), None)
        if first_vague and (first_topic or any(strong)):
            hits.vague.append((clause, first_vague))
        if first_topic:
            hits.topic.append((clause, first_topic))
    return hits


class _Found:
    """One requirement's patterns' matches in a text: `pattern.search(text)` for each, looked up
    in the document's index (its per-pattern tables directly, for the document's own texts)."""

    def __init__(self, index: MatchIndex, patterns: _Compiled) -> None:
        self.index = index
        self.groups = (patterns.strong, patterns.contrary, patterns.topic, patterns.vague)
        self.tables = [[index.found(p) for p in group] for group in self.groups]
        self.relevant = {text for tables in self.tables for table in tables for text in table}

    def each(self, text: str) -> list[list[re.Match[str] | None]]:
        """Per group (strong, contrary, topic, vague), each pattern's match in `text` or None."""
        if self.index.covers(text):
            return [[table.get(text) for table in tables] for tables in self.tables]
        return [[self.index.search(p, text) for p in group] for group in self.groups]


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
    patterns, hits = evidence.patterns, evidence.hits
    if hits.strong or hits.vague or hits.contrary or hits.heading_topic or not hits.topic:
        return None
    return [patterns.topic[i].pattern for i in sorted(hits.topic_patterns)]


def _affirmed(pattern: re.Pattern[str], found: re.Match[str] | None, text: str) -> re.Match[str] | None:
    """The first match not negated earlier in its sentence (`found` is `pattern.search(text)`):
    "SROs do not enforce school rules" is the carve-out, not the contrary language it contains."""
    if not found:
        return None  # no match at all: spare the finditer
    for m in pattern.finditer(text):
        if not negated(text, m.start()):
            return m
    return None


def _decide(base: Finding, signals: Signals, evidence: _Evidence) -> tuple[Finding, list[str]]:
    patterns, hits = evidence.patterns, evidence.hits
    strong = [hits.strong[i] for i in sorted(hits.strong)]  # checklist order: first pattern, best quote
    overriding = [h for h in strong if _NOTWITHSTANDING.search(sentence_of(h[0].text, span_in_clause(*h)[0]))]
    contrary = hits.contrary
    if contrary and not overriding:
        issues = [signals.contrary_issue] if signals.contrary_issue else []
        return _finding(
            base.model_copy(update={"contrary": True}),
            Status.weak,
            issues,
            f"contrary language: '{_said(contrary[0][1])}'",
        ), quotes_of(contrary)
    enough = len(hits.strong) >= signals.min_strong
    if signals.require_topic_for_present and not hits.topic:
        enough = False
    if signals.require_first_strong and 0 not in hits.strong:
        enough = False
    if enough and not (hits.vague and len(hits.strong) == signals.min_strong and signals.min_strong > 1):
        return _present(base, signals, evidence, strong, overriding)
    if strong or hits.vague or hits.topic or hits.heading_topic:
        if not strong and not hits.vague and _passing(base.requirement_id, patterns, hits):
            word = _said(hits.topic[0][1])
            return _finding(
                base, Status.missing, [], f"only a passing mention ('{word}'); no clause addresses it"
            ), []
        return _weak(base, signals, evidence, strong)
    return _finding(base, Status.missing, [], "no clause addresses it"), []


def _present(
    base: Finding,
    signals: Signals,
    evidence: _Evidence,
    strong: list[tuple[Clause, re.Match[str]]],
    overriding: list[tuple[Clause, re.Match[str]]],
) -> tuple[Finding, list[str]]:
    """Present, quoting what overrides contrary text, what a party heading leads, then the best sentences."""
    patterns, ordered, views = evidence.patterns, evidence.agreed, evidence.views
    led = [
        h for h in strong if span_in_clause(*h) != h[1].span()
    ]  # met by a party heading and the clause under it
    found = ", ".join(f"'{_said(m)}'" for _, m in strong[:3])
    quotes = (
        quotes_of(overriding)
        + quotes_of(led)
        + best_sentences(ordered, patterns.strong, [patterns.topic], views)
    )
    if signals.require_topic_for_present:  # the topic sentence is half of what "present" rests on
        quotes = best_sentences(ordered, patterns.topic, [patterns.strong], views)[:1] + quotes
    return _finding(base, Status.present, [], f"states it: {found}"), dedupe(quotes)


def _weak(
    base: Finding, signals: Signals, evidence: _Evidence, strong: list[tuple[Clause, re.Match[str]]]
) -> tuple[Finding, list[str]]:
    """Weak: partly met, vague, or only mentioned; quoting the sentences that show which."""
    patterns, hits, ordered, views = evidence.patterns, evidence.hits, evidence.agreed, evidence.views
    issues = [i for i in (signals.weak_issue,) if i]
    if signals.weak_extra_issue and not strong:
        issues.append(signals.weak_extra_issue)
    primary = patterns.vague if hits.vague else patterns.strong if strong else patterns.topic
    quotes = best_sentences(ordered, primary, [patterns.topic, patterns.strong], views)
    if primary is patterns.strong:  # partly met: show what is there and the on-topic text around it
        topical = best_sentences(ordered, patterns.topic, [patterns.strong], views)
        quotes = dedupe(quotes[:2] + topical[:1] + quotes[2:])
    if not quotes and hits.heading_topic:
        quotes = heading_quotes(hits.heading_topic)
    return _finding(base, Status.weak, issues, _weak_reason(hits, strong)), quotes


def _weak_reason(hits: _Hits, strong: list[tuple[Clause, re.Match[str]]]) -> str:
    """Why the verdict is weak, in words a reviewer can check against the quotes."""
    if hits.vague:
        return f"vague wording: '{_said(hits.vague[0][1])}'"
    if strong:
        found = ", ".join(f"'{_said(m)}'" for _, m in strong[:2])
        return f"partly there ({found}), but short of what the checklist asks for"
    if hits.topic:
        return f"mentions it ('{_said(hits.topic[0][1])}') without saying what is agreed"
    return f"the heading '{_words(heading_of(hits.heading_topic[0]))}' names it, but the text says nothing specific"


def _said(m: re.Match[str]) -> str:
    """What a match says, widened to whole words of its text: 'training', not 'train'."""
    text, start, end = m.string, m.start(), m.end()
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and (text[end].isalnum() or _inside_number(text, end)):
        end += 1
    return _words(text[start:end])


def _inside_number(text: str, at: int) -> bool:
    """A thousands or decimal separator between digits: '$156,542.00', not '$156'."""
    return text[at] in ",." and 0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()


def _words(text: str, limit: int = 60) -> str:
    """`text` cut at a word boundary, never mid-word."""
    text = " ".join(text.split()).rstrip(":")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "..."


def _finding(base: Finding, status: Status, issues: list[str], rationale: str) -> Finding:
    return base.model_copy(update={"status": status, "issues": issues, "rationale": rationale})
