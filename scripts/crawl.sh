#!/usr/bin/env bash
# Installs twin-crawler into ./.venv and runs the main job on the embedded warehouse (./data/twin.db).
# With no arguments it crawls the example author config; otherwise the arguments go to `scrapy crawl`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then
  set -- twin -a config=configs/paul_iusztin.yaml -O data/paul_iusztin.jsonl
fi
mkdir -p data
exec .venv/bin/scrapy crawl "$@"
