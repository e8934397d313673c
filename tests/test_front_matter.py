"""Front matter: dates read back as themselves, and hostile YAML is refused, not run."""

from __future__ import annotations

import datetime as dt
import os
from email.utils import format_datetime
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.runner import Pipeline
from pipeline.writers.markdown import render_document
from stages.front_matter import normalize_date

PIPELINE = Pipeline()
SETTINGS = settings(
    derandomize="GALLEY_EXAMPLES" not in os.environ,
    max_examples=int(os.environ.get("GALLEY_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def clean(text: str) -> str:
    return render_document(PIPELINE.process(Path("clip.md"), text.encode("utf-8")))


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31))
zones = st.sampled_from(
    [None, dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)
times = st.builds(
    lambda d, h, m, s, us, tz: dt.datetime(d.year, d.month, d.day, h, m, s, us, tz),
    days,
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.sampled_from([0, 0, 500000, 123456]),
    zones,
)


def _forms(value: dt.date) -> list[str]:
    """The ways clippers and people write one date or time in YAML."""
    if not isinstance(value, dt.datetime):
        return [
            value.isoformat(),
            f"'{value.isoformat()}'",
            f'"{value:%Y/%m/%d}"',
            f"{value.year}年{value.month}月{value.day}日",
        ]
    forms = [value.isoformat(), f"'{value.isoformat()}'", f'"{value.isoformat(sep=" ")}"']
    if value.tzinfo is dt.UTC:
        forms.append(f'"{value.replace(tzinfo=None).isoformat()}Z"')
    if value.tzinfo is not None and value.microsecond == 0:
        forms.append(f'"{format_datetime(value)}"')
    if value.tzinfo is None and value.microsecond == 0 and value.second == 0:  # no seconds written
        forms.append(f"{value.year}年{value.month}月{value.day}日 {value.hour}:{value.minute:02d}")
    return forms


@st.composite
def dated_clippings(draw):
    value = draw(st.one_of(days, times))
    form = draw(st.sampled_from(_forms(value)))
    key = draw(st.sampled_from(["date", "published", "created", "pubdate"]))
    return value, key, f'---\ntitle: "A clipping"\n{key}: {form}\n---\nThe text of the clipping.\n'


@SETTINGS
@given(dated_clippings())
def test_a_date_in_any_form_reads_back_as_itself(case):
    value, key, text = case
    once = clean(text)
    assert clean(once) == once
    meta = front_matter(once)
    if key == "created":  # not the article's date: kept as written (a date as ISO 8601)
        given_value = front_matter(text)["created"]
        if isinstance(given_value, (dt.date, dt.datetime)):
            given_value = given_value.isoformat()
        assert meta["created"] == str(given_value)
        return
    written = str(meta["date"])
    if isinstance(value, dt.datetime):
        assert (
            dt.datetime.fromisoformat(written) == value
            or dt.datetime.fromisoformat(written).replace(tzinfo=value.tzinfo) == value
        )
    else:
        assert written == value.isoformat()


def test_a_web_clipper_date_stays_a_date():
    text = '---\ntitle: "X"\nsource: "https://example.com/a"\npublished: 2023-05-26\n---\nBody.\n'
    once = clean(text)
    assert "date: '2023-05-26'\n" in once
    assert clean(once) == once


@given(st.one_of(days, times))
@SETTINGS
def test_normalized_dates_are_a_fixed_point(value):
    for form in _forms(value):
        loaded = yaml.safe_load(f"v: {form}")["v"]
        iso = normalize_date(loaded)
        assert iso is not None, form
        assert normalize_date(iso) == iso


def _alias_bomb(levels: int = 8, width: int = 10) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]")
    return "\n".join(lines)


def test_an_alias_bomb_is_refused_and_the_body_kept():
    bomb = _alias_bomb()
    doc = PIPELINE.process(Path("bomb.md"), f"---\ntitle: Bomb\n{bomb}\n---\n\nThe body stays.\n".encode())
    out = render_document(doc)
    assert any("aliases expand" in w for w in doc.warnings), doc.warnings
    assert "```yaml\ntitle: Bomb\n" + bomb + "\n```\n" in out
    assert out.endswith("The body stays.\n")
    assert clean(out) == out


def test_front_matter_nested_too_deep_or_too_large_is_refused():
    deep = "x: " + "[" * 20000 + "]" * 20000
    doc = PIPELINE.process(Path("deep.md"), f"---\ntitle: Deep\n{deep}\n---\nBody.\n".encode())
    assert any("nested too deep" in w for w in doc.warnings), doc.warnings
    assert doc.meta.title != "Deep" and "Body." in render_document(doc)
    big = "title: Big\n" + "".join(f"k{n}: {'v' * 60}\n" for n in range(2000))
    doc = PIPELINE.process(Path("big.md"), f"---\n{big}---\nBody.\n".encode())
    assert any("larger than" in w for w in doc.warnings), doc.warnings
    assert doc.meta.title != "Big" and "k1999: " in render_document(doc)


def test_a_recursive_alias_is_refused():
    doc = PIPELINE.process(Path("loop.md"), b"---\ntitle: Loop\na: &a [1, *a]\n---\nBody.\n")
    assert any("aliases expand" in w for w in doc.warnings), doc.warnings
    assert "Body." in render_document(doc)
