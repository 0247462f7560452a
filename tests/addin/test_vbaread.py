"""Reading VBA source back out of a workbook (what ``tagihlite doctor`` compares)."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from tagihlite.addin.build import build_workbook, vba_modules
from tagihlite.addin.ovba import compress
from tagihlite.addin.vbaread import (
    decompress,
    module_sources,
    workbook_vba_sources,
    xlwings_vba_version,
)
from tagihlite.addin.xlwings_modules import XLWINGS_VERSION


def test_spec_example_decompresses() -> None:
    # [MS-OVBA] 3.2.2: "#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    container = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 "
        "6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")
    assert decompress(container) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"


@pytest.mark.parametrize("size", [0, 1, 17, 4095, 4096, 4097, 12_289, 70_000])
def test_decompress_undoes_our_compressor(size: int) -> None:
    rng = random.Random(size)
    words = [b"Sub ", b"End Sub\r\n", b"Dim x As String\r\n", b"RunPython ", b"'", b"\r\n"]
    text = b"".join(rng.choice(words) for _ in range(size))[:size]
    assert decompress(compress(text)) == text
    noise = bytes(rng.randrange(256) for _ in range(size))
    # a raw (incompressible) chunk is stored padded to 4096 bytes: compare the data part
    assert decompress(compress(noise))[:size] == noise


def test_decompress_refuses_what_is_not_a_container() -> None:
    with pytest.raises(ValueError):
        decompress(b"\x00\x01\x02")


def test_module_sources_agree_with_olevba(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "tagihlite.xlsm")
    ours = workbook_vba_sources(path)
    parser = VBA_Parser(str(path))
    try:
        theirs = {stream.rsplit("/", 1)[-1]: code.replace("\r\n", "\n")
                  for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    assert set(ours) == {m.name for m in vba_modules()}
    for name, source in ours.items():
        assert source == theirs[name], name


def test_xlwings_version_of_the_built_workbook(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "tagihlite.xlsm")
    assert xlwings_vba_version(path) == XLWINGS_VERSION == "0.37.8"


def test_module_stream_with_a_performance_cache_offset() -> None:
    """Real Excel files keep compiled p-code before the source: MODULEOFFSET skips it."""
    from tagihlite.addin.vbaproject import VbaModule, build_vba_project

    project = build_vba_project([VbaModule("Modul1", "standard", "Sub A()\nEnd Sub\n")])
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(project))
    source_stream = ole.openstream("VBA/Modul1").read()
    ole.close()
    assert module_sources(project)["Modul1"].endswith("Sub A()\nEnd Sub\n")
    # The same project with 9 bytes of "p-code" before the compressed source.
    padded = _replace_stream_with_offset(project, source_stream, b"\xcc" * 9)
    assert module_sources(padded)["Modul1"].endswith("Sub A()\nEnd Sub\n")


def _replace_stream_with_offset(project: bytes, stream: bytes, prefix: bytes) -> bytes:
    from tagihlite.addin import ovba
    from tagihlite.addin.cfb import CompoundFile
    from tagihlite.addin.vbaproject import project_id

    entries = [ovba.ProjectModule("Modul1", "Module")]
    dir_data = bytearray(ovba.dir_stream("VBAProject", entries))
    marker = b"\x31\x00\x04\x00\x00\x00\x00\x00\x00\x00"  # MODULEOFFSET 0
    assert dir_data.count(marker) == 1
    dir_data[dir_data.index(marker) + 6:dir_data.index(marker) + 10] = len(prefix).to_bytes(
        4, "little")
    cf = CompoundFile()
    cf.add_stream(["PROJECT"], ovba.project_stream(project_id("VBAProject"), "VBAProject",
                                                   entries))
    cf.add_stream(["VBA", "_VBA_PROJECT"], ovba.VBA_PROJECT_STREAM)
    cf.add_stream(["VBA", "dir"], compress(bytes(dir_data)))
    cf.add_stream(["VBA", "Modul1"], prefix + stream)
    return cf.to_bytes()


def test_a_workbook_without_vba_has_no_version(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    assert workbook_vba_sources(path) == {} and xlwings_vba_version(path) is None
