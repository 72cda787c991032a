"""Validation of a project file's JSON before anything is built from it (JSON Schema, one clear line per error).

The layer part of the schema is derived from the layer dataclasses themselves (``LAYER_TYPES``), so a layer kind
added by a plugin is validated too and the schema never drifts from the code. A hand-edited or damaged project
gives e.g. ``layers[2] ('f0').times: 'abc' is not an array of numbers`` instead of a Python exception text.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from .errors import WorkbenchError

_NUMBERS = {"$ref": "#/$defs/numbers"}
_NULLABLE_NUMBERS = {"anyOf": [{"type": "null"}, _NUMBERS]}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_MATCH = {"type": "object", "required": ["item", "score"],
          "properties": {"item": {"type": "string"}, "score": {"type": "number"}, "title": {"type": "string"},
                         "transposition": {"type": "integer"}, "tempo_ratio": {"type": "number"},
                         "alignment": _NUMBERS}}

# dataclass annotation (a string: the layer module uses postponed annotations) -> JSON schema of the field
_BY_ANNOTATION: dict[str, dict] = {
    "str": {"type": "string"},
    "float": {"type": "number"},
    "int": {"type": "integer"},
    "bool": {"type": "boolean"},
    "np.ndarray": _NUMBERS,
    "np.ndarray | None": _NULLABLE_NUMBERS,
    "list[str]": _STRINGS,
    "dict[str, Any]": {"type": "object"},
    "dict[str, AudioBuffer]": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
    "list[Match]": {"type": "array", "items": _MATCH},
}

_DESCRIBE = {"#/$defs/numbers": "an array of numbers"}


def _layer_schema(kind: str, cls) -> dict:
    props: dict[str, Any] = {"kind": {"const": kind}}
    required = ["kind"]
    for f in fields(cls):
        props[f.name] = _BY_ANNOTATION.get(str(f.type), {})
        if f.default is MISSING and f.default_factory is MISSING:
            required.append(f.name)
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def project_schema() -> dict:
    from .layers import LAYER_TYPES

    kinds = {k: cls for k, cls in LAYER_TYPES.items() if k != "layer"}
    layer_rules = [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
                    "then": _layer_schema(k, cls)} for k, cls in kinds.items()]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"numbers": {"type": "array", "items": {"anyOf": [
            {"type": ["number", "boolean", "null"]}, {"$ref": "#/$defs/numbers"}]}}},
        "type": "object",
        "required": ["format", "version"],
        "properties": {
            "format": {"type": "string"},
            "version": {"type": "integer"},
            "audio": {"anyOf": [{"type": "null"}, {"type": "object", "properties": {
                "path": {"type": "string"}, "absolute": {"type": "string"}, "embedded": {"type": "boolean"},
                "sample_rate": {"type": "integer", "minimum": 1}, "channels": {"type": "integer", "minimum": 1},
                "duration": {"type": "number", "minimum": 0}}}]},
            "layers": {"type": "array", "items": {
                "type": "object", "required": ["kind"],
                "properties": {"kind": {"enum": sorted(kinds)}, "name": {"type": "string"}},
                "allOf": layer_rules}},
            "view": {"type": "array", "items": {"type": "object", "properties": {
                "visible": {"type": "boolean"}, "color": {"type": "string"}}}},
            "owned": _STRINGS,
            "view_state": {"type": "object"},  # the GUI's zoom, scroll and view settings
        },
    }


def _where(doc: dict, path) -> str:
    """"layer 3 ('f0'), field 'times'" for the JSON path of an error (layers counted from 1, like the GUI)."""
    path = list(path)
    if len(path) >= 2 and path[0] in ("layers", "view") and isinstance(path[1], int):
        layers = doc.get("layers") if isinstance(doc, dict) else None
        layer = layers[path[1]] if isinstance(layers, list) and path[1] < len(layers) else None
        name = f" ('{layer['name']}')" if isinstance(layer, dict) and isinstance(layer.get("name"), str) else ""
        head = f"{'the view of ' if path[0] == 'view' else ''}layer {path[1] + 1}{name}"
        rest = path[2:]
    else:
        head, rest = "", path
    tail = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".")
    if head and tail:
        return f"{head}, field '{tail}'"
    return head or (f"field '{tail}'" if tail else "the top level")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate_project(doc: Any, where: str) -> None:
    """Raise :class:`WorkbenchError` ``Cannot open project 'where': <field>: <problem>`` for a malformed project."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(project_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    if error is None:
        return
    # inside an if/then, report the deepest concrete problem rather than the combinator
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    ref = error.schema.get("$ref") if isinstance(error.schema, dict) else None
    if error.validator == "additionalProperties":
        problem = error.message.replace("Additional properties are not allowed", "unknown field(s)")
    elif error.validator in ("type", "anyOf", "$ref") or ref:
        expected = _DESCRIBE.get(ref or "", None) or (error.schema.get("type") if isinstance(error.schema, dict)
                                                      else None) or "another type"
        if isinstance(expected, list):
            expected = " or ".join(expected)
        problem = f"{_short(error.instance)} is not {expected if ' ' in str(expected) else 'of type ' + str(expected)}"
    elif error.validator == "enum":
        problem = f"unknown layer kind {_short(error.instance)}"
    else:
        problem = error.message if len(error.message) < 120 else error.message[:117] + "..."
    raise WorkbenchError(f"Cannot open project '{where}': {_where(doc, error.absolute_path)}: {problem}")
