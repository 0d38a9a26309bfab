"""The build and maintenance of the CKAN, scheming and dcat catalogue (translations.py).

Pure functions on PO files: no services.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.support import Translations

from ckanext.satudata_balikpapan import translations

HEADER = """\
msgid ""
msgstr ""
"Language: id\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""


def _po(path: Path, *entries: tuple[str, str], flags: dict[str, str] | None = None) -> Path:
    flags = flags or {}
    body = "".join(
        (f"#, {flags[msgid]}\n" if msgid in flags else "") + f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'
        for msgid, msgstr in entries
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + body)
    return path


@pytest.fixture
def sources(tmp_path) -> Path:
    src = tmp_path / "src"
    _po(src / "id" / "ckan.po", ("Datasets", "Dataset"), ("Groups", ""))
    _po(src / "id" / "ckanext-scheming.po", ("Select at least one", "Pilih sekurang-kurangnya satu"))
    _po(src / "id" / "ckanext-dcat.po", ("Theme", "Tema"))
    return src


def test_the_build_combines_every_source_into_one_ckan_catalogue(sources, tmp_path):
    out = tmp_path / "out"
    written = translations.build(sources, out)
    assert {p.relative_to(out).as_posix() for p in written} == {
        "id/LC_MESSAGES/ckan.po",
        "id/LC_MESSAGES/ckan.mo",
        "ckan.pot",
    }
    mo = Translations.load(str(out), ["id"], "ckan")
    assert mo.gettext("Datasets") == "Dataset"
    assert mo.gettext("Select at least one") == "Pilih sekurang-kurangnya satu"
    assert mo.gettext("Theme") == "Tema"
    assert mo.gettext("Groups") == "Groups"  # untranslated: CKAN shows the English
    pot = translations.read(out / "ckan.pot")
    assert {m.id for m in translations.messages(pot)} == {
        "Datasets",
        "Groups",
        "Select at least one",
        "Theme",
    }
    assert not any(m.string for m in translations.messages(pot))


def test_two_sources_translating_one_message_differently_are_refused(sources, tmp_path):
    _po(sources / "id" / "ckanext-dcat.po", ("Datasets", "Kumpulan data"))
    with pytest.raises(
        ValueError, match=re.escape("'Datasets' is translated differently in ckan.po and ckanext-dcat.po")
    ):
        translations.build(sources, tmp_path / "out")


def test_merging_chunks_fills_the_gaps_and_reports_what_it_refuses(tmp_path):
    target = _po(
        tmp_path / "id" / "ckan.po",
        ("Datasets", "Dataset"),
        ("Groups", ""),
        ("Showing %(num)s", ""),
        ("Just now", ""),
        ("Member", ""),
    )
    chunk = _po(
        tmp_path / "chunks" / "core-chunk1.po",
        ("Datasets", "Kumpulan data"),  # already translated: kept
        ("Groups", "Grup"),
        ("Showing %(num)s", "Menampilkan"),  # loses its placeholder: refused
        ("Just now", "Baru saja"),  # fuzzy: not merged
        ("Not in the target", "Bukan"),
        flags={"Showing %(num)s": "python-format", "Just now": "fuzzy"},
    )
    report = translations.merge(target, [chunk])
    assert (report.merged, report.unchanged, report.remaining) == (1, 1, 3)
    assert report.rejected == ["core-chunk1.po: 'Showing %(num)s': placeholders ['%(num)s'] != []"]
    assert report.fuzzy == ["core-chunk1.po: 'Just now'"]
    assert report.unknown == ["core-chunk1.po: 'Not in the target'"]
    merged = translations.read(target)
    assert merged.get("Groups").string == "Grup"
    assert merged.get("Datasets").string == "Dataset"


@pytest.mark.parametrize(
    ("msgid", "msgstr", "flags", "problem"),
    [
        ("{actor} updated {dataset}", "{actor} memperbarui {dataset}", set(), None),
        ("{actor} updated {dataset}", "{actor} memperbarui", set(), "placeholders"),
        ("Hello %(name)s", "Halo %(nama)s", {"python-format"}, "placeholders"),
        ("100% done", "100% selesai", set(), None),  # not python-format: % is text
        ("Please <a href='%s'>log in</a>", "Silakan masuk", {"python-format"}, "placeholders"),
        (" found for", "ditemukan untuk", set(), "leading whitespace differs"),
        ("Line\n", "Baris", set(), "trailing whitespace differs"),
    ],
)
def test_a_translation_keeps_placeholders_tags_and_edge_whitespace(msgid, msgstr, flags, problem):

    found = translations.problems(Message(msgid, msgstr, flags=flags))
    assert (found == []) if problem is None else any(problem in p for p in found)


def test_a_plural_may_spell_out_the_singular_count():

    ok = Message(("{num} Dataset", "{num} Datasets"), ("{num} Dataset",))
    assert translations.problems(ok) == []
    lost = Message(("{num} Dataset", "{num} Datasets"), ("Dataset",))
    assert translations.problems(lost)


def test_the_plugin_points_ckan_at_the_catalogue_only_when_the_site_did_not(monkeypatch, tmp_path):
    built = tmp_path / "i18n"
    (built / "id" / "LC_MESSAGES").mkdir(parents=True)
    (built / "id" / "LC_MESSAGES" / "ckan.mo").write_bytes(b"")
    monkeypatch.setattr(translations, "OVERRIDE_DIR", built)

    config = {"ckan.i18n_directory": ""}
    assert translations.use_override_catalogue(config) == str(built)
    assert config["ckan.i18n_directory"] == str(built)

    mine = {"ckan.i18n_directory": "/srv/ckan/i18n"}
    assert translations.use_override_catalogue(mine) is None
    assert mine == {"ckan.i18n_directory": "/srv/ckan/i18n"}


def test_an_unbuilt_catalogue_leaves_ckan_its_own_and_says_how_to_build_it(monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(translations, "OVERRIDE_DIR", tmp_path / "missing")
    # test.ini keeps ckanext logs from the root logger, and a logging setup may disable loggers
    monkeypatch.setattr(translations.log, "disabled", False)
    translations.log.addHandler(caplog.handler)
    config: dict[str, str] = {}
    try:
        assert translations.use_override_catalogue(config) is None
    finally:
        translations.log.removeHandler(caplog.handler)
    assert config == {}
    assert "scripts/i18n.sh compile" in caplog.text
