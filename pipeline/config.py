"""Configuration: defaults <- [tool.galley] in pyproject.toml or galley.toml <- CLI flags.

The file is looked for in the current folder and its parents (the first
``galley.toml``, or ``pyproject.toml`` with a ``[tool.galley]`` table, wins), or
given with ``--config``. Keys::

    to = ["md", "epub", "docx"]        # output formats
    disable = ["ui_chrome"]            # stages to skip
    enable = ["a_stage"]               # stages that are off by default (a plug-in's)
    [stages.ui_chrome]                 # options of one stage
    rules_off = ["separator_line"]
    [writers.docx]                     # options of one writer
    page_size = "letter"
    strict = true                      # an undeclared structure change fails the file

In pyproject.toml the same keys live under ``[tool.galley]``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

KNOWN_KEYS = {"to", "disable", "enable", "stages", "writers", "jobs", "timeout", "strict"}


@dataclass
class Config:
    formats: list[str] = field(default_factory=lambda: ["md"])
    disabled: set[str] = field(default_factory=set)
    enabled: set[str] = field(default_factory=set)
    stage_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    writer_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: int | None = None
    timeout: float | None = None
    #: a structure change no stage declared fails the file (nothing is written)
    strict: bool = False
    origin: str = "defaults"

    def merge(self, data: dict[str, Any], origin: str) -> None:
        unknown = sorted(set(data) - KNOWN_KEYS)
        if unknown:
            raise ConfigError(f"{origin}: unknown key {unknown[0]!r}. Keys: {', '.join(sorted(KNOWN_KEYS))}")
        if "to" in data:
            self.formats = _str_list(data["to"], origin, "to")
        self.disabled |= set(_str_list(data.get("disable", []), origin, "disable"))
        self.enabled |= set(_str_list(data.get("enable", []), origin, "enable"))
        for key, target in (("stages", self.stage_options), ("writers", self.writer_options)):
            table = data.get(key, {})
            if not isinstance(table, dict):
                raise ConfigError(f"{origin}: {key!r} must be a table")
            for name, opts in table.items():
                if not isinstance(opts, dict):
                    raise ConfigError(f"{origin}: [{key}.{name}] must be a table")
                target.setdefault(name, {}).update(opts)
        if "jobs" in data:
            self.jobs = int(data["jobs"])
        if "timeout" in data:
            self.timeout = float(data["timeout"])
        if "strict" in data:
            if not isinstance(data["strict"], bool):
                raise ConfigError(f"{origin}: 'strict' must be true or false")
            self.strict = data["strict"]
        self.origin = origin

    def digest(self) -> str:
        """A stable hash of everything that changes outputs (for incremental runs)."""
        blob = json.dumps(
            {
                "formats": sorted(self.formats),
                "disabled": sorted(self.disabled),
                "enabled": sorted(self.enabled),
                "stages": self.stage_options,
                "writers": self.writer_options,
                **({"strict": True} if self.strict else {}),
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _str_list(value: Any, origin: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{origin}: {key!r} must be a list of names")
    return value


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    for folder in [start, *start.parents]:
        candidate = folder / "galley.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            data = _read_toml(candidate)
            if "galley" in data.get("tool", {}):
                return candidate, data["tool"]["galley"]
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read

    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def parse_setting(assignment: str) -> tuple[str, str, Any]:
    """``stage.option=value`` (value read as TOML when it parses, else as a string)."""
    key, sep, raw = assignment.partition("=")
    name, dot, option = key.strip().partition(".")
    if not sep or not dot or not name or not option:
        raise ConfigError(f"--set {assignment!r}: expected NAME.OPTION=VALUE")
    import tomllib

    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return name, option.strip(), value


def load_config(config_file: Path | None = None, start: Path | None = None) -> Config:
    cfg = Config()
    if config_file is not None:
        data = _read_toml(config_file)
        if config_file.name == "pyproject.toml":
            data = data.get("tool", {}).get("galley", {})
        cfg.merge(data, str(config_file))
    else:
        found = find_config_file((start or Path.cwd()).resolve())
        if found:
            cfg.merge(found[1], str(found[0]))
    return cfg
