#!/usr/bin/env bash
# Debian packages the tests drive for real: sshd and ssh (SSH sessions), tmux (a real terminal),
# sudo (the shared-server deployment), sqlite3 (an agent tries to open the database with it),
# poppler-utils (pdftotext/pdftoppm read the letters back), fonts-dejavu-core (the letters' font),
# openssl (certificates for the SMTP server over TLS).
# Installed only when missing, as root, with apt-get; otherwise the tests that need them are
# skipped and say why.
set -euo pipefail
packages=(openssh-server openssh-client tmux sudo sqlite3 poppler-utils openssl)
commands=(sshd ssh tmux sudo sqlite3 pdftotext openssl)
missing=()
for i in "${!commands[@]}"; do
    if ! command -v "${commands[$i]}" >/dev/null 2>&1 && [ ! -x "/usr/sbin/${commands[$i]}" ]; then
        missing+=("${packages[$i]}")
    fi
done
# The letters' font (Typst falls back to its own embedded fonts without it).
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    missing+=(fonts-dejavu-core)
fi
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "system-packages: missing ${missing[*]} (needs root and apt-get); the tests using them will be skipped" >&2
    exit 0
fi
echo "system-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
