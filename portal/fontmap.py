"""The characters a font has glyphs for, as a bitmap: `python -m portal.fontmap FONT [FACE]` writes it
to standard output (one bit per code point, 139 kB).

Run in a child process by portal.sharecards: fontTools' parse of a CJK font's character map (about
45,000 entries) leaves a web worker 35 MB larger for good (measured: the memory is not given back
after the map is dropped); the worker keeps only the bitmap.
"""

import sys

SIZE = 0x110000 // 8


def bitmap(path: str, face: int = 0) -> bytes:
    from fontTools.ttLib import TTFont

    bits = bytearray(SIZE)
    with TTFont(path, fontNumber=face, lazy=True) as font:
        for code in font.getBestCmap() or {}:
            bits[code >> 3] |= 1 << (code & 7)
    return bytes(bits)


class Coverage:
    """A bitmap from bitmap(): `ord(char) in coverage`."""

    def __init__(self, bits: bytes):
        if len(bits) != SIZE:
            raise ValueError(f"a font coverage bitmap has {SIZE} bytes, not {len(bits)}")
        self.bits = bits

    def __contains__(self, code: int) -> bool:
        return 0 <= code < SIZE * 8 and bool(self.bits[code >> 3] & (1 << (code & 7)))


if __name__ == "__main__":
    sys.stdout.buffer.write(bitmap(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0))
