"""Writing a :class:`~tagihlite.core.writeplan.WritePlan` into a workbook file, surgically.

The package is patched part by part (no openpyxl): the target sheet is streamed and only
the cells of the plan's columns change (:mod:`tagihlite.workbook.sheetpatch`); new strings
are appended to the shared strings, new cell formats and highlight fills to styles.xml
(existing indexes never move); TagihLite's three highlight rules are replaced and the
clerk's own rules stay; the customer's Excel Table grows around new columns and rows.
Every other part (other sheets, charts, drawings, comments, customXml, pivot caches, VBA,
ribbon, relationships, docProps) is copied byte for byte; formulas keep their cached
values; ``ignoredErrors`` and ``x14`` extensions stay.

Safety as before: refusal when Excel/LibreOffice has the file open or another TagihLite
holds it (:mod:`tagihlite.workbook.lock`); write conflicts (data, merged cells or notes
where a new column goes, a protected sheet, no room right of column XFD) refused with a
sentence and the file untouched; the result goes to a temp file beside the workbook, is
fsynced and checked, and replaces the original atomically. The first write leaves a
backup copy beside the file that later writes never touch.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tagihlite.core.vocab import HIGHLIGHT_FILLS, Status
from tagihlite.core.writeplan import WritePlan, column_letter
from tagihlite.errors import InputError, where
from tagihlite.workbook.cells import CellMaker
from tagihlite.workbook.lock import TEMP_PREFIX, clean_leftovers, holder, refusal, workbook_lock
from tagihlite.workbook.package import SST_TYPE, Output, Package, rel_of_type, resolve
from tagihlite.workbook.sheetpatch import SheetEdit, SheetPatcher
from tagihlite.workbook.sniff import CSV, WRITABLE_SUFFIXES, XLSX, detect_format, unusable
from tagihlite.workbook.sst import SharedStrings
from tagihlite.workbook.styles import Styles
from tagihlite.workbook.tables import grow_tables
from tagihlite.workbook.xmlbits import range_bounds, unescape

MAX_COL, MAX_ROW = 16384, 1048576

BACKUP_TAG = " (cadangan TagihLite)"
WIDE_HEADERS = {"Pesan": 50, "Catatan": 40}


def backup_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}{BACKUP_TAG}{path.suffix}")


def lock_files(path: Path) -> list[Path]:
    """Owner/lock files that mean the workbook is open in Excel or LibreOffice right now."""
    # Excel: "~$" + the full name (Word shortens long names; Excel does not, and guessing
    # would refuse files that merely share a tail). LibreOffice: ".~lock.NAME#".
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    return [p for p in candidates if p.exists()]


def check_writable(path: Path) -> None:
    """Raise InputError unless TagihLite can safely write results into ``path`` now."""
    path = Path(path)
    kind = detect_format(path)
    if kind != XLSX or path.suffix.lower() not in WRITABLE_SUFFIXES:
        what = "berkas CSV" if kind == CSV else f"berformat {path.suffix or kind}"
        raise InputError(
            f"{_subject(path)} {what}: TagihLite hanya bisa membaca berkas ini, tidak bisa "
            "menulis hasilnya ke dalamnya. Buka di Excel, simpan sebagai Buku Kerja Excel "
            "(.xlsx), lalu jalankan lagi dengan berkas .xlsx itu.")
    if lock_files(path):
        raise InputError(
            f"{_subject(path)} sedang dibuka di Excel (atau LibreOffice). Simpan dan tutup "
            "berkas itu dulu, lalu jalankan lagi.")
    # The owner write bit too: root may write anyway, but the clerk marked it read-only.
    if not os.access(path, os.W_OK) or not path.stat().st_mode & stat.S_IWUSR:
        raise InputError(f"{_subject(path)} hanya-baca (read-only). Hapus atribut hanya-baca "
                         "atau salin berkas ke folder Anda sendiri.")
    if not os.access(path.parent, os.W_OK):
        raise InputError(f"Folder {str(path.parent)!r} tidak bisa ditulisi, jadi "
                         f"{where(path.name)} tidak bisa disimpan dengan aman. Salin berkas ke "
                         "folder Anda sendiri.")
    other = holder(path)
    if other is not None:
        raise refusal(path, other)


def _subject(path: Path) -> str:
    text = where(path.name)
    return text[:1].upper() + text[1:]




Extra = Callable[[Package, Output], None]


def apply_plan(path: Path, plan: WritePlan, *, backup: bool = True,
               extra: Extra | None = None) -> Path | None:
    """Write ``plan`` into the workbook at ``path``; return the backup path if made now.
    ``extra`` may add whole parts in the same write (e.g. :func:`package.add_sheet`)."""
    path = Path(path)
    check_writable(path)
    with workbook_lock(path):
        clean_leftovers(path)
        return _replace_atomically(path, lambda tmp: patch_package(path, plan, tmp, extra),
                                   backup=backup)


def patch_package(source: Path, plan: WritePlan, target: Path,
                  extra: Extra | None = None) -> None:
    """The package at ``source`` with ``plan`` applied, written to ``target``."""
    file = source.name
    check_extent(plan, file)
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise unusable(source, "tidak dapat dibuka untuk ditulis",
                       "Buka di Excel lalu simpan ulang sebagai .xlsx, kemudian coba lagi.",
                       ) from None
    with zf:
        try:
            pkg = Package(zf)
        except (KeyError, SyntaxError, ValueError):
            raise unusable(source, "tidak dapat dibuka untuk ditulis",
                           "Buka di Excel lalu simpan ulang sebagai .xlsx, kemudian coba "
                           "lagi.") from None
        sheet = pkg.sheet(plan.sheet)
        if sheet is None or sheet.part not in pkg.names:
            names = ", ".join(repr(s.name) for s in pkg.sheets)
            raise InputError(f"Sheet '{plan.sheet}' tidak ada di {where(file)}. Sheet "
                             f"yang ada: {names}.")
        check_notes(pkg, sheet, plan, file)
        sst_part = pkg.workbook_target("sharedStrings")
        sst = SharedStrings(zf.read(sst_part) if sst_part in pkg.names else None)
        styles_part = pkg.workbook_target("styles")
        if styles_part is None or styles_part not in pkg.names:
            raise unusable(source, "tidak punya bagian gaya (styles.xml)",
                           "Buka di Excel lalu simpan ulang sebagai .xlsx, kemudian coba lagi.")
        styles = Styles(zf.read(styles_part))
        growth = grow_tables(pkg, sheet, plan)
        edit = SheetEdit(plan, file, header_names=growth.header_names,
                         widths={c.col: WIDE_HEADERS.get(c.header, max(14, len(c.header) + 4))
                                 for c in plan.columns if c.new},
                         grow_validations=growth.validations,
                         tail_check=lambda tail: check_tail(tail, plan, file))
        if plan.highlight is not None:
            edit.drop_our_rules = drop_tagihlite_rules
            edit.cf_sqref, edit.cf_rules = highlight_rules(plan, styles)
        patcher = SheetPatcher(edit, sst, CellMaker(sst, styles, date1904=pkg.date1904))
        out = Output()
        spool = target.with_name(target.name[:-4] + ".sheet")
        try:
            with zf.open(sheet.part) as src, open(spool, "wb") as fh:
                patcher.stream(src, fh)

            def sheet_bytes(fh: Any) -> None:
                with open(spool, "rb") as data:
                    shutil.copyfileobj(data, fh, 1 << 20)

            out.replace[sheet.part] = sheet_bytes
            out.replace.update(growth.parts)
            if styles.changed:
                out.replace[styles_part] = styles.render()
            if sst.changed:
                if sst.created:
                    name = resolve(pkg.workbook_part, "sharedStrings.xml")
                    out.add_part(name, sst.render(), SST_TYPE)
                    out.workbook_rel(pkg, _REL + "sharedStrings", "sharedStrings.xml")
                else:
                    out.replace[sst_part] = sst.render()  # type: ignore[index]
            calc = rel_of_type(pkg.workbook_rels, "calcChain")
            if patcher.formula_removed and calc is not None:
                # the chain would name cells that no longer hold formulas: Excel rebuilds it
                part = resolve(pkg.workbook_part, calc.target)
                out.drop.add(part)
                out.dropped_types.add(part)
                out.dropped_rel_ids.add(calc.id)
            if extra is not None:
                extra(pkg, out)
            with open(target, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED,
                                                            allowZip64=True) as dst:
                out.write(pkg, dst)
        finally:
            with contextlib.suppress(FileNotFoundError):
                spool.unlink()


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


# --- conflicts, found before anything is written (or sent) ---------------------------------

def check_extent(plan: WritePlan, file: str) -> None:
    """A table that already ends at column XFD cannot get new columns."""
    for column in plan.columns:
        if column.col > MAX_COL:
            raise InputError(
                f"Kolom '{column.header}' tidak muat: tabel di {where(file, plan.sheet)} "
                "sudah sampai kolom terakhir Excel (XFD). Hapus kolom kosong yang tidak "
                "dipakai di kanan tabel, lalu jalankan lagi; buku kerja tidak diubah.")
    if plan.row_numbers and max(plan.row_numbers) > MAX_ROW:
        raise InputError(f"Baris tidak muat di {where(file, plan.sheet)}: Excel hanya punya "
                         f"{MAX_ROW:,} baris. Buku kerja tidak diubah.".replace(",", "."))


def _written_rows(plan: WritePlan) -> dict[int, list[int]]:
    """Column -> sorted rows TagihLite may write, now or after sending (a KEEP today is a
    sent status tomorrow): every data row, and the header row of a new column."""
    rows = sorted(plan.row_numbers)
    with_header = sorted([*rows, plan.header_row])
    return {c.col: with_header if c.new else rows for c in plan.columns}


def _hits(rows: list[int], top: int, bottom: int) -> int | None:
    i = bisect.bisect_left(rows, top)
    return rows[i] if i < len(rows) and rows[i] <= bottom else None


_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([^"]+)"')
_PROTECT = re.compile(rb"<sheetProtection\b[^>]*>")


def check_tail(tail: bytes, plan: WritePlan, file: str) -> None:
    """Protected sheet, merged cells where TagihLite writes: refuse with a sentence."""
    protect = _PROTECT.search(tail)
    if protect is not None and re.search(rb'\bsheet="(1|true)"', protect.group(0)):
        raise InputError(
            f"Sheet '{plan.sheet}' di {where(file)} diproteksi (Protect Sheet), jadi "
            "TagihLite tidak boleh menulis statusnya. Buka proteksinya di Excel (Review > "
            "Unprotect Sheet), simpan, lalu jalankan lagi; buku kerja tidak diubah.")
    merges = _MERGE.findall(tail)
    if not merges:
        return
    written = _written_rows(plan)
    headers = {c.col: c for c in plan.columns}
    for ref in merges:
        bounds = range_bounds(ref.decode())
        if bounds is None:
            continue
        top, left, bottom, right = bounds
        for col in range(max(left, min(written, default=0)), right + 1):
            if col not in written:
                continue
            row = _hits(written[col], top, bottom)
            if row is None:
                continue
            if not headers[col].new and (row, col) == (top, left):
                row = _hits(written[col], top + 1, bottom)  # the merge's own anchor is fine
                if row is None:
                    continue
            raise InputError(
                f"Sel {column_letter(col)}{row} di {where(file, plan.sheet)} termasuk sel "
                f"gabungan {ref.decode()}, padahal TagihLite perlu menulis kolom "
                f"'{headers[col].header}' di sana. Pisahkan gabungan sel itu (Unmerge) atau "
                "pindahkan, lalu jalankan lagi; buku kerja tidak diubah.")


_NOTE_REF = re.compile(rb'<(?:\w+:)?(?:comment|threadedComment)\b[^>]*?\bref="([^"]+)"')


def check_notes(pkg: Package, sheet, plan: WritePlan, file: str) -> None:
    """A note (comment) where a new column goes would end up on TagihLite's cell."""
    new = {c.col: c for c in plan.columns if c.new}
    if not new:
        return
    written = None
    for part in [*pkg.related(sheet, "comments"), *pkg.related(sheet, "threadedComment")]:
        if part not in pkg.names:
            continue
        for ref in _NOTE_REF.findall(pkg.zf.read(part)):
            bounds = range_bounds(ref.decode())
            if bounds is None or bounds[1] not in new:
                continue
            written = written or _written_rows(plan)
            if _hits(written[bounds[1]], bounds[0], bounds[0]) is None:
                continue
            raise InputError(
                f"Sel {ref.decode()} di {where(file, plan.sheet)} berisi catatan (note/"
                f"komentar), padahal TagihLite perlu membuat kolom '{new[bounds[1]].header}' "
                "di sana. Pindahkan atau hapus catatan itu, lalu jalankan lagi; buku kerja "
                "tidak diubah.")


