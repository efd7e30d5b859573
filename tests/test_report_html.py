"""HTML reports: marks at the evidence offsets, escaping, page markers, and a real headless Chromium render."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from conftest import CORPUS

from mou_review.models import DocumentInfo, DocumentReview, Evidence, Finding, Severity, Status
from mou_review.render.html import Span, document_page, highlight
from mou_review.triage import TriageOptions, run_triage, write_summary

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def test_highlight_marks_overlapping_spans_and_escapes() -> None:
    text = "Page one <b>bold</b> & more.\n\nPage two: the SRO shall not enforce school rules."
    second = text.index("Page two")
    rule = text.index("the SRO")
    spans = [
        Span(rule, len(text) - 1, "ev-discipline-0", "discipline", "present"),
        Span(rule + 4, rule + 7, "ev-supervision-0", "supervision", "missing"),
    ]
    html = highlight(text, spans, [0, second])

    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt; &amp; more." in html
    marks = re.findall(r'<mark class="(\w+)" data-req="([\w ]+)"[^>]*>(.*?)</mark>', html)
    assert [(cls, req, unescape(body)) for cls, req, body in marks] == [
        ("present", "discipline", "the "),
        ("missing", "discipline supervision", "SRO"),
        ("present", "discipline", " shall not enforce school rules"),
    ]
    assert (
        html.index('id="page-2"') < html.index('id="ev-discipline-0"') < html.index('id="ev-supervision-0"')
    )
    assert _text_of(re.sub(r'<span class="page"[^>]*>.*?</span>', "", html)) == text


def test_document_page_links_each_quote_to_its_mark() -> None:
    text = "1. Purpose. The program keeps students safe.\n\n2. FERPA applies to student records."
    start = text.index("FERPA")
    review = DocumentReview(
        document=DocumentInfo(doc_id="abc", path="x/mou.txt", parties=["A Police Department"], pages=2),
        checklist="cops-nasro",
        backend="offline",
        risk_score=12.5,
        findings=[
            Finding(
                requirement_id="ferpa_privacy",
                status=Status.present,
                severity=Severity.critical,
                evidence=[Evidence(quote="FERPA applies", start=start, end=start + 13, page=2)],
                rationale="names FERPA <directly>",
            )
        ],
    )
    html = document_page(review, text, [0, text.index("2.")])
    assert 'href="#ev-ferpa_privacy-0"' in html and 'id="ev-ferpa_privacy-0"' in html
    assert re.search(r'<mark class="present" data-req="ferpa_privacy"[^>]*>FERPA applies</mark>', html)
    assert "names FERPA &lt;directly&gt;" in html and "<directly>" not in html
    assert "https://" not in html and "http://" not in html, "the page must be self-contained"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium_with_evidence_highlighted(tmp_path: Path) -> None:
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in ("wyeth_crossing_ny_2018.pdf", "varrow_creek_mn_2022.pdf", "manifest.csv"):
        shutil.copy(CORPUS / name, folder / name)
    out = tmp_path / "out"
    result = run_triage([folder], out, TriageOptions())
    write_summary(out, result)
    review = next(r for r in result.reviews if r.document.path.endswith("wyeth_crossing_ny_2018.pdf"))
    page = out / "docs" / f"{review.document.doc_id}.html"
    quotes = [e.quote for f in review.findings for e in f.evidence]
    assert quotes, "the fixture document must have evidence to highlight"

    base = [CHROMIUM or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "page.png"
    run = subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, timeout=120, text=True
    ).stdout
    marked = " ".join(_text_of("".join(re.findall(r"<mark\b[^>]*>(.*?)</mark>", dom, re.S))).split())
    for quote in quotes:
        assert " ".join(quote.split()) in marked
    assert "page 2" in dom

    index = subprocess.run(
        [*base, "--dump-dom", (out / "index.html").as_uri()], capture_output=True, timeout=120, text=True
    ).stdout
    assert index.count('href="docs/') == len(result.rows) == 2


SORT_PROBE = """<script>
var th = document.querySelectorAll('table.sortable th')[5], first = [];
for (var i = 0; i < 2; i++) {
  th.click(); first.push(document.querySelector('table.sortable tbody tr').cells[5].textContent);
}
document.body.dataset.probe = first.join('|');
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_index_table_sorts_by_risk_when_a_heading_is_clicked(tmp_path: Path) -> None:
    folder = tmp_path / "mous"
    folder.mkdir()
    for name in ("caddow_ford_ks_2006.pdf", "varrow_creek_mn_2022.pdf", "oxbend_ks_1996.txt"):
        shutil.copy(CORPUS / name, folder / name)
    out = tmp_path / "out"
    result = run_triage([folder], out, TriageOptions())
    write_summary(out, result)
    probe = out / "probe.html"
    probe.write_text((out / "index.html").read_text().replace("</body>", f"{SORT_PROBE}</body>"))

    base = [CHROMIUM or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([*base, "--dump-dom", probe.as_uri()], capture_output=True, timeout=120, text=True)
    risks = sorted(row.risk_score for row in result.rows)
    assert f'data-probe="{risks[0]}|{risks[-1]}"' in dom.stdout
