#!/usr/bin/env bash
# Installs twin-crawler into ./.venv and runs the main job on the embedded warehouse (./data/twin.db).
# With no arguments it crawls the example author config; otherwise the arguments go to `scrapy crawl`.
# Then it exports the author's whole corpus (every run, not only this one) to data/<first_last>.jsonl, so a
# rerun that finds nothing new never empties that file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then
  set -- twin -a config=configs/paul_iusztin.yaml
fi
mkdir -p data
status=0
.venv/bin/scrapy crawl "$@" || status=$?
# 2 and 3: the crawl was refused before it started (bad input, warehouse unreachable); nothing to export.
if [ "$status" -ne 2 ] && [ "$status" -ne 3 ]; then
  while IFS=$'\t' read -r author path; do  # one line per author (a multi-author config names several)
    .venv/bin/scrapy twin-export --author "$author" -o "$path" || status=$?
  done < <(.venv/bin/python -m twin_crawler.corpus.after_crawl "$@")
fi
exit "$status"
