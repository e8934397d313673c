"""Every stage fixture: exact output, idempotence, and changed <=> recorded.

Each case runs the stage under test after decoding and front matter (so that the
input is read as a user's file would be) and renders the clean Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from stage_fixtures import read_cases

from pipeline.config import Config
from pipeline.runner import Pipeline
from pipeline.stage import available_stages
from pipeline.writers.markdown import render_document

FIXTURES = Path(__file__).parent / "fixtures" / "stages"
ALWAYS = {"decode", "front_matter"}
CASES = [c for f in sorted(FIXTURES.glob("*.md")) for c in read_cases(f)]


def pipeline_for(stage: str | None, options: dict | None = None) -> Pipeline:
    registry = available_stages()
    keep = ALWAYS | ({stage} if stage else set())
    config = Config(
        enabled={stage} if stage else set(),
        disabled=set(registry) - keep,
        stage_options={stage: options} if stage and options else {},
    )
    return Pipeline(config, registry)


def view(state):
    """What a state means: (body text, tree, metadata). Front matter still in the text
    counts as metadata, so that reading it into ``doc.meta`` is no change in itself."""
    text, tree, meta = state
    if not meta:
        m = re.match(r"---\n(.*?\n)?---\n", text, re.S)
        if m:
            try:
                loaded = yaml.safe_load(m.group(1) or "")
            except yaml.YAMLError:
                loaded = None
            if isinstance(loaded, dict):
                return text[m.end() :], tree, loaded
    return text, tree, meta


def convert(stage: str | None, text: str, options: dict | None = None):
    """Clean Markdown, the stage's change records, and whether the stage changed anything."""
    trace: list = []
    doc = pipeline_for(stage, options).process(Path("case.md"), text.encode("utf-8"), trace=trace)
    changed = any(name == stage and view(before) != view(after) for name, before, after in trace)
    return render_document(doc), [c for c in doc.changes if c.stage == stage], changed


def test_every_stage_has_fixtures():
    stages = set(available_stages()) - {"decode", "images"}
    covered = {c.stage for c in CASES}
    assert stages <= covered, f"stages without fixtures: {sorted(stages - covered)}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture(case):
    out, changes, changed = convert(case.stage, case.source, case.options)
    assert out == case.expected
    assert bool(changes) == changed, "a stage must record a change exactly when it changes the document"
    again, changes_again, changed_again = convert(case.stage, out, case.options)
    assert again == out, "running the stage on its own output changed it"
    assert not changes_again and not changed_again, (
        f"running the stage on its own output changed something: {changes_again}"
    )
