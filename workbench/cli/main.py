"""`workbench` command: the GUI by default; analyze, batch, plugins, models and devices sub-commands.

Every user error (bad file, bad parameter, missing model) prints one clear line and exits non-zero;
tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import logging
import sys

from workbench.core.errors import WorkbenchError

EXIT_USER_ERROR = 2
EXIT_CANCELLED = 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Audio Workbench: look at, listen to and transform audio.")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    p.add_argument("--device", default=None, help="compute device: auto (default), cpu, cuda, cuda:1 ...")
    sub = p.add_subparsers(dest="command")

    g = sub.add_parser("gui", help="start the application (the default)")
    g.add_argument("files", nargs="*", help="audio or project files to open")

    sub.add_parser("plugins", help="list plugins with their models and whether each is available offline")

    a = sub.add_parser("analyze", help="run a plugin on a file and write its result")
    a.add_argument("file", help="audio file")
    a.add_argument("--plugin", "-p", required=True, help="plugin id (see `workbench plugins`)")
    a.add_argument("--param", "-P", action="append", default=[], metavar="NAME=VALUE", help="plugin parameter")
    a.add_argument("--out", "-o", required=True, help="output file; its extension picks the format (.csv .jams .mid ...)")
    a.add_argument("--start", type=float, default=None, help="analyse from this time (s)")
    a.add_argument("--end", type=float, default=None, help="analyse up to this time (s)")

    s = sub.add_parser("synthesize", aliases=["speak"], help="run a plugin that makes audio from text (e.g. tts)")
    s.add_argument("--plugin", "-p", default="tts", help="plugin id (default tts)")
    s.add_argument("--text", "-t", default=None, help="the text (same as -P text=...)")
    s.add_argument("--param", "-P", action="append", default=[], metavar="NAME=VALUE")
    s.add_argument("--out", "-o", required=True, help="output file, e.g. speech.wav")

    b = sub.add_parser("batch", help="run a plugin on every audio file of a folder")
    b.add_argument("folder")
    b.add_argument("--plugin", "-p", required=True)
    b.add_argument("--param", "-P", action="append", default=[], metavar="NAME=VALUE")
    b.add_argument("--out-dir", "-o", required=True, help="folder for the results")
    b.add_argument("--format", "-f", default="jams", help="output extension (jams, csv, mid, srt ...)")

    sub.add_parser("devices", help="list audio and compute devices")

    m = sub.add_parser("models", help="list, fetch, import and verify models")
    msub = m.add_subparsers(dest="models_command")
    msub.add_parser("list", help="every model with its state, size and licence")
    f = msub.add_parser("fetch", help="download a model (needs internet)")
    f.add_argument("model_id")
    i = msub.add_parser("import", help="use a model file or folder you already have")
    i.add_argument("model_id")
    i.add_argument("path")
    v = msub.add_parser("verify", help="check the checksums of the models that are present")
    v.add_argument("model_id", nargs="?")

    from .ddsp import add_ddsp_parser
    from .library import add_library_parser

    add_library_parser(sub)
    add_ddsp_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (argv[0] not in parser._subparsers._group_actions[0].choices and not argv[0].startswith("-")):
        argv = ["gui", *argv]  # `workbench song.wav` opens the GUI on that file
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from . import commands as cmds

    handlers = {
        None: cmds.cmd_gui, "gui": cmds.cmd_gui, "plugins": cmds.cmd_plugins, "analyze": cmds.cmd_analyze,
        "synthesize": cmds.cmd_synthesize, "speak": cmds.cmd_synthesize,
        "batch": cmds.cmd_batch, "devices": cmds.cmd_devices, "models": cmds.cmd_models,
        "library": lambda a: __import__("workbench.cli.library", fromlist=["run"]).run(a),
        "ddsp": lambda a: __import__("workbench.cli.ddsp", fromlist=["run"]).run(a),
    }
    try:
        return handlers[args.command](args) or 0
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
