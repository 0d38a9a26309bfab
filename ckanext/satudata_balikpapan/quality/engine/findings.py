"""Findings of the data quality checks: stable codes, severities and bilingual messages.

A :class:`Finding` is one problem found in one place of one file (or, for file-level and
dataset-level checks, of the file or dataset as a whole). Its ``code`` is stable: the
dashboard, the publish gate and the API key on it, never on the message text.

Severity (the issue's rule: an *error* blocks publication, a *warning* needs the walidata's
acknowledgement):

* **errors** - the content is wrong or unreadable as described, whoever looks at it:
  ``type_error``, ``missing_value``, ``constraint_error``, ``invalid_region_code``,
  ``duplicate_key``, ``total_mismatch``, ``personal_data`` (a NIK, NIP, mobile number or
  personal e-mail address in a cell: UU 27/2022), and the structural ``header_mismatch``,
  ``malformed_row``, ``file_error``.
* **warnings** - suspicious, but with a legitimate explanation the walidata can confirm:

  - ``duplicate_row``: a row equal in every cell to an earlier one. In a table without key
    columns they can be two real, identical records; in a keyed table it is a row pasted
    twice (the same key with *other* values is a ``duplicate_key`` error);
  - ``unit_mismatch``: a file may carry a second measure (luas next to jumlah penduduk), or
    name the same unit differently;
  - ``extreme_change``: real jumps happen (a new kelurahan, a pandemic year);
  - ``copied_previous_period`` and ``identical_file``: figures that repeat, or a file that
    is byte for byte another resource's, are the signature of "copying last year's
    figures", but also of genuinely stable figures (luas wilayah) or of the same table
    attached to two datasets on purpose. Only a person can tell, so the walidata must
    acknowledge them explicitly; they cannot slip through unseen;
  - ``stale``: late data is still better published than withheld.

Row numbers (``row``) follow the spreadsheet convention, which is also frictionless's
``rowNumber``: the header is row 1 and the first data row is row 2. For a CSV file, a row is
one CSV record (a quoted value may span several lines); empty lines count as rows. For an
XLSX sheet it is the sheet's own row number, as Excel shows it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from ckanext.satudata_balikpapan.quality.engine import personal
from ckanext.satudata_balikpapan.quality.engine.limits import LIMIT_NAMES

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class CodeInfo:
    """A finding code's default severity and its short title in Indonesian and English."""

    severity: str
    title: dict[str, str]


CODES: dict[str, CodeInfo] = {
    "type_error": CodeInfo(ERROR, {"id": "Jenis nilai salah", "en": "Wrong value type"}),
    "missing_value": CodeInfo(ERROR, {"id": "Nilai wajib kosong", "en": "Required value missing"}),
    "constraint_error": CodeInfo(ERROR, {"id": "Nilai di luar aturan", "en": "Value breaks a constraint"}),
    "invalid_region_code": CodeInfo(ERROR, {"id": "Kode wilayah tidak dikenal", "en": "Unknown region code"}),
    "duplicate_key": CodeInfo(ERROR, {"id": "Kunci baris ganda", "en": "Duplicate row key"}),
    "duplicate_row": CodeInfo(WARNING, {"id": "Baris ganda", "en": "Duplicate row"}),
    "total_mismatch": CodeInfo(
        ERROR, {"id": "Jumlah tidak sama dengan rinciannya", "en": "Total differs from its parts"}
    ),
    "unit_mismatch": CodeInfo(WARNING, {"id": "Satuan berbeda", "en": "Unit differs"}),
    "extreme_change": CodeInfo(WARNING, {"id": "Perubahan ekstrem", "en": "Extreme change"}),
    "copied_previous_period": CodeInfo(
        WARNING, {"id": "Sama dengan periode sebelumnya", "en": "Same as an earlier period"}
    ),
    "identical_file": CodeInfo(WARNING, {"id": "Berkas identik", "en": "Identical file"}),
    "stale": CodeInfo(WARNING, {"id": "Pembaruan terlambat", "en": "Update overdue"}),
    "header_mismatch": CodeInfo(
        ERROR, {"id": "Judul kolom tidak sesuai skema", "en": "Header does not match the schema"}
    ),
    "malformed_row": CodeInfo(ERROR, {"id": "Baris rusak", "en": "Malformed row"}),
    "file_error": CodeInfo(ERROR, {"id": "Berkas tidak terbaca", "en": "Unreadable file"}),
    "personal_data": CodeInfo(ERROR, {"id": "Data pribadi", "en": "Personal data"}),
}

