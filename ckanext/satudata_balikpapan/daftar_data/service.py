"""Daftar Data: what each OPD owes in a year, entered by the walidata, fulfilled by datasets.

The walidata enters the items the Forum Satu Data agreed (form, API or the Forum's workbook);
a produsen links a dataset to its OPD's item through the dataset's ``daftar_data`` field; the
item's status is derived (:mod:`.status`) from the linked datasets' workflow states and the
planned release date. This module owns the rules of an item (one title per OPD and year, a
release date within the year or the next, an item a dataset fulfils belongs to the dataset's
OPD) and what each reader sees: the plan is public, and so are the status and the counts, but a
linked dataset is named only to a user who may read it (the public never learns the title of
an unpublished draft).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.lib import clock
from ckanext.satudata_balikpapan.model import daftar_data as db
from ckanext.satudata_balikpapan.registry import opd, roles, vocabularies
from ckanext.satudata_balikpapan.workflow import service as workflow

# The dataset field that names the item a dataset fulfils (schemas/dataset.yaml).
FIELD = "daftar_data"

# The item's own fields, as the API, the form and the workbook name them.
FIELDS = (
    "year", "organization", "title", "prioritas", "kriteria_prioritas", "sektor_kegiatan",
    "frekuensi", "jadwal_rilis", "konsep", "definisi", "satuan", "kodereferensi", "catatan",
)  # fmt: skip
TEXT_FIELDS = ("konsep", "definisi", "satuan", "kodereferensi", "catatan")


class ItemError(tk.ValidationError):
    """An item that breaks a rule of the plan, with the field it is about."""


def find(item_id: Any) -> dict[str, Any] | None:
    """An item, or None for a key that is none."""
    return db.get_item(item_id) if isinstance(item_id, str) and item_id else None


def get(item_id: Any, for_update: bool = False) -> dict[str, Any]:
    """An item; ``ObjectNotFound`` (a 404 with a message) for a key that is none."""
    row = db.get_item(item_id, for_update=for_update) if isinstance(item_id, str) else None
    if row is None:
        raise tk.ObjectNotFound(tk._("Daftar Data item not found"))
    return row


def _check(values: dict[str, Any], except_id: str | None = None) -> None:
    """The rules across fields: a release date within the item's year or the next (an item
    of the 2026 list released in 2031 is a typing error), one title per OPD and year."""
    planned = values.get("jadwal_rilis")
    if planned is not None and not values["year"] <= planned.year <= values["year"] + 1:
        raise ItemError(
            {
                "jadwal_rilis": [
                    tk._("Release date {date} is outside the list's year {year} and the next").format(
                        date=planned.isoformat(), year=values["year"]
                    )
                ]
            }
        )
    if db.same_title(values["year"], values["organization_id"], values["title"], except_id):
        raise ItemError(
            {
                "title": [
                    tk._('The OPD already has an item "{title}" in the Daftar Data {year}').format(
                        title=values["title"], year=values["year"]
                    )
                ]
            }
        )


def _row_values(data: dict[str, Any]) -> dict[str, Any]:
    """The table's columns from validated input."""
    values = {k: data[k] for k in FIELDS if k in data and k != "organization"}
    if "organization" in data:
        values["organization_id"] = data["organization"]
    if "jadwal_rilis" in values and isinstance(values["jadwal_rilis"], str):
        values["jadwal_rilis"] = dt.date.fromisoformat(values["jadwal_rilis"])
    return values


