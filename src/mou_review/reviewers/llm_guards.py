"""Guards between a model's verdict and the report, so a weak model cannot make a review worse.

1. Every quote is located in the document (grounding) and must be *about* the requirement
   (`Relevance`: a checklist signal in the quote or its heading, or similarity to the
   requirement); a fabricated or off-topic quote is dropped and counted.
2. No evidence, no `present`: a `present` left with no located, on-topic quote is downgraded,
   also when the model gave no quotes at all.
3. The offline rules are a second opinion: a sharp disagreement (model `present` where the rules
   find nothing, model `missing` where the rules find strong language) sets `needs_review`, and
   a policy (`POLICIES`, measured in docs/llm.md) decides which verdict stands.
Pure functions over findings; the embedder is passed in, so tests need no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..checklist import Requirement
from ..grounding import Grounder
from ..models import Clause, Finding, Status

SIMILARITY_MIN = (
    0.45  # WordLlama cosine, quote vs requirement: best Youden J on dev gold quotes (docs/llm.md)
)
DISAGREE_ISSUE = "llm_rules_disagree"
Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Screened:
    """The model's quotes after grounding and the relevance check."""

    quotes: list[str]  # located (as the document's own text) and on topic
    fabricated: int = 0
    offtopic: int = 0


class Relevance:
    """Is a located quote about this requirement? Signals and headings first, similarity last."""

    def __init__(self, embed: Embed | None, threshold: float = SIMILARITY_MIN) -> None:
        self.embed = embed
        self.threshold = threshold
        self._requirement_vectors: dict[str, np.ndarray] = {}

    def signal(self, requirement: Requirement, quote: str, clause: Clause | None) -> bool:
        """A topic or strong pattern of the requirement in the quote or in its clause's heading."""
        s = requirement.signals
        patterns = [re.compile(p, re.I) for p in [*s.topic, *s.strong, *s.condition]]
        heading = " ".join(clause.heading_path) if clause else ""
        return any(p.search(quote) or (heading and p.search(heading)) for p in patterns)

    def similarity(self, requirement: Requirement, quote: str) -> float:
        if self.embed is None:
            return 0.0
        vector = self._requirement_vectors.get(requirement.id)
        if vector is None:
            text = " ".join([requirement.title, requirement.description, *requirement.queries])
            vector = self._requirement_vectors[requirement.id] = self.embed([text])[0]
        return float(self.embed([quote])[0] @ vector)

    def __call__(self, requirement: Requirement, quote: str, clause: Clause | None) -> bool:
        if self.signal(requirement, quote, clause):
            return True
        return self.similarity(requirement, quote) >= self.threshold


def clause_at(clauses: list[Clause], offset: int) -> Clause | None:
    return next((c for c in clauses if c.start <= offset < c.end), None)


def screen(
    requirement: Requirement,
    quotes: list[str],
    grounder: Grounder,
    clauses: list[Clause],
    relevance: Relevance,
) -> Screened:
    """Locate each quote, then keep it only if it is on topic."""
    out = Screened(quotes=[])
    for quote in quotes:
        evidence = grounder.locate(quote)
        if evidence is None:
            out.fabricated += 1
        elif relevance(requirement, evidence.quote, clause_at(clauses, evidence.start)):
            if evidence.quote not in out.quotes:
                out.quotes.append(evidence.quote)
        else:
            out.offtopic += 1
    return out


def no_evidence_no_present(finding: Finding, screened: Screened) -> Finding:
    """`present` needs a located, on-topic quote; without one it is weak at best."""
    if finding.status is not Status.present or screened.quotes:
        return finding
    why = (
        "none of its quotes is in the document and on topic"
        if screened.fabricated + screened.offtopic
        else "it gave no quote"
    )
    return finding.model_copy(
        update={
            "status": Status.weak,
            "issues": [*finding.issues, "no_relevant_evidence"],
            "rationale": f"{finding.rationale} (downgraded from present: {why})".strip(),
        }
    )


def sharp_disagreement(model: Finding, rules: Finding) -> bool:
    """Model present where the rules find nothing, or model missing where the rules find strong language."""
    return (model.status is Status.present and rules.status is Status.missing) or (
        model.status is Status.missing and rules.status is Status.present
    )


@dataclass
class Judges:
    """Both opinions on one requirement, after the guards."""

    model: Finding  # the model's verdict after relevance and no-evidence-no-present
    model_quotes: list[str]
    rules: Finding
    rules_quotes: list[str]
    screened: Screened
    raw_status: Status  # what the model said before the guards


Pick = Callable[[Judges], str]  # "model" or "rules": whose verdict stands


def _veto(j: Judges) -> str:
    return "rules" if sharp_disagreement(j.model, j.rules) else "model"


def _evidence(j: Judges) -> str:
    """The model stands only with on-topic evidence, and never says "missing" over strong rules."""
    if j.model.status is Status.missing:
        return "rules" if j.rules.status is Status.present else "model"
    if not j.screened.quotes:
        return "rules"
    return "model"


def _rules_first(j: Judges) -> str:
    """The rules stand where they found strong language or nothing at all on topic with the model
    agreeing; the model overrides only a rules verdict it backs with on-topic evidence."""
    if j.rules.status is Status.present or not j.screened.quotes:
        return "rules"
    return "model" if j.model.status in (Status.present, Status.weak) else "rules"


_CREDIT = {Status.missing: 0, Status.weak: 1, Status.present: 2, Status.not_applicable: 3}


def _cautious(j: Judges) -> str:
    """The model may only lower the rules' verdict (present > weak > missing), never raise it: a
    small model that leans `present` cannot make a review more favourable than the rules."""
    if j.model.status is Status.not_applicable or j.rules.status is Status.not_applicable:
        return "rules"
    return "model" if _CREDIT[j.model.status] < _CREDIT[j.rules.status] else "rules"


POLICIES: dict[str, Pick] = {
    "model": lambda j: "model",
    "veto": _veto,
    "evidence": _evidence,
    "rules_first": _rules_first,
    "cautious": _cautious,
    "rules": lambda j: "rules",
}


def decide(judges: Judges, policy: str) -> tuple[Finding, list[str]]:
    """The verdict that stands under `policy`, flagged when the two judges disagree sharply."""
    pick = POLICIES[policy](judges)
    finding, quotes = (
        (judges.model, judges.model_quotes) if pick == "model" else (judges.rules, judges.rules_quotes)
    )
    update: dict[str, object] = {
        "ungrounded_quotes": judges.screened.fabricated,
        "offtopic_quotes": judges.screened.offtopic,
    }
    if sharp_disagreement(judges.model, judges.rules):
        other = judges.rules if pick == "model" else judges.model
        who = "offline rules" if pick == "model" else "LLM"
        update["needs_review"] = True
        update["issues"] = [*finding.issues, DISAGREE_ISSUE]
        update["rationale"] = f"{finding.rationale} [needs review: the {who} said {other.status.value}]"
    if pick == "rules":
        note = f"[{policy} policy: offline rules' verdict; the LLM said {judges.raw_status.value}]"
        update["rationale"] = f"{update.get('rationale', finding.rationale)} {note}"
    return finding.model_copy(update=update), quotes
