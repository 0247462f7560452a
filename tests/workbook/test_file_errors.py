"""Unusable inputs: one clear Indonesian InputError naming the file; the file never changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from file_shell_helpers import FIXTURES, fixture_copy, sha256

from tagihlite.core.writeplan import ColumnWrite, WritePlan
from tagihlite.errors import InputError
from tagihlite.workbook.file import apply_plan, check_writable, read_table, read_workbook

# fixture -> a word the message must contain (what is wrong)
BROKEN = {
    "truncated.xlsx": "terpotong",
    "corrupt.xlsx": "rusak",
    "empty.xlsx": "kosong",
    "zero_bytes.xlsx": "kosong",
    "html_export.xls": "HTML",
    "password.xlsx": "kata sandi",
    "not_a_workbook.xls": "bukan buku kerja",
}


def _plan() -> WritePlan:
    return WritePlan(sheet="Sheet1", header_row=1, row_numbers=[2],
                     columns=[ColumnWrite(col=9, header="Status Kirim", new=True,
                                          values=["SIAP KIRIM"])])


@pytest.mark.parametrize("name,word", sorted(BROKEN.items()))
def test_broken_input_is_one_clear_message(tmp_path: Path, name: str, word: str) -> None:
    path = fixture_copy(tmp_path, name)
    before = sha256(path)
    with pytest.raises(InputError) as err:
        read_table(path)
    text = str(err.value)
    assert f"'{name}'" in text
    assert word.lower() in text.lower()
    assert "Traceback" not in text and "\n" not in text
    assert sha256(path) == before


@pytest.mark.parametrize("name", sorted(set(BROKEN) - {"empty.xlsx"}))
def test_broken_input_is_never_written(tmp_path: Path, name: str) -> None:
    path = fixture_copy(tmp_path, name)
    before = sha256(path)
    with pytest.raises(InputError) as err:
        apply_plan(path, _plan())
    assert f"'{name}'" in str(err.value)
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temp, no backup


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_workbook(tmp_path / "tidak-ada.xlsx")
    assert "'tidak-ada.xlsx'" in str(err.value) and "tidak ditemukan" in str(err.value)


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "map.xlsx").mkdir()
    with pytest.raises(InputError, match="folder"):
        read_workbook(tmp_path / "map.xlsx")


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "acak.xlsx"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError) as err:
        read_workbook(path)
    assert "'acak.xlsx'" in str(err.value)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "bukan excel")
    with pytest.raises(InputError, match="bukan buku kerja"):
        read_workbook(path)


def test_spreadsheetml_2003(tmp_path: Path) -> None:
    path = tmp_path / "lama.xls"
    path.write_text('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:'
                    'office:spreadsheet"></Workbook>', encoding="utf-8")
    with pytest.raises(InputError, match="XML Spreadsheet 2003"):
        read_workbook(path)


def test_utf16_html_export(tmp_path: Path) -> None:
    path = tmp_path / "bank.xls"
    path.write_bytes((FIXTURES / "html_export.xls").read_text("utf-8").encode("utf-16"))
    with pytest.raises(InputError, match="HTML"):
        read_workbook(path)


@pytest.mark.parametrize("name", ["lo_ugly.xls", "lo_ugly.ods", "semicolon_cp1252.csv"])
def test_read_only_formats_refuse_writing(tmp_path: Path, name: str) -> None:
    path = fixture_copy(tmp_path, name)
    before = sha256(path)
    with pytest.raises(InputError) as err:
        check_writable(path)
    text = str(err.value)
    assert f"'{name}'" in text and ".xlsx" in text
    with pytest.raises(InputError):
        apply_plan(path, _plan())
    assert sha256(path) == before


def test_read_only_file_refused(tmp_path: Path) -> None:
    path = fixture_copy(tmp_path, "ugly.xlsx")
    path.chmod(0o444)
    with pytest.raises(InputError, match="hanya-baca"):
        check_writable(path)
    assert sha256(path) == sha256(FIXTURES / "ugly.xlsx")


@pytest.mark.parametrize("name", ["lo_ugly.xls", "password.xlsx", "not_a_workbook.xls"])
def test_cfb_directory_matches_olefile(name: str) -> None:
    import olefile  # test extra (oletools): an independent reader to compare with

    from tagihlite.workbook.sniff import cfb_entry_names

    with olefile.OleFileIO(str(FIXTURES / name)) as ole:
        top = {entry[0] for entry in ole.listdir(streams=True, storages=True)}
    assert set(cfb_entry_names(FIXTURES / name)) == top


def test_truncated_old_excel_file(tmp_path: Path) -> None:
    path = tmp_path / "potong.xls"
    path.write_bytes((FIXTURES / "lo_ugly.xls").read_bytes()[:1500])
    with pytest.raises(InputError) as err:
        read_workbook(path)
    assert "'potong.xls'" in str(err.value) and "rusak" in str(err.value)
