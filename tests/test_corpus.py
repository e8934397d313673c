"""The cleanup on real articles: the samples, and the shared corpus when it is present.

Judged by markdown-it-py, an independent CommonMark reader.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, all_articles
from judge import MD, blocks, body, inline_text
from stage_fixtures import read_cases

from pipeline.rendering import render
from pipeline.textkeep import significant
from pipeline.writers.markdown import MarkdownWriter, render_document

ARTICLES = all_articles()
SWIPE = (
    "左滑查看更多",
    "向左滑动查看",
    "滑动查看更多",
    "左右滑动查看",
    "向右滑动，查看更多",
    "上下滑动查看",
    "左滑更多",
    "继续滑动看下一个",
    "向上滑动看下一个",
)


@pytest.fixture(scope="module")
def cleaned(pipeline):
    cache: dict[Path, tuple] = {}

    def get(path: Path):
        if path not in cache:
            result = render(pipeline, [MarkdownWriter()], path, path.stem)
            cache[path] = (result, result.outputs[f"{path.stem}.md"].decode("utf-8"))
        return cache[path]

    return get


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_no_debris_left(path, cleaned):
    _result, out = cleaned(path)
    text = body(out)
    assert not re.search(r"\]\(\s*data:image/(?:svg|gif)", text), "a data-URI placeholder is left"
    levels = []
    for kind, level, plain, kids in blocks(out):
        if kind == "heading":
            assert plain.strip(), "empty heading"
            assert not (
                kids
                and kids[0].type in ("strong_open", "em_open")
                and kids[-1].type in ("strong_close", "em_close")
            ), f"emphasis-wrapped heading {plain!r}"
            assert level >= 2, f"a body heading at level 1: {plain!r}"
            levels.append(level)
        else:
            stripped = plain.strip()
            assert not (len(stripped) <= 30 and any(h in stripped for h in SWIPE)), (
                f"swipe hint left: {stripped!r}"
            )
    previous = 1
    for level in levels:
        assert level <= previous + 1, f"skipped heading level: {previous} -> {level}"
        previous = level


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_no_stray_emphasis_markers(path, cleaned):
    """Every '**' a reader sees as text was written escaped on purpose (content such
    as 'flag{***}'): no broken bold marker is left."""
    _result, out = cleaned(path)
    src = body(out)
    seen = sum(plain.count("**") for _k, _l, plain, _kids in blocks(out))
    in_code = sum(
        child.content.count("**")
        for tok in MD.parse(src)
        if tok.type == "inline"
        for child in tok.children or []
        if child.type == "code_inline"
    )
    escaped = src.count("\\*\\*")
    assert seen <= escaped + in_code, "a literal '**' shows as text: broken emphasis left"


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_text_kept(path, cleaned):
    result, _out = cleaned(path)
    assert result.kept >= 0.999, f"{100 * (1 - result.kept):.2f}% of the text lost: {result.missing!r}"
    assert not [w for w in result.doc.warnings if w.startswith("text lost")]


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_clean_is_idempotent(path, cleaned, pipeline):
    _result, out = cleaned(path)
    again = render_document(pipeline.process(path, out.encode("utf-8")))
    assert again == out


def test_seed_outline():
    """The seed article's headings, below the title, as the product owner listed them."""
    from conftest import SAMPLES

    from pipeline.runner import Pipeline

    expected = []
    for line in (Path(__file__).parent / "fixtures" / "xiaomi-outline.txt").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            level, text = line.split("\t", 1)
            expected.append((int(level), text))
    out = render_document(Pipeline().process(SAMPLES / "xiaomi-courage-2024.md"))
    got = [(level, plain.strip()) for kind, level, plain, _ in blocks(out) if kind == "heading"]
    assert len(got) == len(expected)
    for (glevel, gtext), (level, text) in zip(got, expected, strict=False):
        assert glevel == level
        assert significant(gtext).startswith(significant(text)), (gtext, text)


# --- The outline keeps its shape -------------------------------------------------
#
# Each heading relates to the one before it: deeper, same level, or shallower. The
# cleanup keeps that relation, except where the input's outline is itself broken
# (several H1s, a skipped level, numbered siblings on different levels) and a change
# record says what was repaired. Computed here from markdown-it-py's reading of the
# input and the output, not from the stages' own code.

