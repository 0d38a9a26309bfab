"""Validation throughput: the quality engine against frictionless, on the same files.

frictionless (what ckanext-validation runs) is the baseline. Both validate, with the same
Table Schema, a 1,000,000-row, 10-column Balikpapan-like CSV and a 20-sheet XLSX of 5,000
rows a sheet, generated here with a fixed seed; each file carries a few planted type
errors, and both engines must report the same number. Throughput is rows per second, so
the ratio candidate/baseline is how many times faster the engine is (targets: CSV at least
25, XLSX at least 10).

A third result shows that memory is bounded: the engine's peak RSS, in a fresh process,
on the first 1,000,000 rows of the CSV against its first 100,000 rows (target: at most
1.3x for 10x the rows). Runs without CKAN: ``python benchmarks/run.py --only validation``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import xlsxwriter
from frictionless import Resource, Schema, formats

from benchmarks.run import Env, Result
from ckanext.satudata_balikpapan.quality.engine import validate
from ckanext.satudata_balikpapan.registry import vocabularies

NEEDS_CKAN = False
CSV_ROWS = 1_000_000
SMALL_ROWS = 100_000
SHEETS = 20
SHEET_ROWS = 5_000
SEED = 2026
ERROR_EVERY = 10_000  # a planted type error ("n/a" in jumlah) every this many CSV rows
SHEET_ERROR_EVERY = 1_000
# issue #15: CSV at least 25x frictionless, XLSX at least 10x, and the peak memory of ten
# times the rows at most 1.3x
CSV_TARGET, XLSX_TARGET, MEMORY_TARGET = 25.0, 10.0, 1.3

HEADER = [
    "id",
    "kode_wilayah",
    "nama_wilayah",
    "tahun",
    "bulan",
    "jenis_kelamin",
    "kelompok_umur",
    "jumlah",
    "persentase",
    "keterangan",
]
AGE_GROUPS = [f"{a}-{a + 4}" for a in range(0, 75, 5)] + ["75+"]
SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "id",
            "type": "integer",
            "satudata:role": "id",
            "constraints": {"required": True, "minimum": 1},
        },
        {
            "name": "kode_wilayah",
            "type": "string",
            "satudata:role": "region",
            "constraints": {"required": True},
        },
        {"name": "nama_wilayah", "type": "string", "satudata:role": "label"},
        {"name": "tahun", "type": "year", "satudata:role": "period", "constraints": {"required": True}},
        {
            "name": "bulan",
            "type": "integer",
            "satudata:role": "dimension",
            "constraints": {"minimum": 1, "maximum": 12},
        },
        {"name": "jenis_kelamin", "type": "string", "constraints": {"enum": ["L", "P"]}},
        {"name": "kelompok_umur", "type": "string", "constraints": {"enum": AGE_GROUPS}},
        {"name": "jumlah", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        {"name": "persentase", "type": "number", "constraints": {"minimum": 0, "maximum": 100}},
        {"name": "keterangan", "type": "string"},
    ],
    "missingValues": [""],
    "primaryKey": ["id"],
}


def region_list() -> list[tuple[str, str]]:

    return [(code, region.name) for code, region in vocabularies.regions().items()]


def make_row(rnd: random.Random, i: int, year: int, regions: list[tuple[str, str]], every: int) -> list[str]:
    code, name = regions[rnd.randrange(len(regions))]
    jumlah = "n/a" if i % every == 0 else str(rnd.randrange(5000))
    return [
        str(i),
        code,
        name,
        str(year),
        str(rnd.randint(1, 12)),
        "L" if rnd.random() < 0.5 else "P",
        AGE_GROUPS[rnd.randrange(len(AGE_GROUPS))],
        jumlah,
        f"{rnd.random() * 100:.2f}",
        "" if rnd.random() < 0.95 else "angka sementara",
    ]


def write_csv(path: Path, rows: int) -> Path:
    """The CSV benchmark file: ``rows`` rows, deterministic."""
    rnd = random.Random(SEED)
    regions = region_list()
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        chunk = []
        for i in range(1, rows + 1):
            chunk.append(",".join(make_row(rnd, i, 2021 + i % 5, regions, ERROR_EVERY)))
            if len(chunk) == 50_000:
                f.write("\n".join(chunk) + "\n")
                chunk = []
        if chunk:
            f.write("\n".join(chunk) + "\n")
    return path


def write_xlsx(path: Path) -> Path:
    """The XLSX benchmark file: one sheet per year, numbers stored as numbers."""

    rnd = random.Random(SEED)
    regions = region_list()
    workbook = xlsxwriter.Workbook(str(path))  # shared strings, as Excel writes them
    numeric = {0, 3, 4, 7, 8}
    for s in range(SHEETS):
        year = 2006 + s
        sheet = workbook.add_worksheet(str(year))
        sheet.write_row(0, 0, HEADER)
        for i in range(1, SHEET_ROWS + 1):
            row = make_row(rnd, i, year, regions, SHEET_ERROR_EVERY)
            for c, value in enumerate(row):
                if c in numeric and value != "n/a":
                    sheet.write_number(i, c, float(value))
                elif value:
                    sheet.write_string(i, c, value)
    workbook.close()
    return path


def frictionless_run(path: Path, sheets: list[str] | None = None) -> tuple[float, int]:
    """Seconds and type errors of frictionless on the file (each sheet for a workbook)."""

    schema = Schema.from_descriptor(SCHEMA)
    errors = 0
    t0 = time.perf_counter()
    for sheet in sheets or [None]:
        control = formats.ExcelControl(sheet=sheet) if sheet else None
        resource = Resource(path=path.name, basepath=str(path.parent), schema=schema, control=control)
        report = resource.validate(limit_errors=100_000)
        errors += sum(1 for e in report.tasks[0].errors if e.type == "type-error")
    return time.perf_counter() - t0, errors


def ours_run(path: Path, fmt: str) -> tuple[float, int]:
    """Seconds and type errors of the quality engine on the file."""

    t0 = time.perf_counter()
    report = validate(str(path), fmt, SCHEMA)
    return time.perf_counter() - t0, report.counts.get("type_error", 0)


MEMORY_PROBE = """
import json, sys
from ckanext.satudata_balikpapan.quality.engine import validate
schema = json.loads(sys.argv[2])
def status(key):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(key))
base = status("VmRSS")
report = validate(sys.argv[1], "csv", schema)
print(json.dumps({"base_kb": base, "peak_kb": status("VmHWM"), "rows": report.rows}))
"""


def peak_memory(path: Path) -> dict[str, int]:
    """Peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent process) of a fresh
    process that validates the CSV file, and its RSS after the imports."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path), json.dumps(SCHEMA)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _throughput(
    name: str,
    unit_rows: int,
    baseline: list[float],
    candidate: list[float],
    notes: list[str],
    at_least: float,
) -> Result:
    return Result(
        name=name,
        unit="rows/s",
        baseline_label="frictionless 5.21 validate",
        candidate_label="satudata quality engine",
        baseline=[unit_rows / s for s in baseline],
        candidate=[unit_rows / s for s in candidate],
        at_least=at_least,
        notes=notes,
    )


