"""The seam where a model may adapt a library clause to an agreement's own style.

Offline, the filled library clause is used as written. With the llm backend the adapter calls
`reviewers.llm.adapt_clause(settings, requirement_title, model_clause, excerpt)`, imported only
then, so the offline path never loads LangChain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from ..checklist import Checklist
from ..config import Settings
from ..errors import ConfigError


class ClauseAdapter(Protocol):
    name: str

    def adapt(self, requirement_id: str, model_clause: str, excerpt: str) -> str:
        """The clause to suggest, given the filled model clause and an excerpt of the agreement."""
        ...


class LibraryClauseAdapter:
    """Offline: the library clause, filled with the agreement's parties, unchanged."""

    name = "offline"

    def adapt(self, requirement_id: str, model_clause: str, excerpt: str) -> str:
        return model_clause


class LlmClauseAdapter:
    """Asks the configured chat model to fit the clause to the agreement's wording."""

    name = "llm"

    def __init__(
        self, settings: Settings, checklist: Checklist, adapt_clause: Callable[[Settings, str, str, str], str]
    ) -> None:
        self.settings = settings
        self.checklist = checklist
        self._adapt_clause = adapt_clause

    def adapt(self, requirement_id: str, model_clause: str, excerpt: str) -> str:
        title = self.checklist.get(requirement_id).title
        return self._adapt_clause(self.settings, title, model_clause, excerpt) or model_clause


def make_adapter(backend: str, settings: Settings, checklist: Checklist) -> ClauseAdapter:
    """The adapter for a resolved backend name."""
    from ..reviewers import LOCAL_BACKENDS, REVIEWERS

    if backend in LOCAL_BACKENDS:
        return LibraryClauseAdapter()
    if backend in REVIEWERS:  # a model backend: the llm adapter
        from ..reviewers.llm import adapt_clause  # imported here: LangChain only when asked for

        return LlmClauseAdapter(settings, checklist, adapt_clause)
    raise ConfigError(f"backend {backend!r} is not available", hint="use --backend offline")
