"""The guards between a model's verdict and the report, with LangChain's GenericFakeChatModel (no HTTP).

Each test scripts what the model answers and checks what reaches the review: off-topic and
fabricated quotes dropped and counted, no `present` without evidence, sharp disagreements with
the offline rules flagged and settled by the policy, one re-ask before the fallback, retries that
honour Retry-After, and every call in the audit log.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from mou_review.checklist import Checklist, load_checklist
from mou_review.config import Settings
from mou_review.errors import ConfigError
from mou_review.ingest import prepare
from mou_review.models import DocumentReview, Status
from mou_review.review import review_document
from mou_review.reviewers.llm import FALLBACK_BACKEND, LLMReviewer
from mou_review.reviewers.llm_client import ModelClient, retry_after
from mou_review.reviewers.llm_guards import Relevance, sharp_disagreement
from mou_review.reviewers.llm_log import CallLog
from mou_review.reviewers.llm_messages import Verdicts

SALARY = "The District shall pay the Town sixty percent (60%) of the Officer's base salary each year."
DATA = "The Department shall collect data on arrests, citations and referrals and report them each semester."
MOU = f"""Memorandum of Understanding Between the Town of Elm Ridge and the Elm Ridge School District

1. Purpose
The purpose of this agreement is to place a school resource officer in Elm Ridge High School.
This agreement takes effect on July 1, 2024.

2. Compensation
{SALARY}

3. Records
{DATA} The reports shall be disaggregated by race, gender and disability.

