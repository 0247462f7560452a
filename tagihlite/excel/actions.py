"""What each ribbon button does, on the live workbook (see :mod:`tagihlite.excel`).

Each action reads the sheet once, runs the same core as the command line
(:mod:`tagihlite.workflow`) and writes back with :mod:`tagihlite.excel.sheet`: a constant
number of Excel calls per click. Only the send loop writes row by row, as rows finish.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from tagihlite import clock
from tagihlite.core.columns import TAGIHAN_SHEET as TAGIHAN
from tagihlite.errors import InputError, PermissionDenied, TagihError
from tagihlite.excel.sheet import sheet_named

if TYPE_CHECKING:
    from tagihlite.auth.identity import Operator
    from tagihlite.core.ledger_table import Ledger
    from tagihlite.core.messages import MessageTemplate
    from tagihlite.core.table import SheetTable
    from tagihlite.excel.click import Click
    from tagihlite.excel.sheet import LiveSheet
    from tagihlite.workflow import Analysis

TEMPLATE = "Template"
LAPORAN = "Laporan"
PETUNJUK = "Petunjuk"
TEMPLATE_FIRST_ROW = 3  # Template sheet: title, hint, then the message from A3 down
LOGIN_CELL = "B2"  # Laporan!B2: who is logged in (A2 holds LOGIN_LABEL)
LOGIN_LABEL = "Masuk sebagai:"  # as tagihlite.addin.build lays out the Laporan sheet
REPORT_TITLE = "Laporan Pengiriman"


def _ask_login(**kwargs: Any) -> tuple[str, str] | None:
    """The login window (Tk). Tests replace this: a person is the boundary."""
    from tagihlite.auth.login_window import ask_login

    return ask_login(**kwargs)


def _ask_own_number(initial: str = "") -> str | None:
    """Kirim Uji asks the clerk's own number (a small Tk dialog). Tests replace this."""
    import tkinter as tk
    from tkinter import simpledialog

    try:
        root = tk.Tk()
    except tk.TclError:
        raise TagihError("Jendela nomor uji tidak dapat dibuka (tidak ada layar). Gunakan "
                         "'tagihlite send BUKU_KERJA --test-to 08...' di command prompt."
                         ) from None
    try:
        root.withdraw()
        root.attributes("-topmost", True)
        answer = simpledialog.askstring(
            "Kirim Uji", "Nomor WhatsApp Anda sendiri (pesan uji hanya dikirim ke nomor "
            "ini):", initialvalue=initial, parent=root)
    finally:
        root.destroy()
    return answer.strip() if answer and answer.strip() else None


def _ask_period(**kwargs: Any) -> str | None:
    """The period window (Tk). Tests replace this: a person is the boundary."""
    from tagihlite.excel.period_window import ask_period

    return ask_period(**kwargs)


def analyse_sheet(click: Click, table: SheetTable, **kwargs: Any) -> Analysis:
    """analyse(), asking the clerk for the period (this month pre-filled) when the sheet
    does not say it."""
    from tagihlite.auth.identity import login_enabled
    from tagihlite.excel.period_window import analyse_asking

    login_enabled(click.settings)  # fails closed when the journal's users store went missing
    return analyse_asking(table, click.settings, default=f"{clock.today():%Y-%m}",
                          ask=lambda **kw: _ask_period(**kw), **kwargs)


def _ask_import_file() -> str | None:
    """A real file dialog, on top of Excel. Tests replace this with a path."""
    import tkinter as tk
    from tkinter import filedialog

    try:
        root = tk.Tk()
    except tk.TclError:
        raise TagihError("Jendela pilih berkas tidak dapat dibuka (tidak ada layar). Gunakan "
                         "'tagihlite import SUMBER TUJUAN' di command prompt.") from None
    try:
        root.withdraw()
        root.attributes("-topmost", True)
        path = filedialog.askopenfilename(
            parent=root, title="Pilih berkas ekspor tagihan",
            filetypes=[("Buku kerja Excel", "*.xlsx *.xlsm *.xls"), ("CSV", "*.csv"),
                       ("Semua berkas", "*.*")])
    finally:
        root.destroy()
    return path or None


