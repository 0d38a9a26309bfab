"""Template helpers (registered by ``tk.blanket.helpers``)."""

from __future__ import annotations

from typing import Any

from ckanext.satudata_balikpapan import vocabularies

__all__ = [
    "satudata_vocabulary_choices",
    "satudata_wilayah_choices",
]


def satudata_vocabulary_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper``: the choices of the vocabulary named by the field's
    ``vocabulary`` key, with bilingual labels; ``allow_other`` adds "Lainnya" (other, specify)."""
    choices = vocabularies.vocabulary(field["vocabulary"]).choices()
    if field.get("allow_other"):
        choices.append(
            {
                "value": vocabularies.OTHER,
                "label": {"id": "Lainnya (sebutkan)", "en": "Other (specify)"},
            }
        )
    return choices


def satudata_wilayah_choices(field: dict[str, Any]) -> list[dict[str, Any]]:
    """Scheming ``choices_helper`` for Kemendagri region codes: the city, its kecamatan and
    kelurahan, each labelled with its code and name (kelurahan with their kecamatan)."""
    regions = vocabularies.regions()
    out = []
    for code, region in regions.items():
        if region.level == "kelurahan":
            parent = regions[region.parent].name if region.parent else ""
            text = f"{code} Kel. {region.name} ({parent})"
        elif region.level == "kecamatan":
            text = f"{code} Kec. {region.name}"
        else:
            text = f"{code} {region.name}"
        out.append({"value": code, "label": text})
    return out
