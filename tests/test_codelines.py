"""Which lines are code, wherever the code sits: the text stages' view of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.codelines import FENCED, INDENTED, code_kinds, code_spans
from pipeline.tree import parse, walk

SPEC = Path(__file__).parent / "fixtures" / "commonmark" / "spec.txt"
EXAMPLE = re.compile(r"^`{32} example\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)


def kinds(text: str) -> list[str | None]:
    return code_kinds(text.split("\n"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("> ```c\n> int main(int argc, char **argv)\n> ```\n", [FENCED, FENCED, FENCED, None]),
        ("> [!tip]\n> ```\n> /a**b/\n> ```\nafter **", [None, FENCED, FENCED, FENCED, None]),
        ("- item\n\n  ```\n  a**b\n  ```\n- next", [None, None, FENCED, FENCED, FENCED, None]),
        ("1. one\n   > ```\n   > x\n   > ```\n", [None, FENCED, FENCED, FENCED, None]),
        ("> quote\n\n    indented code\n", [None, None, INDENTED, None]),
        (">     code in a quote\n> text\n", [INDENTED, None, None]),
        ("- item\n\n    continuation, not code\n", [None, None, None, None]),
        ("para\n    lazy, not code\n", [None, None, None]),
        ("> ```\n> x\noutside: the quote ended, and the fence with it\n", [FENCED, FENCED, None, None]),
        ("    a\n\n    b\n\nc\n", [INDENTED, INDENTED, INDENTED, None, None, None]),
        ("``` not `a fence`\ntext\n", [None, None, None]),
        ("<!-- note -->\n    code after a closed HTML block\n", [None, INDENTED, None]),
        ("<div>\n    the HTML block's own line\n", [None, None, None]),
        ("> a\n<!-- x -->\n    code after the quote and the comment\n", [None, None, INDENTED, None]),
        (
            "[^1]: a note\n\n    its second paragraph\n\n        its code\n",
            [None, None, None, None, INDENTED, None],
        ),
        ("-\n}\n\n    the empty item's, as the parser reads it\n", [None, None, None, None, None]),
        ("2. one\n3. ```\n   x\n   ```\n", [None, FENCED, FENCED, FENCED, None]),
        ("> a\n-     code in an item after the quote\n", [None, INDENTED, None]),
        ("<s>\n```\n\n    code after the HTML block\n", [None, None, None, INDENTED, None]),
        ("a\n<div>\n```\nthe block's\n\n```\n", [None, None, None, None, None, FENCED, FENCED]),
        ("a\n<s>\n```\nnot HTML: a paragraph's line\n", [None, None, FENCED, FENCED, FENCED]),
        ("> <div>\n> ```\n```\nx\n```\n", [None, None, FENCED, FENCED, FENCED, None]),
    ],
)
def test_code_lines_at_any_depth(text, expected):
    assert kinds(text) == expected


def test_every_code_line_of_the_spec_examples_is_found():
    """Each line of each code block the parser finds is on a line marked as code."""
    missed = []
    for n, m in enumerate(EXAMPLE.finditer(SPEC.read_text("utf-8"))):
        src = m.group(1).replace("→", "\t")
        lines = src.split("\n")
        marked = [ln.expandtabs(4).rstrip() for ln, k in zip(lines, code_kinds(lines), strict=True) if k]
        for tok in walk(parse(src)):
            if tok.get("type") != "block_code":
                continue
            for line in tok.get("raw", "").split("\n"):
                want = line.expandtabs(4).rstrip()
                if want.strip() and not any(have.endswith(want) for have in marked):
                    missed.append((n + 1, line))
    assert not missed, missed[:10]


def test_code_blocks_that_touch_start_apart():
    """Two indented blocks with no blank line between (the second in a quote) are two
    blocks: each is judged code or prose on its own."""
    starts: set[int] = set()
    lines = "    a\n>     b\n    c\n".split("\n")
    assert code_kinds(lines, starts) == [INDENTED, INDENTED, INDENTED, None]
    assert starts == {0, 1, 2}


def test_code_spans_across_lines():
    lines = ["Run ``ls  ", "-l `` and `a` and \\`not code`", "x"]
    ranges, open_ends = code_spans(lines, [False] * 3)
    assert open_ends == {0}
    assert ranges[0] == [(4, 10)]
    assert ranges[1][0] == (0, 5) and lines[1][ranges[1][1][0] : ranges[1][1][1]] == "`a`"
    assert len(ranges[1]) == 2  # the escaped backtick opens nothing; its partner stays literal


def test_a_quoted_html_block_is_one_chunk():
    from pipeline.textscan import chunks

    # an HTML block runs to a blank line, its lines indented or not; a paragraph's does not
    assert list(chunks("> <div>\n>  **\n".split("\n"))) == [(0, 2)]
    assert list(chunks("> a\n>  **\n".split("\n"))) == [(0, 1), (1, 2)]