def run(env: Env) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-validation-") as tmp:
        root = Path(tmp)
        big = write_csv(root / "penduduk-1m.csv", CSV_ROWS)
        small = write_csv(root / "penduduk-100k.csv", SMALL_ROWS)
        workbook = write_xlsx(root / "penduduk-20-sheets.xlsx")
        sheets = [str(2006 + s) for s in range(SHEETS)]
        # round 0 warms both sides up (imports, caches) on the small file, uncounted
        frictionless_run(small)
        ours_run(small, "csv")
        csv_base: list[float] = []
        csv_cand: list[float] = []
        xlsx_base: list[float] = []
        xlsx_cand: list[float] = []
        counts: dict[str, set[int]] = {"csv": set(), "xlsx": set()}
        for _ in range(env.rounds):
            seconds, errors = frictionless_run(big)
            csv_base.append(seconds)
            counts["csv"].add(errors)
            seconds, errors = ours_run(big, "csv")
            csv_cand.append(seconds)
            counts["csv"].add(errors)
            seconds, errors = frictionless_run(workbook, sheets)
            xlsx_base.append(seconds)
            counts["xlsx"].add(errors)
            seconds, errors = ours_run(workbook, "xlsx")
            xlsx_cand.append(seconds)
            counts["xlsx"].add(errors)
        agree = {
            fmt: (f"both report {next(iter(c))} type errors" if len(c) == 1 else f"DISAGREE: {sorted(c)}")
            for fmt, c in counts.items()
        }
        memory_small = [peak_memory(small) for _ in range(2)]
        memory_big = [peak_memory(big) for _ in range(2)]
    mb = 1024
    grew_small = (memory_small[0]["peak_kb"] - memory_small[0]["base_kb"]) / mb
    grew_big = (memory_big[0]["peak_kb"] - memory_big[0]["base_kb"]) / mb
    above = [
        f"peak RSS above the imports: {SMALL_ROWS:,} rows +{grew_small:.0f} MB, {CSV_ROWS:,} rows "
        f"+{grew_big:.0f} MB (key hashes, row hashes and row numbers: 20 bytes a row in a keyed table; "
        "the rest is per batch)",
    ]
    return [
        _throughput(
            f"validation throughput, CSV {CSV_ROWS:,} rows x 10 columns",
            CSV_ROWS,
            csv_base,
            csv_cand,
            [agree["csv"]],
            CSV_TARGET,
        ),
        _throughput(
            f"validation throughput, XLSX {SHEETS} sheets x {SHEET_ROWS:,} rows",
            SHEETS * SHEET_ROWS,
            xlsx_base,
            xlsx_cand,
            [agree["xlsx"]],
            XLSX_TARGET,
        ),
        Result(
            name=f"validation peak memory, {CSV_ROWS:,} rows against {SMALL_ROWS:,} rows",
            unit="MB",
            baseline_label=f"engine on {SMALL_ROWS:,} rows",
            candidate_label=f"engine on {CSV_ROWS:,} rows",
            baseline=[m["peak_kb"] / mb for m in memory_small],
            candidate=[m["peak_kb"] / mb for m in memory_big],
            target=MEMORY_TARGET,
            notes=above,
        ),
    ]
