"""``ckan satudata ...`` commands."""

from __future__ import annotations

import collections
import json
import time
from pathlib import Path

import click
import yaml

from ckanext.satudata_balikpapan.daftar_data import reminders
from ckanext.satudata_balikpapan.dcat import fragments
from ckanext.satudata_balikpapan.demo import seed
from ckanext.satudata_balikpapan.demo import users as demo
from ckanext.satudata_balikpapan.legacy import service as legacy
from ckanext.satudata_balikpapan.legacy import source as legacy_source
from ckanext.satudata_balikpapan.lib import outage
from ckanext.satudata_balikpapan.model import APPEND_ONLY, chain
from ckanext.satudata_balikpapan.ops import backup, scheduler
from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.registry import sync as registry_sync
from ckanext.satudata_balikpapan.workflow import reconcile as reconciler

# Registered by tk.blanket.cli on the plugin.
__all__ = ["satudata"]


@click.group(short_help="Satu Data Balikpapan: administration commands")
def satudata() -> None:
    """Administration commands of the Satu Data Balikpapan portal."""


@satudata.command("demo-users")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the users, their roles and fresh API tokens to this JSON file.",
)
@click.option(
    "--password",
    envvar="SATUDATA_DEMO_PASSWORD",
    default=demo.DEFAULT_PASSWORD,
    show_default=True,
    help="Password given to every demo user.",
)
@click.option("--site-url", default=None, help="Site URL recorded in the JSON file.")
def demo_users(output: Path | None, password: str, site_url: str | None) -> None:
    """Create (or update) the demo sysadmin, walidata, produsen, pembina and public users.

    Safe to re-run: existing users are updated, and each user's previous demo API token is
    revoked before a new one is issued.
    """
    result = demo.ensure_demo_users(password=password)
    if site_url:
        result["site_url"] = site_url
    for name, user in result["users"].items():
        click.echo(f"  {name:<24} {user['role']:<10} {user['organization'] or '-'}")
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        output.chmod(0o600)
        click.secho(f"API tokens written to {output}", fg="green")


@satudata.group("opd")
def opd_group() -> None:
    """The OPD registry and its organisations."""


