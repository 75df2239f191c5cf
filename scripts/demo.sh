#!/usr/bin/env bash
# Install relance-tui into .venv (first run) and open the app on the demo portfolio.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/relance demo "$@"
