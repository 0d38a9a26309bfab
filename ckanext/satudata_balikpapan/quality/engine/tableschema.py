"""Table Schema of a resource: inferred from the file, confirmed by a person, checked here.

The schema is a `Frictionless Table Schema <https://specs.frictionlessdata.io/table-schema/>`_
descriptor, so frictionless tools read it as it is. Field ``name`` s are the file's header
labels, exactly. Supported field types: ``string``, ``integer``, ``number``, ``year``,
``date``, ``boolean``; constraints: ``required``, ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum``, ``enum``, ``pattern``, ``minLength``,
``maxLength``. Satu Data semantics ride in custom properties, which frictionless keeps and
ignores:

* field ``"satudata:role"``: ``"region"`` (Kemendagri kode wilayah: every value must be a
  Balikpapan region), ``"period"`` (tahun or periode), ``"label"`` (a region or row name),
  ``"unit"`` (a satuan column), ``"id"`` (a running number, not a measure),
  ``"dimension"`` (a classifying number such as bulan: part of a key, not a measure);
* field ``"satudata:unit"``: the unit of a measure column, e.g. ``"jiwa"`` from a header
  ``"Jumlah Penduduk (jiwa)"``;
* field ``"satudata:period"``: the period a measure column of a *wide* table holds
  (``"2024"``, ``"2024-S1"``, ``"2024-Q2"``, ``"2024-03"``): rows are regions or items and
  the periods are columns, the usual BPS layout. Two or more such columns make the table
  wide, and each is compared with the one before it. A schema that declares none gets them
  from its column names (``2024``, ``Tahun 2024``, ``Semester I 2024``, ``Januari 2024``:
  :func:`period_columns`);
* schema ``"satudata:totals"``: declared totals. ``"rows"`` is either
  ``{"by": "region", "field": <region field>, "fields": [...]}`` (a region's row is the sum
  of the rows of the regions inside it: 64.71 = its kecamatan, a kecamatan = its kelurahan)
  or ``{"field": <label field>, "labels": ["Jumlah", ...], "fields": [...]}`` (a row so
  labelled is the sum of the other rows of its period); ``"fields"`` are the additive
  columns. ``"columns"`` is a list of ``{"field": <total>, "parts": [<fields>]}``;
* schema ``"satudata:sheets"``: for a workbook, the sheets that hold the table (default:
  every visible sheet).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from ckanext.satudata_balikpapan.quality.engine import readers
from ckanext.satudata_balikpapan.quality.engine.limits import Limits, measure
from ckanext.satudata_balikpapan.quality.engine.periods import column_period, parse_period
from ckanext.satudata_balikpapan.registry import vocabularies

TYPES = ("string", "integer", "number", "year", "date", "boolean")
ROLES = ("region", "period", "label", "unit", "id", "dimension")
NUMERIC = ("integer", "number")
CONSTRAINTS_BY_TYPE = {
    "string": {"required", "enum", "pattern", "minLength", "maxLength"},
    "integer": {"required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "number": {"required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "year": {"required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "date": {"required", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
    "boolean": {"required", "enum"},
}
FIELD_KEYS = {
    "name",
    "type",
    "format",
    "title",
    "description",
    "example",
    "constraints",
    "missingValues",
    "trueValues",
    "falseValues",
    "decimalChar",
    "groupChar",
    "bareNumber",
    "rdfType",
}
TOTAL_LABELS = ("jumlah", "total", "kota balikpapan", "balikpapan", "jumlah total", "grand total")
DEFAULT_MISSING = [""]


class SchemaError(ValueError):
    """A descriptor that is not a usable Table Schema; ``errors`` lists every problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


# Validation --------------------------------------------------------------------------


def _t(lang: str, id_text: str, en_text: str) -> str:
    return en_text if lang == "en" else id_text


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_limit(ftype: str, value: Any, field: dict[str, Any] | None = None) -> Any:
    """A constraint value (``minimum``, an ``enum`` item) read as the field's type, or
    raise ValueError. Strings are read like cells, as frictionless does."""
    field = field or {}
    if ftype == "integer":
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            return int(value.strip())
        raise ValueError(value)
    if ftype == "number":
        if _is_number(value):
            return float(value)
        if isinstance(value, str):
            text = value.strip().replace("_", "")
            if field.get("groupChar"):
                text = text.replace(field["groupChar"], "")
            if field.get("decimalChar") and field["decimalChar"] != ".":
                text = text.replace(field["decimalChar"], ".")
            return float(text)
        raise ValueError(value)
    if ftype == "year":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9999:
            return value
        if isinstance(value, str) and len(value) == 4 and 0 <= int(value) <= 9999:
            return int(value)
        raise ValueError(value)
    if ftype == "date":
        if isinstance(value, dt.date):
            return value.toordinal()
        if isinstance(value, str):
            fmt = field.get("format") or "default"
            pattern = "%Y-%m-%d" if fmt in ("default", "any") else fmt
            return dt.datetime.strptime(value, pattern).date().toordinal()
        raise ValueError(value)
    if ftype == "boolean":
        if isinstance(value, bool):
            return value
        trues = field.get("trueValues") or ["true", "True", "TRUE", "1"]
        falses = field.get("falseValues") or ["false", "False", "FALSE", "0"]
        if value in trues:
            return True
        if value in falses:
            return False
        raise ValueError(value)
    if not isinstance(value, str):
        raise ValueError(value)
    return value


