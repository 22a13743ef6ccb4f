"""Definitions of the demo services (real-looking, across sectors). Used by the demo
loader and by the tests; also a worked example of the definition format."""

from __future__ import annotations

from typing import Any

from etam.eservices.definitions import default_workflow


def _t(id_: str, en: str) -> dict[str, str]:
    return {"id": id_, "en": en}


APPLICANT_PAGE: dict[str, Any] = {
    "id": "pemohon",
    "title": _t("Data pemohon", "Applicant"),
    "fields": [
        {
            "name": "nama",
            "type": "text",
            "label": _t("Nama lengkap", "Full name"),
            "holder_name": True,
            "help": _t("Sesuai KTP", "As on the identity card"),
            "max_length": 150,
            "prefill": "name",
        },
        {
            "name": "nik",
            "type": "nik",
            "label": _t("NIK", "National identity number (NIK)"),
            "help": _t("16 digit, tertera di KTP", "16 digits, on the identity card"),
            "prefill": "nik",
        },
        {"name": "telepon", "type": "phone", "label": _t("Nomor HP", "Mobile number"), "prefill": "phone"},
        {"name": "email", "type": "email", "label": _t("Email", "Email"), "required": False},
        {"name": "alamat", "type": "address", "label": _t("Alamat domisili", "Address")},
    ],
}


def izin_penelitian() -> dict[str, Any]:
    return {
        "service": {
            "code": "IZP",
            "slug": "izin-penelitian",
            "name": "Izin Penelitian",
            "summary": "Surat keterangan penelitian bagi mahasiswa, dosen dan peneliti yang meneliti di "
            "wilayah Provinsi Kalimantan Timur.",
            "eligibility": "Mahasiswa, dosen, peneliti lembaga dan perorangan WNI.",
            "requirements": [
                "Surat pengantar dari perguruan tinggi/lembaga (unggah PDF)",
                "Proposal penelitian (unggah PDF)",
                "KTP pemohon (unggah PDF/JPG)",
            ],
            "legal_basis": [
                "Permendagri Nomor 7 Tahun 2014 tentang Penerbitan Surat Keterangan Penelitian",
                "Perpres Nomor 95 Tahun 2018 tentang Sistem Pemerintahan Berbasis Elektronik",
            ],
            "fee": 0,
            "sla_days": 5,
            "output_document": "Surat Keterangan Penelitian",
            "sector": "pendidikan",
            "contact": "DPMPTSP Prov. Kaltim, Jl. Basuki Rahmat No. 55 Samarinda · (0541) 741600",
        },
        "form": {
            "pages": [
                APPLICANT_PAGE,
                {
                    "id": "penelitian",
                    "title": _t("Rencana penelitian", "Research plan"),
                    "fields": [
                        {
                            "name": "judul",
                            "type": "long_text",
                            "label": _t("Judul penelitian", "Title"),
                            "max_length": 500,
                        },
                        {"name": "lembaga", "type": "text", "label": _t("Perguruan tinggi/lembaga", "Institution")},
                        {
                            "name": "jenjang",
                            "type": "choice",
                            "label": _t("Jenjang", "Level"),
                            "choices": [
                                {"value": "s1", "label": "S1/D4"},
                                {"value": "s2", "label": "S2"},
                                {"value": "s3", "label": "S3"},
                                {"value": "lembaga", "label": _t("Penelitian lembaga", "Institutional")},
                            ],
                        },
                        {"name": "mulai", "type": "date", "label": _t("Tanggal mulai", "Start date")},
                        {
                            "name": "selesai",
                            "type": "date",
                            "label": _t("Tanggal selesai", "End date"),
                            # Issue 15: a permit was issued for a period already over.
                            "rules": [{"kind": "on_or_after", "field": "mulai"}, {"kind": "not_past"}],
                        },
                        {
                            "name": "lokasi",
                            "type": "text",
                            "label": _t("Lokasi penelitian", "Location"),
                            "help": _t("Instansi/desa tempat penelitian", "Where the research takes place"),
                        },
                        {"name": "ada_tim", "type": "yes_no", "label": _t("Meneliti bersama tim?", "With a team?")},
                        {
                            "name": "anggota",
                            "type": "group",
                            "label": _t("Anggota tim", "Team members"),
                            "visible_if": {"field": "ada_tim", "equals": True},
                            "min_items": 1,
                            "max_items": 10,
                            "fields": [
                                {"name": "nama", "type": "text", "label": _t("Nama anggota", "Member name")},
                                {"name": "peran", "type": "text", "label": _t("Peran", "Role"), "required": False},
                            ],
                        },
                    ],
                },
                {
                    "id": "berkas",
                    "title": _t("Unggah berkas", "Documents"),
                    "fields": [
                        {
                            "name": "surat_pengantar",
                            "type": "file",
                            "label": _t("Surat pengantar", "Cover letter"),
                            "accept": ["pdf"],
                            "max_size_kb": 2048,
                        },
                        {
                            "name": "proposal",
                            "type": "file",
                            "label": _t("Proposal penelitian", "Proposal"),
                            "accept": ["pdf"],
                            "max_size_kb": 5120,
                        },
                        {
                            "name": "ktp",
                            "type": "file",
                            "label": _t("KTP pemohon", "Applicant's identity card (KTP)"),
                            "accept": ["pdf", "jpeg"],
                            "max_size_kb": 2048,
                        },
                    ],
                },
            ]
        },
        "workflow": default_workflow(),
        "document_template": {
            "title": "Surat Keterangan Penelitian",
            "number_prefix": "070",
            "body": [
                "Berdasarkan permohonan nomor {tracking_number}, Kepala {agency} menerangkan bahwa:",
                "{holder} dari {answer.lembaga} diberi izin melakukan penelitian berjudul "
                "\u201c{answer.judul}\u201d di {answer.lokasi} pada {answer.mulai} sampai {answer.selesai}.",
                "Peneliti wajib mematuhi ketentuan yang berlaku dan menyerahkan salinan hasil penelitian.",
            ],
            "valid_until_answer": "selesai",
            "place": "Samarinda",
            "signatory_title": "Kepala DPMPTSP Provinsi Kalimantan Timur",
        },
    }


