"""The options of a stage or a writer: declared once, checked once, read typed.

A stage (or writer) declares its options in ``defaults``. A plain value declares an
option of that value's type (``"max_chars": 60`` is a whole number, ``"promo":
False`` true or false, ``"timeout": 10.0`` a number); an ``Option`` says what a
plain value cannot (a list of names from a set, a text that may be unset, a
smallest value). When the stage is built, every value given in the configuration
or with ``--set`` is checked and converted, so the stage reads ``self.options[…]``
already typed, and a bad value is one error, always in the same words::

    stage 'prose_headings': option 'max_chars' must be a whole number (got 'sixty')

A ``None``, list or table default declares nothing about its type: such a value is
passed on as it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import ConfigError

#: what each kind of option must be, for the message
_WHAT = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a text",
    "strings": "a list of names",
}
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


@dataclass(frozen=True)
class Option:
    """An option whose default does not say everything about it."""

    default: Any
    #: "bool", "int", "float", "str", "strings" (a list of texts; a comma-separated
    #: text is read as one), or "any" (not checked)
    kind: str = "any"
    #: the values a "str" may take, the items a "strings" may hold
    choices: tuple[str, ...] = ()
    #: None is a value too ("not set")
    optional: bool = False
    #: the smallest value an "int" or "float" may take
    minimum: float | None = None

    def read(self, value: Any) -> Any:
        """``value`` converted to this option's kind; ValueError (a phrase saying what
        it must be) when it cannot be."""
        if value is None and (self.optional or self.kind == "any"):
            return None
        kind = self.kind
        if kind == "any":
            return value
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
                return value.strip().lower() in _TRUE
        elif kind in ("int", "float"):
            number = _number(value, kind)
            if number is not None:
                if self.minimum is not None and number < self.minimum:
                    raise ValueError(f"at least {self.minimum:g}")
                return number
        elif kind == "str":
            if isinstance(value, str):
                if self.choices and value not in self.choices:
                    raise ValueError("one of " + ", ".join(repr(c) for c in self.choices))
                return value
        elif kind == "strings":
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                if self.choices and any(v not in self.choices for v in value):
                    raise ValueError("a list of names from " + ", ".join(self.choices))
                return list(value)
        else:  # pragma: no cover - a declaration error, caught by the tests of each stage
            raise TypeError(f"unknown option kind {kind!r}")
        raise ValueError(_WHAT[kind])


def _number(value: Any, kind: str) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value) if kind == "float" else int(value.strip())
        except ValueError:
            return None
    if kind == "float" and isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def declared(default: Any) -> Option:
    """The declaration a ``defaults`` entry makes."""
    if isinstance(default, Option):
        return default
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
        if isinstance(default, types):
            return Option(default, kind)
    return Option(default)


def default_values(defaults: dict[str, Any]) -> dict[str, Any]:
    """The default of every option (what ``defaults`` declares, as plain values)."""
    return {name: declared(d).default for name, d in defaults.items()}


def read_options(owner: str, defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Every option of ``owner`` (``stage 'ui_chrome'``): its default, or the value
    given, checked and converted. One ConfigError for an unknown option or a bad value."""
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        valid = ", ".join(sorted(defaults)) or "none"
        raise ConfigError(f"{owner} has no option {unknown[0]!r}. Options: {valid}")
    options = default_values(defaults)
    for name, value in given.items():
        try:
            options[name] = declared(defaults[name]).read(value)
        except ValueError as exc:
            raise ConfigError(f"{owner}: option {name!r} must be {exc} (got {value!r})") from None
    return options
