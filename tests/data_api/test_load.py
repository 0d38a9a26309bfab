"""Verified tables in the DataStore: a CSV or XLSX file that passes validation is queryable
with ``datastore_search``, with the column types and data dictionary of its Table Schema; a
file that fails is not loaded; a replaced file replaces its table; and the rows are public
exactly when the dataset is."""

from __future__ import annotations

import io
import json
import time

import ckan.plugins.toolkit as tk
import pytest
import sqlalchemy as sa
from ckan.tests import factories, helpers
from ckanext.datastore.backend.postgres import get_write_engine
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.data_api import load
from ckanext.satudata_balikpapan.quality import service
from tests.conftest import TEST_OVERRIDE_REASON, publish
from tests.quality import corpus
from tests.quality.test_service import LAST, PREV, csv_bytes, opd, penduduk_dataset, site_context, upload

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("opd")]

__all__ = ["opd"]  # the fixture, imported for this module


def _schema() -> str:
    schema = corpus.schema()
    for field in schema["fields"]:
        if field["name"] == "laki_laki":
            field.update(title="Penduduk laki-laki", description="Menurut alamat KK")
    return json.dumps(schema)


def _rows(resource_id: str, **params) -> dict:
    return helpers.call_action("datastore_search", context=site_context(), resource_id=resource_id, **params)


def _penduduk(years=(LAST,), schema: str | None = None, name: str = "penduduk"):
    dataset = penduduk_dataset()
    rows = corpus.penduduk(list(years))
    resource = upload(
        dataset["id"], name, csv_bytes(rows), periode=str(years[-1]), schema=schema or _schema()
    )
    return dataset, resource, rows


