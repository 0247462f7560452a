"""A minimal, deterministic writer for Compound File Binary files ([MS-CFB], version 3).

Enough for a vbaProject.bin: storages and streams, 512-byte sectors, a mini stream for
streams under 4096 bytes, and no DIFAT sectors (up to 109 FAT sectors, about 6.8 MiB).
Output depends only on the tree given: CLSIDs, state bits and timestamps are zero, siblings
form a balanced, validly coloured red-black tree in the spec's name order (2.6.4).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
HEADER_DIFAT = 109

MAXREGSECT = 0xFFFFFFFA
FATSECT = 0xFFFFFFFD
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

TYPE_STORAGE = 1
TYPE_STREAM = 2
TYPE_ROOT = 5
RED = 0
BLACK = 1

_FORBIDDEN = set("/\\:!")


def name_key(name: str) -> tuple[int, str]:
    """2.6.4 ordering: shorter names first, then code-point order of the upper-cased names.
    Length counts UTF-16 code units, as stored."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return len(name.encode("utf-16-le")) // 2, upper


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)  # keyed by upper-case name
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def _check_name(name: str) -> None:
    if not name or len(name.encode("utf-16-le")) // 2 > 31:
        raise ValueError(f"compound file entry name must be 1-31 characters: {name!r}")
    if _FORBIDDEN & set(name) or any(ord(c) < 0x20 for c in name):
        raise ValueError(f"compound file entry name has a forbidden character: {name!r}")


class CompoundFile:
    """Collects streams by path, then serialises them with :meth:`to_bytes`.

    >>> cf = CompoundFile()
    >>> cf.add_stream(("VBA", "dir"), b"...")
    """

    def __init__(self) -> None:
        self._root = _Node("Root Entry", TYPE_ROOT)

    def add_stream(self, path: Iterable[str], data: bytes) -> None:
        """Add a stream; storages on its path are created as needed."""
        parts = list(path)
        if not parts:
            raise ValueError("stream path must not be empty")
        node = self._root
        for part in parts[:-1]:
            _check_name(part)
            child = node.children.get(part.upper())
            if child is None:
                child = node.children[part.upper()] = _Node(part, TYPE_STORAGE)
            elif child.kind != TYPE_STORAGE:
                raise ValueError(f"{part!r} is a stream, not a storage")
            node = child
        name = parts[-1]
        _check_name(name)
        if name.upper() in node.children:
            raise ValueError(f"duplicate compound file entry: {'/'.join(parts)}")
        node.children[name.upper()] = _Node(name, TYPE_STREAM, bytes(data))

    def to_bytes(self) -> bytes:
        entries = self._number_entries()
        for entry in entries:
            if entry.children:
                entry.child = _link_tree(sorted(entry.children.values(), key=_sort_key))

        # Mini stream: every small stream, each padded to whole 64-byte mini sectors.
        mini_stream = bytearray()
        mini_fat: list[int] = []
        big: list[_Node] = []
        for entry in entries:
            if entry.kind != TYPE_STREAM:
                continue
            size = len(entry.data)
            if size == 0:
                entry.start = ENDOFCHAIN
            elif size < MINI_CUTOFF:
                first = len(mini_fat)
                count = _ceil(size, MINI_SECTOR)
                mini_fat += [*range(first + 1, first + count), ENDOFCHAIN]
                entry.start = first
                mini_stream += entry.data.ljust(count * MINI_SECTOR, b"\x00")
            else:
                big.append(entry)

        dir_sectors = _ceil(len(entries) * 128, SECTOR)
        minifat_sectors = _ceil(len(mini_fat) * 4, SECTOR)
        ministream_sectors = _ceil(len(mini_stream), SECTOR)
        big_sectors = [_ceil(len(e.data), SECTOR) for e in big]
        body = dir_sectors + minifat_sectors + ministream_sectors + sum(big_sectors)
        fat_sectors = 1
        while fat_sectors * (SECTOR // 4) < fat_sectors + body:
            fat_sectors += 1
        if fat_sectors > HEADER_DIFAT:
            raise ValueError("compound file too large for a header-only DIFAT")

        # Layout: FAT, directory, mini FAT, mini stream, then the large streams.
        fat: list[int] = [FATSECT] * fat_sectors
        sections: list[bytes] = []

        def place(data: bytes, count: int) -> int:
            if count == 0:
                return ENDOFCHAIN
            first = len(fat)
            fat.extend([*range(first + 1, first + count), ENDOFCHAIN])
            sections.append(data.ljust(count * SECTOR, b"\x00"))
            return first

        dir_start_index = len(sections)
        sections.append(b"")  # directory placeholder, filled once starts are known
        dir_start = len(fat)
        fat.extend([*range(dir_start + 1, dir_start + dir_sectors), ENDOFCHAIN])
        mini_fat_bytes = b"".join(struct.pack("<I", s) for s in mini_fat)
        minifat_start = place(mini_fat_bytes, minifat_sectors)
        root = entries[0]
        root.start = place(bytes(mini_stream), ministream_sectors)
        root.data = bytes(mini_stream)  # root size is the mini stream size
        for entry, count in zip(big, big_sectors, strict=True):
            entry.start = place(entry.data, count)
        unused = dir_sectors * (SECTOR // 128) - len(entries)
        directory = b"".join(_dir_entry(e) for e in entries) + _UNUSED_ENTRY * unused
        sections[dir_start_index] = directory

        fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))
        fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
        difat = list(range(fat_sectors)) + [FREESECT] * (HEADER_DIFAT - fat_sectors)
        header = b"".join(
            [
                SIGNATURE,
                bytes(16),  # header CLSID
                struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6),
                bytes(6),
                struct.pack(
                    "<IIIIIIIII",
                    0,  # number of directory sectors: 0 in version 3
                    fat_sectors,
                    dir_start,
                    0,  # transaction signature
                    MINI_CUTOFF,
                    minifat_start,
                    minifat_sectors,
                    ENDOFCHAIN,  # first DIFAT sector: none
                    0,
                ),
                struct.pack(f"<{HEADER_DIFAT}I", *difat),
            ]
        )
        assert len(header) == SECTOR
        return header + fat_bytes + b"".join(sections)

    def _number_entries(self) -> list[_Node]:
        """Stream ids in pre-order with children in name order: stable across builds."""
        order: list[_Node] = []

        def visit(node: _Node) -> None:
            node.sid = len(order)
            order.append(node)
            for child in sorted(node.children.values(), key=_sort_key):
                visit(child)

        visit(self._root)
        return order


