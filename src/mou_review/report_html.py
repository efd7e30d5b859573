"""Self-contained HTML reports: the triage index and one page per MOU with its evidence marked.

Pure functions returning strings (the CLI writes the files). Everything is escaped; CSS and the
few lines of sorting script are inline, so a page opens from disk with no network.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from itertools import pairwise
from pathlib import Path

from .compare import GroupBy, Matrix, grouped_prevalence, headline, prevalence
from .models import DocumentReview, Finding, Status
from .summary import Failure, TriageRow

STATUS_CLASS = {
    Status.present: "present",
    Status.weak: "weak",
    Status.missing: "missing",
    Status.not_applicable: "na",
}
_WORST_FIRST = ["missing", "weak", "present", "na"]

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


@dataclass(frozen=True)
class Span:
    """One piece of evidence to mark: where it is, which finding it supports, its anchor id."""

    start: int
    end: int
    anchor: str
    requirement_id: str
    status: str


def page(title: str, body: str, *, script: str = "") -> str:
    """A complete HTML document with the inline stylesheet (and script, if any)."""
    js = f"<script>{script}</script>" if script else ""
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n{js}</body></html>\n"
    )


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


def highlight(text: str, spans: list[Span], page_starts: list[int]) -> str:
    """The escaped text with <mark>s around the spans (overlaps split) and a marker at each page start."""
    edges = {0, len(text), *(s.start for s in spans), *(s.end for s in spans)}
    bounds = sorted(edges | {p for p in page_starts if 0 <= p < len(text)})
    pages = {start: number for number, start in enumerate(page_starts, 1)}
    starting: dict[int, list[Span]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    out: list[str] = []
    for lo, hi in pairwise(bounds):
        if lo in pages:
            out.append(f'<span class="page" id="page-{pages[lo]}">page {pages[lo]}</span>')
        for span in starting.get(lo, []):
            out.append(f'<a class="anchor" id="{escape(span.anchor)}"></a>')
        chunk = escape(text[lo:hi])
        active = [s for s in spans if s.start <= lo and hi <= s.end]
        if not active:
            out.append(chunk)
            continue
        worst = min((s.status for s in active), key=_WORST_FIRST.index)
        requirements = " ".join(sorted({s.requirement_id for s in active}))
        out.append(f'<mark class="{worst}" data-req="{escape(requirements)}" title="{escape(requirements)}">')
        out.append(f"{chunk}</mark>")
    return "".join(out)


def _finding_item(finding: Finding) -> str:
    cls = STATUS_CLASS[finding.status]
    quotes = "".join(
        f'<li class="quote"><a href="#ev-{escape(finding.requirement_id)}-{n}">p.{e.page}</a> '
        f"{_ocr_badge(e.ocr_confidence) if e.ocr else ''}“{escape(e.quote)}”</li>"
        for n, e in enumerate(finding.evidence)
    )
    issues = (
        f' <span class="meta">issues: {escape(", ".join(finding.issues))}</span>' if finding.issues else ""
    )
    return (
        f'<li id="f-{escape(finding.requirement_id)}"><b>{escape(finding.requirement_id)}</b> '
        f'<span class="badge {cls}">{escape(finding.status.value)}'
        f"{' (contrary language)' if finding.contrary else ''}</span> "
        f'<span class="meta">{escape(finding.severity.value)}</span>{issues}'
        f'<div class="meta">{escape(finding.rationale)}</div><ul>{quotes}</ul></li>'
    )


def _ocr_badge(confidence: float | None) -> str:
    """Marks text read by OCR, so a reader checks it against the scan."""
    title = (
        f"read by OCR (confidence {confidence:.0f}/100): check the scan"
        if confidence is not None
        else "read by OCR"
    )
    return f'<span class="badge ocr" title="{escape(title)}">OCR</span> '


def document_page(review: DocumentReview, text: str, page_starts: list[int]) -> str:
    """One MOU: who, risk, findings worst first linking to their marks, then the marked-up text."""
    info = review.document
    name = Path(info.path).name
    order = sorted(review.findings, key=lambda f: _WORST_FIRST.index(STATUS_CLASS[f.status]))
    notes = "".join(f"<p class='meta'>note: {escape(n)}</p>" for n in review.notes)
    body = (
        f'<p><a href="../index.html">← all MOUs</a></p><h1>{escape(name)}</h1>'
        f'<p class="meta">{escape(info.title or "")}</p>'
        f"<p>parties: {escape('; '.join(info.parties) or 'not stated')} · "
        f"{escape(info.state or '?')} {escape(str(info.year or ''))} · pages {info.pages} · "
        f'<span class="risk">risk {review.risk_score}/100</span> · backend {escape(review.backend)} · '
        f"checklist {escape(review.checklist)} v{review.checklist_version}</p>{notes}"
        f'<div class="layout"><div class="side"><h2>Findings</h2>'
        f'<ol class="findings">{"".join(_finding_item(f) for f in order)}</ol></div>'
        f'<div><h2>Document text</h2><div class="doc">'
        f"{highlight(text, evidence_spans(review, len(text)), page_starts)}</div></div></div>"
    )
    return page(f"{name}: MOU review", body)


def index_page(rows: list[TriageRow], failures: list[Failure], *, title: str = "MOU triage") -> str:
    """The sortable table of MOUs, worst first, each linking to its page; failures listed below."""
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "file",
            "district / parties",
            "state",
            "year",
            "risk",
            "critical",
            "major",
            "minor",
            "deficient",
            "backend",
        )
    )
    body_rows = "".join(_index_row(rank, row) for rank, row in enumerate(rows, 1))
    critical = sum(row.critical > 0 for row in rows)
    mean = sum(row.risk_score for row in rows) / len(rows) if rows else 0.0
    failed = ""
    if failures:
        items = "".join(
            f"<li>{escape(f.path)}: {escape(f.reason)}"
            + "".join(f"<div class='meta'>warning: {escape(w)}</div>" for w in f.warnings)
            + "</li>"
            for f in failures
        )
        failed = f"<h2>Failed ({len(failures)})</h2><ul>{items}</ul>"
    body = (
        f"<h1>{escape(title)}</h1><p>{len(rows)} MOU(s), worst first; {critical} with a critical "
        f"deficiency; mean risk {mean:.1f}/100. Click a heading to sort.</p>"
        f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>{failed}'
    )
    return page(title, body, script=SORT_JS)


def _index_row(rank: int, row: TriageRow) -> str:
    who = row.district or "; ".join(row.parties)
    shade = f"background:rgba(220,50,50,{row.risk_score / 140:.2f})"
    cells = [
        f'<td class="num">{rank}</td>',
        f'<td><a href="docs/{escape(row.doc_id)}.html">{escape(row.file)}</a>'
        f"{' ' + _ocr_badge(row.ocr_confidence) if row.ocr else ''}</td>",
        f"<td>{escape(who)}</td>",
        f"<td>{escape(row.state or '')}</td>",
        f"<td class='num'>{row.year or ''}</td>",
        f'<td class="num risk" style="{shade}">{row.risk_score}</td>',
        f'<td class="num">{row.critical}</td>',
        f'<td class="num">{row.major}</td>',
        f'<td class="num">{row.minor}</td>',
        f'<td class="ids" data-sort="{len(row.deficient)}">{escape(", ".join(row.deficient))}</td>',
        f"<td>{escape(row.backend)}</td>",
    ]
    return f"<tr>{''.join(cells)}</tr>"


def compare_page(matrix: Matrix, by: GroupBy, svg: str) -> str:
    """The heatmap, prevalence per requirement, and the deficient share per state or year."""
    overall = prevalence(matrix)
    headlines = "".join(f"<li>{escape(headline(p, matrix.titles[p.requirement_id]))}</li>" for p in overall)
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "requirement",
            "severity",
            "addressed",
            "present",
            "weak",
            "contrary",
            "missing",
            "n/a",
            "deficient",
        )
    )
    rows = "".join(
        f"<tr><td>{escape(p.requirement_id)}</td><td>{p.severity.value}</td>"
        f'<td class="num" data-sort="{p.addressed_share:.4f}">{p.addressed_share:.0%}</td>'
        f'<td class="num">{p.present}</td><td class="num">{p.weak}</td><td class="num">{p.contrary}</td>'
        f'<td class="num">{p.missing}</td>'
        f'<td class="num">{p.not_applicable}</td>'
        f'<td class="num" data-sort="{p.deficient_share:.4f}">{p.deficient_share:.0%}</td></tr>'
        for p in overall
    )
    body = (
        f'<p><a href="index.html">triage table</a></p><h1>MOUs compared: {len(matrix.rows)} MOU(s) x '
        f"{len(matrix.requirement_ids)} requirements</h1>"
        f'<div style="overflow:auto">{svg}</div><h2>Prevalence</h2><ul>{headlines}</ul>'
        f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f"{_grouped_table(matrix, by)}"
    )
    return page("MOU comparison", body, script=SORT_JS)


def _grouped_table(matrix: Matrix, by: GroupBy) -> str:
    groups = grouped_prevalence(matrix, by)
    head = "".join(f"<th>{escape(g)} ({grouped[0].documents})</th>" for g, grouped in groups.items())
    body = []
    for i, rid in enumerate(matrix.requirement_ids):
        cells = "".join(
            f'<td class="num" style="background:rgba(229,57,53,{grouped[i].deficient_share * 0.6:.2f})">'
            f"{grouped[i].deficient_share:.0%}</td>"
            for grouped in groups.values()
        )
        body.append(f"<tr><td>{escape(rid)}</td>{cells}</tr>")
    return (
        f"<h2>Deficient share by {escape(by)}</h2><p class='meta'>share of MOUs (where applicable) "
        f"in which the requirement is weak or missing; column headings give the number of MOUs.</p>"
        f'<table class="sortable"><thead><tr><th>requirement</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )
