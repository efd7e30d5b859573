"""Throughput against bare pypdf, and where the time goes, on ~5-page and 10-page MOUs, in one run.

    python benchmarks/bench_stages.py                      # 80 five-page and 40 ten-page MOUs
    python benchmarks/bench_stages.py --docs 10 --pages 5  # smoke check

Per page count it times, first all in this one process (the like-for-like comparison with
pypdf, which is single-threaded), after a warm-up document has loaded the models:
  (a) bare pypdf: PdfReader + extract_text on every page;
  (b) offline triage without the store: load, segment, embed, retrieve, review, ground,
      facts, score, and the review JSON + HTML page written per document;
  (c) ingest into a fresh embedded Chroma store: load, segment, embed, store add.
It prints pages/s, both ratios to (a) (goal: each >= 0.5x), and each stage's share. Then (b)
and (c) again with `--workers` processes (default: two, when there are two cores), as a large
batch runs by default; their ratios are still to one-process pypdf.
The PDFs come from bench_ingest's generator (reportlab) and are cached in --out.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_ingest import bench_extract, generate, timed

GOAL = 0.5


def warm_up(path: Path) -> None:
    """Import every module and load the embedder, checklist and reviewer before timing."""
    with tempfile.TemporaryDirectory() as tmp:
        run_triage_once([path], Path(tmp))
        run_ingest_once([path], Path(tmp))


def run_triage_once(paths: list[Path], tmp: Path, workers: int = 1) -> tuple[int, dict[str, float]]:
    """Offline triage without the store; (pages, seconds per stage in this process)."""
    from mou_review import stages
    from mou_review.triage import TriageOptions, run_triage

    stages.reset()
    result = run_triage(paths, tmp / f"triage{workers}", TriageOptions(workers=workers), store=None)
    assert result.ok and len(result.reviewed) == len(paths), result.failed
    spent = stages.spent()
    spent["write"] = result.seconds.get("write", 0.0)
    return sum(r.document.pages for r in result.reviews), spent


def run_ingest_once(paths: list[Path], tmp: Path, workers: int = 1) -> tuple[int, dict[str, float]]:
    """Ingest into a fresh embedded store; (pages, seconds per stage in this process)."""
    from mou_review import stages
    from mou_review.config import Settings
    from mou_review.ingest import ingest
    from mou_review.store import ClauseStore

    settings = Settings(store_dir=tmp / f"store{workers}", workers=workers)
    store = ClauseStore(settings)
    stages.reset()
    report, seconds = timed(lambda: ingest(paths, settings, store))
    assert report.ok and len(report.added) == len(paths), report.failed
    spent = stages.spent()
    spent["store add"] = seconds - sum(spent.values())  # everything but load/segment/embed
    return report.pages, spent


def shares(spent: dict[str, float]) -> str:
    total = sum(spent.values())
    return "  ".join(f"{name} {100 * seconds / total:4.1f}%" for name, seconds in spent.items())


def bench(paths: list[Path], pages_each: int, workers: int) -> None:
    pages, extract_s = bench_extract(paths)
    runs = [("bare pypdf", extract_s)]
    with tempfile.TemporaryDirectory() as tmp:
        (triage_pages, triage_stages), triage_s = timed(lambda: run_triage_once(paths, Path(tmp)))
        (ingest_pages, ingest_stages), ingest_s = timed(lambda: run_ingest_once(paths, Path(tmp)))
        runs += [("offline triage", triage_s), ("ingest", ingest_s)]
        if workers > 1:
            runs.append(
                (f"triage, {workers} procs", timed(lambda: run_triage_once(paths, Path(tmp), workers))[1])
            )
            runs.append(
                (f"ingest, {workers} procs", timed(lambda: run_ingest_once(paths, Path(tmp), workers))[1])
            )
    assert triage_pages == ingest_pages == pages, (triage_pages, ingest_pages, pages)
    print(f"\n{len(paths)} MOUs x {pages_each} pages = {pages} pages (one process unless stated)")
    for label, seconds in runs:
        rate = pages / seconds
        ratio = rate / (pages / extract_s)
        verdict = (
            ""
            if label == "bare pypdf"
            else f" = {ratio:4.2f}x bare ({'meets' if ratio >= GOAL else 'BELOW'} {GOAL}x)"
        )
        print(
            f"  {label:<18} {seconds:7.2f} s {rate:7.1f} pages/s {60 * len(paths) / seconds:6.0f} MOUs/min{verdict}"
        )
    print(f"  triage stages (one process): {shares(triage_stages)}")
    print(f"  ingest stages (one process): {shares(ingest_stages)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, nargs="+", default=[80, 40], help="MOUs per page count")
    parser.add_argument("--pages", type=int, nargs="+", default=[5, 10], help="pages per MOU")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"), help="cache of generated PDFs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="also time triage and ingest with N processes (-j N); 1: one-process runs only",
    )
    args = parser.parse_args()
    counts = args.docs if len(args.docs) == len(args.pages) else [args.docs[0]] * len(args.pages)
    sets = [
        (generate(args.out, docs, pages, args.seed), pages)
        for docs, pages in zip(counts, args.pages, strict=True)
    ]
    warm_up(sets[0][0][0])
    for paths, pages in sets:
        bench(paths, pages, args.workers)


if __name__ == "__main__":
    main()
