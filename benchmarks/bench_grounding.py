"""Fuzzy grounding on perturbed gold quotes: the old difflib word-window prefilter vs rapidfuzz.

    python benchmarks/bench_grounding.py            # every gold quote of evals/gold
    python benchmarks/bench_grounding.py --min-words 8

Each gold evidence quote that the grounder locates exactly (or normalised) in its document is
perturbed the way a model misquotes: one letter changed in its first word and in its last word.
A perturbed quote counts as found when the fuzzy stage returns a span overlapping at least 80% of
where the unperturbed quote sits. As a check on false matches, each perturbed quote is also
looked up in the next gold document, which it does not come from: "found elsewhere" counts quotes
accepted there (MOUs share boilerplate, so a few are real). The old code is kept below only as
the baseline.
"""

from __future__ import annotations

import argparse
import difflib
import re
import time
from collections.abc import Callable
from pathlib import Path

from mou_review.documents import load_document
from mou_review.evaluate import load_gold
from mou_review.grounding import FUZZY_MIN_RATIO, Grounder
from mou_review.models import Evidence
from mou_review.normalize import fold

ROOT = Path(__file__).resolve().parents[1]


def old_fuzzy(grounder: Grounder, canon_quote: str) -> Evidence | None:
    """The fuzzy stage as it was before rapidfuzz: same-length word windows, anchored on the
    quote's first or last word, scored with difflib."""
    canon, folded = grounder._canon, grounder._folded
    words = list(re.finditer(r"\S+", canon))
    n = len(canon_quote.split())
    if n < 4 or not words:
        return None
    anchor = canon_quote.split()[0]
    best, best_span = 0.0, None
    for i in range(len(words)):
        if i + n > len(words):
            break
        if (
            words[i].group() != anchor
            and words[min(i + n - 1, len(words) - 1)].group() != canon_quote.split()[-1]
        ):
            continue
        window = canon[words[i].start() : words[i + n - 1].end()]
        ratio = difflib.SequenceMatcher(None, canon_quote, window, autojunk=False).ratio()
        if ratio > best:
            best, best_span = ratio, (words[i].start(), words[i + n - 1].end())
    if best_span is None or best < FUZZY_MIN_RATIO:
        return None
    start, end = best_span
    return grounder._evidence(*folded.source_span(start, end), "fuzzy")


def perturb(quote: str) -> str:
    """One letter changed in the first and in the last word (a model's misquote at both ends)."""
    words = quote.split(" ")

    def change(word: str) -> str:
        letters = [i for i, c in enumerate(word) if c.isalpha()]
        if not letters:
            return word + "x"
        i = letters[len(letters) // 2]
        return word[:i] + ("q" if word[i].lower() == "x" else "x") + word[i + 1 :]

    words[0], words[-1] = change(words[0]), change(words[-1])
    return " ".join(words)


def cases(min_words: int) -> list[tuple[Grounder, str, Evidence]]:
    """(grounder, perturbed canonical quote, where the true quote is) for every usable gold quote."""
    out = []
    for gold in load_gold(ROOT / "evals" / "gold", root=ROOT):
        grounder = Grounder(load_document(Path(gold.document)))
        for label in gold.labels.values():
            for quote in label.evidence:
                truth = grounder.locate(quote)
                if truth is None or truth.match == "fuzzy" or len(quote.split()) < min_words:
                    continue
                canon_quote = fold(perturb(quote.strip())).strip()
                out.append((grounder, canon_quote, truth))
    return out


def overlaps(found: Evidence | None, truth: Evidence) -> bool:
    if found is None:
        return False
    shared = min(found.end, truth.end) - max(found.start, truth.start)
    return shared >= 0.8 * (truth.end - truth.start)


def measure(name: str, stage: Callable[[Grounder, str], Evidence | None], data: list) -> None:
    began = time.perf_counter()
    results = [stage(g, q) for g, q, _ in data]
    took = time.perf_counter() - began
    found = sum(overlaps(r, t) for r, (_, _, t) in zip(results, data, strict=True))
    grounders = list(dict.fromkeys(g for g, _, _ in data))
    other = {g: grounders[(i + 1) % len(grounders)] for i, g in enumerate(grounders)}
    elsewhere = sum(stage(other[g], q) is not None for g, q, _ in data)
    print(
        f"{name:10s} found {found}/{len(data)}  {took:.3f} s ({1000 * took / max(len(data), 1):.2f} ms/quote)"
        f"  found elsewhere {elsewhere}/{len(data)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-words", type=int, default=4, help="skip gold quotes shorter than this")
    args = parser.parse_args()
    data = cases(args.min_words)
    for grounder, _, _ in data:
        grounder._folded  # noqa: B018 -- build each canonical text outside the timing
        grounder._words  # noqa: B018
    measure("old", old_fuzzy, data)
    measure("rapidfuzz", lambda g, q: g._fuzzy(q), data)


if __name__ == "__main__":
    main()