4. Staffing
The Department shall assign one officer to Elm Ridge High School.
"""


@pytest.fixture(scope="module")
def mou(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("mou") / "elm_ridge.txt"
    path.write_text(MOU, encoding="utf-8")
    prepared = prepare(str(path), None, "wordllama")
    assert prepared.document is not None, prepared.error
    return prepared


def subset(*ids: str) -> Checklist:
    full = load_checklist("cops-nasro")
    return full.model_copy(update={"requirements": [full.get(i) for i in ids]})


def answer(*verdicts: dict[str, Any]) -> AIMessage:
    full = [{"issues": [], "rationale": "scripted", "quotes": [], **v} for v in verdicts]
    return AIMessage(content=json.dumps({"verdicts": full}))


class FakeChat(GenericFakeChatModel):
    """GenericFakeChatModel that also counts the calls it answered."""

    calls: int = 0

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return super()._generate(*args, **kwargs)


def settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "backend": "llm",
        "llm_base_url": "http://127.0.0.1:9/v1",
        "llm_model": "fake-model",
        "llm_structured_method": "json_mode",
        "llm_cache": tmp_path / "log.sqlite",
        "llm_group_size": 4,
        "llm_max_concurrency": 1,
        "llm_retry_base_delay": 0,
        "llm_policy": "model",
    }
    return Settings(**{**values, **overrides})


def review(
    mou: Any, s: Settings, checklist: Checklist, messages: list[AIMessage]
) -> tuple[DocumentReview, FakeChat]:
    chat = FakeChat(messages=iter(messages))
    reviewer = LLMReviewer(s, checklist, chat=chat)
    result = review_document(mou.document, mou.clauses, mou.vectors, checklist, reviewer)
    return result, chat


def test_an_off_topic_quote_is_dropped_counted_and_its_present_downgraded(mou: Any, tmp_path: Path) -> None:
    reply = answer({"requirement_id": "data_collection", "status": "present", "quotes": [SALARY]})
    result, _ = review(mou, settings(tmp_path), subset("data_collection"), [reply])
    finding = result.findings[0]
    assert finding.offtopic_quotes == 1 and finding.ungrounded_quotes == 0
    assert finding.evidence == []
    assert finding.status is Status.weak and "no_relevant_evidence" in finding.issues


def test_an_on_topic_quote_is_kept_as_located_evidence(mou: Any, tmp_path: Path) -> None:
    reply = answer({"requirement_id": "data_collection", "status": "present", "quotes": [DATA]})
    result, _ = review(mou, settings(tmp_path), subset("data_collection"), [reply])
    finding = result.findings[0]
    assert finding.status is Status.present and finding.offtopic_quotes == 0
    assert [e.quote for e in finding.evidence] == [DATA]
    assert mou.document.text[finding.evidence[0].start : finding.evidence[0].end] == DATA


def test_a_present_with_no_quotes_at_all_is_downgraded(mou: Any, tmp_path: Path) -> None:
    reply = answer({"requirement_id": "purpose", "status": "present", "quotes": []})
    result, _ = review(mou, settings(tmp_path), subset("purpose"), [reply])
    finding = result.findings[0]
    assert finding.status is Status.weak and "no_relevant_evidence" in finding.issues
    assert "it gave no quote" in finding.rationale


def test_a_fabricated_quote_is_counted_separately_from_an_off_topic_one(mou: Any, tmp_path: Path) -> None:
    quotes = ["The SRO shall be paid in gold coins by the Board of Unicorns.", SALARY, DATA]
    reply = answer({"requirement_id": "data_collection", "status": "present", "quotes": quotes})
    result, _ = review(mou, settings(tmp_path), subset("data_collection"), [reply])
    finding = result.findings[0]
    assert (finding.ungrounded_quotes, finding.offtopic_quotes) == (1, 1)
    assert [e.quote for e in finding.evidence] == [DATA] and finding.status is Status.present


def test_relevance_uses_signals_headings_and_similarity() -> None:
    requirement = load_checklist("cops-nasro").get("data_collection")
    off = Relevance(embed=None)
    assert off(requirement, DATA, None)  # a checklist signal in the quote
    assert not off(requirement, SALARY, None)  # no signal, and no embedder to rescue it
    import numpy as np

    always_close = Relevance(embed=lambda texts: np.ones((len(texts), 2)) / np.sqrt(2))
    assert always_close(requirement, SALARY, None)  # similarity 1.0 passes the threshold


def test_model_missing_where_rules_find_strong_language_is_flagged_and_the_policy_decides(
    mou: Any, tmp_path: Path
) -> None:
    """ContractEval's failure mode: 'no related clause' when there is one. The rules catch it."""
    reply = answer({"requirement_id": "data_collection", "status": "missing"})
    model_only, _ = review(mou, settings(tmp_path / "a"), subset("data_collection"), [reply])
    finding = model_only.findings[0]
    assert finding.needs_review and "llm_rules_disagree" in finding.issues
    assert finding.status is Status.missing  # policy "model": the model's verdict stands, flagged
    evidence, _ = review(
        mou, settings(tmp_path / "b", llm_policy="evidence"), subset("data_collection"), [reply]
    )
    settled = evidence.findings[0]
    assert settled.needs_review and settled.status is Status.present and settled.evidence
    assert "the LLM said missing" in settled.rationale


def test_model_present_where_rules_find_nothing_is_vetoed_under_the_veto_policy(
    mou: Any, tmp_path: Path
) -> None:
    requirement = "complaints"  # nothing in the MOU is about complaints; the model quotes the purpose
    quote = "The purpose of this agreement is to place a school resource officer in Elm Ridge High School."
    reply = answer({"requirement_id": requirement, "status": "present", "quotes": [quote]})
    always_close = Relevance(embed=lambda texts: __import__("numpy").ones((len(texts), 2)) / 2**0.5)
    for policy, expected in [("model", Status.present), ("veto", Status.missing)]:
        chat = FakeChat(messages=iter([reply]))
        reviewer = LLMReviewer(settings(tmp_path / policy, llm_policy=policy), subset(requirement), chat=chat)
        reviewer._relevance = always_close  # the quote passes relevance, so only the policy can stop it
        result = review_document(mou.document, mou.clauses, mou.vectors, subset(requirement), reviewer)
        finding = result.findings[0]
        assert finding.needs_review and finding.status is expected, policy


