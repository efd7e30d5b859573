"""Seconds spent in each pipeline stage by this process, summed over documents.

The per-document pipeline wraps each stage in `stage(name)`; `benchmarks/bench_stages.py`
reads the totals to print each stage's share. The cost is two clock reads per stage.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STAGES = ("load", "segment", "embed", "retrieve", "review", "ground", "facts", "score")
_spent: dict[str, float] = {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add the time spent in the block to `name`'s total."""
    start = time.perf_counter()
    try:
        yield
    finally:
        _spent[name] = _spent.get(name, 0.0) + time.perf_counter() - start


def spent() -> dict[str, float]:
    """The totals so far, in pipeline order."""
    return {name: _spent[name] for name in (*STAGES, *sorted(set(_spent) - set(STAGES))) if name in _spent}


def reset() -> None:
    _spent.clear()
