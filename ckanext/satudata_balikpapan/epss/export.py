"""The EPSS evidence as a workbook and as a dict for the API and the printable page."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill

from ckanext.satudata_balikpapan.daftar_data import service as daftar
from ckanext.satudata_balikpapan.epss.evidence import Evidence, definition
from ckanext.satudata_balikpapan.lib import clock


def as_dict(evidence: Evidence, user: Any, lang: str = "id") -> dict[str, Any]:
    """The evidence as the API returns it: the figures by aspect (each with how it was
    computed), the Daftar Data items as ``satudata_daftar_data_list`` shows them to ``user``,
    the verification record of the year and the data requests by state."""
    spec = definition()
    return {
        "organization": evidence.organization,
        "year": evidence.year,
        "generated": evidence.generated,
        "source": spec["source"].get(lang) or spec["source"]["id"],
        "aspects": [
            {
                "code": aspect["code"],
                "label": aspect["label"].get(lang) or aspect["label"]["id"],
                "figures": [
                    {
                        "key": f.key,
                        "label": f.label.get(lang) or f.label["id"],
                        "value": f.value,
                        "how": f.how.get(lang) or f.how["id"],
                        "inferred": True,
                    }
                    for f in evidence.figures
                    if f.aspect == aspect["code"]
                ],
            }
            for aspect in spec["aspects"]
        ],
        "items": [daftar.view(e, user, lang) for e in evidence.items],
        "history": [
            {
                k: e.get(k)
                for k in (
                    "created",
                    "package_name",
                    "package_title",
                    "action",
                    "from_state",
                    "to_state",
                    "role",
                    "actor_name",
                    "note",
                )
            }
            for e in evidence.history
        ],
        "requests": evidence.requests,
    }


HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")


def _sheet(
    book: openpyxl.Workbook, title: str, header: list[str], rows: list[list[Any]], widths: list[int]
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = HEAD, FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([_safe(v) for v in row])
    for index, width in enumerate(widths):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"


def _safe(value: Any) -> Any:
    """A cell that Excel will not read as a formula (a title typed as "=..." stays text)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook(data: dict[str, Any]) -> bytes:
    """The evidence (:func:`as_dict`, in Indonesian) as an XLSX workbook: Ringkasan (each
    figure with its aspect and how it was computed), Daftar Data, Riwayat Verifikasi,
    Permohonan Data."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    org, year = data["organization"]["title"], data["year"]
    summary = [
        [a["label"], f["label"], f["value"] if f["value"] is not None else "-", f["how"]]
        for a in data["aspects"]
        for f in a["figures"]
    ]
    _sheet(
        book, "Ringkasan", ["Aspek", "Indikator bukti", "Nilai", "Cara menghitung"], summary, [18, 40, 10, 90]
    )
    sheet = book["Ringkasan"]
    sheet.insert_rows(1, 3)
    sheet["A1"] = f"Bukti EPSS {year}: {org}"
    sheet["A1"].font = Font(bold=True, size=13)
    made = clock.format_date(data["generated"])
    sheet["A2"] = f"Dibuat {made} oleh Portal Satu Data Kota Balikpapan. {data['source']}"
    items = [
        [
            i["title"],
            "Ya" if i["prioritas"] else "Tidak",
            i["frekuensi_label"] or "",
            clock.format_date(i["jadwal_rilis"]),
            i["status_label"],
            i["stage_label"],
            clock.format_date(i["published_on"]),
            {True: "Ya", False: "Tidak"}.get(i["on_time"], "-"),
            ", ".join(d["title"] for d in i["datasets"]),
        ]
        for i in data["items"]
    ]
    _sheet(
        book,
        "Daftar Data",
        [
            "Judul",
            "Data Prioritas",
            "Frekuensi",
            "Jadwal rilis",
            "Status",
            "Tahap",
            "Terbit",
            "Tepat waktu",
            "Dataset",
        ],
        items,
        [45, 12, 14, 16, 14, 14, 16, 12, 50],
    )
    history = [
        [
            clock.format_date(e["created"]),
            e["package_title"] or e["package_name"],
            e["action"],
            f"{e['from_state'] or '-'} -> {e['to_state'] or '-'}",
            e["role"],
            e["actor_name"] or "",
            e["note"] or "",
        ]
        for e in data["history"]
    ]
    _sheet(
        book,
        "Riwayat Verifikasi",
        ["Tanggal", "Dataset", "Langkah", "Status", "Peran", "Oleh", "Catatan"],
        history,
        [16, 45, 12, 24, 12, 18, 60],
    )
    requests = [[state, count] for state, count in data["requests"].items()]
    _sheet(book, "Permohonan Data", ["Status", "Jumlah"], requests, [20, 10])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
