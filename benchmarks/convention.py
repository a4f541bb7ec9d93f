"""Measurement 7 (issue 11): the one text convention versus the converters it replaced, on the same bodies.

Bodies are the recorded fixtures of tests/fixtures (Substack ``body_html``, Medium Apollo paragraphs and ``pw-*``
DOM sections, LinkedIn Pulse bodies, whole blog pages for the generic path). Each body is converted by the old
converter (benchmarks/baseline, copied from before issue 11), by the new one, and — for the choice the issue asks
about — by trafilatura's own markdown on the same body; interleaved per repetition, timed with process CPU.

``python -m benchmarks.convention --writer [ROUNDS]`` times ``convert`` itself against its first build
(BeautifulSoup + markdownify, kept as the tests' reference in tests/helpers/markdown_reference.py; dev extra) on
every body the page objects convert from the fixtures and on 200 corpus pages: old and new alternate per body, the
order flipping every body and round, process CPU per call.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from trafilatura import extract, extract_with_metadata

from twin_crawler.pages import medium_apollo, medium_text
from twin_crawler.pages.article_text import extract_main
from twin_crawler.pages.html import parse_html
from twin_crawler.pages.linkedin_pulse import BODY_SELECTORS, body_markdown
from twin_crawler.pages.markdown import convert
from twin_crawler.pages.substack_page import preloads
from twin_crawler.pages.substack_text import body_to_markdown

from .baseline import medium_apollo as old_apollo
from .baseline import medium_markdown as old_medium
from .baseline import substack_markdown as old_substack
from .report import Section

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
URL_CHARS = re.compile(r"\]\([^)]*\)|https?://[^\s)\]>]+")
LANG_FENCE = re.compile(r"(?m)^```[A-Za-z]")
QUOTE = re.compile(r"(?m)^> ")
Variant = Callable[[], str]


def _traf(html: str) -> str:
    """trafilatura's markdown of an isolated body (how the old Pulse path used it)."""
    doc = lxml.html.document_fromstring(f"<html><body><article>{html}</article></body></html>")
    return extract(doc, output_format="markdown", include_comments=False, include_tables=True, include_images=False,
                   include_formatting=True, include_links=False, favor_recall=True, deduplicate=False) or ""


def _substack() -> list[tuple[Variant, Variant, Variant]]:
    bodies = [json.loads((FIX / "substack" / n).read_text())["post"]["body_html"] if "by-id" in n else
              json.loads((FIX / "substack" / n).read_text())["body_html"]
              for n in ("api_v1_posts_by-id_167180194.json", "synthetic_post_chunking-for-rag.json",
                        "synthetic_post_widgets.json")]
    page = preloads((FIX / "substack" / "metascraper_substack-custom-domain-post.html").read_text()) or {}
    bodies.append(page["post"]["body_html"])
    return [(lambda b=b: old_substack.body_to_markdown(b), lambda b=b: body_to_markdown(b, "https://x.example/p/a").markdown,
             lambda b=b: _traf(b)) for b in bodies]


def _medium() -> list[tuple[Variant, Variant, Variant]]:
    out: list[tuple[Variant, Variant, Variant]] = []
    for name in ("metascraper_medium-webpack-3-release.html", "readability_medium-3_source.html"):
        html = (FIX / "medium" / name).read_text()
        state = medium_apollo.apollo_state(html) or {}
        post = next(v for k, v in state.items() if k.startswith("Post:") and medium_apollo.paragraphs(state, v))
        paras = medium_apollo.paragraphs(state, post)
        out.append((lambda s=state, p=paras: old_apollo.paragraphs_to_markdown(s, p),
                    lambda s=state, p=paras: convert(medium_apollo.paragraphs_to_html(s, p), "", medium_text.APOLLO).markdown,
                    lambda s=state, p=paras: _traf(medium_apollo.paragraphs_to_html(s, p))))
    for name in ("postlight_medium.com.html", "postlight_medium.com--another.html"):
        tree = parse_html((FIX / "medium" / name).read_bytes())
        root = max(tree.xpath("//article//section"), key=lambda s: len(s.xpath(".//p")))
        out.append((lambda r=root: old_medium.to_markdown(r, "https://medium.com/p/x", None, loose_text=False),
                    lambda r=root: convert(r, "https://medium.com/p/x", medium_text.DOM).markdown,
                    lambda r=root: _traf(lxml.html.tostring(r, encoding="unicode"))))
    return out


def _pulse() -> list[tuple[Variant, Variant, Variant]]:
    out: list[tuple[Variant, Variant, Variant]] = []
    for name in ("metascraper_linkedin-pulse-2019.html", "postlight_linkedin-pulse.html", "trafilatura_linkedin-pulse-de.html"):
        tree = parse_html((FIX / "linkedin" / name).read_bytes())
        body = next(el for x in BODY_SELECTORS for el in tree.xpath(x))
        html = lxml.html.tostring(body, encoding="unicode")
        out.append((lambda h=html: _traf(h), lambda b=body: body_markdown(b).markdown, lambda h=html: _traf(h)))
    return out


def _old_article(raw: bytes) -> str:
    """The generic path before issue 11: trafilatura's markdown with ``parse_article``'s options then."""
    doc = extract_with_metadata(parse_html(raw), url="https://x.example/a", output_format="markdown",
                                include_comments=False, include_tables=True, include_images=False)
    return doc.text if doc is not None and doc.text else ""


