"""Moving in: every dataset of the city's former CKAN portal comes across (``ckan satudata
migrate``).

For each dataset of the :mod:`.source`, in its own transaction:

1. A deleted dataset is skipped and reported; so is one whose organisation no rule places
   (:class:`~.mapping.OrganizationMatcher`): it is never given an invented OPD.
2. Unchanged since the last run (``source_hash`` of the migration record): nothing happens.
   A run that stopped half-way is simply run again.
3. :func:`~.mapping.map_dataset` gives its Satu Data form. It is created (or updated) through
   CKAN's own actions, with its old **id and name** and each resource's **id**, so that
   ``/dataset/<name>`` and ``/dataset/<id>/resource/<rid>/download/<file>`` keep answering.
   The required Satu Data fields it lacks do not block it (``satudata_incomplete_if_migrated``):
   they are listed in the report and on its page.
4. Uploaded files are copied through CKAN's resource uploader, and read back: the SHA-256 of
   the stored bytes must equal that of the downloaded ones. Links stay links. A DataStore table
   of the old portal is copied row for row (from the API; from a dump the table is rebuilt from
   the file by the validation job, ``ckanext.satudata.datastore.load``).
5. A public dataset is published at once and marked as not yet verified; a private or draft
   one arrives as a draft of its OPD (``--as-draft``: all of them). The history records the
   migration (:func:`~..workflow.service.adopt_migrated`).

A failure of one dataset is reported and rolled back; the others go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan import model
from ckan.lib import uploader
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.legacy import mapping
from ckanext.satudata_balikpapan.legacy.source import Entry, Source
from ckanext.satudata_balikpapan.lib import resource_files
from ckanext.satudata_balikpapan.lib.text import spreadsheet_csv
from ckanext.satudata_balikpapan.model import migrated_dataset
from ckanext.satudata_balikpapan.quality import service as quality
from ckanext.satudata_balikpapan.registry import opd, roles
from ckanext.satudata_balikpapan.workflow import service as workflow

log = logging.getLogger(__name__)

# Outcomes, as the report writes them.
CREATED, UPDATED, UNCHANGED, SKIPPED, FAILED = "dibuat", "diperbarui", "tidak_berubah", "dilewati", "gagal"
WOULD_CREATE, WOULD_UPDATE = "akan_dibuat", "akan_diperbarui"
# Keys of a package dict that change without the dataset changing (left out of its hash).
VOLATILE = ("tracking_summary", "num_followers", "relationships_as_object", "relationships_as_subject")
REPORT_COLUMNS = (
    "nama_lama", "nama_baru", "id", "organisasi_lama", "opd", "status_lama", "status_baru", "hasil",
    "sumber_data", "berkas_disalin", "kolom_wajib_kosong", "nilai_tidak_dipetakan", "masalah",
)  # fmt: skip
MAX_ATTEMPTS = 4  # a value the portal refuses is set aside, then the dataset is tried again


@dataclass
class Options:
    dry_run: bool = False
    as_draft: bool = False
    organization_map: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What became of one dataset of the old portal (one row of the report)."""

    old_name: str
    outcome: str
    id: str = ""
    new_name: str = ""
    old_org: str = ""
    opd: str = ""
    old_state: str = ""
    new_state: str = ""
    resources: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)
    unmapped: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "nama_lama": self.old_name, "nama_baru": self.new_name, "id": self.id,
            "organisasi_lama": self.old_org, "opd": self.opd, "status_lama": self.old_state,
            "status_baru": self.new_state, "hasil": self.outcome, "sumber_data": self.resources,
            "berkas_disalin": self.files, "kolom_wajib_kosong": ", ".join(self.missing),
            "nilai_tidak_dipetakan": ", ".join(sorted(self.unmapped)), "masalah": "; ".join(self.problems),
        }  # fmt: skip


class DatasetFailed(Exception):
    """One dataset could not come across; the message says why (for the report)."""


def old_state(dataset: dict[str, Any]) -> str:
    """``publik``, ``privat``, ``draft`` or ``dihapus``: the dataset's state on the old portal."""
    if dataset.get("state") == "deleted":
        return "dihapus"
    if dataset.get("state") == "draft":
        return "draft"
    return "privat" if dataset.get("private") else "publik"


