"""The city's former portal, for real: a stock CKAN (the ``datastore`` plugin only, no Satu
Data, no scheming) in its own process, with its own databases, storage and site id, serving a
catalogue laid out as the old portal's is: one organisation per OPD under the names and titles
it had there, uploaded CSV and XLSX files, links, a DataStore table, private, draft and
deleted datasets, free extras in the spellings real portals have."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
import requests
from ckan.common import config

from tests.conftest import ROOT, free_port

CSV_2022 = "kecamatan,tahun,jumlah\n64.71.01,2022,91234\n64.71.02,2022,120456\n"
CSV_2023 = "kecamatan,tahun,jumlah\n64.71.01,2023,92011\n64.71.02,2023,121300\n"


def _xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["kecamatan", "tahun", "jumlah"])
    sheet.append(["64.71.01", 2023, 15])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class OldPortal:
    """The running old portal: its address, a sysadmin token, and what it holds."""

    url: str
    token: str
    files: dict[str, bytes] = field(default_factory=dict)  # resource id -> the uploaded bytes
    names: dict[str, str] = field(default_factory=dict)  # role in the catalogue -> dataset name

    def call(self, action: str, **data):
        response = requests.post(
            f"{self.url}/api/3/action/{action}", json=data, headers={"Authorization": self.token}, timeout=60
        )
        body = response.json()
        assert body.get("success"), (action, body.get("error"))
        return body["result"]

    def upload(self, package_id: str, filename: str, content: bytes, **fields) -> dict:
        response = requests.post(
            f"{self.url}/api/3/action/resource_create",
            data={"package_id": package_id, "name": fields.pop("name", filename), **fields},
            files={"upload": (filename, content)},
            headers={"Authorization": self.token},
            timeout=60,
        )
        body = response.json()
        assert body.get("success"), body.get("error")
        self.files[body["result"]["id"]] = content
        return body["result"]

    def everything(self) -> list[dict]:
        """Every dataset the old portal's search finds (drafts and private ones included; a
        stock CKAN drops deleted datasets from its index, so its API never lists them)."""
        found = self.call(
            "package_search",
            q="*:*",
            rows=1000,
            include_private=True,
            include_drafts=True,
            include_deleted=True,
        )
        return found["results"]

    def dump(self) -> list[dict]:
        """What ``ckanapi dump datasets`` of every dataset id writes: the deleted one too."""
        return [*self.everything(), self.call("package_show", id=self.names["deleted"])]


def _catalogue(portal: OldPortal) -> None:
    """The old portal's catalogue, as its OPDs left it."""
    call = portal.call
    dinkes = call("organization_create", name="dinas-kesehatan", title="Dinas Kesehatan Kota Balikpapan")
    capil = call("organization_create", name="disdukcapil-bpp", title="DISDUKCAPIL")
    bappeda = call("organization_create", name="perencanaan", title="Badan Perencanaan Lama")  # a former name
    other = call("organization_create", name="komunitas", title="Komunitas Data Warga")  # no OPD

    penduduk = call(
        "package_create", name="jumlah-penduduk", title="Jumlah Penduduk per Kecamatan", owner_org=capil["id"],
        notes="Jumlah penduduk menurut kecamatan.", license_id="cc-by", maintainer="Bidang Data",
        maintainer_email="data@disdukcapil.example.go.id", tags=[{"name": "kependudukan"}],
        extras=[{"key": "Tahun", "value": "2022-2023"}, {"key": "Satuan", "value": "Jiwa"},
                {"key": "frekuensi", "value": "1 Tahun Sekali"}, {"key": "Sumber", "value": "SIAK"}],
    )  # fmt: skip
    portal.upload(penduduk["id"], "penduduk-2022.csv", CSV_2022.encode(), format="CSV ", name="Penduduk 2022")
    portal.upload(penduduk["id"], "penduduk-2023.csv", CSV_2023.encode(), format="csv", name="Penduduk 2023")
    portal.names["public_with_files"] = penduduk["name"]

    faskes = call(
        "package_create", name="fasilitas-kesehatan", title="Fasilitas Kesehatan", owner_org=dinkes["id"],
        notes="Puskesmas dan rumah sakit.", license_id="CC-BY-4.0",
        extras=[{"key": "tahun", "value": "2023"}, {"key": "satuan", "value": "Unit"}],
    )  # fmt: skip
    portal.upload(faskes["id"], "faskes-2023.xlsx", _xlsx(), format="xlxs", name="Faskes 2023")
    call("resource_create", package_id=faskes["id"], name="Peta Faskes", url="https://example.org/peta-faskes.geojson",
         format="GeoJSON")  # fmt: skip
    portal.names["public_with_link"] = faskes["name"]

    tabel = call(
        "package_create", name="kunjungan-puskesmas", title="Kunjungan Puskesmas", owner_org=dinkes["id"],
        notes="Kunjungan per bulan.",
    )  # fmt: skip
    store = call(
        "datastore_create",
        resource={"package_id": tabel["id"], "name": "Kunjungan 2023"},
        fields=[{"id": "bulan", "type": "text"}, {"id": "kunjungan", "type": "int"}],
        records=[{"bulan": f"2023-{m:02d}", "kunjungan": 1000 + m} for m in range(1, 13)],
    )
    portal.names["datastore"] = tabel["name"]
    portal.files[f"datastore:{store['resource_id']}"] = b""

    rencana = call(
        "package_create", name="rencana-pembangunan", title="Rencana Pembangunan", owner_org=bappeda["id"],
        notes="Dokumen perencanaan.", private=True,
    )  # fmt: skip
    portal.names["private"] = rencana["name"]

    draft = call(
        "package_create", name="draf-imunisasi", title="Draf Imunisasi", owner_org=dinkes["id"], state="draft"
    )
    portal.names["draft"] = draft["name"]

    hapus = call("package_create", name="data-usang", title="Data Usang", owner_org=dinkes["id"])
    call("package_delete", id=hapus["id"])
    portal.names["deleted"] = hapus["name"]

    orphan = call("package_create", name="data-komunitas", title="Data Komunitas", owner_org=other["id"])
    portal.names["unmappable"] = orphan["name"]


