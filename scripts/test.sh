#!/usr/bin/env bash
# Install what the tests need into .venv (first run), then lint, type-check and run the suite.
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/domain -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
.venv/bin/ruff check src tests scripts
.venv/bin/ruff format --check src tests scripts
.venv/bin/mypy
.venv/bin/python -m pytest -n auto "$@"
