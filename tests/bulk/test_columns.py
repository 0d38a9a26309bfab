"""The columns of the "Templat Metadata" (bulk/columns.py): pure rules, no services."""

from __future__ import annotations

from ckanext.satudata_balikpapan.bulk import columns as c

FIELDS = [
    {"field_name": "title", "label": {"id": "Judul", "en": "Title"}, "required": True},
    {"field_name": "name", "label": "URL"},
    {"field_name": "owner_org", "label": {"id": "Produsen Data"}},
    {"field_name": "frekuensi", "label": {"id": "Frekuensi"}, "required": True, "vocabulary": "frekuensi"},
    {"field_name": "kode_wilayah", "label": {"id": "Cakupan Wilayah"}, "choices": [{"value": "64.71"}]},
    {"field_name": "tag_string", "label": {"id": "Kata Kunci"}},
    {"field_name": "penanggung_jawab", "label": {"id": "Penanggung Jawab"}, "required": True,
     "repeating_subfields": [{"field_name": "nama", "label": {"id": "Nama"}, "required": True},
                             {"field_name": "telepon", "label": {"id": "Telepon"}}]},
]  # fmt: skip
CHOICES = {
    "frekuensi": [{"value": "tahunan", "label": {"id": "Tahunan", "en": "Annual"}}],
    "kode_wilayah": [{"value": "64.71"}],
}


def cols():
    return c.columns(FIELDS, lambda f: CHOICES.get(f["field_name"]))


def test_the_url_comes_first_and_the_opd_is_the_templates_own():
    keys = [col.key for col in cols()]
    assert keys[0] == "name" and "owner_org" not in keys
    assert keys[-2:] == ["penanggung_jawab.nama", "penanggung_jawab.telepon"]


def test_required_fields_are_marked_in_the_indonesian_header():
    headers = {col.key: col.header() for col in cols()}
    assert headers["title"] == "Judul *" and headers["name"] == "URL"
    assert headers["penanggung_jawab.nama"] == "Penanggung Jawab: Nama *"
    assert headers["penanggung_jawab.telepon"] == "Penanggung Jawab: Telepon"


def test_a_choice_is_read_from_its_label_in_either_language_or_its_value():
    frekuensi = next(col for col in cols() if col.key == "frekuensi")
    assert [frekuensi.value_of(v) for v in ("Tahunan", "annual", "tahunan", " TAHUNAN ")] == ["tahunan"] * 4
    assert frekuensi.value_of("Kadang-kadang") == "Kadang-kadang"  # left for the validator to name
    assert frekuensi.value_of("") is None and frekuensi.value_of(None) is None


def test_a_row_becomes_a_dataset_and_a_dataset_a_row():
    columns = cols()
    data = c.to_dataset(columns, {"name": "data-a", "title": "Data A", "frekuensi": "Tahunan",
                                  "kode_wilayah": "64.71.01; 64.71.02", "tag_string": "a, b",
                                  "penanggung_jawab.nama": "Seksi Data", "penanggung_jawab.telepon": None})  # fmt: skip
    assert data == {
        "name": "data-a", "title": "Data A", "frekuensi": "tahunan", "kode_wilayah": ["64.71.01", "64.71.02"],
        "tag_string": "a, b", "penanggung_jawab": [{"nama": "Seksi Data"}],
    }  # fmt: skip
    row = c.to_cells(columns, {**data, "tags": [{"name": "a"}, {"name": "b"}]})
    assert row == ["data-a", "Data A", "Tahunan", "64.71.01, 64.71.02", "a, b", "Seksi Data", None]


def test_an_empty_cell_gives_nothing_so_that_an_update_keeps_the_value():
    assert c.to_dataset(cols(), {"name": "data-a", "title": "  "}) == {"name": "data-a"}