# --- reading ---------------------------------------------------------------------------

def target_sheet(click: Click) -> LiveSheet:
    """The active sheet when it holds a customer table, else ``Tagihan``."""
    from tagihlite.excel.columns import book_mapping
    from tagihlite.excel.sheet import read_sheet

    active = click.book.sheets.active
    live = read_sheet(active)
    live.mapping = book_mapping(click.book, live.name, click.settings.columns)
    if live.has_table() or live.name.casefold() == TAGIHAN.casefold():
        return live
    tagihan = sheet_named(click.book, TAGIHAN)
    if tagihan is None:
        raise InputError(f"Sheet aktif '{live.name}' tidak berisi tabel tagihan dan sheet "
                         f"'{TAGIHAN}' tidak ada. Buka sheet berisi tabel pelanggan (kolom Nama "
                         "Pelanggan, Nomor Indibiz, Jumlah Tagihan, No WhatsApp) lalu coba "
                         "lagi, atau klik Atur Kolom di sheet itu bila judul kolomnya lain.")
    live = read_sheet(tagihan)
    live.mapping = book_mapping(click.book, live.name, click.settings.columns)
    return live


def _analyse(click: Click, table: SheetTable) -> Analysis:
    from tagihlite.auth.optout import load_opted_out
    from tagihlite.journal.backend import open_journal

    settings = click.settings
    with open_journal(settings) as journal:
        return analyse_sheet(click, table, journal=journal,
                             opted_out=load_opted_out(settings))


def load_sheet_template(click: Click) -> MessageTemplate:
    """The workbook's Template sheet (a column per level, or column A from row 3), else
    the packaged defaults (see :func:`tagihlite.core.level_templates.select_template`)."""
    from tagihlite.core.level_templates import load_level_templates, templates_from_sheet
    from tagihlite.excel.sheet import read_sheet
    from tagihlite.workflow import template_constants

    settings = click.settings
    sources = None
    sheet = sheet_named(click.book, TEMPLATE)
    if sheet is not None:
        live = read_sheet(sheet, with_tables=False)
        sources = templates_from_sheet(live.grid, live.origin, sheet.name) or None
    return load_level_templates(settings.levels, sheet=sources,  # type: ignore[return-value]
                                rupiah_style=settings.rupiah_style,
                                constants=template_constants(settings))


def _counts(analysis: Analysis) -> Counter[str]:
    from tagihlite.core import columns as C
    from tagihlite.workflow import sheet_values

    return Counter(sheet_values(analysis, r)[C.STATUS] for r in analysis.ledger.rows())


def _summary(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.most_common()) or "tidak ada baris"


# --- mark / check / preview --------------------------------------------------------------

def mark(click: Click) -> None:
    """Tandai Belum Bayar: statuses, reasons and highlights for every row (like ``mark``)."""
    from tagihlite.excel.sheet import apply_plan
    from tagihlite.workflow import plan_writeback

    click.status("Menandai baris ...")
    live = target_sheet(click)
    analysis = _analyse(click, live.table())
    apply_plan(click.book, live, plan_writeback(analysis))
    click.status(f"Selesai ditandai: {_summary(_counts(analysis))}.")


MAX_LISTED = 15  # rows named in the Periksa Data alert; the rest are counted


def check(click: Click) -> None:
    """Periksa Data: what can be sent and what needs fixing (reads only, like ``check``)."""
    from tagihlite.core.report import check_sentence, counts

    click.status("Memeriksa data ...")
    live = target_sheet(click)
    analysis = _analyse(click, live.table())
    problems = [r for r in analysis.ledger.rows()
                if not r.eligible and not r.paid and r.reason_code != "already_sent"]
    summary = counts(analysis.ledger)
    lines = [f"Sheet '{analysis.table.sheet}': "
             + check_sentence(summary, click.settings.rupiah_style)]
    if problems:
        lines.append("")
        for r in problems[:MAX_LISTED]:
            lines.append(f"- baris {r.row}: {r.reason}")
        if len(problems) > MAX_LISTED:
            lines.append(f"- ... dan {len(problems) - MAX_LISTED} baris lagi.")
        lines.append("")
        lines.append("Klik Tandai Belum Bayar untuk menulis alasannya di kolom Catatan dan "
                     "mewarnai baris.")
    click.status(f"Pemeriksaan selesai: {summary['eligible']} siap dikirim, "
                 f"{len(problems)} perlu diperiksa.")
    click.alert("\n".join(lines))