def source_hash(dataset: dict[str, Any]) -> str:
    """The fingerprint of an old dataset as it was migrated."""
    kept = {k: v for k, v in dataset.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()


def _context() -> dict[str, Any]:
    """The site user's context, with the migration's allowance for missing Satu Data fields;
    the files are checked once they are stored (:func:`_one`), not before."""
    return {**roles.site_context(), migrated_dataset.CONTEXT_KEY: True, quality.INTERNAL_WRITE: True}


def _fields() -> dict[str, mapping.FieldSpec]:
    schema = tk.h.scheming_get_dataset_schema("dataset") or {}
    return mapping.field_specs(schema)


def _licenses() -> list[str]:
    return [license_.id for license_ in model.Package.get_license_register().values()]


def migrate(source: Source, options: Options) -> Iterator[Outcome]:
    """Migrate every dataset of ``source``; yields one :class:`Outcome` a dataset, as it goes
    (the CLI draws its progress bar and writes the report from them)."""
    matcher = mapping.OrganizationMatcher(opd.default_registry(), options.organization_map)
    orgs = source.organizations()
    fields, licenses = _fields(), _licenses()
    for entry in source.entries():
        try:
            yield _one(source, entry, options, matcher, orgs, fields, licenses)
        except DatasetFailed as error:
            model.Session.rollback()
            yield Outcome(old_name=entry.where, outcome=FAILED, problems=[str(error)])
        except Exception as error:  # one dataset's failure never stops the others
            model.Session.rollback()
            log.exception("Satu Data: migrating %s failed", entry.where)
            yield Outcome(old_name=entry.where, outcome=FAILED, problems=[f"{type(error).__name__}: {error}"])


def _one(
    source: Source, entry: Entry, options: Options, matcher: mapping.OrganizationMatcher,
    orgs: dict[str, dict[str, Any]], fields: dict[str, mapping.FieldSpec], licenses: list[str],
) -> Outcome:  # fmt: skip
    if entry.dataset is None:
        return Outcome(old_name=entry.where, outcome=SKIPPED, problems=[entry.problem or "unreadable"])
    dataset = entry.dataset
    state = old_state(dataset)
    org = dataset.get("organization") or orgs.get(str(dataset.get("owner_org") or "")) or {}
    if not org and dataset.get("owner_org"):
        org = next((o for o in orgs.values() if o.get("id") == dataset["owner_org"]), {})
    outcome = Outcome(
        old_name=dataset["name"], outcome=SKIPPED, id=dataset["id"], old_org=org.get("name") or "",
        old_state=state, resources=len(dataset.get("resources") or []),
    )  # fmt: skip
    if state == "dihapus":
        outcome.problems.append("deleted on the old portal")
        return outcome
    if dataset.get("type") not in (None, "", "dataset"):
        outcome.problems.append(
            f'of type "{dataset["type"]}", not a dataset (a harvest source, a showcase ...)'
        )
        return outcome
    code = matcher.match(org)
    group = opd.organization(code) if code else None
    if group is None:
        outcome.problems.append(
            f'organisation "{org.get("title") or org.get("name") or "-"}" is no OPD of the registry: '
            "add it to the organisation mapping file (--org-map)"
            if code is None
            else f'OPD "{code}" has no organisation yet: run "ckan satudata opd sync"'
        )
        return outcome
    outcome.opd = group.name
    mapped = mapping.map_dataset(dataset, fields, licenses, owner=group.name)
    outcome.missing, outcome.unmapped, outcome.problems = (
        mapped.missing,
        mapped.unmapped,
        list(mapped.problems),
    )
    publish = state == "publik" and not options.as_draft
    outcome.new_state = "terbit" if publish else "draft"
    outcome.new_name = dataset["name"]

    existing = model.Package.get(dataset["id"])
    by_name = model.Package.by_name(dataset["name"])
    if by_name is not None and by_name.id != dataset["id"]:
        outcome.problems.append(f'the name "{dataset["name"]}" belongs to another dataset here')
        return outcome
    record = migrated_dataset.get(dataset["id"])
    fingerprint = source_hash(dataset)
    if (
        existing is not None
        and existing.state != "deleted"
        and record
        and record["source_hash"] == fingerprint
    ):
        outcome.outcome = UNCHANGED
        outcome.files = len(record.get("files") or {})
        outcome.new_state = workflow.state_of(existing)["status"]
        return outcome
    if options.dry_run:
        outcome.outcome = WOULD_UPDATE if existing is not None else WOULD_CREATE
        return outcome

    workdir = Path(tempfile.mkdtemp(prefix="satudata-migrate-"))
    # the dataset's first arrival, or one that a stopped run left unfinished (no fingerprint yet)
    first = existing is None or record is None or not record["source_hash"]

    def save_record(copied: dict[str, dict[str, Any]], finished: bool) -> None:
        migrated_dataset.save(
            dataset["id"], source=source.label, source_name=dataset["name"], source_org=outcome.old_org,
            source_state=state, source_hash=fingerprint if finished else "", owner_org=group.id,
            arrived_as="terbit" if publish else "draft", files=copied, missing=outcome.missing,
            unmapped=_jsonable(outcome.unmapped), problems=outcome.problems,
        )  # fmt: skip
        model.Session.commit()

    try:
        files = _download_files(source, mapped, workdir, outcome)
        _save(mapped, existing, files, outcome)
        outcome.missing = mapping.missing_fields(mapped.dataset, fields)  # after what was set aside
        copied = _store_files(mapped, files, outcome)
        save_record(copied, finished=False)  # the portal's own writes below see a migrated dataset
        _copy_datastore(source, mapped, outcome)
    except Exception:
        model.Session.rollback()
        if existing is None and model.Package.get(dataset["id"]) is not None:
            _purge_half_made(dataset["id"])  # nothing half-made stays; the next run tries again
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    outcome.files = len(copied)
    pkg = model.Package.get(dataset["id"])
    if first:
        note = (
            f"Dimigrasikan dari portal lama {source.label} (nama {dataset['name']}, organisasi "
            f"{outcome.old_org or '-'}, status {state})"
        )
        workflow.adopt_migrated(_context(), pkg.id, published=publish, note=note,
                                published_at=_when(dataset))  # fmt: skip
    save_record(copied, finished=True)  # from now on, an unchanged old dataset is left alone
    quality.check_dataset(pkg.id)  # the copied files: checked (a large one by the jobs queue)
    outcome.new_state = workflow.state_of(model.Package.get(pkg.id))["status"]
    outcome.outcome = CREATED if existing is None else UPDATED
    return outcome


def _purge_half_made(package_id: str) -> None:
    try:
        tk.get_action("dataset_purge")(_context(), {"id": package_id})
    except Exception:  # the next run finds the dataset and updates it
        model.Session.rollback()
        log.exception("Satu Data: could not remove the half-migrated dataset %s", package_id)


def _when(dataset: dict[str, Any]) -> Any:
    """The old dataset's last change (naive UTC), the date it was public there."""
    text = str(dataset.get("metadata_modified") or "")
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(values, default=str))


