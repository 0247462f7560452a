"""A ``journal_path`` that cannot be used: one sentence, exit 2, no traceback, workbook intact.

The tests run as root in CI, where permission bits do not stop anyone; so the unwritable
places are real ones root cannot write either: /sys (sysfs refuses new files and folders)
and ext4's immutable attribute (``chattr +i``) for a read-only journal or folder.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tagihlite.cli import main
from tagihlite.workbook.demo import write_demo_xlsx


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_demo_xlsx(tmp_path / "tagihan.xlsx")


def _use_journal(path: Path | str) -> None:
    Path(os.environ["TAGIHLITE_CONFIG"]).write_text(f'journal_path = "{path}"\n',
                                                     encoding="utf-8")


def _refused(capsys, argv: list[str], workbook: Path, *words: str) -> str:
    before = _sha(workbook)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    errors = [line for line in captured.err.splitlines() if line.startswith("tagihlite:")]
    assert len(errors) == 1, captured.err
    for word in words:
        assert word in errors[0], errors[0]
    assert "kesalahan tak terduga" not in errors[0]
    assert _sha(workbook) == before
    return errors[0]


def _unwritable_sys() -> None:
    if not Path("/sys").is_dir() or _can_create("/sys"):
        pytest.skip("/sys accepts new files here")


def _can_create(folder: str) -> bool:
    try:
        Path(folder, "tagihlite-probe").mkdir()
    except OSError:
        return False
    Path(folder, "tagihlite-probe").rmdir()
    return True


SEND = ["send", "--yes", "--operator", "Uji", "--period", "2026-11"]


@pytest.mark.parametrize("command", [["check"], SEND], ids=["check", "send"])
@pytest.mark.parametrize("where", ["/sys/tagihlite-uji/journal.sqlite",
                                   "/sys/tagihlite-uji.sqlite"],
                         ids=["missing-folder", "existing-folder"])
def test_journal_in_an_unwritable_folder(capsys, workbook: Path, where: str,
                                         command: list[str]) -> None:
    _unwritable_sys()
    _use_journal(where)
    _refused(capsys, [command[0], str(workbook), *command[1:]], workbook,
             f"'{where}'", "tidak dapat ditulisi", "journal_path")


def test_journal_path_through_a_file(capsys, tmp_path: Path, workbook: Path) -> None:
    blocker = tmp_path / "bukan_folder.txt"
    blocker.write_text("x")
    _use_journal(blocker / "journal.sqlite")
    _refused(capsys, ["check", str(workbook)], workbook, f"'{blocker}' adalah berkas")


def test_journal_path_is_a_folder(capsys, tmp_path: Path, workbook: Path) -> None:
    _use_journal(tmp_path)
    _refused(capsys, ["check", str(workbook)], workbook, "adalah folder",
             str(tmp_path / "journal.sqlite"))


def test_journal_path_is_not_a_database(capsys, tmp_path: Path, workbook: Path) -> None:
    other = tmp_path / "catatan.txt"
    other.write_text("bukan jurnal\n" * 200)
    _use_journal(other)
    _refused(capsys, ["check", str(workbook)], workbook, "tidak dapat dibuka", "journal_path")
    assert other.read_text() == "bukan jurnal\n" * 200


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Paths to make immutable with chattr +i; made mutable again afterwards."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    paths: list[Path] = []
    yield paths
    for path in paths:
        subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)


def _freeze(immutable: list[Path], path: Path) -> None:
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"chattr +i is not supported here: {done.stderr.decode().strip()}")
    immutable.append(path)


@pytest.mark.parametrize("command", [["check"], SEND], ids=["check", "send"])
def test_read_only_journal(capsys, tmp_path: Path, workbook: Path,
                           immutable: list[Path], command: list[str]) -> None:
    journal = tmp_path / "jurnal.sqlite"
    with sqlite3.connect(journal) as db:
        db.execute("CREATE TABLE dummy (x)")
    db.close()
    _freeze(immutable, journal)
    _use_journal(journal)
    _refused(capsys, [command[0], str(workbook), *command[1:]], workbook,
             f"'{journal}'", "hanya dapat dibaca")


def test_journal_folder_made_read_only_after_first_use(capsys, tmp_path: Path,
                                                       workbook: Path,
                                                       immutable: list[Path]) -> None:
    folder = tmp_path / "bersama"
    folder.mkdir()
    _use_journal(folder / "journal.sqlite")
    assert main(["check", str(workbook)]) == 0
    capsys.readouterr()
    for extra in folder.glob("journal.sqlite-*"):
        extra.unlink()  # as after a clean close on another PC
    _freeze(immutable, folder)
    _refused(capsys, [SEND[0], str(workbook), *SEND[1:]], workbook,
             f"'{folder / 'journal.sqlite'}'", "tidak dapat ditulisi")
