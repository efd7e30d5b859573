"""Render the sample MOUs in scripts/corpus_source/*.md into corpus/ as PDF, DOCX or TXT.

The source files are the single truth for the corpus: a YAML front matter (id, parties, state,
year, format, split, retrieval probes) and a small markdown-like body (headings, paragraphs,
pipe tables, page breaks). Output is deterministic so regenerating does not churn git.

    python scripts/build_corpus.py            # render every source, write corpus/manifest.csv
    python scripts/build_corpus.py --only ID  # render some sources only (manifest still full)
    python scripts/build_corpus.py --check    # check gold quotes and probes against extracted text
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "scripts" / "corpus_source"
CORPUS_DIR = ROOT / "corpus"
GOLD_DIR = ROOT / "evals" / "gold"
PAGEBREAK = "<<<pagebreak>>>"
MANIFEST_FIELDS = ["file", "doc_key", "title", "district", "agency", "state", "year", "split", "source"]


@dataclass
class Block:
    kind: str  # heading | paragraph | table | pagebreak
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    meta: dict
    blocks: list[Block]

    @property
    def output_name(self) -> str:
        return f"{self.meta['id']}.{self.meta['format']}"


def parse_source(path: Path) -> Source:
    """Split front matter from body and parse the body into blocks."""
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---"):
        raise SystemExit(f"{path}: missing YAML front matter")
    _, front, body = raw.split("---", 2)
    meta = yaml.safe_load(front)
    if meta.get("id") != path.stem:
        raise SystemExit(f"{path}: id {meta.get('id')!r} does not match the file name")
    return Source(meta=meta, blocks=parse_body(body))


def parse_body(body: str) -> list[Block]:
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body.strip("\n")):
        lines = [ln for ln in chunk.splitlines() if ln.strip()]
        if not lines:
            continue
        blocks.extend(_parse_chunk(lines))
    return blocks


def _parse_chunk(lines: list[str]) -> list[Block]:
    out: list[Block] = []
    paragraph: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            out.append(Block("paragraph", text="\n".join(paragraph)))
            paragraph.clear()
        if table:
            out.append(Block("table", rows=[r for r in table if not _is_separator(r)]))
            table.clear()

    for line in lines:
        stripped = line.strip()
        if stripped == PAGEBREAK:
            flush()
            out.append(Block("pagebreak"))
        elif m := re.match(r"^(#{1,3}) +(.*)$", stripped):
            flush()
            out.append(Block("heading", text=m.group(2).strip(), level=len(m.group(1))))
        elif stripped.startswith("|") and stripped.endswith("|"):
            if paragraph:
                flush()
            table.append([c.strip() for c in stripped.strip("|").split("|")])
        else:
            if table:
                flush()
            paragraph.append(line.rstrip())
    flush()
    return out


def _is_separator(row: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", c) for c in row)


# --- renderers ---------------------------------------------------------------------------


def render_txt(src: Source) -> bytes:
    parts: list[str] = []
    for b in src.blocks:
        if b.kind in ("heading", "paragraph"):
            parts.append(b.text)
        elif b.kind == "table":
            parts.append("\n".join(" | ".join(row) for row in b.rows))
    return ("\n\n".join(parts) + "\n").encode("utf-8")


def render_docx(src: Source) -> bytes:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.core_properties.title = src.meta["title"]
    document.core_properties.author = "mou-review sample corpus"
    # python-docx stamps the current time; fix it so output is reproducible.
    import datetime as _dt

    fixed = _dt.datetime(2024, 1, 1)
    document.core_properties.created = fixed
    document.core_properties.modified = fixed
    document.styles["Normal"].font.size = Pt(11)
    for b in src.blocks:
        if b.kind == "heading":
            document.add_heading(b.text, level=b.level)
        elif b.kind == "paragraph":
            document.add_paragraph(" ".join(b.text.split("\n")))
        elif b.kind == "table":
            table = document.add_table(rows=len(b.rows), cols=max(len(r) for r in b.rows))
            table.style = "Table Grid"
            for i, row in enumerate(b.rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        elif b.kind == "pagebreak":
            document.add_page_break()
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def render_pdf(src: Source) -> bytes:
    from reportlab import rl_config

    rl_config.invariant = 1  # reproducible bytes (no timestamps or random ids)
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import inch
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    heading_styles = {1: styles["Heading1"], 2: styles["Heading2"], 3: styles["Heading3"]}
    body = styles["BodyText"]
    cell_style = styles["BodyText"].clone("cell", fontSize=9, leading=11)
    story: list = []
    for b in src.blocks:
        if b.kind == "heading":
            story.append(Paragraph(escape(b.text), heading_styles[b.level]))
        elif b.kind == "paragraph":
            story.append(Paragraph(escape(" ".join(b.text.split("\n"))), body))
        elif b.kind == "table":
            data = [[Paragraph(escape(c), cell_style) for c in row] for row in b.rows]
            ncols = max(len(r) for r in b.rows)
            table = Table(data, colWidths=[6.5 * inch / ncols] * ncols, repeatRows=1)
            table.setStyle(
                TableStyle(
                    [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
                )
            )
            story.extend([table, Spacer(1, 8)])
        elif b.kind == "pagebreak":
            story.append(PageBreak())
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=letter, title=src.meta["title"], author="mou-review sample corpus")
    doc.build(story)
    return buf.getvalue()


RENDERERS = {"txt": render_txt, "docx": render_docx, "pdf": render_pdf}


# --- check -------------------------------------------------------------------------------


def extract_text(path: Path) -> str:
    """Plain extraction, independent of the package, so the check does not trust the code it tests."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    if path.suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        texts = [p.text for p in d.paragraphs]
        texts += [c.text for t in d.tables for r in t.rows for c in r.cells]
        return "\n".join(texts)
    return path.read_text(encoding="utf-8")


