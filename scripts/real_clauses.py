"""Build, split, validate and summarise the real-clause set in evals/real/clauses.jsonl.

Usage:
  python scripts/real_clauses.py convert-seed [SEED]   # (re)build r0001-r0107 from the shared seed
  python scripts/real_clauses.py add NEW.jsonl          # append rows (text, source, query, labels, note)
  python scripts/real_clauses.py check                  # validate and print the coverage table
  python scripts/real_clauses.py readme                 # also write the table into evals/real/README.md

The split is a hash of `source_group`, so adding rows never moves an existing row; the few
whole-group overrides that keep every requirement and quality in both splits are listed in
SPLIT_OVERRIDES and in evals/real/README.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLAUSES = ROOT / "evals" / "real" / "clauses.jsonl"
CORRECTIONS = ROOT / "evals" / "real" / "seed_corrections.json"
README = ROOT / "evals" / "real" / "README.md"
CHECKLIST = ROOT / "src" / "mou_review" / "checklists" / "cops-nasro.yaml"
DEFAULT_SEED = Path("/work/shared/real_clauses.jsonl")
SEED_QUERY = "shared/real_clauses.jsonl"
QUALITIES = ("explicit", "partial", "vague", "contrary")
FIELDS = {"id", "text", "source", "source_group", "query", "labels", "split", "note"}

# Groups derived from different URLs that carry one document, or versions of one agreement
# whose wording carries over (so near-identical text never sits in both splits): derived -> kept.
SAME_DOCUMENT: dict[str, str] = {
    "pwcs.edu/departments/risk_management___security_services/s_r_o_m_o_u": "pwcs.edu/departments/risk_management/sro_mou/index",
    "qctimes.com/news/local/govt-and-politics/do-students-and-staff-feel-more-safe-with-officers-in-davenport-schools-heres-what-a/article_9909a0c2-f553-5cd7-b131-0c65f50dbc6f.html": "qctimes.com:davenport-sro-mou",
    "qctimes.com/news/local/education/davenport-school-board-discusses-sro-program/article_d69b5db2-0c13-5be6-add7-2f7a196b0ebc.html": "qctimes.com:davenport-sro-mou",
    "qctimes.com/news/local/education/davenport-community-school-district-board-takes-action-on-school-resource-officer-agreement/article_f45a9fd4-1c1d-5e9a-a4a6-96a8a0522cb4.html": "qctimes.com:davenport-sro-mou",
    "cocdocs.carmel.in.gov:doc287273": "cocdocs.carmel.in.gov:doc1838772",
    "cocdocs.carmel.in.gov:doc1054311": "cocdocs.carmel.in.gov:doc1838772",
    "publicrecords.tigard-or.gov:doc975379": "publicrecords.tigard-or.gov:doc725432",
    "lawinsider.com/contracts/similar/fAWvjIaWRd3": "rdso3donline.com:doc5539339",
    "publicrecords.casselberry.org:doc253449": "publicrecords.casselberry.org:doc310543",
    "publicrecords.casselberry.org:doc71671": "publicrecords.casselberry.org:doc310543",
    **dict.fromkeys(
        [f"publicrecords.casselberry.org:doc{n}" for n in (273828, 274417, 310224, 311989, 312709, 346418)],
        "publicrecords.casselberry.org:doc310543",
    ),
    "chccs.org/domain/1073": "nc-wilsoncounty.civicplus.com/369/School-Resource-Officers",
    "weblink.winterspringsfl.org:doc383467": "weblink.winterspringsfl.org:doc381747",
    "san-marcos-tx.legistar.com:item6845817": "weblink.sanmarcostx.gov:doc1552491",
    "lfportal.everettwa.gov:doc1750745": "lfportal.everettwa.gov:doc1748170",
    **dict.fromkeys(
        [f"lfportal.everettwa.gov:doc{n}" for n in (684826, 906975, 1315486, 1319089)],
        "lfportal.everettwa.gov:doc1748170",
    ),
    "laserfiche.cityofokeechobee.com:doc58736": "laserfiche.cityofokeechobee.com:doc66898",
    "documents.cityofparkland.org:doc18977": "documents.cityofparkland.org:doc18880",
    "server3.co.orange.nc.us:8088:doc49048": "server3.co.orange.nc.us:8088:doc47786",
    **dict.fromkeys(
        [f"weblink.sanmarcostx.gov:doc{n}" for n in (342250, 666138, 1371512, 1603299, 1755599, 1884742)],
        "weblink.sanmarcostx.gov:doc1552491",
    ),
    "citydocs.ci.dublin.ca.us:doc3635": "citydocs.ci.dublin.ca.us:doc2607",
    "weblink.cityofpleasantonca.gov:doc296165": "weblink.cityofpleasantonca.gov:doc296416",
    "edocuments.myclearwater.com:doc18048": "edocuments.myclearwater.com:doc24376",
    "phoenix.legistar.com:item7398634": "phoenix.legistar.com/LegislationDetail.aspx",
    "phoenix.legistar.com:item4148683": "phoenix.legistar.com/LegislationDetail.aspx",
    "maricopa.legistar.com:item1144956": "maricopa.legistar.com:item4208436",
    "archiverecords.maranaaz.gov:doc603314": "archiverecords.maranaaz.gov:doc425417",
    "archiverecords.maranaaz.gov:doc494938": "archiverecords.maranaaz.gov:doc425417",
    "cte.jhu.edu/courses/ssn/sro/ses1_act3_pag1.shtml": "cte.jhu.edu/courses/ssn/sro",
    "cte.jhu.edu/courses/ssn/sro/ses2_act3_pag1.shtml": "cte.jhu.edu/courses/ssn/sro",
    "documents.roundrocktexas.gov:doc171447": "documents.roundrocktexas.gov:doc130003",
    "documents.roundrocktexas.gov:doc14049": "documents.roundrocktexas.gov:doc130003",
    "publicrecords.sanfordfl.gov:doc9005": "publicrecords.sanfordfl.gov:doc388524",
    "douglas.ic-board.com/com/print_agenda_item.aspx": "eboardsecure.dcsdk12.org/public_itemview.aspx",
    "douglaspublic.ic-board.com/public_itemview.aspx": "eboardsecure.dcsdk12.org/public_itemview.aspx",
    "weblink.arroyogrande.org:doc363551": "weblink.arroyogrande.org:doc347095",
    "webapps.cityofmuskego.org:doc325773": "webapps.cityofmuskego.org:doc238859",
    "minutes.weld.gov:doc56156": "minutes.weld.gov:doc91119",
    "agenda.oneclay.net/publishing/june-6-2024-regular-school-board-meeting/9288_53022.html": "agenda.oneclay.net/publishing/february-27-2024-school-board-special-meeting/9282_52833.html",
    # rows r0527 on: web pages of one MOU, versions of one agreement, copies of one statute, reports on one MOU
    **dict.fromkeys(
        [
            f"henry.k12.va.us/about/hcso-partnership/{page}"
            for page in (
                "overview",
                "article-i-roles-and-responsibilities-of-partner-organizations",
                "article-ii-staffing-of-school-resource-officers-sros",
                "article-iv-dissemination-of-information-and-reporting",
            )
        ],
        "henry.k12.va.us/about/hcso-partnership",
    ),
    "henricocitizen.com/henrico-schools-police-propose-several-changes-to-school-resource-officer-agreement": "wric.com/news/education/henrico-county-public-schools-is-asking-for-feedback-on-the-role-of-police-in-schools",
    "normanpublicschools.org/Page/2302": "normanpd.normanok.gov/pd/school-resource-officer-section",
    "normanok.gov/public-safety/police-department/divisions/school-resource-officers": "normanpd.normanok.gov/pd/school-resource-officer-section",
    "thewashingtondailynews.com/2024/05/23/board-of-education-approves-signing-mou-with-sheriffs-office": "thewashingtondailynews.com/2024/05/15/define-open-for-business-bcs-bcso-discuss-details-of-drafted-memorandum-of-understanding",
    "arapahoe.legistar.com:item7879661": "arapahoe.legistar.com:item7379107",
    **dict.fromkeys(
        [f"docs.pasco-wa.gov:doc{n}" for n in (253494, 460602, 787122)], "docs.pasco-wa.gov:doc948894"
    ),
    "pleasanthilliowa.org/209/School-Resource-Officers": "pleasanthilliowa.org/381/Roles-and-Responsibilities",
    **dict.fromkeys([f"weblink.cityofpa.us:doc{n}" for n in (26521, 26522)], "weblink.cityofpa.us:doc26515"),
    "instalawyer.io/laws/massachusetts-general-laws/section-37p-school-resource": "safesupportivelearning.ed.gov/discipline-compendium",
    "lawserver.com/law/state/kentucky/ky-statutes/kentucky_statutes_158-4414": "legalfix.com/statutes/state-codes/kentucky/chapter-158/section-158-4414",
    "laserfiche.cibolotx.gov:doc11500": "laserfiche.schertzweb.com:doc520879",
    "weblink.sanleandro.org:doc356715": "weblink.sanleandro.org:doc355868",
    "weblink.cityofdubuque.org:doc772429": "weblink.cityofdubuque.org:doc102167",
    "journalstar.com/news/local/crime-and-courts/report-on-lincoln-sros-officers-leave-discipline-to-teachers-minority-low-income-students-disproportionately-both/article_bc237ecc-c50f-53c6-a702-9cd5c1449ebd.html": "journalstar.com/news/local/crime-and-courts/report-on-sros-officers-leave-discipline-to-teachers-minority-low-income-students-disproportionately-both-suspects/article_bc237ecc-c50f-53c6-a702-9cd5c1449ebd.html",
}
# Whole groups moved to the other split to cover a requirement or quality (see README).
SPLIT_OVERRIDES: dict[str, str] = {
    # dev had no school_responsibilities label at all after 330 clauses
    "lawinsider.com/clause/school-division-responsibilities/_2": "dev",
}


def requirement_ids() -> list[str]:
    """The checklist's requirement ids, read from the data file the reviewer uses."""
    data = yaml.safe_load(CHECKLIST.read_text(encoding="utf-8"))
    return [item["id"] for item in data["requirements"]]


