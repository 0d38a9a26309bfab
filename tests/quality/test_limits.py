"""Reading bounds (issue #14): a hostile file is refused before it is read, with one
``file_error`` finding that names the limit it broke, and never costs the process more than
the bounds allow. The files are those an attacker uploaded to the demo (:mod:`.hostile`)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

from ckanext.satudata_balikpapan.quality.engine import LimitExceeded, Limits, infer, measure, validate
from ckanext.satudata_balikpapan.quality.engine.readers import batch_rows
from tests.quality import corpus, hostile

ANY = {"fields": [{"name": "a"}]}
SMALL = Limits(columns=50, cells=10_000, unpacked_bytes=2 * 1024 * 1024, shared_strings_bytes=512 * 1024)


def refusal(report):
    """The single finding of a refused file: a file_error naming its limit."""
    assert [f.code for f in report.findings] == ["file_error"], [f.message("en") for f in report.findings]
    finding = report.findings[0]
    assert finding.details["kind"] == "limit"
    assert not report.valid
    assert report.rows == 0
    return finding


def test_a_csv_wider_than_the_column_bound_is_refused_naming_the_bound(tmp_path):
    path = hostile.wide_csv(tmp_path / "lebar.csv", columns=200_000, rows=1)
    finding = refusal(validate(str(path), "csv", ANY))
    assert finding.details["limit"] == "columns"
    assert finding.details["bound"] == 1_000
    assert finding.details["value"] > 100_000  # counted in the first megabyte: at least that many
    value = finding.details["value"]
    assert finding.message("id") == f"Berkas melampaui batas jumlah kolom: {value} (batas 1000)"
    assert finding.message("en") == f"The file passes the limit on number of columns: {value} (limit 1000)"


def test_a_wide_header_within_the_first_megabyte_is_counted_exactly(tmp_path):
    path = hostile.wide_csv(tmp_path / "lebar.csv", columns=5_000, rows=1)
    finding = refusal(validate(str(path), "csv", ANY))
    assert finding.details == {"kind": "limit", "limit": "columns", "value": 5_000, "bound": 1_000}


def test_a_csv_without_a_line_break_in_its_first_megabyte_is_refused(tmp_path):
    path = hostile.endless_header_csv(tmp_path / "satu-baris.csv")
    assert refusal(validate(str(path), "csv", ANY)).details["limit"] == "header_bytes"


def test_a_zip_bomb_is_refused_on_its_declared_size(tmp_path):
    path = hostile.zip_bomb_xlsx(tmp_path / "bom.xlsx", unpacked=8 * 1024 * 1024)
    assert path.stat().st_size < 200 * 1024
    finding = refusal(validate(str(path), "xlsx", ANY, limits=SMALL))
    assert finding.details["limit"] == "unpacked_bytes"
    assert finding.details["value"] > 8 * 1024 * 1024
    assert "ukuran berkas setelah dibuka" in finding.message("id")


def test_a_zip_bomb_that_lies_about_its_size_fails_its_checksum(tmp_path):
    """Headers can claim anything; the stream is read to its end, and what it holds beyond
    the claim breaks the part's checksum: unreadable, refused before the reader sees it."""
    path = hostile.lying_sizes_xlsx(tmp_path / "bohong.xlsx", unpacked=4 * 1024 * 1024)
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        measure(str(path), "xlsx", SMALL)
    report = validate(str(path), "xlsx", ANY, limits=SMALL)
    assert [f.code for f in report.findings] == ["file_error"]


def test_a_string_bomb_is_refused_on_its_shared_strings(tmp_path):
    path = hostile.string_bomb_xlsx(tmp_path / "teks.xlsx", text_bytes=1024 * 1024)
    finding = refusal(validate(str(path), "xlsx", ANY, limits=SMALL))
    assert finding.details["limit"] == "shared_strings_bytes"


def test_a_cell_in_the_last_column_makes_the_sheet_too_wide(tmp_path):
    path = hostile.far_corner_xlsx(tmp_path / "pojok.xlsx", "XFD1048576")
    finding = refusal(validate(str(path), "xlsx", ANY))
    assert finding.details == {"kind": "limit", "limit": "columns", "value": 16384, "bound": 1000}


def test_two_far_apart_cells_span_a_rectangle_beyond_the_cell_bound(tmp_path):
    path = hostile.far_corner_xlsx(tmp_path / "pojok.xlsx", "ZZ1048576")
    finding = refusal(validate(str(path), "xlsx", ANY))
    assert finding.details["limit"] == "cells"
    assert finding.details["value"] == 702 * 1048576
    assert finding.message("id") == f"Berkas melampaui batas jumlah sel: {702 * 1048576} (batas 5000000)"


