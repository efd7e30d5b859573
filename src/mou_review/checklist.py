"""The checklist is data: a YAML file validated by pydantic, packaged or supplied by the user."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

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
    recitals_count: bool = Field(
        False,
        description="WHEREAS recitals may meet it (a purpose is what recitals state); for every other "
        "requirement a recital, a claim about the agreement or a recommendation is not an agreed term",
    )

    @field_validator("topic", "strong", "vague", "contrary", "condition")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:  # compiled as the offline reviewer compiles it, so its compile is a cache hit
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc
        return patterns


class Requirement(BaseModel):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    statute: str | None = Field(None, description="the statute section this requirement comes from")
    extends: str | None = Field(
        None, description="'<checklist>/<requirement>' whose fields this one starts from"
    )
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
    state: str | None = Field(None, description="two-letter state a state pack applies to")
    statute: str | None = Field(None, description="the statute a state pack implements")
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


def load_yaml(text: str) -> Any:
    """Safe YAML through libyaml when PyYAML has it: ten times faster than the pure-Python
    parser, which costs a one-page review a noticeable share of its start-up."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_checklist(name_or_path: str | Path = DEFAULT_CHECKLIST) -> Checklist:
    """A packaged checklist by id, or any YAML file in the same format (reloaded when it changes)."""
    path = Path(name_or_path)
    try:
        stamp = path.stat().st_mtime_ns if path.is_file() else 0
    except OSError:
        stamp = 0
    return _load_checklist(str(name_or_path), stamp)


@lru_cache(maxsize=16)
def _load_checklist(name_or_path: str, stamp: int) -> Checklist:
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"{path}: checklist file not found")
        text = path.read_text(encoding="utf-8")
        source = str(path)
    else:
        packaged = resources.files("mou_review") / "checklists" / f"{name_or_path}.yaml"
        if name_or_path == "auto":
            raise ConfigError(
                "--checklist auto picks a pack per document, which only review and diff do",
                hint=f"give one checklist for a batch: {', '.join(packaged_ids())}",
            )
        if not packaged.is_file():
            raise ConfigError(f"unknown checklist {name_or_path!r}", hint="give a packaged id or a YAML path")
        text = packaged.read_text(encoding="utf-8")
        source = name_or_path
    try:
        checklist = Checklist.model_validate(resolve_extends(load_yaml(text), source))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{source}: invalid checklist at '{where}': {first['msg']}") from exc
    checklist.digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return checklist


def resolve_extends(data: Any, source: str) -> Any:
    """Requirements with `extends: <checklist>/<id>` start from that requirement's fields.

    The requirement's own fields replace the base's; `signals` are merged key by key, so a pack
    can add a contrary pattern or a statute without copying the patterns it shares.
    """
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        return data
    resolved = []
    for item in data["requirements"]:
        if isinstance(item, dict) and item.get("extends"):
            item = _merged(_base_requirement(str(item["extends"]), source), item)
        resolved.append(item)
    return {**data, "requirements": resolved}


def _base_requirement(ref: str, source: str) -> dict[str, Any]:
    checklist_id, _, requirement_id = ref.partition("/")
    if checklist_id == source:
        raise ConfigError(f"{source}: requirement extends its own checklist ({ref})")
    try:
        base = load_checklist(checklist_id).get(requirement_id)
    except KeyError:
        raise ConfigError(f"{source}: extends {ref!r}, which {checklist_id} does not have") from None
    return base.model_dump(exclude={"extends", "statute"})


def _merged(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    signals = {**base.get("signals", {}), **own.get("signals", {})}
    return {**base, **own, "signals": signals}


def pack_for_state(state: str | None) -> str | None:
    """The packaged state checklist for a two-letter state, if there is one."""
    if not state:
        return None
    packaged = resources.files("mou_review") / "checklists" / f"{state.strip().lower()}.yaml"
    return state.strip().lower() if packaged.is_file() else None


def resolve_checklist(name: str, state: str | None = None) -> Checklist:
    """`auto` means the document's state pack (manifest state), else cops-nasro."""
    if name == "auto":
        return load_checklist(pack_for_state(state) or DEFAULT_CHECKLIST)
    return load_checklist(name)


def packaged_ids() -> list[str]:
    """Every checklist shipped with the package."""
    folder = resources.files("mou_review") / "checklists"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
