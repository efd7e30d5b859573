"""All settings in one place: CLI options override `MOU_REVIEW_*` environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["auto", "offline", "llm", "keyword"]

# USD per million (input, output) tokens, OpenAI list prices when this table was written; a model
# missing here (e.g. a local server's) gets token counts but no cost estimate.
LLM_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


class Settings(BaseSettings):
    """Runtime settings; every field can be set as MOU_REVIEW_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="MOU_REVIEW_", extra="ignore")

    store_dir: Path = Field(Path(".mou-review/store"), description="folder of the embedded Chroma store")
    chroma_host: str | None = Field(None, description="Chroma server host; when set, HttpClient is used")
    chroma_port: int = Field(8000, description="Chroma server port")
    collection: str = Field("mou_clauses", description="Chroma collection holding the clauses")
    embedding: Literal["wordllama", "openai"] = Field(
        "wordllama", description="embedding model: offline WordLlama (default) or OpenAI"
    )
    checklist: str = Field("cops-nasro", description="checklist id (packaged) or path to a YAML file")
    top_k: int = Field(6, ge=1, le=50, description="clauses retrieved per requirement")
    workers: int = Field(
        default_factory=lambda: max(1, min(2, os.cpu_count() or 1)),
        description="processes used to load and review documents",
    )

    backend: Backend = Field(
        "auto", description="reviewer: auto (llm when configured), offline, llm, keyword"
    )
    llm_model: str = Field("gpt-4o-mini", description="chat model name")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL (Ollama, vLLM, ...)")
    llm_api_key: SecretStr | None = Field(None, description="API key; OPENAI_API_KEY is used when unset")
    llm_temperature: float = Field(0.0, description="sampling temperature")
    llm_timeout: float = Field(60.0, description="seconds before one LLM request times out")
    llm_max_retries: int = Field(4, description="retries on 429/5xx/timeouts, with exponential backoff")
    llm_max_concurrency: int = Field(4, ge=1, description="LLM requests in flight at once")
    llm_group_size: int = Field(1, ge=1, description="requirements judged per LLM call")
    llm_structured_method: Literal["json_schema", "function_calling", "json_mode"] = Field(
        "json_schema", description="how the model is asked for structured output"
    )
    llm_cache: Path | None = Field(
        Path(".mou-review/llm-cache.sqlite"), description="SQLite cache of LLM answers (unset to disable)"
    )
    llm_retry_base_delay: float = Field(
        1.0, ge=0, description="seconds before the first retry; doubles on each further retry"
    )
    llm_policy: str = Field(
        "model", description="guard policy deciding between the model and the offline rules (docs/llm.md)"
    )
    llm_prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(LLM_PRICES),
        description="USD per million (input, output) tokens by model name, for the cost estimate",
    )

    @field_validator("llm_cache", mode="before")
    @classmethod
    def _cache_off(cls, value: object) -> object:
        """MOU_REVIEW_LLM_CACHE= (empty), none or off disables the cache instead of meaning '.'."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "none", "off") else value

    def api_key(self) -> str | None:
        """The configured key, falling back to the OpenAI SDK's own variable."""
        if self.llm_api_key is not None:
            return self.llm_api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY")

    def llm_configured(self) -> bool:
        return bool(self.api_key() or self.llm_base_url)

    def resolved_backend(self) -> Literal["offline", "llm", "keyword"]:
        """`auto` means llm only when a key or base URL is configured."""
        if self.backend == "auto":
            return "llm" if self.llm_configured() else "offline"
        return self.backend
