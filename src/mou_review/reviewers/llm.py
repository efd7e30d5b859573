"""The LLM reviewer: a chat model judges the retrieved clauses through LangChain structured output.

This is the only module that imports LangChain (and the openai SDK), always inside functions, so
the offline path never loads them. The model answers with `Verdicts` (status, issues, quotes,
rationale); they become `Finding`s and go through the same grounding as every reviewer. A
requirement whose call fails after the retries, or whose answer is malformed, is judged by the
offline rules instead and marked `backend="offline-fallback"`; the rest of the batch goes on.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, fields
from typing import Any

from pydantic import BaseModel, ValidationError

from ..checklist import Checklist, Requirement
from ..config import Settings
from ..errors import ConfigError, ReviewerError
from ..models import Clause, Document, Finding, ScoredClause
from ..prompt_templates import fill
from .base import ProgressCallback, ReviewBatch
from .llm_messages import (
    PROMPT_VERSION,
    AdaptedClause,
    Verdicts,
    build_messages,
    fence_safe,
    to_finding,
)
from .offline import OfflineReviewer

ADAPT_PROMPT_VERSION = "adapt-v1"
FALLBACK_BACKEND = "offline-fallback"
RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}


@dataclass
class Usage:
    """What calls cost: tokens count only answers fetched over the network, not cache hits."""

    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self, prices: tuple[float, float] | None) -> dict[str, float]:
        out: dict[str, float] = {f.name: getattr(self, f.name) for f in fields(self)}
        if prices is not None:
            cost = (self.input_tokens * prices[0] + self.output_tokens * prices[1]) / 1_000_000
            out["cost_usd"] = round(cost, 6)
        return out


class MalformedAnswer(Exception):
    """The model answered, but not with the structure asked for (its tokens were still spent)."""

    def __init__(self, message: str, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.usage = usage or Usage()


class LLMRejected(ReviewerError):
    """The server refused the request itself (key, model, schema): retrying or falling back won't help."""


@dataclass
class _CacheProbe:
    hit: bool = False


# LangChain runs the model in its own worker threads but copies the context, so the cache can
# report a hit back to the call that asked through this (mutable) probe.
_probe: contextvars.ContextVar[_CacheProbe | None] = contextvars.ContextVar(
    "mou_review_cache_probe", default=None
)


# --- the model and its calls ------------------------------------------------------------------


def _make_cache(settings: Settings, namespace: str) -> Any:
    """LangChain's SQLite cache, keyed also by prompt version; remembers per thread whether it hit."""
    if settings.llm.cache is None:
        return False
    # the cache file is the user's own; LangChain's warning about deserialising it is noise here
    warnings.filterwarnings("ignore", message=".*allowed_objects.*")
    warnings.filterwarnings("ignore", message=".*langchain-community.*is being sunset")
    from langchain_community.cache import SQLiteCache

    class VersionedCache(SQLiteCache):
        def lookup(self, prompt: str, llm_string: str) -> Any:
            found = super().lookup(prompt, f"{namespace}|{llm_string}")
            if (probe := _probe.get()) is not None:
                probe.hit = found is not None
            return found

        def update(self, prompt: str, llm_string: str, return_val: Any) -> None:
            super().update(prompt, f"{namespace}|{llm_string}", return_val)

    settings.llm.cache.parent.mkdir(parents=True, exist_ok=True)
    return VersionedCache(database_path=str(settings.llm.cache))


def _chat_model(settings: Settings, cache: Any) -> Any:
    """ChatOpenAI for OpenAI or any compatible server; retries are ours (counted), not the SDK's."""
    if not settings.llm.configured():
        raise ConfigError(
            "the llm backend needs an API key or a base URL",
            hint="export OPENAI_API_KEY=..., or MOU_REVIEW_LLM_BASE_URL=http://localhost:11434/v1 "
            "for a local OpenAI-compatible server; or use --backend offline",
        )
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm.model,
        base_url=settings.llm.base_url,
        api_key=settings.llm.key() or "not-needed",  # local servers ignore it; the SDK insists on one
        temperature=settings.llm.temperature,
        timeout=settings.llm.timeout,
        max_retries=0,
        cache=cache,
    )


