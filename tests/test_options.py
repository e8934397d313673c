"""What every stage shares: typed options with one message for a bad value, priority
bands checked against each stage, and the two repair bases (line by line, block by block)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

from pipeline.config import Config
from pipeline.document import Document
from pipeline.errors import ConfigError
from pipeline.options import Option, default_values, read_options
from pipeline.repairs import LineEdit, LineRepair, TreeRepair
from pipeline.runner import Pipeline
from pipeline.stage import Stage, StageContext, available_stages, ordered
from pipeline.writer import available_writers, make_writer


def stage_error(stage: str, **options) -> str:
    with pytest.raises(ConfigError) as info:
        Pipeline(Config(stage_options={stage: options}))
    return str(info.value)


# -- options ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stage, option, value, must",
    [
        ("prose_headings", "max_chars", "sixty", "a whole number"),
        ("prose_headings", "max_chars", 6.5, "a whole number"),
        ("ui_chrome", "promo", "maybe", "true or false"),
        ("line_breaks", "clipper_threshold", "half", "a number"),
        ("heading_levels", "top", True, "a whole number"),
        ("decode", "normalize", "NFX", "one of 'NFC', 'NFD', 'NFKC', 'NFKD', ''"),
        ("images", "roots", 3, "a list of names"),
        ("images", "timeout", [1], "a number"),
    ],
)
def test_a_bad_value_is_one_error_in_one_form(stage, option, value, must):
    assert (
        stage_error(stage, **{option: value})
        == f"stage {stage!r}: option {option!r} must be {must} (got {value!r})"
    )


def test_a_rule_that_does_not_exist_names_the_rules():
    message = stage_error("ui_chrome", rules_off=["separator_line", "nope"])
    assert message.startswith(
        "stage 'ui_chrome': option 'rules_off' must be a list of names from "
        "swipe_hint, wechat_ui, separator_line"
    )
    assert message.endswith("(got ['separator_line', 'nope'])")


def test_an_unknown_option_lists_the_options():
    assert (
        stage_error("prose_headings", max_char=3)
        == "stage 'prose_headings' has no option 'max_char'. Options: max_chars"
    )


def test_values_are_converted_once_to_the_declared_type():
    pipeline = Pipeline(
        Config(
            stage_options={
                "prose_headings": {"max_chars": "80"},
                "ui_chrome": {"promo": "yes", "rules_off": "separator_line, swipe_hint"},
                "line_breaks": {"clipper_threshold": 1},
                "images": {"roots": "a,b", "timeout": "2.5"},
            }
        )
    )
    stages = {s.name: s for s in pipeline.stages}
    assert stages["prose_headings"].options["max_chars"] == 80
    assert stages["ui_chrome"].options["promo"] is True
    assert stages["ui_chrome"].rules == {
        "wechat_ui",
        "javascript_link",
        "empty_link",
        "icon_remnant",
        "site_notice",
        "promo_tail",
        "promo_block",
    }
    assert stages["line_breaks"].options["clipper_threshold"] == 1.0
    assert isinstance(stages["line_breaks"].options["clipper_threshold"], float)
    assert stages["images"].options["roots"] == ["a", "b"]
    assert stages["images"].options["timeout"] == 2.5


def test_a_converted_value_changes_the_output_as_the_typed_one_does():
    """``--set prose_headings.max_chars="200"`` (a TOML string) works as 200 would."""
    text = (
        "**声明：** 该公众号大部分文章来自作者日常学习笔记，也有部分文章是经过作者授权和其他公众号白名单"
        "转载，未经授权严禁转载，仅供学习交流之用，如有侵权请联系删除，文中观点与本公众号无关。\n---\n\n正文。\n"
    ).encode()

    def clean(value):
        pipeline = Pipeline(Config(stage_options={"prose_headings": {"max_chars": value}}))
        doc = pipeline.process(Path("a.md"), text)
        return [c.kind for c in doc.changes if c.stage == "prose_headings"]

    assert clean(60) == clean("60") == ["prose_heading"]
    assert clean(200) == clean("200") == []


def test_every_declared_default_passes_its_own_check():
    for cls in list(available_stages().values()) + list(available_writers().values()):
        owner = f"{cls.__name__}"
        assert read_options(owner, cls.defaults, default_values(cls.defaults)) == default_values(cls.defaults)


def test_a_writer_option_is_checked_the_same_way():
    with pytest.raises(ConfigError) as info:
        make_writer("epub", {"split_kb": "big"})
    assert str(info.value) == "writer 'epub': option 'split_kb' must be a whole number (got 'big')"


def test_an_option_may_say_what_a_default_cannot():
    option = Option(None, "str", optional=True)
    assert option.read(None) is None and option.read("x") == "x"
    with pytest.raises(ValueError):
        option.read(3)
    assert Option(1, "int", minimum=1).read("4") == 4
    with pytest.raises(ValueError, match="at least 1"):
        Option(1, "int", minimum=1).read(0)


@pytest.mark.parametrize("command", ["clean", "convert"])
def test_the_command_line_prints_the_one_line(tmp_path, command):
    sample = SAMPLES / "claude-md-tips-obsidian-clip.md"
    extra = ["-o", str(tmp_path / "out")] if command == "convert" else []
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            command,
            str(sample),
            *extra,
            "--set",
            "prose_headings.max_chars=sixty",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith("stage 'prose_headings': option 'max_chars' must be a whole number (got 'sixty')")
    )
    assert "Traceback" not in done.stderr


# -- priority bands --------------------------------------------------------------------------
def band_error(priority: int, scope: str) -> str:
    cls = type("Odd", (Stage,), {"name": "odd", "priority": priority, "scope": scope})
    with pytest.raises(ConfigError) as info:
        ordered({"odd": cls})
    return str(info.value)


def test_every_installed_stage_lies_in_a_band_that_takes_its_scope():
    assert [c.name for c in ordered(available_stages())][:2] == ["decode", "front_matter"]


def test_a_priority_outside_the_bands_is_refused():
    assert band_error(550, "tree").startswith(
        "stage 'odd' has priority 550, in no band. Bands: 100-199 decoding and front matter (bytes/text); "
    )
    assert "in no band" in band_error(42, "bytes")


def test_a_stage_in_a_band_of_another_scope_is_refused():
    assert band_error(250, "tree") == (
        "stage 'odd' is a tree stage with priority 250, in the band of inline repair, which takes text stages"
    )
    assert "which takes tree stages" in band_error(330, "text")


# -- the repair bases ------------------------------------------------------------------------
class Shout(LineRepair):
    """Test stage: upper-cases ``shout`` and drops a leading ``X``."""

    name = "shout"
    priority = 290
    markers = ("shout",)

    def repair_line(self, line: str, edit: LineEdit) -> str:
        edit.kind("shouted")
        return line.replace("shout", "SHOUT").removeprefix("X")


def run_stage(stage: Stage, text: str, tree: list | None = None) -> Document:
    doc = Document(path=Path("t.md"), text=text, body_line=3)
    doc.tree = tree
    stage.run(doc, StageContext(stage, doc))
    return doc


def test_a_line_repair_never_touches_code_and_keeps_each_line_its_role():
    text = (
        "shout here\n\n"
        "    shout indented code\n\n"
        "- item\n\n"
        "  > ```\n"
        "  > shout in code\n"
        "  > ```\n\n"
        "X# shout, not a heading\n"
        "no marker"
    )
    doc = run_stage(Shout(), text)
    lines = doc.text.split("\n")
    assert lines[0] == "SHOUT here"
    assert lines[2] == "    shout indented code" and lines[7] == "  > shout in code"
    assert lines[10] == "\\# SHOUT, not a heading"  # the edit made no heading
    assert len(lines) == len(text.split("\n"))
    assert [(c.kind, c.line, c.before) for c in doc.changes] == [
        ("shouted", 3, "shout here"),
        ("shouted", 13, "X# shout, not a heading"),
    ]


class DropRules(TreeRepair):
    """Test stage: drops thematic breaks, numbers headings."""

    name = "drop_rules"
    priority = 390

    def match(self, block):
        return block["type"] if block.get("type") in ("thematic_break", "heading") else None

    def handle(self, block, found, ctx, line):
        ctx.record(found, line, "", "")
        if found == "heading":
            block["attrs"]["level"] = 6
            return None
        return []


def test_a_tree_repair_walks_every_depth_and_drops_an_emptied_container():
    from pipeline.tree import parse

    tree = parse("# A\n\n> ---\n\n- x\n\n  ---\n")
    doc = run_stage(DropRules(), "", tree)
    assert [b["type"] for b in doc.tree] == ["heading", "list"]
    assert doc.tree[0]["attrs"]["level"] == 6
    assert [b["type"] for b in doc.tree[1]["children"][0]["children"]] == ["paragraph"]
    assert [c.kind for c in doc.changes] == ["heading", "thematic_break", "thematic_break"]
