"""Table Schema: the draft inferred from a file, and the checks of a hand-edited one."""

from __future__ import annotations

import csv
import json

import pytest
from frictionless import Resource, Schema

from ckanext.satudata_balikpapan.quality.engine import (
    SchemaError,
    infer,
    is_valid_descriptor,
    load,
    validate,
    validate_schema,
)
from ckanext.satudata_balikpapan.quality.engine.tableschema import unit_from_header
from tests.quality import corpus


def test_infer_proposes_the_schema_a_walidata_would_confirm(tmp_path):
    path = corpus.write_csv(tmp_path / "penduduk.csv", corpus.penduduk())
    assert infer(str(path), "csv") == corpus.SCHEMA


def test_infer_on_a_workbook_lists_the_sheets_that_hold_the_table(tmp_path):
    path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", corpus.penduduk(), notes=True)
    schema = infer(str(path), "xlsx")
    assert schema["satudata:sheets"] == ["2021", "2022", "2023", "2024", "2025"]
    assert {k: v for k, v in schema.items() if k != "satudata:sheets"} == corpus.SCHEMA


def test_infer_on_a_workbook_whose_sheets_all_match_names_none(tmp_path):
    path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", corpus.penduduk())
    assert "satudata:sheets" not in infer(str(path), "xlsx")


def test_infer_a_labelled_total_row_and_total_column(tmp_path):
    header = ["No", "Kecamatan", "Laki-laki", "Perempuan", "Jumlah"]
    rows = [[i + 1, k[1], 100 + i, 90 + i, 190 + 2 * i] for i, k in enumerate(corpus.KECAMATAN)]
    rows.append(["", "Jumlah", sum(r[2] for r in rows), sum(r[3] for r in rows), sum(r[4] for r in rows)])
    path = corpus.write_csv(tmp_path / "guru.csv", rows, header, delimiter=";")
    schema = infer(str(path), "csv")
    by_name = {f["name"]: f for f in schema["fields"]}
    assert by_name["No"]["satudata:role"] == "id"
    assert by_name["Kecamatan"]["satudata:role"] == "label"
    assert schema["primaryKey"] == ["Kecamatan"]
    assert schema["satudata:totals"] == {
        "rows": {"field": "Kecamatan", "labels": ["Jumlah"], "fields": ["Laki-laki", "Perempuan", "Jumlah"]},
        "columns": [{"field": "Jumlah", "parts": ["Laki-laki", "Perempuan"]}],
    }
    report = validate(str(path), "csv", schema)
    assert report.findings == []


def test_infer_units_percentages_codes_and_missing_marks(tmp_path):
    header = [
        "kode_kelurahan",
        "tahun",
        "jenis_kelamin",
        "Persentase Melek Huruf",
        "Rata-rata Lama Sekolah (tahun)",
        "satuan",
    ]
    rows = []
    for i, code in enumerate(corpus.KELURAHAN_SELATAN):
        for jk in ("L", "P"):
            rows.append([code, 2024, jk, 98.5 - i / 10 if i != 3 else "-", 10.2 + i / 10, "persen"])
    path = corpus.write_csv(tmp_path / "pendidikan.csv", rows, header)
    schema = infer(str(path), "csv")
    by_name = {f["name"]: f for f in schema["fields"]}
    assert by_name["kode_kelurahan"]["satudata:role"] == "region"
    assert by_name["jenis_kelamin"]["constraints"]["enum"] == ["L", "P"]
    assert by_name["Persentase Melek Huruf"]["constraints"] == {"minimum": 0, "maximum": 100}
    assert by_name["Rata-rata Lama Sekolah (tahun)"]["satudata:unit"] == "tahun"
    assert by_name["satuan"]["satudata:role"] == "unit"
    assert schema["missingValues"] == ["", "-"]
    assert schema["primaryKey"] == ["kode_kelurahan", "tahun", "jenis_kelamin"]
    assert "satudata:totals" not in schema  # percentages and averages do not add up


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Jumlah Penduduk (jiwa)", "jiwa"),
        ("Luas [km2]", "km2"),
        ("luas_km2", "km2"),
        ("produksi_ton", "ton"),
        ("jumlah_penduduk", None),
    ],
)
def test_unit_from_header(header, unit):
    assert unit_from_header(header) == unit


