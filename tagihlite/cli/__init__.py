"""``tagihlite`` command line: argparse with one module per command group.

Each module in ``COMMAND_MODULES`` has ``register(subparsers)``; each command handler takes
the parsed ``argparse.Namespace`` and returns an exit code (0 done, 1 done with failures,
2 unusable input or usage). A :class:`~tagihlite.errors.TagihError` becomes one Indonesian
sentence on stderr; anything else is logged to the app folder, never shown as a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from importlib import import_module

from tagihlite import __version__
from tagihlite.core.gcpause import paused_gc
from tagihlite.errors import TagihError

# Order = order in --help.
COMMAND_MODULES = (
    "tagihlite.cli.core_cmds",  # demo, check, mark, preview, send, report, config
    "tagihlite.cli.import_cmds",  # import
    "tagihlite.cli.payment_cmds",  # payments import
    "tagihlite.cli.addin_cmds",  # build-workbook, setup-excel
    "tagihlite.cli.channel_cmds",  # webhook
    "tagihlite.cli.user_cmds",  # users, login, logout, whoami, audit, secrets, optout, clear
    "tagihlite.cli.template_cmds",  # template approve|list|revoke
    "tagihlite.cli.self_send_cmd",  # send --test-to (extends core_cmds' send)
    "tagihlite.cli.install_cmds",  # doctor, bundle windows
    "tagihlite.cli.team_cmds",  # team init, team import-journal, team status
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2, Indonesian hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"tagihlite: {message}\nLihat 'tagihlite --help'.\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tagihlite",
                     description="TagihLite: pengingat tagihan Indibiz lewat WhatsApp.")
    parser.add_argument("--version", action="version", version=f"tagihlite {__version__}")
    _add_clock_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="PERINTAH", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # command group not built yet
                continue
            raise
        module.register(sub)
    return parser


def _add_clock_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", metavar="YYYY-MM-DDTHH:MM",
                        help="anggap sekarang waktu ini (WIB); untuk uji dan pengulangan")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="anggap hari ini tanggal ini (WIB); untuk uji dan pengulangan")


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Global options (``--now``, ``--today``) are accepted before or after the command."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        late = _Parser(add_help=False)
        _add_clock_options(late)
        late_args, leftover = late.parse_known_args(extra)
        if leftover:
            parser.error(f"argumen tidak dikenal: {' '.join(leftover)}")
        for name in ("now", "today"):
            if getattr(late_args, name) is not None:
                setattr(args, name, getattr(late_args, name))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parse_args(parser, argv)
    try:
        if args.now or args.today:
            from tagihlite import clock

            clock.pin(args.now or args.today)
        # A bulk command (read, judge, write once) makes hundreds of thousands of objects
        # and no cycles: paused, the collector does not rescan them three times over
        # (~2 us a row); they are freed by reference counting when the command returns.
        with paused_gc() if getattr(args, "bulk", False) else contextlib.nullcontext():
            return int(args.handler(args) or 0)
    except TagihError as exc:
        print(f"tagihlite: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("tagihlite: dihentikan.", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `tagihlite check --json | head`: the reader left
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception:  # a bug: keep the clerk's screen clean, keep the details for us
        from tagihlite.logs import log_exception

        where = log_exception("cli")
        print("tagihlite: terjadi kesalahan tak terduga. Detail teknis dicatat di "
              f"'{where}'. Kirim berkas itu ke tim TagihLite.", file=sys.stderr)
        return 2


def run() -> None:
    """The process entry (``tagihlite``, ``python -m tagihlite``): :func:`main`, then exit.

    When nothing is left running (no other thread), leave with ``os._exit`` after flushing
    stdout and stderr: freeing a 30,000-row table object by object at interpreter exit
    costs about as much CPU as printing it. TagihLite registers no exit handlers, and every
    command has closed its journal and written its files before ``main`` returns.
    """
    import os
    import threading

    code = main()
    if threading.active_count() > 1:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: no reader left
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
