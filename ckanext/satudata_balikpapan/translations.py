"""The portal's Indonesian catalogue of CKAN core, ckanext-scheming and ckanext-dcat messages.

CKAN reads its own messages from the folder named by ``ckan.i18n_directory``
(``<locale>/LC_MESSAGES/ckan.mo``, default: ``ckan/i18n``), and Flask-Babel merges the catalogues
of the ``ITranslation`` plugins over it. ckanext-scheming has no message domain of its own (its
templates use CKAN's), and ckanext-dcat ships no Indonesian, so one ``ckan`` catalogue carries
all three. This module builds that folder from the sources kept in the repository::

    i18n_overrides/<locale>/ckan.po                 CKAN core: CKAN's official catalogue, completed
    i18n_overrides/<locale>/ckan-2.11.po            messages of CKAN 2.11 that 2.12 no longer has
    i18n_overrides/<locale>/ckanext-scheming.po     ckanext-scheming messages not in CKAN core
    i18n_overrides/<locale>/ckanext-dcat.po         ckanext-dcat messages not in CKAN core
    i18n_overrides/i18n/                            the build output, which ckan.i18n_directory names:
        ckan.pot, <locale>/LC_MESSAGES/ckan.po, <locale>/LC_MESSAGES/ckan.mo

It needs only the standard library and Babel: ``setup.py`` runs it while building, before CKAN
can be imported. Run as a script, it is the back end of ``scripts/i18n.sh``.
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCES_DIR = HERE / "i18n_overrides"
OVERRIDE_DIR = SOURCES_DIR / "i18n"
DOMAIN = "ckan"
CONFIG_KEY = "ckan.i18n_directory"
# The sources of one locale, in merge order. Their message ids must not overlap.
SOURCES = ("ckan.po", "ckan-2.11.po", "ckanext-scheming.po", "ckanext-dcat.po")

_PERCENT = re.compile(r"%(?:\([^)]+\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc]")
_BRACE = re.compile(r"\{[^{}\s]*\}")
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")


def read(path: Path) -> Catalog:
    """Read the PO file ``path``; its locale is the name of the folder it sits in."""
    with path.open("rb") as src:
        return read_po(src, locale=_locale_of(path), abort_invalid=True)


def write(path: Path, catalog: Catalog, **options) -> None:
    """Write ``catalog`` to ``path`` as a PO file, atomically (CKAN may be reading it)."""
    buf = io.BytesIO()
    write_po(buf, catalog, **options)
    _replace(path, buf.getvalue())


def _replace(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)


def _locale_of(path: Path) -> str | None:
    """The locale of a catalogue: the folder ``<locale>/`` or ``<locale>/LC_MESSAGES/`` it is in."""
    if path.suffix == ".pot":
        return None
    folder = path.parent.parent if path.parent.name == "LC_MESSAGES" else path.parent
    try:
        Locale.parse(folder.name)
    except (ValueError, UnknownLocaleError):
        return None
    return folder.name


def _strings(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string or ""]


def _ids(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]


def is_translated(message: Message) -> bool:
    """Whether every form of ``message`` has a translation that is not fuzzy."""
    return not message.fuzzy and all(_strings(message))


def messages(catalog: Catalog) -> Iterator[Message]:
    """The messages of ``catalog``, without its header."""
    return (m for m in catalog if m.id)


def source_files(locale_dir: Path) -> list[Path]:
    """The source catalogues of one locale that exist, in merge order."""
    return [locale_dir / name for name in SOURCES if (locale_dir / name).is_file()]


def locales(sources_dir: Path = SOURCES_DIR) -> list[str]:
    """The locales that have sources."""
    return sorted(d.name for d in sources_dir.iterdir() if d.is_dir() and source_files(d))


def combine(locale_dir: Path) -> Catalog:
    """One catalogue of all the sources of a locale: the first source's header, every message.

    A message id in two sources is an error (each source holds the messages of one package),
    unless only one of them translates it."""
    files = source_files(locale_dir)
    if not files:
        raise FileNotFoundError(f"no source catalogue ({', '.join(SOURCES)}) in {locale_dir}")
    combined = read(files[0])
    combined.header_comment = (
        f"# {combined.locale} messages of CKAN core, ckanext-scheming and ckanext-dcat for Satu Data\n"
        "# Balikpapan. GENERATED by ckanext/satudata_balikpapan/translations.py from\n"
        + "".join(f"#   {f.parent.parent.name}/{f.parent.name}/{f.name}\n" for f in files)
        + "# Do not edit: edit the sources, then run scripts/i18n.sh compile.\n"
        + "# The licences and translators of each source are named in its header."
    )
    origin = {m.id: files[0].name for m in messages(combined)}
    for path in files[1:]:
        for message in messages(read(path)):
            mine = combined.get(message.id, message.context)
            if mine is None:
                combined[message.id] = message
            elif is_translated(message):
                if is_translated(mine) and _strings(mine) != _strings(message):
                    where = f"{origin[message.id]} and {path.name}"
                    raise ValueError(f"{message.id!r} is translated differently in {where}")
                mine.string = message.string
                mine.flags.discard("fuzzy")
            origin.setdefault(message.id, path.name)
    return combined


def template(catalog: Catalog) -> Catalog:
    """The template (.pot) of ``catalog``: its messages and their locations, untranslated."""
    pot = Catalog(project=catalog.project, version=catalog.version, fuzzy=False)
    pot.header_comment = catalog.header_comment.replace("GENERATED", "Template, GENERATED")
    for m in messages(catalog):
        pot.add(
            m.id,
            "" if isinstance(m.id, str) else ("",) * len(m.id),
            locations=m.locations,
            flags=m.flags - {"fuzzy"},
            auto_comments=m.auto_comments,
            context=m.context,
        )
    return pot


def build(sources_dir: Path = SOURCES_DIR, out_dir: Path = OVERRIDE_DIR) -> list[Path]:
    """Build the folder ``ckan.i18n_directory`` points to: per locale, the combined ``ckan.po``
    and its compiled ``ckan.mo``; and ``ckan.pot``, from which CKAN picks the messages of its
    JavaScript modules (``ckan translation js``). Returns the files written."""
    written: list[Path] = []
    pot_messages: dict[object, Message] = {}
    pot_source: Catalog | None = None
    for locale in locales(sources_dir):
        combined = combine(sources_dir / locale)
        po = out_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        write(po, combined, width=76)
        buf = io.BytesIO()
        write_mo(buf, combined)
        _replace(po.with_suffix(".mo"), buf.getvalue())
        written += [po, po.with_suffix(".mo")]
        pot_source = pot_source or combined
        for m in messages(combined):
            pot_messages.setdefault((m.id, m.context), m)
    if pot_source is not None:
        union = Catalog(locale=pot_source.locale, project=pot_source.project)
        union.header_comment = pot_source.header_comment
        for m in pot_messages.values():
            union[m.id] = m
        write(out_dir / f"{DOMAIN}.pot", template(union), width=76)
        written.append(out_dir / f"{DOMAIN}.pot")
    return written


def use_override_catalogue(config: Any) -> str | None:
    """Point ``ckan.i18n_directory`` at the built catalogue folder, unless the site's config
    names a folder already. Called from the plugin's ``update_config``, which CKAN runs before
    it builds the Flask app and its Babel domain. Returns the folder set, if any."""
    if config.get(CONFIG_KEY):
        return None
    if not any(OVERRIDE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
        log.error(
            "%s has no compiled catalogue: CKAN's own Indonesian catalogue is used, mostly untranslated. "
            "Run scripts/i18n.sh compile (or reinstall the package).",
            OVERRIDE_DIR,
        )
        return None
    config[CONFIG_KEY] = str(OVERRIDE_DIR)
    return str(OVERRIDE_DIR)


# --- checks ----------------------------------------------------------------------------------


def placeholders(text: str, percent: bool = True) -> Counter:
    """The placeholders (``%(name)s``, ``%s`` if ``percent``, ``{name}``, ``{0}``) and the HTML
    tags of ``text``."""
    text = text.replace("%%", "").replace("{{", "").replace("}}", "")
    found = Counter(_BRACE.findall(text))
    if percent:
        found.update(_PERCENT.findall(text))
    found.update(f"<{t.lower()}>" for t in _TAG.findall(text))
    return found


def problems(message: Message) -> list[str]:
    """What is wrong with the translation of ``message``: a placeholder or HTML tag lost or
    added, a leading or trailing space or newline lost or added. Empty when untranslated.

    ``%`` placeholders count in messages flagged ``python-format``. A plural's translation
    (Indonesian has one form) needs the plural's placeholders and may use the singular's."""
    if not any(_strings(message)):
        return []
    found = []
    ids = _ids(message)
    percent = "python-format" in message.flags
    need = placeholders(ids[-1], percent)
    allowed = set(need).union(*(placeholders(i, percent) for i in ids))
    for string in (s for s in _strings(message) if s):
        got = placeholders(string, percent)
        exact = len(ids) == 1
        if (got != need) if exact else (any(got[k] < n for k, n in need.items()) or set(got) - allowed):
            found.append(f"placeholders {sorted(need.elements())} != {sorted(got.elements())}")
        for name, probe in (("leading", lambda s: s[:1]), ("trailing", lambda s: s[-1:])):
            if probe(ids[0]).isspace() != probe(string).isspace():
                found.append(f"{name} whitespace differs")
    return found


# --- maintenance -----------------------------------------------------------------------------


@dataclass
class MergeReport:
    """What ``merge`` did."""

    merged: int = 0
    unchanged: int = 0
    fuzzy: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    remaining: int = 0

    def lines(self) -> list[str]:
        """A summary for people."""
        out = [
            f"merged {self.merged} translations ({self.unchanged} already there)",
            f"left untranslated in the target: {self.remaining}",
        ]
        for label, items in (
            ("fuzzy in the chunks, not merged", self.fuzzy),
            ("untranslated in the chunks", self.untranslated),
            ("not in the target catalogue, ignored", self.unknown),
            ("REJECTED (fix them in the chunk and merge again)", self.rejected),
        ):
            if items:
                out.append(f"{label}: {len(items)}")
                out += [f"  {item}" for item in items[:50]]
        return out


def merge(target: Path, chunks: Iterable[Path], overwrite: bool = False) -> MergeReport:
    """Fill the untranslated messages of the source catalogue ``target`` with the translations
    of the ``chunks`` (PO files with the same message ids). Fuzzy and broken translations (see
    ``problems``) are reported, not merged; translations already in ``target`` are kept unless
    ``overwrite``. Writes ``target`` back in place."""
    catalog = read(target)
    report = MergeReport()
    for chunk in chunks:
        for message in messages(read(chunk)):
            label = f"{chunk.name}: {message.id!r}"
            mine = catalog.get(message.id, message.context)
            if mine is None:
                report.unknown.append(label)
            elif message.fuzzy and any(_strings(message)):
                report.fuzzy.append(label)
            elif not is_translated(message):
                report.untranslated.append(label)
            elif broken := problems(message):
                report.rejected.append(f"{label}: {'; '.join(broken)}")
            elif is_translated(mine) and (not overwrite or _strings(mine) == _strings(message)):
                report.unchanged += 1
            else:
                mine.string = message.string
                mine.flags.discard("fuzzy")
                report.merged += 1
    report.remaining = sum(1 for m in messages(catalog) if not is_translated(m))
    if report.merged:
        catalog.revision_date = datetime.now(timezone.utc)
    write(target, catalog, width=76)
    return report


def departures(ours: Path, official: Path) -> Iterator[tuple[str, str, str]]:
    """(message id, official translation, ours) for each message that upstream's ``official``
    catalogue translates and the source catalogue ``ours`` translates differently."""
    mine = read(ours)
    for theirs in messages(read(official)):
        m = mine.get(theirs.id, theirs.context)
        if m is not None and is_translated(theirs) and _strings(m) != _strings(theirs):
            yield _ids(theirs)[0], " | ".join(_strings(theirs)), " | ".join(_strings(m))


def update(
    target: Path, pots: Iterable[Path], official: Path | None = None, exclude: Iterable[Path] = ()
) -> tuple[int, int, int]:
    """Bring the source catalogue ``target`` to the message ids of the templates ``pots`` (after
    an upgrade of CKAN, scheming or dcat). Each message keeps our translation; a new one takes
    the ``official`` catalogue's, if any. Ids of the ``exclude`` templates (CKAN core, for the
    scheming and dcat sources) are left out. Returns (kept, from official, untranslated)."""
    ours = read(target) if target.is_file() else Catalog(locale=_locale_of(target))
    upstream = read(official) if official else None
    skip = {m.id for p in exclude for m in messages(read(p))}
    new = read(target) if target.is_file() else Catalog(locale=_locale_of(target))
    for m in list(messages(new)):
        new.delete(m.id, m.context)
    kept = from_official = untranslated = 0
    for m in (m for pot in pots for m in messages(read(pot))):
        if m.id in skip or new.get(m.id, m.context) is not None:
            continue
        mine = ours.get(m.id, m.context)
        theirs = upstream.get(m.id, m.context) if upstream else None
        string = m.string
        if mine is not None and is_translated(mine):
            string, kept = mine.string, kept + 1
        elif theirs is not None and is_translated(theirs):
            string, from_official = theirs.string, from_official + 1
        else:
            untranslated += 1
        new.add(m.id, string, locations=m.locations, flags=m.flags - {"fuzzy"},
                auto_comments=m.auto_comments, context=m.context)  # fmt: skip
    write(target, new, width=76)
    return kept, from_official, untranslated


def main(argv: list[str] | None = None) -> int:
    """Command line: ``build``, ``merge``, ``update``, ``diff``, ``check`` (see ``--help``)."""
    parser = argparse.ArgumentParser(prog="translations.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="build the ckan.i18n_directory folder from the sources")
    m = sub.add_parser("merge", help="merge translated chunks into a source catalogue")
    m.add_argument("target", type=Path)
    m.add_argument("chunks", type=Path, nargs="+")
    m.add_argument("--overwrite", action="store_true", help="replace existing translations too")
    u = sub.add_parser("update", help="bring a source catalogue to a new upstream template")
    u.add_argument("target", type=Path)
    u.add_argument("pots", type=Path, nargs="+", metavar="POT")
    u.add_argument("--official", type=Path, help="upstream's catalogue of the same locale")
    u.add_argument("--exclude", type=Path, action="append", default=[], help="a template to leave out")
    sub.add_parser("check", help="list broken placeholders in every source catalogue")
    d = sub.add_parser("diff", help="where a source catalogue departs from upstream's translations")
    d.add_argument("target", type=Path)
    d.add_argument("official", type=Path)
    args = parser.parse_args(argv)

    if args.command == "build":
        for path in build():
            print(path)
    elif args.command == "merge":
        report = merge(args.target, args.chunks, overwrite=args.overwrite)
        print("\n".join(report.lines()))
        return 1 if report.rejected else 0
    elif args.command == "update":
        kept, official, missing = update(args.target, args.pots, args.official, args.exclude)
        print(f"{args.target.name}: {kept} kept, {official} official, {missing} to translate")
    elif args.command == "diff":
        rows = list(departures(args.target, args.official))
        for msgid, theirs, ours in rows:
            print(f"{msgid!r}\n    official: {theirs!r}\n    ours:     {ours!r}")
        print(f"{len(rows)} translations depart from {args.official}")
    elif args.command == "check":
        bad = [
            f"{path.relative_to(HERE)}: {m.id!r}: {'; '.join(p)}"
            for locale in locales()
            for path in source_files(SOURCES_DIR / locale)
            for m in messages(read(path))
            if (p := problems(m))
        ]
        print("\n".join(bad) or "no broken placeholders")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
