"""The demo catalogue: realistic Satu Data datasets with yearly CSV files, and a few files laid
out as OPD clerks and BPS lay them out (a wide table, a workbook with notes).

``data/demo_catalogue.yaml`` describes each dataset (its Satu Data metadata) and the series
its files hold (regions, years, columns with a base value, growth and noise). The figures are
synthetic but plausible for Kota Balikpapan; they are generated deterministically (a random
generator seeded by the dataset name), so every seed produces the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import ckan.plugins.toolkit as tk
import openpyxl
import yaml
from werkzeug.datastructures import FileStorage

from ckanext.satudata_balikpapan.demo import users as demo
from ckanext.satudata_balikpapan.lib import clock
from ckanext.satudata_balikpapan.registry import roles, vocabularies


@cache
def catalogue() -> dict[str, Any]:
    """The demo catalogue definitions, read once."""
    text = resources.files("ckanext.satudata_balikpapan").joinpath("data/demo_catalogue.yaml")
    return yaml.safe_load(text.read_text(encoding="utf-8"))


def _regions(by: str, within: list[str]) -> list[tuple[str, str, str | None]]:
    """(code, name, kecamatan) of the rows of a series presented ``by`` kota, kecamatan or
    kelurahan, limited to the area ``within`` (codes)."""
    regions = vocabularies.regions()
    scope = [c for c in within if c in regions] or [vocabularies.KOTA_CODE]
    rows = []
    for code, region in regions.items():
        if region.level != by:
            continue
        inside = any(code == s or code.startswith(s + ".") for s in scope)
        if inside:
            kec = code if by == "kecamatan" else region.parent if by == "kelurahan" else None
            rows.append((code, region.name, kec))
    return rows


def _rng(name: str) -> random.Random:
    return random.Random(zlib.crc32(name.encode()))


def _is_sum(col: dict[str, Any]) -> bool:
    return col.get("aggregate", "sum") == "sum"


def _cell(col: dict[str, Any], age: int, share: float, offset: float, rng: random.Random):
    """One value: the column's base grown ``age`` years, split by ``share`` (sums) or shifted
    by the region's ``offset`` (rates), with noise; rounded to the column's decimals."""
    trend = col["base"] * (1 + col.get("growth", 0)) ** age
    noise = 1 + rng.gauss(0, col.get("noise", 0.01))
    value = max(trend * (share if _is_sum(col) else 1 + offset) * noise, 0)
    decimals = col.get("decimals", 0)
    return round(value, decimals) if decimals else round(value)


def series_tables(spec: dict[str, Any], weights: dict[str, float]) -> dict[int, str]:
    """The CSV text of each year of a dataset's series."""
    series = spec["series"]
    by = series["by"]
    first, last = series["years"]
    rng = _rng(spec["name"])
    rows = _regions(by, spec.get("kode_wilayah") or [])
    # region weights: kecamatan shares, split over their kelurahan with a fixed jitter
    kel_count: dict[str, int] = {}
    for _, _, kec in rows:
        if kec:
            kel_count[kec] = kel_count.get(kec, 0) + 1
    share = {}
    for code, _, kec in rows:
        if by == "kota":
            share[code] = 1.0
        elif by == "kecamatan":
            share[code] = weights.get(code, 1 / 6)
        else:
            share[code] = weights.get(kec, 1 / 6) / kel_count[kec] * rng.uniform(0.7, 1.3)
    total = sum(share.values())
    share = {c: s / total for c, s in share.items()}  # the rows split the total
    # stable regional differences of rates; a city-level series has no regions to differ
    offsets = {code: 0.0 if by == "kota" else rng.gauss(0, 0.06) for code, _, _ in rows}
    columns = series["columns"]
    total_col = series.get("total_column")
    header = ([] if by == "kota" else ["kode_wilayah", "nama_wilayah"]) + ["tahun"]
    header += [c["name"] for c in columns] + ([total_col] if total_col else [])

    tables: dict[int, str] = {}
    for year in range(first, last + 1):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for code, name, _ in rows:
            values = [_cell(col, year - first, share[code], offsets[code], rng) for col in columns]
            if total_col:
                summed = [v for v, c in zip(values, columns, strict=True) if _is_sum(c)]
                exact = any(isinstance(v, float) for v in summed)
                values.append(round(sum(summed), 2) if exact else sum(summed))
            lead = [] if by == "kota" else [code, name]
            writer.writerow([*lead, year, *values])
        tables[year] = out.getvalue()
    if series.get("copy_last_year") and last - 1 in tables:
        tables[last] = _relabelled(tables[last - 1], last)
    return tables


