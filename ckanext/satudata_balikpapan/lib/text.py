"""Text as the extension stores it: the one rule for cleaning what people type."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """Text as stored: Unicode NFC, Windows line ends made plain, control characters (NUL
    included, which PostgreSQL refuses) removed except tab and new line, outer blanks
    stripped."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(c for c in value if c in "\t\n" or unicodedata.category(c) != "Cc")
    return value.strip()
