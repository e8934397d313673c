"""Inputs built to be slow (deep nesting, bracket and star runs, long runs of blanks,
thousands of links): each converts to Markdown, EPUB and DOCX with its text kept.

Only the outputs are checked here; how the time grows with the size is shown by
``bench/pathological.py`` (``make bench-hostile``), which builds the same inputs larger.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest

from pipeline.nesting import MAX_DEPTH, flatten
from pipeline.rendering import render
from pipeline.textkeep import strip_front_matter
from pipeline.writer import make_writer
from pipeline.writers.markdown import render_document

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("pathological", ROOT / "bench" / "pathological.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
WRITERS = [make_writer(f) for f in ("md", "epub", "docx")]


def convert(pipeline, text: str, name: str = "case"):
    return render(pipeline, WRITERS, Path(f"{name}.md"), name, text.encode("utf-8"))


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.S)
    return "\n".join("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in paragraphs)


def epub_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return " ".join(
            re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8"))
            for n in z.namelist()
            if n.endswith(".xhtml") and "nav" not in n
        )


@pytest.mark.parametrize("name", sorted(BENCH.GENERATORS))
def test_every_generator_converts_with_its_text(name, pipeline):
    """A small instance of each slow input: no failure, no text lost, and cleaning the
    clean Markdown changes nothing."""
    text = BENCH.build(name, 0.02)
    result = convert(pipeline, text, name)
    lost = [w for w in result.doc.warnings if w.startswith("text lost")]
    assert not lost, lost
    md = result.outputs[f"{name}.md"].decode("utf-8")
    again = render_document(pipeline.process(Path(f"{name}.md"), md.encode("utf-8")))
    assert again == md


def test_list_3000_deep_is_flattened_with_a_warning(pipeline):
    depth = 3000
    text = "- - " * (depth // 2) + "deepest\n\n" + "".join("  " * i + f"- item{i}\n" for i in range(300))
    result = convert(pipeline, text, "deep")
    warnings = [w for w in result.doc.warnings if w.startswith("nesting:")]
    assert warnings and f"nested {depth} deep" in warnings[0] and f"to {MAX_DEPTH} levels" in warnings[0]
    assert any(c.stage == "nesting" and c.kind == "deep_nesting" for c in result.doc.changes)
    md = strip_front_matter(result.outputs["deep.md"].decode("utf-8"))
    expected = ["deepest"] + [f"item{i}" for i in range(300)]
    assert words(md) == expected  # every item, in order, and nothing else
    assert [w for w in words(docx_text(result.outputs["deep.docx"])) if w != "deep"] == expected
    assert [w for w in words(epub_text(result.outputs["deep.epub"])) if w != "deep"] == expected
    # the Markdown nests no deeper than the cap: items past it are siblings at the cap
    indents = {len(m.group(1)) for m in re.finditer(r"(?m)^( *)- item", md)}
    assert max(indents) == 2 * (MAX_DEPTH - 1)
    assert len(re.findall(rf"(?m)^ {{{2 * (MAX_DEPTH - 1)}}}- item", md)) == 300 - MAX_DEPTH + 1


def test_quotes_3000_deep_keep_every_line(pipeline):
    text = "".join(">" * i + f" line{i}\n" for i in range(1, 301)) + "\n" + "> " * 3000 + "last\n"
    result = convert(pipeline, text, "quotes")
    assert any(w.startswith("nesting:") for w in result.doc.warnings)
    md = strip_front_matter(result.outputs["quotes.md"].decode("utf-8"))
    assert words(md) == [f"line{i}" for i in range(1, 301)] + ["last"]
    assert max(len(m.group(1)) for m in re.finditer(r"(?m)^((?:> ?)+)", md)) <= 2 * MAX_DEPTH


def test_nesting_under_the_cap_is_left_alone(pipeline):
    text = "".join("  " * i + f"- item{i}\n" for i in range(MAX_DEPTH)) + "> " * MAX_DEPTH + "q\n"
    doc = pipeline.process(Path("ok.md"), text.encode("utf-8"))
    assert not any(w.startswith("nesting:") for w in doc.warnings)
    assert not any(c.stage == "nesting" for c in doc.changes)


def test_flatten_the_documented_example():
    lines = ["- a", "  - b", "    - c", "      - d", "        text of d", "      - e", "- f"]
    dropped = flatten(lines, 3)
    assert lines == ["- a", "  - b", "    - c", "    - d", "      text of d", "    - e", "- f"]
    assert [(n, prefix) for n, prefix, _ in dropped] == [(3, "  "), (4, "  "), (5, "  ")]
    assert flatten(lines, 3) == []  # flattened text holds still


@pytest.mark.parametrize(
    "source, expected",
    [
        # quotes merge, lists in quotes keep the innermost marker
        ("> > > > > x", "> > > x"),
        ("> - > - > - x", "> - - x"),
        (">>>>>>>> x", ">>> x"),
        # markers on one line
        ("- - - - - x", "- - - x"),
        ("1. 2. 3. 4. x", "1. 2. 4. x"),
        # a thematic break at the end is no list marker
        ("- - - - * * *", "- - - * * *"),
    ],
)
def test_flatten_lines(source, expected):
    lines = [source]
    flatten(lines, 3)
    assert lines == [expected]


def test_flatten_leaves_code_and_lazy_lines_alone():
    text = [
        "- a",
        "  - b",
        "    - c",
        "      - d",
        "        ```",
        "        - - - - - code",
        "        ```",
        "lazy continuation",
        "",
        "```",
        "- - - - - fenced",
        "```",
        "    - - - - - indented code",
    ]
    lines = list(text)
    flatten(lines, 3)
    assert lines[5] == "      - - - - - code"  # only the container prefix moved
    assert lines[7] == "lazy continuation"
    assert lines[9:] == text[9:]


def test_placeholders_found_among_image_runs(pipeline):
    gif = "![](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7)"
    text = "![" * 2000 + " x " + "![[]()" * 2000 + " y " + gif + " z\n"
    doc = pipeline.process(Path("runs.md"), text.encode("utf-8"))
    kinds = [c.kind for c in doc.changes if c.stage == "lazy_placeholders"]
    assert kinds.count("pixel_placeholder") == 1  # and the "[]()" left empty go with it
    assert set(kinds) == {"pixel_placeholder", "empty_link"}
    md = render_document(doc)
    assert "data:" not in md and words(md)[-3:] == ["x", "y", "z"]


def test_docx_relates_each_link_target_once(pipeline):
    text = "".join(f"[l{i}](https://example.com/{i % 3}) " for i in range(300)) + "\n"
    result = convert(pipeline, text, "links")
    with zipfile.ZipFile(io.BytesIO(result.outputs["links.docx"])) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
    targets = dict(
        re.findall(r'Id="(rId\d+)"[^>]*Target="(https://example\.com/\d)"', rels)
        + [(b, a) for a, b in re.findall(r'Target="(https://example\.com/\d)"[^>]*Id="(rId\d+)"', rels)]
    )
    assert sorted(targets.values()) == [f"https://example.com/{i}" for i in range(3)]
    used = re.findall(r'<w:hyperlink [^>]*r:id="(rId\d+)"', xml)
    assert len(used) == 300 and set(used) == set(targets)
    assert [targets[r] for r in used] == [f"https://example.com/{i % 3}" for i in range(300)]


def test_epub_deep_inline_html_keeps_links_and_text(pipeline):
    text = (
        "a "
        + "<span>" * 300
        + "[in](https://example.org/) x"
        + "</span>" * 300
        + ' <a href="https://example.com/">y <span>'
        + "<b>" * 300
        + "z"
        + "</b>" * 600
        + "</span></a> "
        + "</i>" * 300
        + "[out](https://example.net/) w\n"
    )
    result = convert(pipeline, text, "html")
    xhtml = epub_text_raw(result.outputs["html.epub"])
    hrefs = re.findall(r"<a [^>]*href=\"(https?://[^\"]*)\"", xhtml)
    assert hrefs == ["https://example.org/", "https://example.com/", "https://example.net/"]
    assert "<a " not in xhtml.split('href="https://example.com/"')[1].split("</a>")[0]
    assert words(epub_text(result.outputs["html.epub"]))[-7:] == ["a", "in", "x", "y", "z", "out", "w"]
    # nested no deeper than XML readers go (libxml2 stops at 256 levels)
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(result.outputs["html.epub"])) as z:
        for name in z.namelist():
            if name.endswith(".xhtml"):
                etree.fromstring(z.read(name))


def epub_text_raw(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xhtml"))


def test_a_paragraph_of_countless_bold_markers_is_left_as_it_is():
    """Checking a bold repair reads the paragraph again: past the stage's cap on markers,
    a paragraph whose repair would leave more than the cap is left as it is."""
    from stages.broken_emphasis import MAX_MARKERS, repair

    few = "**a " * 10
    assert repair(few)[1]  # a few unclosed markers are repaired
    many = "**a " * (2 * MAX_MARKERS)
    assert repair(many) == (many, [])


@pytest.mark.parametrize("n", [2001, 2002, 5000])
def test_past_the_cap_a_repair_that_leaves_few_markers_is_made_as_below_it(n):
    """``**「勇气」**`` repeated merges into one bold (unless it reads cleanly as it is),
    however many times it repeats."""
    from stages.broken_emphasis import MAX_MARKERS, _repair, parses_cleanly, repair

    text = "**「勇气」**" * n
    assert text.count("**") > MAX_MARKERS
    assert repair(text) == ((text, []) if parses_cleanly(text) else _repair(text))
    if n == 5000:
        fixed, kinds = repair(text)
        assert kinds == ["split_bold"] and fixed == "**" + text.replace("**", "") + "**"


def test_a_run_of_stars_past_the_cap_goes_as_a_short_one_does():
    from stages.broken_emphasis import MAX_MARKERS, repair

    assert (
        repair("a" + "*" * 8 + "a")
        == repair("a" + "*" * (8 * MAX_MARKERS) + "a")
        == (
            "aa",
            ["empty_bold", "star_run"],
        )
    )
