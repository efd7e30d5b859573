"""Redlines: the clause library, the edit plan, tracked-change DOCX (read back and via LibreOffice), Markdown."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from conftest import CORPUS
from lxml import etree
from typer.testing import CliRunner, Result

from mou_review.checklist import load_checklist
from mou_review.cli import app
from mou_review.config import Settings
from mou_review.ingest import Prepared, prepare
from mou_review.metadata import read_manifest
from mou_review.models import Document, DocumentInfo, DocumentReview
from mou_review.redline import LibraryClauseAdapter, RedlinePlan, make_adapter, plan_redline
from mou_review.redline.library import (
    KNOWN_PLACEHOLDERS,
    ModelClause,
    Parties,
    fill,
    load_library,
    parties_from,
)
from mou_review.review import review_document
from mou_review.reviewers import make_reviewer

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AUTHOR = "Redline Tester"


def _without_roles_header(name: str) -> Path:
    """A copy of a corpus DOCX (with its manifest row) whose first table lost its header row.

    wexmoor's responsibilities table is headed "The District will" / "The Department will", so
    partner_roles is met; without that row the table no longer says who does what, partner_roles
    is weak, and the redline has a sentence to replace with the model roles clause.
    """
    folder = Path(tempfile.mkdtemp(prefix="redline-input-"))
    document = docx.Document(str(CORPUS / name))
    header = document.tables[0].rows[0]._tr
    header.getparent().remove(header)
    document.save(str(folder / name))
    rows = (CORPUS / "manifest.csv").read_text(encoding="utf-8").splitlines()
    (folder / "manifest.csv").write_text("\n".join(r for r in rows if r.startswith(("file,", name))) + "\n")
    return folder / name


DOCX_INPUT = _without_roles_header("wexmoor_mn_2019.docx")  # offline review: 6 weak, 2 missing
PDF_INPUT = CORPUS / "halvering_ga_2017.pdf"  # offline review: 13 weak, 3 missing
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False"}


@dataclass
class Reviewed:
    prepared: Prepared
    review: DocumentReview
    plan: RedlinePlan

    @property
    def document(self) -> Document:
        assert self.prepared.document is not None
        return self.prepared.document


def _reviewed(path: Path) -> Reviewed:
    prepared = prepare(str(path), read_manifest(path.parent), "wordllama")
    assert prepared.document is not None and prepared.vectors is not None
    checklist = load_checklist("cops-nasro")
    review = review_document(
        prepared.document, prepared.clauses, prepared.vectors, checklist, make_reviewer("offline")
    )
    plan = plan_redline(
        prepared.document,
        prepared.clauses,
        prepared.vectors,
        review,
        checklist,
        LibraryClauseAdapter(),
        manifest_row=read_manifest(path.parent).get(path.name),
    )
    return Reviewed(prepared, review, plan)


@pytest.fixture(scope="module")
def docx_reviewed() -> Reviewed:
    return _reviewed(DOCX_INPUT)


@pytest.fixture(scope="module")
def pdf_reviewed() -> Reviewed:
    return _reviewed(PDF_INPUT)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], env=ENV)


@pytest.fixture(scope="module")
def redlined(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The DOCX and PDF inputs redlined through the CLI once for the module."""
    root = tmp_path_factory.mktemp("redline")
    out = {}
    for name, source in (("docx", DOCX_INPUT), ("pdf", PDF_INPUT)):
        target = root / f"{name}.redline.docx"
        result = run("redline", source, "-o", target, "--author", AUTHOR, "--store", root / "store")
        assert result.exit_code == 0, result.output
        out[name] = target
    return out


def _xml(path: Path, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


def _revision_text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))


# --- the clause library ---------------------------------------------------------------------------


def test_library_has_one_clause_per_requirement_with_known_placeholders() -> None:
    library = load_library("cops-nasro")
    ids = [c.id for c in library.clauses]
    assert sorted(ids) == sorted(load_checklist("cops-nasro").ids)
    assert len(ids) == len(set(ids))
    assert set(library.placeholders) == KNOWN_PLACEHOLDERS
    for clause in library.clauses:
        filled = fill(clause, Parties(agency="the Harrow Glen Police Department"))
        assert "{" not in filled and "}" not in filled, clause.id
        assert clause.source.startswith(("COPS Office", "NASRO")), clause.id


