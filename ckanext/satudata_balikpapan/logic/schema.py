"""Validation schemas (CKAN navl) of the extension's own actions.

Every message names the field it is about ("Nama wajib diisi"), in the user's language
(Bahasa Indonesia by default, English on request), so that an API client and a form both
tell the user exactly what to fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing, StopOnError

from ckanext.satudata_balikpapan.daftar_data import status as daftar_status
from ckanext.satudata_balikpapan.lib.text import clean_text
from ckanext.satudata_balikpapan.registry import opd, vocabularies

Key = tuple[Any, ...]
Validator = Callable[[Key, dict[Key, Any], dict[Key, list[str]], dict[str, Any]], None]

# lengths of the data request fields
MAX_SHORT = 200
MAX_EMAIL = 254
MAX_PURPOSE = 2000
MAX_DESCRIPTION = 4000

EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, Missing) or value == ""


def _fail(key: Key, errors: dict[Key, list[str]], message: str) -> None:
    errors[key].append(message)
    raise StopOnError


def text(label: str) -> Validator:
    """The value must be text (a number is taken as its text); it is cleaned."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        if _empty(value):
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            _fail(key, errors, tk._("{field}: enter text").format(field=label))
        data[key] = clean_text(value)

    return validator


def required(label: str) -> Validator:
    """The value must not be empty."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        if _empty(data.get(key)):
            _fail(key, errors, tk._("{field} is required").format(field=label))

    return validator


def optional(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """An empty optional value is dropped, and validation of the field stops."""
    if _empty(data.get(key)):
        data.pop(key, None)
        raise StopOnError


def max_length(label: str, limit: int) -> Validator:
    """At most ``limit`` characters."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        if isinstance(value, str) and len(value) > limit:
            _fail(
                key,
                errors,
                tk._("{field} is too long: at most {limit} characters (now {length})").format(
                    field=label, limit=limit, length=len(value)
                ),
            )

    return validator