def create(context: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """Store a new item (validated ``data``); all or nothing."""
    values = _row_values(data)
    values.setdefault("prioritas", False)
    actor = roles.actor(context)
    try:
        _check(values)
        row = db.insert_item(created_by=actor.name if actor else None, **values)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return row


# The fields an update may clear (given empty); the others are required or have a default.
CLEARABLE = ("kriteria_prioritas", "sektor_kegiatan", "frekuensi", "jadwal_rilis", *TEXT_FIELDS)


def update(
    context: dict[str, Any], item_id: str, data: dict[str, Any], cleared: Iterable[str] = ()
) -> dict[str, Any]:
    """Change the given fields of an item (the others stay) and clear the ``cleared`` ones
    (given empty); all or nothing. An item that datasets fulfil keeps its OPD and year: the
    datasets were linked to that promise."""
    try:
        current = get(item_id, for_update=True)
        values = _row_values(data)
        values.update({k: None for k in cleared if k in CLEARABLE})
        moved = {k for k in ("organization_id", "year") if k in values and values[k] != current[k]}
        if moved and db.has_links(item_id):
            field = "organization" if "organization_id" in moved else "year"
            raise ItemError(
                {field: [tk._("Datasets fulfil this item: its OPD and year cannot change; unlink them")]}
            )
        merged = {**current, **values}
        _check(merged, except_id=item_id)
        changed = {k: merged[k] for k in current if k in merged and merged[k] != current[k]}
        changed.pop("id", None)
        if changed:
            db.update_item(item_id, **changed)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return get(item_id)


def items_of_year(year: int) -> list[dict[str, Any]]:
    """Every item of ``year``, by OPD, planned date and title."""
    return db.list_items(year=year)


def existing_id(year: int, organization_id: str, title: str) -> str | None:
    """The item of this title (ignoring case) an OPD already has in ``year``, if any."""
    found = [
        i["id"]
        for i in db.list_items(year=year, organization_ids=[organization_id])
        if i["title"].lower() == title.lower()
    ]
    return found[0] if found else None


def check_item(data: dict[str, Any], except_id: str | None = None) -> list[tuple[str, str]]:
    """The rules ``data`` (validated input of a whole item) breaks, as ``(field, message)``:
    what :func:`create` and :func:`update` would refuse, told without raising (the workbook
    import reports every row's problems at once)."""
    try:
        _check(_row_values(data), except_id=except_id)
    except ItemError as error:
        return [(k, str(m)) for k, ms in error.error_dict.items() for m in ms]
    return []


def save_many(context: dict[str, Any], rows: Iterable[tuple[str | None, dict[str, Any]]]) -> None:
    """Create (id None) or update (the item's id) each of ``rows`` (validated input of whole
    items) in one transaction: the Forum's workbook lands whole or not at all."""
    actor = roles.actor(context)
    try:
        for item_id, data in rows:
            values = _row_values(data)
            if item_id is None:
                values.setdefault("prioritas", False)
                _check(values)
                db.insert_item(created_by=actor.name if actor else None, **values)
            else:
                current = get(item_id, for_update=True)
                _check({**current, **values}, except_id=item_id)
                db.update_item(item_id, **values)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise


def delete(item_id: str) -> None:
    """Remove an item no dataset fulfils (a fulfilled item is history: the EPSS evidence
    counts it); all or nothing."""
    try:
        get(item_id, for_update=True)
        if db.has_links(item_id):
            raise ItemError({"id": [tk._("Datasets fulfil this item: unlink them before deleting it")]})
        db.delete_item(item_id)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise


# --- the link from a dataset ------------------------------------------------------------------


def item_for_dataset(item_id: Any, owner_org: Any) -> tuple[dict[str, Any] | None, str | None]:
    """The item a dataset of ``owner_org`` may name, or why not (a translated message)."""
    row = db.get_item(item_id) if isinstance(item_id, str) else None
    if row is None:
        return None, tk._('Daftar Data item "{value}" does not exist').format(value=str(item_id)[:100])
    group = opd.organization(owner_org) if isinstance(owner_org, str) else None
    if group is None or group.id != row["organization_id"]:
        owner = opd.organization(row["organization_id"])
        return None, tk._(
            'The Daftar Data item "{title}" belongs to {opd}: choose an item of the dataset\'s OPD'
        ).format(title=row["title"], opd=owner.display_name if owner else row["organization_id"])
    return row, None


def sync_link(package_id: str) -> None:
    """Write which item the dataset names (its ``daftar_data`` field) to the link table, in
    the dataset's own transaction (called from the dataset's create and update, before CKAN
    commits), so that the link and the dataset land together or not at all."""
    pkg = model.Package.get(package_id)
    if pkg is None:
        return
    value = (pkg.extras or {}).get(FIELD) or None
    db.link(pkg.id, value if value and db.get_item(value) else None)


# --- what readers see ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """An item with its progress and the datasets that fulfil it."""

    item: dict[str, Any]
    progress: status.Progress
    datasets: list[model.Package]


def entries(items: list[dict[str, Any]], today: dt.date | None = None) -> list[Entry]:
    """Each item with its derived progress (three queries for any number of items)."""
    today = today or clock.today()
    links = db.linked_datasets([i["id"] for i in items])
    pkgs = {
        p.id: p
        for p in model.Session.query(model.Package).filter(
            model.Package.id.in_([pid for ids in links.values() for pid in ids])
        )
    }
    states = workflow.states_of(list(pkgs.values()))
    out = []
    for item in items:
        linked_pkgs = [pkgs[pid] for pid in links.get(item["id"], []) if pid in pkgs]
        linked = [_linked(p, states[p.id]) for p in linked_pkgs]
        out.append(Entry(item, status.derive(item.get("jadwal_rilis"), linked, today), linked_pkgs))
    return out


def _linked(pkg: model.Package, state: dict[str, Any]) -> status.Linked:
    public = bool(state.get("published")) and pkg.state == "active" and not pkg.private
    first = state.get("first_published")
    return status.Linked(state["status"], public, clock.local(first).date() if first else None)


def _label(code: str | None, lang: str) -> str | None:
    label = status.rules().label(code) if code else None
    return label.text(lang) if label else code


def _vocab_text(name: str, code: str | None, lang: str) -> str | None:
    term = vocabularies.vocabulary(name).get(code) if code else None
    return term.text(lang) if term else code


def _org(org_id: str) -> dict[str, Any]:
    """An OPD as the views show it (a retired one by its id)."""
    org = opd.organization(org_id)
    return {"id": org_id, "name": org.name if org else None, "title": org.display_name if org else org_id}


def view(entry: Entry, user: Any, lang: str = "id") -> dict[str, Any]:
    """What the API and the page show of an item: the plan, the derived status and progress,
    and the datasets ``user`` may read (the others are counted, never named)."""
    item, progress = entry.item, entry.progress
    readable = [p for p in entry.datasets if roles.may_read(user, p)]
    planned = item.get("jadwal_rilis")
    return {
        "id": item["id"],
        "year": item["year"],
        "organization": _org(item["organization_id"]),
        "title": item["title"],
        "prioritas": bool(item["prioritas"]),
        "kriteria_prioritas": item.get("kriteria_prioritas"),
        "kriteria_prioritas_label": _label(item.get("kriteria_prioritas"), lang),
        "sektor_kegiatan": item.get("sektor_kegiatan"),
        "sektor_kegiatan_label": _vocab_text("sektor", item.get("sektor_kegiatan"), lang),
        "frekuensi": item.get("frekuensi"),
        "frekuensi_label": _vocab_text("frekuensi", item.get("frekuensi"), lang),
        "jadwal_rilis": planned.isoformat() if planned else None,
        **{k: item.get(k) for k in TEXT_FIELDS},
        "status": progress.status,
        "status_label": _label(progress.status, lang),
        "stage": progress.stage,
        "stage_label": _label(progress.stage, lang),
        "published_on": progress.published_on.isoformat() if progress.published_on else None,
        "on_time": progress.on_time,
        "late": progress.late,
        "datasets": [{"id": p.id, "name": p.name, "title": p.title} for p in readable],
        "datasets_count": len(entry.datasets),
    }


def summary(entries_: Iterable[Entry]) -> dict[str, Any]:
    """Counts per OPD and in total: items promised, published, published on time, late now
    or published late, and the shares (None when there is nothing to divide by).

    ``fulfilment`` = published / promised; ``on_time_share`` = published on time / published
    with a planned date. Both are what the public page charts and the EPSS evidence cites."""
    per_org: dict[str, dict[str, Any]] = {}
    total = _counts()
    for entry in entries_:
        org_id = entry.item["organization_id"]
        counts = per_org.setdefault(org_id, _counts())
        for c in (counts, total):
            _add(c, entry)
    rows = []
    for org_id, counts in per_org.items():
        rows.append({"organization": _org(org_id), **_shares(counts)})
    rows.sort(key=lambda r: (r["organization"]["title"] or "").lower())
    return {"organizations": rows, "total": _shares(total)}


def year_counts(year: int, today: dt.date | None = None) -> dict[str, Any]:
    """The Daftar Data counts of ``year`` (:func:`summary`) by OPD id and in total, for the
    scorecards and the quality dashboard."""
    found = summary(entries(items_of_year(year), today))
    by_org = {r["organization"]["id"]: {k: v for k, v in r.items() if k != "organization"}
              for r in found["organizations"]}  # fmt: skip
    return {"year": year, "total": found["total"], "by_organization": by_org}


def _counts() -> dict[str, int]:
    return {"promised": 0, "prioritas": 0, "published": 0, "on_time": 0, "dated_published": 0, "late": 0}


def _add(counts: dict[str, int], entry: Entry) -> None:
    p = entry.progress
    counts["promised"] += 1
    counts["prioritas"] += bool(entry.item["prioritas"])
    counts["published"] += p.status == status.TERBIT
    counts["dated_published"] += p.on_time is not None
    counts["on_time"] += p.on_time is True
    counts["late"] += p.late


def _shares(counts: dict[str, int]) -> dict[str, Any]:
    def share(part: int, whole: int) -> float | None:
        return round(100.0 * part / whole, 1) if whole else None

    return {
        **counts,
        "fulfilment": share(counts["published"], counts["promised"]),
        "on_time_share": share(counts["on_time"], counts["dated_published"]),
    }


def item_label(item: dict[str, Any]) -> str:
    """How a form names an item: "2026 · Dinas Kesehatan · Jumlah Kasus DBD"."""
    org = opd.organization(item["organization_id"])
    return f"{item['year']} · {org.display_name if org else item['organization_id']} · {item['title']}"


# The dataset fields an item fills in a new dataset started from it, by the item's column.
PREFILL = {
    "title": "title",
    "organization_id": "owner_org",
    "sektor_kegiatan": "sektor_kegiatan",
    "frekuensi": "frekuensi",
    "konsep": "konsep",
    "definisi": "definisi",
    "satuan": "satuan",
    "kodereferensi": "kodereferensi",
}


def prefill(item_id: Any, user: Any) -> dict[str, Any]:
    """The fields a new dataset takes from the item ``item_id`` (its title, OPD, sector,
    frequency and standar data, and the link itself), if ``user`` may link a dataset to it;
    nothing otherwise. What the item does not know stays empty for the clerk to fill."""
    if not isinstance(item_id, str) or not item_id:
        return {}
    item = next((i for i in open_items_for(user) if i["id"] == item_id), None)
    if item is None:
        return {}
    out = {field: item[column] for column, field in PREFILL.items() if item.get(column)}
    out[FIELD] = item["id"]
    return out


def open_items_for(user: Any, year: int | None = None) -> list[dict[str, Any]]:
    """The items a produsen may link a dataset to: those of the OPDs ``user`` edits (every
    OPD for the walidata and sysadmins), of this year and the last, not yet published first."""
    obj = roles.user_obj(user)
    if obj is None:
        return []
    year = year or clock.today().year
    org_ids = None
    if not roles.is_reviewer(obj):
        editable = tk.get_action("organization_list_for_user")(
            {"ignore_auth": True, "user": obj.name}, {"id": obj.id, "permission": "create_dataset"}
        )
        org_ids = [o["id"] for o in editable]
        if not org_ids:
            return []
    items = [i for y in (year, year - 1) for i in db.list_items(year=y, organization_ids=org_ids)]
    found = entries(items)
    found.sort(key=lambda e: (e.progress.status == status.TERBIT, -e.item["year"], e.item["title"].lower()))
    return [e.item for e in found]