class TestLoad:
    def test_a_file_that_passes_is_queryable_with_the_types_of_its_schema(self):
        _dataset, resource, rows = _penduduk()
        assert service.validation_of(resource["id"])["status"] == "valid"

        found = _rows(resource["id"], sort="_id")
        assert found["total"] == len(rows)
        types = {f["id"]: f["type"] for f in found["fields"]}
        assert types == {
            "_id": "int", "kode_wilayah": "text", "nama_wilayah": "text", "tahun": "int4",
            "laki_laki": "int8", "perempuan": "int8", "Jumlah (jiwa)": "int8", "luas_km2": "numeric",
        }  # fmt: skip
        first = found["records"][0]
        assert (first["kode_wilayah"], first["tahun"], first["laki_laki"]) == (rows[0][0], LAST, rows[0][3])
        assert float(first["luas_km2"]) == pytest.approx(float(rows[0][6]))
        assert helpers.call_action("resource_show", id=resource["id"])["datastore_active"] is True

    def test_the_data_dictionary_comes_from_the_table_schema(self):
        _dataset, resource, _ = _penduduk()
        fields = {
            f["id"]: f
            for f in helpers.call_action("datastore_info", context=site_context(), id=resource["id"])[
                "fields"
            ]
        }
        assert fields["laki_laki"]["info"]["label"] == "Penduduk laki-laki"
        assert fields["laki_laki"]["info"]["notes"] == "Menurut alamat KK"
        assert fields["Jumlah (jiwa)"]["info"]["unit"] == "jiwa"

    def test_full_text_search_finds_a_row(self):
        _dataset, resource, rows = _penduduk()
        name = rows[0][1]
        assert all(r["nama_wilayah"] == name for r in _rows(resource["id"], q=name)["records"])
        assert _rows(resource["id"], q=name)["total"] >= 1

    def test_the_full_text_of_every_row_is_what_the_datastore_trigger_computes(self):
        _dataset, resource, _ = _penduduk()
        table = '"{}"'.format(resource["id"])
        trigger = (
            "SELECT to_tsvector(string_agg(value, ' ')) FROM json_each_text(row_to_json(t.*)) "
            "WHERE key NOT LIKE '\\_%'"
        )
        with get_write_engine().connect() as conn:
            same = conn.execute(sa.text(f"SELECT bool_and(_full_text = ({trigger})) FROM {table} t")).scalar()
        assert same is True

    def test_indonesian_numbers_are_loaded_as_the_validator_read_them(self):
        dataset = penduduk_dataset()
        schema = {
            "fields": [
                {"name": "kode_wilayah", "type": "string", "satudata:role": "region"},
                {"name": "tahun", "type": "year", "satudata:role": "period"},
                {"name": "nilai", "type": "number", "decimalChar": ",", "groupChar": "."},
                {"name": "tanggal", "type": "date"},
            ]
        }
        content = f"kode_wilayah;tahun;nilai;tanggal\n64.71.01;{LAST};1.234,5;{LAST}-12-31\n".encode()
        resource = upload(dataset["id"], "nilai", content, periode=str(LAST), schema=json.dumps(schema))
        assert service.validation_of(resource["id"])["status"] == "valid"
        record = _rows(resource["id"])["records"][0]
        assert float(record["nilai"]) == 1234.5
        assert record["tanggal"].startswith(f"{LAST}-12-31")

    def test_a_workbook_with_a_sheet_per_year_is_loaded_whole(self, tmp_path):
        dataset = penduduk_dataset()
        rows = corpus.penduduk([PREV, LAST])
        path = corpus.per_year_workbook(tmp_path / "penduduk.xlsx", rows)
        resource = upload(dataset["id"], "penduduk", path.read_bytes(), fmt="XLSX", schema=_schema())
        assert service.validation_of(resource["id"])["status"] == "valid"
        found = _rows(resource["id"], limit=1000)
        assert found["total"] == len(rows)
        assert {r["tahun"] for r in found["records"]} == {PREV, LAST}

    def test_a_file_that_fails_validation_is_not_loaded(self):
        rows = corpus.penduduk([LAST])
        corpus.find(rows, "64.71.03", LAST)[corpus.LK] = "91.2O4"
        dataset = penduduk_dataset()
        resource = upload(dataset["id"], "penduduk", csv_bytes(rows), periode=str(LAST), schema=_schema())
        assert service.validation_of(resource["id"])["status"] == "tidak_valid"
        with pytest.raises(tk.ObjectNotFound):
            _rows(resource["id"])
        assert not helpers.call_action("resource_show", id=resource["id"]).get("datastore_active")

    def test_a_replaced_file_replaces_its_table(self):
        _dataset, resource, _ = _penduduk(years=(PREV,))
        assert {r["tahun"] for r in _rows(resource["id"])["records"]} == {PREV}
        new = corpus.penduduk([LAST])
        helpers.call_action(
            "resource_update", context=site_context(), id=resource["id"], url="penduduk.csv", format="CSV",
            periode=str(LAST), upload=_file(csv_bytes(new)), schema=_schema(),
        )  # fmt: skip
        found = _rows(resource["id"])
        assert {r["tahun"] for r in found["records"]} == {LAST} and found["total"] == len(new)

    def test_a_replacement_that_fails_leaves_no_table(self):
        _dataset, resource, _ = _penduduk()
        broken = corpus.penduduk([LAST])
        corpus.find(broken, "64.71.01", LAST)[corpus.LK] = "banyak"
        helpers.call_action(
            "resource_update", context=site_context(), id=resource["id"], url="penduduk.csv", format="CSV",
            periode=str(LAST), upload=_file(csv_bytes(broken)), schema=_schema(),
        )  # fmt: skip
        with pytest.raises(tk.ObjectNotFound):
            _rows(resource["id"])

    def test_no_staging_table_is_left_behind(self):
        _penduduk()
        with get_write_engine().connect() as conn:
            stages = conn.execute(
                sa.text("SELECT count(*) FROM pg_tables WHERE tablename LIKE :p"),
                {"p": f"{load.STAGE_PREFIX}%"},
            ).scalar()
        assert stages == 0

    def test_loading_leaves_the_workflow_alone(self):
        dataset, resource, _ = _penduduk()
        publish(dataset["id"])
        assert helpers.call_action("package_show", id=dataset["id"])["publishing_status"] == "terbit"
        assert service.validate_resource(resource["id"])["status"] == "valid"  # loaded again
        assert helpers.call_action("package_show", id=dataset["id"])["publishing_status"] == "terbit"

    def test_a_site_may_switch_the_load_off(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.satudata.datastore.load", "false")
        _dataset, resource, _ = _penduduk()
        with pytest.raises(tk.ObjectNotFound):
            _rows(resource["id"])


def _file(content: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(content), filename="penduduk.csv")


class TestVisibility:
    """The rows follow the dataset: public once published, for nobody else before or after."""

    def _channels(self, app, resource_id: str) -> dict[str, int]:
        return {
            "datastore_search": app.get(
                f"/api/3/action/datastore_search?resource_id={resource_id}"
            ).status_code,
            "datastore_info": app.get(f"/api/3/action/datastore_info?id={resource_id}").status_code,
            "dump": app.get(f"/datastore/dump/{resource_id}").status_code,
        }

    def test_rows_are_public_only_while_the_dataset_is_published(self, app):
        dataset, resource, _ = _penduduk()
        closed = {"datastore_search": 403, "datastore_info": 403, "dump": 404}  # the dump hides it
        assert self._channels(app, resource["id"]) == closed  # draft
        helpers.call_action("satudata_submit", context=site_context(), id=dataset["id"])
        assert self._channels(app, resource["id"]) == closed  # diajukan
        helpers.call_action(
            "satudata_return", context=site_context(), id=dataset["id"], note="Perbaiki judul"
        )
        assert self._channels(app, resource["id"]) == closed  # dikembalikan
        helpers.call_action("satudata_submit", context=site_context(), id=dataset["id"])
        helpers.call_action(
            "satudata_publish", context=site_context(), id=dataset["id"], override_reason=TEST_OVERRIDE_REASON
        )
        assert self._channels(app, resource["id"]) == {
            "datastore_search": 200,
            "datastore_info": 200,
            "dump": 200,
        }
        helpers.call_action(
            "satudata_withdraw", context=site_context(), id=dataset["id"], note="Salah hitung"
        )
        assert self._channels(app, resource["id"]) == closed  # ditarik

    def test_a_deleted_dataset_takes_its_rows_with_it(self, app):
        dataset, resource, _ = _penduduk()
        publish(dataset["id"])
        helpers.call_action("package_delete", context=site_context(), id=dataset["id"])
        assert self._channels(app, resource["id"])["datastore_search"] in (403, 404)

    def test_a_logged_in_stranger_cannot_read_an_unpublished_table(self, app):
        _dataset, resource, _ = _penduduk()
        stranger = factories.UserWithToken()
        response = app.get(
            f"/api/3/action/datastore_search?resource_id={resource['id']}",
            headers={"Authorization": stranger["token"]},
        )
        assert response.status_code == 403

    def test_sql_search_is_off(self, app):
        _dataset, resource, _ = _penduduk()
        publish(_dataset["id"])
        response = app.get(
            "/api/3/action/datastore_search_sql", query_string={"sql": f'SELECT * FROM "{resource["id"]}"'}
        )
        assert response.status_code in (400, 404)


class TestSweep:
    def test_the_sweeper_drops_the_stage_of_a_load_that_died_and_keeps_a_live_one(self):
        live = load.Stage(corpus.schema())
        dead = f"{load.STAGE_PREFIX}{int(time.time()) - load.STAGE_MAX_AGE - 60}_deadbeef"
        with get_write_engine().begin() as conn:
            conn.execute(sa.text(f'CREATE TABLE "{dead}" (x int)'))
        assert load.sweep_stages() == 1
        with get_write_engine().connect() as conn:
            left = set(
                conn.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE tablename LIKE :p"),
                    {"p": f"{load.STAGE_PREFIX}%"},
                ).scalars()
            )
        assert left == {live.table}
        live.discard()