def validate_schema(descriptor: Any, lang: str = "id") -> list[str]:
    """Every problem of a (possibly hand-edited) schema descriptor, as readable messages in
    Indonesian (``lang="id"``) or English (``"en"``), each naming the field; [] if usable."""
    if not isinstance(descriptor, dict):
        return [_t(lang, "Skema harus berupa objek JSON", "The schema must be a JSON object")]
    errors: list[str] = []
    fields = descriptor.get("fields")
    if not isinstance(fields, list) or not fields:
        return [
            _t(
                lang,
                "Skema harus memiliki daftar 'fields' yang tidak kosong",
                "The schema needs a non-empty 'fields' list",
            )
        ]
    names: list[str] = []
    by_name: dict[str, dict[str, Any]] = {}
    for pos, fld in enumerate(fields, start=1):
        if not isinstance(fld, dict):
            errors.append(_t(lang, f"Kolom ke-{pos}: harus berupa objek", f"Field {pos}: must be an object"))
            continue
        name = fld.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(_t(lang, f"Kolom ke-{pos}: 'name' wajib diisi", f"Field {pos}: 'name' is required"))
            continue
        if name in by_name:
            errors.append(
                _t(
                    lang,
                    f'Kolom "{name}": nama dipakai lebih dari sekali',
                    f'Field "{name}": name used more than once',
                )
            )
            continue
        names.append(name)
        by_name[name] = fld
        errors.extend(_field_errors(fld, name, lang))
    mv = descriptor.get("missingValues", DEFAULT_MISSING)
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        errors.append(
            _t(lang, "'missingValues' harus berupa daftar teks", "'missingValues' must be a list of strings")
        )
    pk = descriptor.get("primaryKey")
    if pk is not None:
        keys = [pk] if isinstance(pk, str) else pk
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            errors.append(
                _t(
                    lang,
                    "'primaryKey' harus berupa nama kolom atau daftar nama kolom",
                    "'primaryKey' must be a field name or a list of field names",
                )
            )
        else:
            for k in keys:
                if k not in by_name:
                    errors.append(
                        _t(
                            lang,
                            f'Kolom kunci "{k}" tidak ada di skema',
                            f'Key column "{k}" is not a field of the schema',
                        )
                    )
            if len(set(keys)) != len(keys):
                errors.append(
                    _t(
                        lang,
                        "'primaryKey' menyebut kolom yang sama lebih dari sekali",
                        "'primaryKey' names a field more than once",
                    )
                )
    for role in ("region", "period"):
        holders = [n for n, f in by_name.items() if f.get("satudata:role") == role]
        if len(holders) > 1:
            errors.append(
                _t(
                    lang,
                    f"Hanya satu kolom boleh berperan '{role}': {', '.join(holders)}",
                    f"Only one field may have the role '{role}': {', '.join(holders)}",
                )
            )
    errors.extend(_totals_errors(descriptor.get("satudata:totals"), by_name, lang))
    sheets = descriptor.get("satudata:sheets")
    if sheets is not None and (not isinstance(sheets, list) or not all(isinstance(s, str) for s in sheets)):
        errors.append(
            _t(
                lang,
                "'satudata:sheets' harus berupa daftar nama lembar",
                "'satudata:sheets' must be a list of sheet names",
            )
        )
    return errors


