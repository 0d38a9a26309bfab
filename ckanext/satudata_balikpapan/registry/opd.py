"""The OPD registry of Pemerintah Kota Balikpapan and its sync to CKAN organisations.

The registry (``data/opd.yaml``, or a file an admin names) lists every perangkat daerah with a
stable code, which is the CKAN organisation name. ``sync`` creates and updates organisations to
match it. For restructuring, an entry names its ``predecessors``: their datasets and members move
to the successor, and the emptied predecessor organisation is retired. No dataset is deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from ckan import model

from ckanext.satudata_balikpapan.registry import vocabularies

KINDS = ("dinas", "badan", "sekretariat", "inspektorat", "satuan", "rsud", "kecamatan")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,99}$")
# Organisation fields (schemas/organization.yaml) that sync keeps equal to the registry.
SYNCED_FIELDS = (
    "title", "abbreviation", "name_en", "kind", "urusan", "walidata",
    "contact_email", "contact_phone", "address", "website", "wilayah", "registry_note",
)  # fmt: skip


class RegistryError(ValueError):
    """The registry file is malformed; the message names every problem found."""


@dataclass(frozen=True)
class Opd:
    """One perangkat daerah of the registry."""

    code: str
    name: str
    abbreviation: str
    kind: str
    urusan: tuple[str, ...]
    name_en: str = ""
    walidata: bool = False
    contact: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    predecessors: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()  # names the office had (the migration recognises them)
    wilayah: str | None = None
    uncertain: bool = False
    note: str = ""

    def organization_fields(self) -> dict[str, Any]:
        """The organisation dict (scheming organisation schema) that represents this OPD."""
        contact = self.contact or {}
        note = self.note + (" [perlu verifikasi]" if self.uncertain else "")
        return {
            "name": self.code,
            "title": self.name,
            "abbreviation": self.abbreviation,
            "name_en": self.name_en,
            "kind": self.kind,
            "urusan": list(self.urusan),
            "walidata": "true" if self.walidata else "false",
            "contact_email": contact.get("email") or "",
            "contact_phone": contact.get("phone") or "",
            "address": contact.get("address") or "",
            "website": contact.get("website") or "",
            "wilayah": self.wilayah or "",
            "registry_note": note.strip(),
        }


@dataclass(frozen=True)
class Registry:
    """The validated registry: OPDs in file order, and the code of the walidata OPD."""

    opds: tuple[Opd, ...]
    walidata: str
    source: str = ""

    def get(self, code: str) -> Opd | None:
        return next((o for o in self.opds if o.code == code), None)

    def holder_of(self, code: str) -> Opd | None:
        """The OPD that is ``code`` now, or that succeeded it."""
        return self.get(code) or next((o for o in self.opds if code in o.predecessors), None)


def parse_registry(raw: dict[str, Any]) -> Registry:
    """Validate a loaded registry document; raise RegistryError naming every problem."""
    problems: list[str] = []
    urusan = vocabularies.vocabulary("urusan")
    regions = vocabularies.regions()
    opds: list[Opd] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw.get("opd") or [], start=1):
        where = f"opd #{i} ({entry.get('code', '?')})"
        code = str(entry.get("code", ""))
        if not CODE.match(code):
            problems.append(f"{where}: code must be lowercase letters, digits and '-'")
        if code in seen:
            problems.append(f"{where}: duplicate code")
        seen.add(code)
        if not entry.get("name"):
            problems.append(f"{where}: name is required")
        if entry.get("kind") not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        for u in entry.get("urusan") or []:
            if str(u) not in urusan:
                problems.append(f"{where}: unknown urusan {u}")
        if entry.get("wilayah") and entry["wilayah"] not in regions:
            problems.append(f"{where}: unknown wilayah {entry['wilayah']}")
        opds.append(
            Opd(
                code=code,
                name=str(entry.get("name", "")),
                abbreviation=str(entry.get("abbreviation") or ""),
                kind=str(entry.get("kind", "")),
                urusan=tuple(str(u) for u in entry.get("urusan") or ()),
                name_en=str(entry.get("name_en") or ""),
                walidata=bool(entry.get("walidata")),
                contact=dict(entry.get("contact") or {}),
                predecessors=tuple(str(p) for p in entry.get("predecessors") or ()),
                former_names=tuple(str(n) for n in entry.get("former_names") or ()),
                wilayah=entry.get("wilayah"),
                uncertain=bool(entry.get("uncertain")),
                note=str(entry.get("note") or ""),
            )
        )
    for opd in opds:
        for pred in opd.predecessors:
            if pred in seen:
                problems.append(f"{opd.code}: predecessor {pred} is still listed as an OPD")
    walidata = [o.code for o in opds if o.walidata]
    if len(walidata) != 1:
        problems.append(f"exactly one OPD must be walidata, found {len(walidata)}")
    if problems:
        raise RegistryError("; ".join(problems))
    return Registry(tuple(opds), walidata[0], str(raw.get("source", "")))


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and validate the registry at ``path`` (default: the one shipped in the package)."""
    if path is None:
        return default_registry()
    return parse_registry(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@cache
def default_registry() -> Registry:
    """The registry shipped with the package, read once."""
    text = resources.files("ckanext.satudata_balikpapan").joinpath("data/opd.yaml").read_text()
    return parse_registry(yaml.safe_load(text))


def organization(key: str | None) -> model.Group | None:
    """The active organisation (OPD) named or identified by ``key``, or None: the one OPD
    lookup of the extension (a NUL or a non-text key is no OPD)."""
    if not isinstance(key, str) or not key or "\x00" in key:
        return None
    group = model.Group.get(key)
    if group is None or not group.is_organization or group.state != "active":
        return None
    return group


def organizations() -> list[model.Group]:
    """Every active organisation (OPD), by title: read from the database alone (CKAN's
    organization_list asks Solr for dataset counts; the data request form must work while
    search is down)."""
    return (
        model.Session.query(model.Group)
        .filter(model.Group.is_organization.is_(True), model.Group.state == "active")
        .order_by(model.Group.title, model.Group.name)
        .all()
    )
