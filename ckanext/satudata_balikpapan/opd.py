"""The OPD registry of Pemerintah Kota Balikpapan and its sync to CKAN organisations.

The registry (``data/opd.yaml``, or a file an admin names) lists every perangkat daerah with a
stable code, which is the CKAN organisation name. ``sync`` creates and updates organisations to
match it. For restructuring, an entry names its ``predecessors``: their datasets and members move
to the successor, and the emptied predecessor organisation is retired. No dataset is deleted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
import yaml

from ckanext.satudata_balikpapan import vocabularies

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


@dataclass
class SyncReport:
    """What a sync did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # code -> changed fields
    unchanged: list[str] = field(default_factory=list)
    moved_datasets: list[tuple[str, str, str]] = field(default_factory=list)  # dataset, from, to
    moved_members: list[tuple[str, str, str]] = field(default_factory=list)  # user, from, to
    retired: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The human summary ``ckan satudata opd sync`` prints."""
        verb = "would be" if self.dry_run else ""
        out = [f"+ {c} created {verb}".rstrip() for c in self.created]
        out += [f"~ {c} updated {verb}: {', '.join(f)}".replace("  ", " ") for c, f in self.updated.items()]
        out += [f"> dataset {d}: {a} -> {b}" for d, a, b in self.moved_datasets]
        out += [f"> member {u}: {a} -> {b}" for u, a, b in self.moved_members]
        out += [f"- {c} retired (successor holds its datasets)" for c in self.retired]
        out.append(
            f"{'DRY RUN: ' if self.dry_run else ''}{len(self.created)} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.moved_datasets)} datasets moved, {len(self.retired)} retired"
        )
        return out


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _normalise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return "" if value is None else value


def _show(code: str) -> dict[str, Any] | None:
    try:
        org = tk.get_action("organization_show")(
            _context(), {"id": code, "include_datasets": False, "include_users": True}
        )
    except tk.ObjectNotFound:
        return None
    return org if org.get("state") == "active" else None


def _datasets_of(org_id: str) -> list[str]:
    """Every dataset the organisation owns, in any state (read from the database, not Solr)."""
    from ckan import model

    query = model.Session.query(model.Package.name).filter(model.Package.owner_org == org_id)
    return sorted(name for (name,) in query)


def sync(registry: Registry, dry_run: bool = False) -> SyncReport:
    """Make the CKAN organisations match ``registry``. Idempotent; ``dry_run`` changes nothing."""
    report = SyncReport(dry_run=dry_run)
    for opd in registry.opds:
        wanted = opd.organization_fields()
        existing = _show(opd.code)
        if existing is None:
            report.created.append(opd.code)
            if not dry_run:
                tk.get_action("organization_create")(_context(), dict(wanted))
        else:
            changed = [k for k in SYNCED_FIELDS if _normalise(existing.get(k)) != _normalise(wanted[k])]
            if changed:
                report.updated[opd.code] = changed
                if not dry_run:
                    tk.get_action("organization_patch")(_context(), dict(wanted, id=existing["id"]))
            else:
                report.unchanged.append(opd.code)
        for pred in opd.predecessors:
            _absorb(pred, opd.code, report, dry_run)
    return report


def _absorb(pred_code: str, successor: str, report: SyncReport, dry_run: bool) -> None:
    """Move a predecessor organisation's datasets and members to its successor, then retire it."""
    old = _show(pred_code)
    if old is None:
        return
    for name in _datasets_of(old["id"]):
        report.moved_datasets.append((name, pred_code, successor))
        if not dry_run:
            # An administrative move: only the owner changes, the metadata are not re-validated
            # (the successor may hold different urusan until the walidata reviews them).
            tk.get_action("package_owner_org_update")(_context(), {"id": name, "organization_id": successor})
            search.rebuild(name)
    for user in old.get("users", []):
        report.moved_members.append((user["name"], pred_code, successor))
        if not dry_run:
            tk.get_action("organization_member_create")(
                _context(), {"id": successor, "username": user["name"], "role": user["capacity"]}
            )
    report.retired.append(pred_code)
    if not dry_run:
        if _datasets_of(old["id"]):  # never delete an organisation that still holds data
            raise RuntimeError(f"{pred_code} still holds datasets after the move; not retired")
        tk.get_action("organization_delete")(_context(), {"id": old["id"]})