def _field_errors(fld: dict[str, Any], name: str, lang: str) -> list[str]:
    errors: list[str] = []
    where_id, where_en = f'Kolom "{name}"', f'Field "{name}"'
    ftype = fld.get("type", "string")
    if ftype not in TYPES:
        return [
            _t(
                lang,
                f"{where_id}: jenis '{ftype}' tidak didukung (pilih: {', '.join(TYPES)})",
                f"{where_en}: type '{ftype}' is not supported (choose: {', '.join(TYPES)})",
            )
        ]
    fmt = fld.get("format", "default")
    if fmt not in ("default", None) and (ftype != "date" or not isinstance(fmt, str) or "%" not in fmt):
        errors.append(
            _t(
                lang,
                f"{where_id}: format '{fmt}' tidak didukung (hanya 'default', atau pola strptime tanggal)",
                f"{where_en}: format '{fmt}' is not supported (only 'default', or a strptime date pattern)",
            )
        )
    if fld.get("bareNumber") is False:
        errors.append(
            _t(
                lang,
                f"{where_id}: 'bareNumber: false' tidak didukung",
                f"{where_en}: 'bareNumber: false' is not supported",
            )
        )
    for key in ("decimalChar", "groupChar"):
        if key in fld and (ftype != "number" or not isinstance(fld[key], str) or len(fld[key]) != 1):
            errors.append(
                _t(
                    lang,
                    f"{where_id}: '{key}' harus satu karakter, untuk kolom angka",
                    f"{where_en}: '{key}' must be one character, on a number field",
                )
            )
    for key in ("trueValues", "falseValues", "missingValues"):
        if key in fld and (not isinstance(fld[key], list) or not all(isinstance(v, str) for v in fld[key])):
            errors.append(
                _t(
                    lang,
                    f"{where_id}: '{key}' harus berupa daftar teks",
                    f"{where_en}: '{key}' must be a list of strings",
                )
            )
    role = fld.get("satudata:role")
    if role is not None and role not in ROLES:
        errors.append(
            _t(
                lang,
                f"{where_id}: peran '{role}' tidak dikenal (pilih: {', '.join(ROLES)})",
                f"{where_en}: unknown role '{role}' (choose: {', '.join(ROLES)})",
            )
        )
    if role == "region" and ftype != "string":
        errors.append(
            _t(
                lang,
                f"{where_id}: kolom kode wilayah harus berjenis string",
                f"{where_en}: a region code field must be of type string",
            )
        )
    if role == "period" and ftype == "boolean":
        errors.append(
            _t(
                lang,
                f"{where_id}: kolom periode tidak boleh berjenis boolean",
                f"{where_en}: a period field cannot be boolean",
            )
        )
    period = fld.get("satudata:period")
    if period is not None and (
        not isinstance(period, str) or parse_period(period) is None or ftype not in NUMERIC or role
    ):
        errors.append(
            _t(
                lang,
                f'{where_id}: \'satudata:period\' harus berupa periode (mis. "2024", "2024-S1", '
                '"2024-Q2", "2024-03") pada kolom angka tanpa peran',
                f'{where_en}: \'satudata:period\' must be a period (e.g. "2024", "2024-S1", '
                '"2024-Q2", "2024-03") on a number field with no role',
            )
        )
    unit = fld.get("satudata:unit")
    if unit is not None and not isinstance(unit, str):
        errors.append(
            _t(
                lang,
                f"{where_id}: 'satudata:unit' harus berupa teks",
                f"{where_en}: 'satudata:unit' must be a string",
            )
        )
    constraints = fld.get("constraints", {})
    if not isinstance(constraints, dict):
        return [
            *errors,
            _t(
                lang,
                f"{where_id}: 'constraints' harus berupa objek",
                f"{where_en}: 'constraints' must be an object",
            ),
        ]
    allowed = CONSTRAINTS_BY_TYPE[ftype]
    for key, value in constraints.items():
        if key not in allowed:
            listed = ", ".join(sorted(allowed))
            errors.append(
                _t(
                    lang,
                    f"{where_id}: aturan '{key}' tidak berlaku untuk jenis {ftype} (yang berlaku: {listed})",
                    f"{where_en}: constraint '{key}' does not apply to type {ftype} (allowed: {listed})",
                )
            )
            continue
        if key == "required" and not isinstance(value, bool):
            errors.append(
                _t(
                    lang,
                    f"{where_id}: 'required' harus true atau false",
                    f"{where_en}: 'required' must be true or false",
                )
            )
        elif key in ("minLength", "maxLength") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            errors.append(
                _t(
                    lang,
                    f"{where_id}: '{key}' harus bilangan bulat tidak negatif",
                    f"{where_en}: '{key}' must be a non-negative integer",
                )
            )
        elif key == "pattern":
            try:
                re.compile(value)
            except (re.error, TypeError):
                errors.append(
                    _t(
                        lang,
                        f"{where_id}: pola '{value}' bukan ekspresi reguler yang sah",
                        f"{where_en}: pattern '{value}' is not a valid regular expression",
                    )
                )
        elif key == "enum":
            if not isinstance(value, list) or not value:
                errors.append(
                    _t(
                        lang,
                        f"{where_id}: 'enum' harus berupa daftar yang tidak kosong",
                        f"{where_en}: 'enum' must be a non-empty list",
                    )
                )
                continue
            for item in value:
                try:
                    parse_limit(ftype, item, fld)
                except (ValueError, TypeError):
                    errors.append(
                        _t(
                            lang,
                            f"{where_id}: nilai enum {item!r} bukan {ftype}",
                            f"{where_en}: enum value {item!r} is not a {ftype}",
                        )
                    )
        elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            try:
                parse_limit(ftype, value, fld)
            except (ValueError, TypeError):
                errors.append(
                    _t(
                        lang,
                        f"{where_id}: '{key}' {value!r} bukan {ftype}",
                        f"{where_en}: '{key}' {value!r} is not a {ftype}",
                    )
                )
    try:
        lo, hi = constraints.get("minimum"), constraints.get("maximum")
        if lo is not None and hi is not None and parse_limit(ftype, lo, fld) > parse_limit(ftype, hi, fld):
            errors.append(
                _t(
                    lang,
                    f"{where_id}: 'minimum' lebih besar dari 'maximum'",
                    f"{where_en}: 'minimum' is greater than 'maximum'",
                )
            )
    except (ValueError, TypeError):
        pass
    return errors


