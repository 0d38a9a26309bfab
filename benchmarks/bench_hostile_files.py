"""Hostile files (issue #14): time and peak memory of refusing each, against validating an
ordinary table of the same size, in fresh processes of the same run.

The files are those that hurt the demo (:mod:`tests.quality.hostile`), at full size: the
1.9 MB CSV of 200,000 columns (40 minutes and 2.9 GB before the bounds), a 300 MB zip bomb,
a 60 MB string bomb, a sheet with a cell in XFD1048576 and one spanning ZZ1048576, the
billion laughs, a zip lying about its sizes, truncated and random files. The baseline is a
clean Balikpapan table of about the same bytes on disk, validated in full. Each result
prints the ratio refusal/baseline for time and for peak RSS (target: under 1.5 for memory,
the refusal never costing more than reading an honest file of its size; time is reported).
Runs without CKAN: ``python benchmarks/run.py --only hostile_files``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.run import Env, Result
from tests.quality import corpus, hostile

NEEDS_CKAN = False

PROBE = """
import json, resource, sys, time
from ckanext.satudata_balikpapan.quality.engine import validate
start = time.perf_counter()
report = validate(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]))
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "findings": [[f.code, f.details.get("limit")] for f in report.findings[:1]],
    "rows": report.rows,
}))
"""


def _probe(path: Path, fmt: str, schema: dict | None = None) -> dict:
    schema = schema or {"fields": [{"name": "a"}]}
    command = [sys.executable, "-c", PROBE, str(path), fmt, json.dumps(schema)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _honest(path: Path, size: int) -> Path:
    """A clean population table of about ``size`` bytes (at least the corpus)."""
    rows = corpus.penduduk()
    line = sum(len(str(c)) + 1 for c in rows[0])
    return corpus.write_csv(path, rows * max(1, size // (line * len(rows))))


def run(env: Env) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        whole = corpus.per_year_workbook(d / "utuh.xlsx", corpus.penduduk())
        files = {
            "200,000 columns (CSV)": (hostile.wide_csv(d / "lebar.csv"), "csv"),
            "no line break (CSV)": (hostile.endless_header_csv(d / "baris.csv"), "csv"),
            "zip bomb, 300 MB sheet": (hostile.zip_bomb_xlsx(d / "bom.xlsx"), "xlsx"),
            "string bomb, 60 MB text": (hostile.string_bomb_xlsx(d / "teks.xlsx"), "xlsx"),
            "cell in XFD1048576": (hostile.far_corner_xlsx(d / "xfd.xlsx"), "xlsx"),
            "sheet spanning ZZ1048576": (hostile.far_corner_xlsx(d / "zz.xlsx", "ZZ1048576"), "xlsx"),
            "billion laughs": (hostile.billion_laughs_xlsx(d / "lol.xlsx"), "xlsx"),
            "ODS repeats, 99 million cells": (hostile.repeat_bomb_ods(d / "ulang.ods"), "ods"),
            "XLS cells in A1 and IV65536": (
                hostile.sparse_xls(d / "pojok.xls", [(0, 0), (65_535, 255)]),
                "xls",
            ),
            "XLS declaring 4 billion rows": (
                hostile.sparse_xls(d / "klaim.xls", [(0, 0)], dimensions=(4_000_000_000, 65_535)),
                "xls",
            ),
            "zip lying about its sizes": (hostile.lying_sizes_xlsx(d / "bohong.xlsx"), "xlsx"),
            "truncated workbook": (hostile.truncated(d / "potong.xlsx", whole), "xlsx"),
            "random bytes as XLSX": (hostile.garbage(d / "acak.xlsx"), "xlsx"),
        }
        for label, (path, fmt) in files.items():
            baseline_path = _honest(d / "biasa.csv", path.stat().st_size)
            time_result = Result(
                f"hostile file: {label} ({path.stat().st_size / 1024:.0f} KB), time",
                "s", "an honest CSV of its size, validated", "the hostile file, refused",
            )  # fmt: skip
            memory_result = Result(
                f"hostile file: {label}, peak memory",
                "MB", "an honest CSV of its size, validated", "the hostile file, refused", target=1.5,
            )  # fmt: skip
            finding = None
            for _ in range(max(1, min(env.rounds, 3))):
                base = _probe(baseline_path, "csv", corpus.schema())
                bad = _probe(path, fmt)
                time_result.baseline.append(base["seconds"])
                time_result.candidate.append(bad["seconds"])
                memory_result.baseline.append(base["peak_mb"])
                memory_result.candidate.append(bad["peak_mb"])
                finding = bad["findings"]
            memory_result.notes.append(f"finding: {finding}; baseline rows validated: {base['rows']}")
            results += [time_result, memory_result]
    return results
