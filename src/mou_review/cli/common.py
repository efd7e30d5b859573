"""Options, choices and error handling shared by every command."""

from __future__ import annotations

import functools
import io
import re
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand

from ..config import Settings
from ..errors import ConfigError, MouReviewError
from ..reviewers import REVIEWERS

if TYPE_CHECKING:
    from rich.progress import Progress

console = Console(stderr=True, soft_wrap=True)  # a message stays one line, however long
stdout = Console(soft_wrap=True)


if TYPE_CHECKING:
    Backend = StrEnum
else:  # `--backend` values: `auto` plus every name in the reviewer registry
    Backend = StrEnum("Backend", {name: name for name in ("auto", *REVIEWERS)})


class TableFormat(StrEnum):
    table = "table"
    json = "json"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


class FailOn(StrEnum):
    critical = "critical"
    major = "major"
    minor = "minor"


StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="DIR",
        help="Chroma store folder (env MOU_REVIEW_STORE_DIR; default: user data dir)",
    ),
]
HostOpt = Annotated[
    str | None,
    typer.Option(
        "--chroma-host", metavar="HOST", help="use a Chroma server at this host (env MOU_REVIEW_CHROMA_HOST)"
    ),
]
PortOpt = Annotated[
    int | None,
    typer.Option("--chroma-port", metavar="PORT", help="Chroma server port (env MOU_REVIEW_CHROMA_PORT)"),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        metavar="N",
        help="processes that share a batch, this one included (env MOU_REVIEW_WORKERS; default: 1, or 2 for 60 files or more)",
    ),
]
BackendOpt = Annotated[
    Backend | None, typer.Option("--backend", "-b", help="reviewer (auto: llm when configured, else offline)")
]
ChecklistOpt = Annotated[
    str | None,
    typer.Option(
        "--checklist",
        metavar="ID|FILE",
        help="checklist id (cops-nasro, or a state pack: il wa va ny ma ct oh tx mn), auto (the manifest "
        "state's pack; review only) or a YAML path",
    ),
]
FormatOpt = Annotated[TableFormat, typer.Option("--format", "-f", help="output format")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", metavar="FILE", help="write here instead of stdout")
]

RevisionsOpt = Annotated[
    str | None,
    typer.Option(
        "--revisions",
        help="DOCX tracked changes: read as accepted (default: insertions in, deletions out) or original",
    ),
]

F = TypeVar("F", bound=Callable[..., Any])
_TYPE_TAG = re.compile(r" <(?:list\[\w+\]|path|bool|text|int|integer|str|float)>")
_REQUIRED = re.compile(r"\{([A-Za-z_.]+)\}")


class PlainHelp(TyperCommand):
    """Help without Python type tags (`<bool>`, `<list[Path]>`) or braces round required arguments."""

    def get_help(self, ctx: Any) -> str:
        text = _TYPE_TAG.sub("", super().get_help(ctx))
        return _REQUIRED.sub(lambda m: m.group(1).upper(), text)


def with_revisions(settings: Settings, revisions: str | None) -> Settings:
    """The settings with `--revisions` applied to their load section (other load limits kept)."""
    if revisions is None:
        return settings
    if revisions not in ("accepted", "original"):
        raise MouReviewError(f"unknown --revisions {revisions!r}", hint="use accepted or original")
    return settings.model_copy(update={"load": settings.load.model_copy(update={"revisions": revisions})})


def progress_bar() -> Progress:
    """The bar batches and remote reviews show on stderr (rich.progress is imported only here)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def print_read_report(summary: str | None, duplicates: list[tuple[str, str]], warnings: list[str]) -> None:
    """What a folder walk passed over (one line), duplicates by name, and document warnings."""
    if summary:
        console.print(f"[dim]{summary}[/dim]", highlight=False)
    for path, original in duplicates:
        console.print(f"[dim]duplicate: {path} has the same content as {original}[/dim]", highlight=False)
    for warning in warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def make_settings(**overrides: Any) -> Settings:
    """Environment first, then whatever options the user actually passed (flat names accepted)."""
    try:
        return Settings(**{k: _plain(v) for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(
            _settings_error(exc), hint="see `src/mou_review/config.py` for every setting"
        ) from None


def store_settings(store: Path | None, host: str | None, port: int | None, **overrides: Any) -> Settings:
    """`make_settings` with the --store, --chroma-host and --chroma-port every store command takes."""
    return make_settings(store_dir=store, chroma_host=host, chroma_port=port, **overrides)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def _settings_error(exc: ValidationError) -> str:
    """The first bad setting as one line: 'bad setting llm.max_retries: Input should be ...'."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "settings"
    return f"bad setting {where}: {first['msg']} (got {first.get('input')!r})"


def guarded(fn: F) -> F:
    """Turn a user error into one red line, its hint, and the error's exit code (2 for bad input)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MouReviewError as exc:
            _fail(str(exc), exc.hint, exc.exit_code)
        except OSError as exc:  # an unwritable --out, a read-only folder, a full disk
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", "check the path and its permissions", 2)
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/yellow]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _fail(message: str, hint: str | None, code: int) -> None:
    console.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    if hint:
        console.print(f"[dim]hint: {hint}[/dim]", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def write_output(text: str, output: Path | None) -> None:
    """Write to a file when asked, else to stdout (plain, so other tools can read it)."""
    if output:
        if output.is_dir():
            raise ConfigError(f"{output}: is a folder", hint="give a file name to --output")
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def write_table(table: Table, output: Path | None) -> None:
    """A rich table on the terminal, or as plain text in the --output file."""
    if output is None:
        stdout.print(table)
        return
    buffer = io.StringIO()
    Console(file=buffer, width=200, no_color=True, soft_wrap=True).print(table)
    write_output(buffer.getvalue(), output)


def resolve_backend(backend: str | None, settings: Settings | None = None) -> str:
    """The backend to use; with `auto`, say once which one that is and why."""
    settings = settings or make_settings()
    if backend:
        settings = settings.with_(backend=_plain(backend))
    resolved = settings.resolved_backend()
    if settings.backend == "auto":
        console.print(
            f"[dim]backend auto: using {resolved} (no LLM key or base URL configured)[/dim]"
            if resolved == "offline"
            else f"[dim]backend auto: using {resolved}[/dim]"
        )
    return resolved
