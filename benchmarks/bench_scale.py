"""The store at scale: `search` and `similar` over 3,000 MOUs / 100k clauses, embedded and via `chroma run`.

    nice -n 5 python benchmarks/bench_scale.py --store /tmp/mou-scale     # build once, then time
    python benchmarks/bench_scale.py --store /tmp/mou-scale               # re-run: only times

Clause records are synthesised cheaply from the corpus: every corpus MOU is loaded, segmented and
embedded once, then each synthetic MOU takes one corpus MOU's clauses with light text variation
(its own district name, numbers, a few word swaps) plus clauses drawn from others, and vectors that
are the originals plus a little noise. They are written through `ClauseStore.add_many`, the
store's own add path, so no embedding runs at build time. Each timing phase runs in its own
process (as a CLI call would): embedded first, then a `chroma run` server on 127.0.0.1 over the
same folder, stopped at the end. Not run in CI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
QUERIES = [
    "SRO shall not enforce school rules",
    "FERPA education records",
    "who supervises the officer",
    "use of force and restraints on students",
    "complaints about the resource officer",
]
SWAPS = {"shall": "will", "Officer": "Deputy", "student": "pupil", "school": "campus", "Chief": "Sheriff"}
ADDED = 10  # MOUs added before timing the query that follows a change
STATES = ["KS", "TX", "WA", "WI", "NY", "MI", "OH", "GA", "CO", "CA", "OR", "FL"]


def corpus_pool() -> list[Any]:
    """Every corpus MOU loaded, segmented and embedded (the only embedding the benchmark does)."""
    from mou_review.ingest import prepare

    files = sorted(p for p in CORPUS.iterdir() if p.is_file() and p.name != "manifest.csv")
    pool = [prepare(str(p), None, "wordllama") for p in files]
    return [p for p in pool if p.document is not None and p.clauses]


def vary(text: str, rng: random.Random, district: str) -> str:
    """Light variation: some word swaps, a district name, shifted numbers."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if word in SWAPS and rng.random() < 0.3:
            words[i] = SWAPS[word]
        elif word.isdigit() and rng.random() < 0.5:
            words[i] = str(int(word) + rng.randint(1, 9))
    if rng.random() < 0.2:
        words.append(f"({district})")
    return " ".join(words)


def synthetic(
    j: int, pool: list[Any], clauses_per_doc: int, rng: random.Random
) -> tuple[Any, list[Any], Any]:
    """MOU number `j`: a document, its clauses (offsets into its own text) and their vectors."""
    from mou_review.models import Clause, Document, DocumentInfo

    base = pool[j % len(pool)]
    picks = [(base, i) for i in range(len(base.clauses))][:clauses_per_doc]
    while len(picks) < clauses_per_doc:
        other = rng.choice(pool)
        picks.append((other, rng.randrange(len(other.clauses))))
    district = f"District {j:05}"
    doc_id = hashlib.sha256(f"synthetic-{j}".encode()).hexdigest()[:16]
    parts, clauses, vectors = [], [], []
    offset = 0
    for index, (source, i) in enumerate(picks):
        original = source.clauses[i]
        text = vary(original.text, rng, district)
        clauses.append(
            Clause(
                clause_id=f"{doc_id}:{index:04d}",
                doc_id=doc_id,
                index=index,
                heading_path=original.heading_path,
                text=text,
                start=offset,
                end=offset + len(text),
                page=1 + index // 8,
            )
        )
        vector = source.vectors[i] + np.random.default_rng(j * 1000 + index).normal(
            0, 0.02, source.vectors.shape[1]
        )
        vectors.append(vector / np.linalg.norm(vector))
        parts.append(text)
        offset += len(text) + 2
    info = DocumentInfo(
        doc_id=doc_id,
        path=f"/synthetic/mou_{j:05}.txt",
        pages=1 + len(picks) // 8,
        district=district,
        state=STATES[j % len(STATES)],
        parties=[base.document.info.parties[0] if base.document.info.parties else "Police", district],
    )
    document = Document(info=info, text="\n\n".join(parts), page_starts=[0])
    return document, clauses, np.asarray(vectors, dtype=np.float32)


def build(store_dir: Path, docs: int, clauses_per_doc: int) -> dict[str, float]:
    """Write `docs` synthetic MOUs into an embedded store (skipped when it already holds them)."""
    from mou_review.config import Settings
    from mou_review.store import ClauseStore

    store = ClauseStore(Settings(store_dir=store_dir, workers=1))
    have = len(store.document_ids())
    if have >= docs:
        return {"documents": have, "clauses": store.clauses.count(), "build_seconds": float("nan")}
    started = time.perf_counter()
    pool = corpus_pool()
    pool_seconds = time.perf_counter() - started
    rng = random.Random(7)
    batch = []
    for j in range(have, docs):
        batch.append(synthetic(j, pool, clauses_per_doc, rng))
        if len(batch) == 50 or j == docs - 1:
            store.add_many(batch)
            batch = []
        if (j + 1) % 500 == 0:
            print(
                f"  built {j + 1}/{docs} MOUs ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    return {
        "documents": len(store.document_ids()),
        "clauses": store.clauses.count(),
        "build_seconds": time.perf_counter() - started,
        "pool_seconds": pool_seconds,
    }


