"""Self-contained HTML pages: the triage index, one page per MOU with its evidence marked, and the
comparison page with its SVG heatmap.

Jinja2 renders them with autoescape on, so every value from an MOU (its text, file name, parties,
quotes) is escaped by the template engine rather than by hand. CSS and the few lines of sorting
script are inline, so a page opens from disk with no network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..compare import (
    CONTRARY,
    CONTRARY_COLOUR,
    STATUS_COLOUR,
    GroupBy,
    Matrix,
    grouped_prevalence,
    headline,
    prevalence,
)
from ..models import DocumentReview, Status
from ..summary import Failure, TriageRow

STATUS_CLASS = {
    Status.present: "present",
    Status.weak: "weak",
    Status.missing: "missing",
    Status.not_applicable: "na",
}
_WORST_FIRST = ["missing", "weak", "present", "na"]
TEMPLATES = Path(__file__).with_name("templates")

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1em 2em;color:#222}
h1{font-size:1.4em} table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #ddd;
padding:4px 6px;text-align:left;vertical-align:top} th{cursor:pointer;background:#f4f4f4;user-select:none}
th.sorted-asc::after{content:" ▲"} th.sorted-desc::after{content:" ▼"} .num{text-align:right}
.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:.85em;font-weight:600}
.ocr{background:#d6e4ff;color:#123}
.present{background:#d8f0d8} .weak{background:#ffe9a8} .missing{background:#ffc9c9} .na{background:#eee}
mark.missing{background:#ffb3b3} mark.weak{background:#ffe08a} mark.present{background:#bfe8bf}
mark.na{background:#ddd} mark{padding:0;border-radius:2px}
a.anchor:target+mark{outline:2px solid #1a5fb4}
.doc{white-space:pre-wrap;font:13px/1.5 Georgia,serif;border:1px solid #ccc;padding:1em;background:#fcfcfc}
.page{display:block;margin:1em 0 .5em;color:#666;font:600 12px system-ui;border-top:1px dashed #aaa}
.findings li{margin:.4em 0} .quote{color:#444} .meta{color:#555} .risk{font-weight:700}
.ids{font-size:.8em;color:#444} .layout{display:grid;grid-template-columns:minmax(280px,38%) 1fr;gap:1.5em}
.side{position:sticky;top:0;max-height:100vh;overflow:auto} .findings{padding-left:2.2em;font-size:.92em}
"""

SORT_JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
    var asc = !th.classList.contains('sorted-asc');
    th.parentNode.querySelectorAll('th').forEach(function(h){h.classList.remove('sorted-asc','sorted-desc');});
    th.classList.add(asc ? 'sorted-asc' : 'sorted-desc');
    function key(r){ var c = r.cells[col], v = c.dataset.sort !== undefined ? c.dataset.sort : c.textContent;
      var n = parseFloat(v); return isNaN(n) ? v.toLowerCase() : n; }
    rows.sort(function(a, b){ var x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
    rows.forEach(function(r){ body.appendChild(r); });
  });
});
"""


class CompactLoader(FileSystemLoader):
    """Templates are written one element a line, indented, for reading; the line breaks and the
    indentation are dropped on loading, so pages stay compact (break template lines only between
    tags; a line break the page needs is written as {{ nl }})."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return "".join(line.lstrip() for line in source.splitlines()), filename, uptodate


def _environment(loader: BaseLoader) -> Environment:
    env = Environment(loader=loader, autoescape=True, undefined=StrictUndefined)
    env.filters["fmt"] = format  # {{ share|fmt(".0%") }}
    env.globals.update(nl=Markup("\n"), css=Markup(CSS), STATUS_CLASS=STATUS_CLASS)
    return env


ENV = _environment(CompactLoader(TEMPLATES))


@dataclass(frozen=True)
class Span:
    """One piece of evidence to mark: where it is, which finding it supports, its anchor id."""

    start: int
    end: int
    anchor: str
    requirement_id: str
    status: str


@dataclass(frozen=True)
class Piece:
    """A run of the text between two span or page edges: what starts there and how it is marked."""

    text: str
    page: int | None
    anchors: list[str]
    mark: str | None  # the worst status among the spans covering it
    requirements: str


def page(title: str, body: str, *, script: str = "") -> str:
    """A complete HTML document around an already rendered body, with the stylesheet (and script)."""
    return _render("page.html.j2", title=title, body=Markup(body), script=Markup(script))


