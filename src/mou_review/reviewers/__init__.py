"""Reviewer backends: each turns (document, requirement, retrieved clauses) into a Finding."""

from __future__ import annotations

from .base import Reviewer


def make_reviewer(backend: str) -> Reviewer:
    """The reviewer for a resolved backend name."""
    if backend == "offline":
        from .offline import OfflineReviewer

        return OfflineReviewer()
    if backend == "keyword":
        from .keyword import KeywordReviewer

        return KeywordReviewer()
    from ..errors import ConfigError

    raise ConfigError(f"backend {backend!r} is not available", hint="use --backend offline or keyword")


__all__ = ["Reviewer", "make_reviewer"]
