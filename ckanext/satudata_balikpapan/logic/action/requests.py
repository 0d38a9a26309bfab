"""Data request actions (permohonan data): create, show, list, assign, change the state."""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from ckan.types import Context, DataDict

from ckanext.satudata_balikpapan.data_requests import mail
from ckanext.satudata_balikpapan.data_requests import service as requests
from ckanext.satudata_balikpapan.lib.client import caller_address
from ckanext.satudata_balikpapan.logic import schema
from ckanext.satudata_balikpapan.model import data_request as db

log = logging.getLogger(__name__)

MAX_LIMIT = 100


def satudata_request_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for data that is not in the portal. Anyone, also anonymous.

    The request goes to the walidata's queue, and to the OPD when one is named. The requester
    receives an e-mail with the private link. The response carries the private link's
    ``token`` and ``follow_url``; they are never shown again. ``mail_queued`` says whether the
    e-mails went into the jobs queue at once; when not (the queue is down), they are sent
    once it is back.

    :param name: the requester's name (required)
    :param email: the requester's e-mail address (required)
    :param institution: the requester's institution (optional)
    :param purpose: what the data will be used for (required)
    :param data_description: which data are needed (required)
    :param period: which period, e.g. "2020-2025" (optional)
    :param area: a Kemendagri region code of Kota Balikpapan, e.g. "64.71.03" (optional)
    :param organization: the OPD that probably holds the data, by name or id (optional)
    :param website: must stay empty (a trap for robots: a request with it is not stored)

    Requests per e-mail address, and anonymous requests per network address, are limited
    (``ckanext.satudata.requests.rate_limit`` per ``..._window`` minutes); the walidata is not
    limited.
    """
    tk.check_access("satudata_request_create", context, data_dict)
    trap = data_dict.get(requests.HONEYPOT)
    if trap not in (None, ""):
        # looks like any accepted request to the robot; nothing is stored, nothing is mailed
        log.info("Satu Data: a data request filled the honeypot field and was dropped")
        return {"stored": False, "state": requests.BARU}
    data, errors = tk.navl_validate(dict(data_dict), schema.data_request_schema(), context)
    if errors:
        raise tk.ValidationError(errors)
    row, token, event = requests.create(context, data, caller_address(), announce=mail.queue)
    queued = mail.flush(event)
    out = requests.view(row, full=True)
    out.update(
        stored=True, token=token, follow_url=requests.follow_url(row["reference"], token), mail_queued=queued
    )
    return out


@tk.side_effect_free
@validate(schema.request_key_schema)
def satudata_request_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A data request with its history.

    Everyone sees what is asked for, the state, the OPD, the reason of a rejection and the
    answering dataset. The requester's name, e-mail, institution and purpose, and the notes of
    the history, are shown only to the walidata, the editors and admins of the assigned OPD,
    sysadmins, and with the private link's token (``personal_data_shown`` says which).

    :param id: the request's reference (e.g. PD-2026-0001) or id
    :param token: the private link's token (optional)
    """
    tk.check_access("satudata_request_show", context, data_dict)
    row = requests.get(data_dict["id"])
    actor = requests.actor_of(context)
    full = requests.may_manage(actor, row) or requests.token_matches(
        row["token_hash"], data_dict.get("token")
    )
    return requests.view(row, full=full)


@tk.side_effect_free
@validate(schema.request_list_schema)
def satudata_request_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Data requests, newest first, without personal data; the walidata (and sysadmins) see the
    requester's contact on every request, an OPD's editors and admins on the requests assigned
    to their OPD.

    :param state: only these states (a list or comma-separated: baru, diproses, dipenuhi, ditolak)
    :param organization: only requests assigned to this OPD (name or id)
    :param limit: how many (default 20, at most 100; 0 gives the count only)
    :param offset: how many to skip (default 0)
    :returns: ``{"count": total, "results": [...]}``
    """
    tk.check_access("satudata_request_list", context, data_dict)
    states = data_dict.get("state") or []
    unknown = [s for s in states if s not in requests.STATES]
    if unknown:
        raise tk.ValidationError(
            {
                "state": [
                    tk._('Unknown status "{state}"; choose one of: {allowed}').format(
                        state=", ".join(unknown), allowed=", ".join(requests.STATES)
                    )
                ]
            }
        )
    org_key = data_dict.get("organization")
    org_id = None
    if org_key:
        group = requests.organization(org_key)
        if group is None:
            raise tk.ValidationError(
                {"organization": [tk._('OPD "{value}" does not exist').format(value=org_key)]}
            )
        org_id = group.id
    limit = min(data_dict["limit"], MAX_LIMIT)
    offset = data_dict["offset"]
    count, rows = db.list_requests(states, org_id, limit, offset)
    actor = requests.actor_of(context)
    results = [requests.view(r, full=requests.may_manage(actor, r), with_events=False) for r in rows]
    return {"count": count, "results": results}


@validate(schema.request_assign_schema)
def satudata_request_assign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Send an open request to the OPD that holds the data. Walidata. The OPD's editors and
    admins and the requester are told by e-mail.

    :param id: the request's reference or id
    :param organization: the OPD (name or id)
    :param note: an optional note for the OPD
    """
    tk.check_access("satudata_request_assign", context, data_dict)
    event = requests.assign(
        context, data_dict["id"], data_dict.get("organization"), data_dict.get("note"), announce=mail.queue
    )
    mail.flush(event)
    return requests.view(requests.get(event["request_id"]), full=True)


@validate(schema.request_state_schema)
def satudata_request_update_state(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a request's state. Walidata, or the editors and admins of the OPD it is assigned
    to. The requester is told by e-mail.

    baru -> diproses, dipenuhi or ditolak; diproses -> dipenuhi or ditolak; dipenuhi and
    ditolak are final.

    :param id: the request's reference or id
    :param state: diproses, dipenuhi or ditolak
    :param reason: the reason (required for ditolak); a note otherwise
    :param dataset: the published dataset that fulfils the request (required for dipenuhi)
    """
    tk.check_access("satudata_request_update_state", context, data_dict)
    event = requests.change_state(
        context,
        data_dict["id"],
        data_dict.get("state"),
        data_dict.get("reason"),
        data_dict.get("dataset"),
        announce=mail.queue,
    )
    mail.flush(event)
    return requests.view(requests.get(event["request_id"]), full=True)
