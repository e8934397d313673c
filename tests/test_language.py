"""The language every sample and corpus article is written in, as a reader would say.

The list is by hand (from reading each article), not from the detector's output: a
change to the detection that misreads one of them fails here. The corpus articles
are checked where the shared corpus is present, and skipped elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES

SAMPLE_LANGUAGES = {
    "claude-md-tips-obsidian-clip.md": "zh-CN",
    "daringfireball-iphone-16e.md": "en",
    "wechat-html2text-export.md": "zh-CN",
    "xiaomi-courage-2024.md": "zh-CN",
    "zhihu-network-io-copy.md": "zh-CN",
}

CORPUS_LANGUAGES = {
    "clip-001.md": "en",  # daringfireball.net review
    "clip-002.md": "en",  # paulgraham.com essay
    "clip-003.md": "en",  # stephango.com essay
    "clip-004.md": "en",  # journal article, OUP
    "clip-005.md": "en",  # swift.org post
    "clip-006.md": "zh-CN",  # juejin translation of a Core Graphics tutorial, code-heavy
    "cp-001.md": "zh-CN",
    "cp-002.md": "zh-CN",
    "cp-003.md": "zh-CN",
    "cp-004.md": "zh-CN",
    "cp-005.md": "zh-CN",  # kernel notes, code-heavy
    "cp-006.md": "zh-CN",
    "ctl-001.md": "zh-CN",  # ruanyf weekly
    "ctl-002.md": "zh-CN",  # RuyiSDK biweekly, many English product names
    "ctl-003.md": "en",  # obsidian.md blog
    "note-001.md": "zh-CN",  # MyBatis notes, code-heavy
    "wx-001.md": "zh-CN",  # security advisory with HTML tables
    "wx-002.md": "zh-CN",  # Pocsuite3 tutorial: commands in the prose
    "wx-003.md": "zh-CN",
    "wx-004.md": "zh-CN",
    "wx-005.md": "zh-CN",  # kernel exploit analysis, code-heavy
    "wx-006.md": "zh-CN",
    "wx-007.md": "zh-CN",
    "wx-008.md": "zh-CN",
    "wx-009.md": "zh-CN",
    "wx-010.md": "zh-CN",
    "wx-011.md": "zh-CN",
}


def _lang(pipeline, path: Path) -> str | None:
    doc = pipeline.process(path, path.read_bytes())
    return doc.meta.lang


def test_every_sample_is_listed():
    assert sorted(p.name for p in SAMPLES.glob("*.md")) == sorted(SAMPLE_LANGUAGES)


@pytest.mark.parametrize("name", sorted(SAMPLE_LANGUAGES))
def test_sample_language(pipeline, name):
    assert _lang(pipeline, SAMPLES / name) == SAMPLE_LANGUAGES[name]


def test_every_corpus_article_is_listed():
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    assert sorted(p.name for p in CORPUS.glob("*.md")) == sorted(CORPUS_LANGUAGES)


@pytest.mark.parametrize("name", sorted(CORPUS_LANGUAGES))
def test_corpus_language(pipeline, name):
    path = CORPUS / name
    if not path.is_file():
        pytest.skip("shared corpus not present")
    assert _lang(pipeline, path) == CORPUS_LANGUAGES[name]
