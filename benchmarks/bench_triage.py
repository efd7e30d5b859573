"""Triage throughput with the offline backend: MOUs per minute with 1 and 2 processes (-j), and stage shares.

    python -m benchmarks.bench_triage                 # 200 ten-page MOUs, 1 and 2 workers
    python -m benchmarks.bench_triage --docs 20       # smoke check

Each run starts from an empty output folder and an empty store (the cached PDFs from
bench_ingest's generator are reused), so it measures a whole first triage: load, segment,
embed, review, write the review and HTML page, add to Chroma.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_ingest import generate, timed


def bench_triage(paths: list[Path], workers: int, index: bool) -> tuple[int, float, dict[str, float]]:
    """One full triage into fresh folders; returns (MOUs, seconds, seconds per stage)."""
    from mou_review.config import Settings
    from mou_review.store import ClauseStore
    from mou_review.triage import TriageOptions, run_triage, write_summary

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        store = ClauseStore(Settings(store_dir=Path(tmp) / "store")) if index else None

        def run() -> int:
            result = run_triage(paths, out, TriageOptions(workers=workers), store=store)
            write_summary(out, result)
            assert result.ok and len(result.reviewed) == len(paths), result.failed
            run.seconds = result.seconds  # type: ignore[attr-defined]
            return len(result.rows)

        docs, seconds = timed(run)
        return docs, seconds, run.seconds  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=200, help="synthetic MOUs to triage")
    parser.add_argument("--pages", type=int, default=10, help="pages per MOU")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to compare")
    parser.add_argument("--no-index", action="store_true", help="skip the Chroma store (like --no-index)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"), help="cache of generated PDFs")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    paths, gen_s = timed(lambda: generate(args.out, args.docs, args.pages, args.seed))
    print(f"{len(paths)} PDFs x {args.pages} pages in {args.out} (generation/cache check {gen_s:.1f} s)")
    goal = 100.0
    for workers in args.workers:
        docs, seconds, stages = bench_triage(paths, workers, index=not args.no_index)
        rate = 60.0 * docs / seconds
        verdict = "meets" if rate >= goal else "BELOW"
        print(
            f"triage, {workers} process(es){'' if not args.no_index else ', no index'}: {docs} MOUs in "
            f"{seconds:6.2f} s = {rate:7.1f} MOUs/min ({verdict} the {goal:.0f}/min goal)"
        )
        total = sum(stages.values())
        note = "worker CPU-seconds summed" if workers > 1 else "one process"
        print(f"    stage share ({note}, {total:.2f} s):")
        for name, spent in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"        {name:<8} {spent:7.2f} s  {100 * spent / total:5.1f} %")


if __name__ == "__main__":
    main()
