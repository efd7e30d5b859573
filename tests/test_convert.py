"""Old formats through LibreOffice: .doc and .rtf copies of a corpus MOU review like the original.

Needs `soffice` (LibreOffice, as the redline tests do); skipped, with the reason, without it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS
from typer.testing import CliRunner

from mou_review.cli import app
from mou_review.convert import soffice
from mou_review.documents import load_document
from mou_review.errors import DocumentError
from mou_review.limits import LoadSettings

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
ENV = {"COLUMNS": "200", "ANONYMIZED_TELEMETRY": "False", "MOU_REVIEW_BACKEND": "offline"}
ORIGINAL = CORPUS / "calder_ridge_wa_2022.docx"


def save_as(source: Path, folder: Path, fmt: str) -> Path:
    """What an old shared drive holds: the same agreement saved by a word processor as `fmt`."""
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [str(soffice()), f"-env:UserInstallation={profile}", "--headless", "--convert-to", fmt,
         "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / f"{source.stem}.{fmt}"


def _statuses(path: Path, store: Path) -> dict[str, str]:
    result = CliRunner().invoke(app, ["review", str(path), "--store", str(store), "-f", "json"], env=ENV)
    assert result.exit_code == 0, result.output
    review = json.loads(result.stdout)
    if path.suffix != ".docx":
        assert review["document"]["converted_from"] == path.suffix
        assert any("converted from" in note for note in review["notes"])
    return {f["requirement_id"]: f["status"] for f in review["findings"]}


@pytest.mark.parametrize("fmt", ["doc", "rtf", "odt"])
def test_an_old_format_copy_reviews_like_the_original(fmt: str, tmp_path: Path) -> None:
    copy = save_as(ORIGINAL, tmp_path, fmt)
    assert b"word/document.xml" not in copy.read_bytes()  # really the other format, not a DOCX renamed
    original, converted = _statuses(ORIGINAL, tmp_path / "store"), _statuses(copy, tmp_path / "store")
    assert converted == original


def test_a_damaged_old_format_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wpd"
    bad.write_bytes(b"\xffWPC" + b"\x00\x01garbage" * 40)
    with pytest.raises(DocumentError, match=r"bad.wpd: (LibreOffice could not convert|no text content)"):
        load_document(bad, limits=LoadSettings(seconds_per_document=120))
