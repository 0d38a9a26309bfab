"""Validators of the Satu Data schema (registered by ``tk.blanket.validators``).

The first layer of the city's accuracy rule: besides required fields and choices, region codes
must exist under 64.71 and agree with the level of presentation, years must be plausible,
a survey needs its Romantik recommendation, the urusan must be one the producing OPD holds,
and the unit must fit the measure. Every message names what is wrong and is translated
(Bahasa Indonesia by default, English on request).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from ckan import model
from ckan.lib.navl.dictization_functions import Missing, StopOnError
from ckanext.scheming.validation import scheming_validator

from ckanext.satudata_balikpapan.daftar_data import service as daftar_data
from ckanext.satudata_balikpapan.lib import language
from ckanext.satudata_balikpapan.model import migrated_dataset
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.quality.engine import tableschema
from ckanext.satudata_balikpapan.registry import roles
from ckanext.satudata_balikpapan.registry import vocabularies as voc

__all__ = [
    "satudata_contact_required",
    "satudata_daftar_data_item",
    "satudata_incomplete_if_migrated",
    "satudata_indah_id",
    "satudata_legal_basis_required",
    "satudata_other_specified",
    "satudata_period_end",
    "satudata_phone",
    "satudata_priority_year",
    "satudata_region_codes",
    "satudata_rekomendasi_required",
    "satudata_required_for_survey",
    "satudata_required_if",
    "satudata_resource_period",
    "satudata_satuan_fits",
    "satudata_table_schema",
    "satudata_upload_type",
    "satudata_urusan_of_opd",
    "satudata_vocabulary",
    "satudata_year",
    "user_password_validator",
]

MIN_YEAR = 1900
Key = tuple[Any, ...]
Data = dict[Key, Any]
Errors = dict[Key, list[str]]


def _today() -> dt.date:
    return dt.date.today()


def _empty(value: Any) -> bool:
    return value is None or isinstance(value, Missing) or value == "" or value == []


def _sibling(key: Key, data: Data, name: str) -> Any:
    """The value of field ``name`` next to ``key`` (same nesting level)."""
    value = data.get((*key[:-1], name))
    return None if isinstance(value, Missing) else value


def _fail(key: Key, errors: Errors, message: str) -> None:
    errors[key].append(message)
    raise StopOnError


def _drop_if_empty(key: Key, data: Data) -> None:
    """Like ``ignore_missing``: an empty optional value is removed and validation stops."""
    if _empty(data.get(key)):
        data.pop(key, None)
        raise StopOnError


# --- choices -------------------------------------------------------------------------------


@scheming_validator
def satudata_vocabulary(field: dict[str, Any], schema: dict[str, Any]):
    """The value must be a code of the field's ``vocabulary`` (or of its static ``choices``);
    ``allow_other: true`` also accepts "lainnya" (other, specify)."""
    if "vocabulary" in field:
        vocab = voc.vocabulary(field["vocabulary"])
        allowed = vocab.codes()
    else:
        allowed = [str(c["value"]) for c in field.get("choices", [])]
    if field.get("allow_other"):
        allowed = [*allowed, voc.OTHER]

    def validator(value: Any) -> Any:
        if _empty(value):
            return value
        value = str(value).strip()
        if value not in allowed:
            if len(allowed) <= 12:
                raise tk.Invalid(
                    tk._('"{value}" is not an allowed value; choose one of: {allowed}').format(
                        value=value, allowed=", ".join(allowed)
                    )
                )
            raise tk.Invalid(
                tk._('"{value}" is not an allowed value; choose one from the list').format(value=value)
            )
        return value

    return validator


# --- years and periods ---------------------------------------------------------------------


def _year(value: Any, latest: int) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise tk.Invalid(
            tk._("Enter a year of four digits, e.g. {example}").format(example=_today().year - 1)
        )
    year = int(text)
    if year > latest:
        raise tk.Invalid(
            tk._("Year {year} is in the future; the latest allowed is {latest}").format(
                year=year, latest=latest
            )
        )
    if year < MIN_YEAR:
        raise tk.Invalid(
            tk._("Year {year} is too early; the earliest allowed is {earliest}").format(
                year=year, earliest=MIN_YEAR
            )
        )
    return year


def satudata_year(value: Any) -> Any:
    """A reference-period year: four digits, not before 1900 and not in the future."""
    if _empty(value):
        return value
    return str(_year(value, _today().year))


def satudata_priority_year(value: Any) -> Any:
    """A Data Prioritas year: may be next year (the Forum lists next year's priority data)."""
    if _empty(value):
        return value
    return str(_year(value, _today().year + 1))


def satudata_period_end(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The last year of the reference period must not come before the first."""
    start, end = _sibling(key, data, "periode_awal"), data.get(key)
    if _empty(start) or _empty(end):
        return
    try:
        if int(end) < int(start):
            errors[key].append(
                tk._("The last year ({end}) is before the first year ({start})").format(end=end, start=start)
            )
    except (TypeError, ValueError):
        return  # the year validators report malformed years


PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


def satudata_resource_period(value: Any) -> Any:
    """A resource's period: a year (2025), a month (2025-03) or a quarter (2025-Q1), not
    beginning in the future."""
    if _empty(value):
        return value
    text = str(value).strip().upper()
    m = PERIOD.match(text)
    if not m:
        raise tk.Invalid(
            tk._(
                '"{value}" is not a period; write a year (2025), a month (2025-03) or a quarter (2025-Q1)'
            ).format(value=value)
        )
    year = _year(m.group(1), _today().year)
    month = int(m.group(2)) if m.group(2) else (int(m.group(3)) - 1) * 3 + 1 if m.group(3) else 1
    if dt.date(year, month, 1) > _today():
        raise tk.Invalid(tk._("Period {period} has not begun yet").format(period=text))
    return text


def satudata_table_schema(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """A resource's Table Schema (after ``scheming_valid_json_object``): every problem is
    named, in the user's language (see ``quality.tableschema.validate_schema``). The portal's
    draft flag ``"satudata:draft"`` is allowed."""
    value = data.get(key)
    if _empty(value):
        return
    try:
        descriptor = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return  # scheming_valid_json_object has reported it
    if not isinstance(descriptor, dict):
        return

    problems = tableschema.validate_schema(service.without_draft(descriptor), language.ui_lang())
    if problems:
        errors[key].extend(problems)
        raise StopOnError


# --- region codes --------------------------------------------------------------------------

LEVEL_RANK = {"kota": 0, "kecamatan": 1, "kelurahan": 2}


def _code_list(value: Any) -> list[str]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                value = [text]
        else:
            value = re.split(r"[\s,;]+", text)
    codes: list[str] = []
    for code in value or []:
        code = str(code).strip()
        if code and code not in codes:
            codes.append(code)
    return codes


def satudata_region_codes(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """Cakupan wilayah: Kemendagri codes that exist under 64.71 and are not finer than the
    tingkat penyajian. Accepts a list, a JSON list or a comma/space separated string; stores
    the JSON list, as scheming's multiple_select does."""
    codes = _code_list(data.get(key))
    if not codes:
        return
    regions = voc.regions()
    tingkat = _sibling(key, data, "tingkat_penyajian")
    problems = []
    for code in codes:
        if voc.region_level(code) is None:
            problems.append(
                tk._(
                    '"{code}" is not a region code of Kota Balikpapan; use 64.71, 64.71.NN or 64.71.NN.NNNN'
                ).format(code=code)
            )
        elif code not in regions:
            problems.append(tk._("Region code {code} does not exist in Kota Balikpapan").format(code=code))
        elif tingkat in LEVEL_RANK and LEVEL_RANK[regions[code].level] > LEVEL_RANK[tingkat]:
            problems.append(
                tk._(
                    'Region {code} ({name}) is a {level}, finer than the level of presentation "{tingkat}"'
                ).format(code=code, name=regions[code].name, level=regions[code].level, tingkat=tingkat)
            )
    if tingkat == "kota" and not problems and codes != [voc.KOTA_CODE]:
        problems.append(tk._("Data presented for the whole city cover region 64.71 only").format())
    if problems:
        errors[key].extend(problems)
        raise StopOnError
    data[key] = json.dumps(codes)


# --- conditional requirements --------------------------------------------------------------


def _required_when(key: Key, data: Data, errors: Errors, condition: bool, message: str) -> None:
    if condition and _empty(data.get(key)):
        _fail(key, errors, message)
    _drop_if_empty(key, data)


def _field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    fields = schema.get("dataset_fields", []) + schema.get("resource_fields", [])
    return next((f for f in fields if f.get("field_name") == name), {"field_name": name})


def _choice_label(field: dict[str, Any], value: str) -> str:
    for choice in field.get("choices", []):
        if str(choice.get("value")) == value:
            return language.text_of(choice.get("label"))
    if "vocabulary" in field:
        term = voc.vocabulary(field["vocabulary"]).get(value)
        if term:
            return term.text(language.current())
    return value


def satudata_other_specified(select_field: str):
    """Required when ``select_field`` is "lainnya" (other, specify)."""

    @scheming_validator
    def factory(field: dict[str, Any], schema: dict[str, Any]):
        other = _field(schema, select_field)

        def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
            chosen = _sibling(key, data, select_field)
            _required_when(
                key,
                data,
                errors,
                chosen == voc.OTHER,
                tk._('Required when "{field}" is "Lainnya" (other): name it here').format(
                    field=language.text_of(other.get("label", select_field))
                ),
            )

        return validator

    return factory


def satudata_required_if(other_field: str, other_value: str):
    """Required when ``other_field`` has ``other_value``."""

    @scheming_validator
    def factory(field: dict[str, Any], schema: dict[str, Any]):
        other = _field(schema, other_field)

        def validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
            _required_when(
                key,
                data,
                errors,
                _sibling(key, data, other_field) == other_value,
                tk._('Required when "{field}" is "{value}"').format(
                    field=language.text_of(other.get("label", other_field)),
                    value=_choice_label(other, other_value),
                ),
            )

        return validator

    return factory


def _is_survey(key: Key, data: Data) -> bool:
    """Whether the dataset's collection method (``cara_pengumpulan_data``) is one that BPS
    treats as a survey (``requires_rekomendasi`` in its vocabulary): the one home of that rule."""
    method = voc.vocabulary("cara_pengumpulan").get(str(_sibling(key, data, "cara_pengumpulan_data") or ""))
    return bool(method and method.get("requires_rekomendasi"))


def satudata_rekomendasi_required(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """A survey (statistik sektoral) needs the BPS recommendation id from Romantik."""
    _required_when(
        key,
        data,
        errors,
        _is_survey(key, data),
        tk._("A survey needs the number of its BPS statistical activity recommendation (Romantik)"),
    )


def satudata_required_for_survey(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """An MS-Keg section (background, objectives, collection technique and unit, analysis) is
    optional, but a survey must describe it: BPS reviews a survey's design from these blocks
    of its MS-Keg before it recommends it, and the national portal reads them."""
    _required_when(key, data, errors, _is_survey(key, data), tk._("Required for a survey"))


def satudata_legal_basis_required(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """Restricted or closed access needs its legal basis."""
    level = voc.vocabulary("akses").get(str(_sibling(key, data, "accesslevel") or ""))
    _required_when(
        key,
        data,
        errors,
        bool(level and level.get("requires_legal_basis")),
        tk._("Restricted or closed access needs its legal basis"),
    )


# --- standar data, OPD ---------------------------------------------------------------------


def satudata_satuan_fits(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The unit (satuan) must fit the measure (ukuran) where the pick-list says so."""
    satuan, ukuran = data.get(key), _sibling(key, data, "ukuran")
    if _empty(satuan) or _empty(ukuran) or voc.satuan_fits(str(ukuran), str(satuan)):
        return
    term = voc.vocabulary("satuan").get(str(satuan))
    fits = ", ".join(term["fits"]) if term else ""
    errors[key].append(
        tk._('Unit "{satuan}" does not fit measure "{ukuran}"; it fits: {fits}').format(
            satuan=satuan, ukuran=ukuran, fits=fits
        )
    )


def _org_urusan(owner_org: str) -> tuple[str, list[str]] | None:

    group = model.Group.get(owner_org)
    if group is None:
        return None
    raw = group.extras.get("urusan") if hasattr(group, "extras") else None
    if not raw:
        return None
    try:
        held = json.loads(raw) if isinstance(raw, str) else list(raw)
    except ValueError:
        held = [raw]
    return group.title or group.name, [str(u) for u in held]


def satudata_urusan_of_opd(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The urusan must be one the producing OPD holds (from its organisation record, which
    ``opd sync`` fills from the registry). An OPD with no urusan recorded is not checked."""
    value, owner = data.get(key), _sibling(key, data, "owner_org")
    if _empty(value) or _empty(owner):
        return
    found = _org_urusan(str(owner))
    if found is None:
        return
    title, held = found
    if held and str(value) not in held:
        errors[key].append(
            tk._("{opd} does not hold urusan {code}; it holds: {held}").format(
                opd=title, code=value, held=", ".join(held)
            )
        )


def satudata_daftar_data_item(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The Daftar Data item a dataset fulfils must be an item of the dataset's own OPD (an
    office delivers what it promised, not another's). A Data Prioritas item gives the dataset
    its ``prioritas_tahun`` (the national portal's key): the Forum decided it, so nobody types
    it for a linked dataset. (``daftar_data`` sorts before ``prioritas_tahun``, whose own
    validators then check the year.)

    When the portal itself writes the dataset (the site user: a harvest from another Satu
    Data portal, a migration), an item this portal does not hold is another portal's plan:
    the link is dropped and the dataset kept, rather than the whole dataset refused."""
    value = data.get(key)
    if _empty(value):
        return
    item, why = daftar_data.item_for_dataset(value, _sibling(key, data, "owner_org"))
    if item is None and context.get("user") == roles.site_user_name():
        data[key] = ""
        return
    if item is None:
        _fail(key, errors, why or "")
    if item["prioritas"]:
        data[(*key[:-1], "prioritas_tahun")] = str(item["year"])


def satudata_contact_required(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """Dataset-level: at least one penanggung jawab (scheming does not enforce ``required`` on a
    repeating field)."""
    if not any(k[0] == "penanggung_jawab" and len(k) == 3 for k in data):
        errors.setdefault(("penanggung_jawab",), []).append(
            tk._("Name at least one person responsible for these data")
        )


def satudata_incomplete_if_migrated(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """Dataset-level, last: a dataset migrated from the city's former portal may lack what
    Satu Data requires (the old portal never asked for it). When the portal itself writes it
    (the site user: the migration, which marks its context, and later the portal's own writes
    to a migrated dataset, such as the DataStore setting a file's ``datastore_active``), an
    error on a field that has no value is dropped; an error on a value that is there still
    stands. A person's edit (the form, the API, the Excel template) is never allowed this: the
    migration report lists what each OPD must complete, and its first edit asks for it, as for
    any dataset.

    The reason: the city can switch portals only if every old dataset comes across, and the
    OPDs, not the migration, are the ones who know the concept, definition and period."""
    if context.get("user") != roles.site_user_name():
        return
    package_id = data.get(("id",))
    migrated = isinstance(package_id, str) and migrated_dataset.get(package_id) is not None
    if not (context.get(migrated_dataset.CONTEXT_KEY) or migrated):
        return
    for field_key, messages in errors.items():
        if messages and (_empty(data.get(field_key)) or data.get(field_key) == {}):
            errors[field_key] = []
            if isinstance(data.get(field_key), Missing):
                data.pop(field_key)  # never written: CKAN saves the fields it is given
        if field_key == ("penanggung_jawab",) and not any(
            k[0] == "penanggung_jawab" and len(k) == 3 for k in data
        ):
            errors[field_key] = []


# --- identifiers and contacts --------------------------------------------------------------


def satudata_indah_id(value: Any) -> Any:
    """An INDAH (BPS) metadata id: letters, digits, '.', '-' and '_', at most 64 characters."""
    if _empty(value):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,64}", text):
        raise tk.Invalid(
            tk._('"{value}" is not an INDAH id: use letters, digits, ".", "-" and "_"').format(value=value)
        )
    return text


def satudata_phone(value: Any) -> Any:
    """A phone number: digits, spaces, '+', '-', parentheses; 6 to 20 characters."""
    if _empty(value):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\+?[0-9][0-9 ()-]{5,19}", text):
        raise tk.Invalid(tk._('"{value}" is not a phone number').format(value=value))
    return text


@cache
def _upload_types() -> dict[str, list[str]]:
    """The extensions a produsen may upload and their formats (``data/upload_types.yaml``)."""
    path = resources.files("ckanext.satudata_balikpapan").joinpath("data/upload_types.yaml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(ext).lower(): [str(f).upper() for f in formats] for ext, formats in raw["allowed"].items()}


def satudata_upload_type(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """An uploaded file (``url_type`` ``upload``; its name is the ``url``) must be of a type
    on the allow-list, and match the resource's format when one is given: an HTML or SVG
    "report" is refused (issue #14), and so is a ``.csv`` declared as PDF. Links are not
    concerned (nothing is served from the portal's origin)."""
    if data.get((*key[:-1], "url_type")) != "upload":
        return
    url = data.get(key)
    name = str(url or "").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = _upload_types()
    if extension not in allowed:
        shown = ", ".join(sorted(e.upper() for e in allowed))
        errors[key].append(
            tk._('Files of type "{extension}" cannot be uploaded; accepted: {types}').format(
                extension=extension or name, types=shown
            )
        )
        return
    fmt = data.get((*key[:-1], "format"))
    if isinstance(fmt, str) and fmt.strip() and fmt.strip().upper().lstrip(".") not in allowed[extension]:
        errors[key].append(
            tk._('The file "{name}" is not a {format} file; its format may be {formats}').format(
                name=name, format=fmt.strip(), formats=", ".join(allowed[extension])
            )
        )


PASSWORD_MIN, PASSWORD_MAX = 10, 256


def user_password_validator(key: Key, data: Data, errors: Errors, context: dict[str, Any]) -> None:
    """The portal's password policy, in place of CKAN's validator of the same name (which asks
    8 characters only): 10 to 256 characters, letters and digits both, and not the user name
    inside it (issue #14). The accounts are those of the city's staff who publish and verify
    the city's statistics; the upper bound keeps hashing a password cheap."""
    value = data.get(key)
    if isinstance(value, Missing) or value is None or value == "":
        return
    if not isinstance(value, str):
        errors[("password",)].append(tk._("Passwords must be strings"))
        return
    if len(value) < PASSWORD_MIN:
        errors[("password",)].append(
            tk._("Your password must be at least {n} characters long").format(n=PASSWORD_MIN)
        )
    elif len(value) > PASSWORD_MAX:
        errors[("password",)].append(
            tk._("Your password may be at most {n} characters long").format(n=PASSWORD_MAX)
        )
    elif not (any(c.isalpha() for c in value) and any(c.isdigit() for c in value)):
        errors[("password",)].append(tk._("Your password must contain both letters and digits"))
    else:
        name = data.get(("name",))
        if isinstance(name, str) and len(name) >= 3 and name.lower() in value.lower():
            errors[("password",)].append(tk._("Your password must not contain your user name"))
