"""One configured chat model: structured calls with retries, one re-ask, the audit log and cache.

This and llm.py are the only modules that import LangChain and the openai SDK, always inside
functions, so the offline path never loads them. Retries go through tenacity: 408/409/429/5xx
and connection errors are retried with full-jitter exponential backoff, or after the server's
`Retry-After` when it sends one. An answer that does not fit the schema is sent back once with
the validation error (as instructor does) before the caller falls back to the rules.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, fields
from email.utils import parsedate_to_datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from ..config import Settings
from ..errors import ConfigError, ReviewerError
from ..prompt_templates import fill
from .llm_log import CallLog, CallRecord, request_key

RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 120.0  # seconds: a longer hint is capped rather than obeyed


@dataclass
class Usage:
    """What calls cost: tokens count only answers fetched over the network, not cache hits."""

    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    reasks: int = 0
    failed_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self, prices: tuple[float, float] | None) -> dict[str, float]:
        out: dict[str, float] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["seconds"] = round(self.seconds, 2)
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


def _chat_model(settings: Settings) -> Any:
    """ChatOpenAI for OpenAI or any compatible server; retries are tenacity's (counted), not the SDK's."""
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
    )


def _structured(chat: Any, schema: type[BaseModel], method: str) -> Any:
    """LangChain builds the request (response_format or tools); the answer is parsed here, from raw,
    so a live answer and a logged one go through the same code."""
    target: Any = schema
    if method == "json_schema":
        target = {"name": schema.__name__, "schema": schema.model_json_schema(), "strict": True}
    try:
        return chat.with_structured_output(target, method=method, include_raw=True)
    except NotImplementedError:  # a chat model without structured output (the tests' fake): plain text
        from langchain_core.runnables import RunnableLambda

        return chat | RunnableLambda(lambda message: {"raw": message})


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes timeouts
        return True
    return isinstance(exc, openai.APIStatusError) and exc.status_code in RETRYABLE_STATUS


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (`retry-after-ms`, `retry-after` as seconds or a date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _describe(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "request timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "could not connect"
    if isinstance(exc, openai.APIStatusError):
        body = exc.body if isinstance(exc.body, dict) else {}
        return f"HTTP {exc.status_code}: {str(body.get('message') or exc.message)[:160]}"
    return f"{type(exc).__name__}: {str(exc)[:160]}"


def _wait(base_delay: float) -> Any:
    """Retry-After when the server gives it, else full-jitter exponential backoff."""
    from tenacity import wait_random_exponential

    backoff = wait_random_exponential(multiplier=base_delay, max=60)

    def wait(state: Any) -> float:
        hinted = retry_after(state.outcome.exception() if state.outcome else None)
        return min(hinted, MAX_RETRY_AFTER) if hinted is not None else float(backoff(state))

    return wait


def raw_answer(message: Any) -> dict[str, Any]:
    """The parts of an AIMessage the log keeps and the parser reads."""
    content = message.content if isinstance(message.content, str) else json.dumps(message.content)
    calls = [{"name": c["name"], "args": c["args"]} for c in getattr(message, "tool_calls", None) or []]
    return {"content": content, "tool_calls": calls}


def parse_answer(schema: type[BaseModel], raw: dict[str, Any], method: str) -> BaseModel:
    """The answer validated against `schema`; MalformedAnswer says what is wrong, for the re-ask."""
    from langchain_core.utils.json import parse_json_markdown

    if method == "function_calling":
        if not raw.get("tool_calls"):
            raise MalformedAnswer("the model called no function")
        data: Any = raw["tool_calls"][0]["args"]
    else:
        try:
            data = parse_json_markdown(raw.get("content") or "")
        except (ValueError, TypeError) as exc:
            raise MalformedAnswer(
                f"the answer is not a JSON object ({str(exc).splitlines()[0][:120]})"
            ) from exc
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the top level"
        raise MalformedAnswer(f"answer does not fit the schema at '{where}': {first['msg']}") from exc


class ModelClient:
    """One chat model for one prompt version: calls, retries, one re-ask, log and cache."""

    def __init__(self, settings: Settings, prompt_version: str, chat: Any = None) -> None:
        """`chat` replaces the configured ChatOpenAI (tests pass a LangChain fake chat model)."""
        self.settings = settings
        self.prompt_version = prompt_version
        self.log = CallLog(settings.llm.cache) if settings.llm.cache is not None else None
        self.chat = chat if chat is not None else _chat_model(settings)
        self._runnables: dict[str, Any] = {}

    def ask(
        self, schema: type[BaseModel], system: str, user: str, doc_id: str | None = None
    ) -> tuple[BaseModel, Usage]:
        """The parsed answer; ReviewerError after the last retry, MalformedAnswer after the re-ask."""
        method = self.settings.llm.structured_method
        task, version = self.prompt_version.split("-")
        if method == "json_mode":  # the server is told the schema in words
            system += fill(task, version, "json_mode", schema=json.dumps(schema.model_json_schema()))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        usage = Usage()
        for attempt in (0, 1):
            raw = self._answer(schema, messages, usage, doc_id, attempt)
            try:
                answer = parse_answer(schema, raw["raw"], method)
            except MalformedAnswer as exc:
                self._record(raw, None, str(exc))
                if attempt == 1:
                    exc.usage = usage
                    raise
                usage.reasks += 1
                messages = [
                    *messages,
                    {
                        "role": "assistant",
                        "content": raw["raw"]["content"] or json.dumps(raw["raw"]["tool_calls"]),
                    },
                    {"role": "user", "content": fill(task, version, "reask", error=str(exc))},
                ]
                continue
            self._record(raw, answer.model_dump(), None)
            return answer, usage
        raise AssertionError("unreachable")

    def _answer(
        self,
        schema: type[BaseModel],
        messages: list[dict[str, str]],
        usage: Usage,
        doc_id: str | None,
        attempt: int,
    ) -> dict[str, Any]:
        """The raw answer from the log when this exact request was answered before, else the network."""
        s = self.settings
        key = request_key(
            self.prompt_version, s.llm.model, s.llm.temperature, s.llm.structured_method, messages
        )
        call = CallRecord(
            key=key,
            prompt_version=self.prompt_version,
            model=s.llm.model,
            method=s.llm.structured_method,
            messages=messages,
            doc_id=doc_id,
            base_url=s.llm.base_url,
            attempt=attempt,
        )
        cached = self.log.lookup(key) if self.log is not None else None
        if cached is not None:
            usage.cached_calls += 1
            call.raw, call.cached = cached, True
            return {"raw": cached, "call": call}
        started = time.perf_counter()
        message = self._invoke(schema, messages, usage)
        call.seconds = time.perf_counter() - started
        meta = getattr(message, "usage_metadata", None) or {}
        call.input_tokens, call.output_tokens = (
            int(meta.get("input_tokens", 0)),
            int(meta.get("output_tokens", 0)),
        )
        call.raw = raw_answer(message)
        usage.calls += 1
        usage.input_tokens += call.input_tokens
        usage.output_tokens += call.output_tokens
        usage.seconds += call.seconds
        return {"raw": call.raw, "call": call}

    def _record(self, answer: dict[str, Any], parsed: Any, error: str | None) -> None:
        if self.log is not None:
            call: CallRecord = answer["call"]
            call.parsed, call.error = parsed, error
            self.log.record(call)

    def _invoke(self, schema: type[BaseModel], messages: list[dict[str, str]], usage: Usage) -> Any:
        """One request with tenacity's retries; the AIMessage, or LLMRejected / ReviewerError."""
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
        from tenacity import Retrying, retry_if_exception, stop_after_attempt

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        lc_messages = [kinds[m["role"]](m["content"]) for m in messages]
        runnable = self._runnables.get(schema.__name__)
        if runnable is None:
            runnable = _structured(self.chat, schema, self.settings.llm.structured_method)
            self._runnables[schema.__name__] = runnable

        def counted(state: Any) -> None:
            usage.retries += 1

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.llm.max_retries + 1),
            wait=_wait(self.settings.llm.retry_base_delay),
            retry=retry_if_exception(_retryable),
            before_sleep=counted,
            reraise=True,
        )
        try:
            return retrying(runnable.invoke, lc_messages)["raw"]
        except Exception as exc:
            if not _retryable(exc):
                raise LLMRejected(
                    f"LLM request rejected ({_describe(exc)})",
                    hint="check MOU_REVIEW_LLM_MODEL, the key and MOU_REVIEW_LLM_BASE_URL; a server "
                    "without json_schema support needs MOU_REVIEW_LLM_STRUCTURED_METHOD=function_calling "
                    "or json_mode",
                ) from exc
            usage.failed_calls += 1
            where = self.settings.llm.base_url or "the OpenAI API"
            attempts = self.settings.llm.max_retries + 1
            raise ReviewerError(
                f"LLM request to {where} failed after {attempts} attempt(s): {_describe(exc)}",
                hint="try again later, or raise MOU_REVIEW_LLM_MAX_RETRIES / MOU_REVIEW_LLM_TIMEOUT",
            ) from exc