def source_group(url: str) -> str:
    """A short stable key for the document behind a URL: pages of one document share it."""
    group = _derived_group(url)
    return SAME_DOCUMENT.get(group, group)


def _derived_group(url: str) -> str:
    parsed = urlparse(url)
    host = re.sub(r"^(www|ja|m)\.", "", parsed.netloc.lower())
    weblink = re.search(r"/\d+/doc/(\d+)/Page\d+\.aspx", parsed.path, re.IGNORECASE)
    if weblink:
        return f"{host}:doc{weblink.group(1)}"
    doc_id = parse_qs(parsed.query).get("id") or parse_qs(parsed.query).get("ID")
    if "docview.aspx" in parsed.path.lower() and doc_id:
        return f"{host}:doc{doc_id[0]}"
    if host.endswith("legistar.com") and doc_id:
        return f"{host}:item{doc_id[0]}"
    flip = re.match(r"/(\w+)/(\w+)/files/", parsed.path)
    if host.endswith("flipbuilder.com") and flip:
        return f"{host}:{flip.group(1)}/{flip.group(2)}"
    query = parsed.query if "doccode" in parsed.query or "docid" in parsed.query else ""
    return f"{host}{parsed.path.rstrip('/')}" + (f"?{query}" if query else "")


def split_for(group: str) -> str:
    """dev or test from a hash of the group, unless the group is overridden."""
    if group in SPLIT_OVERRIDES:
        return SPLIT_OVERRIDES[group]
    return "dev" if hashlib.sha256(group.encode()).digest()[0] % 2 == 0 else "test"


