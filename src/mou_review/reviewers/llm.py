"""The LLM reviewer: a chat model judges the retrieved clauses; guards decide what of it stands.

The model answers with `Verdicts` (status, quotes, issues, rationale) through `ModelClient`
(llm_client.py: retries, one re-ask, the audit log). Each verdict then passes the guards in
llm_guards.py (quotes located and on topic, no evidence no `present`, agreement with the
offline rules under a measured policy). A requirement whose call fails after the retries and
the re-ask is judged by the offline rules instead and marked `backend="offline-fallback"`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from ..checklist import Checklist, Requirement
from ..config import Settings
from ..errors import ConfigError, ReviewerError
from ..grounding import Grounder
from ..models import Clause, Document, Finding, ScoredClause, Status
from ..prompt_templates import fill
from .base import ProgressCallback, ReviewBatch
from .llm_client import LLMRejected, MalformedAnswer, ModelClient, Usage
from .llm_guards import POLICIES, Judges, Relevance, decide, no_evidence_no_present, screen
from .llm_messages import (
    PROMPT_VERSION,
    AdaptedClause,
    Verdict,
    Verdicts,
    build_messages,
    fence_safe,
    to_finding,
)
from .offline import OfflineReviewer

ADAPT_PROMPT_VERSION = "adapt-v1"
FALLBACK_BACKEND = "offline-fallback"
__all__ = [
    "FALLBACK_BACKEND",
    "PROMPT_VERSION",
    "LLMRejected",
    "LLMReviewer",
    "MalformedAnswer",
    "ModelClient",
    "Usage",
]


# --- the reviewer -----------------------------------------------------------------------------


class LLMReviewer:
    """Judges requirements with a chat model, `settings.llm.group_size` requirements per call."""

    name = "llm"
    prompt_version = PROMPT_VERSION

    def __init__(self, settings: Settings, checklist: Checklist, chat: Any = None) -> None:
        self.settings = settings
        self.checklist = checklist
        if settings.llm.policy not in POLICIES:
            raise ConfigError(
                f"unknown guard policy {settings.llm.policy!r}", hint=f"use one of {', '.join(POLICIES)}"
            )
        self.client = ModelClient(settings, PROMPT_VERSION, chat)
        self._fallback = OfflineReviewer()
        self._relevance: Relevance | None = None
        self._lock = threading.Lock()
        self.run_usage = Usage()

    def review(
        self,
        document: Document,
        requirement: Requirement,
        retrieved: list[ScoredClause],
        clauses: list[Clause],
    ) -> tuple[Finding, list[str]]:
        return self.review_many(document, [requirement], [retrieved], clauses).results[0]

    def review_many(
        self,
        document: Document,
        requirements: list[Requirement],
        retrieved: list[list[ScoredClause]],
        clauses: list[Clause],
        on_progress: ProgressCallback | None = None,
    ) -> ReviewBatch:
        """Requirement groups judged concurrently (at most llm_max_concurrency calls in flight)."""
        rules = {
            r.id: self._fallback.review(document, r, got, clauses)
            for r, got in zip(requirements, retrieved, strict=True)
        }
        pairs, results = self._to_ask(requirements, retrieved, rules)
        size = self.settings.llm.group_size
        groups = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        usage, done = Usage(), len(results)
        workers = max(1, min(self.settings.llm.max_concurrency, len(groups) or 1))
        with ThreadPoolExecutor(workers, thread_name_prefix="llm") as pool:
            grounder = Grounder(document)
            futures = [
                pool.submit(self._judge_group, document, group, clauses, grounder, rules) for group in groups
            ]
            for future in as_completed(futures):
                group_results, group_usage = future.result()
                results.update(group_results)
                usage += group_usage
                done += len(group_results)
                if on_progress:
                    on_progress(done, len(requirements))
        with self._lock:
            self.run_usage += usage
        ordered = [results[r.id] for r in requirements]
        return ReviewBatch(
            results=ordered,
            usage=usage.as_dict(self.settings.llm.prices.get(self.settings.llm.model)),
            prompt_version=PROMPT_VERSION,
            notes=_fallback_notes(ordered),
        )

    def _to_ask(
        self,
        requirements: list[Requirement],
        retrieved: list[list[ScoredClause]],
        rules: dict[str, tuple[Finding, list[str]]],
    ) -> tuple[list[tuple[Requirement, list[ScoredClause]]], dict[str, tuple[Finding, list[str]]]]:
        """The (requirement, clauses) pairs the model is asked about, and the rules' verdicts kept as
        they are (with `ask=unsure`, every requirement the rules did not judge weak)."""
        n = self.settings.llm.clauses_per_requirement
        pairs, kept = [], {}
        for requirement, got in zip(requirements, retrieved, strict=True):
            finding, quotes = rules[requirement.id]
            if self.settings.llm.ask == "unsure" and finding.status is not Status.weak:
                note = f"{finding.rationale} [offline rules: not sent to the LLM (ask=unsure)]"
                kept[requirement.id] = (finding.model_copy(update={"rationale": note}), quotes)
            else:
                pairs.append((requirement, got[:n] if n else got))
        return pairs, kept

    @property
    def relevance(self) -> Relevance:
        """Quote relevance with the configured embedder, loaded on first use."""
        if self._relevance is None:
            from ..embeddings import get_embedder

            self._relevance = Relevance(get_embedder(self.settings.retrieval.embedding).embed)
        return self._relevance

    def _judge_group(
        self,
        document: Document,
        group: list[tuple[Requirement, list[ScoredClause]]],
        clauses: list[Clause],
        grounder: Grounder,
        rules: dict[str, tuple[Finding, list[str]]],
    ) -> tuple[dict[str, tuple[Finding, list[str]]], Usage]:
        system, user = build_messages(self.checklist.title, document, group)
        try:
            answer, usage = self.client.ask(Verdicts, system, user, document.info.doc_id)
        except LLMRejected:
            raise
        except ReviewerError as exc:
            return self._fallbacks(document, group, clauses, "llm_call_failed", str(exc)), Usage(
                failed_calls=1
            )
        except MalformedAnswer as exc:
            reason = f"malformed LLM answer: {exc}"
            return self._fallbacks(document, group, clauses, "llm_malformed_output", reason), exc.usage
        assert isinstance(answer, Verdicts)
        by_id = {v.requirement_id: v for v in answer.verdicts}
        out = {}
        for requirement, retrieved in group:
            verdict = by_id.get(requirement.id)
            if verdict is None:
                out.update(
                    self._fallbacks(
                        document,
                        [(requirement, retrieved)],
                        clauses,
                        "llm_no_verdict",
                        "the LLM gave no verdict",
                    )
                )
            else:
                judged = (requirement, clauses, grounder, verdict, rules[requirement.id])
                out[requirement.id] = self._guarded(*judged)
        return out, usage

    def _guarded(
        self,
        requirement: Requirement,
        clauses: list[Clause],
        grounder: Grounder,
        verdict: Verdict,
        by_rules: tuple[Finding, list[str]],
    ) -> tuple[Finding, list[str]]:
        """The model's verdict through the guards, then the policy between it and the rules."""
        finding, quotes = to_finding(requirement, verdict)
        screened = screen(requirement, quotes, grounder, clauses, self.relevance)
        model = no_evidence_no_present(finding, screened)
        rules, rules_quotes = by_rules
        judges = Judges(model, screened.quotes, rules, rules_quotes, screened, finding.status)
        return decide(judges, self.settings.llm.policy)

    def _fallbacks(
        self,
        document: Document,
        group: list[tuple[Requirement, list[ScoredClause]]],
        clauses: list[Clause],
        code: str,
        reason: str,
    ) -> dict[str, tuple[Finding, list[str]]]:
        """Offline rules for requirements the model could not judge, marked so nobody mistakes them."""
        out = {}
        for requirement, retrieved in group:
            finding, quotes = self._fallback.review(document, requirement, retrieved, clauses)
            out[requirement.id] = (
                finding.model_copy(
                    update={
                        "backend": FALLBACK_BACKEND,
                        "issues": [*finding.issues, code],
                        "rationale": f"{finding.rationale} [offline rules used: {reason}]",
                    }
                ),
                quotes,
            )
        return out