def evidence_spans(review: DocumentReview, text_length: int) -> list[Span]:
    """Every located quote of every finding, clamped to the text; anchors are ev-<requirement>-<n>."""
    spans = []
    for finding in review.findings:
        for n, evidence in enumerate(finding.evidence):
            start, end = max(0, evidence.start), min(text_length, evidence.end)
            if start < end:
                anchor = f"ev-{finding.requirement_id}-{n}"
                spans.append(Span(start, end, anchor, finding.requirement_id, STATUS_CLASS[finding.status]))
    return spans


def pieces(text: str, spans: list[Span], page_starts: list[int]) -> list[Piece]:
    """The text cut at every span and page edge (overlapping spans split), each run with its marks."""
    edges = {0, len(text), *(s.start for s in spans), *(s.end for s in spans)}
    bounds = sorted(edges | {p for p in page_starts if 0 <= p < len(text)})
    pages = {start: number for number, start in enumerate(page_starts, 1)}
    out = []
    for lo, hi in pairwise(bounds):
        active = [s for s in spans if s.start <= lo and hi <= s.end]
        worst = min((s.status for s in active), key=_WORST_FIRST.index) if active else None
        anchors = [s.anchor for s in spans if s.start == lo]
        requirements = " ".join(sorted({s.requirement_id for s in active}))
        out.append(Piece(text[lo:hi], pages.get(lo), anchors, worst, requirements))
    return out


def highlight(text: str, spans: list[Span], page_starts: list[int]) -> str:
    """The escaped text with <mark>s around the spans and a marker at each page start."""
    macro = ENV.get_template("macros.html.j2").module.marked  # type: ignore[attr-defined]
    return str(macro(pieces(text, spans, page_starts)))


def document_page(review: DocumentReview, text: str, page_starts: list[int]) -> str:
    """One MOU: who, risk, findings worst first linking to their marks, then the marked-up text."""
    order = sorted(review.findings, key=lambda f: _WORST_FIRST.index(STATUS_CLASS[f.status]))
    return _render(
        "document.html.j2",
        review=review,
        info=review.document,
        name=Path(review.document.path).name,
        findings=order,
        pieces=pieces(text, evidence_spans(review, len(text)), page_starts),
    )


def index_page(rows: list[TriageRow], failures: list[Failure], *, title: str = "MOU triage") -> str:
    """The sortable table of MOUs, worst first, each linking to its page; failures listed below."""
    mean = sum(row.risk_score for row in rows) / len(rows) if rows else 0.0
    critical = sum(row.critical > 0 for row in rows)
    return _render("index.html.j2", title=title, rows=rows, failures=failures, critical=critical, mean=mean)


def compare_page(matrix: Matrix, by: GroupBy, svg: str) -> str:
    """The heatmap, prevalence per requirement, and the deficient share per state or year."""
    overall = prevalence(matrix)
    headlines = [headline(p, matrix.titles[p.requirement_id]) for p in overall]
    return _render(
        "compare.html.j2",
        matrix=matrix,
        by=by,
        svg=Markup(svg),
        overall=overall,
        headlines=headlines,
        groups=grouped_prevalence(matrix, by),
    )


CELL = 16
LABEL_W = 260
HEADER_H = 170


def heatmap_svg(matrix: Matrix, by: GroupBy) -> str:
    """The heatmap: MOUs down, requirements across, a header line per group, a legend below."""
    lines: list[tuple[int, str | None, Any]] = []  # (y, group heading or None, row)
    y = HEADER_H
    current = None
    for row in matrix.rows:
        if row.group(by) != current:
            current = row.group(by)
            lines.append((y, current, None))
            y += CELL + 2
        lines.append((y, None, row))
        y += CELL
    legend = [(s.value, c) for s, c in STATUS_COLOUR.items()] + [(CONTRARY, CONTRARY_COLOUR)]
    width = max(LABEL_W + len(matrix.requirement_ids) * CELL + 110, LABEL_W + len(legend) * 110)
    return _render(
        "heatmap.svg.j2",
        matrix=matrix,
        by=by,
        lines=lines,
        legend=legend,
        legend_y=y + 10,
        width=width,
        height=y + 34,
        cell=CELL,
        label_w=LABEL_W,
        header_h=HEADER_H,
        status_colour=STATUS_COLOUR,
        contrary_colour=CONTRARY_COLOUR,
        clip=_clip,
    )


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _render(template: str, **values: Any) -> str:
    values.setdefault("script", Markup(""))  # a page without a script of its own
    return ENV.get_template(template).render(sort_js=Markup(SORT_JS), **values)
