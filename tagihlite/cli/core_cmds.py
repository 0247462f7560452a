"""Core commands: demo, check, mark, preview, send, report, config.

Command names, options and ``--json`` shapes are a contract other tooling relies on.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tagihlite.errors import InputError, TagihError

if TYPE_CHECKING:
    from tagihlite.core.messages import MessageTemplate
    from tagihlite.core.table import SheetTable
    from tagihlite.settings import Settings
    from tagihlite.workflow import Analysis


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="tulis buku kerja demo (data fiktif)")
    p.add_argument("dir", nargs="?", default=".", help="folder tujuan (bawaan: folder ini)")
    p.add_argument("--xlsm", action="store_true",
                   help="tulis buku kerja add-in (tagihlite.xlsm) berisi pelanggan demo")
    p.set_defaults(handler=cmd_demo)

    def workbook_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("path", type=Path, help="buku kerja tagihan (.xlsx/.xlsm)")
        p.add_argument("--sheet", help="nama sheet (jika ada beberapa tabel)")
        p.add_argument("--period", help="periode tagihan, mis. 2026-12 atau 'Desember 2026' "
                       "(bawaan: kolom Periode, Jatuh Tempo, judul sheet)")
        p.add_argument("--level",
                       help="paksa satu tingkat pengingat (bawaan: tingkat yang jatuh tempo "
                            "per baris)")

    p = sub.add_parser("check", help="periksa setiap baris: bisa dikirim atau tidak, dan kenapa")
    workbook_args(p)
    p.add_argument("--json", action="store_true", help="keluaran JSON")
    p.set_defaults(handler=cmd_check, bulk=True)

    p = sub.add_parser("mark", help="Tandai Belum Bayar: tulis status dan warnai baris")
    workbook_args(p)
    p.set_defaults(handler=cmd_mark, bulk=True)

    p = sub.add_parser("preview", help="tampilkan pesan setiap pelanggan")
    workbook_args(p)
    p.add_argument("--template", help="berkas template Jinja (bawaan: sheet Template/bawaan)")
    p.add_argument("--json", action="store_true", help="keluaran JSON")
    p.add_argument("--write", action="store_true", help="isi juga kolom Pesan di buku kerja")
    p.set_defaults(handler=cmd_preview, bulk=True)

    p = sub.add_parser("send", help="kirim pengingat (sekali saja per pelanggan dan periode)")
    workbook_args(p)
    p.add_argument("--template", help="berkas template Jinja")
    p.add_argument("--via", help="saluran: outbox (bawaan), whatsapp-web, cloud, link")
    p.add_argument("--outbox", help="folder outbox (saluran outbox)")
    p.add_argument("--rows", help="hanya baris Excel ini, mis. 5,7-9")
    p.add_argument("--operator", help="nama pengirim (mode tanpa login)")
    p.add_argument("--yes", "-y", action="store_true", help="kirim tanpa bertanya")
    p.set_defaults(handler=cmd_send)

    p = sub.add_parser("report", help="ringkasan per status (jumlah dan Rupiah)")
    workbook_args(p)
    p.add_argument("--json", action="store_true", help="keluaran JSON")
    p.add_argument("--html", metavar="FILE", type=Path,
                   help="tulis laporan sebagai satu halaman HTML (grafik SVG)")
    p.add_argument("--write", action="store_true",
                   help="tulis sheet Laporan (tabel dan grafik) ke buku kerja")
    p.set_defaults(handler=cmd_report, bulk=True)

    p = sub.add_parser("config", help="pengaturan: lokasi berkas dan nilai yang berlaku")
    p.add_argument("action", choices=("path", "show"))
    p.set_defaults(handler=cmd_config)


# -- shared steps -----------------------------------------------------------------------

def _settings(**overrides: Any) -> Settings:
    from tagihlite.settings import load

    return load().with_overrides(**overrides)


def _read(path: Path, sheet: str | None, columns: dict[str, str] | None = None
          ) -> tuple[SheetTable, dict | None]:
    """Read the workbook once: the customer table and, if present, the Template sheet
    (level number or None -> its template text).

    ``columns``: settings ``[columns]`` (the workbook's Pengaturan sheet is added)."""
    from tagihlite.core.level_templates import templates_from_sheet
    from tagihlite.workbook.file import pick_sheet, read_workbook, stored_mapping, table_in

    sheets = read_workbook(path)
    chosen = pick_sheet(sheets, sheet, file=path.name, mapping=columns)
    table = table_in(chosen, file=path.name,
                     mapping=stored_mapping(sheets, chosen.name, columns))
    template = None
    for s in sheets:
        if s.name.strip().casefold() == "template" and s.name != table.sheet:
            template = templates_from_sheet(s.grid, s.origin, s.name) or None
    return table, template


def _journal(settings: Settings) -> Any:
    from tagihlite.journal.backend import open_journal

    return open_journal(settings)


def _opted_out(settings: Settings) -> frozenset[str]:
    from tagihlite.auth.optout import load_opted_out

    return load_opted_out(settings)


def _analyse(args: argparse.Namespace, settings: Settings, journal: Any
             ) -> tuple[Analysis, dict | None]:
    from tagihlite.auth.identity import login_enabled
    from tagihlite.core.keyparts import canonical_period, check_level
    from tagihlite.workflow import analyse

    login_enabled(settings)  # fails closed when this journal's users store went missing
    # One spelling per bill: "Desember 2026" and "2026/12" are the same key, "abc" none.
    period = canonical_period(args.period) if args.period is not None else None
    level = (check_level(args.level, [lv.number for lv in settings.levels])
             if args.level is not None else None)
    table, template = _read(args.path, args.sheet, settings.columns)
    analysis = analyse(table, settings, journal=journal, period=period, level=level,
                       opted_out=_opted_out(settings))
    return analysis, template


def _template(args: argparse.Namespace, settings: Settings,
              sheet_template: dict | None) -> MessageTemplate:
    from tagihlite.core.level_templates import load_level_templates
    from tagihlite.workflow import template_constants

    # Per level (see tagihlite.core.level_templates.select_template): an explicit
    # --template, then the workbook's Template sheet, then the packaged text (a workbook
    # from elsewhere must not change what the operator chose).
    return load_level_templates(settings.levels, sheet=sheet_template,
                                file=getattr(args, "template", None),
                                rupiah_style=settings.rupiah_style,
                                constants=template_constants(settings))  # type: ignore[return-value]


# Rows encoded at a time: 30,000 row dicts at once cost ~20 MB; a slice's ~100 KB of JSON
# stays in memory the allocator reuses.
_SLICE = 300


def _row_slices(analysis: Analysis, messages: dict[int, str] | None = None
                ) -> Iterator[list[dict]]:
    """The rows of ``--json``, one dict per row, ``_SLICE`` at a time (a dict display per
    row is the cheapest way to make them; dates are written by the JSON writer)."""
    led = analysis.ledger
    columns = zip(led["row"], led["name"], led["customer_id"], led["phone"], led["amount"],
                  led["paid"], led["eligible"], led["reason_code"], led["reason"],
                  led["level"], led["days_overdue"], led["next_reminder"], strict=True)
    while True:
        out = [{"row": row, "name": name, "customer_id": cid, "phone": phone,
                "amount": amount, "paid": paid, "eligible": eligible, "reason_code": code,
                "reason": reason or None, "level": level, "days_overdue": days,
                "next_reminder": nxt}
               for row, name, cid, phone, amount, paid, eligible, code, reason, level, days, nxt
               in itertools.islice(columns, _SLICE)]
        if not out:
            return
        if messages is not None:
            for item in out:
                item["message"] = messages.get(item["row"])
        yield out


def _summary(analysis: Analysis) -> dict[str, Any]:
    from tagihlite.core.report import counts

    return counts(analysis.ledger)


def _encode(obj: Any, *, iso: bool = False) -> bytes:
    """orjson encodes row dicts about ten times faster than json's C encoder (issue 11:
    check --json cost more than the check); UTF-8, as JSON must be. NaN becomes null
    (valid JSON); dates and times are written as ``str()`` writes them, or, with ``iso``,
    by orjson itself (a date the same, "2026-12-02"; a time with "T"; no Python call per
    value). The standard encoder is the fallback for what orjson refuses (an integer
    beyond 64 bits)."""
    import orjson

    option = orjson.OPT_NON_STR_KEYS | (0 if iso else orjson.OPT_PASSTHROUGH_DATETIME)
    try:
        return orjson.dumps(obj, default=str, option=option)
    except orjson.JSONEncodeError:
        return json.dumps(obj, ensure_ascii=False, default=str).encode()


def _print_json(obj: dict[str, Any], rows: Iterable[list[dict]] | None = None) -> None:
    """One compact line (pipe it through ``python -m json.tool`` or ``jq`` to read it).
    ``rows`` (slices of row dicts) become the document's last member, "rows", encoded a
    slice at a time."""
    out = getattr(sys.stdout, "buffer", None)
    write = out.write if out is not None else (lambda b: sys.stdout.write(bytes(b).decode()))
    sys.stdout.flush()
    head = _encode(obj)
    if rows is None:
        write(head + b"\n")
    else:
        write(head[:-1] + (b',"rows":[' if len(head) > 2 else b'"rows":['))
        first = True
        for piece in rows:
            if piece:
                if not first:
                    write(b",")
                write(memoryview(_encode(piece, iso=True))[1:-1])  # without [ ]: no copy
                first = False
        write(b"]}\n")
    if out is not None:
        out.flush()
    sys.stdout.flush()


def _columns_json(table: SheetTable) -> dict[str, dict[str, str]]:
    """field -> the clerk's header, its Excel column letter and how it was found."""
    from tagihlite.core.writeplan import column_letter

    return {fld: {"header": table.headers[i], "column": column_letter(table.first_col + i),
                  "how": table.how.get(fld, "alias")}
            for fld, i in sorted(table.fields.items(), key=lambda f: f[1])}


def _login_notice(settings: Settings) -> None:
    from tagihlite.auth.identity import login_notice

    notice = login_notice(settings)
    if notice:
        print(notice, file=sys.stderr)


# -- commands -------------------------------------------------------------------------

def cmd_demo(args: argparse.Namespace) -> int:
    from tagihlite.workbook.demo import demo_rows, write_demo_xlsx

    folder = Path(args.dir)
    if args.xlsm:
        from tagihlite.addin.build import build_workbook

        path = build_workbook(folder / "tagihlite-demo.xlsm", customers=demo_rows())
    else:
        path = write_demo_xlsx(folder / "tagihan-demo.xlsx")
    print(f"Buku kerja demo (data fiktif) ditulis: {path}")
    print("Langkah berikutnya:")
    print(f"  tagihlite check \"{path}\"          # periksa baris mana yang bisa dikirim")
    print(f"  tagihlite preview \"{path}\"        # lihat pesannya")
    print(f"  tagihlite send \"{path}\" --yes     # kirim ke outbox (tidak ada yang keluar)")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings()
    with _journal(settings) as journal:
        analysis, _ = _analyse(args, settings, journal)
    if args.json:
        from tagihlite.core.gcpause import paused_gc

        t = analysis.table
        with paused_gc():  # row dicts, no cycles: the collector would only rescan them
            _print_json({"file": str(args.path), "sheet": t.sheet, "header_row": t.header_row,
                         "columns": _columns_json(t), "summary": _summary(analysis)},
                        rows=_row_slices(analysis))
        return 0
    from tagihlite.core.report import check_sentence

    for r in analysis.ledger.rows():
        mark = "OK " if r.eligible else "-- "
        why = "" if r.eligible else f"  [{r.reason_code}] {r.reason}"
        print(f"{mark}baris {r.row:>5}  {r.name[:30]:<30}{why}")
    print("\n" + check_sentence(_summary(analysis), settings.rupiah_style))
    return 0


def _write(path: Path, plan: Any) -> None:
    from tagihlite.workbook.file import apply_plan

    backup = apply_plan(path, plan)
    if backup:
        print(f"Salinan cadangan dibuat: {backup}", file=sys.stderr)


def cmd_mark(args: argparse.Namespace) -> int:
    from tagihlite.core.report import check_sentence
    from tagihlite.workbook.file import check_writable
    from tagihlite.workflow import plan_writeback

    check_writable(args.path)
    settings = _settings()
    with _journal(settings) as journal:
        analysis, _ = _analyse(args, settings, journal)
    _write(args.path, plan_writeback(analysis))
    print("Ditandai: " + check_sentence(_summary(analysis), settings.rupiah_style))
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    from tagihlite.workflow import plan_writeback, render_messages

    settings = _settings()
    if args.write:
        from tagihlite.workbook.file import check_writable

        check_writable(args.path)
    with _journal(settings) as journal:
        analysis, sheet_template = _analyse(args, settings, journal)
    template = _template(args, settings, sheet_template)
    verdict = _template_verdict(settings, template)
    messages = render_messages(analysis, template)
    if args.json:
        t = analysis.table
        _print_json({"file": str(args.path), "sheet": t.sheet, "header_row": t.header_row,
                     "template": template.source.origin, "template_hash": verdict.hash,
                     "template_approved": verdict.approved, "summary": _summary(analysis)},
                    rows=_row_slices(analysis, messages))
    else:
        for r in analysis.eligible.rows():
            print(f"--- baris {r.row}: {r.name} ({r.phone})")
            print(messages[r.row])
            print()
        print(f"{len(messages)} pesan (template: {verdict.label}).")
        if not verdict.approved:
            print("Template ini belum disetujui: pratinjau boleh, tetapi pengiriman ditolak "
                  "sampai supervisor menyetujuinya ('tagihlite template approve').",
                  file=sys.stderr)
    if args.write:
        _write(args.path, plan_writeback(analysis, messages=messages))
    return 0


_ROWS = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_rows(text: str) -> set[int]:
    """'5,7-9' -> {5, 7, 8, 9} (Excel row numbers)."""
    rows: set[int] = set()
    if not text.strip():
        raise InputError("--rows kosong. Contoh: --rows 5,7-9 (nomor baris Excel).")
    for part in text.split(","):
        m = _ROWS.match(part)
        if not m:
            raise InputError(f"--rows '{text}' tidak dapat dibaca. Contoh: --rows 5,7-9.")
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        if b < a or b - a > 1_000_000:
            raise InputError(f"--rows: rentang '{part.strip()}' tidak valid.")
        rows.update(range(a, b + 1))
    return rows


class _Progress:
    """A one-line progress bar on stderr (only when it is a terminal)."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self.live = sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if self.live:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done}/{self.total} {label[:30]:<30}")
            sys.stderr.flush()

    def end(self) -> None:
        if self.live and self.done:
            sys.stderr.write("\n")


def _confirm(question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise TagihError("Konfirmasi diperlukan, tetapi tidak ada terminal untuk bertanya. "
                         "Tambahkan --yes untuk mengirim tanpa bertanya.")
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "ya", "yes")


def _template_verdict(settings: Settings, template: MessageTemplate) -> Any:
    from tagihlite.auth.template_approval import verdict_for

    return verdict_for(settings, template)


def _workbook_locked(command: Any) -> Any:
    """Hold the workbook's lock file for the whole command: a second TagihLite (another
    window or computer) refuses to send from or write to it meanwhile."""
    import functools

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        import getpass

        from tagihlite.workbook.file import check_writable
        from tagihlite.workbook.lock import clean_leftovers, workbook_lock

        check_writable(Path(args.path))  # missing file, CSV, open in Excel, locked ...
        notices: list[str] = []
        who = getattr(args, "operator", None) or getpass.getuser()
        with workbook_lock(Path(args.path), operator=who, sending=True, notice=notices):
            for line in notices:
                print(line, file=sys.stderr)
            clean_leftovers(Path(args.path))
            return command(args)

    return run


@_workbook_locked
def cmd_send(args: argparse.Namespace) -> int:
    from tagihlite.auth.identity import operator_for_send
    from tagihlite.auth.template_approval import require_approved
    from tagihlite.channels import get_channel
    from tagihlite.sending import stop_on_sigint
    from tagihlite.workbook.file import check_writable
    from tagihlite.workflow import (
        build_reminders,
        plan_writeback,
        quiet_hours_now,
        send,
        total_rupiah,
    )

    settings = _settings(channel=args.via)
    via = settings.channel
    check_writable(args.path)  # before anything leaves: the result must be writable
    rows = parse_rows(args.rows) if args.rows is not None else None
    operator = operator_for_send(settings, args.operator)
    _login_notice(settings)
    with _journal(settings) as journal:
        analysis, sheet_template = _analyse(args, settings, journal)
        template = _template(args, settings, sheet_template)  # broken template: stop here
        reminders = build_reminders(analysis, template, rows)
        # Every text these reminders use must be approved; nothing has been sent yet.
        verdict = require_approved(settings, template, actor=operator.name,
                                   levels={r.level for r in reminders} or None)
        skipped = len(analysis.ledger) - sum(analysis.ledger["eligible"])
        if rows is not None:
            unknown = rows - set(analysis.ledger["row"])
            if unknown:
                print(f"Catatan: baris {', '.join(map(str, sorted(unknown)[:10]))} bukan baris "
                      "pelanggan.", file=sys.stderr)
        total = total_rupiah(reminders, settings.rupiah_style)
        periods = ", ".join(sorted({r.period for r in reminders})) or "-"
        levels = ", ".join(map(str, sorted({r.level for r in reminders}))) or "-"
        used = "; ".join(src.origin for src in
                         template.sources({r.level for r in reminders} or None))
        print(f"Akan dikirim: {len(reminders)} pengingat (periode {periods}, tingkat "
              f"{levels}), total {total}, lewat {via}, atas nama {operator.name}, "
              f"template: {used}. ({skipped} baris dilewati; lihat 'tagihlite check'.)")
        print(f"Template: {verdict.label}.")
        if not reminders:
            _write(args.path, plan_writeback(analysis))
            print("Tidak ada pengingat yang perlu dikirim.")
            return 0
        closed = quiet_hours_now(settings)
        if closed:  # before the question: nothing is claimed, the sheet is untouched
            print(closed, file=sys.stderr)
            return 1
        if not args.yes and not _confirm("Kirim sekarang?"):
            print("Dibatalkan; tidak ada yang dikirim.")
            return 0
        from tagihlite.workbook.progress import SendProgress

        # The first write, before the first message: every write-back conflict shows up
        # now, and the first rows are claimed in the file (PERLU CEK until their outcome).
        sheet = SendProgress(args.path, analysis, plan_writeback(analysis),
                             operator=operator.name, write=_write)
        sheet.start(reminders)
        channel = get_channel(via, settings, outbox_dir=args.outbox)
        progress = _Progress(len(reminders))
        stop = threading.Event()
        written = []

        def write_back(plan: Any) -> None:
            progress.end()
            written.append(_write_after_send(args.path, plan))

        from tagihlite.journal.pgdb import DatabaseUnavailable

        with stop_on_sigint(stop):
            try:
                summary = send(analysis, reminders, channel, journal, operator=operator.name,
                               on_row=lambda res: (progress.step(res.reminder.name),
                                                   sheet.done(res)), stop=stop,
                               before_send=sheet.before_send,
                               audit=_audit_hook(settings), workbook=args.path.name,
                               write_back=write_back)
            except DatabaseUnavailable:  # no write-back from the journal: what we know
                with contextlib.suppress(TagihError):
                    sheet.abandon()
                raise
    from tagihlite.core.vocab import states_text

    states = states_text(summary.states)
    print(f"Selesai: {summary.attempted} diproses ({states}); {summary.already} sudah "
          f"pernah dikirim; {summary.not_attempted} belum diproses.")
    if summary.held:  # team mode: rows another PC was sending at that moment
        who = ", ".join(f"{name} {n}" for name, n in summary.held.most_common(5))
        print(f"{sum(summary.held.values())} baris sedang dikirim PC lain, dilewati ({who}).")
    hint = getattr(channel, "summary_hint", None)
    if hint and summary.attempted:
        print(hint)
    if summary.stop_reason:
        print(f"Berhenti: {summary.stop_reason}", file=sys.stderr)
    if stop.is_set() and not summary.stop_reason:
        print("Dihentikan oleh pengguna setelah baris terakhir selesai.", file=sys.stderr)
    # 1 = done, but not everything: failures, a stop, Ctrl-C or the daily cap left rows,
    # or the sheet could not be updated (the journal still knows every row).
    unfinished = summary.failed or summary.stop_reason or summary.not_attempted
    return 1 if unfinished or not all(written) else 0


def _write_after_send(path: Path, plan: Any) -> bool:
    """Write-back after a send must not hide what was sent: on failure say what to do."""
    try:
        _write(path, plan)
    except TagihError as exc:
        print(f"tagihlite: {exc}", file=sys.stderr)
        print(f"Pengiriman tetap tercatat di jurnal. Setelah masalah itu diatasi, jalankan "
              f"'tagihlite mark \"{path}\"' untuk menulis statusnya ke buku kerja.",
              file=sys.stderr)
        return False
    return True


def _audit_hook(settings: Settings) -> Any:
    from tagihlite.auth.audit import open_audit

    return open_audit(settings).append


def cmd_report(args: argparse.Namespace) -> int:
    from tagihlite.core.report import format_text
    from tagihlite.followup.dashboard import dashboard
    from tagihlite.workflow import summarise

    settings = _settings()
    if getattr(args, "write", False):
        from tagihlite.workbook.file import check_writable

        check_writable(args.path)
    with _journal(settings) as journal:
        analysis, _ = _analyse(args, settings, journal)
        rep = summarise(analysis)
        data = dashboard(analysis, journal, rep)
    if getattr(args, "html", None):
        from tagihlite.core.report_html import render

        try:
            args.html.write_text(render(data, style=settings.rupiah_style), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"Laporan HTML tidak dapat ditulis ke '{args.html}' "
                             f"({exc.strerror}). Pilih folder lain.") from None
        print(f"Laporan HTML ditulis: {args.html}", file=sys.stderr)
    if getattr(args, "write", False):
        from tagihlite.workbook.report_sheet import write_report_sheet

        write_report_sheet(args.path, data, style=settings.rupiah_style)
        print(f"Sheet Laporan ditulis ke '{args.path.name}'.", file=sys.stderr)
    if args.json:
        _print_json({"file": str(args.path), "sheet": analysis.table.sheet, **rep.as_dict(),
                     "effectiveness": data["effectiveness"]})
    elif not getattr(args, "html", None) and not getattr(args, "write", False):
        print(format_text(rep, settings.rupiah_style))
    return 0


def cmd_config(args: argparse.Namespace) -> int:
    from tagihlite.paths import settings_file
    from tagihlite.settings import dumps, load

    if args.action == "path":
        path = settings_file()
        print(path)
        if not path.exists():
            print("(berkas belum ada: semua nilai bawaan berlaku)", file=sys.stderr)
        return 0
    print(dumps(load()), end="")
    return 0