def _reason_texts(ledger: Ledger) -> dict[str, str]:
    """One readable text per reason code (the first row's, details included)."""
    texts: dict[str, str] = {}
    for code, reason in zip(ledger["reason_code"], ledger["reason"], strict=True):
        if code is not None and code not in texts:
            texts[code] = reason
    return texts


def preview(click: Click) -> None:
    """Pratinjau Pesan: fill Pesan for every eligible row, exactly what would be sent."""
    from tagihlite.excel.sheet import apply_plan
    from tagihlite.workflow import plan_writeback, render_messages

    click.status("Menyusun pesan ...")
    live = target_sheet(click)
    analysis = _analyse(click, live.table())
    template = load_sheet_template(click)
    messages = render_messages(analysis, template)
    apply_plan(click.book, live, plan_writeback(analysis, messages=messages))
    verdict = _template_verdict(click, template)
    if not verdict.approved:  # preview works without approval, and says so
        click.status(f"Pesan disusun untuk {len(messages)} baris; template "
                     f"{verdict.label}.")
        click.alert(f"Pratinjau siap, tetapi template pesan ({verdict.label}) belum "
                    "disetujui: pengiriman ditolak sampai supervisor menekan Setujui "
                    "Template.")
        return
    click.status(f"Pesan disusun untuk {len(messages)} baris. Periksa kolom Pesan sebelum "
                 "mengirim.")


# --- login -------------------------------------------------------------------------------

def show_operator(click: Click, operator: Operator | None) -> None:
    """Status bar and Laporan!B2 say who is logged in."""
    if operator is None or not operator.name:
        text = "Belum masuk"
    elif operator.logged_in:
        text = f"{operator.name} ({operator.role})"
    else:
        text = f"{operator.name} (tanpa login)"
    click.status(f"Pengguna: {text}")
    laporan = sheet_named(click.book, LAPORAN)
    if laporan is not None:
        laporan.range(LOGIN_CELL).raw_value = _text_cell(text)


def _text_cell(text: str) -> str:
    from tagihlite.excel.sheet import excel_value

    return excel_value(text)


def _login_window(click: Click) -> Operator | None:
    from tagihlite.auth.login_window import login_interactive

    return login_interactive(click.settings, ask=_ask_login)


def login(click: Click) -> None:
    """Masuk: the login window, then show who is logged in."""
    from tagihlite.auth.identity import current_operator, login_enabled, login_notice

    settings = click.settings
    if not login_enabled(settings):
        show_operator(click, current_operator(settings))
        click.alert(login_notice(settings) or "Login belum diaktifkan.")
        return
    operator = _login_window(click)
    if operator is None:
        click.status("Login dibatalkan.")
        return
    show_operator(click, operator)


def logout(click: Click) -> None:
    """Keluar: end this computer account's session."""
    from tagihlite.auth.login import logout as end_session

    name = end_session(click.settings)
    show_operator(click, None)
    click.status(f"{name} sudah keluar." if name else "Tidak ada sesi yang aktif.")


def operator_for_send(click: Click) -> Operator:
    """The sender; without a session (users exist) the login window opens first."""
    from tagihlite.auth.identity import operator_for_send as who

    try:
        return who(click.settings)
    except PermissionDenied:
        operator = _login_window(click)
        if operator is None:
            raise PermissionDenied("Pengiriman dibatalkan: Anda belum masuk. Klik Masuk, "
                                   "lalu kirim lagi.") from None
        show_operator(click, operator)
        return who(click.settings)


