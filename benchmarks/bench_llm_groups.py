"""Prompt tokens per document for several requirements-per-call group sizes (llm_group_size).

    python benchmarks/bench_llm_groups.py                              # two corpus documents
    python benchmarks/bench_llm_groups.py corpus/oxbend_ks_1996.txt --sizes 1 4

The answers come from the scripted fake server (tests/fake_openai_server.py), so only the
prompt side is a real measurement: o200k_base tokens of the prompts exactly as the reviewer
builds them (plus the schema). Output tokens depend on the model and are shown for the scripted
answers only. No network, no cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai_server import FakeOpenAI, Step  # noqa: E402

from mou_review.checklist import load_checklist  # noqa: E402
from mou_review.config import Settings  # noqa: E402
from mou_review.ingest import prepare  # noqa: E402
from mou_review.review import review_document  # noqa: E402
from mou_review.reviewers.llm import LLMReviewer  # noqa: E402

DEFAULT_DOCS = ["corpus/cadwell_springs_tx_2020.txt", "corpus/corran_lake_wi_2020.docx"]


def measure(path: str, size: int) -> dict[str, float]:
    checklist = load_checklist("cops-nasro")
    doc = prepare(str(ROOT / path), None, "wordllama")
    assert doc.document is not None and doc.vectors is not None, doc.error
    with FakeOpenAI([Step()]) as base_url:
        settings = Settings(llm_base_url=base_url, llm_cache=None, llm_group_size=size, llm_max_concurrency=4)
        started = time.perf_counter()
        review = review_document(
            doc.document, doc.clauses, doc.vectors, checklist, LLMReviewer(settings, checklist)
        )
        return {**review.usage, "seconds": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("docs", nargs="*", default=DEFAULT_DOCS)
    parser.add_argument("--sizes", nargs="*", type=int, default=[1, 2, 4, 8, 22])
    args = parser.parse_args()
    print(f"{'document':34} {'group':>5} {'calls':>5} {'in tokens':>9} {'vs 1':>6} {'out (scripted)':>14}")
    for path in args.docs:
        base = None
        for size in args.sizes:
            usage = measure(path, size)
            base = base or usage["input_tokens"]
            print(
                f"{Path(path).name:34} {size:>5} {usage['calls']:>5.0f} {usage['input_tokens']:>9.0f} "
                f"{usage['input_tokens'] / base:>6.2f} {usage['output_tokens']:>14.0f}"
            )


if __name__ == "__main__":
    main()