def legalisir_ijazah() -> dict[str, Any]:
    return {
        "service": {
            "code": "LGI",
            "slug": "legalisir-ijazah",
            "name": "Legalisir Ijazah SMA/SMK",
            "summary": "Pengesahan fotokopi/salinan ijazah SMA/SMK/SLB untuk lulusan sekolah di Kalimantan Timur "
            "yang sekolahnya sudah tutup atau bergabung.",
            "eligibility": "Lulusan SMA/SMK/SLB di Kalimantan Timur.",
            "requirements": ["Pindaian ijazah asli (unggah PDF/JPG/PNG)", "KTP pemohon (dibawa saat verifikasi)"],
            "legal_basis": [
                "Permendikbudristek Nomor 58 Tahun 2024 tentang Ijazah Jenjang Pendidikan Dasar dan Menengah"
            ],
            "fee": 0,
            "sla_days": 3,
            "output_document": "Surat Keterangan Legalisir",
            "sector": "pendidikan",
            "contact": "Disdikbud Prov. Kaltim, Jl. Basuki Rahmat No. 1 Samarinda",
        },
        "form": {
            "pages": [
                APPLICANT_PAGE,
                {
                    "id": "ijazah",
                    "title": _t("Data ijazah", "Certificate"),
                    "fields": [
                        {
                            "name": "nomor_ijazah",
                            "type": "text",
                            "label": _t("Nomor seri ijazah", "Serial number"),
                            "max_length": 40,
                        },
                        {
                            "name": "tahun_lulus",
                            "type": "number",
                            "label": _t("Tahun lulus", "Year of graduation"),
                            "integer": True,
                            "min": 1960,
                            "max": 2026,
                        },
                        {"name": "sekolah", "type": "text", "label": _t("Nama sekolah", "School")},
                        {
                            "name": "jumlah",
                            "type": "number",
                            "label": _t("Jumlah lembar legalisir", "Copies"),
                            "integer": True,
                            "min": 1,
                            "max": 10,
                        },
                        {
                            "name": "pindaian",
                            "type": "file",
                            "label": _t("Pindaian ijazah", "Scan"),
                            "accept": ["pdf", "jpeg", "png"],
                            "max_size_kb": 2048,
                        },
                    ],
                },
            ]
        },
        "workflow": default_workflow(verify_sla=1, approve_sla=1),
        "document_template": {
            "title": "Surat Keterangan Legalisir Ijazah",
            "number_prefix": "421.3",
            "body": [
                "Menerangkan bahwa salinan ijazah nomor {answer.nomor_ijazah} atas nama {holder}, lulusan "
                "{answer.sekolah} tahun {answer.tahun_lulus}, telah diperiksa dan sesuai dengan aslinya.",
            ],
            "signatory_title": "Kepala Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur",
        },
    }


