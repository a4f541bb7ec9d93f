#!/usr/bin/env bash
# Installs everything twin-crawler and its tests need into ./.venv (and the Debian packages the tests use).
# Idempotent: safe to run again; both README commands call it.
set -euo pipefail
cd "$(dirname "$0")/.."
want_system="${1:-}"

if [ "$want_system" = "--with-test-services" ]; then
  missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v git >/dev/null 2>&1 || missing+=(git)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
extras="browser,distributed,scheduled,export"
[ "$want_system" = "--with-test-services" ] && extras="$extras,dev"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
