"""The publish gate (#5): a dataset with data errors, or with files still being checked, is not
published; warnings need the walidata's reason, which the verification history keeps, and an
acknowledged warning is not asked about again."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import helpers
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan import config
from ckanext.satudata_balikpapan.demo import seed
from ckanext.satudata_balikpapan.model import resource_validation as validations
from ckanext.satudata_balikpapan.quality import service
from tests.conftest import create_dataset, make_workflow_people
from tests.quality import corpus
from tests.quality.test_service import LAST, PREV, copy_of, csv_bytes
from tests.test_resource_files import local_server

pytestmark = [pytest.mark.integration]

REASON = "Data penduduk memang tidak berubah: hasil DKB semester II sama dengan tahun lalu"


@pytest.fixture
def people(clean_db, clean_index):
    return make_workflow_people()


def _upload(name: str, content: bytes, periode: str | None = None, **extra) -> dict:
    return helpers.call_action(
        "resource_create", context={"user": "produsen-dinkes"}, package_id="penduduk", url=f"{name}.csv",
        name=name, format="CSV", periode=periode, upload=FileStorage(io.BytesIO(content), filename=f"{name}.csv"),
        **extra,
    )  # fmt: skip


def _submitted(*files: tuple[str, bytes, str | None], **extra) -> dict:
    """A dataset of Dinkes with these files, submitted by its produsen."""
    dataset = create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa", **extra)
    for name, content, periode in files:
        _upload(name, content, periode)
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="penduduk")
    return dataset


def _publish(app, token: str, prefix: str = "", **data):
    return app.post(
        f"{prefix}/api/3/action/satudata_publish",
        json={"id": "penduduk", **data},
        headers={"Authorization": token},
    )


def _state() -> str:
    return helpers.call_action("package_show", id="penduduk")["publishing_status"]


def _copied_files() -> list[tuple[str, bytes, str]]:
    old = corpus.penduduk([PREV])
    return [
        (f"Penduduk {PREV}", csv_bytes(old), str(PREV)),
        (f"Penduduk {LAST}", csv_bytes(copy_of(old, LAST)), str(LAST)),
    ]


def test_a_dataset_with_data_errors_is_not_published(app, people):
    rows = corpus.penduduk([LAST])
    corpus.find(rows, "64.71.03", LAST)[corpus.LK] = "91.2O4"
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    _upload("Penduduk", csv_bytes(rows), str(LAST), schema=json.dumps(corpus.schema()))
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="penduduk")

    res = _publish(app, people["walidata"], override_reason=REASON)  # no reason passes an error
    assert res.status_code == 409
    (message,) = res.json["error"]["kualitas"]
    row = corpus.row_number(rows, "64.71.03", LAST)
    assert message.startswith("Dataset masih memiliki 1 kesalahan data: ")
    assert f'Penduduk: Baris {row}, kolom "laki_laki": nilai "91.2O4" bukan bilangan bulat' in message
    assert _state() == "diajukan"

    english = _publish(app, people["walidata"], prefix="/en").json["error"]["kualitas"][0]
    assert english.startswith("The dataset still has data errors (1): ")
    assert f'Row {row}, column "laki_laki": value "91.2O4" is not a whole number' in english


def test_warnings_need_a_reason_which_the_history_keeps(app, people):
    _submitted(*_copied_files())
    res = _publish(app, people["walidata"])
    assert res.status_code == 409
    (message,) = res.json["error"]["override_reason"]
    assert "1 peringatan" in message and "copied_previous_period" in message
    assert f'Penduduk {LAST}: Baris 2, kolom "tahun": 100% nilai periode {LAST}' in message
    assert _publish(app, people["walidata"], override_reason="   ").status_code == 409
    assert _state() == "diajukan"

    assert _publish(app, people["walidata"], note="Sudah dicek", override_reason=REASON).status_code == 200
    assert _state() == "terbit"
    history = helpers.call_action("satudata_workflow_history", context={"user": "walidata"}, id="penduduk")
    publication = history["events"][-1]
    assert publication["action"] == "publish" and publication["actor_name"] == "walidata"
    assert publication["note"] == (
        f"Sudah dicek\nDiterbitkan melewati 1 peringatan (copied_previous_period): {REASON}"
    )
    # the warning is acknowledged: still listed, no longer open
    (finding,) = service.dataset_findings("penduduk")
    assert finding["code"] == "copied_previous_period" and finding["acknowledged"] is True
    summary = service.validation_summary("penduduk")
    assert summary["warnings"] == 0 and summary["acknowledged"] == 1


def test_an_acknowledged_warning_is_not_asked_about_again_but_a_new_file_is(app, people):
    _submitted(*_copied_files())
    assert _publish(app, people["walidata"], override_reason=REASON).status_code == 200
    # the produsen edits the published dataset: it is under review again
    helpers.call_action(
        "package_patch", context={"user": "produsen-dinkes"}, id="penduduk", klasifikasi="Per kecamatan"
    )
    assert _state() == "diajukan"
    assert _publish(app, people["walidata"]).status_code == 200

    # a new file copying the same figures again is a new warning
    _upload(f"Penduduk {LAST} revisi", csv_bytes(copy_of(corpus.penduduk([PREV]), LAST)), str(LAST))
    assert _state() == "diajukan"
    res = _publish(app, people["walidata"])
    assert res.status_code == 409 and f"Penduduk {LAST} revisi" in res.json["error"]["override_reason"][0]


def test_a_dataset_whose_files_are_still_being_checked_waits(app, people, ckan_config, monkeypatch):
    monkeypatch.setitem(
        ckan_config, config.QUALITY_SYNC_MAX_BYTES, 100
    )  # every file goes to a background job
    _submitted((f"Penduduk {LAST}", csv_bytes(corpus.penduduk([LAST])), str(LAST)))
    res = _publish(app, people["walidata"], override_reason=REASON)
    assert res.status_code == 409
    (message,) = res.json["error"]["kualitas"]
    assert message == (
        f"Berkas dataset ini masih diperiksa: Penduduk {LAST}. Terbitkan setelah pemeriksaan selesai."
    )
    assert _state() == "diajukan"


def test_a_file_that_could_not_be_checked_needs_a_reason(app, people):
    create_dataset(user="produsen-dinkes", name="penduduk", satuan="jiwa")
    with local_server() as server:
        helpers.call_action(
            "resource_create", context={"user": "produsen-dinkes"}, package_id="penduduk",
            url=f"{server}/data.csv", name="Tautan intranet", format="CSV",
        )  # fmt: skip
    helpers.call_action("satudata_submit", context={"user": "produsen-dinkes"}, id="penduduk")
    res = _publish(app, people["walidata"])
    assert res.status_code == 409
    message = res.json["error"]["override_reason"][0]
    assert "validation_failed" in message and "Tautan intranet: berkas tidak dapat diperiksa" in message
    assert _publish(app, people["walidata"], override_reason="Berkas diperiksa manual").status_code == 200


def test_a_file_never_validated_is_checked_at_publication(app, people):
    rows = corpus.penduduk([LAST])
    corpus.find(rows, "64.71.01", LAST)[0] = "64.71.99"
    _submitted((f"Penduduk {LAST}", csv_bytes(rows), str(LAST)))
    # as if the file came before the portal checked files
    model.Session.execute(sa.delete(validations.resource_validation))
    model.Session.commit()
    res = _publish(app, people["walidata"], override_reason=REASON)
    assert (
        res.status_code == 409
        and 'kode wilayah "64.71.99" bukan kode Kemendagri' in res.json["error"]["kualitas"][0]
    )


def test_a_clean_dataset_is_published_without_a_reason(app, people):
    _submitted((f"Penduduk {LAST}", csv_bytes(corpus.penduduk([LAST])), str(LAST)))
    assert _publish(app, people["walidata"]).status_code == 200
    history = helpers.call_action("satudata_workflow_history", context={"user": "walidata"}, id="penduduk")
    assert history["events"][-1]["note"] is None


def test_the_demo_shows_the_walidata_a_copied_year_at_the_gate(app, people):

    name = "jumlah-guru-menurut-jenjang-per-kecamatan"
    report = seed.seed(only=[name])
    assert report.states == {name: "diajukan"}
    (finding,) = [f for f in service.dataset_findings(name) if f["code"] != "stale"]
    assert finding["code"] == "copied_previous_period" and finding["details"]["previous_period"] == "2024"
    res = app.post(
        "/api/3/action/satudata_publish", json={"id": name}, headers={"Authorization": people["walidata"]}
    )
    assert res.status_code == 409 and "copied_previous_period" in res.json["error"]["override_reason"][0]


@pytest.mark.ckan_config("ckanext.satudata.dcat.fragment_ttl", "0")
def test_one_publication_reads_each_validation_row_and_acknowledgement_once(people):
    """The gate derives pending files, errors, warnings and counts from one read of the
    dataset's validation rows and acknowledgements (the feed's fragments, rendered after the
    commit, are off here: they are the feed's own reading)."""
    _submitted(*_copied_files())
    reads: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and ".seq DESC" not in statement:
            # (the hash chain's one read of its head, to append the acknowledgements, is no gate read)
            for table in (validations.TABLE, "satudata_quality_ack"):
                if f"FROM {table}" in statement:
                    reads.append(table)

    engine = model.Session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        helpers.call_action(
            "satudata_publish", context={"user": "walidata"}, id="penduduk", override_reason=REASON
        )
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert _state() == "terbit"
    assert reads.count(validations.TABLE) == 1
    assert reads.count("satudata_quality_ack") == 1