def test_an_unknown_placeholder_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown placeholder"):
        ModelClause(id="x", heading="X", text="The {mayor} signs.", source="s")


def test_fill_capitalises_a_sentence_that_opens_with_a_defined_term() -> None:
    clause = load_library().get("expenses")
    assert clause is not None
    filled = fill(clause, Parties(agency_short="the Department", district_short="the Board"))
    assert filled.startswith("The Department pays")
    assert ". The Board reimburses the Department" in filled


def _doc(text: str, parties: list[str], district: str | None = None) -> Document:
    info = DocumentInfo(doc_id="t", path="t.txt", parties=parties, district=district)
    return Document(info=info, text=text)


def test_parties_use_checked_names_and_defined_terms() -> None:
    text = (
        'This agreement is between the Harrow Glen Police Department (the "Department") and the '
        'Harrow Glen School District (the "District"). The Sheriff is not a party.'
    )
    parties = parties_from(_doc(text, ["Harrow Glen Police Department", "Harrow Glen School District"]))
    assert parties.agency == "the Harrow Glen Police Department"
    assert parties.district == "the Harrow Glen School District"
    assert (parties.agency_short, parties.district_short) == ("the Department", "the District")
    assert parties.chief_title == "Chief of Police"


def test_doubtful_party_names_fall_back_to_generic_roles() -> None:
    """All-caps legacy text where metadata picked up a heading: never print a wrong name."""
    text = "AGREEMENT\nSCHOOL RESOURCE OFFICER SERVICES HARROW GLEN SCHOOLS\nTHE OFFICER SHALL PATROL."
    parties = parties_from(
        _doc(text, ["School Resource Officer Services Harrow Glen Schools", "Unified School District"])
    )
    assert (parties.agency, parties.district) == ("the Police Department", "the District")
    sheriff = parties_from(_doc("The County Sheriff's Office (the Sheriff's Office) and the Board.", []))
    assert sheriff.agency == "the Sheriff's Office"


def test_corpus_parties_come_from_the_manifest_only_when_the_text_agrees(docx_reviewed: Reviewed) -> None:
    parties = docx_reviewed.plan.parties
    assert parties.agency == "the Wexmoor Police Department"  # the manifest's agency, found in the text
    assert "School Resource Officer" not in parties.district  # the bad metadata party is not used
    assert parties.district_short == "the District"


# --- the plan -----------------------------------------------------------------------------------------


def test_plan_replaces_weak_language_and_inserts_missing_requirements(docx_reviewed: Reviewed) -> None:
    review, plan, text = docx_reviewed.review, docx_reviewed.plan, docx_reviewed.document.text
    deficient = {f.requirement_id for f in review.findings if f.deficient}
    assert {e.requirement_id for e in plan.edits if e.kind in ("insert", "replace")} == deficient
    by_id = {e.requirement_id: e for e in plan.edits if e.kind in ("insert", "replace")}
    weak = by_id["arrest_last_resort"]  # "remain within the SRO's professional discretion": vague
    assert weak.kind == "replace"
    assert weak.old_text == text[weak.start : weak.end]
    assert weak.old_text.startswith("Decisions to arrest")  # the clause number "3.2" is kept
    assert "last resort" in weak.new_text
    missing = by_id["public_availability"]
    assert missing.kind == "insert" and missing.start == missing.end
    assert text[: missing.start].endswith(missing.anchor_text)
    for edit in plan.edits:
        assert edit.source in edit.comment and "Checklist (" in edit.comment
    starts = [e.start for e in plan.edits]
    assert starts == sorted(starts)


