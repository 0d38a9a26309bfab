"""Hostile files, as an attacker would upload them (issue #14), generated on demand.

Each maker writes one file to ``path`` and returns it. The sizes default to those of the
attacks found on the demo; the tests pass smaller ones together with smaller
:class:`~ckanext.satudata_balikpapan.quality.engine.limits.Limits`, the benchmark
(``benchmarks/bench_hostile_files.py``) the real ones against the default bounds.
"""

from __future__ import annotations

import os
import random
import struct
import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"
EMPTY_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>'
)


def _frame(archive: zipfile.ZipFile, strings: str | bytes = EMPTY_STRINGS) -> None:
    """The parts of a workbook but its sheet: content types, relations, shared strings."""
    archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    archive.writestr("_rels/.rels", RELS)
    archive.writestr("xl/workbook.xml", WORKBOOK)
    archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
    archive.writestr("xl/sharedStrings.xml", strings)


def _workbook(
    path: Path, sheet: str | bytes, strings: str | bytes = EMPTY_STRINGS, *, prolog: str = ""
) -> Path:
    """A minimal, well-formed XLSX whose single sheet and shared strings are given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _frame(archive, strings)
        archive.writestr("xl/worksheets/sheet1.xml", prolog + sheet if isinstance(sheet, str) else sheet)
    return path


def _cell(ref: str, value: int) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def wide_csv(path: Path, columns: int = 200_000, rows: int = 3) -> Path:
    """A CSV whose header has ``columns`` cells (200,000: about 1.9 MB)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        for _ in range(rows):
            f.write(",".join("1" for _ in range(columns)) + "\n")
    return path


def endless_header_csv(path: Path, size: int = 2 * 1024 * 1024) -> Path:
    """A CSV with no line break at all: one header record of ``size`` bytes."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("x" * size)
    return path


def zip_bomb_xlsx(path: Path, unpacked: int = 300 * 1024 * 1024) -> Path:
    """A workbook whose sheet part is ``unpacked`` bytes of padding between two cells,
    compressed to a fraction of a megabyte per 100 MB."""
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        _frame(archive)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((SHEET_HEAD + '<row r="1">' + _cell("A1", 1)).encode())
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
            part.write(("</row>" + SHEET_TAIL).encode())
    return path


def string_bomb_xlsx(path: Path, text_bytes: int = 60 * 1024 * 1024) -> Path:
    """A workbook whose shared strings hold ``text_bytes`` of one repeated letter."""
    strings = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{'A' * text_bytes}</t></si></sst>"
    )
    sheet = SHEET_HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_TAIL
    return _workbook(path, sheet, strings)


def far_corner_xlsx(path: Path, corner: str = "XFD1048576") -> Path:
    """A sheet with one cell in ``A1`` and one in ``corner``: the reader allocates the whole
    rectangle between them."""
    row = "".join(ch for ch in corner if ch.isdigit())
    sheet = (
        SHEET_HEAD + f'<row r="1">{_cell("A1", 1)}</row><row r="{row}">{_cell(corner, 2)}</row>' + SHEET_TAIL
    )
    return _workbook(path, sheet)


def billion_laughs_xlsx(path: Path) -> Path:
    """A sheet with the classic entity expansion ("billion laughs") in its DTD."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    prolog = f"<!DOCTYPE worksheet [{entities}]>"
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>' + SHEET_TAIL
    )
    return _workbook(path, sheet, prolog='<?xml version="1.0" encoding="UTF-8"?>' + prolog)


def lying_sizes_xlsx(path: Path, unpacked: int = 20 * 1024 * 1024, claimed: int = 1000) -> Path:
    """A zip bomb whose headers claim the sheet unpacks to ``claimed`` bytes: a reader that
    trusts the headers is fooled; the checksum is not."""
    sheet = (SHEET_HEAD + '<row r="1">' + _cell("A1", 1) + " " * unpacked + "</row>" + SHEET_TAIL).encode()
    _workbook(path, sheet)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # (signature, offset of the uncompressed size, of the name's length, of the name)
    for signature, size_at, length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = data.find(signature)
        while at != -1:
            length = struct.unpack_from("<H", data, at + length_at)[0]
            if data[at + name_at : at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, claimed)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def truncated(path: Path, source: Path) -> Path:
    """The first half of ``source``'s bytes, as an interrupted upload leaves them."""
    raw = source.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    return path


