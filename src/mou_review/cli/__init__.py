"""The `mou-review` command: a thin front door that parses, calls a stage, and renders."""

from __future__ import annotations

import logging

import typer

from . import batch_cmds, logs_cmds, redline_cmds, review_cmds, store_cmds

app = typer.Typer(
    name="mou-review",
    help="Review school-resource-officer (SRO) MOUs against the COPS/NASRO checklist, offline by default.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
store_cmds.register(app)
review_cmds.register(app)
redline_cmds.register(app)
batch_cmds.register(app)
logs_cmds.register(app)


def main() -> None:
    # Before any library configures the root logger (wordllama sets INFO at import): only warnings.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
