"""MS-OVBA 2.4.1 compression, checked against the spec's worked examples (3.2) and against
oletools' independent decompressor."""

from __future__ import annotations

import random
import struct

import pytest
from oletools.olevba import decompress_stream

from tagihlite.addin.ovba import compress


def _decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def _chunks(container: bytes) -> list[tuple[int, bool]]:
    """(chunk size, compressed flag) of every chunk, read from the chunk headers."""
    assert container[0] == 0x01
    pos, out = 1, []
    while pos < len(container):
        (header,) = struct.unpack_from("<H", container, pos)
        assert (header >> 12) & 0b111 == 0b011, "chunk signature"
        size = (header & 0x0FFF) + 3
        out.append((size, bool(header & 0x8000)))
        pos += size
    assert pos == len(container)
    return out


def test_spec_no_compression_example() -> None:
    # [MS-OVBA] 3.2.1
    expected = bytes.fromhex(
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
    )
    assert compress(b"abcdefghijklmnopqrstuv.") == expected


def test_spec_normal_compression_example() -> None:
    # [MS-OVBA] 3.2.2
    text = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    expected = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C"
        " 00 20 6D 6E 6F 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
    )
    assert compress(text) == expected
    assert _decompress(expected) == text


def test_maximum_compression_is_one_literal_and_one_copy_token() -> None:
    # A run of 73 equal bytes: a literal, then a copy token (offset 1) of length 72, the
    # longest one the token can hold this early in a chunk (12 length bits: 4095 + 3).
    container = compress(b"a" * 73)
    assert container == bytes.fromhex("01 03 B0 02 61 45 00")
    assert _decompress(container) == b"a" * 73


def test_empty_input_is_a_bare_signature() -> None:
    assert compress(b"") == b"\x01"


def _vba_like_text(size: int, seed: int) -> bytes:
    rng = random.Random(seed)
    words = ["Dim", "As", "String", "If", "Then", "End", "Sub", "RunPython", "Call", "x", "i"]
    lines = []
    while sum(len(line) + 2 for line in lines) < size:
        indent = "    " * rng.randint(0, 3)
        lines.append(indent + " ".join(rng.choice(words) for _ in range(rng.randint(1, 9))))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")[:size]


@pytest.mark.parametrize(
    "data",
    [
        b"x",
        b"ab",
        b"abc" * 2,
        b"A" * 4096,
        b"A" * 4097,
        b"\x00" * 10_000,
        bytes(range(256)) * 40,  # repeats with a 256-byte period across chunks
        _vba_like_text(4095, 1),
        _vba_like_text(4096, 2),
        _vba_like_text(4097, 3),
        _vba_like_text(50_000, 4),
    ],
    ids=lambda d: f"{len(d)}b",
)
def test_round_trip_through_oletools(data: bytes) -> None:
    container = compress(data)
    assert _decompress(container) == data
    chunks = _chunks(container)
    assert len(chunks) == max(1, -(-len(data) // 4096)) or not data
    assert all(flag for _, flag in chunks), "text-like data must compress in every chunk"


def test_random_text_round_trip() -> None:
    rng = random.Random(7)
    text = "".join(rng.choice("abcdefghij klmnop\r\n") for _ in range(20_000)).encode()
    container = compress(text)
    assert _decompress(container) == text
    assert len(container) < len(text)


def test_incompressible_chunk_is_stored_raw() -> None:
    rng = random.Random(11)
    noise = bytes(rng.randrange(256) for _ in range(8192))
    container = compress(noise)
    assert _chunks(container) == [(4098, False), (4098, False)]
    assert _decompress(container) == noise
    with pytest.raises(ValueError, match="incompressible"):
        compress(noise, allow_raw=False)


def test_short_raw_chunk_is_zero_padded_as_the_spec_says() -> None:
    # 2.4.1.3.10: a raw chunk always holds 4096 bytes, so a short incompressible tail
    # decompresses with trailing zeros; build_vba_project therefore refuses raw chunks.
    rng = random.Random(12)
    noise = bytes(rng.randrange(1, 256) for _ in range(4000))
    container = compress(noise)
    assert _chunks(container) == [(4098, False)]
    assert _decompress(container) == noise + bytes(96)


def test_match_distance_limits_across_a_chunk() -> None:
    # Late in a chunk, copy tokens spend more bits on the offset (12 of 16), so the length
    # field shrinks to 4 bits (max 18); a long repeat there is split into several tokens.
    head = _vba_like_text(3000, 5)
    data = head + b"Q" * 1000 + head[:900]
    assert _decompress(compress(data)) == data


def test_compress_is_deterministic() -> None:
    data = _vba_like_text(20_000, 9)
    assert compress(data) == compress(bytes(data))