def test_an_ods_row_that_repeats_beyond_the_cell_bound_is_refused_from_its_repeat_counts(tmp_path):
    """Under a kilobyte, yet 99 million cells once the reader expands the repeats: the
    repeats are summed, never expanded, and the sheet refused before the reader sees it."""
    path = hostile.repeat_bomb_ods(tmp_path / "ulang.ods", rows=99_000, columns=1_000)
    assert path.stat().st_size < 1024
    finding = refusal(validate(str(path), "ods", ANY))
    assert finding.details == {"kind": "limit", "limit": "cells", "value": 99_001 * 1_000, "bound": 5_000_000}


def test_an_ods_cell_repeated_past_the_column_bound_makes_the_sheet_too_wide(tmp_path):
    path = hostile.repeat_bomb_ods(tmp_path / "lebar.ods", rows=1, columns=5_000)
    finding = refusal(validate(str(path), "ods", ANY))
    assert finding.details == {"kind": "limit", "limit": "columns", "value": 5_000, "bound": 1_000}


def test_the_empty_rows_an_office_suite_writes_to_the_sheet_edge_cost_nothing(tmp_path):
    """LibreOffice closes a sheet with empty rows and cells repeated to its edge (1,048,576 x
    16,384); the reader skips them, and so does the count: the sheet is its filled part."""
    path = hostile.repeat_bomb_ods(tmp_path / "biasa.ods", rows=3, columns=2, trailing_empty=1_048_570)
    sheet = measure(str(path), "ods", Limits())
    assert (sheet.columns, sheet.cells) == (2, 4 * 2)
    report = validate(str(path), "ods", {"fields": [{"name": "a"}, {"name": "b"}]})
    assert report.valid and report.rows == 3


def test_an_ods_whose_xml_is_not_well_formed_is_refused_not_half_counted(tmp_path):
    """A reader more lenient than the count could see rows after the first error."""
    path = hostile.ods_workbook(tmp_path / "rusak.ods", "<table:table-row><bad:cell/></table:table-row>")
    finding = refusal(validate(str(path), "ods", ANY))
    assert finding.details["limit"] == "structure"
    assert (
        finding.message("id") == "Berkas ditolak: strukturnya rusak atau menunjuk ke luar berkas itu sendiri"
    )


def test_two_far_apart_cells_of_a_legacy_xls_span_the_whole_grid_and_are_refused(tmp_path):
    """5 KB, yet the reader allocates 65,536 x 256 cells (a gigabyte) for it."""
    path = hostile.sparse_xls(tmp_path / "pojok.xls", [(0, 0), (65_535, 255)])
    assert path.stat().st_size < 8 * 1024
    finding = refusal(validate(str(path), "xls", ANY))
    assert finding.details == {"kind": "limit", "limit": "cells", "value": 65_536 * 256, "bound": 5_000_000}


def test_an_xls_declaring_a_billion_cells_is_refused_before_the_reader_reserves_them(tmp_path):
    """The reader reserves a DIMENSIONS record's rows x columns up front: a 5 KB file
    declaring 4 billion rows makes it abort the whole process, not raise."""
    path = hostile.sparse_xls(tmp_path / "klaim.xls", [(0, 0)], dimensions=(4_000_000_000, 65_535))
    finding = refusal(validate(str(path), "xls", ANY))
    assert finding.details["limit"] == "cells"
    assert finding.details["value"] >= 4_000_000_000


def test_a_sheet_placed_beyond_the_end_of_its_xls_stream_is_refused(tmp_path):
    path = hostile.sparse_xls(tmp_path / "luar.xls", [(0, 0)], sheet_at=10**9)
    assert refusal(validate(str(path), "xls", ANY)).details["limit"] == "structure"


def test_an_ordinary_xls_is_measured_and_read(tmp_path):
    path = hostile.sparse_xls(tmp_path / "biasa.xls", [(r, c) for r in range(4) for c in range(2)])
    sheet = measure(str(path), "xls", Limits())
    assert (sheet.columns, sheet.cells) == (2, 8)
    report = validate(str(path), "xls", {"fields": [{"name": "1"}, {"name": "1_2"}]})
    assert report.rows == 3 and not any(f.code == "file_error" for f in report.findings)


def test_an_xml_entity_declaration_is_refused_before_any_parser_sees_it(tmp_path):
    path = hostile.billion_laughs_xlsx(tmp_path / "lol.xlsx")
    finding = refusal(validate(str(path), "xlsx", ANY))
    assert finding.details["limit"] == "xml_entities"
    assert "DTD" in finding.message("id")


def test_a_check_that_passes_its_deadline_stops_with_a_finding(tmp_path):
    path = corpus.write_csv(tmp_path / "penduduk.csv", corpus.penduduk())
    finding = refusal(validate(str(path), "csv", corpus.schema(), limits=Limits(seconds=-1)))
    assert finding.details["limit"] == "seconds"
    assert "batas waktu" in finding.message("id")


