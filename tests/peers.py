"""Other Markdown implementations' test suites, and the reader that judges them.

The suites are copied into tests/fixtures/peers/ (see the SOURCE note there):
cmark-gfm's ``test/*.txt`` (spec examples tagged with the extensions they need),
markdown-it-py's fixture files and mdformat's style fixtures. Each example is
judged by markdown-it-py configured as that suite's own tests configure it:

- cmark-gfm: ``spec_tests.py`` enables the extensions an example is tagged with
  (``example table``, ``example autolink``...); ``extensions.txt`` runs with
  ``--extensions "table strikethrough autolink tagfilter footnotes tasklist"``;
  ``smart_punct.txt`` with ``--smart``; ``regression.txt`` with its tags only.
  Examples tagged ``disabled`` are not run there, nor here. GFM's autolink
  extension is markdown-it's linkify; tagfilter changes no Markdown reading and
  has no markdown-it counterpart.
- markdown-it-py: ``tests/test_port/test_fixtures.py`` (one configuration per file).
- mdformat: CommonMark, as ``mdformat.text`` parses without extensions.

"Renders the same" means: the judge's HTML of two texts is equal once runs of
whitespace are collapsed (as mdformat's own equality check does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt

PEERS = Path(__file__).parent / "fixtures" / "peers"
_SPEC_EXAMPLE = re.compile(r"^`{32} example([^\n]*)\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)


@dataclass(frozen=True)
class Example:
    suite: str  # e.g. "cmark-gfm/spec.txt"
    number: int  # 1-based, within the suite
    line: int  # where the example starts in its file
    title: str
    source: str
    expected: str  # the HTML (or, for mdformat, the Markdown) the suite expects
    judge: str  # a key of JUDGES


def _gfm_extensions(tags: list[str]) -> str:
    wanted = [t for t in ("table", "strikethrough", "autolink", "footnotes", "tasklist") if t in tags]
    return "commonmark" + "".join("+" + t for t in wanted)


# markdown-it-py's own fixture tests: file -> configuration
MARKDOWN_IT_PY = {
    "alerts.md": "gfm-like2",
    "commonmark_extras.md": "commonmark",
    "disable_code_block.md": "commonmark+table-code",
    "fatal.md": "commonmark+typographer",
    "issue-fixes.md": "commonmark",
    "linkify.md": "commonmark+linkify",
    "normalize.md": "commonmark",
    "proto.md": "commonmark",
    "punycode.md": "commonmark+linkify",
    "smartquotes.md": "commonmark+smartquotes",
    "strikethrough.md": "commonmark+strikethrough",
    "strikethrough_single_tilde.md": "gfm-like2",
    "tables.md": "commonmark+table",
    "tasklists.md": "gfm-like2",
    "typographer.md": "commonmark+typographer",
    "xss.md": "commonmark",
}
MDFORMAT = {"default_style.md": "commonmark", "consecutive_numbering.md": "commonmark"}
CMARK_GFM = ("spec.txt", "extensions.txt", "regression.txt", "smart_punct.txt")


@cache
def judge(config: str) -> MarkdownIt:
    """markdown-it-py configured by a key such as ``commonmark+table+footnotes``."""
    preset, *parts = config.split("+")
    md = MarkdownIt(preset)
    for part in parts:
        if part == "table-code":
            md.enable("table").disable("code")
        elif part == "table":
            md.enable("table")
        elif part == "strikethrough":
            md.enable("strikethrough")
        elif part in ("autolink", "linkify"):
            md.enable("linkify")
            md.options["linkify"] = True
        elif part == "footnotes":
            from mdit_py_plugins.footnote import footnote_plugin

            md.use(footnote_plugin)
        elif part == "tasklist":
            md.options["tasklists"] = True
        elif part == "typographer":
            md.enable("replacements")
            md.options["typographer"] = True
        elif part in ("smartquotes", "smart"):  # "smart" is cmark's --smart: quotes, dashes, ellipses
            md.enable(["replacements", "smartquotes"])
            md.options["typographer"] = True
        else:
            raise ValueError(f"unknown judge part {part!r}")
    return md


def normalized(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


def renders_same(config: str, a: str, b: str) -> bool:
    md = judge(config)
    return normalized(md.render(a)) == normalized(md.render(b))


def _fixture_file(path: Path, suite: str, config: str) -> list[Example]:
    from markdown_it.utils import read_fixture_file

    return [
        Example(suite, n, line + 1, title, source, expected, config)
        for n, (line, title, source, expected) in enumerate(read_fixture_file(path), 1)
    ]


def _spec_file(path: Path, suite: str, extra: str = "") -> list[Example]:
    text = path.read_text("utf-8")
    out = []
    for m in _SPEC_EXAMPLE.finditer(text):
        tags = m.group(1).split()
        if "disabled" in tags:
            continue
        if suite.endswith("extensions.txt"):
            tags = ["table", "strikethrough", "autolink", "footnotes", "tasklist"]
        config = _gfm_extensions(tags) + extra
        line = text.count("\n", 0, m.start()) + 1
        out.append(
            Example(
                suite,
                len(out) + 1,
                line,
                " ".join(tags),
                m.group(2).replace("→", "\t"),
                m.group(3).replace("→", "\t"),
                config,
            )
        )
    return out


def suites() -> dict[str, list[Example]]:
    """Every suite's examples, by ``folder/file`` name, in a fixed order."""
    found: dict[str, list[Example]] = {}
    for name in CMARK_GFM:
        suite = f"cmark-gfm/{name}"
        found[suite] = _spec_file(PEERS / suite, suite, "+smart" if name == "smart_punct.txt" else "")
    for name, config in sorted(MARKDOWN_IT_PY.items()):
        suite = f"markdown-it-py/{name}"
        found[suite] = _fixture_file(PEERS / suite, suite, config)
    for name, config in MDFORMAT.items():
        suite = f"mdformat/{name}"
        found[suite] = _fixture_file(PEERS / suite, suite, config)
    return found