def _structured(chat: Any, schema: type[BaseModel], method: str) -> Any:
    """include_raw keeps usage and turns a parsing failure into data instead of an exception.

    For json_schema the schema goes in as a strict JSON schema dict, so a malformed answer is
    reported by LangChain's parser (with its usage) instead of raising inside the openai SDK.
    """
    target: Any = schema
    if method == "json_schema":
        target = {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": True}
    return chat.with_structured_output(target, method=method, include_raw=True)


def _retryable(exc: Exception) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in RETRYABLE_STATUS


def _describe(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        return f"HTTP {exc.status_code}: {str(body.get('message') or exc.message)[:160]}"
    return f"{type(exc).__name__}: {str(exc)[:160]}"


class ModelClient:
    """One configured chat model: structured calls with counted retries, cache and usage."""

    def __init__(self, settings: Settings, namespace: str) -> None:
        self.settings = settings
        self.cache = _make_cache(settings, namespace)
        self.chat = _chat_model(settings, self.cache)
        self._runnables: dict[str, Any] = {}

    def ask(self, schema: type[BaseModel], system: str, user: str) -> tuple[BaseModel, Usage]:
        """The parsed answer; ReviewerError after the last retry, MalformedAnswer on a bad answer."""
        from langchain_core.messages import HumanMessage, SystemMessage

        runnable = self._runnables.get(schema.__name__)
        if runnable is None:
            runnable = _structured(self.chat, schema, self.settings.llm.structured_method)
            self._runnables[schema.__name__] = runnable
        if self.settings.llm.structured_method == "json_mode":  # the server is told the schema in words
            task, version = PROMPT_VERSION.split("-")
            system += fill(task, version, "json_mode", schema=json.dumps(schema.model_json_schema()))
        usage, probe = Usage(), _CacheProbe()
        _probe.set(probe)
        out = self._with_retries(runnable, [SystemMessage(system), HumanMessage(user)], usage)
        raw = out.get("raw")
        if probe.hit:
            usage.cached_calls += 1
        else:
            usage.calls += 1
            meta = getattr(raw, "usage_metadata", None) or {}
            usage.input_tokens += int(meta.get("input_tokens", 0))
            usage.output_tokens += int(meta.get("output_tokens", 0))
        try:
            return self._validated(schema, out), usage
        except MalformedAnswer as exc:
            exc.usage = usage
            raise

    def _with_retries(self, runnable: Any, messages: list[Any], usage: Usage) -> dict[str, Any]:
        attempts = self.settings.llm.max_retries + 1
        for attempt in range(attempts):
            try:
                return dict(runnable.invoke(messages))
            except Exception as exc:
                if not _retryable(exc):
                    raise LLMRejected(
                        f"LLM request rejected ({_describe(exc)})",
                        hint="check MOU_REVIEW_LLM_MODEL, the key and MOU_REVIEW_LLM_BASE_URL; a server "
                        "without json_schema support needs MOU_REVIEW_LLM_STRUCTURED_METHOD=function_calling "
                        "or json_mode",
                    ) from exc
                if attempt == attempts - 1:
                    usage.failed_calls += 1
                    where = self.settings.llm.base_url or "the OpenAI API"
                    raise ReviewerError(
                        f"LLM request to {where} failed after {attempts} attempt(s): {_describe(exc)}",
                        hint="try again later, or raise MOU_REVIEW_LLM_MAX_RETRIES / MOU_REVIEW_LLM_TIMEOUT",
                    ) from exc
                usage.retries += 1
                time.sleep(self.settings.llm.retry_base_delay * 2**attempt)
        raise AssertionError("unreachable")

    @staticmethod
    def _validated(schema: type[BaseModel], out: dict[str, Any]) -> BaseModel:
        if out.get("parsing_error") is not None:
            raise MalformedAnswer(str(out["parsing_error"]).splitlines()[0][:200])
        parsed = out.get("parsed")
        if parsed is None:
            raise MalformedAnswer("the model returned no structured answer")
        try:
            return schema.model_validate(parsed if isinstance(parsed, dict) else parsed.model_dump())
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise MalformedAnswer(f"answer does not fit the schema at '{where}': {first['msg']}") from exc


# --- the reviewer -----------------------------------------------------------------------------


class LLMReviewer:
    """Judges requirements with a chat model, `settings.llm.group_size` requirements per call."""

    name = "llm"
    prompt_version = PROMPT_VERSION

    def __init__(self, settings: Settings, checklist: Checklist) -> None:
        self.settings = settings
        self.checklist = checklist
        self.client = ModelClient(settings, PROMPT_VERSION)
        self._fallback = OfflineReviewer()
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
        pairs = list(zip(requirements, retrieved, strict=True))
        size = self.settings.llm.group_size
        groups = [pairs[i : i + size] for i in range(0, len(pairs), size)]
        results: dict[str, tuple[Finding, list[str]]] = {}
        usage, done = Usage(), 0
        workers = max(1, min(self.settings.llm.max_concurrency, len(groups)))
        with ThreadPoolExecutor(workers, thread_name_prefix="llm") as pool:
            futures = [pool.submit(self._judge_group, document, group, clauses) for group in groups]
            for future in as_completed(futures):
                group_results, group_usage = future.result()
                results.update(group_results)
                usage += group_usage
                done += len(group_results)
                if on_progress:
                    on_progress(done, len(pairs))
        with self._lock:
            self.run_usage += usage
        ordered = [results[r.id] for r in requirements]
        return ReviewBatch(
            results=ordered,
            usage=usage.as_dict(self.settings.llm.prices.get(self.settings.llm.model)),
            prompt_version=PROMPT_VERSION,
            notes=_fallback_notes(ordered),
        )

    def _judge_group(
        self, document: Document, group: list[tuple[Requirement, list[ScoredClause]]], clauses: list[Clause]
    ) -> tuple[dict[str, tuple[Finding, list[str]]], Usage]:
        system, user = build_messages(self.checklist.title, document, group)
        try:
            answer, usage = self.client.ask(Verdicts, system, user)
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
                out[requirement.id] = to_finding(requirement, verdict)
        return out, usage

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