def _new_article(raw: bytes) -> str:
    return extract_main(parse_html(raw), "https://x.example/a")[1].markdown  # links are chosen after, cheaply


def _blogs() -> list[tuple[Variant, Variant, Variant]]:
    pages = [p.read_bytes() for p in sorted((FIX / "blogs").glob("*.html")) if "INDEX" not in p.name]
    # The old path *was* trafilatura's markdown: the third column repeats it.
    return [(lambda r=r: _old_article(r), lambda r=r: _new_article(r), lambda r=r: _old_article(r)) for r in pages]


def _time(fn: Variant) -> tuple[float, str]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def measure(reps: int) -> Section:
    section = Section("7. Text convention: one converter vs the old per-platform converters (same bodies)",
                      ["platform", "bodies", "old ms/body", "new ms/body", "new/old", "trafilatura-md ms/body",
                       "chars old → new", "URL chars old → new", "`![` old → new",
                       "fences with language old / new / trafilatura-md", "quote lines old / new / trafilatura-md"])
    for platform, cases in (("substack", _substack()), ("medium", _medium()), ("linkedin pulse", _pulse()),
                            ("blogs (whole page)", _blogs())):
        totals = [0.0, 0.0, 0.0]
        texts: list[list[str]] = [[], [], []]
        for rep in range(reps):
            for i, variants in enumerate(cases):
                order = (0, 1, 2) if (i + rep) % 2 == 0 else (2, 1, 0)
                for k in order:
                    spent, text = _time(variants[k])
                    totals[k] += spent
                    if rep == 0:
                        texts[k].append(text)
        n = len(cases) * reps
        old_ms, new_ms, traf_ms = (1000 * t / n for t in totals)
        chars = [sum(len(t) for t in side) for side in texts]
        urls = [sum(len(m) for t in side for m in URL_CHARS.findall(t)) for side in texts]
        imgs = [sum(t.count("![") for t in side) for side in texts]
        section.rows.append([platform, str(len(cases)), f"{old_ms:.2f}", f"{new_ms:.2f}", f"{new_ms / old_ms:.2f}x",
                             f"{traf_ms:.2f}", f"{chars[0]} → {chars[1]}",
                             f"{urls[0]} ({100 * urls[0] / max(1, chars[0]):.1f}%) → {urls[1]} "
                             f"({100 * urls[1] / max(1, chars[1]):.1f}%)", f"{imgs[0]} → {imgs[1]}",
                             " / ".join(str(sum(len(LANG_FENCE.findall(t)) for t in side)) for side in texts),
                             " / ".join(str(sum(len(QUOTE.findall(t)) for t in side)) for side in texts)])
    section.verdict = "one converter for every platform; URL characters and image markup gone from Content"
    section.notes = [
        "old = the converter each platform used before issue 11 (benchmarks/baseline; trafilatura's markdown for "
        "Pulse and blogs); new = twin_crawler/pages/markdown.py with the platform's rules; trafilatura-md = "
        "trafilatura's own markdown of the same body, the alternative the convention could have been built on.",
        "Blogs time the whole page (trafilatura's main-content selection dominates both sides).",
        "URL chars count link targets and bare URLs; what is left in new output are URLs the authors typed as text.",
    ]
    return section


def writer_vs_reference(rounds: int = 5, pages: int = 200) -> Section:
    """``convert`` (direct writer) against its BeautifulSoup + markdownify build, same bodies, interleaved."""
    helpers = str(FIX.parent / "helpers")
    if helpers not in sys.path:  # the reference lives with the tests (the old path is kept nowhere else)
        sys.path.insert(0, helpers)
    from convention_inputs import corpus_inputs, fixture_inputs
    from markdown_reference import reference_convert

    section = Section("7b. Text convention: direct writer vs BeautifulSoup + markdownify (same bodies)",
                      ["bodies", "n", "old ms/body", "new ms/body", "new/old", "identical"])
    groups = (("fixtures (every converted body)", fixture_inputs()), (f"corpus ({pages} pages)", corpus_inputs(pages)))
    for name, inputs in groups:
        totals = [0.0, 0.0]
        same = True
        for round_ in range(rounds):
            for i, item in enumerate(inputs):
                sides = [(0, reference_convert), (1, convert)]
                if (i + round_) % 2:
                    sides.reverse()
                outs = []
                for k, fn in sides:
                    start = time.process_time()
                    outs.append(fn(item.body, item.base_url, item.rules))
                    totals[k] += time.process_time() - start
                same = same and outs[0] == outs[1]
        n = len(inputs) * rounds
        section.rows.append([name, str(len(inputs)), f"{1000 * totals[0] / n:.3f}", f"{1000 * totals[1] / n:.3f}",
                             f"{totals[1] / totals[0]:.2f}x", "yes" if same else "NO"])
    section.notes = [f"{rounds} rounds; old = tests/helpers/markdown_reference.py (the convention's first build), "
                     "new = twin_crawler/pages/markdown.py; the tree preparation and tidy run on both sides."]
    return section


def run(reps: int = 10) -> dict[str, Any]:
    """Measurement 7 alone: ``.venv/bin/python -m benchmarks.convention`` prints its table."""
    section = measure(reps)
    print(section.markdown())
    return {"rows": section.rows}


if __name__ == "__main__":
    if "--writer" in sys.argv:
        args = [a for a in sys.argv[1:] if a != "--writer"]
        print(writer_vs_reference(int(args[0]) if args else 5).markdown())
    else:
        run()
