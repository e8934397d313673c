"""The shortcuts of the per-document core give what the long way gives: the code
lines remembered per text, and link destinations read by jumps."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import codelines, textscan
from pipeline.commonmark import install_fast_link_href
from pipeline.tree import parse

LINES = st.lists(
    st.sampled_from(
        ["", "text", "    code", "```", "~~~", "> quote", "> ```", "- item", "  - nested", "1. one", "\tx"]
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(LINES)
def test_remembered_code_lines_are_the_scanned_ones(lines: list[str]) -> None:
    assert codelines.code_kinds(lines) == codelines._code_kinds(lines)
    assert codelines.code_kinds(list(lines)) == codelines._code_kinds(lines)  # asked again
    assert textscan.code_line_mask(lines) == textscan._code_line_mask(lines)
    assert textscan.code_line_mask(list(lines)) == textscan._code_line_mask(lines)


def test_a_remembered_result_is_the_callers_own_copy() -> None:
    lines = ["```", "code", "```", "text"]
    kinds = codelines.code_kinds(lines)
    kinds[1] = None
    mask = textscan.code_line_mask(lines)
    mask[1] = False
    assert codelines.code_kinds(lines)[1] == codelines.FENCED
    assert textscan.code_line_mask(lines)[1] is True


def test_changed_lines_are_scanned_again() -> None:
    lines = ["```", "code", "```"]
    assert textscan.code_line_mask(lines) == [True, True, True]
    lines[0] = "text"
    assert textscan.code_line_mask(lines) == [False, False, True]


def test_link_destinations_read_by_jumps_read_as_mistune_reads_them() -> None:
    parse("[a](b)")  # the parser is set up, the fast reading installed
    install_fast_link_href()  # twice changes nothing
    from mistune import helpers

    fast = helpers._parse_link_href
    original = fast.mistune_original  # type: ignore[attr-defined]
    assert fast is not original
    alphabet = list("ab()\\ \t\n\r\f\x0b\x00\x7f<>\"'.:/é_-!")
    rng = random.Random(3)
    for _ in range(20_000):
        src = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        pos = rng.randint(0, len(src))
        for block in (False, True):
            for level in (32, 1):
                assert fast(src, pos, block, max_nested_level=level) == original(
                    src, pos, block, max_nested_level=level
                ), (src, pos, block, level)
