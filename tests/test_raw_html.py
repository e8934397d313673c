"""Active content in the clean Markdown: what the raw_html stage removes, judged by
an independent reading (markdown-it renders the output, html5lib builds the DOM a
browser would), with the stage's records, its rules and its tokenizer's spans."""

from __future__ import annotations

import os
from pathlib import Path

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from judge import MD, body

from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.htmltokens import attribute_spans, tokenize
from pipeline.rendering import render
from pipeline.runner import Pipeline
from pipeline.stage import available_stages
from pipeline.writers.markdown import MarkdownWriter, render_document

ACTIVE_ELEMENTS = {
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "param",
    "form",
    "meta",
    "base",
    "link",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "background",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "longdesc",
    "ping",
}
SETTINGS = settings(
    derandomize="GALLEY_EXAMPLES" not in os.environ,
    max_examples=int(os.environ.get("GALLEY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

HOSTILE = """\
# Notes from the talk

<script src="https://cdn.example/track.js"></script>

The slides are below.

<iframe src="https://player.example/v/1" width="640" allowfullscreen>Watch the recording of the talk.</iframe>

![chart](chart.png) <img src="chart.png" alt="chart" onerror="alert(document.cookie)">

<object data="movie.swf" type="application/x-shockwave-flash"><embed src="movie.swf">Flash fallback: the
talk in twelve slides.</object>

Press <a href="javascript:alert(1)" onclick="steal()">here</a> to <b onmouseover="x()">continue</b>.
"""


def pipeline(*, disable: set[str] = frozenset(), options: dict | None = None) -> Pipeline:
    return Pipeline(Config(disabled=set(disable), stage_options=options or {}, formats=["md"]))


def clean(text: str, pipe: Pipeline | None = None):
    doc = (pipe or pipeline()).process(Path("hostile.md"), text.encode("utf-8"))
    return render_document(doc), doc


def active_content(markdown: str) -> list[str]:
    """What a browser would run or load from the HTML a CommonMark renderer makes of
    ``markdown``: active elements, event handlers, script addresses."""
    html = MD.render(body(markdown))
    root = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    found = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        name = node.tag.rsplit("}", 1)[-1].lower()
        if name in ACTIVE_ELEMENTS:
            found.append(f"<{name}>")
        for attr, value in node.attrib.items():
            attr = attr.rsplit("}", 1)[-1].lower()
            if attr.startswith("on"):
                found.append(f"{name}@{attr}")
            url = "".join(value.split()).lower()
            if attr in URL_ATTRIBUTES | {"href"} and url.startswith(("javascript:", "vbscript:")):
                found.append(f"{name}@{attr}={value[:20]}")
            if (
                attr in URL_ATTRIBUTES
                and url.startswith("data:")
                and not (name in ("img", "source", "video", "audio") and url.startswith("data:image/"))
            ):
                found.append(f"{name}@{attr}=data:")
    return found


# -- the acceptance case -----------------------------------------------------------------------
def test_hostile_file_is_clean_and_every_removal_recorded():
    assert active_content(HOSTILE), "the judge must see the active content of the input"
    out, doc = clean(HOSTILE)
    assert active_content(out) == []
    records = sorted((c.kind, c.line) for c in doc.changes if c.stage == "raw_html")
    assert records == sorted(
        [
            ("script", 3),
            ("frame", 7),
            ("frame", 7),
            ("event_handler", 9),
            ("object_embed", 11),
            ("object_embed", 11),
            ("object_embed", 12),
            ("script_url", 14),
            ("event_handler", 14),
            ("event_handler", 14),
        ]
    )
    # fallback text of frames and objects is the article's; the loader script is not
    for words in (
        "Watch the recording of the talk.",
        "Flash fallback: the",
        "talk in twelve slides.",
        "The slides are below.",
        "continue",
    ):
        assert words in out
    assert "track.js" not in out
    assert not [w for w in doc.warnings if w.startswith("text lost")]
    again, doc2 = clean(out)
    assert again == out and not [c for c in doc2.changes if c.stage == "raw_html"]


def test_stage_off_keeps_raw_html_verbatim():
    # (html_styling, which drops the page's look from the same HTML, is off as well)
    out, doc = clean(HOSTILE, pipeline(disable={"raw_html", "html_styling", "html_code"}))
    for line in HOSTILE.splitlines():
        if line.startswith("<") or "onclick" in line:
            assert line in out
    assert not [c for c in doc.changes if c.stage == "raw_html"]


def test_a_rule_turned_off_keeps_what_it_names():
    out, doc = clean(HOSTILE, pipeline(options={"raw_html": {"rules_off": ["event_handler"]}}))
    assert 'onerror="alert(document.cookie)"' in out and 'onclick="steal()"' in out
    assert "<script" not in out and "<iframe" not in out
    assert {c.kind for c in doc.changes if c.stage == "raw_html"} == {
        "script",
        "frame",
        "object_embed",
        "script_url",
    }


def test_unknown_rule_is_an_error_naming_the_rules():
    with pytest.raises(ConfigError, match="event_handler"):
        pipeline(options={"raw_html": {"rules_off": ["handlers"]}})


def test_the_runner_sees_no_text_lost_and_the_report_counts_the_removals():
    result = render(pipeline(), [MarkdownWriter()], Path("hostile.md"), "hostile", HOSTILE.encode())
    assert not [w for w in result.doc.warnings if w.startswith("text lost")]
    assert "track" not in "".join(result.doc.removed_text)  # an address is not text
    assert result.kept == 1.0


# -- generated hostile HTML ------------------------------------------------------------------
SNIPPETS = [
    "<script>",
    "</script>",
    "alert(1)",
    "<iframe src=x>",
    "</iframe>",
    "<img src=x onerror=alert(1)>",
    "<a href='javascript:x'>",
    '<a href="jav&#x09;ascript:x">',
    "</a>",
    "<span onclick=x>",
    "</span>",
    "<!--",
    "-->",
    "--!>",
    "<svg>",
    "</svg>",
    "<noscript>",
    "</noscript>",
    '<p title="',
    '">',
    "<style>",
    "</style>",
    "<object data=x>",
    "</object>",
    "<embed src=x>",
    "<form action=x>",
    "</form>",
    "<textarea>",
    "</textarea>",
    "<xmp>",
    "</xmp>",
    "<title>",
    "</title>",
    "<math>",
    "<![CDATA[",
    "]]>",
    "<meta http-equiv=refresh content=0>",
    "<base href=//x>",
    "<div>",
    "</div>",
    "<b>",
    "</b>",
    "text",
    "words",
    " ",
    "\n",
    "\n\n",
    "\n- item ",
    "> ",
    "`",
    "*",
    "[a](b)",
    "<a href=data:text/html,x>",
    "<img src=data:image/png,x>",
    "<svg><a xlink:href=javascript:x>",
    "<button formaction=vbscript:x>",
    "<body onload=x>",
    "<plaintext>",
    "<select>",
    "</select>",
    "<table>",
    "<td>",
    "'",
    '"',
    "=",
    "/",
    ">",
]
html_markdown = st.lists(st.sampled_from(SNIPPETS), max_size=40).map("".join)
ONLY_RAW_HTML = Pipeline(
    Config(disabled=set(available_stages()) - {"decode", "front_matter", "raw_html"}, formats=["md"])
)


@SETTINGS
@given(html_markdown)
def test_no_active_content_survives_generated_html(text):
    out, doc = clean(text, ONLY_RAW_HTML)
    assert active_content(out) == [], out
    again, _doc2 = clean(out, ONLY_RAW_HTML)
    assert again == out
    assert not [w for w in doc.warnings if w.startswith("text lost")]


@SETTINGS
@given(st.lists(st.sampled_from(SNIPPETS), max_size=40).map("".join))
def test_tag_spans_are_the_tags(text):
    tags = tokenize(text)
    previous_end = 0
    for tag in tags:
        source = tag.source(text)
        assert tag.start >= previous_end and source.startswith("<")
        assert source.endswith(">") or tag.end == len(text)
        previous_end = tag.end
        if tag.kind == "start":
            spans = attribute_spans(text, tag)
            assert spans is not None, source
            alone = [t for t in tokenize(source) if t.kind == "start"]
            assert alone and alone[0].name == tag.name and alone[0].attrs == tag.attrs
            for attr in spans:  # cutting an attribute (all of its name) leaves the tag without it
                cut, pos = [], tag.start
                for a in spans:
                    if a.name == attr.name:
                        cut.append(text[pos : a.cut_start])
                        pos = a.end
                cut.append(text[pos : tag.end])
                again = [t for t in tokenize("".join(cut)) if t.kind == "start"]
                assert again and again[0].name == tag.name
                assert again[0].attrs == {k: v for k, v in tag.attrs.items() if k != attr.name}
