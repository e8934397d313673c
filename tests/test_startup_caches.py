"""What makes a ``galley`` process start quickly changes no result.

- The regular-expression cache (``pipeline/regexcache.py``): a second process reads
  the programs the first one wrote, compiles nothing it has, gives byte-identical
  output, and a damaged or foreign cache file is ignored.
- The entry-point reader (``pipeline/entrypoints.py``) finds what
  ``importlib.metadata`` finds, in every group galley reads.
"""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import SAMPLES

from pipeline import entrypoints

SAMPLE = SAMPLES / "claude-md-tips-obsidian-clip.md"
LAUNCH = "import sys; from pipeline.launch import main; sys.argv[0] = 'galley'; main()"
PROBE = (
    "import sys, atexit; from re import _compiler; n = [0]; real = _compiler.compile\n"
    "def count(p, flags=0):\n    n[0] += 1\n    return real(p, flags)\n"
    "_compiler.compile = count\n"
    "atexit.register(lambda: print('compiled', n[0], file=sys.stderr))\n" + LAUNCH
)


def galley(cache: Path, *args: str, probe: bool = False) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, GALLEY_REGEX_CACHE=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("GALLEY_NO_REGEX_CACHE", None)
    code = PROBE if probe else LAUNCH
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, env=env, timeout=120)


def compiled(proc: subprocess.CompletedProcess[bytes]) -> int:
    found = re.search(rb"compiled (\d+)", proc.stderr)
    assert found, proc.stderr
    return int(found.group(1))


def test_a_second_process_compiles_nothing_the_first_one_cached(tmp_path):
    cache = tmp_path / "regex.bin"
    first = galley(cache, "clean", str(SAMPLE), probe=True)
    assert first.returncode == 0, first.stderr
    assert compiled(first) > 50  # the stages, the parser and YAML compile their patterns
    assert cache.is_file()
    written = cache.read_bytes()
    second = galley(cache, "clean", str(SAMPLE), probe=True)
    assert second.returncode == 0, second.stderr
    assert compiled(second) == 0
    assert second.stdout == first.stdout
    assert cache.read_bytes() == written  # nothing new: not rewritten


def test_the_cached_programs_are_the_ones_re_builds(tmp_path):
    cache = tmp_path / "regex.bin"
    assert galley(cache, "clean", str(SAMPLE)).returncode == 0
    header, entries = marshal.loads(cache.read_bytes())
    assert header[0] == "galley-regex"
    assert len(entries) > 50
    import _sre

    for pattern, flags, final, code, groups, groupindex, indexgroup in entries:
        fresh = re._compiler.compile(pattern, flags)  # type: ignore[attr-defined]
        # patterns compare equal when text, flags and program are the same
        assert _sre.compile(pattern, final, code, groups, groupindex, indexgroup) == fresh


@pytest.mark.parametrize(
    "damage",
    [b"", b"not marshal at all", marshal.dumps((("galley-regex", 1, "2.7", 0), [])), marshal.dumps([1, 2])],
    ids=["empty", "garbage", "other-python", "wrong-shape"],
)
def test_a_damaged_cache_is_ignored_and_replaced(tmp_path, damage):
    cache = tmp_path / "regex.bin"
    reference = galley(tmp_path / "fresh.bin", "clean", str(SAMPLE))
    cache.write_bytes(damage)
    proc = galley(cache, "clean", str(SAMPLE))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == reference.stdout
    assert b"Traceback" not in proc.stderr
    assert marshal.loads(cache.read_bytes())[0][0] == "galley-regex"


def test_a_program_the_engine_refuses_is_compiled_afresh(tmp_path):
    cache = tmp_path / "regex.bin"
    assert galley(cache, "clean", str(SAMPLE)).returncode == 0
    header, entries = marshal.loads(cache.read_bytes())
    broken = [(e[0], e[1], e[2], [255] * len(e[3]), *e[4:]) for e in entries]
    cache.write_bytes(marshal.dumps((header, broken)))
    proc = galley(cache, "clean", str(SAMPLE), probe=True)
    assert proc.returncode == 0, proc.stderr
    assert compiled(proc) > 50


def test_no_cache_is_written_where_bytecode_may_not_be(tmp_path):
    cache = tmp_path / "regex.bin"
    env = dict(os.environ, GALLEY_REGEX_CACHE=str(cache), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", LAUNCH, "clean", str(SAMPLE)], capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert not cache.exists()


@pytest.mark.parametrize(
    "group", ["galley.stages", "galley.writers", "galley.writer_options", "console_scripts"]
)
def test_the_entry_point_reader_finds_what_importlib_metadata_finds(group):
    ours = {(ep.name, ep.value) for ep in entrypoints.group(group)}
    theirs = {(ep.name, ep.value) for ep in entry_points(group=group)}
    assert ours == theirs
    assert ours or group == "galley.writer_options"


def test_the_provider_is_the_distribution_name_and_version():
    from importlib.metadata import version

    ep = next(ep for ep in entrypoints.group("galley.stages") if ep.name == "decode")
    assert entrypoints.provider(ep) == f"galleyproof=={version('galleyproof')}"
    assert ep.load().name == "decode"
