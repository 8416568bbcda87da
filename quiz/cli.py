"""The ``nnprep`` command line. Without a command it opens the TUI.

Exit status: 0 success (or passed), 1 graded and not passed / problems found, 2 bad usage or unreadable input,
3 internal error. Errors are one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

# Which module registers each command, so that running one command imports only its module (`--help` imports all).
COMMANDS: dict[str, str] = {
    "grade": "quiz.commands.grading",
    "policy": "quiz.commands.grading",
    "tasks": "quiz.commands.catalogue",
    "task": "quiz.commands.catalogue",
    "bank": "quiz.commands.bank",
    "schema": "quiz.commands.schema",
    "stats": "quiz.commands.progress",
    "export": "quiz.commands.progress",
    "import": "quiz.commands.progress",
    "mock": "quiz.commands.mock",
    "report": "quiz.commands.mock",
    "pack": "quiz.commands.pack",
    "gradescope": "quiz.commands.gradescope",
}
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))  # each module's register(subparsers)
GLOBAL_OPTIONS_WITH_VALUES = ("--db", "--deck", "--skip-tag", "--pack")

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class CliError(Exception):
    """A problem to report as one line, with an exit status (2: usage or input, 3: internal)."""

    def __init__(self, message: str, status: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.status = status


def command_of(argv: Sequence[str]) -> str | None:
    """The command word in ``argv`` (skipping the global options and their values), if there is one."""
    args = iter(argv)
    for arg in args:
        if arg in GLOBAL_OPTIONS_WITH_VALUES:
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


class _VersionAction(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked for (start-up stays fast)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            text = version("nnprep")
        except PackageNotFoundError:
            text = "unknown (not installed)"
        print(f"nnprep {text}")
        parser.exit()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, just the module that registers that command (faster start-up)."""
    parser = argparse.ArgumentParser(
        prog="nnprep",
        description="Practise neural-network fundamentals for ML interviews. Without a command, opens the app.",
        epilog="Exit status: 0 ok, 1 not passed or problems found, 2 bad usage or input, 3 internal error.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--db", metavar="PATH", help="progress database (default: user data dir; env NNPREP_DB); "
                        "its folder must exist, and one that cannot be used is an error (exit 2)")
    parser.add_argument("--deck", metavar="PATH", action="append", default=[], help="extra question deck folder")
    parser.add_argument("--skip-tag", metavar="TAG", action="append", default=[],
                        help="practice leaves out items with this tag, e.g. api-trivia (PyTorch API details)")
    parser.add_argument("--pack", metavar="DIR", dest="app_pack",
                        help="practise a task pack's coding tasks in the app (a folder, or a shipped pack: cs231n)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [COMMANDS[only]] if only in COMMANDS else COMMAND_MODULES
    for name in modules:
        import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # nnprep uses no pydantic plugins; without this, pydantic scans every installed package's entry points at the
    # first model (about 30 ms of every command's start-up).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=command_of(words))
    args = parser.parse_args(words)
    try:
        if args.command is None:
            from quiz.app import run_app

            return run_app(args)
        status: int = args.handler(args)
        return status
    except CliError as e:
        from engine.untrusted_text import for_terminal_line  # a message may quote a candidate's file name

        print(f"nnprep: {for_terminal_line(str(e))}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print("nnprep: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # the last line of defence: one line, not a traceback
        from engine.untrusted_text import for_terminal_line

        print(f"nnprep: internal error: {type(e).__name__}: {for_terminal_line(str(e))}", file=sys.stderr)
        return EXIT_INTERNAL


def entry() -> None:
    """The ``nnprep`` console script: run, flush, run the exit handlers (the sandbox's clean-up among them), then
    leave without tearing down every module one by one — a cost of tens of milliseconds that nobody waits for."""
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    atexit._run_exitfuncs()
    os._exit(status)


if __name__ == "__main__":  # `python -m quiz.cli`: use the imported module, so CliError is one class
    from quiz.cli import entry as _entry

    _entry()
