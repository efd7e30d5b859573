"""The checklist is data: a YAML file validated by pydantic, packaged or supplied by the user."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

from .config import DEFAULT_CHECKLIST
from .errors import ConfigError
from .models import Severity


class Signals(BaseModel):
    """Patterns the offline reviewer looks for; see the header of cops-nasro.yaml."""

    topic: list[str] = Field(default_factory=list)
    strong: list[str] = Field(default_factory=list)
    min_strong: int = 1
    vague: list[str] = Field(default_factory=list)
    contrary: list[str] = Field(default_factory=list)
    contrary_issue: str | None = None
    weak_issue: str | None = None
    weak_extra_issue: str | None = None
    condition: list[str] = Field(default_factory=list)
    require_topic_for_present: bool = False
    require_first_strong: bool = Field(
        False,
        description="present only when the first strong pattern (the one the requirement turns on) matches",
    )
    signature_block: bool = False

    @field_validator("topic", "strong", "vague", "contrary", "condition")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return patterns


class Requirement(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    severity: Severity
    description: str
    present: str
    weak: str = ""
    conditional: bool = False
    queries: list[str] = Field(min_length=1)
    signals: Signals = Field(default_factory=Signals)


class Checklist(BaseModel):
    id: str
    version: int = 1
    title: str
    requirements: list[Requirement] = Field(min_length=1)
    digest: str = Field("", exclude=True, description="sha256 of the YAML text it was loaded from")

    def get(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.requirements]


@lru_cache(maxsize=8)
def load_checklist(name_or_path: str = DEFAULT_CHECKLIST) -> Checklist:
    """A packaged checklist by id, or any YAML file in the same format."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"{path}: checklist file not found")
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        packaged = resources.files("mou_review") / "checklists" / f"{name_or_path}.yaml"
        if not packaged.is_file():
            raise ConfigError(f"unknown checklist {name_or_path!r}", hint="give a packaged id or a YAML path")
        text = packaged.read_text(encoding="utf-8")
        source = name_or_path
    try:
        checklist = Checklist.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: invalid checklist at '{where}': {first['msg']}") from exc
    checklist.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return checklist
