"""The Markdown writer on other implementations' test suites (tests/peers.py).

With every stage off, each example goes parse -> tree -> Markdown; the output must
render as the example does (judged by markdown-it-py configured as the suite's own
tests configure it) on at least as many examples as mdformat 1.0 with mdformat-gfm
manages, measured here on the same examples, and every output must be stable on a
second pass. ``python tests/peers.py -v`` prints the table and what still differs.
"""
from __future__ import annotations

import pytest

import peers

SUITES = peers.suites()
# Suites where the writer does not yet reach mdformat: mistune reads some CommonMark
# corners differently (reference definitions interrupted or inside quotes, tabs in
# quotes, HTML blocks), and link targets are written percent-encoded as mistune holds
# them (IDN hosts, surrogates). Strict: a suite that catches up fails here until removed.
BEHIND = {"cmark-gfm/regression.txt", "markdown-it-py/commonmark_extras.md", "markdown-it-py/fatal.md",
          "markdown-it-py/normalize.md", "markdown-it-py/punycode.md", "markdown-it-py/strikethrough.md",
          "markdown-it-py/xss.md", "mdformat/default_style.md"}
UNSTABLE = {"markdown-it-py/commonmark_extras.md", "mdformat/default_style.md"}


def marked(names, known, reason):
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=reason)) if n in known else n
            for n in names]


@pytest.fixture(scope="module")
def measured():
    pipeline = peers.writer_only()
    results = {name: peers.measure(examples, pipeline) for name, examples in SUITES.items()}
    print("\n" + peers.table(results))
    return results


def test_every_suite_is_there():
    assert all(SUITES.values()), [name for name, exs in SUITES.items() if not exs]
    assert len(SUITES["cmark-gfm/spec.txt"]) == 671  # 673 examples, 2 tagged "disabled"


@pytest.mark.parametrize("suite", marked(SUITES, BEHIND, "behind mdformat"))
def test_writer_keeps_as_many_examples_as_mdformat(measured, suite):
    results = measured[suite]
    ours = [r.example.line for r in results if not r.same]
    theirs = sum(r.mdformat_same for r in results)
    assert len(results) - len(ours) >= theirs, f"{suite}: lines that render differently: {ours}"


@pytest.mark.parametrize("suite", marked(SUITES, UNSTABLE, "unstable examples left"))
def test_writer_output_is_stable(measured, suite):
    assert [r.example.line for r in measured[suite] if not r.stable] == []
