"""`workbench library add|scan|query|identify|list`: the cover-search library from the command line."""

from __future__ import annotations

import sys


def add_arguments(lib) -> None:
    """``Command`` contribution: the ``workbench library`` parser's arguments."""
    lib.add_argument("--db", default=None, help="library database file (default: the user library)")
    lsub = lib.add_subparsers(dest="library_command")
    a = lsub.add_parser("add", help="add a folder of music and analyse it")
    a.add_argument("folder")
    lsub.add_parser("scan", help="re-analyse changed files of every library folder")
    lsub.add_parser("list", help="the library's folders and tracks")
    q = lsub.add_parser("query", help="find covers of a file in the library")
    q.add_argument("file")
    q.add_argument("--top-k", type=int, default=10)
    q.add_argument("--rerank", type=int, default=50)
    q.add_argument("--start", type=float, default=None, help="query from this time (s)")
    q.add_argument("--end", type=float, default=None, help="query up to this time (s)")
    ident = lsub.add_parser("identify", help="name the library recording a clip comes from, and where (fingerprints)")
    ident.add_argument("clip")
    ident.add_argument("--json", action="store_true", help='print {"matches": [{"path", "offset_s", "score"}]}')
    ident.add_argument("--top-k", type=int, default=5)
    ident.add_argument("--start", type=float, default=None, help="use the clip from this time (s)")
    ident.add_argument("--end", type=float, default=None, help="use the clip up to this time (s)")


def _progress(fraction: float, text: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{int(fraction * 100):3d}% {text[:60]:60s}", end="", file=sys.stderr, flush=True)


def run(args) -> int:
    from workbench_plugins.cover_search.library import Library

    cmd = args.library_command or "list"
    with Library(args.db) as lib:
        if cmd in ("add", "scan"):
            report = lib.add_folder(args.folder, _progress) if cmd == "add" else lib.scan(progress=_progress)
            if sys.stderr.isatty():
                print(file=sys.stderr)
            print(f"{report.analysed} analysed, {report.unchanged} unchanged, {report.removed} removed, "
                  f"{report.failed} unreadable in {report.seconds:.1f} s; library {lib.path} has {len(lib)} tracks")
            return 0
        if cmd == "list":
            print(f"library {lib.path}: {len(lib)} tracks")
            for f in lib.folders():
                print(f"folder {f}")
            for _, path, _, dur in lib.tracks():
                print(f"  {dur:7.1f} s  {path}")
            return 0
        if cmd == "identify":
            return _identify(lib, args)
        from workbench.core.audio_io import load_audio
        from workbench_plugins.cover_search.features import analyse_samples
        from workbench_plugins.cover_search.query import CoverSearcher

        buf = load_audio(args.file)
        if args.start is not None or args.end is not None:
            buf = buf.slice(args.start or 0.0, args.end if args.end is not None else buf.duration)
        matches = CoverSearcher(lib).query(analyse_samples(buf.mono_samples, buf.sample_rate), args.top_k,
                                           args.rerank, exclude=args.file)
    print(f"{'rank':>4s}  {'score':>6s}  {'transp':>6s}  {'tempo':>5s}  item")
    for i, m in enumerate(matches, 1):
        print(f"{i:4d}  {m.score:6.3f}  {m.transposition:+6d}  {m.tempo_ratio:5.2f}  {m.item}")
    return 0


def _identify(lib, args) -> int:
    import json

    from workbench.core.audio_io import load_audio
    from workbench_plugins.cover_search.identify import identify

    buf = load_audio(args.clip)
    if args.start is not None or args.end is not None:
        buf = buf.slice(args.start or 0.0, args.end if args.end is not None else buf.duration)
    matches = identify(lib.db, str(lib.path), buf.mono_samples, buf.sample_rate, args.top_k)
    if args.json:
        print(json.dumps({"matches": matches}))
    elif not matches:
        print("no match in the library")
    else:
        for m in matches:
            print(f"{m['path']}  at {m['offset_s']:.2f} s  (score {m['score']})")
    return 0
