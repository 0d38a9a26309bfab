"""The scheming schemas in the top-level ``schemas/`` folder ship as package data.

They must be found at run time both in the editable development install and in a normal
``pip install .``, through the name scheming resolves: ``ckanext.satudata_balikpapan.schemas``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from ckanext.scheming.plugins import _load_schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = "ckanext.satudata_balikpapan.schemas:dataset.yaml"


def test_schema_resolves_in_the_development_install():

    schema = _load_schema(SCHEMA)
    assert schema["dataset_type"] == "dataset"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    # The in-place build leaves an egg-info in the source tree; left there, it would shadow the
    # editable install's metadata (entry points) for every process started in the repository.
    for leftover in ROOT.glob("*.egg-info"):
        shutil.rmtree(leftover, ignore_errors=True)
    return next(out.glob("ckanext_satudata_balikpapan-*.whl"))


def test_wheel_ships_the_schemas_and_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ckanext/satudata_balikpapan/schemas/__init__.py" in names
    assert "ckanext/satudata_balikpapan/schemas/dataset.yaml" in names
    assert "ckanext/satudata_balikpapan/data/demo_users.yaml" in names
    assert "ckanext/satudata_balikpapan/data/opd.yaml" in names
    assert "ckanext/satudata_balikpapan/data/vocabularies/wilayah.yaml" in names
    assert "ckanext/satudata_balikpapan/i18n/id/LC_MESSAGES/ckanext-satudata_balikpapan.mo" in names
    # the catalogue of CKAN core, scheming and dcat messages (ckan.i18n_directory), built by build_py
    assert "ckanext/satudata_balikpapan/i18n_overrides/i18n/id/LC_MESSAGES/ckan.mo" in names
    assert "ckanext/satudata_balikpapan/i18n_overrides/i18n/id/LC_MESSAGES/ckan.po" in names
    assert "ckanext/satudata_balikpapan/i18n_overrides/i18n/ckan.pot" in names
    assert "ckanext/satudata_balikpapan/i18n_overrides/id/ckan.po" in names
    assert not any(n.startswith(("tests/", "schemas/")) for n in names)


def test_non_editable_install_finds_the_schema_at_run_time(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    # -S: no site-packages .pth files, so the editable install of the repo is not visible;
    # the installed wheel comes first, CKAN and scheming from the virtualenv after it.
    code = (
        "import ckanext.satudata_balikpapan.schemas as s, inspect;"
        "from ckanext.scheming.plugins import _load_schema;"
        f"print(inspect.getfile(s)); print(_load_schema({SCHEMA!r})['dataset_type'])"
    )
    env = {"PYTHONPATH": f"{target}:{sysconfig.get_paths()['purelib']}"}
    proc = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.split()
    assert out[0].startswith(str(target))
    assert out[1] == "dataset"
