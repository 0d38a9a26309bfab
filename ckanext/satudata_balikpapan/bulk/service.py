"""Bulk metadata through Excel (issue #18): the "Templat Metadata" of an OPD, its upload, and
the export of the published catalogue.

An upload is checked whole before anything is saved: every row goes through the same
validators as the dataset form (scheming's schema and the portal's validators, via CKAN's
``plugin_validate``) and the same auth functions, and the report names the sheet, row, column
and problem, in the user's language (Indonesian by default). Then, as the clerk chose, either
nothing is applied while any row has a problem, or only the valid rows are. A new dataset is
created as a draft of the OPD; an update goes through ``package_update``, so a published
dataset's edit goes back under review as any edit does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import plugins as lib_plugins

from ckanext.satudata_balikpapan.bulk import columns as cols_
from ckanext.satudata_balikpapan.bulk import workbook
from ckanext.satudata_balikpapan.lib.text import spreadsheet_csv, spreadsheet_safe
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.workflow import service as workflow


@dataclass
class Problem:
    """One problem of an upload: where (sheet, row, column letter and field) and what."""

    row: int
    column: str
    field: str
    message: str
    sheet: str = workbook.SHEET


@dataclass
class ImportReport:
    """What an upload gave: rows read, datasets created and updated, the problems, and
    whether anything was applied."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated, "applied": self.applied,
            "problems": [p.__dict__ for p in self.problems],
        }  # fmt: skip


def columns() -> list[cols_.Column]:
    """The template's columns, from the dataset schema as scheming expands it."""
    schema = tk.h.scheming_get_dataset_schema("dataset") or {}
    return cols_.columns(schema.get("dataset_fields", []), tk.h.scheming_field_choices)


def _datasets_of(org: model.Group) -> list[dict[str, Any]]:
    ids = [
        pkg_id
        for (pkg_id,) in model.Session.query(model.Package.id)
        .filter(model.Package.owner_org == org.id, model.Package.state.in_(["active", "draft"]),
                model.Package.type == "dataset")
        .order_by(model.Package.name)
    ]  # fmt: skip
    return [tk.get_action("package_show")(roles.site_context(), {"id": i}) for i in ids]


def template(org: model.Group) -> bytes:
    """The OPD's template: its datasets (every state) pre-filled."""
    cols = columns()
    rows = [cols_.to_cells(cols, d) for d in _datasets_of(org)]
    return workbook.write(cols, rows, title=f"Templat Metadata: {org.title}")


def _flatten(errors: dict[str, Any]) -> list[tuple[str, str]]:
    """``(field, message)`` of a validation error dict (a repeating field's sub-field as
    ``penanggung_jawab.email``)."""
    out: list[tuple[str, str]] = []
    for key, value in errors.items():
        if isinstance(value, dict):
            out += [(f"{key}.{k}", m) for k, m in _flatten(value)]
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    out += [(f"{key}.{k}", m) for k, m in _flatten(item)]
                elif item:
                    out.append((key, str(item)))
        elif value:
            out.append((key, str(value)))
    return out


def _validate(context: dict[str, Any], data: dict[str, Any], action: str) -> dict[str, Any]:
    """The errors the dataset form would give ``data`` (nothing is saved)."""
    plugin = lib_plugins.lookup_package_plugin("dataset")
    schema = plugin.update_package_schema() if action == "package_update" else plugin.create_package_schema()
    context = {"model": model, "session": model.Session, **context}
    _data, errors = lib_plugins.plugin_validate(plugin, context, data, schema, action)
    return errors


