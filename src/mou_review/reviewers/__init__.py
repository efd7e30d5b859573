"""Reviewer backends: each turns (document, requirement, retrieved clauses) into a Finding.

`REVIEWERS` is the registry: a backend is a name and a factory, imported only when chosen. Adding
one is a module here and a line below; the CLI's `--backend` choices and the settings' check are
read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import BatchReviewer, ReviewBatch, Reviewer

if TYPE_CHECKING:
    from ..checklist import Checklist
    from ..config import Settings

Factory = Callable[["Settings", "Checklist | None"], Reviewer]


def _offline(settings: Settings, checklist: Checklist | None) -> Reviewer:
    from .offline import OfflineReviewer

    return OfflineReviewer()


def _keyword(settings: Settings, checklist: Checklist | None) -> Reviewer:
    from .keyword import KeywordReviewer

    return KeywordReviewer()


def _llm(settings: Settings, checklist: Checklist | None) -> Reviewer:
    from ..checklist import load_checklist
    from .llm import LLMReviewer

    return LLMReviewer(settings, checklist or load_checklist(settings.checklist))


REVIEWERS: dict[str, Factory] = {"offline": _offline, "llm": _llm, "keyword": _keyword}
# Need no model or network: CPU-bound, so batches run them in worker processes (a remote backend
# bounds its own concurrency), and the redline suggests the library clause as written.
LOCAL_BACKENDS: tuple[str, ...] = ("offline", "keyword")


def make_reviewer(
    backend: str, settings: Settings | None = None, checklist: Checklist | None = None
) -> Reviewer:
    """The reviewer for a resolved backend name (settings and checklist matter only to `llm`)."""
    from ..config import Settings

    factory = REVIEWERS.get(backend)
    if factory is None:
        from ..errors import ConfigError

        names = ", ".join(REVIEWERS)
        raise ConfigError(f"backend {backend!r} is not available", hint=f"use --backend {names}")
    return factory(settings or Settings(), checklist)


__all__ = ["LOCAL_BACKENDS", "REVIEWERS", "BatchReviewer", "ReviewBatch", "Reviewer", "make_reviewer"]
