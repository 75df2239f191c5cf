#!/usr/bin/env bash
# Open relance-tui on the demo portfolio. The first run makes .venv and installs the app in it
# (a minute or two, shown as it goes); later runs install again only when pyproject.toml has
# changed since (its hash is kept in .venv/relance-install.sha256), so the app opens at once.
set -euo pipefail
cd "$(dirname "$0")/.."

english=false
for arg in "$@"; do [ "$arg" = "en" ] && [ "${previous:-}" = "--lang" ] && english=true; previous=$arg; done
case "$*" in *--lang=en*) english=true ;; esac
case "${RELANCE_LANG:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}" in en*) english=true ;; esac
say() { if $english; then echo "$2" >&2; else echo "$1" >&2; fi; }

stamp=.venv/relance-install.sha256
if [ ! -x .venv/bin/python ]; then
    say "relance-tui : création de l'environnement Python dans $PWD/.venv…" \
        "relance-tui: creating the Python environment in $PWD/.venv…"
    "${PYTHON:-python3}" -m venv .venv
fi
wanted=$(.venv/bin/python -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
if [ ! -x .venv/bin/relance ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "relance-tui : installation de l'application et de ses dépendances (une à deux minutes la première fois)…" \
        "relance-tui: installing the application and its dependencies (a minute or two the first time)…"
    set +o pipefail  # pip's status is the one that counts, not grep's
    .venv/bin/python -m pip install --disable-pip-version-check -e . 2>&1 \
        | { grep --line-buffered -E '^(Collecting|Installing|Successfully|ERROR)' >&2 || true; }
    installed=${PIPESTATUS[0]}
    set -o pipefail
    if [ "$installed" -ne 0 ]; then
        say "relance-tui : l'installation a échoué ; relancez : .venv/bin/python -m pip install -e ." \
            "relance-tui: the installation failed; run again: .venv/bin/python -m pip install -e ."
        exit 1
    fi
    echo "$wanted" >"$stamp"
    say "relance-tui : installé. Ouverture de la démonstration…" "relance-tui: installed. Opening the demo…"
fi
exec .venv/bin/relance demo "$@"
