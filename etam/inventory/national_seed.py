"""The national Aplikasi Umum named by the domain brief (§1.5, §6), as seed reference data.

Only SRIKANDI's designation (KepmenPANRB 679/2020) is confirmed; the others are listed
as Aplikasi Umum or shared central applications by the sources the brief cites, and the
list is editable by the province's koordinator SPBE. Plain data: imported by the data
migration, the demo and the synthetic evaluation, never by models.
"""

from __future__ import annotations

NATIONAL_APPLICATIONS: list[dict[str, object]] = [
    {
        "code": "srikandi",
        "name": "SRIKANDI",
        "full_name": "Sistem Informasi Kearsipan Dinamis Terintegrasi",
        "owner": "ANRI / KemenPANRB",
        "raa_code": "01.02",
        "purpose": (
            "Pengelolaan arsip dinamis dan tata naskah dinas elektronik: surat masuk, surat keluar, "
            "disposisi, nota dinas, tanda tangan elektronik dan penyimpanan arsip."
        ),
        "keywords": "persuratan, naskah dinas, disposisi, arsip, surat, e-office, kearsipan",
        "legal_basis": "KepmenPANRB 679/2020; Peraturan ANRI 4/2021",
        "designation_verified": True,
        "url": "https://srikandi.arsip.go.id",
    },
    {
        "code": "sp4n-lapor",
        "name": "SP4N-LAPOR!",
        "full_name": (
            "Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional – Layanan Aspirasi dan Pengaduan Online Rakyat"
        ),
        "owner": "KemenPANRB, KSP, Ombudsman RI",
        "raa_code": "01.01",
        "purpose": (
            "Pengelolaan pengaduan pelayanan publik: masyarakat menyampaikan pengaduan, keluhan, aspirasi "
            "dan permintaan informasi; laporan diteruskan ke instansi berwenang dan ditindaklanjuti."
        ),
        "keywords": "pengaduan, aduan, keluhan, aspirasi, lapor, laporan masyarakat",
        "legal_basis": "Perpres 76/2013; PermenPANRB 62/2018",
        "designation_verified": False,
        "url": "https://www.lapor.go.id",
    },
    {
        "code": "spse",
        "name": "SPSE",
        "full_name": "Sistem Pengadaan Secara Elektronik",
        "owner": "LKPP",
        "raa_code": "01.02",
        "purpose": (
            "Pengadaan barang dan jasa pemerintah secara elektronik: tender, seleksi, penawaran penyedia, "
            "evaluasi dan kontrak."
        ),
        "keywords": "pengadaan, tender, lelang, lpse, penyedia, barang jasa",
        "legal_basis": "Perpres 16/2018 jo. 12/2021",
        "designation_verified": False,
        "url": "https://spse.inaproc.id",
    },
    {
        "code": "siasn",
        "name": "SIASN",
        "full_name": "Sistem Informasi Aparatur Sipil Negara",
        "owner": "BKN",
        "raa_code": "01.02",
        "purpose": (
            "Manajemen data kepegawaian ASN: data pegawai, riwayat jabatan, kenaikan pangkat, mutasi, cuti dan pensiun."
        ),
        "keywords": "kepegawaian, asn, pns, pegawai, simpeg, pangkat, mutasi",
        "legal_basis": "PP 11/2017 jo. 17/2020",
        "designation_verified": False,
        "url": "https://siasn.bkn.go.id",
    },
    {
        "code": "sipd",
        "name": "SIPD",
        "full_name": "Sistem Informasi Pemerintahan Daerah",
        "owner": "Kemendagri",
        "raa_code": "01.02",
        "purpose": (
            "Perencanaan pembangunan daerah, penganggaran dan penatausahaan keuangan daerah: RKPD, RKA, DPA, "
            "realisasi anggaran."
        ),
        "keywords": "perencanaan, penganggaran, anggaran, rka, dpa, keuangan daerah, rkpd",
        "legal_basis": "Permendagri 70/2019 (status sebagai Aplikasi Umum belum jelas)",
        "designation_verified": False,
        "url": "https://sipd.kemendagri.go.id",
    },
    {
        "code": "e-kinerja-bkn",
        "name": "e-Kinerja BKN",
        "full_name": "Sistem Informasi Kinerja Pegawai",
        "owner": "BKN",
        "raa_code": "01.02",
        "purpose": "Penilaian kinerja pegawai ASN: sasaran kinerja pegawai (SKP), capaian, evaluasi kinerja.",
        "keywords": "kinerja, skp, sasaran kinerja, penilaian pegawai",
        "legal_basis": "PermenPANRB 6/2022",
        "designation_verified": False,
        "url": "https://kinerja.bkn.go.id",
    },
    {
        "code": "jdih",
        "name": "JDIH",
        "full_name": "Jaringan Dokumentasi dan Informasi Hukum",
        "owner": "BPHN Kemenkum",
        "raa_code": "01.01",
        "purpose": (
            "Dokumentasi dan publikasi produk hukum: peraturan daerah, peraturan gubernur, peraturan bupati "
            "dan wali kota, keputusan."
        ),
        "keywords": "produk hukum, peraturan, perda, pergub, perbup, dokumentasi hukum",
        "legal_basis": "Perpres 33/2012",
        "designation_verified": False,
        "url": "https://jdihn.go.id",
    },
]
