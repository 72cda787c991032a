"""Entry script of the desktop bundle: the same `workbench` command (GUI by default, sub-commands too)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from workbench.cli import main

    sys.exit(main())
