"""Reviewer backends: each turns (document, requirement, retrieved clauses) into a Finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import BatchReviewer, ReviewBatch, Reviewer

if TYPE_CHECKING:
    from ..checklist import Checklist
    from ..config import Settings


def make_reviewer(
    backend: str, settings: Settings | None = None, checklist: Checklist | None = None
) -> Reviewer:
    """The reviewer for a resolved backend name (settings and checklist matter only to `llm`)."""
    if backend == "offline":
        from .offline import OfflineReviewer

        return OfflineReviewer()
    if backend == "keyword":
        from .keyword import KeywordReviewer

        return KeywordReviewer()
    if backend == "llm":
        from ..checklist import load_checklist
        from ..config import Settings
        from .llm import LLMReviewer

        settings = settings or Settings()
        return LLMReviewer(settings, checklist or load_checklist(settings.checklist))
    from ..errors import ConfigError

    raise ConfigError(f"backend {backend!r} is not available", hint="use --backend offline, llm or keyword")


__all__ = ["BatchReviewer", "ReviewBatch", "Reviewer", "make_reviewer"]