def test_plan_never_deletes_text_that_is_evidence_for_another_requirement(
    docx_reviewed: Reviewed, pdf_reviewed: Reviewed
) -> None:
    for reviewed in (docx_reviewed, pdf_reviewed):
        replaced = [e for e in reviewed.plan.edits if e.kind == "replace"]
        assert replaced
        for edit in replaced:
            for finding in reviewed.review.findings:
                if finding.requirement_id == edit.requirement_id:
                    continue
                for evidence in finding.evidence:
                    overlaps = evidence.start < edit.end and edit.start < evidence.end
                    assert not overlaps or finding.deficient, (edit.requirement_id, finding.requirement_id)


def test_insertions_stay_out_of_the_signature_block(pdf_reviewed: Reviewed) -> None:
    text = pdf_reviewed.document.text
    witness = text.upper().find("IN WITNESS WHEREOF")
    assert witness > 0
    for edit in pdf_reviewed.plan.edits:
        if edit.kind == "insert" and edit.requirement_id != "signatures":
            assert edit.start <= witness, edit.requirement_id


def test_contrary_language_is_struck_whole_or_flagged_when_it_carries_other_evidence(tmp_path: Path) -> None:
    path = tmp_path / "mou.txt"
    path.write_text(
        "MEMORANDUM OF UNDERSTANDING\n\nBetween the Harrow Glen Police Department and the Harrow Glen "
        "School District.\n\n1. DUTIES\n\n1.1 The SRO shall patrol the campus and answer calls for "
        "service.\n\n1.2 The SRO shall enforce the dress code and school rules in the hallways.\n\n"
        "1.3 The SRO may issue lunch detentions for tardiness.\n\n"
        "2. SUPERVISION\n\n2.1 The SRO shall be supervised by the Patrol Division Lieutenant and shall "
        "enforce the student code of conduct at dismissal.\n",
        encoding="utf-8",
    )
    reviewed = _reviewed(path)
    text = reviewed.document.text
    assert reviewed.review.finding("supervision").status.value == "present"
    edits = [e for e in reviewed.plan.edits if e.requirement_id == "discipline_carveout"]
    deleted = {e.old_text: e for e in edits if e.kind in ("replace", "strike")}
    assert set(deleted) == {
        "The SRO shall enforce the dress code and school rules in the hallways.",
        "The SRO may issue lunch detentions for tardiness.",
    }  # whole items, their numbers ("1.2 ", "1.3 ") kept
    assert all(text[e.start - 4 : e.start] in ("1.2 ", "1.3 ") for e in deleted.values())
    struck = next(e for e in deleted.values() if e.kind == "strike")
    assert struck.new_text == "[Intentionally omitted.]" and "It is struck" in struck.comment
    flagged = next(e for e in edits if e.kind == "flag")  # also the chain of command's evidence: kept
    assert flagged.old_text is not None and flagged.old_text.startswith("The SRO shall be supervised by")
    assert flagged.new_text == ""
    assert "drafter should rewrite it" in flagged.comment


# --- DOCX output -----------------------------------------------------------------------------------


def test_docx_output_has_tracked_changes_and_comments_by_the_author(
    redlined: dict[str, Path], docx_reviewed: Reviewed
) -> None:
    path = redlined["docx"]
    docx.Document(str(path))  # opens
    body = _xml(path)
    inserts, deletes = list(body.iter(f"{W}ins")), list(body.iter(f"{W}del"))
    assert inserts and deletes
    for mark in inserts + deletes:
        assert mark.get(f"{W}author") == AUTHOR
        dt.datetime.fromisoformat(mark.get(f"{W}date", "").replace("Z", "+00:00"))
    inserted = " ".join(_revision_text(i) for i in inserts)
    deleted = " ".join(_revision_text(d) for d in deletes)
    assert "Wexmoor Police Department" in inserted
    assert "Decisions to arrest or cite remain within the SRO's professional discretion." in deleted
    comments = _xml(path, "word/comments.xml")
    texts = [_revision_text(c) for c in comments.iter(f"{W}comment")]
    assert len(texts) == len(docx_reviewed.plan.edits)  # one comment per edit: every edit was placed
    assert all(c.get(f"{W}author") == AUTHOR for c in comments.iter(f"{W}comment"))
    assert any("Source: COPS Office" in t for t in texts)
    assert len(list(body.iter(f"{W}commentReference"))) == len(texts)