def ppdb_sma_smk() -> dict[str, Any]:
    return {
        "service": {
            "code": "PPDB",
            "slug": "ppdb-sma-smk",
            "name": "Pendaftaran SMA/SMK Negeri (PPDB/SPMB)",
            "summary": "Pendaftaran calon peserta didik baru SMA/SMK negeri di Kalimantan Timur. Seleksi "
            "berdasarkan jalur dan domisili, tidak berdasarkan urutan waktu mendaftar.",
            "eligibility": "Lulusan SMP/MTs atau sederajat, usia paling tinggi 21 tahun.",
            "requirements": [
                "Kartu Keluarga (unggah PDF/JPG/PNG)",
                "Ijazah atau surat keterangan lulus (SKL) SMP/MTs (unggah PDF/JPG/PNG)",
                "Rapor semester 1–5 (unggah PDF)",
            ],
            "legal_basis": ["Permendikdasmen Nomor 3 Tahun 2025 tentang Sistem Penerimaan Murid Baru"],
            "fee": 0,
            "sla_days": 10,
            "output_document": "Bukti Pendaftaran dan Hasil Seleksi",
            "sector": "pendidikan",
            "contact": "Disdikbud Prov. Kaltim · posko SPMB di setiap SMA/SMK negeri",
        },
        "form": {
            "pages": [
                {
                    "id": "siswa",
                    "title": _t("Data calon murid", "Student"),
                    "fields": [
                        {
                            "name": "nama",
                            "type": "text",
                            "label": _t("Nama calon murid", "Student name"),
                            "holder_name": True,
                        },
                        {
                            "name": "nik",
                            "type": "nik",
                            "label": _t("NIK calon murid", "Student NIK"),
                            "rules": [
                                {
                                    "kind": "nik_matches",
                                    "birth_date": "tanggal_lahir",
                                    "sex": "jenis_kelamin",
                                    "female": "p",
                                }
                            ],
                        },
                        {
                            "name": "tanggal_lahir",
                            "type": "date",
                            "label": _t("Tanggal lahir", "Date of birth"),
                            "not_future": True,
                            # The page says "usia paling tinggi 21 tahun", on 1 July of the admission year.
                            "rules": [{"kind": "age", "max": 21, "on": "07-01"}],
                        },
                        {
                            "name": "jenis_kelamin",
                            "type": "choice",
                            "label": _t("Jenis kelamin", "Sex"),
                            "choices": [
                                {"value": "l", "label": _t("Laki-laki", "Male")},
                                {"value": "p", "label": _t("Perempuan", "Female")},
                            ],
                        },
                        {"name": "asal_sekolah", "type": "text", "label": _t("Asal SMP/MTs", "Previous school")},
                        {
                            "name": "telepon",
                            "type": "phone",
                            "label": _t("Nomor HP orang tua/wali", "Parent's mobile"),
                            "prefill": "phone",
                        },
                        {
                            "name": "domisili",
                            "type": "address",
                            "label": _t("Alamat domisili (sesuai KK)", "Address (family card)"),
                            "address_level": "kecamatan",
                        },
                    ],
                },
                {
                    "id": "pilihan",
                    "title": _t("Jalur dan pilihan sekolah", "Track and schools"),
                    "fields": [
                        {
                            "name": "jalur",
                            "type": "choice",
                            "label": _t("Jalur", "Track"),
                            "choices": [
                                {"value": "domisili", "label": _t("Domisili", "Residence")},
                                {"value": "afirmasi", "label": _t("Afirmasi", "Affirmative")},
                                {"value": "mutasi", "label": _t("Mutasi orang tua", "Parent transfer")},
                                {"value": "prestasi", "label": _t("Prestasi", "Achievement")},
                            ],
                        },
                        {
                            "name": "pilihan_1",
                            "type": "choice",
                            "label": _t("Sekolah pilihan 1", "First choice"),
                            "help": _t(
                                "SMA/SMK negeri di kabupaten/kota domisili",
                                "A state SMA/SMK in the regency/city of residence",
                            ),
                            "choices_source": "sekolah_sma_smk_negeri",
                            "filter_by": "domisili",
                        },
                        {
                            "name": "pilihan_2",
                            "type": "choice",
                            "label": _t("Sekolah pilihan 2", "Second choice"),
                            "help": _t("Sekolah lain dari pilihan 1", "A school other than the first choice"),
                            "choices_source": "sekolah_sma_smk_negeri",
                            "filter_by": "domisili",
                            "distinct_from": ["pilihan_1"],
                            "required": False,
                        },
                        {
                            "name": "prestasi",
                            "type": "long_text",
                            "label": _t("Prestasi", "Achievements"),
                            "visible_if": {"field": "jalur", "equals": "prestasi"},
                        },
                        {
                            "name": "kk",
                            "type": "file",
                            "label": _t("Kartu Keluarga", "Family card"),
                            "accept": ["pdf", "jpeg", "png"],
                            "max_size_kb": 1024,
                        },
                        {
                            "name": "ijazah",
                            "type": "file",
                            "label": _t("Ijazah atau SKL SMP/MTs", "Lower-secondary certificate or graduation letter"),
                            "accept": ["pdf", "jpeg", "png"],
                            "max_size_kb": 2048,
                        },
                        {
                            "name": "rapor",
                            "type": "file",
                            "label": _t("Rapor semester 1–5", "Report cards, semesters 1–5"),
                            "help": _t("Satu berkas PDF berisi kelima semester", "One PDF with all five semesters"),
                            "accept": ["pdf"],
                            "max_size_kb": 5120,
                        },
                    ],
                },
            ]
        },
        "workflow": default_workflow(verify_sla=3, approve_sla=3),
        "document_template": {
            "title": "Bukti Hasil Seleksi SPMB SMA/SMK",
            "number_prefix": "PPDB",
            "body": [
                "{holder} dinyatakan DITERIMA pada sekolah pilihan {answer.pilihan_1} melalui jalur "
                "{answer.jalur}. Silakan melakukan daftar ulang sesuai jadwal sekolah.",
            ],
            "signatory_title": "Kepala Dinas Pendidikan dan Kebudayaan Provinsi Kalimantan Timur",
        },
    }


