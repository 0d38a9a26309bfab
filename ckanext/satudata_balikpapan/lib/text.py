"""Text as the extension stores it: the one rule for cleaning what people type."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable


def clean_text(value: str) -> str:
    """Text as stored: Unicode NFC, Windows line ends made plain, control characters (NUL
    included, which PostgreSQL refuses) removed except tab and new line, lone surrogates
    (which no encoding can write) removed, outer blanks stripped."""
    value = "".join(c for c in value if not "\ud800" <= c <= "\udfff")
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\t\n" or unicodedata.category(c) != "Cc")
    return value.strip()


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A value for a CSV cell that a spreadsheet opens: text that would start a formula
    (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, a tab or carriage return) is prefixed with an
    apostrophe, so that a title or note someone typed is shown, never run. Other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_csv(header: list[str], rows: Iterable[list[object]]) -> str:
    """A CSV text people open in a spreadsheet: a BOM first (Excel then reads UTF-8, and
    "Kecamatan Balikpapan Utara" keeps its accents and dots), every cell
    :func:`spreadsheet_safe`. The one writer of the exports and reports."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
    return out.getvalue()