@opd_group.command("sync")
@click.option(
    "--file",
    "-f",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Registry YAML to apply (default: the registry shipped with the extension).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change and change nothing.")
def opd_sync(path: Path | None, dry_run: bool) -> None:
    """Create and update one organisation per OPD of the registry, idempotently.

    An OPD that names predecessors receives their datasets and members; each move is
    reported, and the emptied predecessor organisation is retired. No dataset is deleted.
    """
    try:
        registry = opd.load_registry(path)
    except opd.RegistryError as exc:
        raise click.ClickException(f"registry not valid: {exc}") from exc
    report = registry_sync.sync(registry, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)


@satudata.command("dcat-warm")
@click.option("--dataset", "datasets", multiple=True, help="Only this dataset, by name or id (repeatable).")
def dcat_warm(datasets: tuple[str, ...]) -> None:
    """Render the DCAT feed fragments of the published datasets ahead of harvesters.

    Catalogue pages are joined from per-dataset fragments kept in Redis; fragments are keyed
    on the day, so run this daily after midnight (cron) and after an upgrade. Fragments
    already rendered are kept.
    """

    if not fragments.enabled():
        raise click.ClickException("ckanext.satudata.dcat.fragment_ttl is 0: fragments are off")
    count = fragments.warm(list(datasets) or None)
    click.echo(f"{count} published datasets rendered in {len(fragments.FORMATS)} formats")


def _organization_map(path: Path | None) -> dict[str, str]:
    """An organisation mapping file: YAML ``old name or title: OPD code``, or CSV with the
    columns ``organisasi_lama,opd``."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        rows = [line.split(",", 1) for line in text.splitlines()[1:] if "," in line]
        return {old.strip(): code.strip() for old, code in rows}
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise click.ClickException(f"{path}: not YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise click.ClickException(f"{path}: expected lines of 'old organisation: OPD code'")
    return {str(k): str(v) for k, v in raw.items()}


@satudata.command("migrate")
@click.option(
    "--dump",
    "dump",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A ckanapi 'dump datasets' file (JSON lines, optionally .gz).",
)
@click.option("--source-url", help="The old portal's address (its action API), e.g. https://data.kota.go.id")
@click.option(
    "--api-key",
    envvar="SATUDATA_MIGRATE_API_KEY",
    help="A sysadmin API token of the old portal (private and draft datasets, their files).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Read and map everything, change nothing; the report says what would happen.",
)
@click.option(
    "--report",
    "report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here: one CSV row a dataset.",
)
@click.option("--as-draft", is_flag=True, help="Every dataset arrives as a draft, also the public ones.")
@click.option(
    "--org-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Old organisations the registry does not recognise -> OPD codes (YAML or CSV).",
)
def migrate(
    dump: Path | None, source_url: str | None, api_key: str | None, dry_run: bool, report: Path | None,
    as_draft: bool, org_map: Path | None,
) -> None:  # fmt: skip
    """Migrate the datasets of a stock CKAN portal: ids, names, files and DataStore tables.

    Safe to re-run: an unchanged dataset is left alone, a changed one updated, and a run that
    stopped half-way goes on where it stopped. See README "Migrating from an existing CKAN
    portal".
    """
    if bool(dump) == bool(source_url):
        raise click.UsageError("give either --dump FILE or --source-url URL")
    try:
        source = (
            legacy_source.DumpSource(dump, api_key=api_key) if dump
            else legacy_source.ApiSource(str(source_url), api_key=api_key)
        )  # fmt: skip
        total = source.count()
    except legacy_source.SourceError as exc:
        raise click.ClickException(f"cannot read the old portal: {exc}") from exc
    options = legacy.Options(dry_run=dry_run, as_draft=as_draft, organization_map=_organization_map(org_map))
    outcomes: list[legacy.Outcome] = []
    started = time.monotonic()
    try:
        with click.progressbar(
            length=total or 0, label="Migrasi", show_pos=True, file=click.get_text_stream("stderr")
        ) as bar:
            for outcome in legacy.migrate(source, options):
                outcomes.append(outcome)
                bar.update(1)
    except legacy_source.SourceError as exc:
        raise click.ClickException(f"the old portal stopped answering: {exc} (run again to go on)") from exc
    finally:
        if report:
            report.parent.mkdir(parents=True, exist_ok=True)
            legacy.write_report(outcomes, report)
    counts = collections.Counter(o.outcome for o in outcomes)
    click.echo(
        f"{len(outcomes)} datasets in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{counts[k]} {k}" for k in sorted(counts))
        + f"; {sum(o.files for o in outcomes)} files copied"
        + (" (dry run: nothing changed)" if dry_run else "")
    )
    for outcome in outcomes:
        if outcome.outcome in (legacy.SKIPPED, legacy.FAILED):
            click.echo(f"  {outcome.outcome:<10} {outcome.old_name}: {'; '.join(outcome.problems)}")
    if report:
        click.secho(f"Report written to {report}", fg="green")
    if counts[legacy.FAILED]:
        raise SystemExit(1)


@satudata.command("seed-demo")
@click.option("--refresh", is_flag=True, help="Re-create demo datasets that already exist.")
@click.option("--only", multiple=True, help="Seed only this dataset (repeatable).")
def seed_demo(refresh: bool, only: tuple[str, ...]) -> None:
    """Create the demo catalogue: Satu Data datasets of many OPDs with yearly CSV files.

    The figures are synthetic but plausible demo data, not official statistics. Safe to
    re-run: existing datasets are left alone unless --refresh.
    """
    report = seed.seed(only=list(only) or None, refresh=refresh)
    for name in report.created:
        click.echo(f"+ {name} ({report.states[name]})")
    click.echo(
        f"{len(report.created)} datasets created ({report.files} files), "
        f"{report.daftar_data} Daftar Data items, "
        f"{len(report.skipped)} already present"
    )


def _print_drift(drift: reconciler.Drift) -> None:
    click.echo(
        f"{drift.checked} datasets checked: {len(drift.missing)} missing from the index, "
        f"{len(drift.orphaned)} orphaned in it, {len(drift.stale)} stale"
        + (f"; {drift.repaired} repaired" if drift.repaired else "")
    )
    for kind in ("missing", "orphaned", "stale"):
        for package_id in getattr(drift, kind):
            click.echo(f"  {kind:<9} {package_id}")


@satudata.command("reconcile")
@click.option(
    "--repair", is_flag=True, help="Rewrite the stale and missing documents, delete the orphaned ones."
)
def reconcile(repair: bool) -> None:
    """Compare the search index with the database (the truth) and report the drift.

    Exits with status 1 when drift was found and not repaired (for monitoring).
    """
    try:
        drift = reconciler.reconcile(repair=repair)
    except outage.ServiceUnavailable as exc:
        cause = exc.__cause__
        detail = f" ({type(cause).__name__}: {str(cause)[:300]})" if cause else ""
        message = f"the {exc.service} service is unavailable; nothing was compared{detail}"
        raise click.ClickException(message) from exc
    _print_drift(drift)
    if drift.total and not repair:
        raise SystemExit(1)


@satudata.command("sweep")
@click.option("--every", type=click.IntRange(min=0), default=0, help="Repeat every N seconds (0: once).")
@click.option(
    "--stuck-minutes",
    type=click.IntRange(min=0),
    default=None,
    help="Count queued work older than this as lost (default: ckanext.satudata.sweep.stuck_minutes; "
    "0 after a known outage, to queue everything unfinished now).",
)
def sweep(every: int, stuck_minutes: int | None) -> None:
    """Heal what outages left behind, without a person.

    Queues again the e-mails and validations that a Redis outage or a killed worker lost
    (at most ckanext.satudata.sweep.max_attempts times, then marks them failed with the
    reason), repairs the search index from the database (reconcile --repair) and drops the
    DataStore staging tables of loads that died. Production runs it through
    `ckan satudata scheduler`, which also warms the DCAT feed daily and runs once per site.
    """
    while True:
        result = scheduler.sweep_once(stuck_minutes)
        drift = result.get("index")
        index = (
            f"{drift.total} drifted, {drift.repaired} repaired"
            if isinstance(drift, reconciler.Drift)
            else drift
        )
        click.echo(
            f"outbox: {result['outbox']}; validation: {result['validation']}; index: {index}; "
            f"DataStore stages dropped: {result['stages']}"
        )
        if not every:
            return
        time.sleep(every)


@satudata.group("daftar-data")
def daftar_data_group() -> None:
    """The Daftar Data: what each OPD owes in a year."""


@daftar_data_group.command("remind")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to send for (default: today on the portal's clock).")  # fmt: skip
def daftar_data_remind(day) -> None:
    """Send the day's reminders: to an OPD, its unpublished items due soon or late; on the
    digest's weekday, the walidata's weekly digest. Each goes out once: a second run the same
    day sends nothing. The scheduler runs this daily (ckanext.satudata.scheduler.reminders_at).
    """
    counts = reminders.send_due(day.date() if day else None)
    soon, late, digest = counts["soon"], counts["late"], counts["digest"]
    click.echo(f"reminders queued: {soon} due soon, {late} late, {digest} digest")


@satudata.group("history")
def history() -> None:
    """The append-only record: verification history, quality acknowledgements, data requests."""


@history.command("verify")
def history_verify() -> None:
    """Check the hash chain of every append-only table; exit 1 if any row was altered,
    removed or inserted behind the portal's back. Prints each chain's head: note it down
    elsewhere (only that detects the removal of the newest rows)."""
    broken = False
    for table in APPEND_ONLY:
        report = chain.verify(table)
        state = "intact" if report.intact else f"BROKEN ({len(report.problems)} problems)"
        click.echo(
            f"{report.table}: {report.rows} rows, {state}; head {report.head_seq} {report.head_hash[:16]}"
        )
        for problem in report.problems[:50]:
            click.echo(f"  {problem.kind:<12} seq={problem.seq} id={problem.row_id}")
        broken = broken or not report.intact
    if broken:
        raise SystemExit(1)


@satudata.command("scheduler")
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds between rounds (default: ckanext.satudata.scheduler.every).",
)
@click.option(
    "--rounds", type=click.IntRange(min=1), default=None, help="Stop after N rounds (default: never)"
)
def run_scheduler(every: int | None, rounds: int | None) -> None:
    """The site's one scheduler: the sweeper every round, the DCAT warm-up once a day.

    Start it on every node under the process supervisor: the copies elect one holder through a
    lock in Redis, the others stand by and take over within three rounds when it dies.
    """

    def report(result: dict) -> None:
        click.echo(json.dumps(result, default=str, ensure_ascii=False), nl=True)

    scheduler.Scheduler(every=every).run(rounds=rounds, report=report)


@satudata.group("backup")
def backup_group() -> None:
    """Backup sets: create one, verify one, restore one on an empty host (README, Backups)."""


@backup_group.command("create")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder that receives the set (a folder satudata-backup-<time> inside it).",
)
@click.option(
    "--keep", type=click.IntRange(min=1), default=None, help="Then delete all but the newest N sets."
)
def backup_create(output: Path, keep: int | None) -> None:
    """Write one restorable set: both databases, the uploaded files and a manifest."""
    try:
        target = backup.create(output)
        removed = backup.prune(output, keep) if keep else []
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    manifest = backup.read_manifest(target)
    tables = sum(len(d["tables"]) for d in manifest["databases"].values())
    click.echo(
        f"{target}: {tables} tables, {manifest['files']['count']} files; {len(removed)} old sets removed"
    )


@backup_group.command("verify")
@click.argument("backup_set", type=click.Path(exists=True, file_okay=False, path_type=Path))
def backup_verify(backup_set: Path) -> None:
    """Check a set's parts against their checksums and that the dumps are readable; exit 1 if not."""
    try:
        manifest = backup.verify(backup_set)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{backup_set}: intact ({len(manifest['parts'])} parts, created {manifest['created']})")


@backup_group.command("restore")
@click.argument("backup_set", type=click.Path(exists=True, file_okay=False, path_type=Path))
def backup_restore(backup_set: Path) -> None:
    """Restore a set into this site's empty databases and storage, rebuild the search index,
    and compare every table with the manifest (exit 1 on any difference)."""
    try:
        report = backup.restore(backup_set)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"restored {len(report.tables)} tables, {report.files} files; {report.indexed} datasets indexed"
    )
    for line in report.mismatches:
        click.echo(f"  MISMATCH {line}")
    if report.mismatches:
        raise SystemExit(1)
