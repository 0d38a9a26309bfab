"""``ckan satudata ...`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ckanext.satudata_balikpapan.dcat import fragments
from ckanext.satudata_balikpapan.demo import seed
from ckanext.satudata_balikpapan.demo import users as demo
from ckanext.satudata_balikpapan.registry import opd
from ckanext.satudata_balikpapan.registry import sync as registry_sync

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
        f"{len(report.created)} datasets created ({report.files} CSV files), "
        f"{len(report.skipped)} already present"
    )
