"""The produsen data's path: log in, describe a dataset in the Satu Data form, upload its CSV
file and submit it for verification."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from . import story
from .ui import ADD_DATASET, DRAFT, EDIT, FINISH, NEXT_ADD_DATA, SUBMIT, log_in, state_badge


def test_produsen_describes_uploads_and_submits_a_dataset(page: Page, shot, tmp_path) -> None:
    log_in(page, "produsen-dinkes")
    shot("masuk-sebagai-produsen-dinkes")

    page.goto("/organization/dinkes")
    shot("halaman-opd-dinas-kesehatan")
    page.get_by_role("link", name=ADD_DATASET).click()
    expect(page.get_by_role("group", name="Informasi Umum")).to_be_visible()
    shot("formulir-dataset-kosong")

    # Informasi Umum
    page.get_by_label(re.compile(r"^\W*Judul\W*$")).fill(story.TITLE)  # not "Judul Kegiatan Statistik"
    page.get_by_role("button", name=EDIT).click()  # the URL name, derived from the title
    page.get_by_label("URL").fill(story.NAME)
    page.get_by_label("Deskripsi").fill(
        "Jumlah kasus tuberkulosis (TBC) yang ditemukan dan diobati di setiap kecamatan Kota "
        "Balikpapan, dari laporan puskesmas dan rumah sakit melalui Sistem Informasi Tuberkulosis."
    )
    producer = page.get_by_label("Produsen Data")
    expect(producer.locator("option:checked")).to_have_text("Dinas Kesehatan")
    page.get_by_label("Sektor").select_option(label="Kesehatan")
    page.get_by_label("Urusan Pemerintahan").select_option(label="Kesehatan")
    expect(page.get_by_label("Jenis Data")).to_have_value("statistik")
    # Standar Data
    page.get_by_label("Konsep").fill(
        "Tuberkulosis adalah penyakit menular yang disebabkan oleh Mycobacterium tuberculosis."
    )
    page.get_by_label("Definisi").fill(
        "Jumlah kasus tuberkulosis semua tipe yang ternotifikasi dalam satu tahun, menurut alamat tinggal pasien."
    )
    page.get_by_label(re.compile(r"^\W*Ukuran\W*$")).select_option(label="Jumlah")
    page.get_by_label(re.compile(r"^\W*Satuan\W*$")).select_option(label="Kasus")
    # Metadata Kegiatan
    page.get_by_label("Cara Pengumpulan Data").select_option(label="Kompilasi Produk Administrasi")
    page.get_by_label("Frekuensi Penerbitan").select_option(label="Tahunan")
    # Cakupan
    page.get_by_label("Periode Data (tahun awal)").fill("2022")
    page.get_by_label("Periode Data (tahun akhir)").fill("2024")
    page.get_by_label("Tingkat Penyajian").select_option(label="Kecamatan")
    page.get_by_label("Cakupan Wilayah").select_option(["64.71"])
    # Kontak
    contact = page.get_by_role("group", name="Kontak")
    contact.get_by_label("Nama").fill("Seksi Pencegahan dan Pengendalian Penyakit Menular")
    contact.get_by_label("Jabatan").fill("Kepala Seksi P2PM")
    contact.get_by_label("Email").fill("p2pm.dinkes@balikpapan.go.id")
    contact.get_by_label("Telepon").fill("0542 421002")
    shot("formulir-dataset-terisi")

    page.get_by_role("button", name=NEXT_ADD_DATA).click()
    expect(page).to_have_url(
        re.compile(rf"/dataset/{story.NAME}/resource/new|/dataset/new_resource/{story.NAME}")
    )
    shot("langkah-sumber-data")

    csv_file = tmp_path / story.CSV_NAME
    csv_file.write_text(story.csv_text(), encoding="utf-8")
    page.locator("input[type=file][name=upload]").set_input_files(csv_file)
    page.get_by_label(re.compile(r"^\W*Nama\W*$")).fill(story.RESOURCE_NAME)
    page.get_by_label("Periode Data").fill("2024")
    shot("berkas-csv-dipilih")
    page.get_by_role("button", name=FINISH).click()

    expect(page).to_have_url(re.compile(rf"{story.URL}$"))
    expect(page.get_by_role("main").get_by_role("heading", level=1, name=story.TITLE)).to_be_visible()
    # (CKAN 2.11 links a file twice in the list: its heading, shortened, carries the full name as title)
    expect(page.get_by_role("link", name=story.RESOURCE_NAME, exact=True).first).to_be_visible()
    expect(state_badge(page)).to_have_text(DRAFT)
    shot("dataset-draf-tersimpan")

    page.get_by_role("button", name=SUBMIT).click()
    expect(state_badge(page)).to_have_text("Diajukan")
    shot("dataset-diajukan")
