"""The language of the current user interface: the one home of "which language do we speak".

The portal speaks Bahasa Indonesia by default and English on request (``/en/...``). Outside a
request (a background job, the CLI) there is no user to ask, and the answer is Indonesian:
what the portal writes for later readers (notes, e-mails) is written in the portal's language.
"""

from __future__ import annotations

import ckan.plugins.toolkit as tk

DEFAULT = "id"
LANGUAGES = ("id", "en")


def current() -> str:
    """The UI language of the current request, as CKAN names it (``id``, ``en``);
    ``id`` outside a request."""
    try:
        return tk.h.lang() or DEFAULT
    except (AttributeError, RuntimeError, TypeError):  # no request, no app
        return DEFAULT


def ui_lang() -> str:
    """``"en"`` or ``"id"``: the language of the bilingual texts (vocabulary labels, finding
    messages) the current request should read."""
    return "en" if current() == "en" else "id"


def gettext(message: str) -> str:
    """``message`` translated for the current request; itself outside one."""
    try:
        return tk._(message)
    except (AttributeError, RuntimeError, TypeError):
        return message


def text_of(value: object, lang: str | None = None) -> str:
    """A bilingual text (``{"id": ..., "en": ...}``) in ``lang`` (default: the UI language),
    falling back to Indonesian, then to any language; plain text as it is."""
    if isinstance(value, dict):
        lang = lang or ui_lang()
        return str(value.get(lang) or value.get(DEFAULT) or next(iter(value.values()), ""))
    return "" if value is None else str(value)
