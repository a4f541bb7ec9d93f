"""Regenerate the text convention's golden files (tests/fixtures/**/<fixture>.golden.{md,json}).

    .venv/bin/python scripts/regen_golden.py            # every case
    .venv/bin/python scripts/regen_golden.py medium/    # the cases whose name starts with this

Run it after a reviewed change to a parser, then read the diff (``git diff tests/fixtures``) before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "helpers"))

from golden_cases import CASES, write_golden  # noqa: E402


def main(prefixes: list[str]) -> int:
    chosen = [c for c in CASES if not prefixes or c.startswith(tuple(prefixes))]
    if not chosen:
        print(f"error: no golden case starts with {' or '.join(prefixes)}", file=sys.stderr)
        return 2
    for case in chosen:
        write_golden(case)
        print(f"wrote {case}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
