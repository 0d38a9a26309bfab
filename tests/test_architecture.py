"""The package's architecture holds (docs/architecture.md): its layer contracts, no import
circles, every import at the top of its module and no module reaching into another's
private names. These run the same tools a developer runs (``make lint``), so CI refuses a
change that breaks the layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGE = "ckanext.satudata_balikpapan"
# CKAN's places and the few modules every room shares; everything else lives in a room.
ROOT_MODULES = {"__init__", "plugin", "cli", "helpers", "config", "translations"}


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_the_layer_contracts_are_kept():
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean_with_top_level_imports_and_no_private_access():
    result = _run(str(BIN / "ruff"), "check", "ckanext", "tests", "benchmarks", "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_takes_part_in_an_import_circle():
    graph = grimp.build_graph(PACKAGE)
    circles = [
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    ]
    assert circles == []


def test_the_package_root_holds_only_ckans_places():
    package = ROOT / "ckanext" / "satudata_balikpapan"
    modules = {p.stem for p in package.glob("*.py")}
    assert modules == ROOT_MODULES
    assert len(modules) <= 9
