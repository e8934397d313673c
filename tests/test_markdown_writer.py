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
