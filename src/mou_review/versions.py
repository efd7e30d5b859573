"""Version keys built from the code itself, so a stale index or result is never reused silently.

`index_key` names the index a store holds (embedding model + loader/segmenter/normaliser code, as
paper-qa's `get_index_name()` does); `rules_key` names what a finished review was made with. Both
are digests of the package's own source, so nobody has to remember to bump a version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checklist import Checklist
    from .reviewers import Reviewer

# Modules whose code decides a document's text, clauses and metadata: the stored index.
INDEX_MODULES = (
    "documents.py",
    "docx_text.py",
    "normalize.py",
    "segment.py",
    "metadata.py",
    "vocabulary.py",
    "store_records.py",  # how records are written and read back (RECORD_LAYOUT names the layout too)
)
# Modules whose code decides a finding from those clauses (the whole reviewers/ package too).
RULE_MODULES = (
    "retrieve.py",
    "bm25_arrays.py",
    "review.py",
    "grounding.py",
    "quotes.py",
    "models.py",
    "vocabulary.py",
)
EMBEDDER_NAMES = {"wordllama": "wordllama-l2_supercat-256", "openai": "openai-text-embedding-3-small"}


@lru_cache(maxsize=8)
def source_digest(names: tuple[str, ...], folders: tuple[str, ...] = ()) -> str:
    """sha256 over the package's own source files `names` and every .py and .json (fitted rule
    data) file in `folders`."""
    package = resources.files("mou_review")
    files = [package / name for name in names]
    for folder in folders:
        files += sorted(
            (f for f in (package / folder).iterdir() if f.name.endswith((".py", ".json"))),
            key=lambda f: f.name,
        )
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def index_key(embedding: str) -> str:
    """Names the index a store holds: the embedding model plus the loader/segmenter/normaliser code."""
    model = EMBEDDER_NAMES.get(embedding, embedding)
    return hashlib.sha256(f"{model}|{source_digest(INDEX_MODULES)}".encode()).hexdigest()[:12]


def rules_key(checklist: Checklist, reviewer: Reviewer, top_k: int, embedding: str) -> str:
    """What a finished review was made with: checklist file, reviewer code and prompts, retrieval."""
    parts: Iterable[object] = (
        checklist.id,
        checklist.digest,
        reviewer.name,
        getattr(reviewer, "prompt_version", None),
        getattr(reviewer, "model_key", None),
        source_digest(RULE_MODULES, ("reviewers",)),
        index_key(embedding),
        top_k,
    )
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:16]
