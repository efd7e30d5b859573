"""Sentence embeddings: WordLlama from the installed wheel by default (never downloads)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import struct
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
    """WordLlama's 256-d model (l2_supercat), read from the files inside the `wordllama` wheel.

    It loads the wheel's tokenizer itself, memory-maps its weights, and pools exactly as
    `WordLlamaInference.embed(norm=True)` does (a test holds the vectors equal). Importing the
    `wordllama` package would cost more than the rest of a one-page review: it pulls in
    `requests` for downloads this path never makes, and copies the whole weight matrix to
    float32 up front, where only the rows of the tokens in hand are needed.
    """

    name = "wordllama-l2_supercat-256"
    batch_size = 256

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        root = _wordllama_dir()
        self._tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._weights = _mapped_tensor(root / "weights" / "l2_supercat_256.safetensors", "embedding.weight")
        # float32 copies of the rows used so far. np.empty only reserves the memory: the pages of
        # rows never written are never touched, so it grows with the vocabulary of the documents.
        self._rows = np.empty(self._weights.shape, dtype=np.float32)
        self._converted = np.zeros(self._weights.shape[0], dtype=bool)

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.empty((len(texts), self._weights.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = self._tokenizer.encode_batch_fast(  # ids only: no offsets to track
                texts[start : start + self.batch_size], add_special_tokens=False
            )
            vectors[start : start + len(batch)] = self._pool([e.ids for e in batch])
        return vectors

    def _pool(self, ids: list[list[int]]) -> np.ndarray:
        """Mean of each text's token vectors, then unit length: WordLlama's arithmetic in its order
        (float32 sums token by token), over the tokens themselves rather than a padded batch."""
        lengths = np.fromiter((len(i) for i in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int32, count=int(lengths.sum()))
        np.clip(flat, 0, self._weights.shape[0] - 1, out=flat)
        tokens = self._float_rows(flat)
        sums = np.zeros((len(ids), self._weights.shape[1]), dtype=np.float32)  # an empty text stays 0
        ends = np.cumsum(lengths)
        for row, (start, end) in enumerate(zip((ends - lengths).tolist(), ends.tolist(), strict=True)):
            if end > start:  # axis-0 sums add row by row, as WordLlama's padded sum does
                sums[row] = tokens[start:end].sum(axis=0)
        pooled = sums / np.maximum(lengths, 1).astype(np.float32)[:, np.newaxis]
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled

    def _float_rows(self, flat: np.ndarray) -> np.ndarray:
        """The float32 vectors of these token ids, each row converted from float16 once per process."""
        new = np.unique(flat[~self._converted[flat]])
        if len(new):
            self._rows[new] = self._weights[new]
            self._converted[new] = True
        return self._rows[flat]


def _mapped_tensor(path: Path, name: str) -> np.ndarray:
    """One float16 tensor of a safetensors file, memory-mapped rather than read: a review touches
    only the rows of its tokens. The format is an 8-byte header length, a JSON header naming each
    tensor's dtype, shape and byte offsets, then the raw little-endian data."""
    with path.open("rb") as file:
        (size,) = struct.unpack("<Q", file.read(8))
        meta = json.loads(file.read(size))[name]
    if meta["dtype"] != "F16":
        raise ConfigError(f"{path}: {name} is {meta['dtype']}, not the float16 this embedder reads")
    start, end = meta["data_offsets"]
    rows, width = meta["shape"]
    if end - start != rows * width * 2:
        raise ConfigError(f"{path}: {name} holds {end - start} bytes, not {rows} x {width} float16")
    return np.memmap(path, dtype="<f2", mode="r", offset=8 + size + start, shape=(rows, width))


def _wordllama_dir() -> Path:
    """The installed `wordllama` package folder, found without importing the package."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("wordllama is not installed", hint="pip install wordllama")
    return Path(next(iter(spec.submodule_search_locations)))


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