def timed(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(store_dir: Path, host: str | None, port: int, baseline: bool) -> dict[str, float]:
    """One phase, in its own process: first query (builds or loads the BM25 index), then medians."""
    from mou_review import lexicon
    from mou_review.config import Settings
    from mou_review.retrieve import LexicalIndex, embed_queries
    from mou_review.similar import corpus_hits, similar
    from mou_review.store import ClauseStore

    started = time.perf_counter()
    store = ClauseStore(Settings(store_dir=store_dir, chroma_host=host, chroma_port=port, workers=1))
    embed_queries(["warm up"])  # the model load is a start-up cost, not a query's
    out = {"open_seconds": time.perf_counter() - started}

    def search(query: str) -> None:  # what `mou-review search` does after start-up
        assert store.document_ids()  # its check for an empty store
        hits = corpus_hits(store, query, embed_queries([query]), 5)
        store.infos({c.doc_id for c, _ in hits})

    out["first_query_seconds"] = timed(lambda: search(QUERIES[0]))  # builds or loads the index
    lexicon._LOADED.clear()
    out["load_index_seconds"] = timed(lambda: search(QUERIES[0]))  # a new process: loads it from disk
    out["search_median"] = statistics.median(timed(lambda q=q: search(q)) for q in QUERIES)
    out["similar_median"] = statistics.median(timed(lambda q=q: similar(store, q, 10)) for q in QUERIES)
    if host is None:  # a triage run adds a few MOUs: the next query re-tokenises only those
        out["after_add_seconds"] = after_adding(store, search, ADDED)
    if baseline:  # the old way: BM25 rebuilt over every clause for the query
        built = time.perf_counter()
        clauses = store.all_clauses()
        LexicalIndex([c.context_text() for c in clauses]).rank(QUERIES[0], 20)
        out["rebuild_per_query_seconds"] = time.perf_counter() - built
    return out


def after_adding(store: Any, search: Any, count: int) -> float:
    """Seconds of the first query after `count` more MOUs were added (they are removed again)."""
    pool, rng = corpus_pool(), random.Random(99)
    extra = [synthetic(1_000_000 + j, pool, 34, rng) for j in range(count)]
    store.add_many(extra)
    try:
        return timed(lambda: search(QUERIES[1]))
    finally:
        for document, _, _ in extra:
            store.remove(document.info.doc_id)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(store_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`chroma run` on 127.0.0.1 over the benchmark's store folder; waits for its heartbeat."""
    import chromadb

    exe = Path(sys.executable).parent / "chroma"
    port = free_port()
    command = [str(exe if exe.exists() else shutil.which("chroma")), "run", "--path", str(store_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        if server.poll() is not None:
            raise SystemExit(f"chroma run exited with code {server.returncode}")
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            return server, port
        except Exception:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("chroma run did not answer within 120 s")


def phase(store_dir: Path, host: str | None, port: int, baseline: bool) -> dict[str, float]:
    """Run `measure` in a fresh interpreter, as a separate CLI call would."""
    command = [sys.executable, __file__, "--store", str(store_dir), "--phase", host or "embedded"]
    command += ["--port", str(port)] + (["--baseline"] if baseline else [])
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def table(built: dict[str, float], rows: dict[str, dict[str, float]]) -> str:
    lines = [
        f"store: {built['documents']:.0f} MOUs, {built['clauses']:.0f} clauses; "
        f"build {built['build_seconds']:.0f} s (nan: reused)",
        f"{'store':<10} {'open':>7} {'1st query':>10} {'load idx':>9} {'search':>8} {'similar':>8} {'rebuild/q':>10} {'after +10':>10}",
    ]
    for name, r in rows.items():
        after = f"{r['after_add_seconds']:.2f}s" if "after_add_seconds" in r else "-"
        rebuild = f"{r['rebuild_per_query_seconds']:.1f}s" if "rebuild_per_query_seconds" in r else "-"
        lines.append(
            f"{name:<10} {r['open_seconds']:>6.2f}s {r['first_query_seconds']:>9.2f}s "
            f"{r['load_index_seconds']:>8.2f}s {r['search_median']:>7.3f}s {r['similar_median']:>7.3f}s "
            f"{rebuild:>10} {after:>10}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--store", type=Path, default=None, help="store folder (kept; default: a temp folder)"
    )
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--clauses-per-doc", type=int, default=34)
    parser.add_argument("--baseline", action="store_true", help="also time one per-query BM25 rebuild")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=8000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per heartbeat otherwise
    if args.phase:
        host = None if args.phase == "embedded" else args.phase
        result = measure(args.store, host, args.port, args.baseline)
        (args.store / f"bench_{args.phase}.json").write_text(json.dumps(result))
        print(json.dumps(result))
        return
    store_dir = args.store or Path(tempfile.mkdtemp(prefix="mou-scale-"))
    built = build(store_dir, args.docs, args.clauses_per_doc)
    rows = {"embedded": phase(store_dir, None, 0, args.baseline)}
    server, port = start_server(store_dir)
    try:
        rows["chroma run"] = phase(store_dir, "127.0.0.1", port, args.baseline)
    finally:
        server.kill()
        server.wait(timeout=30)
    print(table(built, rows))


if __name__ == "__main__":
    main()
