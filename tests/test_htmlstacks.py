"""The tree builder's indexed lists (pipeline/htmlstacks.py) give the answers html5lib's
own walks give: on generated tag soup, the same tags with the same spans and the same
element tree as html5lib's own tree builder."""

from __future__ import annotations

import pytest
from html5lib import html5parser
from html5lib.treebuilders import getTreeBuilder
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import htmltokens

#: elements whose rules differ: scopes, tables, selects, lists, formatting elements
#: (the adoption agency, the "Noah's Ark" clause), foreign content, raw text
NAMES = (
    "div p span b i a table tr td th tbody caption colgroup col select option optgroup ul ol li "
    "dd dt button svg math mi foreignObject desc title textarea script style noscript template "
    "form h1 em strong nobr font applet object marquee html body head frameset iframe xmp "
    "plaintext pre br hr img input"
).split()
PIECE = st.one_of(
    st.sampled_from(NAMES).map(lambda n: f"<{n}>"),
    st.sampled_from(NAMES).map(lambda n: f"</{n}>"),
    st.tuples(st.sampled_from(NAMES), st.integers(0, 2)).map(lambda t: f"<{t[0]} class={t[1]}>"),
    st.sampled_from(["x", " ", "<!--c-->", "<![CDATA[y]]>"]),
)


class _Html5libBuilder(html5parser.HTMLParser):
    """html5lib's parser and tree builder as they come, with the positioned tokenizer."""

    def __init__(self, **kwargs):
        super().__init__(tree=getTreeBuilder("etree"), **kwargs)

    def _parse(self, stream, innerHTML=False, container="div", scripting=False, **kwargs):
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = htmltokens._PositionedTokenizer(stream, parser=self, **kwargs)
        self.reset()
        self.mainLoop()


def _shape(element) -> tuple:
    return element.tag, sorted(element.attrib.items()), [_shape(child) for child in element]


def _read(parser_class, source: str, scripting: bool) -> tuple:
    parser = parser_class(namespaceHTMLElements=False)
    fragment = parser.parseFragment(source, container="div", scripting=scripting)
    return parser.tokenizer.found, _shape(fragment)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(PIECE, min_size=10, max_size=120).map("".join), st.booleans())
def test_same_tags_and_tree_as_html5lib(source, scripting):
    assert _read(htmltokens._Parser, source, scripting) == _read(_Html5libBuilder, source, scripting)


@pytest.mark.parametrize(
    "source",
    [
        "<b><b><b><b><p>x</b>y",  # the fourth same <b> pushes out the earliest of three
        "<b class=1><b class=1><i><b class=1><b class=1><div>x</b></i>z",
        "<a><b><a><div></a></b>",
        "<div><b class=x>" * 40 + "<p>" + "</b></div>" * 40,
    ],
)
def test_misnested_formatting_as_html5lib(source):
    assert _read(htmltokens._Parser, source, True) == _read(_Html5libBuilder, source, True)


def test_deep_nesting_reads_every_tag():
    depth = 3000
    source = "<div><b class=x>" * depth + "<table></table>" + "</b></div>" * depth
    tags = htmltokens.tokenize(source)
    assert [t.kind for t in tags].count("start") == 2 * depth + 1
    assert [t.source(source) for t in tags[:2]] == ["<div>", "<b class=x>"]
