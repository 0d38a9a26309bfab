"""Reading CSV and spreadsheet files for previews, and finding yearly series (tables.py)."""

from __future__ import annotations

import csv as csv_module
import io
import zipfile
from xml.sax.saxutils import escape

import pytest

from ckanext.satudata_balikpapan.portal import tables
from ckanext.satudata_balikpapan.quality.engine import Limits
from tests.quality import hostile


def make_xlsx(rows: list[list[object]]) -> bytes:
    """A minimal XLSX workbook with one sheet holding ``rows`` (strings inline, numbers as numbers)."""

    def cell(ref: str, value: object) -> str:
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    sheet_rows = "".join(
        f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row)) + "</row>"
        for i, row in enumerate(rows, start=1)
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{sheet_rows}</sheetData></worksheet>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _file(tmp_path, content: bytes, name: str = "data.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


class TestFormats:
    @pytest.mark.parametrize(
        ("resource", "kind"),
        [
            ({"format": "CSV"}, "csv"),
            ({"format": "xlsx"}, "sheet"),
            ({"format": "XLS"}, "sheet"),
            ({"format": "", "url": "https://x.go.id/data/penduduk-2025.csv?dl=1"}, "csv"),
            ({"format": "", "url": "penduduk.XLSX"}, "sheet"),
            ({"format": "PDF", "url": "laporan.pdf"}, None),
            ({"format": "", "url": "https://x.go.id/api"}, None),
        ],
    )
    def test_which_resources_are_read_as_tables(self, resource, kind):
        assert tables.table_format(resource) == kind


class TestCsv:
    def test_the_first_rows_under_the_header(self, tmp_path):
        text = "tahun,kasus\n" + "".join(f"{2000 + i},{i}\n" for i in range(30))
        table = tables.read_table(_file(tmp_path, text.encode()), "csv", max_rows=10)
        assert table.columns == ["tahun", "kasus"]
        assert table.rows[0] == ["2000", "0"] and len(table.rows) == 10
        assert table.truncated

    def test_semicolons_and_a_windows_encoding_as_excel_writes_them(self, tmp_path):
        text = "kecamatan;jumlah_penduduk;kepadatan\nBalikpapan Tengah;110.234;9.876,5\nBalikpapan Utara;198.000;1.234,25\n"
        table = tables.read_table(_file(tmp_path, text.encode("cp1252")), "csv")
        assert table.delimiter == ";"
        assert table.rows[0] == ["Balikpapan Tengah", "110.234", "9.876,5"]
        assert table.decimal_comma

    def test_accents_in_windows_1252_are_not_lost(self, tmp_path):
        text = "nama;nilai\nCafé Kopi Kenangan Pasar Baru Balikpapan;3\n" * 20
        table = tables.read_table(_file(tmp_path, text.encode("cp1252")), "csv")
        assert table.rows[0][0] == "Café Kopi Kenangan Pasar Baru Balikpapan"

    def test_utf8_with_a_byte_order_mark_and_tabs(self, tmp_path):
        text = "\ufeffwilayah\ttahun\tnilai\nKota\t2025\t1\n"
        table = tables.read_table(_file(tmp_path, text.encode("utf-8")), "csv")
        assert table.columns == ["wilayah", "tahun", "nilai"]

    def test_utf16_as_some_exports_write_it(self, tmp_path):
        table = tables.read_table(_file(tmp_path, "a,b\n1,2\n".encode("utf-16")), "csv")
        assert table.columns == ["a", "b"] and table.rows == [["1", "2"]]

    def test_short_rows_are_padded_and_blank_lines_skipped(self, tmp_path):
        table = tables.read_table(_file(tmp_path, b"a,b,c\n\n1,2\n4,5,6,7\n"), "csv")
        assert table.columns == ["a", "b", "c", "kolom_4"]
        assert table.rows == [["1", "2", "", ""], ["4", "5", "6", "7"]]

    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (b"", "empty"),
            (b"\n \n", "empty"),
            (b"\x00\x01\x02\xff\xfe\x00binary\x00\x00", "unreadable"),
            (b"PK\x03\x04\x00\x00garbage\x00\x9c\x00", "unreadable"),
        ],
    )
    def test_a_file_that_is_no_table_is_refused_politely(self, tmp_path, content, reason):
        with pytest.raises(tables.TableError) as error:
            tables.read_table(_file(tmp_path, content), "csv")
        assert error.value.reason == reason


