"""`workbench convert IN OUT`: an annotation file to another format (formats from the extensions).

Every layer of IN that OUT's format can hold is written (JAMS and TextGrid hold several in one file). Labels,
subtitles and regions are interchangeable spans: a label track converts to SRT or TextGrid, a TextGrid to
Audacity labels; ``--kind`` says what they are when the file cannot (events, segments or words).
"""

from __future__ import annotations

import sys


def add_convert_parser(sub) -> None:
    c = sub.add_parser("convert", help="convert an annotation file to another format (.jams .csv .txt .srt "
                                       ".vtt .mid .svl .TextGrid .lab)")
    c.add_argument("input", help="annotation file to read")
    c.add_argument("output", help="file to write; its extension picks the format")
    c.add_argument("--kind", choices=("events", "segments", "words"), default=None,
                   help="what labels / subtitles / regions in the input are (default: events for labels, "
                        "segments for subtitles)")


def _fit(layers, ext: str):
    """The layers, each turned into a span kind that ``ext`` can hold when its own kind cannot."""
    from workbench.core.export import FORMATS
    from workbench.core.importers import SPAN_KINDS, as_kind

    out = []
    for layer in layers:
        if ext not in FORMATS.get(layer.kind, {}) and layer.kind in SPAN_KINDS:
            fits = [k for k in SPAN_KINDS if ext in FORMATS[k]]
            layer = as_kind(layer, fits[0]) if fits else layer
        out.append(layer)
    return out


def run(args) -> int:
    from pathlib import Path

    from workbench.core.errors import WorkbenchError
    from workbench.core.export import export_layers
    from workbench.core.export.atomic import check_target, protected_inputs
    from workbench.core.importers import import_layers

    check_target(args.output, [args.input])  # never write over the file being converted
    layers = import_layers(args.input, kind=args.kind)
    if not layers:
        raise WorkbenchError(f"'{args.input}' holds no annotation layers")
    with protected_inputs(args.input):
        written = export_layers(_fit(layers, Path(args.output).suffix.lower()), args.output)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(layers)} layer(s) read from {args.input}", file=sys.stderr)
    return 0