def _download_files(
    source: Source, mapped: mapping.Mapped, workdir: Path, outcome: Outcome
) -> dict[str, Path]:
    """Download every uploaded file of the old dataset; a file that cannot be had leaves its
    resource a link to the old address, reported."""
    limit = uploader.get_max_resource_size() * 1024**2
    files: dict[str, Path] = {}
    for resource in mapped.resources:
        if resource.get("url_type") != "upload":
            continue
        url = str(resource.get("url") or "")
        try:
            temp = source.fetch(url, limit)
        except resource_files.ResourceUnavailable as error:
            outcome.problems.append(
                f"file of resource {resource['id']} not copied ({error.reason}): kept as a link"
            )
            resource["url_type"] = ""
            continue
        target = workdir / resource["id"]
        shutil.move(str(temp), target)
        files[resource["id"]] = target
    return files


def _filename(resource: dict[str, Any]) -> str:
    name = str(resource.get("url") or "").rsplit("/", 1)[-1].split("?", 1)[0]
    return name or f"{resource['id']}.{str(resource.get('format') or 'bin').lower()}"


def _data_dict(mapped: mapping.Mapped) -> dict[str, Any]:
    data = dict(mapped.dataset)
    resources = []
    for resource in mapped.resources:
        out = {k: v for k, v in resource.items() if k != "datastore_active"}
        if resource.get("url_type") == "upload":
            out["url"] = _filename(resource)
        resources.append(out)
    data["resources"] = resources
    return data


def _save(
    mapped: mapping.Mapped, existing: model.Package | None, files: dict[str, Path], outcome: Outcome
) -> None:
    """Create or update the dataset; a value the portal refuses is set aside (kept unmapped,
    reported) and the dataset tried again, so one bad value never keeps a dataset out."""
    action = "package_update" if existing is not None and existing.state != "deleted" else "package_create"
    for _attempt in range(MAX_ATTEMPTS):
        data = _data_dict(mapped)
        try:
            tk.get_action(action)(_context(), data)
            return
        except tk.ValidationError as error:
            model.Session.rollback()
            if not _set_aside(mapped, error.error_dict, outcome):
                raise DatasetFailed(f"refused: {error.error_dict}") from error
    raise DatasetFailed("refused after setting aside every refused value")


