"""Start-up stays lean: a one-file review imports neither Chroma nor LangChain, and every command
is still reachable through the lazy command table."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

from mou_review.cli import COMMANDS, module_commands

# Heavy packages the one-file offline review has no use for (the store, the LLM path, DOCX
# reading of a PDF, the HTML templates), and the `wordllama` package, whose files the embedder reads.
NOT_FOR_REVIEW = [
    "chromadb",
    "langchain",
    "langchain_core",
    "langchain_openai",
    "openai",
    "jinja2",
    "docx",
    "wordllama",
    "requests",
    "bm25s",  # one document's BM25 is scored in memory (`bm25_arrays.InMemoryBM25`)
    "tqdm",
    "rapidfuzz",  # only a quote not found verbatim needs the fuzzy match
    "safetensors",  # the embedder memory-maps WordLlama's weights itself
    "pydantic_settings",  # the settings read the environment themselves (config.environment)
    "asyncio",
]
REVIEW = """
import json, sys
from mou_review.cli import app
app(["review", sys.argv[1], "--backend", "offline", "--format", "json"], standalone_mode=False)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2:]))), file=sys.stderr)
"""


def loaded_after(code: str, *args: str) -> list[str]:
    """Run `code` in a fresh interpreter; the modules it left loaded among `args` (printed last)."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_one_file_review_imports_no_store_and_no_llm_stack() -> None:
    loaded = loaded_after(REVIEW, str(ROOT / "corpus" / "caddow_ford_ks_2006.pdf"), *NOT_FOR_REVIEW, "pypdf")
    assert loaded == ["pypdf"]  # the review read the PDF, and loaded none of the others


def test_importing_the_cli_imports_no_command_module() -> None:
    code = (
        "import json, sys, mou_review.cli\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.endswith('_cmds') or m.split('.')[0] in sys.argv[1:])),"
        " file=sys.stderr)"
    )
    assert loaded_after(code, "chromadb", "langchain_core", "bm25s", "pypdf", "rich") == []


def test_the_command_table_names_what_each_module_registers() -> None:
    modules = {path.stem for path in (ROOT / "src" / "mou_review" / "cli").glob("*_cmds.py")}
    assert set(COMMANDS.values()) == modules  # a new command module must be listed
    for module in modules:
        assert set(module_commands(module)) == {name for name, m in COMMANDS.items() if m == module}


GC_PROBE = """
import gc, sys
from mou_review import cli
from mou_review.cli import review_cmds

real = review_cmds.reviewed

def spy(*args):
    print("collecting during the command:", gc.isenabled(), file=sys.stderr)
    return real(*args)

review_cmds.reviewed = spy
build = cli.module_commands

def building(name):
    print("collecting while the command module is built:", gc.isenabled(), file=sys.stderr)
    return build(name)

cli.module_commands = building
sys.argv = ["mou-review", "review", sys.argv[1], "--backend", "offline", "--format", "json"]
print("collecting before main:", gc.isenabled(), file=sys.stderr)
try:
    cli.main()
finally:
    print("frozen at exit:", gc.get_freeze_count() > 0, gc.isenabled(), file=sys.stderr)
"""


def test_start_up_runs_without_the_collector_and_the_command_with_it() -> None:
    # Collecting over start-up's imports, and again at shutdown, cost a one-file review about a third
    # of its wall time; a batch command must still collect while it works.
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE, str(ROOT / "corpus" / "caddow_ford_ks_2006.pdf")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["findings"]  # the review itself ran and printed its JSON
    lines = [line for line in done.stderr.splitlines() if line.startswith(("collecting", "frozen"))]
    assert lines == [
        "collecting before main: True",
        "collecting while the command module is built: False",
        "collecting during the command: True",
        "frozen at exit: True True",
    ]
