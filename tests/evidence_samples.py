"""Small real files made in memory: just enough of each format for magic-byte sniffing to recognise it."""

from __future__ import annotations

import hashlib
import struct
import zlib


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """A valid 1x1 PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels) + _png_chunk(b"IEND", b"")


def jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _isobmff(major: bytes, *compatible: bytes) -> bytes:
    brands = major + b"\x00\x00\x02\x00" + b"".join(compatible)
    return struct.pack(">I", 8 + len(brands)) + b"ftyp" + brands + b"\x00\x00\x00\x08free"


def mp4() -> bytes:
    return _isobmff(b"isom", b"isom", b"mp42")


def mov() -> bytes:
    return _isobmff(b"qt  ", b"qt  ")


def heic() -> bytes:
    return _isobmff(b"heic", b"mif1", b"heic")


def webm() -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 32


def webp() -> bytes:
    return b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def text() -> bytes:
    return "buyer: it arrived cracked\nseller: ok, send photos — 谢谢\n".encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
