"""The `mou-review` command: a thin front door that parses, calls a stage, and renders.

Each command's module is imported when that command runs (`COMMANDS`), so `review` of one
file never imports Chroma, LangChain or the batch code: start-up is most of a one-file review.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import re
import sys
from collections.abc import Iterator, MutableMapping
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

# command -> the module of this package that registers it, in the order `--help` lists them
COMMANDS = {
    "remove": "store_cmds",
    "ingest": "store_cmds",
    "search": "store_cmds",
    "documents": "store_cmds",
    "checklist": "review_cmds",
    "review": "review_cmds",
    "eval": "review_cmds",
    "redline": "redline_cmds",
    "triage": "batch_cmds",
    "compare": "batch_cmds",
    "similar": "batch_cmds",
    "logs": "logs_cmds",
    "diff": "diff_cmds",
}


def module_commands(module_name: str) -> dict[str, Any]:
    """The click commands one `*_cmds` module registers, built as the root app would build them."""
    module = importlib.import_module(f"{__name__}.{module_name}")
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    module.register(sub)
    return dict(typer.main.get_group(sub).commands)


_collection_deferred = False  # set by `main` while start-up imports run without the collector


def _collect_from_here() -> None:
    """Garbage collection back on, over what is made from now on.

    Start-up is imports: their objects live as long as the process, and the collector walked them
    again and again while they were made (about a tenth of a one-file review). `main` turns it off
    until the command's module is imported; freezing what exists keeps later passes off it.
    """
    global _collection_deferred
    if _collection_deferred:
        _collection_deferred = False
        gc.freeze()
        gc.enable()


class LazyCommands(MutableMapping[str, Any]):
    """The group's command table: every name is known up front, a command is built on first use."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built.update(module_commands(COMMANDS[name]))  # KeyError: no such command
            _collect_from_here()
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (name for name in self._built if name not in COMMANDS)

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class OneLineErrors(TyperGroup):
    """Usage errors (an unknown option value, a missing argument) as one line and exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands()

    def main(self, *args: Any, **kwargs: Any) -> Any:
        standalone = kwargs.pop("standalone_mode", True)
        try:
            result = super().main(*args, **{**kwargs, "standalone_mode": False})
        except typer.Abort:
            print("aborted", file=sys.stderr)
            sys.exit(1)
        except Exception as exc:  # click's UsageError family; typer vendors click, so test by shape
            if not hasattr(exc, "format_message") or not hasattr(exc, "exit_code"):
                raise
            if type(exc).__name__ == "NoArgsIsHelpError":  # help was printed already
                sys.exit(0 if standalone else exc.exit_code)
            print(f"error: {usage_message(exc)}", file=sys.stderr)
            sys.exit(exc.exit_code)
        if not standalone:
            return result
        sys.exit(result if isinstance(result, int) else 0)


_BAD_CHOICE = re.compile(
    r"Invalid value for '(?P<opt>-[^']+)'(?: / '[^']+')?: (?:Value error, )?'(?P<given>[^']*)' "
    r"is not one of (?P<choices>.+?)\.?$"
)


def usage_message(exc: Any) -> str:
    """Click's message on one line; a bad choice says 'unknown <what> ...' and lists the choices."""
    message = " ".join(str(exc.format_message()).split())
    bad = _BAD_CHOICE.match(message)
    if bad:
        name = bad["opt"].lstrip("-")
        choices = bad["choices"].replace("'", "")
        return f"unknown {name} {bad['given']!r} for {bad['opt']}; choose one of: {choices}"
    ctx = getattr(exc, "ctx", None)
    return f"{message} (see `{ctx.command_path} --help`)" if ctx is not None else message


app = typer.Typer(
    name="mou-review",
    cls=OneLineErrors,
    help="Review school-resource-officer (SRO) MOUs against the COPS/NASRO checklist, offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # 50 ms: only for --version

    try:
        return version("mou-review")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        print(f"mou-review {package_version()}")
        raise typer.Exit(0)


@app.callback()
def root(
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose",
            "-v",
            count=True,
            help="say why clauses were retrieved and findings decided (-vv: debug)",
        ),
    ] = 0,
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    """Review school-resource-officer (SRO) MOUs against the COPS/NASRO checklist, offline by default."""
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else logging.WARNING
    logging.getLogger("mou_review").setLevel(level)


def main() -> None:
    # Before any library configures the root logger (wordllama sets INFO at import): only warnings.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # pydantic looks for plugins in every installed package's metadata before its first model:
    # a noticeable share of a one-file review, for plugins this command never uses. Setting the
    # variable (even empty) keeps pydantic's own behaviour.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    global _collection_deferred
    _collection_deferred = True  # until the command's modules are imported: see `_collect_from_here`
    gc.disable()
    try:
        app()
    finally:
        # The interpreter's shutdown runs full garbage collections over every object the imports
        # made (a quarter of a one-file review's wall time); frozen objects are skipped, and the
        # process is ending, so nothing is lost. Refcounted objects (open files) still close.
        gc.freeze()
