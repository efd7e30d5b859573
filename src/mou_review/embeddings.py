"""Sentence embeddings: WordLlama from the installed wheel by default (never downloads)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ConfigError


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


class WordLlamaEmbedder:
    """WordLlama's 256-d model; its weights ship inside the `wordllama` package."""

    name = "wordllama-l2_supercat-256"

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        package_dir = Path(wordllama.__file__).parent
        self._model = WordLlama.load(cache_dir=package_dir, disable_download=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 256), dtype=np.float32)
        vectors = self._model.embed(texts, norm=True, batch_size=256)
        return np.asarray(vectors, dtype=np.float32)


class OpenAIEmbedder:
    """OpenAI embeddings, for users who configure them (sends clause text to the API)."""

    name = "openai-text-embedding-3-small"

    def __init__(self) -> None:
        try:
            from langchain_openai import OpenAIEmbeddings
        except ImportError as exc:  # pragma: no cover - dependency is declared
            raise ConfigError("langchain-openai is not installed") from exc
        if not os.environ.get("OPENAI_API_KEY"):
            raise ConfigError(
                "the openai embedding model needs OPENAI_API_KEY",
                hint="set it, or use the offline default (MOU_REVIEW_EMBEDDING=wordllama)",
            )
        self._model = OpenAIEmbeddings(model="text-embedding-3-small")

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._model.embed_documents(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


@lru_cache(maxsize=4)
def get_embedder(name: str = "wordllama") -> Embedder:
    """One embedder per process: loading is the expensive part."""
    if name == "wordllama":
        return WordLlamaEmbedder()
    if name == "openai":
        return OpenAIEmbedder()
    raise ConfigError(f"unknown embedding model {name!r}", hint="use 'wordllama' or 'openai'")
