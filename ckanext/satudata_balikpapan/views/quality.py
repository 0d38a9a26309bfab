"""The quality dashboard, "Dasbor Kualitas Data" (#5): OPDs ranked by the quality of their
data, with charts.

``GET /dasbor-kualitas`` shows everyone the public variant: published datasets only. The
walidata and sysadmins get the full variant at the same address (every dataset, counts by
workflow state), and ``?publik=1`` shows them what the public sees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.satudata_balikpapan.portal import charts, scorecards
from ckanext.satudata_balikpapan.views.common import request_context as _context
from ckanext.satudata_balikpapan.workflow import states

quality = Blueprint("satudata_quality", __name__)


def dashboard_charts(data: dict[str, Any], per_month: list[tuple[str, int]]) -> dict[str, Any]:
    """The dashboard's three charts (inline SVG figures): the mean score of each OPD's
    published datasets, the datasets published per month, and the late datasets per OPD."""
    cards = data["results"]
    scored = [(c["title"], c["published"]["score"]) for c in cards if c["published"]["score"] is not None]
    scope = "all" if data["variant"] == "lengkap" else "published"
    late = sorted(
        ((c["title"], c[scope]["late"]) for c in cards if c[scope]["count"]),
        key=lambda item: (-item[1], item[0].lower()),
    )
    return {
        "score": charts.bar_chart(
            scored, title=tk._("Quality score by OPD (published datasets)"), max_items=60,
            chart_id="satudata-chart-skor-opd",
        ),
        "per_month": charts.bar_chart(
            per_month, title=tk._("Datasets published per month"), horizontal=False,
            chart_id="satudata-chart-terbit-per-bulan",
        ),
        "late": charts.bar_chart(
            late,
            title=tk._("Late datasets by OPD") if scope == "published"
            else tk._("Late datasets by OPD (all datasets)"),
            max_items=60, chart_id="satudata-chart-terlambat-opd",
        ),
    }  # fmt: skip


@quality.route("/dasbor-kualitas")
def dashboard():
    """The quality dashboard: the public variant, or the full one for the walidata."""
    context = _context()
    allowed = scorecards.may_see_full(context)
    full = allowed and not tk.request.args.get("publik")
    today = dt.date.today()
    data = tk.get_action("satudata_opd_scorecard")(context, {"full": full})
    per_month = scorecards.published_per_month(full=full, today=today)
    return tk.render(
        "satudata/quality_dashboard.html",
        {
            "data": data,
            "full": full,
            "may_see_full": allowed,
            "charts": dashboard_charts(data, per_month),
            "per_month": per_month,
            "states": states.STATES,
        },
    )