class TestSpreadsheets:
    def test_the_first_sheet_of_an_xlsx(self, tmp_path):
        rows = [["kecamatan", "tahun", "jumlah"], *[[f"Kec {i}", 2025, 1000 + i] for i in range(20)]]
        table = tables.read_table(_file(tmp_path, make_xlsx(rows), "d.xlsx"), "sheet", max_rows=5)
        assert table.columns == ["kecamatan", "tahun", "jumlah"]
        assert table.rows[0] == ["Kec 0", "2025", "1000"]  # whole numbers without ".0"
        assert len(table.rows) == 5 and table.truncated

    @pytest.mark.parametrize(
        "content",
        [b"", b"not a spreadsheet at all", b"PK\x03\x04broken zip", make_xlsx([["a"]])[:200]],
    )
    def test_a_broken_spreadsheet_is_refused_politely(self, tmp_path, content):
        with pytest.raises(tables.TableError):
            tables.read_table(_file(tmp_path, content, "x.xlsx"), "sheet")

    @pytest.mark.parametrize(
        ("make", "kind"),
        [
            (lambda d: hostile.wide_csv(d / "lebar.csv", columns=5_000, rows=1), "csv"),
            (lambda d: hostile.far_corner_xlsx(d / "pojok.xlsx", "ZZ1048576"), "sheet"),
            (lambda d: hostile.billion_laughs_xlsx(d / "lol.xlsx"), "sheet"),
            (lambda d: hostile.zip_bomb_xlsx(d / "bom.xlsx", unpacked=4 * 1024 * 1024), "sheet"),
            (lambda d: hostile.repeat_bomb_ods(d / "ulang.ods"), "sheet"),
            (lambda d: hostile.sparse_xls(d / "pojok.xls", [(0, 0), (65_535, 255)]), "sheet"),
            (lambda d: hostile.sparse_xls(d / "klaim.xls", [(0, 0)], dimensions=(4_000_000_000, 9)), "sheet"),
        ],
    )
    def test_a_hostile_file_gets_no_preview_as_the_checks_refuse_it(self, tmp_path, make, kind):
        """A preview reads a file within the checks' bounds (here, small ones): beyond them,
        the page says the file is too large to show, and nothing is read."""
        bounds = Limits(unpacked_bytes=1024 * 1024)
        with pytest.raises(tables.TableError) as refused:
            tables.read_table(make(tmp_path), kind, 10, limits=bounds)
        assert refused.value.reason == tables.TOO_LARGE

    def test_a_spreadsheet_lying_about_its_size_is_unreadable(self, tmp_path):
        path = hostile.lying_sizes_xlsx(tmp_path / "bohong.xlsx", unpacked=2 * 1024 * 1024)
        with pytest.raises(tables.TableError) as refused:
            tables.read_table(path, "sheet", 10)
        assert refused.value.reason == tables.UNREADABLE

    def test_an_xls_whose_sheet_lies_outside_the_file_is_unreadable(self, tmp_path):
        path = hostile.sparse_xls(tmp_path / "luar.xls", [(0, 0)], sheet_at=10**9)
        with pytest.raises(tables.TableError) as refused:
            tables.read_table(path, "sheet", 10)
        assert refused.value.reason == tables.UNREADABLE


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "decimal_comma", "number"),
        [
            ("1234", False, 1234.0),
            ("1,234.5", False, 1234.5),
            ("106.42", False, 106.42),
            ("1.234,5", True, 1234.5),
            ("12,5%", True, 12.5),
            ("-7", True, -7.0),
            ("64.71.01", False, None),
            ("Balikpapan", False, None),
            ("", False, None),
        ],
    )
    def test_cells_as_numbers(self, text, decimal_comma, number):
        assert tables.parse_number(text, decimal_comma) == number


def _table(text: str) -> tables.Table:

    rows = list(csv_module.reader(io.StringIO(text)))
    return tables.Table(rows[0], rows[1:])


class TestYearlySeries:
    def test_one_file_per_year_by_kecamatan_adds_up_for_counts(self):
        files = [
            _table(
                f"kode_wilayah,nama_wilayah,tahun,laki_laki,perempuan\n64.71.01,Balikpapan Timur,{y},10,20\n64.71.02,Balikpapan Barat,{y},{y - 2000},5\n"
            )
            for y in (2021, 2022, 2023)
        ]
        series = tables.yearly_series(files, additive=True)
        assert series.mode == "sum"
        assert series.lines == {
            "laki_laki": [(2021, 31.0), (2022, 32.0), (2023, 33.0)],
            "perempuan": [(2021, 25.0), (2022, 25.0), (2023, 25.0)],
        }

    def test_the_city_row_is_used_when_the_table_has_one(self):
        text = "kode_wilayah,nama_wilayah,tahun,persen\n64.71,Kota Balikpapan,2021,8.5\n64.71.01,Timur,2021,9\n64.71,Kota Balikpapan,2022,7.5\n64.71.01,Timur,2022,8\n"
        series = tables.yearly_series([_table(text)], additive=False)
        assert (series.mode, series.lines) == ("city", {"persen": [(2021, 8.5), (2022, 7.5)]})

    def test_a_city_level_table_gives_one_line_per_column(self):
        text = "tahun,tpt,tpak\n2021,7.2,64.8\n2022,6.8,65.1\n2023,6.1,65.3\n"
        series = tables.yearly_series([_table(text)], additive=False)
        assert series.mode == "row"
        assert list(series.lines) == ["tpt", "tpak"]

    def test_rates_by_region_are_not_summed_but_drawn_per_region(self):
        text = "".join(f"64.71.0{k},Kec {k},{y},{k + y - 2020}\n" for y in (2021, 2022) for k in (1, 2, 3))
        series = tables.yearly_series([_table("kode,nama,tahun,prevalensi\n" + text)], additive=False)
        assert series.mode == "regions" and series.column == "prevalensi"
        assert series.lines["Kec 1"] == [(2021, 2.0), (2022, 3.0)]

    def test_too_many_regions_of_a_rate_give_no_chart(self):
        text = "".join(f"Kel {k},{y},{k}\n" for y in (2021, 2022) for k in range(34))
        assert tables.yearly_series([_table("kelurahan,tahun,persen\n" + text)], additive=False) is None

    @pytest.mark.parametrize(
        "text",
        [
            "tahun,jumlah\n2025,3\n",  # one year only
            "wilayah,jumlah\nA,3\nB,4\n",  # no year column
            "tahun,keterangan\n2024,baik\n2025,buruk\n",  # nothing numeric
        ],
    )
    def test_no_series_without_years_and_numbers(self, text):
        assert tables.yearly_series([_table(text)], additive=True) is None

    def test_spreadsheet_years_as_numbers(self, tmp_path):
        rows = [["tahun", "jumlah"], [2021, 5], [2022, 7.5]]
        table = tables.read_table(_file(tmp_path, make_xlsx(rows), "s.xlsx"), "sheet")
        assert tables.yearly_series([table], additive=True).lines == {"jumlah": [(2021, 5.0), (2022, 7.5)]}
