"""Run the benchmarks and write benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks            # full run (~15 min on 2 cores)
    .venv/bin/python -m benchmarks --quick    # small corpus, one or two repetitions (~3 min)
    .venv/bin/python -m benchmarks --only 1,2 # a subset (numbers of issue 7; 7 is issue 11's; 8-12 issue 14's)
    .venv/bin/python -m benchmarks.convention # measurement 7 alone, printed (no corpus, no services; ~10 s)
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import convention, suite_crawl, suite_more, suite_pool
from .corpus import build, fixture_model
from .report import Section, machine_facts, write
from .server import corpus_site
from .services import Nx


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run (the full plan is sized for ~15 min on a quiet 2-core machine)."""

    pages: int
    reps: int  # crawl repetitions (bare, embedded); nx-27017 crawls get one fewer (at least 1)
    extraction_reps: int  # passes over every body (each pass times both extractors on every page)
    warehouse_items: int
    scaleout_reps: int
    repo_files: int
    frontier: tuple[int, int]  # sitemaps x URLs each
    frontier_pages: int
    frontier_compare: bool  # also run the frontier crawl without JOBDIR
    profile_pages: int
    convention_reps: int = 10  # passes over the fixture bodies (measurement 7)
    pool_reps: int = 3  # interleaved crawl repetitions of measurements 8-10
    growth: tuple[int, ...] = (0, 20_000, 100_000)  # existing documents (measurement 12)
    growth_batch: int = 2000
    growth_reps: int = 3  # interleaved repetitions of measurement 12


FULL = Plan(pages=2000, reps=3, extraction_reps=2, warehouse_items=20_000, scaleout_reps=2, repo_files=2000,
            frontier=(50, 2000), frontier_pages=1000, frontier_compare=False, profile_pages=200)
QUICK = Plan(pages=120, reps=2, extraction_reps=2, warehouse_items=1000, scaleout_reps=1, repo_files=200,
             frontier=(5, 400), frontier_pages=200, frontier_compare=True, profile_pages=60,
             convention_reps=3, pool_reps=1, growth=(0, 2000, 10_000), growth_batch=500, growth_reps=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, fewer repetitions")
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9,10,11,12", help="comma-separated measurement numbers")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "RESULTS.md")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    only = {int(x) for x in args.only.split(",") if x.strip()}
    facts = machine_facts()
    work = Path(tempfile.mkdtemp(prefix="twin-bench-"))
    sections: list[Section] = []
    started = time.perf_counter()
    try:
        corpus = build(plan.pages)
        print(f"corpus: {len(corpus.pages)} pages, {corpus.total_bytes() / 1e6:.0f} MB", flush=True)
        with corpus_site(corpus) as site, Nx(work / "nx") as nx:
            extraction = suite_crawl.run_extraction(corpus, site.origin, plan.extraction_reps) if 2 in only else []
            pooled: dict[int, Section] = {}

            def pool_step(number: int) -> Section:  # 8, 9 and 10 come from one set of interleaved crawls
                if not pooled:
                    pooled.update(zip((8, 9, 10), suite_pool.pool(corpus, site, nx, plan.pool_reps, work), strict=True))
                return pooled[number]

            steps = [
                (1, lambda: suite_crawl.throughput(corpus, site, nx, plan.reps, work, plan.profile_pages)),
                (2, lambda: suite_crawl.extraction_cost(extraction)),
                (3, lambda: suite_more.scale_out(corpus, site, nx, work, plan.scaleout_reps)),
                (4, lambda: suite_more.warehouse_writes(nx, plan.warehouse_items, plan.reps)),
                (5, lambda: suite_more.github_ingest(work / "gh", plan.reps, plan.repo_files)),
                (6, lambda: suite_more.frontier_memory(fixture_model(), work, *plan.frontier, plan.frontier_pages,
                                                          plan.frontier_compare)),
                (7, lambda: convention.measure(plan.convention_reps)),
                (8, lambda: pool_step(8)),
                (9, lambda: pool_step(9)),
                (10, lambda: pool_step(10)),
                (11, lambda: suite_pool.identical(corpus, site.origin)),
                (12, lambda: suite_pool.upsert_growth(nx, work, plan.growth, plan.growth_batch, plan.growth_reps)),
            ]
            for number, step in steps:
                if number in only:
                    t = time.perf_counter()
                    sections.append(_guarded(number, step))
                    print(f"measurement {number}: {time.perf_counter() - t:.0f} s — {sections[-1].verdict}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mode = f"{'quick' if args.quick else 'full'} mode, {time.perf_counter() - started:.0f} s"
    command = "python -m benchmarks" + (" --quick" if args.quick else "") + ("" if only == set(range(1, 13)) else f" --only {args.only}")
    write(args.out, command, facts, sections, mode)
    print(f"wrote {args.out}")


def _guarded(number: int, step: object) -> Section:
    """A measurement that fails is reported as such; the others still run."""
    try:
        return step()  # type: ignore[operator, no-any-return]
    except Exception as exc:  # noqa: BLE001 - the report must say what failed and why
        section = Section(f"{number}. (failed)", [])
        section.verdict = f"NOT MEASURED: {type(exc).__name__}: {str(exc)[:1500]}"
        return section


if __name__ == "__main__":
    main()