# --- send --------------------------------------------------------------------------------

def selected_rows(click: Click, live: LiveSheet, table: SheetTable) -> set[int]:
    from tagihlite.excel.sheet import parse_areas

    try:
        selection = click.app.selection
        if selection is None or selection.sheet.name.casefold() != live.name.casefold():
            return set()
        address = selection.address
    except Exception:  # a chart or shape is selected: Excel hands over no cell range
        return set()
    areas = parse_areas(address)
    return {r for r in table.row_numbers if any(a[0] <= r <= a[2] for a in areas)}


def send_selected(click: Click) -> None:
    """Kirim Terpilih: the eligible rows inside the current selection."""
    _send(click, selected=True)


def send_all(click: Click) -> None:
    """Kirim Semua: every eligible row."""
    _send(click, selected=False)


def _send(click: Click, *, selected: bool) -> None:
    from tagihlite.auth.audit import open_audit
    from tagihlite.auth.optout import load_opted_out
    from tagihlite.channels import LABELS, get_channel
    from tagihlite.excel.sheet import RowWriter, apply_plan
    from tagihlite.journal.backend import open_journal
    from tagihlite.workflow import (
        build_reminders,
        plan_writeback,
        quiet_hours_now,
        row_values,
        send,
        total_rupiah,
    )

    settings = click.settings
    live = target_sheet(click)
    table = live.table()
    rows = selected_rows(click, live, table) if selected else None
    if selected and not rows:
        raise TagihError(f"Pilih dulu baris pelanggan yang akan dikirimi di sheet "
                         f"'{live.name}' (blok sel pada baris-baris itu), lalu klik Kirim "
                         "Terpilih lagi.")
    operator = operator_for_send(click)
    _refuse_if_sending_elsewhere(click)
    template = load_sheet_template(click)
    with open_journal(settings) as journal:
        analysis = analyse_sheet(click, table, journal=journal,
                                 opted_out=load_opted_out(settings))
        reminders = build_reminders(analysis, template, rows)
        # Every text these reminders use must be approved: refused before anything is written.
        _require_approved(click, template, operator, {r.level for r in reminders} or None)
        plan = plan_writeback(analysis)  # refuses before the question, not after it
        if not reminders:
            apply_plan(click.book, live, plan)
            where = "di baris yang dipilih" if selected else f"di sheet '{live.name}'"
            click.status("Tidak ada yang dikirim.")
            click.alert(f"Tidak ada pengingat yang siap dikirim {where}. Lihat kolom Status "
                        "Kirim dan Catatan untuk alasannya.")
            return
        closed = quiet_hours_now(settings)
        if closed:  # before the question: nothing claimed, no row touched
            click.status("Di luar jam kirim: tidak ada yang dikirim.")
            click.alert(closed)
            return
        label = LABELS.get(settings.channel, settings.channel)
        total = total_rupiah(reminders, settings.rupiah_style)
        if not click.confirm(f"Kirim {len(reminders)} pengingat WhatsApp (total {total}) "
                             f"lewat {label} sebagai {operator.name}, dengan "
                             f"{template.source.origin}?"):
            click.status("Pengiriman dibatalkan.")
            return
        if any(c.new for c in plan.columns):  # the row writes need the columns to exist
            apply_plan(click.book, live, plan, highlight=False)
        writer = RowWriter(live, plan.columns, [r.row for r in reminders])
        channel = get_channel(settings.channel, settings)
        done = 0
        click.status(f"Mengirim 0/{len(reminders)} ...")

        def on_row(result: Any) -> None:
            nonlocal done
            done += 1
            writer.write(result.reminder.row, row_values(result, analysis))
            click.status(f"Mengirim {done}/{len(reminders)} ...")

        summary = send(analysis, reminders, channel, journal, operator=operator.name,
                       on_row=on_row, audit=open_audit(settings).append,
                       workbook=click.book.name,
                       write_back=lambda fresh: apply_plan(click.book, live, fresh))
    click.status(f"Selesai: {summary.attempted} dari {summary.planned} pengingat diproses.")
    click.alert(_send_summary(summary, label))