def _totals_errors(totals: Any, by_name: dict[str, dict[str, Any]], lang: str) -> list[str]:
    if totals is None:
        return []
    if not isinstance(totals, dict):
        return [_t(lang, "'satudata:totals' harus berupa objek", "'satudata:totals' must be an object")]
    errors: list[str] = []

    def numeric(name: Any, what_id: str, what_en: str) -> None:
        if name not in by_name:
            errors.append(
                _t(
                    lang,
                    f'{what_id}: kolom "{name}" tidak ada di skema',
                    f'{what_en}: field "{name}" is not in the schema',
                )
            )
        elif by_name[name].get("type", "string") not in NUMERIC:
            errors.append(
                _t(
                    lang,
                    f'{what_id}: kolom "{name}" bukan kolom angka',
                    f'{what_en}: field "{name}" is not numeric',
                )
            )

    rows = totals.get("rows")
    if rows is not None:
        if not isinstance(rows, dict):
            errors.append(_t(lang, "Baris jumlah: harus berupa objek", "Total rows: must be an object"))
        else:
            fname = rows.get("field")
            if fname not in by_name:
                errors.append(
                    _t(
                        lang,
                        f'Baris jumlah: kolom "{fname}" tidak ada di skema',
                        f'Total rows: field "{fname}" is not in the schema',
                    )
                )
            elif rows.get("by") == "region" and by_name[fname].get("satudata:role") != "region":
                errors.append(
                    _t(
                        lang,
                        f'Baris jumlah: kolom "{fname}" tidak berperan region',
                        f'Total rows: field "{fname}" does not have the region role',
                    )
                )
            if rows.get("by") not in (None, "region"):
                errors.append(
                    _t(
                        lang,
                        f"Baris jumlah: 'by' {rows.get('by')!r} tidak dikenal",
                        f"Total rows: unknown 'by' {rows.get('by')!r}",
                    )
                )
            if rows.get("by") != "region":
                labels = rows.get("labels")
                if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
                    errors.append(
                        _t(
                            lang,
                            "Baris jumlah: 'labels' harus berupa daftar teks",
                            "Total rows: 'labels' must be a list of strings",
                        )
                    )
            flds = rows.get("fields")
            if not isinstance(flds, list) or not flds:
                errors.append(
                    _t(
                        lang,
                        "Baris jumlah: 'fields' harus berupa daftar kolom angka",
                        "Total rows: 'fields' must list numeric fields",
                    )
                )
            else:
                for f in flds:
                    numeric(f, "Baris jumlah", "Total rows")
    columns = totals.get("columns")
    if columns is not None:
        if not isinstance(columns, list):
            errors.append(_t(lang, "Kolom jumlah: harus berupa daftar", "Total columns: must be a list"))
        else:
            for spec in columns:
                if not isinstance(spec, dict):
                    errors.append(
                        _t(
                            lang,
                            "Kolom jumlah: setiap butir harus berupa objek",
                            "Total columns: each item must be an object",
                        )
                    )
                    continue
                numeric(spec.get("field"), "Kolom jumlah", "Total column")
                parts = spec.get("parts")
                if not isinstance(parts, list) or not parts:
                    errors.append(
                        _t(
                            lang,
                            "Kolom jumlah: 'parts' harus berupa daftar kolom",
                            "Total column: 'parts' must list fields",
                        )
                    )
                    continue
                for p in parts:
                    numeric(p, "Kolom jumlah", "Total column")
                if spec.get("field") in parts:
                    errors.append(
                        _t(
                            lang,
                            "Kolom jumlah: kolom jumlah tidak boleh menjadi rinciannya sendiri",
                            "Total column: the total cannot be one of its parts",
                        )
                    )
    return errors


def is_valid_descriptor(descriptor: Any) -> bool:
    """Whether :func:`validate_schema` finds nothing wrong."""
    return not validate_schema(descriptor)


def load(source: str | bytes | dict[str, Any], lang: str = "id") -> dict[str, Any]:
    """The schema descriptor from JSON text or a dict, checked; raises :class:`SchemaError`
    listing every problem (in ``lang``)."""
    if isinstance(source, (str, bytes)):
        try:
            descriptor = json.loads(source)
        except ValueError as exc:
            raise SchemaError(
                [_t(lang, f"Skema bukan JSON yang sah: {exc}", f"The schema is not valid JSON: {exc}")]
            ) from exc
    else:
        descriptor = source
    errors = validate_schema(descriptor, lang)
    if errors:
        raise SchemaError(errors)
    return dict(descriptor)