def single_line(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """Short fields are one line: inner line breaks become spaces."""
    value = data.get(key)
    if isinstance(value, str):
        data[key] = " ".join(value.split())


def email(label: str) -> Validator:
    """An e-mail address: one ``@``, a domain with a dot, no blanks."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        if isinstance(value, str) and not EMAIL.match(value):
            _fail(
                key,
                errors,
                tk._('{field}: "{value}" is not an e-mail address (example: nama@contoh.id)').format(
                    field=label, value=value
                ),
            )

    return validator


def region(label: str) -> Validator:
    """A Kemendagri region code of Kota Balikpapan (64.71, a kecamatan or a kelurahan)."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        if isinstance(value, str) and value not in vocabularies.regions():
            _fail(
                key,
                errors,
                tk._(
                    '{field}: "{value}" is not a region of Kota Balikpapan; choose one from the list'
                ).format(field=label, value=value),
            )

    return validator


def organization(label: str) -> Validator:
    """An existing OPD (organisation name or id); stored as the organisation's id."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:

        value = data.get(key)
        group = opd.organization(value)
        if group is None:
            _fail(key, errors, tk._('{field}: "{value}" does not exist').format(field=label, value=value))
        data[key] = group.id

    return validator


def data_request_labels() -> dict[str, str]:
    """The data request form's fields, labelled in the user's language."""
    return {
        "name": tk._("Name"),
        "email": tk._("Email"),
        "institution": tk._("Institution"),
        "purpose": tk._("Purpose of use"),
        "data_description": tk._("Data requested"),
        "period": tk._("Period"),
        "area": tk._("Area"),
        "organization": tk._("OPD holding the data"),
    }


def data_request_schema() -> dict[str, list[Any]]:
    """The schema of ``satudata_request_create``. The honeypot field is checked before it."""
    label = data_request_labels()
    ignore = tk.get_validator("ignore")

    def short(field: str, needed: bool) -> list[Any]:
        check = required(label[field]) if needed else optional
        return [text(label[field]), single_line, check, max_length(label[field], MAX_SHORT)]

    return {
        "name": short("name", True),
        "email": [
            text(label["email"]),
            single_line,
            required(label["email"]),
            max_length(label["email"], MAX_EMAIL),
            email(label["email"]),
        ],
        "institution": short("institution", False),
        "purpose": [
            text(label["purpose"]),
            required(label["purpose"]),
            max_length(label["purpose"], MAX_PURPOSE),
        ],
        "data_description": [
            text(label["data_description"]),
            required(label["data_description"]),
            max_length(label["data_description"], MAX_DESCRIPTION),
        ],
        "period": short("period", False),
        "area": [text(label["area"]), optional, region(label["area"])],
        "organization": [text(label["organization"]), optional, organization(label["organization"])],
        "__extras": [ignore],
        "__junk": [ignore],
    }


# --- the inputs of every other action ------------------------------------------------------------
# Built with CKAN's ``validator_args`` and applied with ``ckan.logic.validate`` before the action
# body runs, so that an action and its auth function only ever see values of the right type.

MAX_INT = 2**31 - 1


def _missing(key: Key, errors: dict[Key, list[str]]) -> None:
    _fail(key, errors, tk._("Missing value"))


MAX_KEY_LENGTH = 200  # CKAN's names are at most 100 characters, ids 36


def lookup_key(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """An id or name to look something up by: text (a number is taken as its text), outer
    blanks stripped, nothing else changed, so that a key with odd characters finds nothing
    (and is reported as not found) instead of being cleaned into another key. Characters
    PostgreSQL cannot hold (NUL, a lone surrogate) are replaced by U+FFFD, which no id or
    name has: the key still finds nothing, and no query fails on it. A key longer than any
    id or name is refused as such."""
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        _fail(key, errors, tk._("{field}: enter text").format(field=key[-1]))
    value = value.strip()
    if len(value) > MAX_KEY_LENGTH:
        _fail(key, errors, tk._("{field}: not an id or a name").format(field=key[-1]))
    data[key] = "".join("\ufffd" if c == "\x00" or "\ud800" <= c <= "\udfff" else c for c in value)


def identifier(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """A required id or name (:func:`lookup_key`); "Missing value" when empty, as CKAN's
    ``get_or_bust`` says."""
    value = data.get(key)
    if _empty(value) or (isinstance(value, str) and not value.strip()):
        _missing(key, errors)
    lookup_key(key, data, errors, context)


def optional_text(label: str) -> list[Validator]:
    """An optional text: dropped when empty, cleaned otherwise."""
    return [optional, text(label)]


def integer(default: int | None = None, minimum: int | None = None, message: str | None = None) -> Validator:
    """A whole number (text of one accepted): ``default`` when empty; below ``minimum`` or not
    a number is refused with ``message`` (default: CKAN's "Please enter an integer value")."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        if _empty(value):
            if default is None:
                data.pop(key, None)
                raise StopOnError
            data[key] = default
            return
        text_value = (
            str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        )
        try:
            number = int(text_value) if text_value is not None else None
        except ValueError:
            number = None
        if number is None or abs(number) > MAX_INT or (minimum is not None and number < minimum):
            refusal = message.format(field=key[-1]) if message else tk._("Please enter an integer value")
            _fail(key, errors, refusal)
        data[key] = number

    return validator


def word_list(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """A list of words: a list, or text separated by commas or blanks; empty: dropped. An
    item that is not text stays in the list as ``"?"``, for the action to refuse by name."""
    value = data.get(key)
    if _empty(value) or value == []:
        data.pop(key, None)
        raise StopOnError
    if isinstance(value, str):
        value = [s for s in value.replace(",", " ").split() if s]
    if not isinstance(value, list):
        value = ["?"]
    data[key] = [s.strip() if isinstance(s, str) else "?" for s in value]


def boolean(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """An optional yes or no (``true``/``false``, ``ya``/``tidak``, ``1``/``0``...)."""
    value = data.get(key)
    if _empty(value):
        data.pop(key, None)
        raise StopOnError
    if isinstance(value, bool):
        return
    word = str(value).strip().lower() if isinstance(value, (str, int)) else ""
    if word in ("true", "1", "yes", "ya", "on"):
        data[key] = True
    elif word in ("false", "0", "no", "tidak", "off"):
        data[key] = False
    else:
        _fail(key, errors, tk._("Please enter true or false"))


def iso_date(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
    """An optional ISO date (``2026-12-04``), kept as text."""
    value = data.get(key)
    if _empty(value):
        data.pop(key, None)
        raise StopOnError
    try:
        dt.date.fromisoformat(str(value) if isinstance(value, str) else "")
    except ValueError:
        shown = value if isinstance(value, (str, int, float)) else ""
        _fail(key, errors, tk._("Invalid date: {value}").format(value=shown))


def _keep_unknown() -> dict[str, list[Any]]:
    ignore = tk.get_validator("ignore")
    return {"__extras": [ignore], "__junk": [ignore]}


@tk.validator_args
def dataset_step_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """A workflow step: the dataset, an optional note, and the reason to publish past warnings."""
    return {
        "id": [identifier],
        "note": [optional, text("note")],
        "override_reason": [optional, text("override_reason")],
        **_keep_unknown(),
    }


@tk.validator_args
def dataset_id_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """An action on one dataset or resource: its ``id``."""
    return {"id": [identifier], **_keep_unknown()}


@tk.validator_args
def review_queue_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_review_queue``: an OPD, states, a minimum waiting time in days, and whether
    to list the datasets migrated from the former portal that await verification."""
    return {
        "owner_org": [optional, lookup_key],
        "state": [word_list],
        "min_age_days": [integer(default=0)],
        "migrated": [boolean],
        **_keep_unknown(),
    }


@tk.validator_args
def metadata_import_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_metadata_import``: the OPD, the uploaded workbook, whether to apply the
    valid rows only."""
    return {
        "organization": [identifier],
        "upload": [ignore_missing],
        "only_valid": [boolean],
        **_keep_unknown(),
    }


@tk.validator_args
def notification_list_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_notification_list``: how many notices, how far back."""
    return {
        "limit": [integer(default=20)],
        "days": [integer(default=30)],
        **_keep_unknown(),
    }


@tk.validator_args
def resource_schema_confirm_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_schema_confirm``: the resource and, optionally, the schema to store (an
    object or its JSON text, checked by the action)."""
    return {"id": [identifier], "schema": [ignore_missing], **_keep_unknown()}


@tk.validator_args
def quality_report_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_quality_report``: the dataset and the day timeliness is judged on."""
    return {"id": [identifier], "date": [iso_date], **_keep_unknown()}


@tk.validator_args
def opd_scorecard_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_opd_scorecard``: an OPD (optional), the variant, the day."""
    return {
        "id": [optional, lookup_key],
        "full": [boolean],
        "date": [iso_date],
        **_keep_unknown(),
    }


@tk.validator_args
def request_key_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """An action on one data request: its reference or id, and the private link's token."""
    return {"id": [identifier], "token": [optional, lookup_key], **_keep_unknown()}


@tk.validator_args
def request_list_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_request_list``: states, an OPD, paging."""
    whole = tk._("{field}: enter a whole number of 0 or more")
    return {
        "state": [word_list],
        "organization": [optional, lookup_key],
        "limit": [integer(default=20, minimum=0, message=whole)],
        "offset": [integer(default=0, minimum=0, message=whole)],
        **_keep_unknown(),
    }


@tk.validator_args
def request_assign_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_request_assign``: the request, the OPD, an optional note."""
    return {
        "id": [identifier],
        "organization": [optional, lookup_key],
        "note": [optional, text("note")],
        **_keep_unknown(),
    }


@tk.validator_args
def request_state_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_request_update_state``: the request, the new state, a reason, a dataset."""
    return {
        "id": [identifier],
        "state": [optional, lookup_key],
        "reason": [optional, text("reason")],
        "dataset": [optional, lookup_key],
        **_keep_unknown(),
    }


# --- Daftar Data ---------------------------------------------------------------------------------

MAX_TITLE = 300
MAX_STANDARD_TEXT = 4000
YEARS = (2000, 2100)  # a Daftar Data year outside these is a typing error


def daftar_data_labels() -> dict[str, str]:
    """The Daftar Data item's fields, labelled in the user's language."""
    return {
        "year": tk._("Year"),
        "organization": tk._("OPD"),
        "title": tk._("Title"),
        "prioritas": tk._("Priority data"),
        "kriteria_prioritas": tk._("Priority criterion"),
        "sektor_kegiatan": tk._("Sector"),
        "frekuensi": tk._("Release frequency"),
        "jadwal_rilis": tk._("Release date"),
        "konsep": tk._("Concept"),
        "definisi": tk._("Definition"),
        "satuan": tk._("Unit"),
        "kodereferensi": tk._("Reference code"),
        "catatan": tk._("Note"),
    }


def year(label: str) -> Validator:
    """A year between 2000 and 2100 (text of one accepted)."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        text_value = (
            str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        )
        if not (text_value.isascii() and text_value.isdigit() and YEARS[0] <= int(text_value) <= YEARS[1]):
            shown = value if isinstance(value, (str, int, float)) else ""
            _fail(
                key,
                errors,
                tk._('{field}: "{value}" is not a year between {low} and {high}').format(
                    field=label, value=str(shown)[:20], low=YEARS[0], high=YEARS[1]
                ),
            )
        data[key] = int(text_value)

    return validator


def one_of(label: str, choices: Callable[[], list[str]]) -> Validator:
    """One of ``choices()`` (the codes of a vocabulary)."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        allowed = choices()
        if value not in allowed:
            _fail(
                key,
                errors,
                tk._('{field}: "{value}" is not one of the choices ({allowed})').format(
                    field=label, value=str(value)[:100], allowed=", ".join(allowed)
                ),
            )

    return validator


def date_value(label: str) -> Validator:
    """A date written as ``2026-06-30``; kept as text."""

    def validator(key: Key, data: dict[Key, Any], errors: dict[Key, list[str]], context: Any) -> None:
        value = data.get(key)
        try:
            dt.date.fromisoformat(value if isinstance(value, str) and len(value) == 10 else "")
        except ValueError:
            shown = value if isinstance(value, (str, int, float)) else ""
            _fail(
                key,
                errors,
                tk._('{field}: "{value}" is not a date; write it as 2026-06-30').format(
                    field=label, value=str(shown)[:30]
                ),
            )

    return validator


def daftar_data_item_schema(partial: bool = False) -> dict[str, list[Any]]:
    """A Daftar Data item: ``satudata_daftar_data_create`` (``partial`` False: the year, the
    OPD and the title are required) and ``satudata_daftar_data_update`` (only what is given)."""
    label = daftar_data_labels()
    ignore = tk.get_validator("ignore")

    def needed(field: str) -> list[Any]:
        return [optional] if partial else [required(label[field])]

    def long_text(field: str) -> list[Any]:
        return [text(label[field]), optional, max_length(label[field], MAX_STANDARD_TEXT)]

    criteria = lambda: [c.code for c in daftar_status.rules().criteria]  # noqa: E731
    return {
        "year": [*needed("year"), year(label["year"])],
        "organization": [
            text(label["organization"]),
            *needed("organization"),
            organization(label["organization"]),
        ],
        "title": [
            text(label["title"]),
            single_line,
            *needed("title"),
            max_length(label["title"], MAX_TITLE),
        ],
        "prioritas": [boolean],
        "kriteria_prioritas": [
            text(label["kriteria_prioritas"]),
            optional,
            one_of(label["kriteria_prioritas"], criteria),
        ],
        "sektor_kegiatan": [
            text(label["sektor_kegiatan"]),
            optional,
            one_of(label["sektor_kegiatan"], lambda: vocabularies.vocabulary("sektor").codes()),
        ],
        "frekuensi": [
            text(label["frekuensi"]),
            optional,
            one_of(label["frekuensi"], lambda: vocabularies.vocabulary("frekuensi").codes()),
        ],
        "jadwal_rilis": [text(label["jadwal_rilis"]), optional, date_value(label["jadwal_rilis"])],
        "konsep": long_text("konsep"),
        "definisi": long_text("definisi"),
        "satuan": [
            text(label["satuan"]),
            optional,
            one_of(label["satuan"], lambda: vocabularies.vocabulary("satuan").codes()),
        ],
        "kodereferensi": [
            text(label["kodereferensi"]),
            single_line,
            optional,
            max_length(label["kodereferensi"], MAX_SHORT),
        ],
        "catatan": long_text("catatan"),
        "__extras": [ignore],
        "__junk": [ignore],
    }


@tk.validator_args
def daftar_data_key_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """An action on one Daftar Data item: its ``id``."""
    return {"id": [identifier], **_keep_unknown()}


@tk.validator_args
def daftar_data_list_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_daftar_data_list``: a year, an OPD, Data Prioritas only, a sector, statuses."""
    label = daftar_data_labels()
    return {
        "year": [optional, year(label["year"])],
        "organization": [optional, lookup_key, organization(label["organization"])],
        "prioritas": [boolean],
        "sektor_kegiatan": [optional, lookup_key],
        "status": [word_list],
        **_keep_unknown(),
    }


@tk.validator_args
def daftar_data_import_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_daftar_data_import``: the year and the uploaded workbook."""
    label = daftar_data_labels()
    return {
        "year": [required(label["year"]), year(label["year"])],
        "upload": [ignore_missing],
        **_keep_unknown(),
    }


@tk.validator_args
def epss_evidence_schema(ignore_missing: Validator) -> dict[str, list[Any]]:
    """``satudata_epss_evidence``: the OPD and the year."""
    label = daftar_data_labels()
    return {
        "id": [identifier],
        "year": [optional, year(label["year"])],
        **_keep_unknown(),
    }
