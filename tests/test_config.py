"""Settings from the environment: the LLM switches a user sets with MOU_REVIEW_* variables."""

from __future__ import annotations

import pytest

from mou_review.config import Settings


@pytest.mark.parametrize("value", ["", "off", "none"])
def test_empty_or_off_cache_variable_disables_the_llm_cache(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MOU_REVIEW_LLM_CACHE", value)
    assert Settings().llm_cache is None


def test_price_table_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOU_REVIEW_LLM_PRICES", '{"llama3.1": [0.5, 1.5]}')
    monkeypatch.setenv("MOU_REVIEW_LLM_BASE_URL", "http://localhost:11434/v1")
    settings = Settings()
    assert settings.llm_prices == {"llama3.1": (0.5, 1.5)}
    assert settings.resolved_backend() == "llm"  # auto: a base URL is enough, no key needed


def test_auto_is_offline_without_key_or_base_url() -> None:
    assert Settings(llm_base_url=None, llm_api_key=None).resolved_backend() == "offline"