def _original_view(path: Path) -> list[str]:
    """Paragraph texts with every tracked change rejected: what the document said before."""
    out = []
    for p in _xml(path).iter(f"{W}p"):
        if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None:
            continue
        parts = [
            t.text or ""
            for t in p.iter(f"{W}t", f"{W}delText")
            if not any(a.tag == f"{W}ins" for a in t.iterancestors())
        ]
        out.append("".join(parts))
    return out


def test_docx_input_keeps_its_paragraphs_and_formatting(redlined: dict[str, Path]) -> None:
    original = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in _xml(DOCX_INPUT).iter(f"{W}p")]
    assert _original_view(redlined["docx"]) == original
    styles = {p.style.name for p in docx.Document(str(DOCX_INPUT)).paragraphs}
    assert styles <= {p.style.name for p in docx.Document(str(redlined["docx"])).paragraphs}


def test_pdf_input_becomes_a_clean_docx_with_tracked_changes(redlined: dict[str, Path]) -> None:
    body = _xml(redlined["pdf"])
    deleted = " ".join(_revision_text(d) for d in body.iter(f"{W}del"))
    inserted = " ".join(_revision_text(i) for i in body.iter(f"{W}ins"))
    assert "The SRO shall report to the appropriate supervisor within the Department." in deleted
    assert "City of Halvering Police Department" in inserted
    assert "Chief of Police" in inserted
    text = "\n".join(p.text for p in docx.Document(str(redlined["pdf"])).paragraphs)
    assert "1.1 The Department shall assign three certified police officers" in text


# --- LibreOffice shows the changes ------------------------------------------------------------------


def _pdf_runs(pdf: Path) -> tuple[list[tuple[str, tuple[float, ...]]], list[float]]:
    """(text, fill colour) of every text run, and the x of every vertical line LibreOffice drew."""
    from pypdf import PdfReader

    runs: list[tuple[str, tuple[float, ...]]] = []
    bars: list[float] = []
    state: dict[str, object] = {"fill": (0.0,), "move": None}

    def before(op: bytes, args: list, cm: list, tm: list) -> None:
        if op in (b"rg", b"g"):
            state["fill"] = tuple(float(a) for a in args)
        elif op == b"m":
            state["move"] = (float(args[0]), float(args[1]))
        elif op == b"l" and state["move"] is not None:
            x0, y0 = state["move"]  # type: ignore[misc]
            if abs(float(args[0]) - x0) < 0.01 and abs(float(args[1]) - y0) > 1:
                bars.append(x0 + cm[4])

    def text(t: str, cm: list, tm: list, font: object, size: object) -> None:
        if t.strip():
            runs.append((t, state["fill"]))  # type: ignore[arg-type]

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return runs, bars


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_tracked_changes(redlined: dict[str, Path], tmp_path: Path) -> None:
    """Converted headless, the PDF shows deleted and inserted text in the author's colour, with change bars."""
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(redlined["docx"]),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    runs, bars = _pdf_runs(tmp_path / "docx.redline.pdf")

    def colour_of(fragment: str) -> tuple[float, ...]:
        return next(fill for text, fill in runs if fragment in text)

    author_colour = colour_of("Decisions to arrest or cite")  # the deleted sentence is still printed
    assert any(c > 0.05 for c in author_colour)
    assert colour_of("are last resorts") == author_colour  # so is the inserted one, in the same colour
    assert colour_of("Public Availability") == author_colour  # and an inserted paragraph
    assert not any(c > 0.05 for c in colour_of("The SRO program exists to keep students"))  # unchanged: black
    assert len(bars) >= 10  # change bars in the margin beside the changed lines


# --- Markdown, CLI and the adapter seam -----------------------------------------------------------


