"""Controlled vocabularies of Satu Data Balikpapan, read from YAML data files.

Each vocabulary is a file ``data/vocabularies/<name>.yaml`` with its source noted in the
file. Files are read once per process and cached; adding a unit or a kelurahan is an edit of
a YAML file, not of code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

PACKAGE = "ckanext.satudata_balikpapan"
KOTA_CODE = "64.71"


@dataclass(frozen=True, eq=False)
class Term:
    """One entry of a vocabulary: a stable code and its labels in Indonesian and English."""

    code: str
    label: dict[str, str]
    attrs: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "id") -> str:
        """The label in ``lang``, falling back to Indonesian."""
        return self.label.get(lang) or self.label.get("id") or self.code

    def __getitem__(self, key: str) -> Any:
        return self.attrs[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """A named, ordered list of terms with the source it was taken from."""

    name: str
    source: str
    terms: tuple[Term, ...]
    _by_code: dict[str, Term] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {t.code: t for t in self.terms})

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def get(self, code: str) -> Term | None:
        return self._by_code.get(code)

    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    def choices(self, lang: str | None = None) -> list[dict[str, Any]]:
        """Scheming ``choices``: ``value`` plus a label dict (or one language's text)."""
        return [{"value": t.code, "label": t.text(lang) if lang else dict(t.label)} for t in self.terms]


@cache
def _read(name: str) -> dict[str, Any]:
    path = resources.files(PACKAGE).joinpath(f"data/vocabularies/{name}.yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _term(item: dict[str, Any]) -> Term:
    """A term keyed by its ``slug`` (the value stored on datasets) or else its ``code``."""
    key = "slug" if "slug" in item else "code"
    code = str(item[key])
    label = item.get("label") or {"id": item.get("name", code)}
    if isinstance(label, str):
        label = {"id": label}
    attrs = {k: v for k, v in item.items() if k not in (key, "label")}
    return Term(code=code, label=dict(label), attrs=attrs)


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary ``name`` (a file under ``data/vocabularies``), read once and cached.

    ``ukuran`` and ``satuan`` are the two lists of ``ukuran_satuan.yaml``.
    """
    if name in ("ukuran", "satuan"):
        raw = _read("ukuran_satuan")
        items = raw[name]
    else:
        raw = _read(name)
        items = raw.get("items", [])
    return Vocabulary(name, raw.get("source", ""), tuple(_term(i) for i in items))


@dataclass(frozen=True)
class Region:
    """A Kemendagri region of Kota Balikpapan: the city, a kecamatan or a kelurahan."""

    code: str
    name: str
    level: str  # "kota" | "kecamatan" | "kelurahan"
    parent: str | None


# How a region's name is compared (``region_name_key``; the quality engine applies the same
# steps to Arrow columns): lower case, a leading "Kecamatan"/"Kelurahan"/"Kec."/"Kel."/"Desa"
# dropped, every run of other characters than letters and digits one space.
REGION_NAME_PREFIX = r"^(kecamatan|kelurahan|kec\.?|kel\.?|desa)\s+"
REGION_NAME_OTHER = r"[^a-z0-9]+"


def region_name_key(name: str) -> str:
    """``name`` as region names are compared: "Kel. Margo  Mulyo" and "margo-mulyo" are one."""
    text = re.sub(REGION_NAME_PREFIX, "", name.strip().lower())
    return re.sub(REGION_NAME_OTHER, " ", text).strip()


@cache
def region_codes_by_name() -> dict[str, str | None]:
    """:func:`region_name_key` of each region's name -> its code (None for a name two regions
    share), for checking the names a table gives next to its codes."""
    out: dict[str, str | None] = {}
    for code, region in regions().items():
        key = region_name_key(region.name)
        out[key] = None if key in out and out[key] != code else code
    return out


@cache
def regions() -> dict[str, Region]:
    """Every region of Kota Balikpapan by Kemendagri code (``64.71``, ``64.71.NN``, ...)."""
    raw = _read("wilayah")
    kota = raw["kota"]
    out = {kota["code"]: Region(kota["code"], kota["label"]["id"], "kota", None)}
    for kec in raw["kecamatan"]:
        out[kec["code"]] = Region(kec["code"], kec["name"], "kecamatan", kota["code"])
        for kel in kec["kelurahan"]:
            out[kel["code"]] = Region(kel["code"], kel["name"], "kelurahan", kec["code"])
    return out


REGION_CODE = re.compile(r"^64\.71(\.\d{2}(\.\d{4})?)?$")


def region_level(code: str) -> str | None:
    """``kota``, ``kecamatan`` or ``kelurahan`` from the shape of a Kemendagri code under
    64.71, or None when the code is not shaped like one."""
    m = REGION_CODE.match(code or "")
    if not m:
        return None
    return "kelurahan" if m.group(2) else "kecamatan" if m.group(1) else "kota"


OTHER = "lainnya"  # the "other, specify" value of the ukuran and satuan pick-lists


def satuan_fits(ukuran: str, satuan: str) -> bool:
    """Whether unit ``satuan`` may be used with measure ``ukuran``.

    A unit without ``fits`` and a measure listed in ``any_satuan`` (rasio) are unrestricted;
    "lainnya" on either side is left to the walidata.
    """
    if OTHER in (ukuran, satuan):
        return True
    term = vocabulary("satuan").get(satuan)
    if term is None or not term.get("fits"):
        return True
    if ukuran in (_read("ukuran_satuan").get("any_satuan") or []):
        return True
    return ukuran in term["fits"]