def garbage(path: Path, size: int = 256 * 1024, seed: int = 14) -> Path:
    """``size`` random bytes, whatever the file's name says."""
    rng = random.Random(seed)
    path.write_bytes(bytes(rng.getrandbits(8) for _ in range(size)))
    return path


def garbage_zip(path: Path, size: int = 64 * 1024) -> Path:
    """A zip archive that is no workbook: one random part."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", os.urandom(size))
    return path


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Data">'
)
ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"


def ods_workbook(path: Path, rows: str) -> Path:
    """A minimal, well-formed ODS whose single sheet holds ``rows`` (``table:table-row`` XML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_HEAD + rows + ODS_TAIL)
    return path


def _ods_cell(value: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell{times} office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def repeat_bomb_ods(path: Path, rows: int = 99_000, columns: int = 1_000, trailing_empty: int = 0) -> Path:
    """An ODS of under a kilobyte whose header row is followed by one row that says it
    repeats ``rows`` times, with one cell that repeats ``columns`` times: the reader expands
    it into ``rows x columns`` cells (calamine accepts up to 100 million). ``trailing_empty``
    adds the empty rows and cells office suites write up to the sheet's edge, which cost
    nothing."""
    header = f"<table:table-row>{_ods_cell('a')}{_ods_cell('b')}</table:table-row>"
    body = f'<table:table-row table:number-rows-repeated="{rows}">{_ods_cell("1", columns)}</table:table-row>'
    if trailing_empty:
        body += (
            f'<table:table-row table:number-rows-repeated="{trailing_empty}">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        )
    return ods_workbook(path, header + body)


def _biff(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A Compound File (OLE2, version 3) holding one stream, as legacy Office writes it: the
    header, one FAT sector, one directory sector, then the stream in 512-byte sectors (padded
    to 4 KiB, so it lives outside the mini stream)."""
    stream = stream.ljust(max(len(stream), 4096), b"\0")
    sectors = -(-len(stream) // 512)
    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat = [fat_sector, end] + [2 + i + 1 for i in range(sectors - 1)] + [end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")

    def entry(label: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (label + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, free, child) + bytes(16) + struct.pack("<I", 0) + bytes(16)
            + struct.pack("<III", start, size, 0)
        )  # fmt: skip

    directory = entry("Root Entry", 5, 1, end, 0) + entry(name, 2, free, 2, len(stream))
    directory = directory.ljust(512, b"\0")
    return header + fat_bytes + directory + stream.ljust(sectors * 512, b"\0")


def sparse_xls(
    path: Path,
    cells: list[tuple[int, int]],
    dimensions: tuple[int, int] | None = None,
    sheet_at: int | None = None,
) -> Path:
    """A legacy Excel workbook (BIFF8) of one sheet holding the number 1 in each ``(row,
    col)`` of ``cells`` (0-based). The reader allocates the rectangle the cells span, so two
    far-apart cells make a few hundred bytes cost the whole grid. ``dimensions`` writes a
    DIMENSIONS record claiming ``(rows, columns)``: the reader reserves that much up front.
    ``sheet_at`` puts the sheet's declared position elsewhere (beyond the stream, say)."""
    sheet_name = b"Data"
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0006)
    sheet_bof = struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 0x0006)
    bound = len(_biff(0x0809, bof)) + 4 + 8 + len(sheet_name) + len(_biff(0x000A))
    globals_ = (
        _biff(0x0809, bof)
        + _biff(0x0085, struct.pack("<IBBBB", sheet_at or bound, 0, 0, len(sheet_name), 0) + sheet_name)
        + _biff(0x000A)
    )
    sheet = _biff(0x0809, sheet_bof)
    if dimensions:
        sheet += _biff(0x0200, struct.pack("<IIHHH", 0, dimensions[0], 0, dimensions[1], 0))
    for row, col in cells:
        sheet += _biff(0x0203, struct.pack("<HHHd", row, col, 0, 1.0))
    sheet += _biff(0x000A)
    assert len(globals_) == bound
    path.write_bytes(_compound_file(globals_ + sheet))
    return path