# --- highlight (conditional formatting) -----------------------------------------------------

_GROUPS = {"todo": Status.TODO, "problem": Status.PROBLEM, "done": Status.DONE}
_OUTSIDE_QUOTES_SPACE = re.compile(r'\s+(?=(?:[^"]*"[^"]*")*[^"]*$)')
_TERM = re.compile(r'^\$[A-Z]{1,3}\$?\d+="([^"]*)"$')


def highlight_formula(group: str, status_cell: str) -> str:
    """``$K5="SIAP KIRIM"`` or ``OR($K5="DILEWATI",$K5="GAGAL",...)`` (no leading '=')."""
    terms = [f'{status_cell}="{s}"' for s in _GROUPS[group]]
    return terms[0] if len(terms) == 1 else f"OR({','.join(terms)})"


def is_tagihlite_rule(rule: Any) -> bool:
    """Rules TagihLite (or its VBA macro) installed, recognised by their formula alone
    (``rule``: anything with ``type`` and ``formula``, e.g. openpyxl's Rule)."""
    formulas = getattr(rule, "formula", None) or []
    return rule.type == "expression" and len(formulas) == 1 and \
        is_tagihlite_formula(str(formulas[0]))


def is_tagihlite_formula(formula: str) -> bool:
    text = _OUTSIDE_QUOTES_SPACE.sub("", formula).lstrip("=")
    match = re.fullmatch(r"OR\((.*)\)", text, flags=re.IGNORECASE)
    values = set()
    for term in (match.group(1) if match else text).split(","):
        found = _TERM.match(term)
        if not found:
            return False
        values.add(found.group(1))
    return any(values == set(g) for g in _GROUPS.values())


