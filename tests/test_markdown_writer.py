"""The Markdown writer keeps the GitHub-flavoured parts the tree holds."""

from __future__ import annotations

from pathlib import Path

from judge import MD

from pipeline.config import Config
from pipeline.runner import Pipeline
from pipeline.stage import available_stages
from pipeline.tree import parse
from pipeline.writers.markdown import render_body

SOURCE = """\
| Name | Price |
|:-----|------:|
| Buds 5 | 699 |
| Band 9 | 249 \\| 299 |

Old ~~price~~ new price.

- [ ] to do
- [x] done

A claim[^n] and another[^m].

[^n]: The first note,
    in two lines.

[^m]: The second.
"""


def test_tables_strikethrough_tasks_and_footnotes_survive():
    out = render_body(parse(SOURCE))
    assert render_body(parse(out)) == out
    assert [b["type"] for b in parse(out)] == [b["type"] for b in parse(SOURCE)]  # footnotes renumbered
    html = MD.render(out)
    assert "<table>" in html and 'style="text-align:right"' in html and "<s>price</s>" in html
    assert "- [ ] to do" in out and "- [x] done" in out
    assert "[^1]: The first note,\n    in two lines." in out and "[^2]: The second." in out


def test_every_stage_off_is_a_faithful_round_trip():
    bare = Pipeline(Config(disabled=set(available_stages())))
    doc = bare.process(Path("a.md"), SOURCE.encode("utf-8"))
    assert render_body(doc.tree) == render_body(parse(render_body(doc.tree)))


def rewrite(text: str) -> str:
    return render_body(parse(text))


def test_a_rule_under_list_text_stays_a_rule():
    out = rewrite("- a\n  ***\n")
    assert "<hr />" in MD.render(out) and "<h2>" not in MD.render(out)
    assert rewrite(out) == out


def test_a_backslash_before_a_kept_space_is_not_an_escape():
    src = "a\\ \\\nb\n"
    out = rewrite(src)
    assert MD.render(out) == MD.render(src) == "<p>a\\ <br />\nb</p>\n"
    assert rewrite(out) == out


def test_fence_info_strings_with_backticks_and_tildes():
    for src in ("~~~ ~foo`\nx\n~~~\n", "~~~ a`b~c\nx\n~~~\n", "```` ~x\n```\n````\n"):
        out = rewrite(src)
        assert MD.render(out) == MD.render(src), src
        assert rewrite(out) == out


# -- link safety ---------------------------------------------------------------------
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from pipeline.tree import walk
from pipeline.writers.markdown import unsafe_target

SEES_ALL = MarkdownIt("commonmark")
SEES_ALL.validateLink = lambda url: True  # every target, even the ones it would refuse


def targets(text: str) -> list[tuple[str, bool]]:
    """(target, is_image) of every link and image a CommonMark reader finds."""
    found = []
    for tok in SEES_ALL.parse(text):
        for t in [tok, *(tok.children or [])]:
            if t.type == "link_open":
                found.append((str(t.attrs.get("href", "")), False))
            elif t.type == "image":
                found.append((str(t.attrs.get("src", "")), True))
    return found


def unsafe(text: str) -> set[bool]:
    """The kinds (link, image) with a script target, as markdown-it and mistune read them."""
    kinds = {image for url, image in targets(text) if unsafe_target(url, image)}
    kinds |= {
        t["type"] == "image"
        for t in walk(parse(text))
        if t.get("type") in ("link", "image")
        and unsafe_target(t["attrs"].get("url", ""), t["type"] == "image")
    }
    return kinds


def test_an_escaped_reference_in_a_target_stays_text():
    src = "[click](&amp;#106;avascript:alert(1))\n"
    out = rewrite(src)
    assert not unsafe(src) and not unsafe(out), out
    assert MD.render(out) == MD.render(src)


PIECES = [
    "&",
    "amp;",
    "#",
    "&#37;",
    "%",
    "25",
    "\\",
    " ",
    "\t",
    "\x01",
    "<",
    ">",
    "(",
    ")",
    "x",
    "/",
    "lt;",
    "&colon;",
    "&Tab;",
    "%0A",
    "\u00a0",
    "image/png;base64,AA",
]


def spelled(ch: str):
    """One character of a scheme, written plainly or as a reader might decode it."""
    return st.sampled_from(
        [
            ch,
            ch.upper(),
            f"&#{ord(ch)};",
            f"&#x{ord(ch):X};",
            f"&amp;#{ord(ch)};",
            f"%{ord(ch):02X}",
            f"%25{ord(ch):02X}",
            f"\\{ch}",
            f"&amp;{ch}",
            "\t" + ch,
        ]
    )


def scheme(name: str):
    return st.tuples(*[spelled(c) for c in name]).map("".join)


