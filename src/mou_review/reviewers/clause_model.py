"""A learned second opinion for the offline rules: does this clause address the requirement?

The rules need the checklist's words; real drafters use others ("answers to the Lieutenant",
"the sole prerogative of school officials"). One logistic regression per requirement over the
clause's WordLlama vector, fitted on the dev splits only by `scripts/fit_clause_model.py`
(real dev clauses plus the corpus dev gold quotes), says how much a clause reads like the
labelled clauses that address it. The offline reviewer uses it in two narrow places, each named
in the rationale: a requirement the rules find nothing for is `weak` when a retrieved clause
scores at least `boost`, and a lone topic word in a clause scoring under `veto` is only a passing
mention. Scoring is a matrix product with the shipped weights: no scikit-learn at run time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

MODEL_FILE = Path(__file__).with_name("clause_model.json")


@dataclass(frozen=True)
class ClauseModel:
    embedding: str  # the embedder the weights were fitted on; other vectors are not scored
    ids: tuple[str, ...]  # requirement ids, one row of `weights` each
    weights: np.ndarray  # (len(ids), dimensions)
    bias: np.ndarray  # (len(ids),)
    boost: float  # a clause at least this likely to address a requirement the rules missed: weak
    veto: float  # a lone topic word in clauses all below this: a passing mention

    def probabilities(self, vectors: np.ndarray, requirement_ids: list[str]) -> np.ndarray:
        """(clauses, requirements) probability that each clause addresses each requirement;
        NaN for a requirement the model was not fitted on."""
        out = np.full((len(vectors), len(requirement_ids)), np.nan)
        if not len(vectors) or vectors.shape[1] != self.weights.shape[1]:
            return out
        logits = vectors @ self.weights.T + self.bias
        column = {rid: i for i, rid in enumerate(self.ids)}
        for j, rid in enumerate(requirement_ids):
            if rid in column:
                out[:, j] = sigmoid(logits[:, column[rid]])
        return out

    def best_sentence(self, text: str, requirement_id: str) -> str:
        """The sentence of `text` the model scores highest for the requirement: what to quote."""
        from ..embeddings import get_embedder
        from ..quotes import quote_at
        from ..vocabulary import sentence_spans

        spans = list(sentence_spans(text)) or [(0, len(text))]
        if len(spans) == 1:
            return quote_at(text, *spans[0])
        vectors = get_embedder(self.embedding).embed([text[a:b] for a, b in spans])
        scores = self.probabilities(vectors, [requirement_id])[:, 0]
        return quote_at(text, *spans[int(np.nanargmax(scores))])

    def to_json(self, **extra: Any) -> str:
        data = {
            "embedding": self.embedding,
            "boost": self.boost,
            "veto": self.veto,
            **extra,
            "requirements": {
                rid: {"bias": round(float(b), 6), "weights": [round(float(w), 6) for w in row]}
                for rid, row, b in zip(self.ids, self.weights, self.bias, strict=True)
            },
        }
        return json.dumps(data, indent=1) + "\n"


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0)))


def parse(data: dict[str, Any]) -> ClauseModel:
    requirements = data["requirements"]
    ids = tuple(requirements)
    return ClauseModel(
        embedding=data["embedding"],
        ids=ids,
        weights=np.array([requirements[rid]["weights"] for rid in ids], dtype=np.float32),
        bias=np.array([requirements[rid]["bias"] for rid in ids], dtype=np.float32),
        boost=float(data["boost"]),
        veto=float(data["veto"]),
    )


@lru_cache(maxsize=1)
def shipped_model() -> ClauseModel | None:
    """The fitted model in the package, or None when it has not been fitted."""
    if not MODEL_FILE.is_file():
        return None
    return parse(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