_WORD = re.compile(r"[^\W_]")
#: heading changes that name the breakage they repair in an outline that has no skip
#: and at most one H1: numbered siblings on different levels, a heading (a closing
#: "# Reference") above the level the outline starts at
NAMED_REPAIRS = {"numbered_family", "outline_top"}
#: a heading may stop being one only as named debris (or as the title); only a line
#: over a ``---`` underline can turn out to be a paragraph after all
HEADING_TO_TEXT = {"subtitle_heading", "duplicate_title", "title_from_heading"}
SETEXT_TO_TEXT = HEADING_TO_TEXT | {"prose_heading"}


def words(text: str) -> str:
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", text))).lower()


def outline(markdown: str) -> list[tuple[int, str, bool]]:
    """(level, words, underlined) of each heading of the body, as markdown-it-py reads it."""
    toks = MD.parse(body(markdown))
    heads = [
        (int(t.tag[1]), words(inline_text(toks[i + 1])), not t.markup.startswith("#"))
        for i, t in enumerate(toks)
        if t.type == "heading_open"
    ]
    return [h for h in heads if h[1]]


def well_formed(levels: list[int]) -> bool:
    """At most one H1, and no heading more than one level below the one before it."""
    return levels.count(1) <= 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels))


def _sign(d: int) -> int:
    return (d > 0) - (d < 0)


def compare_outlines(src: list[tuple[int, str]], dst: list[tuple[int, str]], title: str):
    """Match input headings to output headings in order (a merged section number may
    add words), then list the headings lost and the changed relations ("flips")."""
    matched, lost, j = [], [], 0
    for level, text, underlined in src:
        k = next(
            (i for i in range(j, len(dst)) if dst[i][1] == text or (len(text) >= 2 and text in dst[i][1])),
            None,
        )
        if k is None:
            if text != title:
                lost.append((text, underlined))
            continue
        matched.append((level, dst[k][0], text))
        j = k + 1
    flips = [(a[2], b[2]) for a, b in itertools.pairwise(matched) if _sign(b[0] - a[0]) != _sign(b[1] - a[1])]
    return lost, flips


def explained(heading: str, changes, kinds=None) -> bool:
    """A change record names this heading (by its words)."""
    return any(
        (kinds is None or c.kind in kinds) and heading in words(c.before + " " + c.after) for c in changes
    )


def _front_title(markdown: str) -> str:
    m = re.match(r"---\n(.*?\n)---\n", markdown, re.S)
    meta = yaml.safe_load(m.group(1)) if m else None
    return words(str(meta.get("title", ""))) if isinstance(meta, dict) else ""


def shape_problems(source: str, out: str, changes) -> list[str]:
    """What changed in the outline's shape that the change records do not explain."""
    src = outline(source)
    lost, flips = compare_outlines(src, outline(out), _front_title(out))
    if well_formed([level for level, _, _ in src]):
        # Only numbering, or a heading with no parent, may change a relation; only
        # named debris stops being a heading.
        bad = [f for f in flips if not any(explained(h, changes, NAMED_REPAIRS) for h in f)]
        gone = [
            h
            for h, underlined in lost
            if not explained(h, changes, SETEXT_TO_TEXT if underlined else HEADING_TO_TEXT)
        ]
        return [f"relation changed: {a} -> {b}" for a, b in bad] + [f"heading lost: {h}" for h in gone]
    bad = [f for f in flips if not any(explained(h, changes) for h in f)]
    return [f"relation changed with no change record: {a} -> {b}" for a, b in bad]


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_outline_shape_kept(path, cleaned):
    result, out = cleaned(path)
    source = path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    assert not shape_problems(source, out, result.doc.changes)


OUTLINE_CASES = read_cases(FIXTURES / "outlines.md")


def _outline_lines(markdown: str) -> list[str]:
    m = re.match(r"---\n(.*?\n)---\n", markdown, re.S)
    meta = yaml.safe_load(m.group(1)) if m else None
    title = meta.get("title") if isinstance(meta, dict) else None
    heads = [
        "#" * level + " " + plain.strip() for kind, level, plain, _ in blocks(markdown) if kind == "heading"
    ]
    return ([f"title: {title}"] if title else []) + heads


@pytest.mark.parametrize("case", OUTLINE_CASES, ids=lambda c: f"{c.line}:{c.title[:40]}")
def test_outline_cases(case, pipeline):
    """The whole cleanup on outlines met in real articles: the title and the headings."""
    from pipeline.writers.markdown import render_document

    doc = pipeline.process(Path("case.md"), case.source.encode("utf-8"))
    out = render_document(doc)
    assert _outline_lines(out) == case.expected.strip().split("\n")
    assert not shape_problems(case.source, out, doc.changes)