@dataclass(frozen=True)
class ExtraFile:
    """A file of a series beside its yearly CSV files (``series.extra`` in the catalogue)."""

    filename: str
    name: str
    fmt: str
    content: bytes
    mimetype: str


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEMO_NOTE = "Keterangan: data contoh (sintetis), bukan statistik resmi"


def _rows(text: str) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], rows[1:]


def _number(text: str) -> float | int:
    return float(text) if "." in text else int(text)


def wide_table(spec: dict[str, Any], tables: dict[int, str], extra: dict[str, Any]) -> bytes:
    """One column of a series as the BPS layout has it: rows = regions, columns = years, with
    a title above and the source below (the wide table the quality checks read per year)."""
    years = sorted(tables)
    column = extra["column"]
    by_region: dict[tuple[str, str], dict[int, str]] = {}
    for year in years:
        header, rows = _rows(tables[year])
        i = header.index(column)
        for row in rows:
            by_region.setdefault((row[0], row[1]), {})[year] = row[i]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f"{extra['title']}, {years[0]}-{years[-1]}"])
    writer.writerow([f"Satuan: {spec.get('satuan', '')}"])
    writer.writerow(["kode_wilayah", "nama_wilayah", *map(str, years)])
    for (code, name), values in by_region.items():
        writer.writerow([code, name, *(values.get(y, "") for y in years)])
    writer.writerow([])
    writer.writerow([f"Sumber: {extra['source']}"])
    writer.writerow([DEMO_NOTE])
    return out.getvalue().encode("utf-8")


def notes_workbook(spec: dict[str, Any], tables: dict[int, str], extra: dict[str, Any]) -> bytes:
    """The series as a clerk's workbook: one sheet per year, each with a title and a unit line
    above the header, and the source and a note below the figures."""
    book = openpyxl.Workbook(write_only=True)
    for year, text in sorted(tables.items()):
        header, rows = _rows(text)
        sheet = book.create_sheet(str(year))
        sheet.append([f"{extra['title']}, {year}"])
        sheet.append([f"Satuan: {spec.get('satuan', '')}"])
        sheet.append([])
        sheet.append(header)
        for row in rows:
            sheet.append([cell if i < 2 else _number(cell) for i, cell in enumerate(row)])
        sheet.append([])
        sheet.append([f"Sumber: {extra['source']}"])
        sheet.append([DEMO_NOTE])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def extra_files(spec: dict[str, Any], tables: dict[int, str]) -> list[ExtraFile]:
    """The files of ``series.extra``: ``layout: wide`` (one column of every year, years as
    columns) or ``layout: workbook`` (every year's table, a sheet each, with notes)."""
    out = []
    first, last = spec["series"]["years"]
    for extra in spec["series"].get("extra") or []:
        stem = f"{spec['name']}-{first}-{last}"
        if extra["layout"] == "wide":
            out.append(ExtraFile(f"{stem}-tabel-lebar.csv", f"{extra['title']} {first}-{last}", "CSV",
                                 wide_table(spec, tables, extra), "text/csv"))  # fmt: skip
        elif extra["layout"] == "workbook":
            out.append(ExtraFile(f"{stem}.xlsx", f"{extra['title']} {first}-{last}", "XLSX",
                                 notes_workbook(spec, tables, extra), XLSX_MIMETYPE))  # fmt: skip
    return out


def _relabelled(text: str, year: int) -> str:
    """A year's CSV table with its ``tahun`` set to ``year``: the same figures, copied."""
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("tahun")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows([*row[:column], str(year), *row[column + 1 :]] for row in rows[1:])
    return out.getvalue()


def dataset_dict(spec: dict[str, Any]) -> dict[str, Any]:
    """The package_create data of a catalogue entry (its files are added separately)."""
    data = {k: v for k, v in spec.items() if k != "series"}
    first, last = spec["series"]["years"]
    data["periode_awal"] = str(first)
    data["periode_akhir"] = str(last) if last != first else ""
    data["tags"] = [{"name": t} for t in spec.get("tags", [])]
    contact = spec.get("penanggung_jawab")
    data["penanggung_jawab"] = contact if isinstance(contact, list) else [contact]
    return data


@dataclass
class SeedReport:
    """What a seed created or left alone, and the verification state each dataset got."""

    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: int = 0
    daftar_data: int = 0  # Daftar Data items created
    states: dict[str, str] = field(default_factory=dict)


# The demo shows every verification state: most datasets are published, and every tenth one
# from the fifth is left as a draft, submitted or returned, so that the review queue and
# "Data OPD saya" have something to show.
def demo_state(position: int) -> str:
    """The verification state the demo gives the catalogue's dataset at ``position``."""
    return {5: "draft", 6: "diajukan", 7: "dikembalikan"}.get(position % 10, "terbit")


