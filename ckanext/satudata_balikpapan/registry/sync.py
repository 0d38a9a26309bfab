"""``ckan satudata opd sync``: make CKAN's organisations match the OPD registry.

One organisation per OPD of the registry, created or updated idempotently. An OPD that names
predecessors (an office merged or renamed) receives their datasets and members, and the emptied
predecessor is retired; every move is reported and no dataset is ever deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.registry.opd import SYNCED_FIELDS, Registry


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
            roles.site_context(), {"id": code, "include_datasets": False, "include_users": True}
        )
    except tk.ObjectNotFound:
        return None
    return org if org.get("state") == "active" else None


def _datasets_of(org_id: str) -> list[str]:
    """Every dataset the organisation owns, in any state (read from the database, not Solr)."""

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
                tk.get_action("organization_create")(roles.site_context(), dict(wanted))
        else:
            changed = [k for k in SYNCED_FIELDS if _normalise(existing.get(k)) != _normalise(wanted[k])]
            if changed:
                report.updated[opd.code] = changed
                if not dry_run:
                    tk.get_action("organization_patch")(roles.site_context(), dict(wanted, id=existing["id"]))
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
            move = {"id": name, "organization_id": successor}
            tk.get_action("package_owner_org_update")(roles.site_context(), move)
            search.rebuild(name)
    for user in old.get("users", []):
        report.moved_members.append((user["name"], pred_code, successor))
        if not dry_run:
            tk.get_action("organization_member_create")(
                roles.site_context(), {"id": successor, "username": user["name"], "role": user["capacity"]}
            )
    report.retired.append(pred_code)
    if not dry_run:
        if _datasets_of(old["id"]):  # never delete an organisation that still holds data
            raise RuntimeError(f"{pred_code} still holds datasets after the move; not retired")
        tk.get_action("organization_delete")(roles.site_context(), {"id": old["id"]})