def _refuse_if_sending_elsewhere(click: Click) -> None:
    """A command-line TagihLite (this or another computer) is sending from this file."""
    from pathlib import Path

    from tagihlite.workbook.lock import holder, refusal

    try:
        path = Path(click.book.fullname)
    except Exception:  # an unsaved or cloud workbook: there is no file to share
        return
    if path.is_file():
        other = holder(path)
        if other is not None:
            raise refusal(path, other)


def _send_summary(summary: Any, label: str) -> str:
    from tagihlite.core.vocab import JournalState

    lines = [f"Pengiriman lewat {label} selesai."]
    ok = summary.attempted - summary.failed
    lines.append(f"- {ok} pengingat diteruskan")
    if summary.states.get(JournalState.QUEUED):
        lines.append(f"  ({summary.states[JournalState.QUEUED]} menunggu dikirim oleh petugas)")
    if summary.failed:
        lines.append(f"- {summary.failed} gagal atau perlu dicek (lihat kolom Catatan)")
    if summary.already:
        lines.append(f"- {summary.already} sudah pernah dikirim, dilewati")
    held = getattr(summary, "held", None)
    if held:  # team mode: another PC had these rows at that moment
        who = ", ".join(name for name, _ in held.most_common(3))
        lines.append(f"- {sum(held.values())} sedang dikirim PC lain ({who}), dilewati")
    if summary.not_attempted:
        lines.append(f"- {summary.not_attempted} belum dikirim")
    if summary.stop_reason:
        lines.append("")
        lines.append(f"Berhenti: {summary.stop_reason}")
    return "\n".join(lines)


# --- report / help -----------------------------------------------------------------------

def report(click: Click) -> None:
    """Laporan: the supervisor's summary in the Laporan sheet (one block write)."""
    from tagihlite.auth.identity import current_operator
    from tagihlite.excel.sheet import excel_value, write_block
    from tagihlite.workflow import summarise

    live = target_sheet(click)
    analysis = _analyse(click, live.table())
    rep = summarise(analysis)
    operator = current_operator(click.settings)
    rows = report_rows(analysis, rep, operator, click.settings.rupiah_style)
    sheet = sheet_named(click.book, LAPORAN)
    if sheet is None:
        sheet = click.book.sheets.add(LAPORAN, after=click.book.sheets[-1])
    sheet.used_range.clear_contents()
    width = max(len(r) for r in rows)
    write_block(sheet, 1, 1, [[excel_value(v) for v in r] + [""] * (width - len(r))
                              for r in rows])
    from tagihlite.excel.dashboard import dashboard_layout, write_dashboard

    write_dashboard(sheet, dashboard_layout(analysis, rep, click.settings), len(rows) + 2)
    sheet.activate()
    click.status(f"Laporan diperbarui dari sheet '{live.name}'.")