def test_sharp_disagreement_is_only_present_against_missing() -> None:
    from mou_review.models import Finding, Severity

    def f(status: Status) -> Finding:
        return Finding(requirement_id="x", status=status, severity=Severity.major)

    assert sharp_disagreement(f(Status.present), f(Status.missing))
    assert sharp_disagreement(f(Status.missing), f(Status.present))
    assert not sharp_disagreement(f(Status.weak), f(Status.missing))
    assert not sharp_disagreement(f(Status.present), f(Status.weak))


def test_an_unknown_policy_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown guard policy"):
        LLMReviewer(
            settings(tmp_path, llm_policy="bogus"), subset("purpose"), chat=FakeChat(messages=iter([]))
        )


def test_a_malformed_answer_is_re_asked_once_with_the_validation_error(mou: Any, tmp_path: Path) -> None:
    bad = AIMessage(content='{"verdicts": [{"requirement_id": "data_collection", "status": "sure"}]}')
    good = answer({"requirement_id": "data_collection", "status": "present", "quotes": [DATA]})
    s = settings(tmp_path)
    result, chat = review(mou, s, subset("data_collection"), [bad, good])
    assert chat.calls == 2 and result.usage["reasks"] == 1
    assert result.findings[0].backend is None and result.findings[0].status is Status.present
    calls = CallLog(s.llm.cache).calls()  # type: ignore[arg-type]
    first, second = calls[1], calls[0]
    assert first.error and "does not fit the schema" in first.error and first.parsed is None
    assert (
        second.attempt == 1 and second.error is None and second.parsed["verdicts"][0]["status"] == "present"
    )
    reask = second.messages[-1]["content"]
    assert second.messages[-2] == {"role": "assistant", "content": bad.content}
    assert first.error in reask  # the model is told what was wrong


def test_a_second_malformed_answer_falls_back_to_the_rules(mou: Any, tmp_path: Path) -> None:
    bad = AIMessage(content="Sure! The verdict is present.")
    result, chat = review(mou, settings(tmp_path), subset("data_collection"), [bad, bad])
    finding = result.findings[0]
    assert chat.calls == 2
    assert finding.backend == FALLBACK_BACKEND and "llm_malformed_output" in finding.issues
    assert "not a JSON object" in finding.rationale


def test_every_call_is_logged_and_an_identical_request_is_answered_from_the_log(
    mou: Any, tmp_path: Path
) -> None:
    reply = answer({"requirement_id": "purpose", "status": "weak", "quotes": []})
    s = settings(tmp_path)
    first, chat = review(mou, s, subset("purpose"), [reply])
    again, chat2 = review(mou, s, subset("purpose"), [])  # an empty script: any model call would fail
    assert chat.calls == 1 and chat2.calls == 0
    assert again.usage["cached_calls"] == 1 and again.usage["calls"] == 0
    assert [f.status for f in again.findings] == [f.status for f in first.findings]
    calls = CallLog(s.llm.cache).calls()  # type: ignore[arg-type]
    assert [c.cached for c in calls] == [True, False]
    live = calls[1]
    assert live.doc_id == mou.document.info.doc_id and live.prompt_version == "review-v2"
    assert live.model == "fake-model" and live.messages[0]["role"] == "system"
    assert live.raw == {"content": reply.content, "tool_calls": []}
    assert live.parsed["verdicts"][0]["requirement_id"] == "purpose"


class Flaky(FakeChat):
    """Fails with a 429 (Retry-After: 0) the first `failures` times."""

    failures: int = 1

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            request = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")
            response = httpx.Response(429, headers={"retry-after": "0"}, request=request)
            raise openai.RateLimitError("Rate limit reached", response=response, body=None)
        return super()._generate(*args, **kwargs)


