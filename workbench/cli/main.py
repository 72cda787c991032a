"""`workbench` command: the GUI by default; analyze, batch, plugins, models and devices sub-commands.

Every user error (bad file, bad parameter, missing model) prints one clear line and exits non-zero;
tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

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

    from .batch import add_batch_parser

    add_batch_parser(sub)

    d = sub.add_parser("devices", help="list audio and compute devices; --check runs every model plugin on each")
    d.add_argument("--check", action="store_true",
                   help="run every model plugin on a short clip on every device and say where it really ran")
    d.add_argument("--plugin", action="append", default=[], help="with --check: only these plugins")

    m = sub.add_parser("models", help="list, fetch, import and verify models")
    msub = m.add_subparsers(dest="models_command")
    msub.add_parser("list", help="every model with its state, size and licence")
    f = msub.add_parser("fetch", help="download a model (needs internet)")
    f.add_argument("model_id")
    f.add_argument("--repair", action="store_true", help="re-join or re-download a damaged model")
    i = msub.add_parser("import", help="use a model file or folder you already have")
    i.add_argument("model_id")
    i.add_argument("path")
    v = msub.add_parser("verify", help="check the checksums of the models that are present")
    v.add_argument("model_id", nargs="?")
    v.add_argument("--repair", action="store_true", help="repair the damaged models found")

    from .convert import add_convert_parser

    add_convert_parser(sub)
    add_contributed_commands(sub)
    return p


def contributed_commands() -> dict:
    """Sub-command name -> ``Command`` contributed by an installed plugin."""
    from workbench.core.registry import default_registry

    return {c.name: c for m in default_registry() for c in m.commands}


def add_contributed_commands(sub) -> None:
    from workbench.core.contributions import resolve

    for name, command in contributed_commands().items():
        if name in sub.choices:  # the host's own commands win
            continue
        parser = sub.add_parser(name, help=command.help)
        parser.set_defaults(contributed=command)
        try:
            resolve(command.module).add_arguments(parser)
        except Exception as exc:  # a broken plugin command must not break the CLI
            parser.set_defaults(contributed_error=f"the '{name}' command could not be loaded: {exc}")


def _hoist_global_options(argv: list[str]) -> list[str]:
    """``--device X`` and ``--debug`` work anywhere (``workbench analyze f.wav --device cuda``): move them first."""
    front, rest, i = [], [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest += argv[i:]
            break
        if a == "--device" and i + 1 < len(argv):
            front += argv[i:i + 2]
            i += 2
            continue
        if a.startswith("--device=") or a == "--debug":
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


def main(argv: list[str] | None = None) -> int:
    argv = _hoist_global_options(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser()
    if not argv or (argv[0] not in parser._subparsers._group_actions[0].choices and Path(argv[0]).is_file()):
        argv = ["gui", *argv]  # `workbench song.wav` opens the GUI on that file; other words are usage errors (2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from . import commands as cmds

    handlers = {
        None: cmds.cmd_gui, "gui": cmds.cmd_gui, "plugins": cmds.cmd_plugins, "analyze": cmds.cmd_analyze,
        "synthesize": cmds.cmd_synthesize, "speak": cmds.cmd_synthesize,
        "batch": lambda a: __import__("workbench.cli.batch", fromlist=["run"]).run(a),
        "devices": cmds.cmd_devices, "models": cmds.cmd_models,
        "convert": lambda a: __import__("workbench.cli.convert", fromlist=["run"]).run(a),
    }
    try:
        if getattr(args, "contributed_error", ""):
            raise WorkbenchError(args.contributed_error)
        if getattr(args, "contributed", None) is not None:
            from workbench.core.contributions import resolve

            return resolve(args.contributed.module).run(args) or 0
        return handlers[args.command](args) or 0
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:  # a disk or permission problem outside the checked writers: still one line
        if args.debug:
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
