"""Typed plugin parameters: the GUI builds forms from them, the CLI parses ``k=v`` strings with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .errors import InvalidParameterError


@dataclass(frozen=True)
class Param:
    """Base of all parameter specs. ``name`` is the key in the params dict."""

    name: str
    default: Any = None
    label: str = ""
    help: str = ""

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def parse(self, text: str) -> Any:
        """Turn a command-line string into a validated value."""
        return self.validate(text)

    def validate(self, value: Any) -> Any:
        return value


@dataclass(frozen=True)
class Float(Param):
    range: tuple[float, float] | None = None
    unit: str = ""
    step: float | None = None

    def validate(self, value: Any) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise InvalidParameterError(f"Parameter '{self.name}' must be a number, got {value!r}") from None
        if v != v:
            raise InvalidParameterError(f"Parameter '{self.name}' must be a number, got NaN")
        if self.range and not self.range[0] <= v <= self.range[1]:
            raise InvalidParameterError(
                f"Parameter '{self.name}' = {v:g}{self.unit} is outside {self.range[0]:g}..{self.range[1]:g}{self.unit}"
            )
        return v


@dataclass(frozen=True)
class Int(Param):
    range: tuple[int, int] | None = None
    unit: str = ""

    def validate(self, value: Any) -> int:
        try:
            v = int(value) if not isinstance(value, float) or value.is_integer() else None
        except (TypeError, ValueError):
            v = None
        if v is None:
            raise InvalidParameterError(f"Parameter '{self.name}' must be a whole number, got {value!r}")
        if self.range and not self.range[0] <= v <= self.range[1]:
            raise InvalidParameterError(f"Parameter '{self.name}' = {v} is outside {self.range[0]}..{self.range[1]}")
        return v


@dataclass(frozen=True)
class Bool(Param):
    def validate(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off"):
            return False
        raise InvalidParameterError(f"Parameter '{self.name}' must be true or false, got {value!r}")


@dataclass(frozen=True)
class Choice(Param):
    choices: Sequence[str] = field(default_factory=tuple)

    def validate(self, value: Any) -> str:
        v = str(value)
        if v not in self.choices:
            raise InvalidParameterError(f"Parameter '{self.name}' must be one of {', '.join(self.choices)}; got {v!r}")
        return v


@dataclass(frozen=True)
class Text(Param):
    multiline: bool = False

    def validate(self, value: Any) -> str:
        return "" if value is None else str(value)


def resolve_params(specs: Sequence[Param], given: dict[str, Any] | None) -> dict[str, Any]:
    """Defaults filled in, every value validated; unknown names are an error (typos must not pass silently)."""
    given = dict(given or {})
    by_name = {p.name: p for p in specs}
    unknown = set(given) - set(by_name)
    if unknown:
        raise InvalidParameterError(
            f"Unknown parameter(s) {', '.join(sorted(unknown))}; known: {', '.join(by_name) or 'none'}"
        )
    out = {}
    for p in specs:
        out[p.name] = p.validate(given[p.name]) if p.name in given else p.default
    return out


def parse_cli_params(specs: Sequence[Param], pairs: Sequence[str]) -> dict[str, Any]:
    """Parse ``["k=v", ...]`` from the command line with each parameter's own parser."""
    by_name = {p.name: p for p in specs}
    given: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InvalidParameterError(f"Parameters are given as name=value, got {pair!r}")
        k, v = pair.split("=", 1)
        k = k.strip()
        given[k] = by_name[k].parse(v) if k in by_name else v
    return resolve_params(specs, given)