def test_a_429_is_retried_by_tenacity_and_counted(tmp_path: Path) -> None:
    chat = Flaky(messages=iter([AIMessage(content=json.dumps({"verdicts": []}))]))
    client = ModelClient(settings(tmp_path, llm_max_retries=2), "review-v2", chat)
    parsed, usage = client.ask(Verdicts, "system", "user")
    assert isinstance(parsed, Verdicts) and usage.retries == 1 and usage.calls == 1


def _state(exc: BaseException) -> Any:
    from tenacity import RetryCallState

    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = 3
    state.set_exception((type(exc), exc, None))
    return state


def _error(headers: dict[str, str]) -> openai.RateLimitError:
    request = httpx.Request("POST", "http://x/v1/chat/completions")
    return openai.RateLimitError(
        "slow down", response=httpx.Response(429, headers=headers, request=request), body=None
    )


def test_retry_after_is_honoured_in_seconds_milliseconds_and_dates() -> None:
    from mou_review.reviewers.llm_client import _wait

    assert retry_after(_error({"retry-after": "7"})) == 7.0
    assert retry_after(_error({"retry-after-ms": "1500"})) == 1.5
    assert 55 < (retry_after(_error({"retry-after": _http_date(60)})) or 0) <= 60
    assert retry_after(_error({})) is None
    wait = _wait(base_delay=1.0)
    assert wait(_state(_error({"retry-after": "7"}))) == 7.0
    assert wait(_state(_error({"retry-after": "9999"}))) == 120.0  # capped
    jittered = {wait(_state(_error({}))) for _ in range(20)}
    assert len(jittered) > 1 and all(0 <= w <= 4 for w in jittered)  # full jitter up to 2**2


def _http_date(seconds_ahead: int) -> str:
    from email.utils import formatdate
    from time import time

    return formatdate(time() + seconds_ahead, usegmt=True)


def test_ask_unsure_sends_only_what_the_rules_judge_weak_and_keeps_the_rest(mou: Any, tmp_path: Path) -> None:
    """purpose and data_collection are present by the rules, complaints missing, partner_roles weak."""
    checklist = subset("purpose", "partner_roles", "data_collection", "complaints")
    reply = answer({"requirement_id": "partner_roles", "status": "missing"})
    s = settings(tmp_path, llm_ask="unsure", llm_clauses_per_requirement=2)
    result, chat = review(mou, s, checklist, [reply])
    assert chat.calls == 1
    (call,) = CallLog(s.llm.cache).calls()  # type: ignore[arg-type]
    user = call.messages[1]["content"]
    assert "- requirement_id: partner_roles" in user
    assert all(f"- requirement_id: {r}" not in user for r in ("purpose", "data_collection", "complaints"))
    assert user.count("clauses retrieved for it:") == 1
    assert len(user.split("clauses retrieved for it: ")[1].split("\n")[0].split(", ")) <= 2
    statuses = {f.requirement_id: f.status for f in result.findings}
    assert statuses == {
        "purpose": Status.present,
        "partner_roles": Status.missing,  # policy "model": the model's verdict on what it was asked
        "data_collection": Status.present,
        "complaints": Status.missing,
    }
    kept = result.finding("purpose")
    assert kept is not None and "not sent to the LLM" in kept.rationale and kept.evidence


def test_the_cautious_policy_lets_the_model_lower_the_rules_verdict_but_never_raise_it(
    mou: Any, tmp_path: Path
) -> None:
    """partner_roles is weak by the rules: the model's missing stands, its present does not."""
    checklist = subset("partner_roles")
    for said, expected in [("missing", Status.missing), ("present", Status.weak)]:
        quote = "The Department shall collect data on arrests, citations and referrals and report them each semester."
        reply = answer(
            {
                "requirement_id": "partner_roles",
                "status": said,
                "quotes": [quote] if said == "present" else [],
            }
        )
        s = settings(tmp_path / said, llm_policy="cautious")
        result, _ = review(mou, s, checklist, [reply])
        finding = result.findings[0]
        assert finding.status is expected, said
        assert ("the LLM said present" in finding.rationale) == (said == "present")
