"""The Markdown writer against the CommonMark spec's 655 examples.

With every stage off, parse -> tree -> Markdown must render to the same HTML as
the input, judged by markdown-it-py (not the parser we use), comparing with
whitespace runs collapsed as mdformat does. The spec is copied into
tests/fixtures/commonmark (CC BY-SA 4.0, John MacFarlane).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from judge import render_html

from pipeline.config import Config
from pipeline.runner import Pipeline
from pipeline.stage import available_stages
from pipeline.writers.markdown import render_document

SPEC = Path(__file__).parent / "fixtures" / "commonmark" / "spec.txt"
EXAMPLE = re.compile(r"^`{32} example\n(.*?)^\.\n(.*?)^`{32}$", re.M | re.S)


def examples() -> list[str]:
    return [m.group(1).replace("→", "\t") for m in EXAMPLE.finditer(SPEC.read_text("utf-8"))]


def normalized(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture(scope="module")
def bare_pipeline():
    return Pipeline(Config(disabled=set(available_stages())))


def roundtrip(pipeline: Pipeline, source: str) -> str:
    return render_document(pipeline.process(Path("example.md"), source.encode("utf-8")))


def test_spec_has_all_examples():
    assert len(examples()) == 655


def test_markdown_writer_keeps_the_html_of_the_spec_examples(bare_pipeline):
    failures = []
    for number, source in enumerate(examples(), 1):
        out = roundtrip(bare_pipeline, source)
        if normalized(render_html(out)) != normalized(render_html(source)):
            failures.append(number)
    assert failures == [], f"examples that render differently: {failures}"


def test_markdown_writer_is_stable_on_its_output(bare_pipeline):
    unstable = []
    for number, source in enumerate(examples(), 1):
        once = roundtrip(bare_pipeline, source)
        if roundtrip(bare_pipeline, once) != once:
            unstable.append(number)
    assert unstable == []
