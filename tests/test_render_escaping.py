"""MOU text is untrusted: a hostile string in any field a page shows comes out as text in every
HTML page (document page, triage index, comparison page, SVG heatmap), never as markup or as a
template expression, and a real triage + compare run writes no raw markup from the file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from mou_review.checklist import load_checklist
from mou_review.cli import app
from mou_review.compare import build_matrix
from mou_review.models import DocumentInfo, DocumentReview, Evidence, Finding, Severity, Status
from mou_review.render.html import compare_page, document_page, heatmap_svg, index_page
from mou_review.summary import Failure, TriageRow

HOSTILE = (
    '<script>alert("x")</script> O\'Neil {{ 7*7 }} {% if 1 %}yes{% endif %} <img src=x onerror=alert(1)>'
)
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"


class Tags(HTMLParser):
    """Every start tag and attribute name a browser would see."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes |= {name for name, _ in attrs}


def _tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


def _assert_inert(html: str, *, scripts: int) -> None:
    tags = _tags(html)
    assert tags.tags.count("script") == scripts  # only the page's own sorting script, if any
    assert "img" not in tags.tags and "onerror" not in tags.attributes
    assert "<script>alert" not in html
    assert ESCAPED_SCRIPT in html and "O&#39;Neil" in html
    assert "{{ 7*7 }}" in html and "{% if 1 %}yes{% endif %}" in html  # shown, not evaluated


def _review() -> tuple[DocumentReview, str]:
    text = f"MEMORANDUM between {HOSTILE} and the District.\n1. The SRO reports to {HOSTILE}."
    start = text.index("1. The SRO")
    info = DocumentInfo(
        doc_id="0123456789abcdef",
        path=f"in/{HOSTILE}.txt",
        title=HOSTILE,
        parties=[HOSTILE, "District"],
        district=HOSTILE,
        state="WA",
        year=2020,
    )
    finding = Finding(
        requirement_id="supervision",
        status=Status.weak,
        severity=Severity.critical,
        issues=[HOSTILE],
        evidence=[Evidence(quote=text[start:], start=start, end=len(text), page=1)],
        rationale=f"reports to {HOSTILE}",
    )
    review = DocumentReview(
        document=info,
        checklist="cops-nasro",
        backend="offline",
        findings=[finding],
        risk_score=50.0,
        notes=[HOSTILE],
    )
    return review, text


def test_document_page_escapes_every_field() -> None:
    review, text = _review()
    _assert_inert(document_page(review, text, [0]), scripts=0)


def test_index_page_escapes_file_district_and_failures() -> None:
    review, _ = _review()
    row = TriageRow.from_review(review, review.document.path)
    failure = Failure(path=f"in/{HOSTILE}.pdf", reason=HOSTILE, warnings=[HOSTILE])
    html = index_page([row], [failure], title=HOSTILE)
    _assert_inert(html, scripts=1)
    assert html.count(ESCAPED_SCRIPT) >= 5  # title twice, file, district, failure path, reason, warning


def test_compare_page_and_heatmap_escape_the_file_name_and_district() -> None:
    review, _ = _review()
    matrix = build_matrix([review], load_checklist(), "state")
    svg = heatmap_svg(matrix, "state")
    assert set(_tags(svg).tags) == {"svg", "text", "rect", "title"}
    # the file name is the part after the hostile string's own "/": shown as text, clipped
    assert "script&gt; O&#39;Neil {{ 7*7 }}" in svg
    html = compare_page(matrix, "state", svg)
    assert _tags(html).tags.count("script") == 1 and "<script>alert" not in html


def test_triage_and_compare_write_no_markup_from_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "hostile.txt").write_text(
        f"MEMORANDUM OF UNDERSTANDING between the {HOSTILE} Police Department and the School District.\n"
        f"1. SUPERVISION\nThe SRO shall be supervised by the Patrol Lieutenant of {HOSTILE}.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    triage = runner.invoke(
        app, ["triage", str(folder), "--out", str(tmp_path / "t"), "--no-index", "-b", "offline"]
    )
    assert triage.exit_code == 0, triage.output
    compare = runner.invoke(
        app,
        [
            "compare",
            str(folder),
            "--out",
            str(tmp_path / "c"),
            "--no-index",
            "-b",
            "offline",
            "--reuse",
            str(tmp_path / "t"),
        ],
    )
    assert compare.exit_code == 0, compare.output
    pages = [
        *(tmp_path / "t").rglob("*.html"),
        *(tmp_path / "c").rglob("*.html"),
        tmp_path / "c" / "heatmap.svg",
    ]
    assert len(pages) >= 4
    doc_page = next(p for p in pages if p.parent.name == "docs")
    _assert_inert(doc_page.read_text(encoding="utf-8"), scripts=0)  # the text itself is on this page
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img" not in html, page
