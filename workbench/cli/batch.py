"""`workbench batch FOLDER --plugin ID --out-dir OUT`: a plugin over a whole collection, resumable.

Exit status: 0 when every file is done (now or before), 1 when some failed, 2 for a usage error, 130 on Ctrl-C.
"""

from __future__ import annotations


def add_batch_parser(sub) -> None:
    b = sub.add_parser("batch", help="run a plugin on every audio file of a folder (resumable, parallel, Ray)")
    b.add_argument("folder")
    b.add_argument("--plugin", "-p", required=True)
    b.add_argument("--param", "-P", action="append", default=[], metavar="NAME=VALUE")
    b.add_argument("--out-dir", "-o", required=True, help="folder for the results (mirrors the input folder)")
    b.add_argument("--format", "-f", default="jams", help="output extension (jams, csv, mid, srt ...)")
    b.add_argument("--workers", "-j", type=int, default=None,
                   help="parallel workers, each loading its models once (local default 1; ray: the cluster's CPUs)")
    b.add_argument("--engine", choices=("local", "ray"), default="local", help="local processes or a Ray cluster")
    b.add_argument("--address", default=None, metavar="HOST:PORT|auto",
                   help="Ray cluster to join (default: start a local Ray)")
    b.add_argument("--table", choices=("auto", "parquet", "csv", "none"), default="auto",
                   help="collection tables of tags/events/segments/notes (auto: Parquet when pyarrow is there)")
    b.add_argument("--redo", action="store_true", help="redo every file, even those done before")


def run(args) -> int:
    from pathlib import Path

    from workbench.batch import BatchOptions, run_batch
    from workbench.core.errors import WorkbenchError

    if args.workers is not None and args.workers < 1:
        raise WorkbenchError("--workers must be 1 or more")
    if args.address and args.engine != "ray":
        raise WorkbenchError("--address is for --engine ray")
    summary = run_batch(BatchOptions(
        folder=Path(args.folder), out_dir=Path(args.out_dir), plugin=args.plugin, param_pairs=list(args.param),
        fmt=args.format, workers=args.workers, engine=args.engine, address=args.address, device=args.device,
        table=args.table, redo=args.redo))
    return summary.exit_code
