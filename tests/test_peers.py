"""The Markdown writer on other implementations' test suites (tests/peers.py).

With every stage off, each example goes parse -> tree -> Markdown; the output must
render as the example does (judged by markdown-it-py configured as the suite's own
tests configure it) on at least as many examples as mdformat 1.0 with mdformat-gfm
manages, measured here on the same examples, and every output must be stable on a
second pass. ``python tests/peers.py -v`` prints the table (with the blocks written
as their source lines, see render_body) and what still differs.
"""

from __future__ import annotations

import peers
import pytest

SUITES = peers.suites()


@pytest.fixture(scope="module")
def measured():
    pipeline = peers.writer_only()
    results = {name: peers.measure(examples, pipeline) for name, examples in SUITES.items()}
    print("\n" + peers.table(results))
    return results


def test_every_suite_is_there():
    assert all(SUITES.values()), [name for name, exs in SUITES.items() if not exs]
    assert len(SUITES["cmark-gfm/spec.txt"]) == 671  # 673 examples, 2 tagged "disabled"


@pytest.mark.parametrize("suite", SUITES)
def test_writer_keeps_as_many_examples_as_mdformat(measured, suite):
    results = measured[suite]
    ours = [r.example.line for r in results if not r.same]
    theirs = sum(r.mdformat_same for r in results)
    assert len(results) - len(ours) >= theirs, f"{suite}: lines that render differently: {ours}"


@pytest.mark.parametrize("suite", SUITES)
def test_writer_output_is_stable(measured, suite):
    assert [r.example.line for r in measured[suite] if not r.stable] == []


@pytest.fixture(scope="module")
def cleaned():
    return [c for examples in SUITES.values() for c in peers.cleanup(examples)]


def test_cleanup_leaves_debris_free_examples_alone(cleaned, measured):
    """The default cleanup on every example that holds no debris (none a reader sees,
    none a stage declares it removed): at most 1% render differently, and each of
    those differences is in the report (a structure warning, or a recorded change that
    can alter what is shown), unless the writer alone already renders it differently
    (see the writer tests above: what a suite's judge reads unlike CommonMark). Where
    only the title went into the metadata and the outline moved as a whole under it,
    the example counts as rendering the same."""
    writer_differs = {(r.example.suite, r.example.line) for rs in measured.values() for r in rs if not r.same}
    clean = [c for c in cleaned if not c.debris]
    differ = [c for c in clean if not (c.same or c.moved)]
    print(
        f"\n{len(cleaned)} examples, {len(clean)} with no debris: {len(differ)} render differently "
        f"after the cleanup, {sum(c.moved for c in clean)} only by the title and the outline's start"
    )
    assert len(clean) > 900
    assert len(differ) <= len(clean) // 100, [(c.example.suite, c.example.line, c.reported) for c in differ]
    unexplained = [
        (c.example.suite, c.example.line)
        for c in differ
        if not c.reported and (c.example.suite, c.example.line) not in writer_differs
    ]
    assert unexplained == []