def primary_key(descriptor: dict[str, Any]) -> list[str]:
    """The primaryKey as a list (possibly empty)."""
    pk = descriptor.get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def field_by_role(descriptor: dict[str, Any], role: str) -> str | None:
    """The name of the field with ``satudata:role`` ``role``, if any."""
    for fld in descriptor.get("fields", []):
        if fld.get("satudata:role") == role:
            return fld["name"]
    return None


# Inference ---------------------------------------------------------------------------

_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_NUM = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_NUM_ID = re.compile(r"^\s*[+-]?\d{1,3}(\.\d{3})+(,\d+)?\s*$|^\s*[+-]?\d+,\d+\s*$")
_DECIMAL_COMMA = re.compile(r"^\s*[+-]?(\d{1,3}(\.\d{3})+|\d+),\d+\s*$")
# How Excel in an Indonesian locale writes numbers: decimal comma, grouping dot.
INDONESIAN_NUMBERS = {"decimalChar": ",", "groupChar": "."}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_UNIT_IN_HEADER = re.compile(r"[\(\[]\s*([^\)\]]{1,30}?)\s*[\)\]]\s*$")
_PERCENT_WORDS = ("persen", "persentase", "prosentase", "percent", "pct")
_RATIO_WORDS = (
    *_PERCENT_WORDS,
    "rasio",
    "ratio",
    "rata",
    "kepadatan",
    "indeks",
    "index",
    "laju",
    "tingkat",
    "angka",
    "ipm",
    "rate",
    "median",
    "proporsi",
)
_UNIT_SUFFIXES = {
    "km2": "km2",
    "km": "km",
    "ha": "hektar",
    "m2": "m2",
    "m3": "m3",
    "kg": "kilogram",
    "ton": "ton",
    "rp": "rupiah",
    "persen": "persen",
    "pct": "persen",
    "jiwa": "jiwa",
    "orang": "orang",
    "unit": "unit",
    "liter": "liter",
}


def norm(name: str) -> str:
    """A header label as a lowercase snake_case word (``"Kode Wilayah"`` -> ``kode_wilayah``)."""
    return re.sub(r"[^a-z0-9]+", "_", (name or "").lower()).strip("_")


def _region_name(n: str) -> bool:
    return n.startswith(
        ("kode_wil", "kode_kel", "kode_kec", "kode_kab", "kode_kota", "kd_wil", "kd_kel", "kd_kec")
    ) or n in (
        "kode_wilayah_kemendagri",
        "kode_kemendagri",
        "region_code",
        "kode_daerah",
        "wilayah_kode",
    )


def _period_name(n: str) -> bool:
    return n in (
        "tahun",
        "year",
        "periode",
        "period",
        "tahun_data",
        "tahun_periode",
        "bulan_tahun",
        "tanggal_periode",
    )


def _label_name(n: str) -> bool:
    return n.startswith(
        ("nama_wil", "nama_kel", "nama_kec", "nama_kab", "nama_kota", "nama_daerah")
    ) or n in (
        "kecamatan",
        "kelurahan",
        "wilayah",
        "uraian",
        "rincian",
        "nama",
        "region",
        "desa_kelurahan",
    )


def role_from_name(n: str, ftype: str) -> str | None:
    """The role a column's normalised name ``n`` gives it, for its type: period, id,
    dimension, unit or label (a region is known from its codes in :func:`infer`, from its
    name in :func:`with_roles`). The one rule of both."""
    if _period_name(n) or (ftype == "year" and n in ("tahun", "year")):
        return "period"
    if _id_name(n) and ftype == "integer":
        return "id"
    if _dimension_name(n) and ftype in NUMERIC:
        return "dimension"
    if n in ("satuan", "unit", "satuan_data") and ftype == "string":
        return "unit"
    if _label_name(n) and ftype == "string":
        return "label"
    return None