def load(path: Path = CLAUSES) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save(rows: list[dict], path: Path = CLAUSES) -> None:
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")


def make_row(number: int, raw: dict) -> dict:
    """One row in the published field order, with its group and split filled in."""
    group = raw.get("source_group") or source_group(raw["source"])
    row = {
        "id": f"r{number:04d}",
        "text": raw["text"],
        "source": raw["source"],
        "source_group": group,
        "query": raw["query"],
        "labels": raw["labels"],
        "split": split_for(group),
    }
    if raw.get("note"):
        row["note"] = raw["note"]
    return row


def seed_row(number: int, seed: dict, corrections: dict) -> dict:
    """A seed row: its one quality for all labels, then any recorded correction with its reason."""
    labels = dict.fromkeys(seed["labels"], seed["quality"])
    notes = [seed["note"]] if seed.get("note") else []
    fix = corrections.get(f"r{number:04d}")
    if fix:
        labels = fix["labels"]
        notes.append(
            f"relabelled from seed ({seed['quality']} for {', '.join(seed['labels'])}): {fix['why']}"
        )
    raw = {**seed, "labels": labels, "query": SEED_QUERY, "note": "; ".join(notes)}
    return make_row(number, raw)


def convert_seed(seed_path: Path) -> list[dict]:
    """Rebuild the seed rows, keeping every row added after them."""
    corrections = json.loads(CORRECTIONS.read_text(encoding="utf-8"))
    seeds = load(seed_path)
    rows = [seed_row(i, seed, corrections) for i, seed in enumerate(seeds, 1)]
    return rows + [row for row in load() if int(row["id"][1:]) > len(seeds)]