def _fallback_notes(results: list[tuple[Finding, list[str]]]) -> list[str]:
    fallen = [f for f, _ in results if f.backend == FALLBACK_BACKEND]
    if not fallen:
        return []
    first = fallen[0].rationale.rsplit("[offline rules used: ", 1)[-1].rstrip("]")
    return [f"{len(fallen)} of {len(results)} requirement(s) judged by offline rules instead: {first}"]


# --- redline support --------------------------------------------------------------------------

_adapt_clients: dict[tuple[str, ...], ModelClient] = {}


def adapt_clause(settings: Settings, requirement_title: str, model_clause: str, excerpt: str) -> str:
    """Model clause language in the agreement's own terms; on any failure the model clause as is."""
    try:
        key = (settings.llm.model, str(settings.llm.base_url), str(settings.llm.cache))
        client = _adapt_clients.get(key) or _adapt_clients.setdefault(
            key, ModelClient(settings, ADAPT_PROMPT_VERSION)
        )
        task, version = ADAPT_PROMPT_VERSION.split("-")
        system = fill(task, version, "system")
        user = fill(
            task,
            version,
            "user",
            requirement_title=requirement_title,
            model_clause=model_clause,
            excerpt=fence_safe(excerpt),
        )
        answer, _ = client.ask(AdaptedClause, system, user)
    except (ReviewerError, MalformedAnswer, ConfigError):
        return model_clause
    assert isinstance(answer, AdaptedClause)
    return answer.clause.strip() or model_clause
