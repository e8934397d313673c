"""The Markdown writer on other implementations' test suites (tests/peers.py).

With every stage off, each example goes parse -> tree -> Markdown; the output must
render as the example does (judged by markdown-it-py configured as the suite's own
tests configure it) on at least as many examples as mdformat 1.0 with mdformat-gfm
manages, measured here on the same examples, and every output must be stable on a
second pass. ``python tests/peers.py -v`` prints the table (with the blocks written
as their source lines, see render_body) and what still differs.
"""
from __future__ import annotations

import pytest

import peers

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