# The reason the demo's walidata gives for publishing past data quality warnings: an overdue
# update of the sub-annual series, or figures that repeat (posyandu counts rarely change).
DEMO_OVERRIDE_REASON = "Data contoh (demo): peringatan sudah diperiksa walidata"


def _advance(name: str, state: str) -> None:
    steps = {
        "draft": [],
        "diajukan": [("submit", None)],
        "dikembalikan": [("submit", None), ("return", "Mohon lengkapi metode perhitungan dan sumber data.")],
        "terbit": [("submit", None), ("publish", None)],
    }[state]
    for action, note in steps:
        data = {"id": name, "note": note}
        if action == "publish":
            data["override_reason"] = DEMO_OVERRIDE_REASON
        tk.get_action(f"satudata_{action}")(roles.site_context(), data)


def _upload(name: str, content: str | bytes, mimetype: str = "text/csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return FileStorage(stream=io.BytesIO(data), filename=name, content_type=mimetype)


DAFTAR_DATA_FIELDS = ("organization", "title", "prioritas", "kriteria_prioritas", "sektor_kegiatan",
                      "frekuensi", "satuan")  # fmt: skip


def release_date(days: int, today: dt.date) -> dt.date:
    """The planned date ``days`` from ``today``, kept within the year (a list's dates lie in
    its year or the next: the demo keeps to its year)."""
    return min(max(today + dt.timedelta(days=days), dt.date(today.year, 1, 1)), dt.date(today.year, 12, 31))


def seed_daftar_data(report: SeedReport, today: dt.date) -> dict[str, str]:
    """The year's Daftar Data of the catalogue (an item already there, by OPD and title, is
    kept); returns the item each demo dataset fulfils, by dataset name."""
    ctx = roles.site_context
    links: dict[str, str] = {}
    existing: dict[str, dict[str, str]] = {}  # by OPD: the items' ids by title
    for spec in catalogue().get("daftar_data") or []:
        org = spec["organization"]
        demo.ensure_organization(org)
        if org not in existing:
            query = {"year": today.year, "organization": org}
            listed = tk.get_action("satudata_daftar_data_list")(ctx(), query)
            existing[org] = {i["title"]: i["id"] for i in listed["results"]}
        item_id = existing[org].get(spec["title"])
        if item_id is None:
            data = {k: spec[k] for k in DAFTAR_DATA_FIELDS if k in spec}
            data.update(year=today.year, jadwal_rilis=release_date(spec["release"], today).isoformat())
            item_id = tk.get_action("satudata_daftar_data_create")(ctx(), data)["id"]
            report.daftar_data += 1
        links.update(dict.fromkeys(spec.get("datasets") or [], item_id))
    return links


def seed(only: list[str] | None = None, refresh: bool = False) -> SeedReport:
    """Create the demo catalogue. Idempotent: an existing dataset is left alone, unless
    ``refresh``, which deletes and re-creates it."""
    report = SeedReport()
    spec_all = catalogue()
    weights = spec_all["regions"]["weights"]
    ctx = roles.site_context
    links = seed_daftar_data(report, clock.today())
    for position, spec in enumerate(spec_all["datasets"]):
        if only and spec["name"] not in only:
            continue
        try:
            tk.get_action("package_show")(ctx(), {"id": spec["name"]})
        except tk.ObjectNotFound:
            pass
        else:
            if not refresh:
                report.skipped.append(spec["name"])
                continue
            tk.get_action("dataset_purge")(ctx(), {"id": spec["name"]})
        demo.ensure_organization(spec["owner_org"])
        data = dataset_dict(spec)
        if spec["name"] in links:
            data["daftar_data"] = links[spec["name"]]
        dataset = tk.get_action("package_create")(ctx(), data)
        tables = series_tables(spec, weights)
        for year, text in tables.items():
            filename = f"{spec['name']}-{year}.csv"
            tk.get_action("resource_create")(
                ctx(),
                {
                    "package_id": dataset["id"],
                    "name": f"{spec['title']} {year}",
                    "format": "CSV",
                    "periode": str(year),
                    "url": filename,
                    "upload": _upload(filename, text),
                },
            )
            report.files += 1
        for extra in extra_files(spec, tables):
            tk.get_action("resource_create")(
                ctx(),
                {
                    "package_id": dataset["id"],
                    "name": extra.name,
                    "format": extra.fmt,
                    "url": extra.filename,
                    "upload": _upload(extra.filename, extra.content, extra.mimetype),
                },
            )
            report.files += 1
        state = demo_state(position)
        _advance(spec["name"], state)
        report.states[spec["name"]] = state
        report.created.append(spec["name"])
    return report
