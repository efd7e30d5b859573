"""Start-up: `mou-review review` of a one-page MOU against a bare import of its base libraries.

    python benchmarks/bench_startup.py                 # median of 5 runs each
    python benchmarks/bench_startup.py --runs 9 --file corpus/caddow_ford_ks_2006.pdf

The goal (issue 14) is review <= 3x `python -c "import typer, pydantic, yaml, numpy"`, wall time.
The two commands alternate, so a busy machine slows both alike and the ratio stays comparable.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_PAGE = ROOT / "corpus" / "caddow_ford_ks_2006.pdf"  # one page, 8 clauses
BARE = [sys.executable, "-c", "import typer, pydantic, yaml, numpy"]
GOAL = 3.0


def wall(command: list[str]) -> float:
    """Seconds for one run of `command`; it must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, runs interleaved (one warm-up run each is discarded)."""
    for command in commands.values():
        wall(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(wall(command))
    return {name: statistics.median(spent) for name, spent in times.items()}


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
    ratio = result["review"] / result["bare"]
    print(f"file: {args.file} ({pages(args.file) or '?'} page(s)); median of {args.runs} runs each")
    print(f"bare import (typer, pydantic, yaml, numpy): {result['bare']:6.3f} s")
    print(f"mou-review review                         : {result['review']:6.3f} s")
    verdict = "meets" if ratio <= GOAL else "ABOVE"
    print(f"ratio review / bare                       : {ratio:6.2f}x ({verdict} the {GOAL:.0f}x goal)")


if __name__ == "__main__":
    main()
