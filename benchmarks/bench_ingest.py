"""Ingest throughput: pypdf extraction alone vs the full pipeline, and where the time goes.

    python benchmarks/bench_ingest.py              # 200 ten-page MOUs, 2 workers
    python benchmarks/bench_ingest.py --docs 20    # smoke check

Synthetic PDFs are cached in --out, so a re-run only measures.
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

DISTRICTS = [
    "Alder Creek",
    "Brennock",
    "Calloway Point",
    "Dunmore Hills",
    "Everly",
    "Fenwick Bay",
    "Galt River",
]
AGENCIES = ["Police Department", "County Sheriff's Office", "Department of Public Safety"]
SUPERVISORS = ["Patrol Division Lieutenant", "Community Services Sergeant", "Deputy Chief of Operations"]
OFFICERS = ["Officer Dana Hollis", "Deputy Marcus Vey", "Officer Priya Ranault", "Deputy Tom Oakes"]

ARTICLES = [
    "PURPOSE",
    "DEFINITIONS",
    "SUPERVISION AND EVALUATION",
    "ROLES AND RESPONSIBILITIES",
    "STUDENT DISCIPLINE",
    "ARREST, SEARCH AND QUESTIONING",
    "USE OF FORCE AND RESTRAINTS",
    "TRAINING",
    "INFORMATION SHARING AND RECORDS",
    "FUNDING AND COMPENSATION",
    "DATA COLLECTION AND REPORTING",
    "COMPLAINTS",
    "TERM AND TERMINATION",
]

TEMPLATES = [
    "The {agency} shall assign {n} sworn officer(s) to serve as School Resource Officers (SROs) at "
    "{district} schools during the regular school year, beginning {month} 1, {year}.",
    "Each SRO shall be supervised by the {supervisor}, who shall consult the building principal "
    "before completing the officer's annual performance evaluation.",
    "The SRO shall not be involved in the enforcement of disciplinary infractions that do not "
    "constitute violations of law; routine student discipline remains the responsibility of school "
    "administrators.",
    "An SRO may arrest a student on school grounds only when there is probable cause that a crime has "
    "been committed and the arrest is necessary to protect the safety of students or staff.",
    "Before questioning a student as a suspect, the SRO shall make reasonable efforts to notify a "
    "parent or guardian, and the student shall be advised of the right to remain silent.",
    "Physical restraints, chemical agents and conducted energy devices shall not be used on students "
    "except where there is an imminent threat of serious bodily injury.",
    "Every SRO shall complete at least {hours} hours of training in adolescent development, de-escalation, "
    "implicit bias and special education within {months} months of assignment.",
    "Student education records disclosed to the SRO remain subject to FERPA and shall not be entered into "
    "any law-enforcement database except as required by law.",
    "The District shall reimburse the {agency} ${amount:,} per year, representing {pct} percent of the "
    "salary and benefits of each assigned officer.",
    "The {agency} shall report quarterly the number of arrests, citations, referrals and uses of force "
    "involving students, disaggregated by race, sex and disability status.",
    "Complaints about an SRO may be submitted to the principal or to the {agency}; {officer} shall not "
    "take part in investigating a complaint that concerns them.",
    "This agreement may be terminated by either party on {days} days' written notice and shall be "
    "reviewed jointly by the parties every {review} year(s).",
    "The SRO shall wear the standard uniform of the {agency} and shall remain on campus for the full "
    "instructional day except when called away by an emergency.",
    "The parties shall meet at least {meetings} times per school year to review program data, "
    "complaints and the goals stated in this Memorandum of Understanding.",
]


def _fill(template: str, rng: random.Random, district: str, agency: str) -> str:
    return template.format(
        agency=f"{district} {agency}",
        district=district,
        n=rng.randint(1, 6),
        month=rng.choice(["July", "August", "September"]),
        year=rng.randint(2012, 2024),
        supervisor=rng.choice(SUPERVISORS),
        hours=rng.choice([16, 24, 40, 80]),
        months=rng.choice([3, 6, 12]),
        amount=rng.randint(20, 140) * 1000,
        pct=rng.choice([25, 50, 60, 75, 100]),
        officer=rng.choice(OFFICERS),
        days=rng.choice([30, 60, 90]),
        review=rng.choice([1, 2, 3]),
        meetings=rng.choice([2, 3, 4]),
    )


def mou_paragraphs(rng: random.Random, sections: int) -> list[str]:
    """Title, parties, then numbered articles of filled-in clause templates."""
    district = rng.choice(DISTRICTS)
    agency = rng.choice(AGENCIES)
    paras = [
        "MEMORANDUM OF UNDERSTANDING",
        f"Between the {district} {agency} and the {district} School District",
    ]
    article = 0
    while sections > 0:
        article += 1
        paras.append(f"ARTICLE {article}. {ARTICLES[(article - 1) % len(ARTICLES)]}")
        for number in range(1, rng.randint(3, 6) + 1):
            body = " ".join(_fill(t, rng, district, agency) for t in rng.sample(TEMPLATES, 2))
            paras.append(f"{article}.{number} {body}")
            sections -= 1
    return paras


def write_pdf(path: Path, paragraphs: list[str], pages: int) -> None:
    """Draw paragraphs line by line, starting new pages, until `pages` pages are full."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=letter, invariant=1)
    page, y = 1, 740
    for para in paragraphs:
        for line in _wrap(para, 90):
            if y < 60:
                if page == pages:
                    pdf.save()
                    path.write_bytes(buf.getvalue())
                    return
                pdf.showPage()
                page, y = page + 1, 740
            pdf.drawString(60, y, line)
            y -= 14
        y -= 10
    pdf.save()
    path.write_bytes(buf.getvalue())


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) >= width:
            lines.append(line)
            line = ""
        line = f"{line} {word}".strip()
    return [*lines, line]