def mdformat_text(source: str) -> str | None:
    """mdformat 1.0 with its GFM plugin; None where it raises."""
    import mdformat

    try:
        return mdformat.text(source, extensions={"gfm"})
    except Exception:  # a crash is a failure to keep the example
        return None


@dataclass
class Result:
    example: Example
    output: str
    second: str
    same: bool  # the writer's output renders as the example does
    mdformat_same: bool
    seconds: float  # parse + write, both passes
    kept: int = 0  # blocks written as their source lines (first pass)

    @property
    def stable(self) -> bool:
        return self.second == self.output


def writer_only():
    """The pipeline with every stage off: parse, tree, Markdown writer."""
    from pipeline.config import Config
    from pipeline.runner import Pipeline
    from pipeline.stage import available_stages

    return Pipeline(Config(disabled=set(available_stages())))


def rewrite(pipeline, source: str, kept: list[int] | None = None) -> str:
    from pipeline.writers.markdown import render_document

    return render_document(pipeline.process(Path("example.md"), source.encode("utf-8")), kept=kept)


def measure(examples: list[Example], pipeline=None) -> list[Result]:
    import time

    pipeline = pipeline or writer_only()
    results = []
    for ex in examples:
        started = time.perf_counter()
        kept: list[int] = []
        out = rewrite(pipeline, ex.source, kept)
        second = rewrite(pipeline, out)
        seconds = time.perf_counter() - started
        theirs = mdformat_text(ex.source)
        results.append(
            Result(
                ex,
                out,
                second,
                renders_same(ex.judge, ex.source, out),
                theirs is not None and renders_same(ex.judge, ex.source, theirs),
                seconds,
                len(kept),
            )
        )
    return results


def table(by_suite: dict[str, list[Result]]) -> str:
    lines = [
        f"{'suite':45} {'examples':>8} {'galley':>7} {'mdformat':>8} {'unstable':>8} {'verbatim':>8} "
        f"{'slowest s':>9}"
    ]
    for suite, results in by_suite.items():
        lines.append(
            f"{suite:45} {len(results):8} {sum(r.same for r in results):7} "
            f"{sum(r.mdformat_same for r in results):8} {sum(not r.stable for r in results):8} "
            f"{sum(r.kept for r in results):8} {max((r.seconds for r in results), default=0):9.3f}"
        )
    return "\n".join(lines)


# -- the whole cleanup on examples with no debris ------------------------------------

#: what scraping leaves that a reader sees in the rendered text: a literal ``**`` or a
#: free-standing ``__``, invisible or no-break spaces, ideographic indents
_VISIBLE_DEBRIS = re.compile(
    r"\*\*|(?<![\w/?&=.])__(?!\w)|[\u00a0\u200b\u200c\u200d\u2060\ufeff\u00ad]"
    r"|\u3000"
)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)


