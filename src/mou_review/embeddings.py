"""Sentence embeddings: WordLlama from the installed wheel by default (never downloads)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import re
import struct
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Protocol

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
        self._words = WordCache(self._tokenizer)
        self._weights = _mapped_tensor(root / "weights" / "l2_supercat_256.safetensors", "embedding.weight")
        # float32 copies of the rows used so far. np.empty only reserves the memory: the pages of
        # rows never written are never touched, so it grows with the vocabulary of the documents.
        self._rows = np.empty(self._weights.shape, dtype=np.float32)
        self._converted = np.zeros(self._weights.shape[0], dtype=bool)

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.empty((len(texts), self._weights.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors[start : start + len(batch)] = self._pool(self._words.ids(batch))
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


# A word as the normaliser leaves the text: its run of "▁" (the spaces before it), then the rest.
_WORD = re.compile("▁*[^▁]+|▁+")
_NORMALIZER = 'Sequence(normalizers=[Prepend(prepend="▁"), Replace(pattern=String(" "), content="▁")])'
MAX_WORDS = 200_000  # words remembered per process; past that the cache starts over
MAX_WORD_CHARS = 64  # longer "words" (a run of text without spaces) are tokenised, not kept
CHECK_AFTER_CHARS = 100_000  # about what the word path saves the ~20 ms its check costs


class WordCache:
    """Token ids of texts, word by word with each word's ids remembered: the tokenizer's own
    answer, several times faster, since a batch of MOUs repeats its words.

    WordLlama's tokenizer (Llama 2's) turns spaces into "▁", prefixes one, and runs BPE over the
    whole text as one word. No merge can join a character to a "▁" after it when no vocabulary
    token holds "▁" after another character, and with every byte token present no character is
    unknown; then BPE over the text is BPE over each of its words, one after the other. That is
    checked on the loaded tokenizer once (`exact`); otherwise, and for a text holding a special
    token ("<s>"), which the tokenizer splits out before normalising, the tokenizer itself runs.
    The check reads the whole vocabulary (~20 ms), so it waits until the process has tokenised
    `check_after` characters: a one-file review never pays for it.
    """

    def __init__(self, tokenizer: Any, check_after: int = CHECK_AFTER_CHARS) -> None:
        self._tokenizer = tokenizer
        self._known: dict[str, list[int]] = {}
        self._unchecked = check_after  # characters still to tokenise before the check

    def ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, as `encode_batch_fast(texts, add_special_tokens=False)` gives."""
        if self._unchecked > 0:
            self._unchecked -= sum(len(t) for t in texts)
            return self._encoded(texts)
        if not self.exact:
            return self._encoded(texts)
        return [self._encoded([t])[0] if self._special(t) else self._text_ids(t) for t in texts]

    @cached_property
    def exact(self) -> bool:
        """Whether word-by-word BPE gives this tokenizer's ids (see the class docstring)."""
        if not _plain_bpe(self._tokenizer):
            return False
        vocab = self._tokenizer.get_vocab(with_added_tokens=False)
        every_byte = all(f"<0x{b:02X}>" in vocab for b in range(256))
        return every_byte and not any("▁" in token.lstrip("▁") for token in vocab)

    @cached_property
    def _specials(self) -> tuple[str, ...]:
        return tuple(t.content for t in self._tokenizer.get_added_tokens_decoder().values())

    def _special(self, text: str) -> bool:
        return any(special in text for special in self._specials)

    def _encoded(self, texts: list[str]) -> list[list[int]]:
        batch = self._tokenizer.encode_batch_fast(texts, add_special_tokens=False)  # no offsets
        return [e.ids for e in batch]

    def _text_ids(self, text: str) -> list[int]:
        if not text:
            return []  # the normaliser prefixes nothing to an empty text
        out: list[int] = []
        known = self._known
        for word in _WORD.findall("▁" + text.replace(" ", "▁")):
            ids = known.get(word)
            if ids is None:
                ids = [token.id for token in self._tokenizer.model.tokenize(word)]
                if len(word) <= MAX_WORD_CHARS:
                    if len(known) >= MAX_WORDS:
                        known.clear()
                    known[word] = ids
            out += ids
        return out


def _plain_bpe(tokenizer: Any) -> bool:
    """Llama 2's set-up: spaces to "▁" and one prefixed, no pre-tokenizer, BPE with byte fallback
    and nothing that treats a word's start or end differently."""
    model = tokenizer.model
    return (
        repr(tokenizer.normalizer) == _NORMALIZER
        and tokenizer.pre_tokenizer is None
        and type(model).__name__ == "BPE"
        and model.dropout is None
        and model.byte_fallback
        and not getattr(model, "ignore_merges", False)
        and not model.continuing_subword_prefix
        and not model.end_of_word_suffix
    )


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
