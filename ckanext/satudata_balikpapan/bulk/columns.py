"""The columns of the "Templat Metadata": one per Satu Data field of the dataset schema.

Pure: built from the (expanded) scheming fields and a way to list a field's choices, so that
the template, the reading of a filled-in sheet and the export share one list. The clerk sees
Indonesian headers (a required field marked ``*``); the second row carries the field keys,
which is what the reader goes by, so a clerk may reorder, hide or translate the headers.

* A field with choices (a vocabulary, a select) gets a dropdown of its Indonesian labels; the
  reader takes a label (Indonesian or English) or the stored value itself.
* ``kode_wilayah`` (several codes) is written as codes separated by commas.
* ``penanggung_jawab`` (a repeating field) is four columns for its first person.
* ``tag_string``: tags separated by commas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Fields the template leaves out: the OPD is the template's own, the Table Schema belongs to a
# file, and these are set by the portal.
LEFT_OUT = frozenset({"owner_org"})
CONTACT = "penanggung_jawab"
CONTACT_PARTS = ("nama", "jabatan", "email", "telepon")
MULTIPLE = frozenset({"kode_wilayah"})


@dataclass(frozen=True)
class Column:
    """One column: the key the reader goes by, its headers, and its choices."""

    key: str  # a dataset field, or "penanggung_jawab.nama" for a part of the first contact
    label: dict[str, str]
    required: bool = False
    choices: tuple[tuple[str, dict[str, str]], ...] = field(default=())  # (value, labels)
    multiple: bool = False
    help: dict[str, str] = field(default_factory=dict)

    def header(self, lang: str = "id") -> str:
        text = self.label.get(lang) or self.label.get("id") or self.key
        return f"{text} *" if self.required else text

    def value_of(self, cell: Any) -> Any:
        """The stored value a cell stands for: a choice's label (either language) or value
        becomes the value; anything else is returned as it is, for the validators to judge."""
        if cell is None:
            return None
        text = str(cell).strip()
        if not text:
            return None
        if self.choices:
            folded = text.casefold()
            for value, labels in self.choices:
                if folded == value.casefold() or folded in {v.casefold() for v in labels.values()}:
                    return value
        if self.multiple:
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        return text

    def cell_of(self, value: Any, lang: str = "id") -> Any:
        """What the template shows for a stored value: a choice by its label, several codes
        joined by commas."""
        if value in (None, "", []):
            return None
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        for choice, labels in self.choices:
            if str(value) == choice:
                return labels.get(lang) or labels.get("id") or choice
        return value


def _labels(raw: Any, fallback: str) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {str(k): str(v) for k, v in raw.items()}
    return {"id": str(raw or fallback)}


def columns(
    fields: Iterable[Mapping[str, Any]],
    choices_of: Callable[[Mapping[str, Any]], list[dict[str, Any]] | None],
) -> list[Column]:
    """The template's columns, in the form's order: ``name`` first (the dataset's URL, which
    says whether a row updates a dataset or makes a new one)."""
    out: list[Column] = []
    for f in fields:
        key = f["field_name"]
        if key in LEFT_OUT:
            continue
        label = _labels(f.get("label"), key)
        required = bool(f.get("required"))
        if key == CONTACT:
            for sub in f.get("repeating_subfields") or []:
                part = sub["field_name"]
                if part in CONTACT_PARTS:
                    sub_label = _labels(sub.get("label"), part)
                    out.append(Column(
                        key=f"{CONTACT}.{part}",
                        label={k: f"{label.get(k, label['id'])}: {text}" for k, text in sub_label.items()},
                        required=required and bool(sub.get("required")),
                    ))  # fmt: skip
            continue
        options = tuple(
            (str(c["value"]), _labels(c.get("label"), str(c["value"]))) for c in (choices_of(f) or [])
        )
        if key == "kode_wilayah":
            options = ()  # several codes: written out, checked by the validators
        out.append(
            Column(
                key=key,
                label=label,
                required=required,
                choices=options,
                multiple=key in MULTIPLE,
                help=_labels(f.get("help_text"), "") if f.get("help_text") else {},
            )
        )
    names = [c for c in out if c.key == "name"]
    return names + [c for c in out if c.key != "name"]


def to_dataset(cols: list[Column], cells: Mapping[str, Any]) -> dict[str, Any]:
    """The dataset fields a sheet row gives (a column left empty gives nothing, so an update
    keeps the dataset's value)."""
    data: dict[str, Any] = {}
    contact: dict[str, Any] = {}
    for col in cols:
        value = col.value_of(cells.get(col.key))
        if value is None:
            continue
        if col.key.startswith(f"{CONTACT}."):
            contact[col.key.split(".", 1)[1]] = value
        else:
            data[col.key] = value
    if contact:
        data[CONTACT] = [contact]
    return data


def to_cells(cols: list[Column], dataset: Mapping[str, Any], lang: str = "id") -> list[Any]:
    """A dataset as a sheet row, in column order."""
    contacts = dataset.get(CONTACT) or []
    first = (
        contacts[0] if isinstance(contacts, list) and contacts and isinstance(contacts[0], Mapping) else {}
    )
    row = []
    for col in cols:
        if col.key.startswith(f"{CONTACT}."):
            row.append(first.get(col.key.split(".", 1)[1]) or None)
        elif col.key == "tag_string":
            tags = [t.get("name") for t in dataset.get("tags") or [] if isinstance(t, Mapping)]
            row.append(", ".join(tags) if tags else dataset.get("tag_string") or None)
        else:
            row.append(col.cell_of(dataset.get(col.key), lang))
    return row
