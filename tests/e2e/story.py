"""The dataset the verification stories follow from the clerk to the public.

The produsen data of Dinas Kesehatan creates it (test_01), the walidata returns it with a
note, the clerk resubmits it and the walidata publishes it (test_02). Each story opens its own
browser contexts; what passes between them is only this dataset, found again by its URL.
"""

from __future__ import annotations

import secrets

TITLE = "Jumlah Kasus Tuberkulosis menurut Kecamatan"
# The dataset's URL name, which the clerk types in: unique per session, so that the stories
# can run again against the same portal.
NAME = f"kasus-tbc-per-kecamatan-{secrets.token_hex(3)}"
URL = f"/dataset/{NAME}"
CSV_NAME = "kasus-tbc-kecamatan-2022-2024.csv"
RESOURCE_NAME = "Kasus TBC per kecamatan 2022-2024"

# Balikpapan's six kecamatan (Kemendagri codes), three years of notified TB cases.
KECAMATAN = {
    "64.71.01": "Balikpapan Timur",
    "64.71.02": "Balikpapan Barat",
    "64.71.03": "Balikpapan Utara",
    "64.71.04": "Balikpapan Tengah",
    "64.71.05": "Balikpapan Selatan",
    "64.71.06": "Balikpapan Kota",
}
CASES = {
    2022: [212, 168, 301, 187, 254, 139],
    2023: [236, 181, 329, 195, 271, 150],
    2024: [248, 176, 342, 203, 289, 157],
}


def csv_text() -> str:
    """The clerk's CSV file: one row per kecamatan and year (kode_wilayah, tahun, nilai)."""
    rows = ["kode_wilayah,nama_kecamatan,tahun,nilai"]
    for year, values in CASES.items():
        rows += [
            f"{code},{name},{year},{n}" for (code, name), n in zip(KECAMATAN.items(), values, strict=True)
        ]
    return "\n".join(rows) + "\n"
