"""Validation schemas (CKAN navl) of the extension's own actions.

Every message names the field it is about ("Nama wajib diisi"), in the user's language
(Bahasa Indonesia by default, English on request), so that an API client and a form both
tell the user exactly what to fix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.navl.dictization_functions import Missing, StopOnError

Key = tuple[Any, ...]
Validator = Callable[[Key, dict[Key, Any], dict[Key, list[str]], dict[str, Any]], None]

# lengths of the data request fields
MAX_SHORT = 200
MAX_EMAIL = 254
MAX_PURPOSE = 2000
MAX_DESCRIPTION = 4000

EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def clean_text(value: str) -> str:
    """Text as stored: Unicode NFC, Windows line ends made plain, control characters (NUL
    included, which PostgreSQL refuses) removed except tab and new line, outer blanks
    stripped."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\t\n" or unicodedata.category(c) != "Cc")
    return value.strip()


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
    from ckanext.satudata_balikpapan import vocabularies

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
        from ckanext.satudata_balikpapan import requests

        value = data.get(key)
        group = requests.organization(value)
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