def _sort_key(node: _Node) -> tuple[int, str]:
    return name_key(node.name)


def _ceil(size: int, unit: int) -> int:
    return -(-size // unit)


def _link_tree(siblings: list[_Node]) -> int:
    """Link sorted siblings as a median-split binary search tree and colour it.

    Median splitting puts every empty child link on the last two levels, so colouring the
    nodes of an incomplete last level red (all others black) gives equal black height on
    every path and no red node with a red parent: a valid red-black tree."""
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = siblings[mid]
        depth_of[id(node)] = depth
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.sid

    root = build(0, len(siblings), 0)
    deepest = max(depth_of.values())
    complete = len(siblings) == 2 ** (deepest + 1) - 1
    for node in siblings:
        node.color = RED if (not complete and depth_of[id(node)] == deepest) else BLACK
    return root


_UNUSED_ENTRY = (
    bytes(64)
    + struct.pack("<HBBIII", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
    + bytes(16 + 4 + 8 + 8 + 4 + 8)
)


def _dir_entry(node: _Node) -> bytes:
    encoded = node.name.encode("utf-16-le")
    size = 0 if node.kind == TYPE_STORAGE else len(node.data)
    start = 0 if node.kind == TYPE_STORAGE else node.start
    return b"".join(
        [
            (encoded + b"\x00\x00").ljust(64, b"\x00"),
            struct.pack("<HBB", len(encoded) + 2, node.kind, node.color),
            struct.pack("<III", node.left, node.right, node.child),
            bytes(16),  # CLSID
            struct.pack("<I", 0),  # state bits
            bytes(16),  # creation and modification times
            struct.pack("<IQ", start, size),
        ]
    )