TYPE_NAMES = {
    "string": {"id": "teks", "en": "text"},
    "integer": {"id": "bilangan bulat", "en": "a whole number"},
    "number": {"id": "angka", "en": "a number"},
    "year": {"id": "tahun empat angka", "en": "a four-digit year"},
    "date": {"id": "tanggal (TTTT-BB-HH)", "en": "a date (YYYY-MM-DD)"},
    "boolean": {"id": "nilai benar/salah", "en": "a true/false value"},
}


def _limit_message(d: dict[str, Any], lang: str) -> str:
    """A file beyond a reading bound (:mod:`.limits`): which bound, what was found, the bound."""
    limit = str(d.get("limit", ""))
    name = LIMIT_NAMES.get(limit, {}).get(lang, limit)
    value, bound = d.get("value"), d.get("bound")
    if limit == "xml_entities":
        return (
            "berkas ditolak: memuat deklarasi DTD/entitas XML, yang tidak pernah ditulis oleh aplikasi "
            "lembar kerja"
            if lang == "id"
            else "file refused: it holds an XML DTD/entity declaration, which spreadsheet applications "
            "never write"
        )
    if limit == "structure":
        return (
            "berkas ditolak: strukturnya rusak atau menunjuk ke luar berkas itu sendiri"
            if lang == "id"
            else "file refused: its structure is broken or points outside the file"
        )
    if limit == "seconds":
        return (
            f"pemeriksaan berkas dihentikan: melampaui batas waktu {_num(bound)} detik"
            if lang == "id"
            else f"checking stopped: the file passed the {_num(bound)}-second time limit"
        )
    return (
        f"berkas melampaui batas {name}: {_num(value)} (batas {_num(bound)})"
        if lang == "id"
        else f"the file passes the limit on {name}: {_num(value)} (limit {_num(bound)})"
    )


def severity(code: str) -> str:
    """The severity of a finding code: its default in :data:`CODES`; an unknown code (from a
    newer release, or a stored row of a code since retired) counts as an error, so that it
    can never let a dataset through the publish gate unseen."""
    info = CODES.get(code)
    return info.severity if info else ERROR


