"""Score extracted facts against the `facts:` block of gold files: exact match on the normalised form.

A gold fact given as null means "the text does not state it": extracting anything is wrong. A fact
the gold file leaves out is not scored. A list gives every form the text uses (a party named two
ways); any one matches. Names match case- and whitespace-insensitively, without a leading "the".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from .facts import FACT_NAMES
from .models import DocumentReview


class FactScore(BaseModel):
    accuracy: float
    support: int = Field(description="gold documents that label this fact (null included)")
    stated: int = Field(description="of those, documents where the gold fact has a value")
    failures: list[str] = Field(default_factory=list)


def comparable(value: Any) -> str | None:
    """One string form for gold and extracted values: ISO dates, plain numbers, lowercase names."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return f"{float(value):g}"
    text = " ".join(str(value).split()).lower()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return f"{float(text):g}"
    return re.sub(r"^the\s+", "", text)


def score_facts(pairs: list[tuple[str, dict[str, Any] | None, DocumentReview]]) -> dict[str, FactScore]:
    """Per fact: share of (document, fact) pairs where the extracted form equals the gold one.

    `pairs` holds (gold file name, gold facts or None, review); documents without gold facts are skipped.
    """
    out: dict[str, FactScore] = {}
    for name in FACT_NAMES:
        right = support = stated = 0
        failures: list[str] = []
        for label, gold_facts, review in pairs:
            if not gold_facts or name not in gold_facts:
                continue
            accepted = gold_facts[name] if isinstance(gold_facts[name], list) else [gold_facts[name]]
            golds = {comparable(v) for v in accepted}
            gold = " | ".join(sorted(str(g) for g in golds))
            got = comparable(review.facts.normalized()[name]) if review.facts else None
            support += 1
            stated += golds != {None}
            if got in golds:
                right += 1
            else:
                failures.append(f"{Path(label).name}: gold {gold}, extracted {got}")
        if support:
            out[name] = FactScore(
                accuracy=round(right / support, 3), support=support, stated=stated, failures=failures
            )
    return out