def informasi_publik() -> dict[str, Any]:
    return {
        "service": {
            "code": "PIP",
            "slug": "permohonan-informasi-publik",
            "name": "Permohonan Informasi Publik",
            "summary": "Meminta informasi publik dari badan publik Pemerintah Provinsi Kalimantan Timur melalui "
            "PPID, sesuai UU 14/2008.",
            "eligibility": "Setiap warga negara Indonesia dan badan hukum Indonesia.",
            "requirements": [
                "Identitas pemohon (KTP, dibawa saat verifikasi)",
                "Rincian informasi yang diminta dan tujuannya (diisi di formulir)",
            ],
            "legal_basis": [
                "Undang-Undang Nomor 14 Tahun 2008 tentang Keterbukaan Informasi Publik",
                "Peraturan Komisi Informasi Nomor 1 Tahun 2021 tentang Standar Layanan Informasi Publik",
            ],
            "fee": 0,
            "sla_days": 10,
            "output_document": "Surat Pemberitahuan Tertulis PPID",
            "sector": "komunikasi_informasi",
            "contact": "PPID Utama Diskominfo Prov. Kaltim · ppid@kaltimprov.go.id",
        },
        "form": {
            "pages": [
                APPLICANT_PAGE,
                {
                    "id": "informasi",
                    "title": _t("Informasi yang diminta", "Information requested"),
                    "fields": [
                        {
                            "name": "rincian",
                            "type": "long_text",
                            "label": _t("Rincian informasi", "Details"),
                            "max_length": 3000,
                        },
                        {
                            "name": "tujuan",
                            "type": "long_text",
                            "label": _t("Tujuan penggunaan informasi", "Purpose"),
                            "max_length": 1000,
                        },
                        {
                            "name": "cara_memperoleh",
                            "type": "multi_choice",
                            "label": _t("Cara memperoleh informasi", "How to receive it"),
                            "choices": [
                                {"value": "melihat", "label": _t("Melihat/membaca", "Read on site")},
                                {"value": "salinan_elektronik", "label": _t("Salinan elektronik", "Electronic copy")},
                                {"value": "salinan_cetak", "label": _t("Salinan cetak", "Printed copy")},
                            ],
                        },
                    ],
                },
            ]
        },
        "workflow": default_workflow(verify_sla=5, approve_sla=5),
        "document_template": {
            "title": "Pemberitahuan Tertulis Permohonan Informasi Publik",
            "number_prefix": "PPID",
            "body": [
                "Menjawab permohonan informasi nomor {tracking_number} dari {holder}, PPID menyatakan informasi "
                "yang diminta dapat diberikan sesuai UU 14/2008.",
                "Rincian: {answer.rincian}",
            ],
            "signatory_title": "Pejabat Pengelola Informasi dan Dokumentasi (PPID) Utama",
        },
    }


