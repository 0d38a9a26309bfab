"""The shape of an action API call (lib/api_input.py): pure rules, no services."""

from __future__ import annotations

import pytest

from ckanext.satudata_balikpapan.lib import api_input


def _codes(data, strict=False):
    return {(p.field, p.code) for p in api_input.problems(data, strict_text=strict)}


def test_a_well_formed_call_has_no_problem():
    data = {"id": "rahasia-dbd", "rows": "20", "start": 0, "groups": [{"name": "kesehatan"}],
            "resources": [{"id": "abc", "name": "Data 2024", "url": "x.csv"}], "private": True,
            "extras": [], "q": "penduduk", "title": None}  # fmt: skip
    assert api_input.problems(data, strict_text=True) == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"id": 1}, ("id", api_input.NOT_TEXT)),
        ({"package_id": ["a"]}, ("package_id", api_input.NOT_TEXT)),
        ({"owner_org": {"a": 1}}, ("owner_org", api_input.NOT_TEXT)),
        ({"groups": None}, ("groups", api_input.NOT_OBJECTS)),
        ({"tags": ["kesehatan"]}, ("tags", api_input.NOT_OBJECTS)),
        ({"rows": -1}, ("rows", api_input.NOT_INTEGER)),
        ({"offset": 10**30}, ("offset", api_input.NOT_INTEGER)),
        ({"limit": 2.5}, ("limit", api_input.NOT_INTEGER)),
        ({"start": True}, ("start", api_input.NOT_INTEGER)),
        ({"page": "0"}, ("page", api_input.NOT_INTEGER)),
        ({"id": "a\x00b"}, ("id", api_input.NUL)),
        ({"id": "\ud800"}, ("id", api_input.SURROGATE)),
        # at any depth, reported under the top-level field
        ({"resources": [{"id": 5}]}, ("resources", api_input.NOT_TEXT)),
        ({"groups": [{"name": ["x"]}]}, ("groups", api_input.NOT_TEXT)),
    ],
)
def test_each_rule_names_the_field(data, expected):
    assert _codes(data) == {expected}


def test_nul_in_free_text_is_refused_only_for_core_actions():
    """The portal's own actions clean a NUL pasted into a text; CKAN core would store nothing
    and answer 500."""
    data = {"notes": "Jumlah\x00 balita", "extras": [{"key": "a\x00", "value": "b"}]}
    assert _codes(data) == set()
    assert _codes(data, strict=True) == {("notes", api_input.NUL), ("extras", api_input.NUL)}


def test_without_type_rules_only_the_depth_counts():
    """The portal's own actions check types in their schemas, with their own field messages."""
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    data = {"name": ["Budi"], "rows": -1, "id": "a\x00", "x": deep}
    assert {(p.field, p.code) for p in api_input.problems(data, types=False)} == {("x", api_input.NESTED)}


def test_deep_nesting_is_refused_without_recursion():
    deep: object = "x"
    for _ in range(100_000):
        deep = [deep]
    assert _codes({"q": "a", "x": deep}) == {("x", api_input.NESTED)}


def test_not_an_object_is_left_to_ckan():
    assert api_input.problems([1, 2]) == [] and api_input.problems("x") == []
