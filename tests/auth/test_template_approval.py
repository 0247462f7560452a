"""Supervisor-approved templates (by hash, in the audit log), through the command line."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import openpyxl
from auth_support import STAFF_PW, SUPERVISOR_PW

from tagihlite.auth.audit import AuditLog
from tagihlite.auth.login import login, logout
from tagihlite.journal.sqlite import Journal
from tagihlite.settings import Settings

HEADER = ["Nama Pelanggan", "Nomor Indibiz", "Jumlah Tagihan", "No WhatsApp", "Status Bayar",
          "Periode"]
EDITED = ["Yth. {{ name }}, tagihan {{ customer_id }} sebesar {{ amount_rupiah }}.",
          "Transfer ke rekening 123-456 (DIUBAH)."]


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    from tagihlite.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def book(path: Path, template: list[str] | None = EDITED) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tagihan"
    ws.append(HEADER)
    for i in range(1, 4):
        ws.append([f"Toko Fiktif {i}", f"1412345{i:05d}", 100_000 + i, f"0812-7000-{i:04d}",
                   "BELUM BAYAR", "2026-11"])
        for col in (2, 4):
            ws.cell(i + 1, col).number_format = "@"
    if template is not None:
        tpl = wb.create_sheet("Template")
        tpl["A1"] = "Template Pesan"
        for i, line in enumerate(template, 3):
            tpl.cell(i, 1, line)
    wb.save(path)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outbox(folder: Path) -> list[dict]:
    path = folder / "outbox.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def journal_keys(settings: Settings) -> set[str]:
    if not settings.journal_file.exists():
        return set()
    with Journal(settings.journal_file) as journal:
        return set(journal.entries())


def template_events(settings: Settings) -> list[tuple[str, str, dict]]:
    return [(event, actor, json.loads(details))
            for _s, _at, event, actor, details, _p, _h in AuditLog(settings.journal_file).entries()
            if event.startswith("template_")]


def as_user(settings: Settings, name: str) -> None:
    logout(settings)
    login(settings, name, SUPERVISOR_PW if name == "Siti" else STAFF_PW)


def test_an_edited_template_is_refused_until_a_supervisor_approves_it(
        team: Settings, tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx")
    before = digest(path)
    as_user(team, "Budi")
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2
    assert "belum disetujui" in err and "Siti" in err and "Setujui Template" in err
    assert "tagihlite template approve" in err and "Traceback" not in err
    assert digest(path) == before and outbox(tmp_path / "ob") == []
    assert journal_keys(team) == set()

    # Preview works without approval and says so.
    code, out, err = run_cli("preview", path)
    assert code == 0 and "DIUBAH" in out and "belum disetujui" in out
    code, out, _ = run_cli("preview", path, "--json")
    data = json.loads(out)
    assert data["template_approved"] is False and len(data["template_hash"]) == 64

    # A staff user cannot approve.
    code, _, err = run_cli("template", "approve", path, "--yes")
    assert code == 2 and "Hanya supervisor" in err
    assert template_events(team) == []

    as_user(team, "Siti")
    code, out, err = run_cli("template", "approve", path, "--yes")
    assert code == 0, err
    assert "DIUBAH" in out  # the supervisor sees the text being approved
    ((event, actor, details),) = template_events(team)
    assert (event, actor) == ("template_approve", "Siti")
    assert details["hash"] == data["template_hash"] and "rekening 123-456" in details["text"]
    assert details["source"] == "sheet 'Template'"

    as_user(team, "Budi")
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert "disetujui Siti" in out
    sent = outbox(tmp_path / "ob")
    assert len(sent) == 3 and all("DIUBAH" in m["text"] for m in sent)

    # Another edit is a new text: refused again, nothing more sent.
    book(path, [*EDITED, "Baris tambahan."])
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2 and "belum disetujui" in err


def test_list_and_revoke(team: Settings, tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx")
    as_user(team, "Siti")
    assert run_cli("template", "approve", path, "--yes")[0] == 0
    code, out, _ = run_cli("template", "list")
    (line,) = [ln for ln in out.splitlines() if "\tSiti\t" in ln]
    short = line.split("\t")[0]
    assert len(short) == 12 and "sheet 'Template'" in line

    as_user(team, "Budi")
    code, _, err = run_cli("template", "revoke", short)
    assert code == 2 and "Hanya supervisor" in err
    as_user(team, "Siti")
    code, out, err = run_cli("template", "revoke", short, "--reason", "nomor rekening salah")
    assert code == 0, err
    assert "dicabut" in out
    assert [e for e, _, _ in template_events(team)] == ["template_approve", "template_revoke"]
    _, out, _ = run_cli("template", "list")
    assert "\tSiti\t" not in out
    code, _, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 2 and "belum disetujui" in err and outbox(tmp_path / "ob") == []
    code, _, err = run_cli("template", "revoke", short)
    assert code == 1 and "Tidak ada template" in err
    assert AuditLog(team.journal_file).verify() == []


def test_the_packaged_default_counts_as_approved(team: Settings, tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx", template=None)
    as_user(team, "Budi")
    code, out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert "bawaan" in out
    assert len(outbox(tmp_path / "ob")) == 3 and template_events(team) == []


def test_a_template_file_is_approved_like_the_sheet(team: Settings, tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx", template=None)
    tpl = tmp_path / "pesan.j2"
    tpl.write_text("\n".join(EDITED) + "\n", "utf-8")
    as_user(team, "Budi")
    code, _, err = run_cli("send", path, "--template", tpl, "--yes", "--outbox", tmp_path / "o")
    assert code == 2 and "berkas" in err and "belum disetujui" in err
    as_user(team, "Siti")
    assert run_cli("template", "approve", "--template", tpl, "--yes")[0] == 0
    as_user(team, "Budi")
    code, _, err = run_cli("send", path, "--template", tpl, "--yes", "--outbox", tmp_path / "o")
    assert code == 0, err


def test_without_logins_approval_is_implicit_but_first_use_is_audited(
        settings: Settings, tmp_path: Path) -> None:
    path = book(tmp_path / "t.xlsx")
    code, _out, err = run_cli("send", path, "--yes", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert len(outbox(tmp_path / "ob")) == 3
    ((event, actor, details),) = template_events(settings)
    assert (event, actor) == ("template_first_use", "clerk-pc1")
    assert "DIUBAH" in details["text"]
    book(tmp_path / "u.xlsx")  # same text, another workbook: not a new first use
    assert run_cli("send", tmp_path / "u.xlsx", "--yes", "--outbox", tmp_path / "ob")[0] == 0
    assert len(template_events(settings)) == 1


def test_each_level_text_needs_approval(team: Settings, tmp_path: Path) -> None:
    """A Template sheet with one column per level: every level's text is approved on its own.

    A send at level 1 must not pass on the approval of level 0's text."""
    path = book(tmp_path / "lv.xlsx", template=None)
    wb = openpyxl.load_workbook(path)
    tpl = wb.create_sheet("Template")
    tpl["A1"] = "Template Pesan"
    for col, (level, extra) in enumerate([(0, "SATU"), (1, "DUA")], 1):
        tpl.cell(2, col, f"Tingkat {level}")
        tpl.cell(3, col, EDITED[0])
        tpl.cell(4, col, f"Kode {extra}.")
    wb.save(path)

    as_user(team, "Siti")
    code, _, err = run_cli("template", "approve", path, "--yes")
    assert code == 0, err
    events = template_events(team)
    assert [e[0] for e in events] == ["template_approve"] * 2
    assert {("SATU" in d["text"], "DUA" in d["text"]) for _e, _a, d in events} == {
        (True, False), (False, True)}

    # Revoke level 1's text only: a level-1 send is refused, a level-0 send goes out.
    dua = next(d["hash"] for _e, _a, d in events if "DUA" in d["text"])
    assert run_cli("template", "revoke", dua[:12])[0] == 0
    as_user(team, "Budi")
    code, _, err = run_cli("send", path, "--yes", "--level", "1", "--outbox", tmp_path / "ob")
    assert code == 2 and "belum disetujui" in err and outbox(tmp_path / "ob") == []
    code, _, err = run_cli("send", path, "--yes", "--level", "0", "--outbox", tmp_path / "ob")
    assert code == 0, err
    assert outbox(tmp_path / "ob")
