"""Settings from the environment: the LLM switches a user sets with MOU_REVIEW_* variables."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from mou_review.config import PARALLEL_MIN_FILES, Settings
from mou_review.errors import ConfigError


@pytest.mark.parametrize("value", ["", "off", "none"])
def test_empty_or_off_cache_variable_disables_the_llm_cache(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("MOU_REVIEW_LLM_CACHE", value)
    assert Settings().llm.cache is None


def test_price_table_and_base_url_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOU_REVIEW_LLM_PRICES", '{"llama3.1": [0.5, 1.5]}')
    monkeypatch.setenv("MOU_REVIEW_LLM_BASE_URL", "http://localhost:11434/v1")
    settings = Settings()
    assert settings.llm.prices == {"llama3.1": (0.5, 1.5)}
    assert settings.resolved_backend() == "llm"  # auto: a base URL is enough, no key needed


def test_auto_is_offline_without_key_or_base_url() -> None:
    assert Settings(llm_base_url=None, llm_api_key=None).resolved_backend() == "offline"


def test_sections_from_nested_and_legacy_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOU_REVIEW_RETRIEVAL__TOP_K", "9")
    monkeypatch.setenv("MOU_REVIEW_STORE_DIR", "/tmp/legacy-store")
    monkeypatch.setenv("MOU_REVIEW_WORKERS", "3")
    monkeypatch.setenv("MOU_REVIEW_CHECKLIST", "my.yaml")
    settings = Settings()
    assert settings.retrieval.top_k == 9
    assert str(settings.store.dir) == "/tmp/legacy-store"
    assert settings.limits.workers == 3
    assert settings.checklist == "my.yaml"
    # an explicit (flat or nested) argument beats the environment
    assert Settings(top_k=4).retrieval.top_k == 4
    assert Settings(retrieval={"top_k": 5}).retrieval.top_k == 5


def test_with_changes_one_field_and_keeps_the_rest(tmp_path) -> None:
    settings = Settings(store_dir=tmp_path, chroma_port=9000, llm_model="m1")
    changed = settings.with_(chroma_host="db", top_k=3)
    assert (changed.store.dir, changed.store.chroma_port, changed.store.chroma_host) == (tmp_path, 9000, "db")
    assert changed.retrieval.top_k == 3 and changed.llm.model == "m1"
    assert settings.store.chroma_host is None  # the original is untouched


def test_default_store_is_under_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("MOU_REVIEW_HOME", str(tmp_path))
    assert Settings().store.dir == tmp_path / "store"
    monkeypatch.delenv("MOU_REVIEW_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().store.dir == tmp_path / "xdg" / "mou-review" / "store"


def test_workers_default_to_one_for_small_batches() -> None:
    limits = Settings().limits
    assert limits.workers_for(33) == 1
    assert limits.workers_for(PARALLEL_MIN_FILES) >= 1
    assert Settings(workers=4).limits.workers_for(2) == 2  # never more workers than files


def test_every_setting_is_described() -> None:
    for section in (
        Settings,
        *(
            f.annotation
            for f in Settings.model_fields.values()
            if isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel)
        ),
    ):
        for name, field in section.model_fields.items():
            assert field.description, f"{section.__name__}.{name} has no description"


def test_environment_names_in_any_case_whole_sections_and_their_precedence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("mou_review_retrieval__top_k", "7")  # names are read in any case
    monkeypatch.setenv("MOU_REVIEW_LLM", '{"model": "x", "timeout": 5}')  # a whole section as JSON
    monkeypatch.setenv("MOU_REVIEW_LLM__MODEL", "y")  # one field of it wins over the section
    monkeypatch.setenv("MOU_REVIEW_LLM_MODEL", "w")  # a flat name loses to both
    monkeypatch.setenv("MOU_REVIEW_CHROMA_HOST", "db")
    monkeypatch.setenv("MOU_REVIEW_LLM__PRICES", '{"m": [1, 2]}')
    settings = Settings(store_dir="/srv/store")  # a keyword beats the environment, field by field
    assert settings.retrieval.top_k == 7
    assert (settings.llm.model, settings.llm.timeout, settings.llm.prices) == ("y", 5.0, {"m": (1.0, 2.0)})
    assert (str(settings.store.dir), settings.store.chroma_host) == ("/srv/store", "db")


def test_a_variable_that_is_not_json_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOU_REVIEW_STORE", "not json")
    with pytest.raises(ConfigError, match=r"^MOU_REVIEW_STORE is not valid JSON"):
        Settings()