def visible_debris(example: Example) -> bool:
    """Debris a reader of the example sees (outside code), by the judge's rendering."""
    html = re.sub(r"<(pre|code)>.*?</\1>", " ", judge(example.judge).render(example.source), flags=re.S)
    return bool(_VISIBLE_DEBRIS.search(re.sub(r"<[^>]+>", "", html)))


def _plain(html: str) -> str:
    import html as _html

    return " ".join(_html.unescape(re.sub(r"<[^>]+>", "", html)).split())


def _same_but_outline_start(a: str, b: str, title: str | None) -> bool:
    """``a`` (the example) and ``b`` (the output) differ only where the cleanup puts the
    title and the outline under it: the H1 that became the title is in the metadata,
    and every heading moved by the same number of levels."""
    if title:
        dropped = [False]

        def drop(m: re.Match[str]) -> str:
            if m.group(1) == "1" and not dropped[0] and _plain(m.group(2)) == " ".join(title.split()):
                dropped[0] = True
                return ""
            return m.group(0)

        a = normalized(_HEADING.sub(drop, a))
    levels_a = [int(m.group(1)) for m in _HEADING.finditer(a)]
    levels_b = [int(m.group(1)) for m in _HEADING.finditer(b)]
    if len(levels_a) != len(levels_b) or len({y - x for x, y in zip(levels_a, levels_b, strict=True)}) > 1:
        return False
    bare = lambda h: normalized(_HEADING.sub(lambda m: f"<h>{m.group(2)}</h>", h))
    return bare(a) == bare(b)


#: records that only add metadata (the body is as it was)
METADATA_ONLY = frozenset({"language/lang_detected", "title_heading/title_from_filename"})


@dataclass
class Cleaned:
    example: Example
    output: str
    debris: str  # why the example counts as holding debris ("" when it does not)
    same: bool  # renders as the example does
    moved: bool  # differs only by the title and the outline's start (see above)
    reported: list[str]  # how the report accounts for a difference


def cleanup(examples: list[Example], pipeline=None) -> list[Cleaned]:
    """The default cleanup (every stage as configured by default) on each example."""
    from pipeline.runner import Pipeline
    from pipeline.writers.markdown import render_document

    pipeline = pipeline or Pipeline()
    removes = {s.name: s.removes for s in pipeline.stages}
    declared = {s.name: s.removes | s.restructures for s in pipeline.stages}
    results = []
    for ex in examples:
        doc = pipeline.process(Path("example.md"), ex.source.encode("utf-8"))
        out = render_document(doc)
        removed = sorted({f"{c.stage}/{c.kind}" for c in doc.changes if c.kind in removes.get(c.stage, ())})
        why = "visible debris" if visible_debris(ex) else ", ".join(removed)
        md = judge(ex.judge)
        a = normalized(md.render(ex.source))
        b = normalized(md.render(_FRONT_MATTER.sub("", out, count=1)))
        same = a == b
        moved = not same and _same_but_outline_start(a, b, doc.meta.title)
        reported = [w for w in doc.warnings if w.startswith("structure changed")] + sorted(
            {
                f"{c.stage}/{c.kind}"
                for c in doc.changes
                if c.kind in declared.get(c.stage, ()) or f"{c.stage}/{c.kind}" not in METADATA_ONLY
            }
        )
        results.append(Cleaned(ex, out, why, same, moved, reported))
    return results


# python tests/peers.py [SUITE-SUBSTRING] [-v]: the table, and with -v what differs
if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    args = [a for a in sys.argv[1:] if a != "-v"]
    chosen = {name: exs for name, exs in suites().items() if not args or any(a in name for a in args)}
    measured = {name: measure(exs) for name, exs in chosen.items()}
    print(table(measured))
    if "-v" in sys.argv:
        for name, results in measured.items():
            for r in results:
                if r.same and r.stable and not r.kept:
                    continue
                what = (
                    "differs" if not r.same else "unstable" if not r.stable else f"{r.kept} block(s) verbatim"
                )
                print(
                    f"\n--- {name} line {r.example.line} ({what}, judge {r.example.judge}, "
                    f"mdformat {'same' if r.mdformat_same else 'differs'})\n{r.example.source}"
                    f"--- galley:\n{r.output}"
                )
                if not r.stable:
                    print(f"--- second pass:\n{r.second}")
