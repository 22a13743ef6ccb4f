from django.urls import path

from etam.evaluation import views, views_frameworks

app_name = "evaluation"

urlpatterns = [
    path("evaluasi-spbe/", views.rollup, name="rollup"),
    path("staf/evaluasi/", views.evaluation_list, name="list"),
    path("staf/evaluasi/impor/", views_frameworks.import_results, name="import"),
    path("staf/evaluasi/kerangka/", views_frameworks.framework_list, name="frameworks"),
    path("staf/evaluasi/kerangka/skema.json", views_frameworks.framework_schema, name="framework_schema"),
    path("staf/evaluasi/kerangka/<int:framework_id>.json", views_frameworks.framework_export, name="framework_export"),
    path("staf/evaluasi/bukti/<int:evidence_id>/", views.evidence_file, name="evidence_file"),
    path("staf/evaluasi/<int:pk>/", views.evaluation_detail, name="detail"),
    path("staf/evaluasi/<int:pk>/indikator/", views.indicator_list, name="indicators"),
    path("staf/evaluasi/<int:pk>/indikator/<int:number>/", views.indicator_detail, name="indicator"),
    path("staf/evaluasi/<int:pk>/penugasan/", views.assign, name="assign"),
    path("staf/evaluasi/<int:pk>/kirim/", views.submit, name="submit"),
    path("staf/evaluasi/<int:pk>/tahap/", views.advance, name="advance"),
    path("staf/evaluasi/<int:pk>/buka-kembali/", views.reopen, name="reopen"),
    path("staf/evaluasi/<int:pk>/saran/", views.suggestions_refresh, name="suggestions_refresh"),
    path("staf/evaluasi/<int:pk>/saran/<int:suggestion_id>/", views.suggestion_decide, name="suggestion_decide"),
    path("staf/evaluasi/<int:pk>/analisis/", views.gap_analysis, name="gap"),
    path("staf/evaluasi/<int:pk>/riwayat/", views.history, name="history"),
    path("staf/evaluasi/<int:pk>/laporan.<str:fmt>", views.report, name="report"),
]
