"""An item's status follows its datasets through the workflow and its release date: nobody
types it, so it cannot say "terbit" for data nobody can download."""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.satudata_balikpapan.daftar_data import status
from ckanext.satudata_balikpapan.daftar_data.status import Linked, derive

PLANNED = dt.date(2026, 6, 30)
BEFORE, AFTER = dt.date(2026, 6, 1), dt.date(2026, 7, 1)


def test_an_item_without_datasets_has_not_started():
    progress = derive(PLANNED, [], BEFORE)
    assert (progress.status, progress.stage, progress.on_time) == ("belum_ada", "belum_ada", None)


@pytest.mark.parametrize(
    ("workflow", "stage"),
    [("draft", "draft"), ("dikembalikan", "draft"), ("ditarik", "draft"), ("diajukan", "diajukan")],
)
def test_the_stage_is_the_workflow_state_of_the_linked_dataset(workflow, stage):
    assert derive(PLANNED, [Linked(workflow)], BEFORE).status == stage


def test_the_furthest_dataset_decides_the_stage():
    linked = [Linked("draft"), Linked("diajukan"), Linked("dikembalikan")]
    assert derive(PLANNED, linked, BEFORE).stage == "diajukan"


def test_a_published_dataset_makes_the_item_published_on_time():
    progress = derive(PLANNED, [Linked("terbit", True, dt.date(2026, 6, 30))], AFTER)
    assert (progress.status, progress.published_on, progress.on_time) == (
        "terbit",
        dt.date(2026, 6, 30),
        True,
    )
    assert not progress.late


def test_published_after_the_date_is_published_but_late():
    progress = derive(PLANNED, [Linked("terbit", True, dt.date(2026, 7, 2))], dt.date(2026, 7, 3))
    assert (progress.status, progress.on_time, progress.late) == ("terbit", False, True)


def test_past_the_date_and_not_published_is_late_whatever_the_stage():
    progress = derive(PLANNED, [Linked("diajukan")], AFTER)
    assert (progress.status, progress.stage, progress.late) == ("terlambat", "diajukan", True)
    assert derive(PLANNED, [], AFTER).status == "terlambat"


def test_the_release_day_itself_is_not_late():
    assert derive(PLANNED, [Linked("draft")], PLANNED).status == "draft"


def test_a_withdrawn_dataset_no_longer_counts_as_published():
    progress = derive(PLANNED, [Linked("ditarik", False, dt.date(2026, 5, 1))], AFTER)
    assert progress.status == "terlambat" and progress.published_on is None


def test_a_published_dataset_under_revision_keeps_the_item_published():
    # an edit of a published dataset is under review while the dataset stays public
    progress = derive(PLANNED, [Linked("diajukan", True, dt.date(2026, 6, 2))], AFTER)
    assert (progress.status, progress.on_time) == ("terbit", True)


def test_the_first_publication_of_the_datasets_still_public_counts():
    linked = [Linked("terbit", True, dt.date(2026, 7, 5)), Linked("terbit", True, dt.date(2026, 6, 10))]
    assert derive(PLANNED, linked, AFTER).published_on == dt.date(2026, 6, 10)


def test_without_a_planned_date_nothing_is_late():
    assert derive(None, [Linked("draft")], dt.date(2030, 1, 1)).status == "draft"
    assert derive(None, [Linked("terbit", True, dt.date(2026, 1, 1))], AFTER).on_time is None


def test_the_shipped_rules_cover_every_workflow_state_and_label_each_status():
    rules = status.rules()
    assert set(rules.stage_of_state.values()) == {"draft", "diajukan", "terbit"}
    for code in status.STATUSES:
        label = rules.label(code)
        assert label is not None and label.text("id") and label.text("en")


def test_a_definition_that_forgets_a_workflow_state_is_refused():
    raw = {
        "stages": [
            {"code": "belum_ada", "label": {"id": "a"}, "workflow": []},
            {"code": "draft", "label": {"id": "b"}, "workflow": ["draft"]},
            {"code": "diajukan", "label": {"id": "c"}, "workflow": ["diajukan"]},
            {"code": "terbit", "label": {"id": "d"}, "workflow": ["terbit"]},
        ],
        "late": {"code": "terlambat", "label": {"id": "e"}},
    }
    with pytest.raises(status.DaftarDataDefinitionError, match="dikembalikan"):
        status.parse(raw)
