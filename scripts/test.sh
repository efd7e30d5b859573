#!/bin/sh
# The whole check, as CI runs it: lint, format, types, then the test suite.
set -e
cd "$(dirname "$0")/.."
ruff check src tests scripts benchmarks
ruff format --check src tests scripts benchmarks
mypy
python -m pytest tests "$@"
