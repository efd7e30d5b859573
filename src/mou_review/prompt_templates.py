"""Find and fill the versioned prompt templates under prompts/ (packaged or in the checkout)."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError

_PACKAGE = Path(__file__).resolve().parent


def prompts_dir() -> Path:
    """The wheel carries prompts/ as mou_review/prompts; an editable checkout has <repo>/prompts."""
    for candidate in (_PACKAGE / "prompts", _PACKAGE.parent.parent / "prompts"):
        if candidate.is_dir():
            return candidate
    raise ConfigError("prompt templates not found", hint="reinstall mou-review; its wheel carries prompts/")


@lru_cache(maxsize=64)
def load_template(task: str, version: str, name: str) -> str:
    """Template `name` of `task` at `version`, e.g. ("review", "v1", "system")."""
    path = prompts_dir() / task / version / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"prompt template {task}/{version}/{name}.md not found")
    return path.read_text(encoding="utf-8")


def placeholders(template: str) -> set[str]:
    """The `{fields}` a template expects, so a test can check the code fills exactly those."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def fill(task: str, version: str, name: str, **values: object) -> str:
    """A template with every placeholder filled; a missing or unused value is a bug, not a blank."""
    template = load_template(task, version, name)
    expected = placeholders(template)
    if expected != set(values):
        raise ConfigError(
            f"prompt {task}/{version}/{name}.md expects {sorted(expected)}, got {sorted(values)}"
        )
    return template.format(**values)
