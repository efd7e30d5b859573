"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from ..config import Settings
from ..errors import MouReviewError

console = Console(stderr=True)
stdout = Console(soft_wrap=True)

StoreOpt = Annotated[
    Path | None, typer.Option("--store", help="Chroma store folder [env MOU_REVIEW_STORE_DIR]")
]
HostOpt = Annotated[
    str | None,
    typer.Option("--chroma-host", help="use a Chroma server at this host [env MOU_REVIEW_CHROMA_HOST]"),
]
PortOpt = Annotated[
    int | None, typer.Option("--chroma-port", help="Chroma server port [env MOU_REVIEW_CHROMA_PORT]")
]
WorkersOpt = Annotated[
    int | None, typer.Option("--workers", "-j", min=1, help="worker processes [env MOU_REVIEW_WORKERS]")
]

F = TypeVar("F", bound=Callable[..., Any])


def make_settings(**overrides: Any) -> Settings:
    """Environment first, then whatever options the user actually passed."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def guarded(fn: F) -> F:
    """Turn a `MouReviewError` into one red line, its hint, and the error's exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MouReviewError as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
            if exc.hint:
                console.print(f"[dim]hint: {exc.hint}[/dim]", highlight=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/yellow]")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def write_output(text: str, output: Path | None) -> None:
    """Write to a file when asked, else to stdout (plain, so other tools can read it)."""
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def resolve_backend(backend: str | None) -> str:
    """The backend to use; with `auto`, say once which one that is and why."""
    settings = make_settings(backend=backend)
    resolved = settings.resolved_backend()
    if settings.backend == "auto":
        console.print(
            f"[dim]backend auto: using {resolved} (no LLM key or base URL configured)[/dim]"
            if resolved == "offline"
            else f"[dim]backend auto: using {resolved}[/dim]"
        )
    return resolved
