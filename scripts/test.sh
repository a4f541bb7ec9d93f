#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs, then lint, types and tests.
# Services (Redis, the nx-27017 MongoDB-wire server, loopback HTTP servers) are started by the test session.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-test-services
.venv/bin/ruff check twin_crawler tests benchmarks
.venv/bin/mypy twin_crawler
# Three workers on this 2-core machine, a test file per worker at a time: each worker starts its own services on free
# ports. Many tests wait on other processes (an outage's 30 s, worker shutdowns, scrapyd), so a third worker fills
# the idle core: 945 tests took 200 and 213 s with -n 2, 175 and 182 s with -n 3, alternated (issue 13, step 6).
# --no-loadscope-reorder keeps the collection order, where conftest puts the longest files first (xdist's default
# hands out the files with most tests first, which left the 46 s outage file for last): 150 -> 122 s.
exec .venv/bin/python -m pytest -n 3 --dist loadfile --no-loadscope-reorder "$@"
