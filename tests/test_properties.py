"""Invariants on generated Markdown full of scraping debris: no crash, idempotence,
text kept (hypothesis)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError
from pipeline.rendering import render
from pipeline.runner import Pipeline
from pipeline.writers.markdown import MarkdownWriter, render_document

PIPELINE = Pipeline()
PIECES = [
    "**",
    "*",
    "***",
    "****",
    "_",
    "`",
    "```",
    "\n",
    "\n\n",
    "  \n",
    " ",
    "    ",
    "#",
    "## ",
    "### ",
    "- ",
    "1. ",
    "> ",
    "[",
    "]",
    "(",
    ")",
    "!",
    "![](",
    "](https://e.com/a)",
    "---",
    "|",
    "\\",
    "<b>",
    "</b>",
    "&amp;",
    "&nbsp;",
    "\u00a0",
    "\u200b",
    "\u3000",
    "“",
    "”",
    "「",
    "」",
    "，",
    "。",
    "01",
    "1.1",
    "左滑查看更多 ←",
    "预览时标签不可点",
    "·",
    "●",
    "小米",
    "勇气",
    "造车",
    "Hello",
    "world",
    "x",
    "42",
    "![图片](data:image/svg+xml,%3Csvg width='1px' height='1px'%3E%3C/svg%3E)",
    "[a](javascript:void(0);)",
    "[^1]",
    "[^1]: note\n",
]
markdown = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
SETTINGS = settings(
    derandomize="GALLEY_EXAMPLES" not in os.environ,
    max_examples=int(os.environ.get("GALLEY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def clean(text: str) -> str:
    return render_document(PIPELINE.process(Path("gen.md"), text.encode("utf-8")))


@SETTINGS
@given(markdown)
def test_clean_never_crashes_and_is_idempotent(text):
    once = clean(text)
    assert clean(once) == once


@SETTINGS
@given(markdown)
def test_text_is_kept(text):
    result = render(PIPELINE, [MarkdownWriter()], Path("gen.md"), "gen", text.encode("utf-8"))
    lost = [w for w in result.doc.warnings if w.startswith("text lost")]
    assert not lost, lost


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_converts_or_is_refused_clearly(text):
    try:
        once = clean(text)
    except InputError as exc:  # control characters: "not a text file"
        assert "text file" in str(exc)
        return
    assert clean(once) == once


@SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [
                *PIECES,
                "1) ",
                "~~~",
                "===",
                "<div>",
                "<!--",
                "-->",
                "[a]: /u\n",
                "\t",
                "\v",
                "x|y\n|-|-|\n",
                "h",
                "w",
                "http://a.b",
                "https://a",
                "www.",
                "www.a.b",
                "hhttp://x",
                "wwww.a",
                "a@b.co",
                "*h",
                "(www.a",
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_the_parsers_shortcuts_read_as_mistune_does(text):
    """Two shortcuts through mistune give the same tree as its own way: a paragraph read
    line by line also when it starts with punctuation or a digit, and plain text read on
    past an "h" or a "w" that starts no address."""
    import json

    from mistune.block_parser import BlockParser
    from mistune.inline_parser import InlineParser

    from pipeline.tree import _markdown, parse

    md = _markdown()
    shortcuts = [
        (type(md.block), "_parse_plain_paragraph", BlockParser._parse_plain_paragraph),
        (type(md.inline), "_get_fast_trigger_re", InlineParser._get_fast_trigger_re),
    ]
    ours = json.dumps(parse(text), sort_keys=True, default=str)
    for cls, name, theirs in shortcuts:
        fast = cls.__dict__[name]
        try:
            setattr(cls, name, theirs)
            assert json.dumps(parse(text), sort_keys=True, default=str) == ours, name
        finally:
            setattr(cls, name, fast)