def rekomendasi_klinik() -> dict[str, Any]:
    return {
        "service": {
            "code": "RIK",
            "slug": "rekomendasi-izin-klinik",
            "name": "Rekomendasi Izin Operasional Klinik Utama",
            "summary": "Rekomendasi teknis Dinas Kesehatan untuk izin operasional klinik utama sebelum "
            "diterbitkan perizinannya melalui OSS/DPMPTSP.",
            "eligibility": "Badan usaha atau perorangan pemilik klinik utama di Kalimantan Timur.",
            "requirements": [
                "Profil klinik (dibawa saat verifikasi)",
                "Daftar tenaga kesehatan (diisi di formulir); STR/SIP dibawa saat verifikasi",
                "Denah bangunan (unggah PDF)",
            ],
            "legal_basis": [
                "Permenkes Nomor 14 Tahun 2021 tentang Standar Kegiatan Usaha dan Produk pada "
                "Penyelenggaraan Perizinan Berusaha Berbasis Risiko Sektor Kesehatan"
            ],
            "fee": 0,
            "sla_days": 14,
            "output_document": "Surat Rekomendasi Teknis",
            "sector": "kesehatan",
            "contact": "Dinas Kesehatan Prov. Kaltim, Jl. Kesuma Bangsa No. 84 Samarinda",
        },
        "form": {
            "pages": [
                APPLICANT_PAGE,
                {
                    "id": "klinik",
                    "title": _t("Data klinik", "Clinic"),
                    "fields": [
                        {"name": "nama_klinik", "type": "text", "label": _t("Nama klinik", "Clinic name")},
                        {"name": "lokasi_klinik", "type": "address", "label": _t("Lokasi klinik", "Location")},
                        {
                            "name": "jumlah_tempat_tidur",
                            "type": "number",
                            "label": _t("Jumlah tempat tidur rawat inap", "Inpatient beds"),
                            "integer": True,
                            "min": 0,
                            "max": 200,
                        },
                        {
                            "name": "tenaga",
                            "type": "group",
                            "label": _t("Tenaga medis", "Medical staff"),
                            "min_items": 1,
                            "max_items": 20,
                            "fields": [
                                {"name": "nama", "type": "text", "label": _t("Nama", "Name")},
                                {
                                    "name": "profesi",
                                    "type": "choice",
                                    "label": _t("Profesi", "Profession"),
                                    "choices": [
                                        {"value": "dokter", "label": "Dokter"},
                                        {"value": "dokter_spesialis", "label": "Dokter spesialis"},
                                        {"value": "perawat", "label": "Perawat"},
                                        {"value": "bidan", "label": "Bidan"},
                                        {"value": "apoteker", "label": "Apoteker"},
                                    ],
                                },
                                {
                                    "name": "nomor_str",
                                    "type": "text",
                                    "label": _t("Nomor STR", "Registration no."),
                                    "max_length": 40,
                                },
                            ],
                        },
                        {
                            "name": "denah",
                            "type": "file",
                            "label": _t("Denah bangunan", "Floor plan"),
                            "accept": ["pdf"],
                            "max_size_kb": 5120,
                        },
                    ],
                },
            ]
        },
        "workflow": default_workflow(verify_sla=5, approve_sla=5),
        "document_template": {
            "title": "Surat Rekomendasi Teknis Izin Operasional Klinik Utama",
            "number_prefix": "440",
            "body": [
                "Berdasarkan hasil verifikasi, Dinas Kesehatan memberikan rekomendasi teknis kepada "
                "{answer.nama_klinik} dengan penanggung jawab {holder} untuk diterbitkan izin operasionalnya.",
            ],
            "valid_days": 365,
            "signatory_title": "Kepala Dinas Kesehatan Provinsi Kalimantan Timur",
        },
    }


DEMO_SERVICES = {
    "DPMPTSP": izin_penelitian,
    "DISDIKBUD": legalisir_ijazah,
    "DISDIKBUD-PPDB": ppdb_sma_smk,
    "DISKOMINFO": informasi_publik,
    "DINKES": rekomendasi_klinik,
}


def as_export(definition: dict[str, Any]) -> dict[str, Any]:
    from etam.eservices.definitions import EXPORT_FORMAT

    return {"format": EXPORT_FORMAT, **definition}