target = st.tuples(
    st.lists(st.sampled_from(PIECES), max_size=3).map("".join),
    st.one_of(scheme("javascript:"), scheme("vbscript:"), scheme("data:"), st.just("")),
    st.lists(st.sampled_from([*PIECES, "alert(1)"]), max_size=6).map("".join),
).map("".join)
FORMS = ["[a]({})", "[a](<{}>)", "![a]({})", "![a](<{}>)", "<{}>", "[a]\n\n[a]: {}", '[a]({} "t")']


@settings(max_examples=400, derandomize=True, deadline=None)
@given(target, st.sampled_from(FORMS))
def test_the_writer_never_makes_a_script_link_from_one_that_was_not(dest, form):
    src = form.format(dest) + "\n"
    out = rewrite(src)
    assert unsafe(out) <= unsafe(src), out


NOTES = """\
Text[^a] and more[^b].

[^a]: A note whose text
goes on in a lazy line.

[^b]:
    > A quote in a note.

        code in a note

    and a paragraph.

[^unused]: Nothing refers to this one.
"""


def test_footnotes_keep_their_lines_their_blocks_and_the_unused_ones():
    from mdit_py_plugins.footnote import footnote_plugin

    judge = MarkdownIt("commonmark").use(footnote_plugin)
    out = rewrite(NOTES)
    assert judge.render(out) == judge.render(NOTES)
    assert "[^3]: Nothing refers to this one." in out  # a definition, not body text
    assert [b["type"] for b in parse(out)] == ["paragraph", "footnotes"]
    assert rewrite(out) == out and rewrite(rewrite(out)) == out


# -- CommonMark corners, link destinations, blocks kept as written ------------------


def same_everywhere(src: str) -> str:
    """The rewrite of ``src``: it renders as ``src`` does and is stable."""
    out = rewrite(src)
    assert MD.render(out) == MD.render(src), out
    assert rewrite(out) == out
    return out


def test_tabs_after_a_quote_marker_count_from_the_line_start():
    for src in (">\t\ttest\n", " >\t\ttest\n", "  >\t\t\ttest\n", "> ```\n> \tint x;\n> ```\n"):
        same_everywhere(src)
    # fenced code in a quote keeps its tabs
    assert parse("> ```\n> \tint x;\n> ```\n")[0]["children"][0]["raw"] == "\tint x;\n"


def test_reference_definitions_leave_no_paragraph_open():
    out = same_everywhere("> [foo]: bar\n[foo]\n")
    assert out == ">\n\n[foo](bar)\n"
    same_everywhere("[foo]: /url 'title\n - - -\n'\n\n[foo]\n")  # the title is no title


def test_a_lazy_line_underlines_no_heading_and_meta_is_inline():
    assert "<h1>" not in MD.render(same_everywhere(" - foo\n   bar\n  ===\n"))
    same_everywhere('City:\n<span itemprop="x">\n  <meta itemprop="name" content="S">\n</span>\n')


def test_a_block_tag_opens_html_only_where_its_name_ends():
    # "<script<" and "<div/x" open no HTML block: the lines are a paragraph's
    for src in ("<script</script>\n    x\n", "<div/x\n    y\n", "</p<\n    z\n"):
        assert parse(src)[0]["type"] == "paragraph"
        same_everywhere(src)
    for src in ("<script>\nx\n", "<div/>\ny\n", "<div\ny\n", "</p>\nz\n"):
        assert parse(src)[0]["type"] == "block_html"


def test_destinations_are_written_as_they_were():
    for src in (
        "<http://☃.net/>\n",
        "[](//☃.net/)\n",
        '[a](<b c> "t")\n',
        "<http://example.com/α%CE%B2>\n",
        "[foo](&#xD800;)\n",
    ):
        assert same_everywhere(src) == src
    # a reference becomes an inline link with the definition's destination
    assert rewrite("[a]\n\n[a]: <http://☃.net/x y>\n") == "[a](<http://☃.net/x y>)\n"
    # a stage that changes the target: the new one is written
    tree = parse("[a](http://☃.net/)\n")
    tree[0]["children"][0]["attrs"]["url"] = "https://example.org/b"
    assert render_body(tree) == "[a](https://example.org/b)\n"


def test_escapes_and_references_in_a_destination_are_read_once():
    link = parse("[a](\\&#74;avascript:x)\n")[0]["children"][0]
    assert link["attrs"]["url"] == "&#74;avascript:x"  # an escaped "&" starts no reference
    assert not unsafe(rewrite("[a](\\&#74;avascript:x)\n"))


def test_tildes_and_stars_have_the_same_priority():
    from markdown_it import MarkdownIt

    judge = MarkdownIt("commonmark").enable("strikethrough")
    for src in ("**~~test**~~\n", "~~**test~~**\n", "*a ~~b* c~~\n"):
        out = rewrite(src)
        assert judge.render(out) == judge.render(src), out
        assert rewrite(out) == out
    assert parse("**~~test**~~\n")[0]["children"][0]["type"] == "strong"