_CF = re.compile(rb"<conditionalFormatting\b[^>]*>.*?</conditionalFormatting>", re.S)
_RULE = re.compile(rb"<cfRule\b[^>]*?(?:/>|>.*?</cfRule>)", re.S)
_FORMULA = re.compile(rb"<formula>(.*?)</formula>", re.S)


def drop_tagihlite_rules(tail: bytes) -> bytes:
    """The sheet tail without TagihLite's own highlight rules; the clerk's rules stay."""

    def block(m: re.Match[bytes]) -> bytes:
        rules = _RULE.findall(m.group(0))
        ours = [r for r in rules if _ours(r)]
        if not ours:
            return m.group(0)
        if len(ours) == len(rules):
            return b""
        text = m.group(0)
        for r in ours:
            text = text.replace(r, b"", 1)
        return text

    return _CF.sub(block, tail)


def _ours(rule: bytes) -> bool:
    if not re.match(rb'<cfRule\b[^>]*\btype="expression"', rule):
        return False
    formulas = _FORMULA.findall(rule)
    return len(formulas) == 1 and is_tagihlite_formula(unescape(formulas[0].decode("utf-8")))


def highlight_rules(plan: WritePlan, styles: Styles) -> tuple[str, list[tuple[str, int]]]:
    """(sqref, [(formula, dxfId)]) of TagihLite's three rules; no rules for no rows."""
    area = plan.highlight
    assert area is not None
    if area.last_row < area.first_row:
        return "", []
    sqref = (f"{column_letter(area.first_col)}{area.first_row}:"
             f"{column_letter(area.last_col)}{area.last_row}")
    status_cell = f"${column_letter(area.status_col)}{area.first_row}"
    return sqref, [(highlight_formula(g, status_cell), styles.fill_dxf(HIGHLIGHT_FILLS[g]))
                   for g in ("todo", "problem", "done")]


