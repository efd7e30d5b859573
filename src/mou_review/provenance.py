"""How a document was read, carried into its review: OCR'd quotes marked, load facts as notes."""

from __future__ import annotations

from .models import Document, DocumentInfo, Finding


def mark_ocr(document: Document, finding: Finding) -> Finding:
    """Flag each quote that lies on an OCR'd page, with that page's confidence."""
    if not document.info.ocr_pages:
        return finding
    evidence = []
    for item in finding.evidence:
        confidence = document.info.ocr_confidence_of(item.page)
        evidence.append(
            item
            if confidence is None
            else item.model_copy(update={"ocr": True, "ocr_confidence": confidence})
        )
    return finding.model_copy(update={"evidence": evidence})


def load_notes(info: DocumentInfo) -> list[str]:
    """What a reader of the review should know about the text it rests on."""
    notes = []
    if info.ocr_pages:
        pages = ", ".join(str(p.page) for p in info.ocr_pages)
        notes.append(
            f"read by OCR (page(s) {pages}; mean confidence {info.ocr_confidence:.0f}/100): "
            "check quotes marked OCR against the scan"
        )
    if info.revisions:
        view = (
            "read as if accepted (insertions in, deletions out)"
            if info.revisions_view != "original"
            else "read as the original, before the changes"
        )
        notes.append(f"the document had {info.revisions} pending tracked revision(s); {view}")
    if info.converted_from:
        notes.append(f"converted from {info.converted_from} by LibreOffice")
    notes.extend(f"warning: {w}" for w in info.warnings)
    return notes
