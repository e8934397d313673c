"""Properties of the heading level repair on generated outlines (hypothesis).

Each heading relates to the one before it: deeper, same level, or shallower. The
repair may change a relation only where the input itself is broken there.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from judge import blocks

from pipeline.config import Config
from pipeline.outline import close_levels
from pipeline.runner import Pipeline
from pipeline.stage import available_stages
from pipeline.writers.markdown import render_document

levels = st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=30)
# a fixed seed in the suite; GALLEY_EXAMPLES=N runs N random examples instead
SETTINGS = settings(
    derandomize="GALLEY_EXAMPLES" not in os.environ,
    max_examples=int(os.environ.get("GALLEY_EXAMPLES", "300")),
    deadline=None,
)


def sign(d: int) -> int:
    return (d > 0) - (d < 0)


def relations(seq: list[int]) -> list[int]:
    return [sign(b - a) for a, b in itertools.pairwise(seq)]


@SETTINGS
@given(levels)
def test_closed_outline_starts_at_two_and_never_skips(seq):
    out = close_levels(seq, 2)
    assert out[0] == 2 and all(2 <= lvl <= 6 for lvl in out)
    assert all(b - a <= 1 for a, b in itertools.pairwise(out))


@SETTINGS
@given(levels)
def test_deeper_and_same_are_kept_shallower_only_closes(seq):
    """A heading deeper than the previous stays deeper, a sibling stays a sibling. A
    shallower one stays shallower when it returns to an open section's level (the last
    heading before it at its level or above is at its level); otherwise it closed a
    skip, or rose above the first heading, and may meet the previous one's level.
    (Markdown's six levels are lifted here: below a title, a sixth nested level
    cannot be kept apart.)"""
    out = close_levels(seq, 2, deepest=99)
    for i, (was, now) in enumerate(zip(relations(seq), relations(out), strict=True), start=1):
        if was >= 0:
            assert now == was, (seq, out, i)
            continue
        earlier = [lvl for lvl in seq[:i] if lvl <= seq[i]]
        if earlier and earlier[-1] == seq[i]:
            assert now == -1, (seq, out, i)
        else:
            assert now in (-1, 0), (seq, out, i)


@SETTINGS
@given(levels)
def test_a_well_formed_outline_only_moves_as_a_whole(seq):
    """No skip and the first heading the shallowest: every level moves by the same step."""
    if all(b - a <= 1 for a, b in itertools.pairwise(seq)) and seq[0] == min(seq):
        out = close_levels(seq, 2)
        assert {o - s for o, s in zip(out, seq, strict=True)} == {2 - seq[0]}


def _heading_levels_only() -> Pipeline:
    registry = available_stages()
    keep = {"decode", "front_matter", "heading_levels"}
    return Pipeline(Config(disabled=set(registry) - keep), registry)


PIPE = _heading_levels_only()
numbered = st.tuples(
    st.integers(min_value=1, max_value=6),
    st.one_of(st.none(), st.sampled_from(["1", "2", "3", "01", "02", "1.1", "1.2", "2.1", "2."])),
)


@SETTINGS
@given(st.lists(numbered, min_size=1, max_size=20))
def test_repair_is_idempotent(heads):
    text = (
        "\n\n".join(
            "#" * lvl + " " + (f"{num} " if num else "") + f"h{i}" for i, (lvl, num) in enumerate(heads)
        )
        + "\n"
    )
    once = render_document(PIPE.process(Path("gen.md"), text.encode("utf-8")))
    doc = PIPE.process(Path("gen.md"), once.encode("utf-8"))
    assert render_document(doc) == once
    assert not doc.changes


FULL = Pipeline()
block = st.one_of(
    st.tuples(
        st.integers(min_value=1, max_value=6),
        st.sampled_from(["", "1 ", "2 ", "01 ", "02 ", "1.1 ", "1.2 ", "2.1 ", "1. ", "2、", "一、"]),
        st.sampled_from(
            ["Intro", "参考资料", "References", "**Bold**", "小米", "Title", "长标题" * 15 + "。"]
        ),
    ).map(lambda t: "#" * t[0] + " " + t[1] + t[2]),
    st.sampled_from(["**01**", "**02**", "**2.1**", "1.", "**小标题**", "正文。", "Text.", "---"]),
)


@SETTINGS
@given(st.lists(block, min_size=1, max_size=15), st.booleans())
def test_whole_cleanup_of_outlines_is_idempotent(parts, titled):
    """Headings, section numbers, bold lines, rules: cleaning twice changes nothing,
    and the body's headings (as markdown-it-py reads them) start at 2 and never skip."""
    text = ("---\ntitle: Title\n---\n\n" if titled else "") + "\n\n".join(parts) + "\n"
    once = render_document(FULL.process(Path("gen.md"), text.encode("utf-8")))
    assert render_document(FULL.process(Path("gen.md"), once.encode("utf-8"))) == once
    levels = [level for kind, level, _plain, _kids in blocks(once) if kind == "heading"]
    assert all(b - a <= 1 for a, b in zip([1, *levels], levels, strict=False))
    assert all(lvl >= 2 for lvl in levels)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=6),
            st.sampled_from(["", "1 ", "2 ", "3 ", "01 ", "02 ", "1.1 ", "1.2 ", "2.1 ", "1. ", "2. "]),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_headings_with_text_between_stay_headings_in_order(heads):
    """Sections that all have text: every heading but the title stays a heading, in
    order, and in a well-formed outline only numbering, or a heading above the first
    one's level, changes a relation."""
    text = "\n\n".join("#" * lvl + f" {num}h{i}\n\nText {i}." for i, (lvl, num) in enumerate(heads)) + "\n"
    doc = FULL.process(Path("gen.md"), text.encode("utf-8"))
    out = render_document(doc)
    got = [plain.split()[-1] for kind, _l, plain, _k in blocks(out) if kind == "heading"]
    want = [f"h{i}" for i in range(len(heads))]
    title = doc.meta.title or ""
    assert got == [h for h in want if not title.endswith(" " + h) and title != h]
    numbered = {c.before.split()[-1] for c in doc.changes if c.kind in ("numbered_family", "outline_top")}
    levels_in = [lvl for lvl, _ in heads]
    if levels_in.count(1) <= 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels_in)):
        out_levels = {plain.split()[-1]: level for kind, level, plain, _k in blocks(out) if kind == "heading"}
        kept = [(lvl, f"h{i}") for i, (lvl, _n) in enumerate(heads) if f"h{i}" in out_levels]
        for (a, ha), (b, hb) in itertools.pairwise(kept):
            if sign(b - a) != sign(out_levels[hb] - out_levels[ha]):
                assert {ha, hb} & numbered, (text, out)
