"""All settings in one object with sections; CLI options override the environment, which overrides defaults.

Environment names: `MOU_REVIEW_<SECTION>__<FIELD>` (e.g. `MOU_REVIEW_RETRIEVAL__TOP_K=8`), and the
flat names that came before sections (`MOU_REVIEW_TOP_K`, `MOU_REVIEW_STORE_DIR`,
`MOU_REVIEW_LLM_BASE_URL`, ...) still work: `LEGACY_NAMES` maps each one to its section. Flat
keyword arguments (`Settings(store_dir=..., workers=1)`) are accepted the same way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .errors import ConfigError
from .limits import LoadSettings

Embedding = Literal["wordllama", "openai"]
DEFAULT_CHECKLIST = "cops-nasro"
ENV_PREFIX = "MOU_REVIEW_"
# Below this many files a second process costs more to start (imports, model load) than it saves.
PARALLEL_MIN_FILES = 60

# USD per million (input, output) tokens, OpenAI list prices when this table was written; a model
# missing here (e.g. a local server's) gets token counts but no cost estimate.
LLM_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def user_dir() -> Path:
    """Where the store lives by default: $MOU_REVIEW_HOME, else the user's data folder (XDG)."""
    home = os.environ.get(f"{ENV_PREFIX}HOME")
    if home:
        return Path(home).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "mou-review"


class StoreSettings(BaseModel):
    """Where clauses and documents are kept (Chroma, embedded or a server)."""

    dir: Path = Field(
        default_factory=lambda: user_dir() / "store",
        description="folder of the embedded Chroma store (default: the user's data folder)",
    )
    chroma_host: str | None = Field(None, description="Chroma server host; when set, HttpClient is used")
    chroma_port: int = Field(8000, description="Chroma server port")
    collection: str = Field("mou_clauses", description="prefix of the Chroma collections holding clauses")

    def where(self) -> str:
        """The store as a user would name it, for messages."""
        return f"{self.chroma_host}:{self.chroma_port}" if self.chroma_host else str(self.dir)


class RetrievalSettings(BaseModel):
    """How a requirement finds its clauses."""

    embedding: Embedding = Field(
        "wordllama", description="embedding model: offline WordLlama (default) or OpenAI"
    )
    top_k: int = Field(6, ge=1, le=50, description="clauses retrieved per requirement")


class LLMSettings(BaseModel):
    """The optional LLM reviewer (OpenAI or any OpenAI-compatible server)."""

    model: str = Field("gpt-4o-mini", description="chat model name")
    base_url: str | None = Field(None, description="OpenAI-compatible base URL (Ollama, vLLM, ...)")
    api_key: SecretStr | None = Field(None, description="API key; OPENAI_API_KEY is used when unset")
    temperature: float = Field(0.0, description="sampling temperature")
    timeout: float = Field(60.0, description="seconds before one LLM request times out")
    max_retries: int = Field(4, description="retries on 429/5xx/timeouts, with exponential backoff")
    max_concurrency: int = Field(4, ge=1, description="LLM requests in flight at once")
    group_size: int = Field(1, ge=1, description="requirements judged per LLM call")
    structured_method: Literal["json_schema", "function_calling", "json_mode"] = Field(
        "json_schema", description="how the model is asked for structured output"
    )
    cache: Path | None = Field(
        Path(".mou-review/llm-cache.sqlite"), description="SQLite cache of LLM answers (unset to disable)"
    )
    retry_base_delay: float = Field(
        1.0, ge=0, description="seconds before the first retry; doubles on each further retry"
    )
    policy: str = Field(
        "cautious", description="guard policy deciding between the model and the offline rules (docs/llm.md)"
    )
    ask: Literal["all", "unsure"] = Field(
        "all",
        description="requirements sent to the model: all, or only those the offline rules judge weak "
        "(the rest keep the rules' verdict; for slow local models)",
    )
    clauses_per_requirement: int | None = Field(
        None, ge=1, description="retrieved clauses shown to the model per requirement (unset: all)"
    )
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=lambda: dict(LLM_PRICES),
        description="USD per million (input, output) tokens by model name, for the cost estimate",
    )

    @field_validator("cache", mode="before")
    @classmethod
    def _cache_off(cls, value: object) -> object:
        """An empty value, none or off disables the cache instead of meaning '.'."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "none", "off") else value

    def key(self) -> str | None:
        """The configured key, falling back to the OpenAI SDK's own variable."""
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY")

    def configured(self) -> bool:
        return bool(self.key() or self.base_url)


class OutputSettings(BaseModel):
    """Where results go and how much is said."""

    results_dir: Path = Field(Path("evals/results"), description="where `eval --save` writes its reports")
    verbose: int = Field(0, ge=0, le=2, description="log level: 0 warnings, 1 info, 2 debug (-v, -vv)")


class LimitsSettings(BaseModel):
    """How much work runs at once."""

    workers: int | None = Field(
        None,
        ge=1,
        description="processes used to load and review documents (unset: one, or up to two cores "
        f"for batches of {PARALLEL_MIN_FILES} files or more, where the pool's start-up pays off)",
    )

    def workers_for(self, files: int) -> int:
        """The worker count for a batch of `files`: the setting, else one unless the batch is large."""
        if self.workers is not None:
            return max(1, min(self.workers, files))
        return max(1, min(2, os.cpu_count() or 1)) if files >= PARALLEL_MIN_FILES else 1


