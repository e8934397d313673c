"""The structure guard: undeclared structure changes are named (stage, kind, line),
declared ones pass, and strict mode writes nothing for such a file.

The stages here are real stages run by the real runner, built for the test: each
makes one kind of structure change, declared or not.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.errors import StructureError
from pipeline.guard import differences, signature
from pipeline.rendering import render
from pipeline.runner import Pipeline
from pipeline.stage import Stage, available_stages
from pipeline.tree import inline_text, iter_blocks, parse, walk
from pipeline.writers.markdown import MarkdownWriter

GALLEY = [sys.executable, "-m", "pipeline.cli"]


class DropSecondItem(Stage):
    """Drop the second item of the first list (undeclared)."""

    name = "drop_item"
    priority = 300
    scope = "tree"
    kind = "item_dropped"

    def run(self, doc, ctx):
        for tok, line in iter_blocks(doc.tree or []):
            if tok["type"] == "list" and len(tok["children"]) > 1:
                removed = tok["children"].pop(1)
                ctx.record(self.kind, line, str(removed.get("type")), "")
                return


class DropSecondItemDeclared(DropSecondItem):
    """The same change, declared as debris."""

    name = "drop_item_declared"
    kind = "bullet_debris"
    removes = frozenset({"bullet_debris"})


class UnstarText(Stage):
    """A careless text repair: every ``**`` goes, code or not."""

    name = "unstar"
    priority = 220
    scope = "text"

    def run(self, doc, ctx):
        lines = doc.text.split("\n")
        for i, line in enumerate(lines):
            if "**" in line:
                lines[i] = line.replace("**", "")
                ctx.record("stray_stars", doc.body_line + i, line, lines[i])
        doc.text = "\n".join(lines)


class RetargetLinks(Stage):
    """Change every link target without recording it."""

    name = "retarget"
    priority = 310
    scope = "tree"

    def run(self, doc, ctx):
        for tok in walk(doc.tree or []):
            if tok.get("type") == "link":
                tok["attrs"]["url"] = "https://elsewhere.example/"


class Deepen(Stage):
    """Make the third heading one level deeper (siblings become parent and child)."""

    name = "deepen"
    priority = 350
    scope = "tree"

    def run(self, doc, ctx):
        heads = [t for t in doc.tree or [] if t["type"] == "heading"]
        if len(heads) >= 3:
            heads[2]["attrs"]["level"] += 1
            ctx.record("heading_level", heads[2].get("line"), "", "")


class PromoteBold(Stage):
    """Turn a bold-only paragraph into a heading (a repair that adds a heading)."""

    name = "promote"
    priority = 320
    scope = "tree"

    def run(self, doc, ctx):
        for tok in doc.tree or []:
            kids = tok.get("children") or []
            if tok["type"] == "paragraph" and len(kids) == 1 and kids[0]["type"] == "strong":
                tok.update(type="heading", attrs={"level": 2}, children=kids[0]["children"])
                ctx.record("bold_heading", tok.get("line"), "", "")


class Sink(Stage):
    """Move the headings whose text is listed one level down."""

    name = "sink"
    priority = 330
    scope = "tree"
    texts = ("New",)

    def run(self, doc, ctx):
        for tok in doc.tree or []:
            if tok["type"] == "heading" and inline_text(tok["children"]) in self.texts:
                tok["attrs"]["level"] += 1
                ctx.record("heading_level", tok.get("line"), "", "")


class SinkB(Sink):
    name = "sink_b"
    priority = 340
    texts = ("B",)


class MarkSomething(Stage):
    """A later stage that records a change elsewhere: it must not take the blame."""

    name = "mark"
    priority = 390
    scope = "tree"

    def run(self, doc, ctx):
        ctx.record("noted", 1, "", "")


def run_with(*stages: type[Stage], text: str, strict: bool = False):
    registry = {cls.name: cls for cls in stages}
    pipeline = Pipeline(Config(strict=strict), registry)
    return pipeline, pipeline.process(Path("doc.md"), text.encode("utf-8"))


LIST = "Intro.\n\n- one\n- two\n- three\n\nEnd.\n"


def test_an_undeclared_change_is_named_with_stage_kind_and_line():
    _, doc = run_with(DropSecondItem, text=LIST)
    assert [f.as_dict() for f in doc.structure] == [
        {
            "stage": "drop_item",
            "kind": "item_dropped",
            "line": 3,
            "category": "list",
            "what": "list of 3 items became 2 items",
        }
    ]
    assert (
        "structure changed: drop_item/item_dropped (line 3): list of 3 items became 2 items" in doc.warnings
    )


def test_a_declared_change_passes():
    _, doc = run_with(DropSecondItemDeclared, text=LIST)
    assert doc.changes and not doc.structure


def test_code_changed_by_a_text_stage_is_blamed_on_it_not_on_a_later_stage():
    text = "Intro.\n\n> ```c\n> int main(int argc, char **argv)\n> ```\n"
    _, doc = run_with(UnstarText, MarkSomething, text=text)
    assert len(doc.structure) == 1
    finding = doc.structure[0]
    assert (finding.stage, finding.kind, finding.line, finding.category) == (
        "unstar",
        "stray_stars",
        3,
        "code",
    )
    assert "char **argv" in finding.what and "char argv" in finding.what


def test_without_parses_to_trace_the_records_in_place_tell(monkeypatch):
    """Past its budget of parses (a very large page), the guard blames the stage whose
    change is recorded where the difference is."""
    import pipeline.guard as guard

    monkeypatch.setattr(guard, "TRACE_PARSES", 0)
    monkeypatch.setattr(guard, "TRACE_MIN_CHARS", 0)
    text = "Intro.\n\n> ```c\n> int main(int argc, char **argv)\n> ```\n\nEnd **x\n"
    _, doc = run_with(UnstarText, MarkSomething, text=text)
    assert [(f.stage, f.kind, f.line, f.category) for f in doc.structure] == [
        ("unstar", "stray_stars", 3, "code")
    ]


def test_an_unrecorded_change_is_still_found():
    _, doc = run_with(RetargetLinks, MarkSomething, text="See [the docs](https://example.com/docs).\n")
    assert [(f.stage, f.kind, f.category) for f in doc.structure] == [("retarget", "unrecorded", "link")]


def test_a_heading_that_changes_its_relation_is_reported():
    text = "# T\n\n## A\n\n## B\n\n## C\n"
    _, doc = run_with(Deepen, text=text)
    assert [(f.stage, f.line) for f in doc.structure] == [("deepen", 5), ("deepen", 7)]
    assert "'B' was a sibling of 'A', now deeper than it" in doc.structure[0].what
    assert "'C' was a sibling of 'B', now above it" in doc.structure[1].what


def test_the_outline_is_judged_against_the_input():
    """A heading a stage added had no relation in the input to keep; the input's
    headings keep theirs, and a change there is blamed on the stage that made it."""
    text = "# T\n\n## A\n\n**New**\n\n## B\n"
    _, doc = run_with(PromoteBold, Sink, text=text)
    assert len(doc.changes) == 2 and not doc.structure  # only the added heading moved
    _, doc = run_with(PromoteBold, Sink, SinkB, text=text)
    assert [(f.stage, f.line, f.what) for f in doc.structure] == [
        ("sink_b", 7, "heading 'B' was a sibling of 'A', now deeper than it")
    ]


def test_no_finding_when_nothing_changes_structure():
    _, doc = run_with(MarkSomething, text=LIST)
    assert not doc.structure and "guard" in doc.timings


def test_strict_makes_it_an_error_before_anything_is_written():
    pipeline = Pipeline(Config(strict=True), {DropSecondItem.name: DropSecondItem})
    with pytest.raises(StructureError, match="drop_item/item_dropped"):
        render(pipeline, [MarkdownWriter()], Path("doc.md"), "doc", LIST.encode())


@pytest.mark.parametrize(
    "before, after, category, what",
    [
        ("```\na**b\n```\n", "```\nab\n```\n", "code", "code changed: 'a**b' became 'ab'"),
        ("`|`\n", "|\n", "code span", "code span '|' removed"),
        (
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
            "| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n",
            "table",
            "table of 2x2 became 2x3",
        ),
        (
            "[x](https://a.example/)\n",
            "[x](https://b.example/)\n",
            "link",
            "link target 'https://a.example/' became 'https://b.example/'",
        ),
        ("![x](a.png)\n", "x\n", "image", "image target 'a.png' removed"),
        (
            "a[^1] b[^2]\n\n[^1]: one\n[^2]: two\n",
            "a[^1] b\n\n[^1]: one\n",
            "footnote",
            "footnote '2' removed",
        ),
        ("## A\n\n## B\n", "## A\n\nB\n", "heading", "heading 'B' is no longer a heading"),
    ],
)
def test_each_category_is_compared(before, after, category, what):
    found = differences(signature(parse(before)), signature(parse(after)))
    assert [(d.category, d.what) for d in found] == [(category, what)]


def test_a_heading_that_became_the_title_is_not_lost():
    before, after = signature(parse("# Title\n\n## A\n")), signature(parse("## A\n"))
    assert differences(before, after, title="Title") == []
    assert [d.category for d in differences(before, after)] == ["heading"]


def test_a_deep_tree_needs_no_recursion():
    tree = {"type": "block_code", "raw": "x**y\n", "attrs": {"info": "c"}}
    for _ in range(20_000):
        tree = {"type": "block_quote", "children": [tree]}
    tree["line"] = 1
    assert signature([tree]).items["code"] == ((("c", "x**y\n"), 1),)


def run_cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run([*GALLEY, *args], capture_output=True, text=True, cwd=cwd, timeout=300, env=env)


# A third-party stage that makes a section of the one before it and says nothing of
# it: its change kind is not declared, so only the guard can tell the outline changed.
NESTING_PLUGIN = '''
from pipeline.stage import Stage


class NestSecond(Stage):
    """Test plugin: the second heading goes one level deeper (undeclared)."""
    name = "nest_second"
    priority = 390
    scope = "tree"

    def run(self, doc, ctx):
        heads = [t for t in doc.tree or [] if t.get("type") == "heading"]
        if len(heads) >= 2 and heads[1]["attrs"]["level"] < 6:
            heads[1]["attrs"]["level"] += 1
            ctx.record("nested", heads[1].get("line"), "", "")
'''
SIBLINGS = "## One\n\nText.\n\n## Two\n\nMore text.\n"


@pytest.fixture()
def plugin_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which the ``nest_second`` stage is installed (entry point)."""
    root = tmp_path / "plugins"
    info = root / "galley_nest-0.1.dist-info"
    info.mkdir(parents=True)
    (root / "galley_nest.py").write_text(NESTING_PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: galley-nest\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[galley.stages]\nnest_second = galley_nest:NestSecond\n")
    import os

    return dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def test_check_reports_a_structure_change(tmp_path, plugin_env):
    src = tmp_path / "nest.md"
    src.write_text(SIBLINGS, encoding="utf-8")
    out = run_cli("check", str(src), env=plugin_env)
    assert out.returncode == 1
    assert re.search(r"structure changed: nest_second/nested \(line 5\): heading 'Two'", out.stdout), (
        out.stdout
    )


def test_convert_counts_it_and_strict_writes_nothing_for_that_file(tmp_path, plugin_env):
    src = tmp_path / "in"
    src.mkdir()
    (src / "nest.md").write_text(SIBLINGS, encoding="utf-8")
    (src / "plain.md").write_text("# Plain\n\nNothing to see.\n", encoding="utf-8")
    out = run_cli("convert", str(src), "-o", str(tmp_path / "out"), "--to", "md", env=plugin_env)
    assert out.returncode == 0, out.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["structure_changed"] == 1
    entry = next(f for f in report["files"] if f["source"].endswith("nest.md"))
    assert [(s["stage"], s["kind"], s["category"]) for s in entry["structure"]] == [
        ("nest_second", "nested", "heading")
    ]

    strict = run_cli(
        "convert", str(src), "-o", str(tmp_path / "strict"), "--to", "md", "--strict", env=plugin_env
    )
    assert strict.returncode == 1
    assert not (tmp_path / "strict" / "nest.md").exists()
    assert (tmp_path / "strict" / "plain.md").exists()
    lines = [ln for ln in strict.stderr.splitlines() if "nest.md" in ln]
    assert lines and "structure changed" in lines[0] and "Traceback" not in strict.stderr


def test_strict_from_the_config_file(tmp_path, plugin_env):
    (tmp_path / "galley.toml").write_text("strict = true\n", encoding="utf-8")
    (tmp_path / "nest.md").write_text(SIBLINGS, encoding="utf-8")
    out = run_cli("clean", "nest.md", cwd=tmp_path, env=plugin_env)
    assert out.returncode == 1 and "structure changed" in out.stderr and not out.stdout


def test_the_default_stages_change_no_structure_of_plain_markdown():
    text = (
        "# Title\n\nSome `code | here` and **bold**.\n\n`=>`\n\n> ```c\n> int **p;\n> ```\n\n"
        "- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n[link](https://example.com/)\n"
    )
    doc = Pipeline(Config(), available_stages()).process(Path("plain.md"), text.encode())
    assert not doc.structure, doc.structure


# -- no stage touches the inside of code, wherever it sits --------------------------------

CODE_PIECES = [
    "**",
    "****",
    "*",
    "__",
    "  ",
    "\t",
    "\u200b",
    "\u3000",
    "·",
    "左滑查看更多 ←",
    "“",
    "”",
    "![](data:image/gif;base64,R0lGODlhAQABAAAAACw=)",
    "[a](javascript:void(0);)",
    "](http://mp.weixin.qq.com/s?x)",
    "x",
    "42",
    "int main(int argc, char **argv)",
    "\\",
    "D:\\ ",
    "# 注释",
    "[!tip]",
    "`",
]
CONTAINERS = ["", "> ", "> > ", "- ", "1. ", "- > ", "> - "]


def _code_blocks(tree) -> list[str]:
    return [tok.get("raw", "") for tok in walk(tree) if tok.get("type") == "block_code"]


@settings(derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(CONTAINERS),
    st.booleans(),
    st.lists(
        st.lists(st.sampled_from(CODE_PIECES), min_size=1, max_size=6).map("".join), min_size=1, max_size=5
    ),
)
def test_code_keeps_every_character_wherever_it_sits(container, callout, code_lines):
    """Code lines full of debris, in a quote, a list item, a callout or nested: every
    stage leaves them as they are, and the guard sees no code change."""
    code_lines = [line for line in code_lines if "```" not in line]
    # a block of blank or white-space lines is an empty block: code_fences removes it as debris
    assume(any(line.strip() for line in code_lines))
    pad = re.sub(r"[-0-9.]", " ", container)  # the same containers, continued
    head = f"{container}[!tip] A callout\n{pad}\n" if callout and container.startswith(">") else ""
    body = "".join(f"{pad if k else container}{line}\n" for k, line in enumerate(["```", *code_lines, "```"]))
    text = f"Intro paragraph.\n\n{head}{body}\nAfter **the** code.\n"
    before = _code_blocks(parse(text))
    doc = Pipeline().process(Path("code.md"), text.encode("utf-8"))
    assert _code_blocks(doc.tree) == before
    assert not [f for f in doc.structure if f.category == "code"]


def _spec_examples() -> list[str]:
    spec = (Path(__file__).parent / "fixtures" / "commonmark" / "spec.txt").read_text(encoding="utf-8")
    return [m.replace("→", "\t") for m in re.findall(r"^`{32} example\n(.*?)^\.\n", spec, re.M | re.S)]


def test_the_guard_reads_the_same_signature_without_emphasis():
    """The guard reads text states with emphasis left unpaired (but in headings, whose
    words it takes): every part of the signature is read before emphasis is paired."""
    examples = _spec_examples()
    assert len(examples) > 600
    stars = [t for t in examples if "*" in t or "_" in t]
    assert any(parse(t) != parse(t, emphasis=False) for t in stars)  # the readings differ...
    for text in examples:
        assert signature(parse(text, emphasis=False)) == signature(parse(text)), text  # ...not there
    # a heading's words, with their emphasis, in a list as at the top
    heading = parse("- # a **b** _c_\n\n# [**l**](u) `*x*`\n", emphasis=False)
    assert signature(heading).headings == signature(parse("- # a **b** _c_\n\n# [**l**](u) `*x*`\n")).headings
    assert [h[1] for h in signature(heading).headings] == ["a b c", "l *x*"]


@settings(derandomize=True, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_scraped_pages_read_the_same_signature_without_emphasis(data):
    from fuzz_strategies import documents

    text = data.draw(documents())
    assert signature(parse(text, emphasis=False)) == signature(parse(text))