def report_rows(analysis: Analysis, rep: Any, operator: Operator, style: str
                ) -> list[list[Any]]:
    """The Laporan sheet's cells; row 2 column B says who is logged in."""
    from tagihlite.channels import LABELS
    from tagihlite.core.formats import rupiah, waktu
    from tagihlite.core.vocab import REASONS, JournalState, Status

    who = (f"{operator.name} ({operator.role})" if operator.logged_in
           else f"{operator.name} (tanpa login)" if operator.name else "Belum masuk")
    now = clock.now().replace(tzinfo=None)
    rows: list[list[Any]] = [
        [REPORT_TITLE],
        [LOGIN_LABEL, who],
        ["Dibuat", f"{waktu(now)} WIB"],
        ["Sumber", f"sheet '{analysis.table.sheet}', {len(analysis.ledger)} baris"],
        [],
        ["Status", "Jumlah baris", "Nominal"],
    ]
    rows += [[ln.status, ln.count, rupiah(ln.amount, style)] for ln in rep.lines]
    rows += [["Total belum dibayar", "", rupiah(rep.outstanding, style)], []]
    reasons = [(code, n) for code, n in rep.reasons.most_common() if isinstance(code, str)]
    if reasons:
        rows.append(["Alasan dilewati", "Jumlah baris"])
        texts = _reason_texts(analysis.ledger)
        rows += [[texts.get(code, REASONS.get(code, code)), n] for code, n in reasons]
        rows.append([])
    if rep.operators:
        rows.append(["Dikirim oleh", "Jumlah pengingat"])
        rows += [[name, n] for name, n in rep.operators.most_common()]
        rows.append([])
    history = []
    listed: set[str] = set()
    for r in analysis.ledger.rows():
        entry = analysis.entries.get(r.key) if r.key else None
        if entry is None or entry.state == JournalState.CLEARED or r.key in listed:
            continue  # a duplicate row shares its first row's reminder: list it once
        listed.add(r.key)
        history.append((entry.when or dt.datetime.min, [
            f"{waktu(entry.when)} WIB" if entry.when else "",
            entry.operator or "", r.customer_id, r.name,
            rupiah(r.amount, style) if r.amount is not None else "",
            JournalState.TO_STATUS.get(entry.state, Status.NEEDS_CHECK),
            LABELS.get(entry.channel or "", entry.channel or ""), entry.note]))
    if history:
        rows.append(["Riwayat pengiriman"])
        rows.append(["Waktu", "Petugas", "Nomor Indibiz", "Nama Pelanggan", "Jumlah",
                     "Status", "Saluran", "Catatan"])
        rows += [cells for _, cells in sorted(history, key=lambda h: h[0])]
    return rows


def help_sheet(click: Click) -> None:
    """Petunjuk: show the instructions sheet."""
    sheet = sheet_named(click.book, PETUNJUK)
    if sheet is None:
        raise TagihError(f"Sheet '{PETUNJUK}' tidak ada di buku kerja ini. Buka tagihlite.xlsm "
                         "yang asli untuk membaca petunjuk.")
    sheet.activate()


# --- columns -----------------------------------------------------------------------------

def set_columns(click: Click, ask: Callable[..., dict[str, str] | None] | None = None) -> None:
    """Atur Kolom: pick once which header is which field (stored in the workbook)."""
    from tagihlite.excel.columns import set_columns as run_dialog

    run_dialog(click, ask)


# --- import ------------------------------------------------------------------------------

def import_data(click: Click, ask: Callable[[], str | None] | None = None) -> None:
    """Impor Data: rows of an export workbook merged into Tagihan."""
    from tagihlite.excel.importing import import_into_book

    path = (ask or _ask_import_file)()
    if not path:
        click.status("Impor dibatalkan.")
        return
    import_into_book(click, path)


# --- controls at the send button: template approval, test send ----------------------------

def _template_verdict(click: Click, template: MessageTemplate) -> Any:
    from tagihlite.auth.template_approval import verdict_for

    return verdict_for(click.settings, template)


def _require_approved(click: Click, template: MessageTemplate, operator: Operator,
                      levels: Collection[int] | None = None) -> None:
    """Refuses (PermissionDenied) before anything is sent when the template is unapproved."""
    from tagihlite.auth.template_approval import require_approved

    require_approved(click.settings, template, actor=operator.name, levels=levels)