def _set_aside(mapped: mapping.Mapped, errors: dict[str, Any], outcome: Outcome) -> bool:
    """Move the values named by a validation error out of the dataset; False when none could be."""
    moved = False
    for key, messages in errors.items():
        if key == "resources" and isinstance(messages, list):
            for resource, problem in zip(mapped.resources, messages, strict=False):
                if not problem:
                    continue
                if resource.get("format") and "url" in problem:
                    outcome.unmapped[f"resources.{resource['id']}.format"] = resource.pop("format")
                elif resource.get("url_type") == "upload":
                    resource["url_type"] = ""  # a file type the portal does not take: a link
                    outcome.problems.append(
                        f"file of resource {resource['id']} refused ({problem}): kept as a link"
                    )
                else:
                    for sub in problem:
                        if sub in resource and sub not in ("id", "url"):
                            outcome.unmapped[f"resources.{resource['id']}.{sub}"] = resource.pop(sub)
                moved = True
        elif key in mapped.dataset and key not in ("id", "name", "title", "owner_org"):
            outcome.unmapped[key] = mapped.dataset.pop(key)
            outcome.problems.append(f"{key} refused: {messages}")
            moved = True
    return moved


def _store_files(
    mapped: mapping.Mapped, files: dict[str, Path], outcome: Outcome
) -> dict[str, dict[str, Any]]:
    """Store each downloaded file under its resource, through CKAN's resource uploader, and
    read it back: the stored bytes must have the downloaded ones' SHA-256."""
    copied: dict[str, dict[str, Any]] = {}
    for resource in mapped.resources:
        path = files.get(resource["id"])
        if path is None or resource.get("url_type") != "upload":
            continue
        digest = _sha256(path)
        with path.open("rb") as stream:
            upload = FileStorage(stream=stream, filename=_filename(resource))
            stored = {
                "id": resource["id"],
                "url": _filename(resource),
                "url_type": "upload",
                "upload": upload,
            }
            uploader.get_resource_uploader(stored).upload(resource["id"], uploader.get_max_resource_size())
        shown = tk.get_action("resource_show")(_context(), {"id": resource["id"]})
        with resource_files.open_resource(shown, max_bytes=path.stat().st_size + 1) as back:
            if back is None or _sha256(back) != digest:
                raise DatasetFailed(f"the stored file of resource {resource['id']} differs from the old one")
        copied[resource["id"]] = {"sha256": digest, "bytes": path.stat().st_size}
    return copied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024**2), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_datastore(source: Source, mapped: mapping.Mapped, outcome: Outcome) -> None:
    """Copy the old DataStore table of each resource that had one, row for row."""
    if not p.plugin_loaded("datastore"):
        return
    for resource in mapped.resources:
        if not resource.get("datastore_active"):
            continue
        created, copied, total = False, 0, 0
        for fields, records, page_total in source.datastore(resource["id"]):
            total = page_total
            if not created:
                _drop_datastore(resource["id"])  # an earlier run's table is replaced, never appended to
                tk.get_action("datastore_create")(_context(), {
                    "resource_id": resource["id"], "force": True,
                    "fields": [{"id": f["id"], "type": f.get("type") or "text"} for f in fields],
                })  # fmt: skip
                created = True
            if records:
                tk.get_action("datastore_upsert")(_context(), {
                    "resource_id": resource["id"], "force": True, "method": "insert", "records": records,
                })  # fmt: skip
            copied += len(records)
        if created and copied != total:
            outcome.problems.append(
                f"DataStore of resource {resource['id']}: {copied} of {total} rows copied"
            )


def _drop_datastore(resource_id: str) -> None:
    """Delete the DataStore table of ``resource_id`` if one exists: a run that stopped while
    copying it, or an earlier copy of a dataset changed since on the old portal, left it; the
    copy that follows then holds the old portal's rows once, not twice."""
    with contextlib.suppress(tk.ObjectNotFound):
        tk.get_action("datastore_delete")(_context(), {"resource_id": resource_id, "force": True})


def todo(package_id: str) -> dict[str, Any] | None:
    """What a migrated dataset still needs: ``missing`` (the required fields still empty) and
    ``unmapped`` (old values no field took over); None for a dataset made on this portal or one
    that needs nothing more."""
    record = migrated_dataset.get(package_id)
    pkg = model.Package.get(package_id)
    if record is None or pkg is None:
        return None
    missing = workflow.migration_missing(pkg)
    unmapped = record.get("unmapped") or {}
    return {"missing": missing, "unmapped": unmapped} if missing or unmapped else None


def write_report(outcomes: list[Outcome], path: Path) -> None:
    """The report: one CSV row a dataset, for a spreadsheet (:func:`~..lib.text.spreadsheet_csv`)."""
    rows = ([outcome.row().get(column) for column in REPORT_COLUMNS] for outcome in outcomes)
    path.write_text(spreadsheet_csv(list(REPORT_COLUMNS), rows), encoding="utf-8", newline="")