def _ckan(env: dict[str, str], ini: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(Path(sys.executable).parent / "ckan"), "-c", str(ini), *args],
                          env=env, capture_output=True, text=True)  # fmt: skip
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.fixture(scope="session")
def old_portal(tmp_path_factory):
    """A stock CKAN serving the old catalogue on a free loopback port; yields :class:`OldPortal`."""
    work = tmp_path_factory.mktemp("portal-lama")
    db_url, db_name = config["sqlalchemy.url"].rsplit("/", 1)
    ds_url, ds_name = config["ckan.datastore.write_url"].rsplit("/", 1)
    ro_url = config["ckan.datastore.read_url"].rsplit("/", 1)[0]
    source_db, source_ds = f"{db_name}_lama", f"{ds_name}_lama"
    port = free_port()
    ini = work / "lama.ini"
    ini.write_text(
        "[app:main]\n"
        f"use = config:{ROOT / 'test.ini'}\n"
        "ckan.plugins = datastore\n"
        f"ckan.storage_path = {work / 'storage'}\n"
        "ckan.max_resource_size = 10\n"
        "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
        "[logger_root]\nlevel = WARNING\nhandlers = console\n"
        "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\nformatter = generic\n"
        "[formatter_generic]\nformat = %%(asctime)s %%(levelname)-5.5s [%%(name)s] %%(message)s\n"
    )
    env = dict(os.environ)
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "CKAN_SQLALCHEMY_URL": f"{db_url}/{source_db}",
        "CKAN_DATASTORE_WRITE_URL": f"{ds_url}/{source_ds}",
        "CKAN_DATASTORE_READ_URL": f"{ro_url}/{source_ds}",
        "CKAN_SITE_ID": "satudata.lama",
        "CKAN_SITE_URL": f"http://127.0.0.1:{port}",
        "CKAN_SOLR_URL": config["solr_url"],
        "CKAN_REDIS_URL": config["ckan.redis.url"],
        "CKAN_STORAGE_PATH": str(work / "storage"),
    })  # fmt: skip
    postgres = str(ROOT / "scripts" / "postgres.sh")
    for name in (source_db, source_ds):
        subprocess.run([postgres, "dropdb", name], env=env, capture_output=True, check=False)
        subprocess.run([postgres, "createdb", name], env=env, capture_output=True, check=True)
    _ckan(env, ini, "db", "init")
    permissions = _ckan(env, ini, "datastore", "set-permissions").stdout
    subprocess.run(
        [postgres, "sql", source_ds], input=permissions, env=env, text=True, check=True, capture_output=True
    )
    _ckan(env, ini, "user", "add", "admin-lama", "email=admin@lama.example", "password=Rahasia-lama-123")
    _ckan(env, ini, "sysadmin", "add", "admin-lama")
    token = (
        _ckan(env, ini, "user", "token", "add", "admin-lama", "migrasi")
        .stdout.strip()
        .splitlines()[-1]
        .strip()
    )
    log = open(ROOT / ".work" / "logs" / "portal-lama.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "ckan"), "-c", str(ini), "run", "-H", "127.0.0.1", "-p", str(port),
         "--disable-reloader"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    portal = OldPortal(url=f"http://127.0.0.1:{port}", token=token)
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{portal.url}/api/3/action/status_show", timeout=5) as answer:
                    json.loads(answer.read())
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the old portal did not start (see .work/logs/portal-lama.log)")
        _catalogue(portal)
        yield portal
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        _ckan(env, ini, "search-index", "clear", check=False)