def add_rows(new_path: Path) -> list[dict]:
    """Append new rows with the next ids; a text already in the set is refused."""
    rows = load()
    seen = {row["text"] for row in rows}
    number = max((int(row["id"][1:]) for row in rows), default=0)
    for raw in load(new_path):
        if raw["text"] in seen:
            print(f"skipped duplicate text: {raw['text'][:60]}", file=sys.stderr)
            continue
        number += 1
        seen.add(raw["text"])
        rows.append(make_row(number, raw))
    return rows


def row_problems(row: dict, known: set[str]) -> list[str]:
    """What is wrong with one row (empty when it is well formed)."""
    problems = []
    if not {"id", "text", "source", "source_group", "query", "labels", "split"} <= set(row):
        problems.append("missing fields")
    if set(row) - FIELDS:
        problems.append(f"unknown fields {sorted(set(row) - FIELDS)}")
    for req, quality in row.get("labels", {}).items():
        if req not in known or quality not in QUALITIES:
            problems.append(f"bad label {req}: {quality}")
    if row.get("split") not in ("dev", "test"):
        problems.append("split is not dev/test")
    if not str(row.get("source", "")).startswith("http"):
        problems.append("source is not a URL")
    return [f"{row.get('id')}: {p}" for p in problems]


def validate(rows: list[dict]) -> list[str]:
    """Schema, unique ids and texts, and every source group in exactly one split."""
    known = set(requirement_ids())
    problems = [p for row in rows for p in row_problems(row, known)]
    for field in ("id", "text"):
        dupes = [k for k, n in Counter(row[field] for row in rows).items() if n > 1]
        problems += [f"duplicate {field}: {str(d)[:60]}" for d in dupes]
    splits: dict[str, set[str]] = {}
    for row in rows:
        splits.setdefault(row["source_group"], set()).add(row["split"])
    problems += [f"group {g} in both splits" for g, s in splits.items() if len(s) > 1]
    return problems


def coverage(rows: list[dict], split: str) -> str:
    """A requirement x quality count table for one split, as Markdown."""
    part = [row for row in rows if row["split"] == split]
    counts = Counter((req, q) for row in part for req, q in row["labels"].items())
    lines = [f"### {split}", "", "| requirement | " + " | ".join(QUALITIES) + " |"]
    lines.append("| --- |" + " ---: |" * len(QUALITIES))
    for req in requirement_ids():
        lines.append(f"| `{req}` | " + " | ".join(str(counts[req, q]) for q in QUALITIES) + " |")
    nones = sum(1 for row in part if not row["labels"])
    sources = len({row["source_group"] for row in part})
    lines += ["", f"{len(part)} clauses, {nones} none clauses, {sources} sources", ""]
    return "\n".join(lines)


def gaps(rows: list[dict]) -> list[str]:
    """Requirements with no label at all in a split (what overrides would fix)."""
    out = []
    for split in ("dev", "test"):
        seen = {req for row in rows if row["split"] == split for req in row["labels"]}
        out += [f"{split}: no {req}" for req in requirement_ids() if req not in seen]
    return out


def write_readme(table: str) -> None:
    """Replace the coverage section of the README (between its two markers) with `table`."""
    start, end = "<!-- coverage:start -->", "<!-- coverage:end -->"
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    README.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "convert-seed":
        save(convert_seed(Path(argv[1]) if len(argv) > 1 else DEFAULT_SEED))
    elif command == "add" and len(argv) == 2:
        save(add_rows(Path(argv[1])))
    elif command not in ("check", "readme"):
        print(__doc__, file=sys.stderr)
        return 2
    rows = load()
    problems = validate(rows)
    table = "\n".join(coverage(rows, split) for split in ("dev", "test"))
    print(table)
    if command == "readme":
        write_readme(table)
    print("\n".join(gaps(rows)) or "every requirement is labelled in both splits")
    print("\n".join(problems) or f"{len(rows)} rows valid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
