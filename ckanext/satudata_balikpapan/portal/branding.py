"""The city's branding of the portal: name, logo and colours, from ``ckanext.satudata.*`` settings.

Colours must be hex colours (``#1a5c99`` or ``#fb0``); an invalid value falls back to the
default with a warning in the log, so that a typo in the config never breaks the pages or
lets arbitrary text into the page's CSS.
"""

from __future__ import annotations

import logging
import re

from ckanext.satudata_balikpapan import config

log = logging.getLogger(__name__)

# After the two brand colours, charts cycle through these (distinguishable for the common
# forms of colour blindness, after Okabe and Ito).
EXTRA_CHART_COLORS = ("#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#0072b2", "#e69f00", "#000000")

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _color(key: str, value: str) -> str:
    default = str(config.declared_default(key))
    if value and HEX_COLOR.match(value):
        return value.lower()
    if value:
        log.warning("%s = %r is not a hex colour such as #00579c; using %s", key, value, default)
    return default


def city_name() -> str:
    """The city's name as the portal shows it (``ckanext.satudata.city_name``)."""
    return config.city_name()


def logo_url() -> str:
    """The logo's URL: a path under the site (``/satudata/logo-kota.svg``) or an absolute URL."""
    return config.logo_url()


def colors() -> dict[str, str]:
    """The primary and secondary brand colours, as validated hex colours."""
    return {
        "primary": _color(config.COLOR_PRIMARY, config.color_primary()),
        "secondary": _color(config.COLOR_SECONDARY, config.color_secondary()),
    }


def chart_colors() -> list[str]:
    """The colours charts cycle through: ``ckanext.satudata.chart_colors`` when set (invalid
    entries skipped), else the primary and secondary colours followed by a colour-blind-safe
    palette."""
    configured = [c.lower() for c in config.chart_colors() if HEX_COLOR.match(c)]
    if configured:
        return configured
    brand = colors()
    return [brand["primary"], brand["secondary"], *EXTRA_CHART_COLORS]


def css_variables() -> str:
    """The ``:root`` rule that hands the brand colours to the portal's stylesheet."""
    brand = colors()
    return f":root{{--satudata-primary:{brand['primary']};--satudata-secondary:{brand['secondary']};}}"