def _num(value: Any) -> str:
    """A number as people write it: no trailing ``.0``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _q(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f'"{text}"'


def _constraint_text(d: dict[str, Any], lang: str) -> str:
    name, limit = d.get("constraint"), d.get("limit")
    if name == "minimum":
        return (
            f"kurang dari batas bawah {_num(limit)}" if lang == "id" else f"below the minimum {_num(limit)}"
        )
    if name == "maximum":
        return f"lebih dari batas atas {_num(limit)}" if lang == "id" else f"above the maximum {_num(limit)}"
    if name == "exclusiveMinimum":
        return f"harus lebih dari {_num(limit)}" if lang == "id" else f"must be greater than {_num(limit)}"
    if name == "exclusiveMaximum":
        return f"harus kurang dari {_num(limit)}" if lang == "id" else f"must be less than {_num(limit)}"
    if name == "enum":
        allowed = ", ".join(str(v) for v in (limit or [])[:12])
        return f"bukan salah satu dari: {allowed}" if lang == "id" else f"is not one of: {allowed}"
    if name == "pattern":
        return f"tidak cocok dengan pola {limit}" if lang == "id" else f"does not match the pattern {limit}"
    if name == "minLength":
        return (
            f"lebih pendek dari {limit} karakter" if lang == "id" else f"is shorter than {limit} characters"
        )
    if name == "maxLength":
        return (
            f"lebih panjang dari {limit} karakter" if lang == "id" else f"is longer than {limit} characters"
        )
    return f"melanggar aturan {name}" if lang == "id" else f"breaks the constraint {name}"


@dataclass(frozen=True)
class Finding:
    """One problem found by the quality checks.

    ``code`` is a key of :data:`CODES`; ``severity`` is ``"error"`` (blocks publication) or
    ``"warning"`` (needs the walidata's acknowledgement). ``row`` is the 1-based row number
    as a spreadsheet user sees it - the header is row 1, the first data row is row 2, the
    same as frictionless's ``rowNumber`` - or None for a finding about the whole file or
    dataset. ``column`` is the column (field) name, ``sheet`` the XLSX sheet name (None for
    CSV), ``value`` the offending cell as text. ``details`` holds code-specific JSON-safe
    data (the constraint and its limit, the earlier row of a duplicate, ...).
    """

    code: str
    severity: str
    row: int | None = None
    column: str | None = None
    sheet: str | None = None
    value: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, code: str, **kwargs: Any) -> Finding:
        """A finding of ``code`` with that code's default severity."""
        return cls(code=code, severity=CODES[code].severity, **kwargs)

    def where(self, lang: str = "id") -> str:
        """The location as text: sheet, row and column, whichever are known."""
        parts = []
        if self.sheet is not None:
            parts.append(f'Lembar "{self.sheet}"' if lang == "id" else f'Sheet "{self.sheet}"')
        if self.row is not None:
            parts.append(f"baris {self.row}" if lang == "id" else f"row {self.row}")
        if self.column is not None:
            parts.append(f'kolom "{self.column}"' if lang == "id" else f'column "{self.column}"')
        text = ", ".join(parts)
        return text[:1].upper() + text[1:] if text else ""

    def message(self, lang: str = "id") -> str:
        """A readable message naming where and what the problem is, in Indonesian
        (``lang="id"``, the default) or English (``"en"``)."""
        lang = "en" if lang == "en" else "id"
        problem = self._problem(lang)
        where = self.where(lang)
        return f"{where}: {problem}" if where else problem[:1].upper() + problem[1:]

    def _problem(self, lang: str) -> str:
        d, v, id_ = self.details, self.value, lang == "id"
        code = self.code
        if code == "type_error":
            t = TYPE_NAMES.get(d.get("type", ""), {"id": d.get("type", ""), "en": d.get("type", "")})
            return f"nilai {_q(v)} bukan {t['id']}" if id_ else f"value {_q(v)} is not {t['en']}"
        if code == "missing_value":
            if d.get("reason") == "missing_cell":
                return "sel tidak ada (baris terlalu pendek)" if id_ else "cell is absent (row too short)"
            return "nilai wajib diisi tetapi kosong" if id_ else "value is required but empty"
        if code == "constraint_error":
            return (
                f"nilai {_q(v)} {_constraint_text(d, lang)}"
                if id_
                else f"value {_q(v)} {_constraint_text(d, lang)}"
            )
        if code == "personal_data":
            kind = personal.label(str(d.get("kind") or ""), "id" if id_ else "en")
            shown = f" ({d['masked']})" if d.get("masked") else ""
            return (
                f"sel memuat {kind}{shown}: data pribadi tidak boleh diterbitkan (UU 27/2022); "
                "hapus atau samarkan"
                if id_
                else f"the cell holds a {kind}{shown}: personal data must not be published "
                "(UU 27/2022); remove or mask it"
            )
        if code == "invalid_region_code" and d.get("name"):
            named, expected = d["name"], d.get("expected_code")
            if id_:
                hint = f" (kode {named} adalah {expected})" if expected else ""
                return f"kode wilayah {_q(v)} bukan kode {_q(named)}{hint}"
            hint = f" ({named} is {expected})" if expected else ""
            return f"region code {_q(v)} is not the code of {_q(named)}{hint}"
        if code == "invalid_region_code":
            return (
                f"kode wilayah {_q(v)} bukan kode Kemendagri wilayah Kota Balikpapan"
                if id_
                else f"region code {_q(v)} is not a Kemendagri code of a Balikpapan region"
            )
        if code == "duplicate_key":
            cols = ", ".join(d.get("key", []))
            first = d.get("first_row")
            same = d.get("key_value")
            shown = f" ({same})" if same else ""
            return (
                f"kunci baris [{cols}]{shown} sama dengan baris {first}"
                if id_
                else f"row key [{cols}]{shown} repeats row {first}"
            )
        if code == "duplicate_row":
            first = d.get("first_row")
            return (
                f"baris ini sama persis dengan baris {first}"
                if id_
                else f"this row repeats row {first} exactly"
            )
        if code == "total_mismatch":
            total, parts = _num(d.get("total")), _num(d.get("sum"))
            names = [str(p) for p in d.get("parts", [])]
            shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
            if d.get("kind") == "row":
                of_id = f"{len(names)} baris rincian: {shown}"
                of_en = f"{len(names)} part rows: {shown}"
            else:
                of_id = of_en = shown
            return (
                f"jumlah {total} tidak sama dengan jumlah rinciannya {parts} ({of_id})"
                if id_
                else f"total {total} differs from the sum of its parts {parts} ({of_en})"
            )
        if code == "unit_mismatch":
            expected = d.get("expected")
            return (
                f"satuan {_q(v)} berbeda dengan satuan dataset {_q(expected)}"
                if id_
                else f"unit {_q(v)} differs from the dataset's unit {_q(expected)}"
            )
        if code == "extreme_change":
            prev, period, prev_period = _num(d.get("previous")), d.get("period"), d.get("previous_period")
            src = d.get("source")
            src_id = f" di {src}" if src else ""
            src_en = f" in {src}" if src else ""
            key = d.get("key_label") or d.get("key")
            return (
                f"nilai {_q(v)} periode {period} untuk {key} berubah lebih dari {_num(d.get('factor'))}x "
                f"dibanding {prev} pada periode {prev_period}{src_id}"
                if id_
                else f"value {_q(v)} for {key} in period {period} changed more than {_num(d.get('factor'))}x "
                f"against {prev} in period {prev_period}{src_en}"
            )
        if code == "copied_previous_period":
            share = round(100 * float(d.get("share", 0)))
            src = d.get("source")
            src_id = f" di {src}" if src else ""
            src_en = f" in {src}" if src else ""
            return (
                f"{share}% nilai periode {d.get('period')} ({d.get('equal')} dari {d.get('compared')} sel) "
                f"sama dengan periode {d.get('previous_period')}{src_id}"
                if id_
                else f"{share}% of period {d.get('period')}'s values ({d.get('equal')} of "
                f"{d.get('compared')} cells) equal period {d.get('previous_period')}{src_en}"
            )
        if code == "identical_file":
            other, hidden = d.get("other"), int(d.get("unpublished") or 0)
            if id_:
                unpublished = f"{hidden} berkas lain yang belum terbit"
                same_as = f"{other} dan {unpublished}" if other and hidden else other or unpublished
                return f"berkas ini sama persis (byte demi byte) dengan {same_as}"
            files = f"unpublished file{'s' if hidden > 1 else ''}"
            same_as = other or f"{hidden} {files}"
            if other and hidden:
                same_as = f"{other} and {hidden} other {files}"
            return f"this file is byte for byte the same as {same_as}"
        if code == "stale":
            return (
                f"pembaruan {d.get('frekuensi_label_id', d.get('frekuensi'))} terakhir untuk periode "
                f"{d.get('last_period')}; periode berikutnya seharusnya terbit paling lambat "
                f"{d.get('expected_by')} ({d.get('days_overdue')} hari terlambat)"
                if id_
                else f"the last {d.get('frekuensi_label_en', d.get('frekuensi'))} update is for period "
                f"{d.get('last_period')}; the next was due by {d.get('expected_by')} "
                f"({d.get('days_overdue')} days overdue)"
            )
        if code == "header_mismatch":
            kind = d.get("kind")
            if kind == "missing":
                return (
                    "kolom skema ini tidak ada di berkas"
                    if id_
                    else "this schema column is missing from the file"
                )
            if kind == "extra":
                return (
                    "kolom berkas ini tidak dijelaskan di skema"
                    if id_
                    else "this file column is not described in the schema"
                )
            if kind == "duplicate":
                return (
                    "judul kolom ini muncul lebih dari sekali"
                    if id_
                    else "this column header appears more than once"
                )
            if kind == "merged":
                groups = d.get("groups") or [{}]
                g = groups[0]
                parts = ", ".join(_q(x) for x in (g.get("parts") or [])[:4])
                example = _q(d.get("example"))
                return (
                    f"judul kolom ditulis dalam dua baris dengan sel digabung ({_q(g.get('label'))} "
                    f"di atas {parts}), sehingga tabel tidak dapat dibaca. Jadikan satu baris judul "
                    f"dengan satu nama untuk setiap kolom, misalnya {example}, lalu hapus baris "
                    f"judul kedua (baris {d.get('second_row')}) dan gabungan selnya"
                    if id_
                    else f"the column headers take two rows with merged cells ({_q(g.get('label'))} "
                    f"over {parts}), so the table cannot be read. Use one header row with one name "
                    f"per column, e.g. {example}, and delete the second header row (row "
                    f"{d.get('second_row')}) and the merged cells"
                )
            if kind == "blank":
                return (
                    f"kolom ke-{d.get('position')} berisi data tetapi tidak berjudul"
                    if id_
                    else f"column {d.get('position')} holds data but has no header"
                )
            return "judul kolom tidak sesuai skema" if id_ else "header does not match the schema"
        if code == "malformed_row":
            return (
                f"baris berisi {d.get('cells')} sel, lebih banyak dari {d.get('expected')} kolom judul"
                if id_
                else f"row has {d.get('cells')} cells, more than the {d.get('expected')} header columns"
            )
        if code == "file_error":
            if d.get("kind") == "empty":
                return "berkas kosong" if id_ else "the file is empty"
            if d.get("kind") == "limit":
                return _limit_message(d, "id" if id_ else "en")
            return (
                f"berkas tidak dapat dibaca: {d.get('error', '')}"
                if id_
                else f"the file cannot be read: {d.get('error', '')}"
            )
        return CODES.get(code, CodeInfo(self.severity, {"id": code, "en": code})).title[lang]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict: every attribute plus ``title`` and ``message`` in both languages."""
        info = CODES.get(self.code)
        return {
            "code": self.code,
            "severity": self.severity,
            "row": self.row,
            "column": self.column,
            "sheet": self.sheet,
            "value": self.value,
            "details": json_safe(self.details),
            "title": dict(info.title) if info else {"id": self.code, "en": self.code},
            "message": {"id": self.message("id"), "en": self.message("en")},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """The finding that :meth:`to_dict` described (titles and messages are recomputed)."""
        return cls(
            code=data["code"],
            severity=data.get("severity") or CODES[data["code"]].severity,
            row=data.get("row"),
            column=data.get("column"),
            sheet=data.get("sheet"),
            value=data.get("value"),
            details=dict(data.get("details") or {}),
        )


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None and tuples as lists, so ``json.dumps``
    accepts it under ``allow_nan=False``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def dumps(value: Any) -> str:
    """Compact JSON of a JSON-safe value (for size estimates and digests)."""
    return json.dumps(json_safe(value), separators=(",", ":"), sort_keys=True, allow_nan=False)
