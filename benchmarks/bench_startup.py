"""Start-up: `mou-review review` of a one-page MOU against a bare import of its base libraries.

    python benchmarks/bench_startup.py                 # median of 5 runs each
    python benchmarks/bench_startup.py --runs 9 --file corpus/caddow_ford_ks_2006.pdf

The goal (issue 14) is review <= 3x `python -c "import typer, pydantic, yaml, numpy"`, wall time.
The two commands alternate, so a busy machine slows both alike and the ratio stays comparable;
CPU time (user + system) is printed too, as the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_PAGE = ROOT / "corpus" / "caddow_ford_ks_2006.pdf"  # one page, 8 clauses
BARE = [sys.executable, "-c", "import typer, pydantic, yaml, numpy"]
GOAL = 3.0


def run(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) for one run of `command`; it must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spent = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return spent, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command, runs interleaved (one warm-up run each is discarded)."""
    for command in commands.values():
        run(command)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run(command))
    return {
        name: (statistics.median(w for w, _ in spent), statistics.median(c for _, c in spent))
        for name, spent in times.items()
    }


def pages(path: Path) -> int:
    if path.suffix.lower() != ".pdf":
        return 0
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command")
    parser.add_argument("--file", type=Path, default=ONE_PAGE, help="the MOU to review")
    args = parser.parse_args()

    review = [sys.executable, "-m", "mou_review", "review", str(args.file), "--backend", "offline"]
    result = medians({"bare": BARE, "review": review}, args.runs)
    (bare, bare_cpu), (spent, cpu) = result["bare"], result["review"]
    ratio = spent / bare
    print(f"file: {args.file} ({pages(args.file) or '?'} page(s)); median of {args.runs} runs each")
    print(f"bare import (typer, pydantic, yaml, numpy): {bare:6.3f} s wall  {bare_cpu:6.3f} s CPU")
    print(f"mou-review review                         : {spent:6.3f} s wall  {cpu:6.3f} s CPU")
    verdict = "meets" if ratio <= GOAL else "ABOVE"
    print(
        f"ratio review / bare                       : {ratio:6.2f}x wall ({verdict} the {GOAL:.0f}x goal), "
        f"{cpu / bare_cpu:.2f}x CPU"
    )


if __name__ == "__main__":
    main()
