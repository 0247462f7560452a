"""The MS-CFB writer, read back by olefile with every defect raised, plus an independent
parse of the header and directory to check sort order, tree colouring and zeroed fields."""

from __future__ import annotations

import io
import random
import struct

import olefile
import pytest

from tagihlite.addin.cfb import CompoundFile, name_key


def _open_strict(data: bytes) -> olefile.OleFileIO:
    assert olefile.isOleFile(data=data)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_POTENTIAL)
    assert ole.parsing_issues == []
    return ole


def _build(streams: dict[tuple[str, ...], bytes]) -> bytes:
    cf = CompoundFile()
    for path, data in streams.items():
        cf.add_stream(path, data)
    return cf.to_bytes()


def _directory(data: bytes) -> list[dict]:
    """Directory entries read straight from the bytes (header + FAT chain)."""
    header = data[:512]
    assert header[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    minor, major, byte_order, sector_shift, mini_shift = struct.unpack_from("<HHHHH", header, 24)
    assert (minor, major, byte_order, sector_shift, mini_shift) == (0x3E, 3, 0xFFFE, 9, 6)
    n_fat, first_dir = struct.unpack_from("<II", header, 44)
    difat = struct.unpack_from("<109I", header, 76)
    fat: list[int] = []
    for sector in difat[:n_fat]:
        fat += struct.unpack_from("<128I", data, 512 + sector * 512)
    entries, sector = [], first_dir
    while sector != 0xFFFFFFFE:
        block = data[512 + sector * 512 : 512 + (sector + 1) * 512]
        for i in range(4):
            raw = block[i * 128 : (i + 1) * 128]
            name_len, kind, color = struct.unpack_from("<HBB", raw, 64)
            left, right, child = struct.unpack_from("<III", raw, 68)
            entries.append(
                {
                    "name": raw[: max(name_len - 2, 0)].decode("utf-16-le"),
                    "kind": kind,
                    "color": color,
                    "left": left,
                    "right": right,
                    "child": child,
                    "zeroed": raw[80:116],  # CLSID, state bits, both timestamps
                }
            )
        sector = fat[sector]
    return entries


def _in_order(entries: list[dict], sid: int) -> list[int]:
    if sid == 0xFFFFFFFF:
        return []
    e = entries[sid]
    return [*_in_order(entries, e["left"]), sid, *_in_order(entries, e["right"])]


def _check_red_black(entries: list[dict], sid: int) -> int:
    """Black height of the subtree; asserts no red node has a red child."""
    if sid == 0xFFFFFFFF:
        return 1
    e = entries[sid]
    for side in ("left", "right"):
        if e["color"] == 0 and e[side] != 0xFFFFFFFF:
            assert entries[e[side]]["color"] == 1, "red node with a red child"
    left = _check_red_black(entries, e["left"])
    right = _check_red_black(entries, e["right"])
    assert left == right, "unequal black height"
    return left + (e["color"] == 1)


def test_streams_read_back_exactly_across_size_classes() -> None:
    rng = random.Random(3)
    streams = {
        ("PROJECT",): b"ID=1\r\n",
        ("VBA", "empty"): b"",
        ("VBA", "mini63"): bytes(rng.randrange(256) for _ in range(63)),
        ("VBA", "mini4095"): bytes(rng.randrange(256) for _ in range(4095)),
        ("VBA", "big4096"): bytes(rng.randrange(256) for _ in range(4096)),
        ("VBA", "big200k"): bytes(rng.randrange(256) for _ in range(200_000)),  # >1 FAT sector
        ("VBA", "Sub", "deep"): b"nested",
    }
    for i in range(40):  # enough mini sectors for a two-sector mini FAT
        streams[("Many", f"s{i}")] = bytes([i]) * 1000
    data = _build(streams)
    assert len(data) % 512 == 0
    ole = _open_strict(data)
    listed = {tuple(p) for p in ole.listdir(streams=True, storages=False)}
    assert listed == set(streams)
    for path, content in streams.items():
        assert ole.openstream("/".join(path)).read() == content
        assert ole.get_size("/".join(path)) == len(content)
    assert ole.get_type("VBA") == olefile.STGTY_STORAGE
    ole.close()


def test_siblings_sorted_by_length_then_upper_case_and_red_black_valid() -> None:
    names = ["dir", "_VBA_PROJECT", "ThisWorkbook", "Sheet1", "Sheet10", "a", "B", "Zz", "xlwings"]
    for count in range(1, len(names) + 1):
        data = _build({("VBA", n): n.encode() for n in names[:count]})
        entries = _directory(data)
        root = entries[0]
        assert root["name"] == "Root Entry" and root["kind"] == 5 and root["color"] == 1
        vba = entries[root["child"]]
        assert vba["name"] == "VBA" and vba["color"] == 1
        order = [entries[sid]["name"] for sid in _in_order(entries, vba["child"])]
        assert order == sorted(names[:count], key=lambda n: (len(n), n.upper()))
        assert entries[vba["child"]]["color"] == 1, "tree root is black"
        _check_red_black(entries, vba["child"])
        for e in entries:
            assert e["zeroed"] == bytes(36)


def test_red_black_colouring_for_many_sizes() -> None:
    for count in range(1, 70):
        data = _build({("S", f"n{i:03d}"): b"x" for i in range(count)})
        entries = _directory(data)
        storage = entries[entries[0]["child"]]
        assert len(_in_order(entries, storage["child"])) == count
        _check_red_black(entries, storage["child"])
        _open_strict(data).close()


def test_name_key_compares_length_before_letters() -> None:
    assert sorted(["bb", "A", "aaa", "B"], key=name_key) == ["A", "B", "bb", "aaa"]


def test_output_is_deterministic() -> None:
    streams = {("VBA", "dir"): b"d" * 5000, ("PROJECT",): b"p" * 10}
    assert _build(streams) == _build(dict(reversed(list(streams.items()))))


@pytest.mark.parametrize("name", ["", "a/b", "x" * 32, "bad:name", "ctl\x01"])
def test_invalid_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError):
        CompoundFile().add_stream(("VBA", name), b"")


def test_duplicate_names_ignore_case() -> None:
    cf = CompoundFile()
    cf.add_stream(("VBA", "Module1"), b"")
    with pytest.raises(ValueError, match="duplicate"):
        cf.add_stream(("vba", "MODULE1"), b"")
    with pytest.raises(ValueError, match="not a storage"):
        cf.add_stream(("VBA", "Module1", "x"), b"")
