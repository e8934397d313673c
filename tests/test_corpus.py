"""The cleanup on real articles: the samples, and the shared corpus when it is present.

Judged by markdown-it-py, an independent CommonMark reader.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import all_articles
from judge import MD, blocks, body
from pipeline.convert import render
from pipeline.textkeep import significant
from pipeline.writers.markdown import MarkdownWriter, render_document

ARTICLES = all_articles()
SWIPE = ("左滑查看更多", "向左滑动查看", "滑动查看更多", "左右滑动查看", "向右滑动，查看更多", "上下滑动查看",
         "左滑更多", "继续滑动看下一个", "向上滑动看下一个")


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
            assert not (kids and kids[0].type in ("strong_open", "em_open")
                        and kids[-1].type in ("strong_close", "em_close")), f"emphasis-wrapped heading {plain!r}"
            assert level >= 2, f"a body heading at level 1: {plain!r}"
            levels.append(level)
        else:
            stripped = plain.strip()
            assert not (len(stripped) <= 30 and any(h in stripped for h in SWIPE)), f"swipe hint left: {stripped!r}"
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
    in_code = sum(child.content.count("**") for tok in MD.parse(src) if tok.type == "inline"
                  for child in tok.children or [] if child.type == "code_inline")
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
    for (glevel, gtext), (level, text) in zip(got, expected):
        assert glevel == level
        assert significant(gtext).startswith(significant(text)), (gtext, text)
