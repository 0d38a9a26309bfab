"""Quality scores, checked against numbers computed by hand.

The weights are those of ``data/quality_weights.yaml``: the total is kelengkapan 30 %,
ketepatan waktu 20 %, keterbukaan 20 %, validitas 30 %; completeness weighs the four Satu
Data principles equally (items weigh 2 or 1); openness gives CSV 100, XLS 67, PDF 33 points;
validity takes 25 points per open error problem and 5 per open warning problem. The
arithmetic of every expected number is written out beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ckanext.satudata_balikpapan.quality.engine import scores
from ckanext.satudata_balikpapan.quality.engine.findings import Finding

TODAY = dt.date(2026, 6, 1)

METADATA = {
    "title": "Jumlah Kasus DBD per Kelurahan",
    "notes": "Kasus DBD terkonfirmasi di setiap kelurahan.",
    "tags": [{"name": "kesehatan"}],
    "sektor_kegiatan": "9",
    "kode_urusan": "1.02",
    "jenis": "statistik",
    "konsep": "Demam berdarah dengue ...",
    "definisi": "Jumlah penderita DBD ...",
    "klasifikasi": "Menurut kelurahan",
    "ukuran": "jumlah",
    "satuan": "kasus",
    "kodereferensi": "Kode wilayah Kemendagri",
    "interpretasi": "Makin tinggi ...",
    "metode_perhitungan": "Penjumlahan kasus ...",
    "cara_pengumpulan_data": "kompilasi_administrasi",
    "frekuensi": "tahunan",
    "id_mskeg": "12345",
    "id_msind": "67890",
    "periode_awal": "2021",
    "periode_akhir": "2025",
    "tingkat_penyajian": "kelurahan",
    "kode_wilayah": ["64.71"],
    "jadwal_rilis": "2027-03-31",
    "penanggung_jawab": [
        {"nama": "Seksi Surveilans", "jabatan": "Kepala Seksi", "email": "s@balikpapan.go.id"}
    ],
}
SCHEMA = {"fields": [{"name": "kode_wilayah", "type": "string"}, {"name": "jumlah", "type": "integer"}]}


def finding(code: str, resource: str = "r2", **kwargs) -> dict:
    """A finding as the validation pipeline hands it over: Finding.to_dict() plus its file."""
    return dict(Finding.make(code, **kwargs).to_dict(), resource_id=resource, resource_name=f"{resource}.csv")


def dataset_a() -> tuple[dict, list[dict]]:
    """Complete metadata, two CSV files with a Table Schema, on time, one warning problem
    found in two rows."""
    pkg = dict(
        METADATA,
        id="a",
        name="dbd",
        resources=[
            {"id": "r1", "name": "dbd-2024.csv", "format": "CSV", "periode": "2024", "schema": SCHEMA},
            {"id": "r2", "name": "dbd-2025.csv", "format": "CSV", "periode": "2025", "schema": SCHEMA},
        ],
    )
    findings = [
        finding("extreme_change", row=3, column="jumlah", value="900"),
        finding("extreme_change", row=5, column="jumlah", value="1200"),
    ]
    return pkg, findings


def dataset_b() -> tuple[dict, list[dict]]:
    """Gaps in the metadata, a PDF and an XLS file without a schema, two months late, two
    error problems and one warning problem open (plus an acknowledged warning and the
    dataset-level stale warning, which validity leaves to timeliness)."""
    pkg = dict(METADATA, id="b", name="rawat-inap", jenis="keuangan", periode_awal="2020", periode_akhir="")
    for key in ("klasifikasi", "interpretasi", "metode_perhitungan", "jadwal_rilis", "kodereferensi"):
        pkg[key] = ""
    pkg["tags"] = []
    pkg["resources"] = [
        {"id": "r1", "name": "laporan.pdf", "format": "PDF", "periode": "2023"},
        {
            "id": "r2",
            "name": "tabel.xls",
            "url": "http://example.org/tabel.xls",
            "format": "",
            "periode": "2024",
        },
    ]
    acknowledged = dict(finding("identical_file", resource="r1"), acknowledged=True)
    findings = [
        finding("type_error", row=4, column="jumlah", value="1O", details={"type": "integer"}),
        finding("type_error", row=7, column="jumlah", value="x", details={"type": "integer"}),
        finding("missing_value", row=9, column="kecamatan"),
        finding("duplicate_row", row=10, details={"first_row": 3}),
        acknowledged,
        dict(
            Finding.make("stale", details={"days_overdue": 62}).to_dict(),
            resource_id=None,
            resource_name=None,
        ),
    ]
    return pkg, findings


def dataset_c() -> tuple[dict, list[dict]]:
    """Complete metadata but no file yet: nothing to check, so validity is not assessed."""
    return dict(METADATA, id="c", name="imunisasi", resources=[]), []


def test_a_complete_timely_open_dataset_with_one_warning():
    pkg, findings = dataset_a()
    result = scores.dataset_score(pkg, findings, today=TODAY)
    parts = {k: v["score"] for k, v in result["breakdown"].items()}
    # every item of every principle is there
    assert parts["kelengkapan"] == 100
    # periode_akhir 2025, tahunan: the 2026 figures are due by 2027-03-31; it is 2026-06-01
    assert parts["ketepatan_waktu"] == 100
    assert result["breakdown"]["ketepatan_waktu"]["detail"]["expected_by"] == "2027-03-31"
    # two CSV files: (100 + 100) / 2
    assert parts["keterbukaan"] == 100
    # one problem (extreme_change in column jumlah of r2), in two rows: 100 - 5
    assert parts["validitas"] == 95
    # (30*100 + 20*100 + 20*100 + 30*95) / 100 = 98.5, rounded half up
    assert result["score"] == 99
    assert result["findings"] == {"errors": 0, "warnings": 2}


def test_a_dataset_with_gaps_late_data_and_errors():
    pkg, findings = dataset_b()
    result = scores.dataset_score(pkg, findings, today=TODAY)
    b = result["breakdown"]
    principles = {k: v["score"] for k, v in b["kelengkapan"]["detail"]["principles"].items()}
    # standar data: konsep 2 + definisi 2 + ukuran 2 + satuan 2 of 9 (klasifikasi 1 missing)
    assert principles["standar_data"] == pytest.approx(100 * 8 / 9)
    # metadata, not statistical (no MS-Keg/MS-Ind IDs counted): 16 in all; tags, jadwal rilis,
    # interpretasi and metode perhitungan (1 each) missing: 12 / 16
    assert principles["metadata"] == pytest.approx(75)
    # interoperabilitas: a machine-readable file (XLS) 2 + schema 0 of 1 tabular file (0) +
    # format of 2 of 2 files 1 (tabel.xls's from its URL) + period of 2 of 2 files 1 = 4 / 6
    assert principles["interoperabilitas"] == pytest.approx(100 * 4 / 6)
    # kode referensi: kode wilayah 2 + kode urusan 2 of 5 (kodereferensi 1 missing)
    assert principles["kode_referensi"] == pytest.approx(80)
    # (88.89 + 75 + 66.67 + 80) / 4 = 77.64
    assert b["kelengkapan"]["score"] == 78
    assert set(b["kelengkapan"]["detail"]["principles"]["metadata"]["missing"]) == {
        "tags", "jadwal_rilis", "interpretasi", "metode_perhitungan",
    }  # fmt: skip

    # the latest period is the file's 2024; the 2025 figures were due by 2026-03-31: 62 days
    # late on 2026-06-01 (30 in April + 31 in May + 1); 100 * (1 - 62 / 365.25) = 83.03
    timely = b["ketepatan_waktu"]
    assert timely["detail"] == {
        "frekuensi": "tahunan", "last_period": "2024", "expected_by": "2026-03-31",
        "days_late": 62, "status": "late",
    }  # fmt: skip
    assert timely["score"] == 83

    # PDF 33 and XLS 67: (33 + 67) / 2
    assert b["keterbukaan"]["score"] == 50
    # errors: type_error in jumlah (two rows, one problem) and missing_value in kecamatan;
    # warnings: duplicate_row; the acknowledged identical_file and the stale warning do not
    # count: 100 - 2*25 - 1*5
    assert b["validitas"]["score"] == 45
    assert (b["validitas"]["detail"]["errors"], b["validitas"]["detail"]["warnings"]) == (2, 1)

    # (30*78 + 20*83 + 20*50 + 30*45) / 100 = 63.5, rounded half up
    assert result["score"] == 64
    # open findings, one per finding: 3 errors; duplicate_row and stale (acknowledged left out)
    assert result["findings"] == {"errors": 3, "warnings": 2}


def test_validity_that_cannot_be_assessed_gives_its_weight_to_the_other_parts():
    pkg, findings = dataset_c()
    result = scores.dataset_score(pkg, findings, today=TODAY, validated=False)
    b = result["breakdown"]
    # no file: interoperabilitas 0, the other principles 100: (100 + 100 + 0 + 100) / 4
    assert b["kelengkapan"]["score"] == 75
    assert b["ketepatan_waktu"]["score"] == 100
    assert b["keterbukaan"]["score"] == 0
    assert b["validitas"]["score"] is None
    # (30*75 + 20*100 + 20*0) / (30 + 20 + 20) = 4250 / 70 = 60.71
    assert result["score"] == 61
    assert b["kelengkapan"]["share"] == pytest.approx(100 * 30 / 70)
    assert b["validitas"]["share"] is None


def test_a_draft_schema_no_one_confirmed_counts_half():
    pkg, _ = dataset_a()
    pkg["resources"][1]["schema"] = dict(SCHEMA, **{"satudata:draft": True})
    interoperability = scores.completeness(pkg)["principles"]["interoperabilitas"]
    # machine-readable 2*1 + schema 2*(1 + 0.5)/2 + format 1 + periode 1 = 5.5 of 6
    assert interoperability["score"] == pytest.approx(100 * 5.5 / 6)
    assert interoperability["missing"] == ["resources.schema"]


def test_a_checked_dataset_without_findings_is_fully_valid():
    pkg, _ = dataset_a()
    assert scores.dataset_score(pkg, [], today=TODAY)["breakdown"]["validitas"]["score"] == 100


def test_many_errors_floor_validity_at_zero():
    pkg, _ = dataset_a()
    findings = [finding("type_error", column=f"c{i}", row=2, details={"type": "integer"}) for i in range(5)]
    assert scores.dataset_score(pkg, findings, today=TODAY)["breakdown"]["validitas"]["score"] == 0


@pytest.mark.parametrize(
    ("frekuensi", "last", "today", "score", "status"),
    [
        ("sekali", "2019", TODAY, 100, "one_off"),
        ("tahunan", "2025", TODAY, 100, "on_time"),
        # bulanan, last 2026-03: April's figures due by 2026-05-31; 1 day late of a 90-day
        # scale (a month is shorter than min_scale_days): 100 * (1 - 1/90) = 98.9
        ("bulanan", "2026-03", TODAY, 99, "late"),
        # tahunan, last 2023: the 2024 figures were due by 2025-03-31, 427 days ago: 0
        ("tahunan", "2023", TODAY, 0, "late"),
        ("", "2025", TODAY, 0, "unknown"),
        ("tahunan", "", TODAY, 0, "unknown"),
    ],
)
def test_timeliness(frekuensi, last, today, score, status):
    pkg = {"frekuensi": frekuensi, "periode_awal": last, "resources": []}
    result = scores.timeliness(pkg, today)
    assert (scores.round_half_up(result["score"]), result["status"]) == (score, status)


def test_the_latest_period_is_the_latest_the_files_hold():
    pkg = {
        "periode_awal": "2021",
        "periode_akhir": "2024",
        "resources": [{"periode": "2024-Q3"}, {"periode": "2025-02"}, {"periode": "lama"}],
    }
    assert scores.latest_period(pkg) == "2025-02"
    # the periods in the files' content count too (as the stale check reads them)
    assert scores.latest_period(pkg, ["2025-04", "2023"]) == "2025-04"


def test_the_files_not_the_metadata_say_how_recent_the_data_are():
    # the metadata claim 2025, but the newest file holds 2023: the 2024 figures were due by
    # 2025-03-31, as the stale warning says
    pkg = {"frekuensi": "tahunan", "periode_akhir": "2025", "resources": [{"periode": "2023"}]}
    assert scores.timeliness(pkg, TODAY)["status"] == "late"
    assert scores.timeliness(pkg, TODAY)["expected_by"] == "2025-03-31"
    # without a period on its files, the metadata are all there is
    pkg["resources"] = [{"format": "PDF"}]
    assert scores.latest_period(pkg) == "2025"


@pytest.mark.parametrize(
    ("resource", "fmt", "kind"),
    [
        ({"format": "csv"}, "CSV", "open_machine_readable"),
        ({"format": "text/csv"}, "CSV", "open_machine_readable"),
        ({"format": ".xlsx"}, "XLSX", "open_machine_readable"),
        ({"format": "", "url": "http://x/y/data.json?dl=1"}, "JSON", "open_machine_readable"),
        ({"format": "XLS"}, "XLS", "machine_readable"),
        ({"format": "PDF"}, "PDF", "document"),
        ({"format": "image/png"}, "PNG", "document"),
        ({"format": "", "url": "http://x/unduh"}, "", "unknown"),
    ],
)
def test_formats(resource, fmt, kind):
    assert scores.resource_format(resource) == fmt
    assert scores.format_class(fmt) == kind


def test_round_half_up():
    assert [scores.round_half_up(x) for x in (98.5, 63.5, 0.49, 81.5)] == [99, 64, 0, 82]


# --- the OPD scorecard --------------------------------------------------------------------------


def opd_rows() -> list[dict]:
    """Dinkes: A published (terbit), B published with an update under review (diajukan), C a
    draft, D withdrawn (B's content)."""
    a, b, c = dataset_a(), dataset_b(), dataset_c()
    d = (dict(b[0], id="d", name="ditarik"), b[1])
    out = []
    for (pkg, findings), status, published, validated in (
        (a, "terbit", True, True),
        (b, "diajukan", True, True),
        (c, "draft", False, False),
        (d, "ditarik", False, True),
    ):
        result = scores.dataset_score(pkg, findings, today=TODAY, validated=validated)
        out.append(scores.dataset_row(pkg, status, published, result))
    return out


def test_the_public_scorecard_counts_published_datasets_only():
    card = scores.opd_scorecard({"name": "dinkes", "title": "Dinas Kesehatan"}, opd_rows(), full=False)
    published = card["published"]
    assert published["count"] == 2  # A and B
    # scores 99 and 64: 163 / 2 = 81.5, rounded half up
    assert published["score"] == 82
    # kelengkapan (100 + 78) / 2 = 89; ketepatan (100 + 83) / 2 = 91.5; keterbukaan
    # (100 + 50) / 2 = 75; validitas (95 + 45) / 2 = 70
    assert published["parts"] == {
        "kelengkapan": 89,
        "ketepatan_waktu": 92,
        "keterbukaan": 75,
        "validitas": 70,
    }
    # B is late; A has 2 open warnings, B 3 errors and 2 warnings
    assert (published["late"], published["errors"], published["warnings"]) == (1, 3, 4)
    # nothing of the draft or the withdrawn dataset, not even their number
    assert "all" not in card and "by_state" not in card
    assert [d["name"] for d in card["datasets"]] == ["rawat-inap", "dbd"]  # lowest score first
    assert all("status" not in d for d in card["datasets"])


def test_the_full_scorecard_adds_every_dataset_and_the_counts_by_state():
    card = scores.opd_scorecard({"name": "dinkes", "title": "Dinas Kesehatan"}, opd_rows(), full=True)
    assert card["published"]["score"] == 82  # the same as the public one
    every = card["all"]
    assert every["count"] == 4
    # scores 99, 64, 61 (C, without validity), 64 (D): 288 / 4 = 72
    assert every["score"] == 72
    # kelengkapan (100 + 78 + 75 + 78) / 4 = 82.75; validitas (95 + 45 + 45) / 3 = 61.67 (C has none)
    assert every["parts"]["kelengkapan"] == 83
    assert every["parts"]["validitas"] == 62
    # B and D are late; errors 3 + 3; warnings 2 (A) + 2 (B) + 2 (D)
    assert (every["late"], every["errors"], every["warnings"]) == (2, 6, 6)
    assert card["by_state"] == {"draft": 1, "diajukan": 1, "dikembalikan": 0, "terbit": 1, "ditarik": 1}
    assert {d["name"] for d in card["datasets"]} == {"dbd", "rawat-inap", "imunisasi", "ditarik"}


def test_opds_are_ranked_by_their_published_score_then_by_how_much_they_publish():
    def card(name: str, score: int | None, count: int) -> dict:
        return {"name": name, "title": name.title(), "published": {"score": score, "count": count}}

    ranked = scores.rank(
        [card("bappeda", 82, 1), card("dishub", None, 0), card("dinkes", 90, 3), card("disdik", 82, 4)]
    )
    assert [(c["name"], c["rank"]) for c in ranked] == [
        ("dinkes", 1), ("disdik", 2), ("bappeda", 3), ("dishub", None),
    ]  # fmt: skip


def test_the_weights_file_documents_every_part():
    config = scores.weights()
    assert set(config["parts"]) == set(scores.PARTS)
    assert set(config["completeness"]) == set(scores.PRINCIPLES)
    assert sum(p["weight"] for p in config["completeness"].values()) == 100