@pytest.mark.parametrize("name, fmt", [("acak.xlsx", "xlsx"), ("acak.ods", "ods"), ("acak.xls", "xls")])
def test_garbage_is_an_unreadable_file_not_a_crash(tmp_path, name, fmt):
    path = hostile.garbage(tmp_path / name)
    report = validate(str(path), fmt, ANY)
    assert [f.code for f in report.findings] == ["file_error"]


def test_garbage_bytes_as_csv_are_read_as_text_and_found_invalid(tmp_path):
    """Random bytes decode as Latin-1 text: the file is read, bounded, and fails its schema."""
    path = hostile.garbage(tmp_path / "acak.csv")
    report = validate(str(path), "csv", ANY)
    assert not report.valid


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_a_zip_that_is_no_workbook_is_an_unreadable_file(tmp_path, fmt):
    path = hostile.garbage_zip(tmp_path / f"bukan.{fmt}")
    report = validate(str(path), fmt, {"fields": [{"name": "a"}]})
    assert [f.code for f in report.findings] == ["file_error"]


def test_a_truncated_workbook_is_an_unreadable_file(tmp_path):
    whole = corpus.per_year_workbook(tmp_path / "utuh.xlsx", corpus.penduduk())
    path = hostile.truncated(tmp_path / "potong.xlsx", whole)
    report = validate(str(path), "xlsx", corpus.schema())
    assert [f.code for f in report.findings] == ["file_error"]
    assert report.findings[0].details.get("kind") != "limit"


def test_the_schema_guess_measures_before_it_reads(tmp_path):
    path = hostile.wide_csv(tmp_path / "lebar.csv", columns=2_000, rows=1)
    with pytest.raises(LimitExceeded) as refused:
        infer(str(path), "csv")
    assert refused.value.limit == "columns"


def test_ordinary_files_pass_the_default_bounds(tmp_path):
    csv_path = corpus.write_csv(tmp_path / "penduduk.csv", corpus.penduduk())
    xlsx_path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", corpus.penduduk())
    assert measure(str(csv_path), "csv", Limits()).columns == len(corpus.HEADER)
    sheet = measure(str(xlsx_path), "xlsx", Limits())
    assert sheet.columns == len(corpus.HEADER)
    assert sheet.unpacked_bytes > 0
    assert validate(str(xlsx_path), "xlsx", corpus.schema(), limits=Limits()).valid


def test_a_wide_table_is_read_in_batches_of_bounded_cells():
    assert batch_rows(10, 20_000) == 20_000
    assert batch_rows(1_000, 20_000) == 500
    assert batch_rows(10_000_000, 20_000) == 1


MEMORY_PROBE = textwrap.dedent(
    """
    import json, resource, sys
    from ckanext.satudata_balikpapan.quality.engine import validate
    report = validate(sys.argv[1], sys.argv[2], {"fields": [{"name": "a"}]})
    print(json.dumps({
        "codes": [f.code for f in report.findings],
        "limit": report.findings[0].details.get("limit") if report.findings else None,
        "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))
    """
)


def test_the_hostile_files_of_the_demo_are_refused_in_bounded_memory(tmp_path):
    """The 200,000-column CSV once held a web process at 2.9 GB; a sheet spanning the whole
    grid would be allocated whole. Each is refused in a fresh process whose peak memory
    stays that of the interpreter and its libraries (measured against an empty run)."""
    files = [
        ("columns", hostile.wide_csv(tmp_path / "lebar.csv"), "csv"),
        ("cells", hostile.far_corner_xlsx(tmp_path / "pojok.xlsx", "ZZ1048576"), "xlsx"),
        ("cells", hostile.repeat_bomb_ods(tmp_path / "ulang.ods"), "ods"),
        ("cells", hostile.sparse_xls(tmp_path / "pojok.xls", [(0, 0), (65_535, 255)]), "xls"),
        (
            "cells",
            hostile.sparse_xls(tmp_path / "klaim.xls", [(0, 0)], dimensions=(4_000_000_000, 65_535)),
            "xls",
        ),
        ("xml_entities", hostile.billion_laughs_xlsx(tmp_path / "lol.xlsx"), "xlsx"),
    ]
    baseline_path = corpus.write_csv(tmp_path / "biasa.csv", corpus.penduduk())

    def probe(path, fmt):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, str(path), fmt], capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    baseline = probe(baseline_path, "csv")["peak_kb"]
    for limit, path, fmt in files:
        result = probe(path, fmt)
        assert result["codes"] == ["file_error"] and result["limit"] == limit, result
        assert result["peak_kb"] < baseline + 100 * 1024, (limit, result["peak_kb"], baseline)