def test_markdown_shows_deletions_insertions_and_reasons(tmp_path: Path) -> None:
    result = run("redline", DOCX_INPUT, "--format", "md", "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "~~Decisions to arrest or cite remain within the SRO's professional discretion.~~" in md
    assert "~~The parties divide their responsibilities" in md
    assert "table.~~ **The Wexmoor Police Department shall select, assign, equip, train and supervise" in md
    # a new section, numbered after the agreement's last one (10.)
    assert re.search(
        r"\n\*\*12\. Public Availability\. The District and the Department each publish.*\*\*\[\^\d+\]\n", md
    )
    # two clauses added at the end of section 5 take its next numbers
    assert "\n**5.4 The SRO's supervisor evaluates" in md and "\n**5.5 The Department selects SROs" in md
    notes = re.findall(r"^\[\^(\d+)\]: (.+)$", md, re.M)
    refs = set(re.findall(r"\*\*\[\^(\d+)\]", md))
    review = json.loads(run("review", DOCX_INPUT, "-f", "json", "--store", tmp_path / "store").stdout)
    deficient = [f for f in review["findings"] if f["status"] in ("weak", "missing")]
    assert {n for n, _ in notes} == refs and len(refs) == len(deficient)  # one edit per deficiency
    assert all("Source:" in note for _, note in notes)


def test_redline_cli_default_output_goes_to_redlines_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs, work = tmp_path / "in", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    source = inputs / "mou.docx"
    shutil.copy(DOCX_INPUT, source)
    monkeypatch.chdir(work)
    result = run("redline", source, "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    assert (work / "redlines" / "mou.redline.docx").is_file()
    assert sorted(p.name for p in inputs.iterdir()) == ["mou.docx"]  # nothing beside the input


def test_redline_cli_rejects_a_wrong_extension_or_format_in_one_line(tmp_path: Path) -> None:
    for args, reason in (
        (("-o", tmp_path / "x.pdf"), "needs a .docx file name"),
        (("-f", "md", "-o", tmp_path / "x.docx"), "needs a .md file name"),
        (("--format", "pdf"), "unknown format"),
    ):
        result = run("redline", DOCX_INPUT, *args, "--store", tmp_path / "store")
        assert result.exit_code == 2, result.output
        assert reason in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.docx").exists()


def test_redline_cli_verify_reports_the_accepted_agreement(tmp_path: Path) -> None:
    result = run("redline", PDF_INPUT, "-o", tmp_path / "h.docx", "--verify", "--store", tmp_path / "store")
    assert result.exit_code == 0, result.output
    found = re.search(r"verify: with every change accepted, (\d+) of (\d+) deficient", result.output)
    assert found, result.output
    fixed, deficient = int(found.group(1)), int(found.group(2))
    assert deficient >= 10 and fixed >= 0.95 * deficient
    assert "regressed" not in result.output and "fragment" not in result.output


def test_llm_adapter_uses_the_model_and_keeps_the_library_clause_when_it_fails(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import mou_review.reviewers.llm as llm

    checklist = load_checklist("cops-nasro")
    # a loopback port nothing listens on: the call fails at once and must not lose the clause
    settings = Settings(
        llm_base_url="http://127.0.0.1:9/v1", llm_max_retries=0, llm_cache=tmp_path / "cache.sqlite"
    )
    adapter = make_adapter("llm", settings, checklist)
    assert adapter.name == "llm"
    assert adapter.adapt("supervision", "The SRO reports.", "5.1 ...") == "The SRO reports."
    calls = []

    def adapt_clause(settings: Settings, title: str, model_clause: str, excerpt: str) -> str:
        calls.append((title, excerpt))
        return model_clause.replace("SRO", "School Resource Officer")

    monkeypatch.setattr(llm, "adapt_clause", adapt_clause)
    adapter = make_adapter("llm", settings, checklist)
    assert (
        adapter.adapt("supervision", "The SRO reports.", "5.1 ...") == "The School Resource Officer reports."
    )
    assert calls == [("Supervision and chain of command", "5.1 ...")]
    assert make_adapter("offline", settings, checklist).adapt("supervision", "x", "y") == "x"