# Flat names from before the sections, for the environment and keyword arguments.
LEGACY_NAMES: dict[str, tuple[str, str]] = {
    "store_dir": ("store", "dir"),
    "chroma_host": ("store", "chroma_host"),
    "chroma_port": ("store", "chroma_port"),
    "collection": ("store", "collection"),
    "embedding": ("retrieval", "embedding"),
    "top_k": ("retrieval", "top_k"),
    "workers": ("limits", "workers"),
    **{f"llm_{name}": ("llm", name) for name in LLMSettings.model_fields},
}
_JSON_FIELDS = {("llm", "prices")}


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Move legacy flat keys into their sections; an explicit flat value wins over a nested one."""
    out = {k: v for k, v in flat.items() if k not in LEGACY_NAMES}
    for name, (section, field) in LEGACY_NAMES.items():
        if name in flat:
            current = out.get(section)
            if isinstance(current, BaseModel):
                current = current.model_dump()
            out[section] = {**(current or {}), field: flat[name]}
    return out


def environment() -> dict[str, Any]:
    """The settings in MOU_REVIEW_* variables, as pydantic-settings read them before (names in any
    case): `<FIELD>` for a top-level field, or a whole section as JSON; `<SECTION>__<FIELD>` for one
    field of a section (JSON for the price table); the flat LEGACY_NAMES, which those override.

    Read here rather than through pydantic-settings, whose import (asyncio, dotenv) cost every
    command about a twentieth of its start-up.
    """
    found: dict[str, Any] = {}
    for flat, (section_name, field_name) in LEGACY_NAMES.items():
        variable = f"{ENV_PREFIX}{flat.upper()}"
        if (value := os.environ.get(variable)) is not None:
            json_field = (section_name, field_name) in _JSON_FIELDS
            found.setdefault(section_name, {})[field_name] = (
                _decoded(variable, value) if json_field else value
            )
    env = {k.lower(): v for k, v in os.environ.items() if k.lower().startswith(ENV_PREFIX.lower())}
    for name, info in Settings.model_fields.items():
        key = f"{ENV_PREFIX}{name}".lower()
        section = info.annotation if isinstance(info.annotation, type) else None
        if section is None or not issubclass(section, BaseModel):
            if key in env:
                found[name] = env[key]
            continue
        if key in env:
            found[name] = _merged(found.get(name), _decoded(key, env[key]))
        for field_name in section.model_fields:
            variable = f"{key}__{field_name}"
            if (value := env.get(variable)) is not None:
                json_field = (name, field_name) in _JSON_FIELDS
                found.setdefault(name, {})[field_name] = _decoded(variable, value) if json_field else value
    return found


def _decoded(name: str, value: str) -> Any:
    try:
        return json.loads(value) if value.strip() else value
    except json.JSONDecodeError as exc:  # not a ValueError to pydantic: the variable's name is the message
        raise ConfigError(f"{name.upper()} is not valid JSON ({exc.msg})") from None


def _merged(base: Any, update: Any) -> Any:
    """`update` over `base`, dictionaries merged key by key (as pydantic-settings merged its sources)."""
    if not (isinstance(base, dict) and isinstance(update, dict)):
        return update
    return {**base, **{k: _merged(base.get(k), v) for k, v in update.items()}}


class Settings(BaseModel):
    """Runtime settings, passed whole to every stage that needs one: keyword arguments over the
    environment (`environment`) over the defaults."""

    model_config = ConfigDict(extra="ignore")

    checklist: str = Field(DEFAULT_CHECKLIST, description="checklist id (packaged) or path to a YAML file")
    backend: str = Field(
        "auto", description="reviewer: auto (llm when configured) or a name in reviewers.REVIEWERS"
    )
    store: StoreSettings = Field(default_factory=StoreSettings, description="the vector store")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="retrieval")
    llm: LLMSettings = Field(default_factory=LLMSettings, description="the LLM reviewer")
    output: OutputSettings = Field(default_factory=OutputSettings, description="output and logging")
    limits: LimitsSettings = Field(default_factory=LimitsSettings, description="parallelism")
    load: LoadSettings = Field(
        default_factory=LoadSettings,
        description="how files are read: tracked changes, OCR, size and time limits",
    )

    @field_validator("backend")
    @classmethod
    def _registered(cls, value: str) -> str:
        from .reviewers import REVIEWERS  # here: the reviewers import the checklist, which imports this

        if value != "auto" and value not in REVIEWERS:
            raise ValueError(f"unknown backend {value!r}; choose one of: auto, {', '.join(REVIEWERS)}")
        return value

    @model_validator(mode="before")
    @classmethod
    def _environment_and_legacy_keywords(cls, data: Any) -> Any:
        return _nest(_merged(environment(), data)) if isinstance(data, dict) else data

    def resolved_backend(self) -> str:
        """`auto` means llm only when a key or base URL is configured."""
        if self.backend == "auto":
            return "llm" if self.llm.configured() else "offline"
        return self.backend

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed (flat legacy names or sections), validated again."""
        return Settings(**_nest({**self.model_dump(), **changes})) if changes else self
