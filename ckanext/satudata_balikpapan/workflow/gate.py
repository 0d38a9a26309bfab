"""The publish gate: what the data quality checks let the walidata publish.

:func:`check_publish` runs inside the workflow's ``publish`` step (``workflow.transition``),
so every channel - the ``satudata_publish`` action, the button on the dataset page - passes
through it:

* a file still being checked (``menunggu``) blocks publication until its check is done;
* an **error** blocks publication: the produsen must fix the file;
* a **warning** not yet acknowledged, and a file that could not be checked (``gagal``),
  need the walidata's reason (``override_reason``). The reason goes into the note of the
  publication in the verification history, and each warning is recorded as acknowledged
  for what was seen (the file's bytes and schema, or the dataset's last period): the next
  publication asks again only about what is new.

Files never validated (created before the portal checked files, or by a caller that deferred
the commit) are validated first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import model

from ckanext.satudata_balikpapan.lib import language
from ckanext.satudata_balikpapan.model import quality_ack
from ckanext.satudata_balikpapan.model import resource_validation as validations
from ckanext.satudata_balikpapan.quality import service
from ckanext.satudata_balikpapan.quality.engine.findings import ERROR, WARNING

SHOWN = 5  # findings named in a message


@dataclass
class Clearance:
    """What a publication passes: the note to add to the history and the acknowledgements to
    record (``(resource_id, code, target)``), with the walidata's reason."""

    note: str | None = None
    reason: str | None = None
    acknowledge: list[tuple[str | None, str, str]] = field(default_factory=list)


def _message(finding: dict[str, Any], lang: str) -> str:
    message = finding.get("message")
    text = (message.get(lang) or message.get("id")) if isinstance(message, dict) else str(message or "")
    name = finding.get("resource_name")
    return f"{name}: {text}" if name else text


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:SHOWN])
    return shown + (f"; ... (+{len(items) - SHOWN})" if len(items) > SHOWN else "")


def _codes(codes: list[str]) -> str:
    return ", ".join(sorted(set(codes)))


def open_problems(package_id: str, snap: service.Snapshot | None = None) -> dict[str, Any]:
    """What stands between the dataset and its publication now: ``pending`` (resource names
    being checked), ``errors`` and ``warnings`` (findings of :func:`service.dataset_findings`;
    warnings not yet acknowledged), ``error_count`` (every error occurrence) and ``failed``
    (``[{"resource_id", "resource_name", "error", "target"}]``: files that could not be
    checked and were not acknowledged). Everything comes from one :func:`service.snapshot`
    (``snap``, or read here): each validation row and acknowledgement is read once."""
    snap = snap or service.snapshot(package_id)
    if snap is None:
        return {"pending": [], "errors": [], "error_count": 0, "warnings": [], "failed": [], "rows": {}}
    pending, failed = [], []
    for res in snap.resources:
        row = snap.rows.get(res.id)
        if row is None:
            continue
        if row["status"] == validations.MENUNGGU:
            pending.append(service.resource_label(res))
        elif (
            row["status"] == validations.GAGAL
            and (res.id, service.VALIDATION_FAILED, row.get("fingerprint") or "") not in snap.acks
        ):
            failed.append(
                {
                    "resource_id": res.id,
                    "resource_name": service.resource_label(res),
                    "error": row.get("error"),
                    "target": row.get("fingerprint") or "",
                }
            )
    findings = service.dataset_findings(package_id, snap=snap)
    summary = service.validation_summary(package_id, snap=snap)
    return {
        "pending": pending,
        "errors": [f for f in findings if f.get("severity") == ERROR],
        "error_count": summary["errors"],
        "warnings": [f for f in findings if f.get("severity") == WARNING and not f.get("acknowledged")],
        "failed": failed,
        "rows": snap.rows,
    }


def check_publish(package_id: str, override_reason: str | None, lang: str | None = None) -> Clearance:
    """Whether the dataset may be published now; raises ``tk.ValidationError`` when it may
    not (``kualitas``: files being checked or data errors; ``override_reason``: warnings
    that need the walidata's reason). Returns the :class:`Clearance` to record."""
    lang = lang or language.ui_lang()
    rows = service.check_dataset(package_id)  # the rows as checked, when nothing changed
    problems = open_problems(package_id, service.snapshot(package_id, rows=rows))
    if problems["pending"]:
        raise tk.ValidationError(
            {
                "kualitas": [
                    tk._(
                        "The files of this dataset are still being checked: {names}. "
                        "Publish it once the check is done."
                    ).format(names=", ".join(problems["pending"]))
                ]
            }
        )
    if problems["error_count"]:
        listed = _listed([_message(f, lang) for f in problems["errors"]])
        raise tk.ValidationError(
            {
                "kualitas": [
                    tk._("The dataset still has data errors ({n}): {list}").format(
                        n=problems["error_count"], list=listed
                    )
                ]
            }
        )
    warnings, failed = problems["warnings"], problems["failed"]
    if not warnings and not failed:
        return Clearance()
    codes = [f["code"] for f in warnings] + [service.VALIDATION_FAILED] * len(failed)
    count = len(warnings) + len(failed)
    reason = (override_reason or "").strip()
    if not reason:
        items = [_message(f, lang) for f in warnings]
        items += [
            tk._("{name}: the file could not be checked ({why})").format(
                name=f["resource_name"], why=service.failure_message(f["error"])
            )
            for f in failed
        ]
        raise tk.ValidationError(
            {
                "override_reason": [
                    tk._(
                        "The dataset has warnings the walidata must acknowledge ({n}: {codes}). "
                        "Give a reason to publish it anyway. {list}"
                    ).format(n=count, codes=_codes(codes), list=_listed(items))
                ]
            }
        )
    rows = problems["rows"]
    acknowledge: set[tuple[str | None, str, str]] = set()
    for f in warnings:
        if f.get("resource_id"):
            acknowledge.add((f["resource_id"], f["code"], service.ack_target(rows[f["resource_id"]])))
        else:  # stale: for the dataset's last period
            acknowledge.add((None, f["code"], str((f.get("details") or {}).get("last_period") or "")))
    for f in failed:
        acknowledge.add((f["resource_id"], service.VALIDATION_FAILED, f["target"]))
    note = tk._("Published past {n} warnings ({codes}): {reason}").format(
        n=count, codes=_codes(codes), reason=reason
    )
    return Clearance(
        note=note, reason=reason, acknowledge=sorted(acknowledge, key=lambda a: (a[0] or "", a[1], a[2]))
    )


def record(package_id: str, clearance: Clearance, actor: model.User | None, event_id: str | None) -> None:
    """Record the acknowledgements of a publication (in the caller's transaction)."""
    if not clearance.acknowledge or not clearance.reason:
        return
    quality_ack.acknowledge(
        package_id,
        clearance.acknowledge,
        reason=clearance.reason,
        actor_name=actor.name if actor else None,
        event_id=event_id,
    )