def approve_template(click: Click) -> None:
    """Setujui Template (supervisors): approve the Template sheet's text for sending."""
    from tagihlite.auth.template_approval import approve, pending, short

    operator = operator_for_send(click)  # no session: the login window first
    if operator.role == "staff":
        raise PermissionDenied(f"Hanya supervisor yang boleh menyetujui template. Anda masuk "
                               f"sebagai '{operator.name}' (staff); minta supervisor menekan "
                               "Setujui Template.")
    template = load_sheet_template(click)  # a broken template is refused here
    todo = pending(click.settings, template)
    if not todo:
        verdict = _template_verdict(click, template)
        click.status("Template sudah disetujui.")
        click.alert(f"Template pesan sudah disetujui ({verdict.label}); tidak ada yang diubah.")
        return
    shown = []
    for source, verdict in todo:
        text = source.text.strip()
        text = text if len(text) <= 1500 else text[:1500] + "\n..."
        shown.append(f"--- {source.origin} (hash {short(verdict.hash)}) ---\n{text}")
    if not click.confirm(f"Setujui {len(todo)} template pesan berikut untuk pengiriman, atas "
                         f"nama {operator.name}?\n\n" + "\n\n".join(shown)):
        click.status("Persetujuan template dibatalkan.")
        return
    done = [approve(click.settings, source.text, source.origin, actor=operator)[0]
            for source, _verdict in todo]
    hashes = ", ".join(short(v.hash) for v in done)
    click.status(f"Template disetujui: hash {hashes}.")
    click.alert(f"Template pesan ({'; '.join(v.source for v in done)}) disetujui oleh "
                f"{operator.name} (hash {hashes}) dan dicatat di jejak audit.")


def send_test(click: Click) -> None:
    """Kirim Uji: the first eligible row's message, "[UJI]", to the clerk's own number only.

    No journal entry, no row marked, nothing written to the sheet; the audit log records it.
    """
    from tagihlite.auth import own_numbers
    from tagihlite.channels import LABELS, get_channel
    from tagihlite.send_to_self import own_number
    from tagihlite.send_to_self import send_test as send_one

    settings = click.settings
    live = target_sheet(click)
    table = live.table()
    operator = operator_for_send(click)
    answer = _ask_own_number(initial=own_numbers.recall(operator.name) or "")
    if not answer:
        click.status("Kirim uji dibatalkan.")
        return
    to = own_number(answer, settings.region)
    own_numbers.remember(operator.name, to)
    template = load_sheet_template(click)
    analysis = _analyse(click, table)
    verdict = _template_verdict(click, template)
    label = LABELS.get(settings.channel, settings.channel)
    click.status(f"Mengirim pesan uji ke {to} ...")
    result = send_one(analysis, template, get_channel(settings.channel, settings), to=to,
                      operator=operator.name, settings=settings)
    note = result.outcome.note
    if settings.channel == "link":  # its usual note speaks of the sheet's Tautan WA column
        from tagihlite.channels.link import wa_me_url

        note = f"Buka tautan ini untuk mengirimnya: {wa_me_url(to, result.reminder.message)}"
    lines = [f"Pesan uji (dari baris {result.source_row}) lewat {label} untuk {to}: "
             f"{result.status}.", note,
             f"Template: {verdict.label}.",
             "Tidak ada baris yang ditandai dan tidak ada pelanggan yang dikirimi."]
    click.status("Kirim uji selesai." if result.ok else "Kirim uji gagal.")
    click.alert("\n".join(line for line in lines if line), critical=not result.ok)
# --- installation check ------------------------------------------------------------------

def doctor(click: Click) -> None:
    """Periksa Instalasi: the ``tagihlite doctor`` checklist for this workbook, in an alert.

    It only runs when Excel could start Python; when it cannot, ``install.ps1`` has already
    run doctor at the command line, where it needs no Excel."""
    from tagihlite.doctor.checks import run_checks
    from tagihlite.doctor.report import as_alert

    click.status("Memeriksa instalasi ...")
    results = run_checks(click.book.fullname)
    bad = sum(not r.ok for r in results)
    click.status(f"Pemeriksaan instalasi selesai: {bad} butir perlu diperbaiki.")
    click.alert(as_alert(results), critical=bool(bad))


def import_payments(click: Click, ask: Callable[[], str | None] | None = None) -> None:
    """Impor Pembayaran: a payment list marks paid bills LUNAS (stops their reminders)."""
    from tagihlite.excel.payments import import_payments_into_book

    path = (ask or _ask_import_file)()
    if not path:
        click.status("Impor pembayaran dibatalkan.")
        return
    import_payments_into_book(click, path, target_sheet(click))