def test_a_block_the_writer_cannot_spell_is_kept_as_written():
    from pipeline.writers.markdown import render_document

    bare = Pipeline(Config(disabled=set(available_stages())))
    src = "Before.\n\n*****Hello*world****\n\nAfter *this*.\n"
    kept: list[int] = []
    out = render_document(bare.process(Path("a.md"), src.encode("utf-8")), kept=kept)
    assert kept == [3] and out == src
    assert MD.render(out) == MD.render(src)
    # once a stage changed the block, its source no longer says what it holds
    doc = bare.process(Path("a.md"), src.encode("utf-8"))
    doc.tree[1]["children"][0]["raw"] = "**!"
    kept = []
    out = render_document(doc, kept=kept)
    assert kept == [] and "*****Hello*world****" not in out


def test_a_no_break_space_after_a_line_break_is_text():
    # CommonMark strips spaces and tabs at a line's start, not U+00A0 or U+3000
    assert [t.get("raw") for t in parse("\xa0  \n\xa0\n")[0]["children"]] == ["\xa0", None, "\xa0"]
    out = same_everywhere("a  \n\u3000b\n")
    assert "\u3000" in out or "&#12288;" in out


def test_a_heading_with_a_line_break_keeps_it():
    for src in ("a\\\nb\n---\n", "a  \nb\n===\n"):
        out = same_everywhere(src)
        assert "<br />" in MD.render(out)


def test_a_bare_link_ends_before_a_line_break_backslash():
    link = parse("(http://x.org/a)\\\nb\n")[0]["children"][1]
    assert link["attrs"]["url"] == "http://x.org/a"
    out = rewrite("](http://x.org/a?b=1)\\\n[\n![](p.png)\n")
    assert rewrite(out) == out


def test_email_addresses_are_links_as_gfm_reads_them():
    links = [
        t["attrs"]["url"]
        for t in walk(parse("a.b-c_d@a.b. hello@mail+xyz.example, x+y@z.org\n"))
        if t.get("type") == "link"
    ]
    assert links == ["mailto:a.b-c_d@a.b", "mailto:x+y@z.org"]
    assert not [t for t in walk(parse("a@b.c_ <foo\\+@bar.example.com>\n")) if t.get("type") == "link"]
    for src in ("write to foo@bar.baz.\n", "a.b-c_d@a.b_\n", "<foo\\+@bar.example.com>\n"):
        same_everywhere(src)


def test_a_bare_link_in_a_link_text_is_text():
    link = parse("[see http://a.com now](x)\n")[0]["children"][0]
    assert [k["type"] for k in link["children"]] == ["text"]


def test_an_empty_task_item_keeps_its_box():
    assert rewrite("- [ ]\n- [x] done\n") == "- [ ]\n- [x] done\n"
    assert rewrite("- [ ]\n") == "- [ ]\n"


def test_a_list_opening_an_item_takes_another_bullet():
    """'- - -' would be a thematic break: an item that holds a list holding an empty
    item keeps its structure when written and read again."""
    from pipeline.tree import parse
    from pipeline.writers.markdown import render_body

    tree = parse("* - -\n")
    out = render_body(tree)
    assert out == "- * -\n"
    again = parse(out)
    assert [t["type"] for t in again] == ["list"] and render_body(again) == out


def test_hash_text_that_the_next_cleaning_would_head_is_escaped():
    # "&#106;" decoded: two "##x" lines, which heading_space takes for headings
    out = rewrite("##&#106;\n##d\n")
    assert out == "\\##j\n\\##d\n"
    assert "<h2>" not in MD.render(out) and rewrite(out) == out
    # in a list item too, and only where the whole text makes them headings
    assert rewrite("- a\n  ##&#106;\n  ##d\n") == "- a\n  \\##j\n  \\##d\n"
    assert rewrite("##&#106;\n\nplain text\n") == "##j\n\nplain text\n"
    # tags and topic lines stay as written; an HTML block is not text to escape
    assert (
        rewrite("# 标题\n\n#读书 #笔记\n\n#红蓝对抗 11 个\n") == "# 标题\n\n#读书 #笔记\n\n#红蓝对抗 11 个\n"
    )
    assert rewrite("<div>\n##a\n##b\n</div>\n") == "<div>\n##a\n##b\n</div>\n"


def test_a_block_that_ends_a_list_has_its_own_line():
    # the writer finds a block's source by its line: a heading that interrupts a list
    # is read inside the list's rule, and must not take the list's line
    assert [(b["type"], b["line"]) for b in parse("-\n#\n> x\n")] == [
        ("list", 1),
        ("heading", 2),
        ("block_quote", 3),
    ]
    assert [(b["type"], b["line"]) for b in parse("- a\n\n> q\n")] == [("list", 1), ("block_quote", 3)]