def with_roles(schema: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A plain Table Schema (as frictionless or another portal writes it: no
    ``satudata:role`` on any field) with the roles its field names give, and the roles so
    given (``field``, ``role``), for the report to say so. Without them the region, period and
    names checks did not run at all, and nothing told the user. A schema that declares any
    role is the author's word and is taken as it is."""
    fields = schema.get("fields") or []
    if any("satudata:role" in f for f in fields):
        return schema, []
    given: list[dict[str, str]] = []
    out = []
    for fld in fields:
        n, ftype = norm(str(fld.get("name", ""))), fld.get("type", "string")
        role = "region" if _region_name(n) and ftype == "string" else role_from_name(n, ftype)
        if role:
            fld = {**fld, "satudata:role": role}
            given.append({"field": str(fld["name"]), "role": role})
        out.append(fld)
    return ({**schema, "fields": out} if given else schema), given


def period_columns(schema: dict[str, Any], year: int | None = None) -> dict[str, str]:
    """The period columns of a wide table, ``{field name: period label}`` in field order, or
    {} for a table that is not wide. Declared ``satudata:period`` properties are the author's
    word; a schema that declares none gets them from the names of its measure columns
    (:func:`~.periods.column_period`; ``year`` completes a month or semester without its
    year). At least two distinct periods make a wide table; a table with a period column
    (role ``period``) is long, whatever its other names say."""
    fields = [f for f in schema.get("fields") or [] if isinstance(f, dict)]
    if any(f.get("satudata:role") == "period" for f in fields):
        return {}
    declared = {str(f["name"]): f["satudata:period"] for f in fields if f.get("satudata:period")}
    if declared:
        out = {name: column_period(p) or p for name, p in declared.items()}
    else:
        out = {}
        for f in fields:
            if f.get("type") in NUMERIC and not f.get("satudata:role"):
                p = column_period(str(f.get("name", "")), year)
                if p is not None:
                    out[str(f["name"])] = p
    return out if len(set(out.values())) >= 2 else {}


_NUMBER_CELL = re.compile(r"^[+-]?[\d.,]+$")


def second_header_row(header: Sequence[str | None], cells: Sequence[str | None]) -> list[dict[str, Any]]:
    """The column groups of a header written on two rows with merged cells, or [] when
    ``cells`` (the row below ``header``) is an ordinary data row.

    Excel users head a group of columns with one merged cell ("Jumlah Penduduk" over
    "Laki-laki", "Perempuan"; "Tahun" over 2020 ... 2024): the header row then has blank
    cells right of the group's label, and the next row names the columns. That row is a
    second header when it fills at least one of those blanks and every cell it fills is
    text or a period (``2020``, ``Semester I``), not a figure. Returns
    ``[{"label": "Jumlah Penduduk", "parts": ["Laki-laki", "Perempuan"]}, ...]``."""

    def text(i: int, row: Sequence[str | None]) -> str:
        return (row[i] or "").strip() if i < len(row) and row[i] is not None else ""

    width = max(len(header), len(cells))
    groups: list[dict[str, Any]] = []
    under_blank = False
    current: dict[str, Any] | None = None
    for i in range(width):
        label, sub = text(i, header), text(i, cells)
        if sub and _NUMBER_CELL.match(sub) and column_period(sub.removesuffix(".0")) is None:
            return []  # a figure: this is a data row
        if label:
            current = {"label": label, "parts": [sub] if sub else []}
            groups.append(current)
        elif current is not None and sub:
            current["parts"].append(sub)
            under_blank = True
    if not under_blank:
        return []
    return [g for g in groups if len(g["parts"]) >= 2]


def _dimension_name(n: str) -> bool:
    return n in (
        "bulan",
        "month",
        "triwulan",
        "quarter",
        "semester",
        "minggu",
        "week",
        "kode_bulan",
        "no_bulan",
    )


def _id_name(n: str) -> bool:
    return n in ("no", "nomor", "no_urut", "nomor_urut", "id", "urutan")


def unit_from_header(label: str) -> str | None:
    """The unit in a header such as ``"Jumlah Penduduk (jiwa)"`` or ``luas_km2``."""
    m = _UNIT_IN_HEADER.search(label or "")
    if m:
        return m.group(1).strip()
    n = norm(label)
    if "_" in n:
        last = n.rsplit("_", 1)[1]
        if last in _UNIT_SUFFIXES:
            return _UNIT_SUFFIXES[last]
    return None


def _is_ratio(name: str, unit: str | None) -> bool:
    """Whether a measure is a ratio, percentage, average or index, which totals do not add."""
    if unit and (norm(unit) in ("persen", "percent") or unit.strip() == "%"):
        return True
    return any(word in _RATIO_WORDS for word in norm(name).split("_"))


def writes_indonesian_numbers(delimiter: str | None, columns: list[list[str]]) -> bool:
    """Whether a CSV file writes its numbers the Indonesian way (``1.234,5``): it is
    separated by ``;`` (Excel in an Indonesian locale uses ``;`` because the comma is its
    decimal mark), or a cell carries a decimal comma (``35,12``), which no English export
    writes unquoted. Then ``120.345`` is a hundred and twenty thousand, not a fraction."""
    return delimiter == ";" or any(_DECIMAL_COMMA.match(v) for col in columns for v in col)


def number_style(values: list[str], indonesian: bool) -> dict[str, str] | None:
    """``decimalChar`` and ``groupChar`` for a column of numbers written the Indonesian way
    (:func:`writes_indonesian_numbers` of its file), or None: plain integers need none, and
    a file that writes English numbers keeps ``120.345`` a fraction."""
    if not indonesian or not values or all(_INT.match(v) for v in values):
        return None
    if all(_NUM_ID.match(v) or _INT.match(v) for v in values):
        return dict(INDONESIAN_NUMBERS)
    return None


def _guess_type(values: list[str], name: str) -> str:
    n = norm(name)
    if not values:
        return "string"
    if all(_INT.match(v) for v in values):
        if (_period_name(n) or n in ("tahun", "year")) and all(
            len(v.strip()) == 4 and 1800 <= int(v) <= 2200 for v in values
        ):
            return "year"
        return "integer"
    if all(_NUM.match(v) for v in values):
        return "number"
    if all(_DATE.match(v) for v in values):
        try:
            for v in values:
                dt.date.fromisoformat(v)
            return "date"
        except ValueError:
            pass
    if all(v in ("true", "false", "True", "False", "TRUE", "FALSE") for v in values):
        return "boolean"
    return "string"


def _table_sample(
    path: str, fmt: str, sample_rows: int
) -> tuple[list[str], list[list[Any]], list[str] | None, str | None]:
    """Header, sample rows (as text), for a workbook the sheets whose header matches the
    first sheet's, and for a CSV file its delimiter."""

    if fmt == "csv":
        dialect = readers.sniff_csv(path)
        header, rows = readers.csv_sample(path, dialect, sample_rows)
        return header, rows, None, dialect.delimiter
    sheets: list[str] = []
    header: list[str] = []
    rows: list[list[Any]] = []
    for sheet in readers.xlsx_sheets(path):
        if not header:
            header = sheet.header
            for raw in sheet.rows:
                rows.append([readers.cell_text(c) for c in raw])
                if len(rows) >= sample_rows:
                    break
            sheets.append(sheet.name)
        elif sheet.header == header:
            sheets.append(sheet.name)
    return header, rows, sheets, None


def infer(path: str, fmt: str, *, sample_rows: int = 1000, limits: Limits | None = None) -> dict[str, Any]:
    """A first draft of the file's Table Schema, for the walidata or produsen to confirm.

    ``fmt`` is ``"csv"`` or ``"xlsx"`` (the first visible sheet is read; other sheets with
    the same header are listed in ``satudata:sheets`` if some sheet differs). The first
    ``sample_rows`` data rows decide each column's type and the guesses below:

    * Kemendagri codes (64.71, 64.71.01, 64.71.01.1001) in a column named like
      ``kode_wilayah``/``kode_kelurahan``/... -> string, role ``region``, required;
    * ``tahun``/``year``/``periode`` -> role ``period`` (type ``year`` for 4-digit years),
      required;
    * region or row names (``nama_wilayah``, ``kecamatan``, ...) -> role ``label``;
      ``no``/``nomor`` -> role ``id``; ``satuan``/``unit`` -> role ``unit``;
    * a unit in the header (``"Jumlah Penduduk (jiwa)"``, ``luas_km2``) -> ``satudata:unit``;
    * numeric columns with no negative value -> ``minimum: 0``; percentages -> ``maximum: 100``;
      a text column with few distinct values -> ``enum``; columns with no empty cell in the
      sample -> ``required``;
    * measure columns named like periods (``2020`` ... ``2024``, ``Semester I 2024``) ->
      ``satudata:period`` each: a wide table (:func:`period_columns`);
    * ``primaryKey``: region + period, plus enum-like columns until the sample's rows are
      unique (none if they never are);
    * ``satudata:totals``: rows labelled Jumlah/Total/Kota Balikpapan, or region rows that
      enclose other rows of the table; a ``jumlah``/``total`` column after its parts.

    The file is first measured against ``limits`` (:mod:`.limits`): a file beyond a bound
    raises :class:`~.limits.LimitExceeded` before anything is read.
    """
    measure(path, fmt, limits or Limits())
    header, rows, sheets, delimiter = _table_sample(path, fmt, sample_rows)
    notes = set(readers.note_rows(rows))
    rows = [  # catatan below the table and blank rows are not data
        row for i, row in enumerate(rows)
        if i not in notes and any(str(c).strip() for c in row if c is not None)
    ]  # fmt: skip
    missing_values = list(DEFAULT_MISSING)
    cells_seen = {c.strip() for r in rows for c in r if isinstance(c, str)}
    if "-" in cells_seen:
        missing_values.append("-")
    columns: list[list[str]] = [[(r[i] if i < len(r) else "") for r in rows] for i in range(len(header))]
    fields: list[dict[str, Any]] = []
    region_codes = vocabularies.REGION_CODE
    indonesian = writes_indonesian_numbers(delimiter, columns)
    for label, col in zip(header, columns, strict=False):
        n = norm(label)
        present = [v for v in col if v.strip() not in missing_values]
        fld: dict[str, Any] = {"name": label}
        if (
            present
            and all(region_codes.match(v.strip()) for v in present)
            and (_region_name(n) or any(v.count(".") >= 2 for v in present) or n.startswith("kode"))
        ) or (_region_name(n) and present and all(re.match(r"^[\d.]+$", v.strip()) for v in present)):
            fld["type"] = "string"
            fld["satudata:role"] = "region"
        else:
            style = number_style([v.strip() for v in present], indonesian)
            fld["type"] = "number" if style else _guess_type(present, label)
            fld.update(style or {})
            named = role_from_name(n, fld["type"])
            if named:
                fld["satudata:role"] = named
        constraints: dict[str, Any] = {}
        role = fld.get("satudata:role")
        if role in ("region", "period") or (present and len(present) == len(col) and rows):
            constraints["required"] = True
        if fld["type"] in NUMERIC and role is None and present:
            values = [parse_limit(fld["type"], v, fld) for v in present]
            unit = unit_from_header(label)
            if unit:
                fld["satudata:unit"] = unit
            if min(values) >= 0:
                constraints["minimum"] = 0
            percent = any(w in n.split("_") for w in _PERCENT_WORDS) or (unit or "").strip() == "%"
            if percent and max(values) <= 100:
                constraints["maximum"] = 100
        if fld["type"] == "string" and role is None:
            distinct = sorted(set(present))
            if 1 <= len(distinct) <= 10 and len(present) >= 4 * len(distinct) and len(present) >= 8:
                constraints["enum"] = distinct
        if constraints:
            fld["constraints"] = constraints
        fields.append(fld)
    for name, period in period_columns({"fields": fields}).items():
        next(f for f in fields if f["name"] == name)["satudata:period"] = period
    schema: dict[str, Any] = {"fields": fields, "missingValues": missing_values}
    pk = _guess_key(fields, columns, missing_values)
    if pk:
        schema["primaryKey"] = pk
    totals = _guess_totals(fields, columns, missing_values)
    if totals:
        schema["satudata:totals"] = totals
    if sheets is not None and fmt != "csv":
        all_sheets = [s.name for s in readers.xlsx_sheets(path)]
        if sheets != all_sheets:
            schema["satudata:sheets"] = sheets
    return schema


def _guess_key(fields: list[dict[str, Any]], columns: list[list[str]], missing: list[str]) -> list[str]:
    idx = {f["name"]: i for i, f in enumerate(fields)}
    key = [f["name"] for f in fields if f.get("satudata:role") == "region"]
    key += [f["name"] for f in fields if f.get("satudata:role") == "period"]
    if not key:
        key = [f["name"] for f in fields if f.get("satudata:role") == "label"][:1]
    if not key:
        return []
    extras = [
        f["name"]
        for f in fields
        if ("enum" in f.get("constraints", {}) or f.get("satudata:role") == "dimension")
        and f["name"] not in key
    ]
    n = len(columns[0]) if columns else 0

    def unique(names: Sequence[str]) -> bool:
        rows = [tuple(columns[idx[k]][r].strip() for k in names) for r in range(n)]
        return len(set(rows)) == len(rows) and not any(all(v in missing for v in row) for row in rows)

    if unique(key):
        return key
    for extra in extras:
        key = [*key, extra]
        if unique(key):
            return key
    return []


def _additive(fields: list[dict[str, Any]]) -> list[str]:
    return [
        f["name"]
        for f in fields
        if f.get("type") in NUMERIC
        and f.get("satudata:role") is None
        and not _is_ratio(f["name"], f.get("satudata:unit"))
    ]


def _guess_totals(
    fields: list[dict[str, Any]], columns: list[list[str]], missing: list[str]
) -> dict[str, Any]:
    totals: dict[str, Any] = {}
    additive = _additive(fields)
    total_cols = [
        f["name"]
        for f in fields
        if norm(_UNIT_IN_HEADER.sub("", f["name"])) in ("jumlah", "total", "jumlah_total", "total_jumlah")
        and f["name"] in additive
    ]
    row_parts = [a for a in additive if a not in total_cols] + total_cols
    if additive:
        region = next((i for i, f in enumerate(fields) if f.get("satudata:role") == "region"), None)
        rows_spec = None
        if region is not None:
            codes = {v.strip() for v in columns[region] if v.strip() not in missing}
            parents = {vocabularies.regions()[c].parent for c in codes if c in vocabularies.regions()}
            if codes & parents:
                rows_spec = {"by": "region", "field": fields[region]["name"], "fields": row_parts}
        if rows_spec is None:
            for i, f in enumerate(fields):
                if f.get("type") != "string":
                    continue
                labels = sorted({v.strip() for v in columns[i] if v.strip().lower() in TOTAL_LABELS})
                if labels:
                    rows_spec = {"field": f["name"], "labels": labels, "fields": row_parts}
                    break
        if rows_spec:
            totals["rows"] = rows_spec
    if total_cols:
        specs = []
        names = [f["name"] for f in fields]
        for total in total_cols:
            pos = names.index(total)
            parts = []
            for name in reversed(names[:pos]):
                if name in additive and name not in total_cols:
                    parts.insert(0, name)
                elif parts:
                    break
            if len(parts) >= 2:
                specs.append({"field": total, "parts": parts})
        if specs:
            totals["columns"] = specs
    return totals