def test_frictionless_reads_the_inferred_schema(tmp_path):

    path = corpus.write_csv(tmp_path / "penduduk.csv", corpus.penduduk())
    schema = infer(str(path), "csv")
    resource = Resource(path=path.name, basepath=str(tmp_path), schema=Schema.from_descriptor(schema))
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
    assert Schema.from_descriptor(schema).to_descriptor()["satudata:totals"] == schema["satudata:totals"]


def test_a_confirmed_schema_is_valid():
    assert validate_schema(corpus.SCHEMA) == []
    assert is_valid_descriptor(corpus.SCHEMA)


@pytest.mark.parametrize(
    ("edit", "message_id", "message_en"),
    [
        (
            lambda s: s["fields"][1].update(type="teks"),
            "jenis 'teks' tidak didukung",
            "type 'teks' is not supported",
        ),
        (
            lambda s: s.update(primaryKey=["kode_wilayah", "periode"]),
            'Kolom kunci "periode" tidak ada',
            'Key column "periode" is not a field',
        ),
        (
            lambda s: s["fields"][0]["constraints"].update(minimum=0),
            "aturan 'minimum' tidak berlaku untuk jenis string",
            "constraint 'minimum' does not apply to type string",
        ),
        (
            lambda s: s["fields"][3]["constraints"].update(maximum="banyak"),
            "'maximum' 'banyak' bukan integer",
            "'maximum' 'banyak' is not a integer",
        ),
        (
            lambda s: s["fields"][3]["constraints"].update(minimum=10, maximum=5),
            "'minimum' lebih besar dari 'maximum'",
            "'minimum' is greater than 'maximum'",
        ),
        (
            lambda s: s["fields"][1].update(name="kode_wilayah"),
            "nama dipakai lebih dari sekali",
            "name used more than once",
        ),
        (
            lambda s: s["fields"][2].update({"satudata:role": "tahun"}),
            "peran 'tahun' tidak dikenal",
            "unknown role 'tahun'",
        ),
        (
            lambda s: s["satudata:totals"]["columns"][0].update(parts=["laki_laki", "nama_wilayah"]),
            'kolom "nama_wilayah" bukan kolom angka',
            'field "nama_wilayah" is not numeric',
        ),
        (
            lambda s: s["fields"][4]["constraints"].update(unique=True),
            "aturan 'unique' tidak berlaku",
            "constraint 'unique' does not apply",
        ),
        (
            lambda s: s["fields"][1]["constraints"].update(pattern="(["),
            "bukan ekspresi reguler yang sah",
            "is not a valid regular expression",
        ),
    ],
)
def test_validate_schema_names_the_problem_in_both_languages(edit, message_id, message_en):
    schema = corpus.schema()
    edit(schema)
    errors_id = validate_schema(schema)
    errors_en = validate_schema(schema, lang="en")
    assert len(errors_id) == 1, errors_id
    assert message_id in errors_id[0]
    assert message_en in errors_en[0]


def test_validate_schema_refuses_what_is_not_a_schema():
    assert validate_schema([]) == ["Skema harus berupa objek JSON"]
    assert validate_schema({"fields": []}, lang="en") == ["The schema needs a non-empty 'fields' list"]


def test_load_accepts_json_and_reports_every_problem():
    assert load(json.dumps(corpus.SCHEMA)) == corpus.SCHEMA
    with pytest.raises(SchemaError) as exc:
        load('{"fields": [{"name": "a", "type": "teks"}], "primaryKey": ["b"]}')
    assert len(exc.value.errors) == 2
    with pytest.raises(SchemaError, match="bukan JSON"):
        load("{fields")


def test_infer_reads_the_header_below_title_rows(tmp_path):

    path = tmp_path / "penduduk.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(["Jumlah Penduduk menurut Kecamatan di Kota Balikpapan"])
        writer.writerow([])
        writer.writerow(corpus.HEADER)
        writer.writerows(corpus.penduduk([2024]))
    schema = infer(str(path), "csv")
    assert [f["name"] for f in schema["fields"]] == corpus.HEADER
    assert schema["primaryKey"] == ["kode_wilayah", "tahun"]
