"""The CSV reader's pieces: a large file is parsed piece by piece, and a piece never ends
inside a record, even one whose quoted cell holds newlines."""

from __future__ import annotations

import io

from ckanext.satudata_balikpapan.quality.engine import readers, validate


def test_pieces_end_at_the_end_of_a_record_never_inside_a_quoted_cell():
    text = b'a,b\n1,"baris\nkedua"\n2,"satu ""kutip"" dan\nbaris"\n3,x\n'
    for size in range(1, len(text) + 2):
        pieces = list(readers.record_chunks(io.BytesIO(text), size))
        assert b"".join(pieces) == text
        for piece in pieces[:-1]:
            assert piece.endswith(b"\n") and piece.count(b'"') % 2 == 0, (size, piece)


def test_a_file_read_in_many_pieces_gives_the_rows_and_numbers_of_one_piece(tmp_path, monkeypatch):
    lines = ["kode,catatan,jumlah"]
    for i in range(1, 400):
        note = f'"baris {i}\nlanjutan"' if i % 7 == 0 else f"baris {i}"
        lines.append(f"{i},{note},{'n/a' if i % 50 == 0 else i}")
    path = tmp_path / "data.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    schema = {"fields": [{"name": "kode", "type": "integer"}, {"name": "catatan"},
                         {"name": "jumlah", "type": "integer"}]}  # fmt: skip
    whole = validate(str(path), "csv", schema)
    monkeypatch.setattr(readers, "CSV_BLOCK_BYTES", 256)
    monkeypatch.setattr(readers, "CSV_PARSE_BLOCK_BYTES", 128)
    pieces = validate(str(path), "csv", schema)

    assert pieces.rows == whole.rows == 399
    assert [(f.code, f.row) for f in pieces.findings] == [(f.code, f.row) for f in whole.findings]
    assert [f.row for f in whole.findings] == [51, 101, 151, 201, 251, 301, 351]  # the records' numbers
