#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, then lint, types and tests.
# Services (Redis, the nx-27017 MongoDB-wire server, loopback HTTP servers) are started by the test session.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-services
.venv/bin/ruff check twin_crawler tests benchmarks
.venv/bin/mypy twin_crawler
# Two workers (one per core here), a test file per worker at a time: each worker starts its own services on free
# ports. 886 tests took 440 s in one process, 266 s in two (issue 13, step 6).
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
