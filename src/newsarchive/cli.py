"""`newsarchive` command line: one subcommand per module in :mod:`newsarchive.commands`.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``.
Modules are imported only when their command runs, so ``newsarchive --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# name -> (module, one-line help). The help is duplicated here so --help needs no imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "clean": ("newsarchive.commands.clean", "write cleaned records next to every capture in the archive"),
    "index": ("newsarchive.commands.index", "build or update the SQLite index of all records"),
    "diff": ("newsarchive.commands.diff", "diff new captures against the seeds or earlier captures"),
    "history": (
        "newsarchive.commands.history", "every capture of one article (by URL or id): states, versions, diffs"
    ),
    "changes": (
        "newsarchive.commands.changes",
        "what changed: new, edited, deleted, restored and moved articles (text, JSONL, Atom, HTML)",
    ),
    "dups": ("newsarchive.commands.dups", "clusters of exact and near-duplicate articles"),
    "export": ("newsarchive.commands.export", "export records as JSONL, Parquet or a folder of .txt"),
    "verify": (
        "newsarchive.commands.verify",
        "check that every record is readable and points at a complete raw capture",
    ),
    "serve": ("newsarchive.commands.serve", "browse and search the archive in a browser (local, read-only)"),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsarchive", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_)
        if name == chosen:
            importlib.import_module(module).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args) or 0)
    except BrokenPipeError:  # `newsarchive diff ... | head` stopped reading: no traceback for that
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