def squash(text: str) -> str:
    return " ".join(text.split())


def check(sources: list[Source]) -> int:
    problems: list[str] = []
    by_id = {s.meta["id"]: s for s in sources}
    for gold_path in sorted(GOLD_DIR.glob("*.yaml")):
        gold = yaml.safe_load(gold_path.read_text(encoding="utf-8"))
        doc_path = ROOT / gold["document"]
        if not doc_path.exists():
            problems.append(f"{gold_path.name}: document {gold['document']} not found (run the build)")
            continue
        text = squash(extract_text(doc_path))
        for rid, label in (gold.get("labels") or {}).items():
            for quote in label.get("evidence") or []:
                if squash(quote) not in text:
                    problems.append(f"{gold_path.name}: {rid}: quote not in extracted text: {quote!r}")
        src = by_id.get(doc_path.stem)
        for probe in (src.meta.get("probes") or []) if src else []:
            if squash(probe["expect"]) not in text:
                problems.append(f"{src.meta['id']}: probe expect not in extracted text: {probe['expect']!r}")
    for p in problems:
        print(p)
    print(f"checked {len(list(GOLD_DIR.glob('*.yaml')))} gold files: {len(problems)} problem(s)")
    return 1 if problems else 0


def write_manifest(sources: list[Source]) -> None:
    rows = []
    for s in sorted(sources, key=lambda s: s.meta["id"]):
        m = s.meta
        rows.append(
            {
                "file": s.output_name,
                "doc_key": m["id"],
                "title": m["title"],
                "district": m["district"],
                "agency": m["agency"],
                "state": m["state"],
                "year": m["year"],
                "split": m["split"],
                "source": m.get("source", "written for mou-review; fictional"),
            }
        )
    with (CORPUS_DIR / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", help="render only these source ids")
    parser.add_argument("--check", action="store_true", help="check gold quotes and probes, render nothing")
    args = parser.parse_args(argv)
    sources = [parse_source(p) for p in sorted(SOURCE_DIR.glob("*.md"))]
    if args.check:
        return check(sources)
    CORPUS_DIR.mkdir(exist_ok=True)
    for s in sources:
        if args.only and s.meta["id"] not in args.only:
            continue
        fmt = s.meta["format"]
        if fmt not in RENDERERS:
            raise SystemExit(f"{s.meta['id']}: unknown format {fmt!r}")
        (CORPUS_DIR / s.output_name).write_bytes(RENDERERS[fmt](s))
        print(f"wrote corpus/{s.output_name}")
    write_manifest(sources)
    return 0


if __name__ == "__main__":
    sys.exit(main())
