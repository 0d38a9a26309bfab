"""ckanext-satudata_balikpapan: the Satu Data portal extension of Kota Balikpapan."""

import sys
from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
I18N = HERE / "ckanext" / "satudata_balikpapan" / "i18n"
TRANSLATIONS = HERE / "ckanext" / "satudata_balikpapan" / "translations.py"


def compile_catalogs() -> None:
    """Compile every gettext catalogue (.po) of the extension to .mo, and build the catalogue of
    CKAN core, scheming and dcat messages that ``ckan.i18n_directory`` points to (needs Babel)."""
    import importlib.util

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in I18N.glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as src:
            catalog = read_po(src, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as dst:
            write_mo(dst, catalog)
    # loaded from its file: importing the package would import CKAN, which a build may lack
    spec = importlib.util.spec_from_file_location("_satudata_translations", TRANSLATIONS)
    translations = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(translations)
    translations.build()


class BuildPyWithCatalogs(build_py):
    """build_py that compiles the translations first, so that wheels ship the .mo files."""

    def run(self) -> None:
        compile_catalogs()
        super().run()


setup(
    name="ckanext-satudata_balikpapan",
    version="0.1.0",
    description="Satu Data Indonesia portal extension for Pemerintah Kota Balikpapan (CKAN)",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    url="https://data.balikpapan.go.id",
    author="Diskominfo Kota Balikpapan",
    license="AGPL-3.0-or-later",
    classifiers=[
        "Framework :: CKAN",
        "Programming Language :: Python :: 3",
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
    ],
    python_requires=">=3.10",
    packages=[
        *find_namespace_packages(include=["ckanext.*"], exclude=["tests*"]),
        "ckanext.satudata_balikpapan.schemas",
    ],
    # The scheming schemas live at the top of the repository (design card) and are shipped as
    # the package ckanext.satudata_balikpapan.schemas, so that "ckanext.satudata_balikpapan.schemas:
    # dataset.yaml" resolves in editable and in normal (pip install .) installs alike.
    package_dir={"ckanext.satudata_balikpapan.schemas": "schemas"},
    include_package_data=True,
    package_data={
        "ckanext.satudata_balikpapan": [
            "config_declaration.yaml",
            "templates/**/*",
            "public/**/*",
            "assets/**/*",
            "i18n/**/*",
            "i18n_overrides/**/*",
            "data/**/*.yaml",
            "migration/**/*",
        ],
        "ckanext.satudata_balikpapan.schemas": ["*.yaml", "*.json"],
    },
    zip_safe=False,
    cmdclass={"build_py": BuildPyWithCatalogs},
    install_requires=[],  # pinned per CKAN version in requirements/ (see README)
    entry_points={
        "ckan.plugins": [
            "satudata_balikpapan = ckanext.satudata_balikpapan.plugin:SatudataBalikpapanPlugin",
        ],
        "ckan.rdf.profiles": [
            "satudata_dcat_ap = ckanext.satudata_balikpapan.dcat.profile:SatudataDCATAPProfile",
        ],
        "babel.extractors": ["ckan = ckan.lib.extract:extract_ckan"],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