# --- atomic replace -------------------------------------------------------------------------

def _replace_atomically(path: Path, write: Callable[[Path], None], *, backup: bool
                        ) -> Path | None:
    """``write`` fills a temp file beside ``path``; once it is on disk and checked, it
    replaces ``path``. Any failure leaves ``path`` as it was and no temp file behind."""
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp",
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    made: Path | None = None
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        _check_package(tmp)  # never replace a good file with a bad one
        shutil.copymode(path, tmp)
        if backup:
            made = _make_backup(path)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        _remove(tmp)
        raise InputError(f"{_subject(path)} tidak dapat disimpan ({exc.strerror or exc}); "
                         "berkas asli tidak diubah. Pastikan berkas tidak sedang dibuka dan "
                         "disk tidak penuh, lalu coba lagi.") from None
    except BaseException:
        _remove(tmp)
        raise
    return made


def _check_package(tmp: Path) -> None:
    """The written file reads back as a package: its central directory, and every part's
    local header agreeing with it (a truncated or garbled write fails here). The parts are
    not inflated again: that re-checked zlib's own output at ~7% of a whole write."""
    try:
        with zipfile.ZipFile(tmp) as check:
            for info in check.infolist():
                with check.open(info):
                    pass
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
        raise OSError(f"written package does not read back ({exc})") from None


def _make_backup(path: Path) -> Path | None:
    target = backup_path(path)
    if target.exists():
        return None  # the first backup is the clerk's original: never overwrite it
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".bak",
                                    dir=path.parent)
    os.close(fd)
    try:
        shutil.copy2(path, tmp_name)
        os.replace(tmp_name, target)
    finally:
        _remove(Path(tmp_name))
    return target


def _remove(tmp: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
