"""Old word-processor formats (.doc, .rtf, .odt, .wpd) to DOCX through LibreOffice, headless.

DOCX keeps the paragraphs, list numbers, tables and tracked changes that the DOCX reader already
understands, so a converted file is read exactly like a native one. Each conversion runs in a
fresh temporary folder with its own LibreOffice profile (two at once would otherwise share and
lock one) and is stopped at the document's deadline.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import DocumentError
from .limits import LoadSettings, remaining

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_HINT = (
    "install LibreOffice (`apt-get install libreoffice-writer-nogui`) or save the file as DOCX or PDF"
)


def soffice() -> str | None:
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def to_docx(path: Path, data: bytes, limits: LoadSettings) -> bytes:
    """The DOCX LibreOffice makes of `data` (the bytes of `path`)."""
    program = soffice()
    if program is None:
        raise DocumentError(
            path, f"{path.suffix.lower()} needs LibreOffice, which is not installed", hint=INSTALL_HINT
        )
    with tempfile.TemporaryDirectory(prefix="mou-review-convert-") as tmp:
        folder = Path(tmp)
        source = folder / f"input{path.suffix.lower()}"
        source.write_bytes(data)
        command = [
            program,
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=remaining(limits.seconds_per_document),
                check=False,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(
                path, f"LibreOffice took longer than {exc.timeout:.0f} s to convert it"
            ) from exc
        converted = folder / "out" / "input.docx"
        if not converted.is_file():
            raise DocumentError(
                path, f"LibreOffice could not convert this {path.suffix.lower()} file (damaged?)"
            )
        return converted.read_bytes()