def _plan(context: dict[str, Any], org: model.Group, cols: list[cols_.Column], row: workbook.Row,
          report: ImportReport) -> tuple[str, dict[str, Any]] | None:  # fmt: skip
    """What a row asks (create or update, with the full data dict), or None after reporting
    its problems."""
    data = cols_.to_dataset(cols, row.cells)
    name = data.get("name")

    def problem(key: str, message: str) -> None:
        report.problems.append(Problem(row.number, workbook.column_letter(cols, key), key, message))

    if not name:
        problem("name", tk._("The URL (dataset name) is required: it says which dataset the row is"))
        return None
    existing = model.Package.by_name(str(name))
    if existing is not None and existing.state == "deleted":
        problem("name", tk._("That URL belonged to a deleted dataset: choose another"))
        return None
    if existing is not None and existing.owner_org != org.id:
        problem("name", tk._("That URL is already used by a dataset of another OPD"))
        return None
    action = "package_update" if existing is not None else "package_create"
    if existing is not None:
        shown = tk.get_action("package_show")(roles.site_context(), {"id": existing.id})
        full = {k: v for k, v in shown.items() if k not in workflow.SHOWN_KEYS}
        full.update(data)
        full["id"] = existing.id
    else:
        full = dict(data, owner_org=org.id, type="dataset")
    try:
        tk.check_access(action, dict(context), {"id": existing.id} if existing else {"owner_org": org.id})
    except tk.NotAuthorized:
        problem("name", tk._("You may not change this dataset"))
        return None
    validation_context = dict(context, package=existing) if existing else dict(context)
    errors = _validate(validation_context, full, action)
    for key, message in _flatten(errors):
        problem(key, message)
    return None if errors else (action, full)


def import_sheet(
    context: dict[str, Any], org: model.Group, path: Path, only_valid: bool = False
) -> ImportReport:
    """Check every row of an uploaded template, then apply all of them when none has a
    problem (or, with ``only_valid``, the rows without one). Raises
    :class:`~.workbook.SheetError` for a file that is not a readable template."""
    cols = columns()
    report = ImportReport()
    plans: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for row in workbook.read(path, cols):
        report.rows += 1
        name = str(row.cells.get("name") or "").strip()
        if name and name in seen:
            message = tk._("The URL {name} is also in row {row}").format(name=name, row=seen[name])
            report.problems.append(Problem(row.number, "A", "name", message))
            continue
        seen[name] = row.number
        planned = _plan(context, org, cols, row, report)
        if planned:
            plans.append(planned)
    if report.problems and not only_valid:
        return report
    for action, data in plans:
        result = tk.get_action(action)(dict(context), data)
        (report.created if action == "package_create" else report.updated).append(result["name"])
    report.applied = bool(plans)
    return report


def published_catalogue() -> list[dict[str, Any]]:
    """Every published dataset's metadata, as the template's cells (for the export)."""
    cols = columns()
    ids = [
        pkg.id
        for pkg in model.Session.query(model.Package)
        .filter(model.Package.state == "active", model.Package.private.is_(False))
        .filter(model.Package.type == "dataset")
        .order_by(model.Package.name)
        if workflow.is_published(pkg)
    ]  # fmt: skip
    out = []
    for package_id in ids:
        shown = tk.get_action("package_show")({"ignore_auth": False, "user": ""}, {"id": package_id})
        cells = cols_.to_cells(cols, shown)
        row = {c.key: spreadsheet_safe(v) for c, v in zip(cols, cells, strict=True)}
        row["organization"] = (shown.get("organization") or {}).get("title")
        out.append(row)
    return out


def export_csv(rows: list[dict[str, Any]]) -> str:
    """The published catalogue as CSV, for a spreadsheet (:func:`~..lib.text.spreadsheet_csv`)."""
    cols = columns()
    return spreadsheet_csv(
        [tk._("Data producer (OPD)"), *[c.header("id").rstrip(" *") for c in cols]],
        ([row.get("organization"), *[row.get(c.key) for c in cols]] for row in rows),
    )


def export_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The published catalogue as a workbook."""
    cols = [cols_.Column(key="organization", label={"id": tk._("Data producer (OPD)")}), *columns()]
    return workbook.export(cols, rows)
