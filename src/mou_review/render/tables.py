"""CSV files (triage, and the comparison wide and long) and the terminal tables of the batch and
corpus commands. Text from an MOU is escaped for rich, so a "[bracketed]" phrase stays text."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from ..compare import Matrix, MatrixRow, Prevalence
from ..facts import FACT_COLUMNS, FACT_NAMES
from ..models import Clause, FactValue
from ..summary import TriageRow

if TYPE_CHECKING:  # the store (and Chroma) is imported only by the commands that open it
    from ..similar import DistrictHits
    from ..store_records import StoredDocument

TRIAGE_FIELDS = [f for f in TriageRow.model_fields if f != "facts"]
TRIAGE_FIELDS[TRIAGE_FIELDS.index("review_due") : TRIAGE_FIELDS.index("review_due")] = list(FACT_COLUMNS)
IDENTITY = ["doc_id", "file", "district", "nces_id", "state", "year"]


def csv_value(value: FactValue | None) -> str | int | float:
    """A fact as a CSV cell: empty when not stated, true/false for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def triage_csv(rows: list[TriageRow]) -> str:
    """triage.csv: one row per MOU, lists joined, facts as columns."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=TRIAGE_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        record: dict[str, Any] = row.model_dump(exclude={"facts"})
        record["parties"] = "; ".join(row.parties)
        record["deficient"] = " ".join(row.deficient)
        record["ocr"] = int(row.ocr)
        record["warnings"] = "; ".join(row.warnings)
        record["contrary"] = " ".join(row.contrary)
        record.update(
            {col: csv_value(row.facts.get(name)) for col, name in zip(FACT_COLUMNS, FACT_NAMES, strict=True)}
        )
        record["overdue"] = csv_value(row.overdue)
        writer.writerow(record)
    return buf.getvalue()


def _identity(row: MatrixRow) -> list[Any]:
    """The cells that say which MOU a comparison row is (the IDENTITY columns)."""
    return [row.doc_id, row.file, row.district, row.nces_id or "", row.state or "", row.year or ""]


def wide_csv(matrix: Matrix) -> str:
    """One row per MOU, one column per requirement ('contrary' apart from 'weak'), then the facts."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*IDENTITY, "risk_score", "ocr", *matrix.requirement_ids, *FACT_COLUMNS])
    for row in matrix.rows:
        cells = [row.cell_label(rid) for rid in matrix.requirement_ids]
        facts = [csv_value(row.facts.get(name)) for name in FACT_NAMES]
        writer.writerow([*_identity(row), row.risk_score, int(row.ocr), *cells, *facts])
    return buf.getvalue()


def long_csv(matrix: Matrix) -> str:
    """One row per (MOU, requirement): the tidy form for spreadsheets and dataframes."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*IDENTITY, "requirement_id", "severity", "status", "deficient", "contrary", "ocr"])
    for row in matrix.rows:
        for rid in matrix.requirement_ids:
            status = row.statuses.get(rid)
            writer.writerow(
                [
                    *_identity(row),
                    rid,
                    matrix.severities[rid].value,
                    status.value if status else "",
                    int(bool(status and status.deficient)),
                    int(rid in row.contrary),
                    int(rid in row.ocr_findings),
                ]
            )
    return buf.getvalue()


def worst_table(rows: list[TriageRow], shown: int = 10) -> Table:
    """The worst MOUs of a triage run, by rank."""
    table = Table("#", "file", "risk", "critical", "major", "minor", title="worst MOUs")
    for rank, row in enumerate(rows[:shown], 1):
        table.add_row(
            str(rank),
            escape(row.file),
            str(row.risk_score),
            str(row.critical),
            str(row.major),
            str(row.minor),
        )
    return table


def prevalence_table(overall: list[Prevalence], documents: int) -> Table:
    """Per requirement: how many MOUs it applies to, and the addressed, deficient and contrary shares."""
    table = Table(
        "requirement",
        "severity",
        "applies to",
        "addressed",
        "deficient",
        "contrary",
        title=f"{documents} MOU(s)",
    )
    for p in overall:
        table.add_row(
            p.requirement_id,
            p.severity.value,
            str(p.applicable),
            f"{p.addressed_share:.0%}",
            f"{p.deficient_share:.0%}",
            f"{p.contrary_share:.0%}",
        )
    return table


def search_rows(hits: list[tuple[Clause, float]], paths: dict[str, str]) -> list[dict[str, Any]]:
    """`search`'s ranked clauses as rows (its table and its JSON), with the file each came from."""
    return [
        {
            "rank": i + 1,
            "score": round(score, 4),
            "doc_id": c.doc_id,
            "path": paths.get(c.doc_id),
            "page": c.page,
            "start": c.start,
            "end": c.end,
            "heading": " > ".join(c.heading_path),
            "text": c.text,
        }
        for i, (c, score) in enumerate(hits)
    ]


def search_table(rows: list[dict[str, Any]]) -> Table:
    """Ranked clauses with their document, page and offsets (the heading dimmed above the text)."""
    table = Table("#", "document", "page", "offsets", "clause", show_lines=True)
    for r in rows:
        heading = f"[dim]{escape(r['heading'])}[/dim]\n" if r["heading"] else ""
        table.add_row(
            str(r["rank"]),
            escape(Path(str(r["path"])).name),
            str(r["page"]),
            f"{r['start']}-{r['end']}",
            heading + escape(str(r["text"])),
        )
    return table


def similar_table(groups: list[DistrictHits]) -> Table:
    """The closest clauses, grouped by district (named once, on its first row)."""
    table = Table("district", "#", "file", "page", "clause", show_lines=True)
    for group in groups:
        for i, hit in enumerate(group.hits):
            name = f"{group.district} ({group.state})" if group.state else group.district
            table.add_row(
                escape(name) if i == 0 else "",
                str(hit.rank),
                escape(hit.file),
                str(hit.page),
                escape(hit.text),
            )
    return table


def documents_table(docs: list[StoredDocument]) -> Table:
    """What the store holds: doc_id, file, title, parties, pages, clauses."""
    table = Table("doc_id", "file", "title", "parties", "pages", "clauses")
    for d in docs:
        table.add_row(
            d.info.doc_id,
            escape(Path(d.info.path).name),
            escape(d.info.title or ""),
            escape("; ".join(d.info.parties)),
            str(d.info.pages),
            str(d.clauses),
        )
    return table