def generate(out: Path, docs: int, pages: int, seed: int) -> list[Path]:
    """N cached synthetic MOUs; existing files are reused."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(docs):
        path = out / f"mou_s{seed}_p{pages}_{i:04d}.pdf"
        if not path.exists():
            rng = random.Random(f"{seed}-{pages}-{i}")
            write_pdf(path, mou_paragraphs(rng, sections=pages * 12), pages)
        paths.append(path)
    return paths


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_extract(paths: list[Path]) -> tuple[int, float]:
    """pypdf alone: PdfReader + extract_text on every page, one process."""
    from pypdf import PdfReader

    def run() -> int:
        pages = 0
        for path in paths:
            for page in PdfReader(path).pages:
                page.extract_text()
                pages += 1
        return pages

    return timed(run)


def bench_ingest(paths: list[Path], workers: int) -> tuple[int, float]:
    """The real `ingest` into a fresh embedded store."""
    from mou_review.config import Settings
    from mou_review.ingest import ingest
    from mou_review.store import ClauseStore

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(store_dir=Path(tmp) / "store", workers=workers)
        store = ClauseStore(settings)
        report, seconds = timed(lambda: ingest(paths, settings, store))
        assert report.ok and len(report.added) == len(paths), report.failed
        return report.pages, seconds


def bench_stages(paths: list[Path]) -> dict[str, float]:
    """Seconds per stage for a single-process run (embedder loaded beforehand)."""
    from mou_review.config import Settings
    from mou_review.documents import load_document
    from mou_review.embeddings import get_embedder
    from mou_review.segment import segment
    from mou_review.store import ClauseStore

    embedder = get_embedder("wordllama")
    embedder.embed(["warm up"])
    totals = dict.fromkeys(("load/extract", "segment", "embed", "store add"), 0.0)
    with tempfile.TemporaryDirectory() as tmp:
        store = ClauseStore(Settings(store_dir=Path(tmp) / "store", workers=1))
        for path in paths:
            marks = [time.perf_counter()]
            document = load_document(path)
            marks.append(time.perf_counter())
            clauses = segment(document)
            marks.append(time.perf_counter())
            vectors = embedder.embed([c.context_text() for c in clauses])
            marks.append(time.perf_counter())
            store.add(document, clauses, vectors)
            marks.append(time.perf_counter())
            for key, start, end in zip(totals, marks, marks[1:], strict=False):
                totals[key] += end - start
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=200, help="synthetic MOUs to ingest")
    parser.add_argument("--pages", type=int, default=10, help="pages per MOU")
    parser.add_argument("--workers", type=int, default=2, help="ingest worker processes")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out"), help="cache of generated PDFs")
    parser.add_argument("--stage-docs", type=int, default=20, help="documents in the per-stage run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    paths, gen_s = timed(lambda: generate(args.out, args.docs, args.pages, args.seed))
    print(f"{len(paths)} PDFs x {args.pages} pages in {args.out} (generation/cache check {gen_s:.1f} s)")

    pages, extract_s = bench_extract(paths)
    extract_rate = pages / extract_s
    print(f"(a) pypdf extraction only : {pages} pages in {extract_s:6.2f} s = {extract_rate:7.1f} pages/s")

    ing_pages, ingest_s = bench_ingest(paths, args.workers)
    ingest_rate = ing_pages / ingest_s
    print(
        f"(b) full ingest, {args.workers} worker(s): {ing_pages} pages in {ingest_s:6.2f} s "
        f"= {ingest_rate:7.1f} pages/s"
    )
    print(f"(c) ingest / extraction   : {ingest_rate / extract_rate:.2f}x")

    subset = paths[: args.stage_docs]
    stages = bench_stages(subset)
    total = sum(stages.values())
    print(f"per-stage share, 1 process, {len(subset)} docs ({total:.2f} s):")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"    {name:<13} {seconds:6.2f} s  {100 * seconds / total:5.1f} %")


if __name__ == "__main__":
    main()
